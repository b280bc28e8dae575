/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-map.h - ops that create, replace, unmap and move mappings.
 *
 * Each records in the table what the kernel did; a failed call changes the
 * table only where the kernel may have acted anyway (a MREMAP_FIXED target).
 */
#ifndef FZ_MAP_H
#define FZ_MAP_H

#include "fz-place.h"

static long fz_x_mmap(const struct fz_op *op, int file)
{
	int prot = (op->c >> 8) % 8 ? FZ_RW : PROT_READ;
	int flags = MAP_PRIVATE | (file ? 0 : MAP_ANONYMOUS);
	unsigned long np, fpg = 0, hint;
	struct fz_region nr = { 0 };
	void *p = MAP_FAILED;

	if (file) {
		fpg = op->a % FZ_FILE_PAGES;
		np = 1 + op->b % (FZ_FILE_PAGES - fpg);
	} else {
		np = fz_size(op->a);
	}
	if ((!fz_room(np, 1) || fz_rt.n >= FZ_MAXR / 2) && fz_rt.n) {
		/*
		 * Keep the table half empty, or ops needing room would mostly
		 * skip; the same way on every replay: drop region a first.
		 */
		struct fz_region *r = fz_pick(op->a);

		if (munmap((void *)r->start, r->end - r->start) == 0)
			fz_rt_punch(&fz_rt, r->start, r->end);
	}
	if (!fz_room(np, 1))
		return FZ_SKIP;
	hint = fz_near(op->c, op->c >> 16, np * FZ_PG);
	if (hint)
		p = mmap((void *)hint, np * FZ_PG, prot,
			 flags | MAP_FIXED_NOREPLACE, file ? fz->file_fd : -1,
			 fpg * FZ_PG);
	if (p == MAP_FAILED)
		p = mmap(NULL, np * FZ_PG, prot, flags, file ? fz->file_fd : -1,
			 fpg * FZ_PG);
	if (p == MAP_FAILED)
		return fz_err();
	nr.start = (unsigned long)p;
	nr.end = nr.start + np * FZ_PG;
	nr.prot = prot;
	nr.file = file;
	nr.fpg = fpg;
	fz_rt_add(&fz_rt, &nr);
	fz_note("%#lx-%#lx %s%s", nr.start, nr.end, file ? "file" : "anon",
		hint ? " next to a region" : "");
	return 0;
}

/* Replace part of a region with a fresh mapping (MAP_FIXED). */
static long fz_x_mmap_over(const struct fz_op *op)
{
	struct fz_region *r = fz_pick(op->a), nr = { 0 };
	int file = op->c % 3 == 0;
	unsigned long s, e;
	void *p;

	if (!r || !fz_room(0, 2))
		return FZ_SKIP;
	fz_sub(r, op->b, 0, &s, &e);
	nr.start = s;
	nr.end = e;
	nr.prot = FZ_RW;
	nr.file = file;
	nr.fpg = file ? (op->c >> 16) % FZ_FILE_PAGES : 0;
	p = mmap((void *)s, e - s, FZ_RW, MAP_PRIVATE | MAP_FIXED |
		 (file ? 0 : MAP_ANONYMOUS), file ? fz->file_fd : -1,
		 nr.fpg * FZ_PG);
	if (p == MAP_FAILED)
		return fz_err();
	fz_rt_punch(&fz_rt, s, e);
	fz_rt_add(&fz_rt, &nr);
	fz_note("%#lx-%#lx replaced by %s", s, e, file ? "file" : "anon");
	return 0;
}

static long fz_x_munmap(const struct fz_op *op)
{
	struct fz_region *r = fz_pick(op->a);
	unsigned long s, e;

	if (!r)
		return FZ_SKIP;
	if (op->c % 4 == 0) {
		s = r->start;
		e = r->end;
	} else {
		fz_sub(r, op->b, 0, &s, &e);
	}
	if (munmap((void *)s, e - s))
		return fz_err();
	fz_rt_punch(&fz_rt, s, e);
	fz_note("%#lx-%#lx", s, e);
	return 0;
}

/* The kernel moved [s, s+olen) to [to, to+nlen): so does the table. */
static void fz_moved(const struct fz_region *from, unsigned long s,
		     unsigned long olen, unsigned long to, unsigned long nlen,
		     int keep_old)
{
	struct fz_region nr = *from;

	nr.fpg += (s - from->start) / FZ_PG;
	nr.start = to;
	nr.end = to + nlen;
	if (!keep_old)
		fz_rt_punch(&fz_rt, s, s + olen);
	fz_rt_punch(&fz_rt, to, to + nlen);
	fz_rt_add(&fz_rt, &nr);
}

/*
 * MREMAP_FIXED moves: FZ_MREMAP_MOVE to a fresh area, FZ_MREMAP_FIXED next
 * to another region or right onto one (unmapping what is there).
 */
static long fz_x_mremap_fixed(const struct fz_op *op, int fresh)
{
	struct fz_region *r = fz_pick(op->a), *k = fz_pick(op->c >> 16);
	unsigned long s, e, len, to = 0;
	void *p;

	if (!r || !fz_room(0, 3))
		return FZ_SKIP;
	if (op->c % 2 && fresh) {
		s = r->start;
		e = r->end;
	} else {
		fz_sub(r, op->b, 0, &s, &e);
	}
	len = e - s;
	if (!fresh) {
		switch (op->c % 3) {
		case 0:
			to = k->end;
			break;
		case 1:
			to = k->start > len ? k->start - len : 0;
			break;
		default:
			to = k->start;
			break;
		}
		if (to && !fz_ours_or_free(to, len))
			to = 0;
	}
	if (!to)
		to = fz_free_area(len);
	if (!to)
		return fz_err();
	p = mremap((void *)s, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)to);
	if (p == MAP_FAILED) {
		long err = fz_err();

		fz_note("%#lx-%#lx -> %#lx", s, e, to);
		fz_rt_drop_unmapped(to, to + len);
		return err;
	}
	fz_moved(r, s, len, (unsigned long)p, len, 0);
	fz_note("%#lx-%#lx -> %#lx", s, e, (unsigned long)p);
	return 0;
}

static long fz_x_mremap_grow(const struct fz_op *op)
{
	struct fz_region *r = fz_pick(op->a);
	unsigned long s, e, g = 1 + (op->c >> 4) % 16;
	int flags = op->c % 4 ? MREMAP_MAYMOVE : 0;
	void *p;

	if (!r || !fz_room(g, 3))
		return FZ_SKIP;
	fz_sub(r, op->b, 0, &s, &e);
	if (op->c % 8 == 1)
		e = r->end;	/* the tail: may grow in place */
	p = mremap((void *)s, e - s, e - s + g * FZ_PG, flags);
	if (p == MAP_FAILED)
		return fz_err();
	fz_moved(r, s, e - s, (unsigned long)p, e - s + g * FZ_PG, 0);
	fz_note("%#lx-%#lx +%lu pages -> %#lx", s, e, g, (unsigned long)p);
	return 0;
}

static long fz_x_mremap_shrink(const struct fz_op *op)
{
	struct fz_region *r = fz_pick(op->a);
	unsigned long s, e, np, keep;
	void *p;

	if (!r || !fz_room(0, 2))
		return FZ_SKIP;
	fz_sub(r, op->b, 0, &s, &e);
	np = (e - s) / FZ_PG;
	if (np < 2) {
		s = r->start;
		e = r->end;
		np = (e - s) / FZ_PG;
		if (np < 2)
			return FZ_SKIP;
	}
	keep = 1 + (op->c >> 4) % (np - 1);
	p = mremap((void *)s, e - s, keep * FZ_PG, 0);
	if (p == MAP_FAILED)
		return fz_err();
	fz_rt_punch(&fz_rt, s + keep * FZ_PG, e);
	fz_note("%#lx-%#lx to %lu pages", s, e, keep);
	return 0;
}

/* The pages move; the old range stays mapped, empty. */
static long fz_x_mremap_dontunmap(const struct fz_op *op)
{
	struct fz_region *r = fz_pick(op->a);
	int flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
	unsigned long s, e, to = 0;
	void *p;

	if (!r || !fz_room(fz_rpages(r), 3))
		return FZ_SKIP;
	fz_sub(r, op->b, 0, &s, &e);
	if (op->c % 2) {
		to = fz_free_area(e - s);
		if (to)
			flags |= MREMAP_FIXED;
	}
	p = mremap((void *)s, e - s, e - s, flags, (void *)to);
	if (p == MAP_FAILED) {
		long err = fz_err();

		if (to)
			fz_rt_drop_unmapped(to, e - s + to);
		return err;
	}
	fz_moved(r, s, e - s, (unsigned long)p, e - s, 1);
	fz_note("%#lx-%#lx -> %#lx", s, e, (unsigned long)p);
	return 0;
}

#endif /* FZ_MAP_H */
