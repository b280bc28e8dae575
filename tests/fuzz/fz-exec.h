/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-exec.h - what each memory op does inside a worker.
 *
 * Every op resolves its relative arguments against the worker's region
 * table (fz-region.h), makes one system call (or a few page touches) and
 * records the kernel's answer in the table.  A failing call is a result,
 * not an error: replays fail the same way.  An op with nothing to act on
 * is a skip.
 */
#ifndef FZ_EXEC_H
#define FZ_EXEC_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fz-region.h"
#include "fz-shm.h"

#define FZ_FILE_PAGES 64
#define FZ_BRK_MAX 256		/* pages above the worker's initial break */
#define FZ_RW (PROT_READ | PROT_WRITE)

static struct fz_rt fz_rt;
static unsigned long fz_brk_base, fz_brk_cur;
static __thread struct fz_box *fz_cur;

static void fz_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fz_note(const char *fmt, ...)
{
	va_list ap;

	if (!fz->trace || !fz_cur)
		return;
	va_start(ap, fmt);
	vsnprintf(fz_cur->msg, sizeof(fz_cur->msg), fmt, ap);
	va_end(ap);
}

static long fz_err(void)
{
	return -(long)errno;
}

static struct fz_region *fz_pick(uint32_t a)
{
	return fz_rt.n ? &fz_rt.r[a % fz_rt.n] : NULL;
}

/* Page range [*s, *e) inside r, from the two halves of b. */
static void fz_sub(const struct fz_region *r, uint32_t b, unsigned long max,
		   unsigned long *s, unsigned long *e)
{
	unsigned long np = fz_rpages(r), off = (b & 0xffff) % np;
	unsigned long len = 1 + (b >> 16) % (np - off);

	if (max && len > max)
		len = max;
	*s = r->start + off * FZ_PG;
	*e = *s + len * FZ_PG;
}

/* Mostly small regions; now and then one big enough to hold a THP. */
static unsigned long fz_size(uint32_t a)
{
	if ((a >> 16) % 32 == 0)
		return 512 + a % 512;
	return 1 + a % 32;
}

static int fz_room(unsigned long more_pages, int more_entries)
{
	return fz_rt.n + more_entries <= FZ_MAXR &&
	       fz_rt_pages(&fz_rt) + more_pages <= fz->cap_pages;
}

/* An address where len bytes are free now (nothing maps in between). */
static unsigned long fz_free_area(unsigned long len)
{
	void *p = mmap(NULL, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, len);
	return (unsigned long)p;
}

static int fz_is_free(unsigned long addr, unsigned long len)
{
	void *p = mmap((void *)addr, len, PROT_NONE, MAP_PRIVATE |
		       MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, len);
	return p == (void *)addr;
}

/*
 * Next to region k (mode 2: after, 3: before) if that is free, else 0 (let
 * the kernel choose): neighbours are where merges and anon_vma reuse happen.
 */
static unsigned long fz_near(uint32_t mode, uint32_t k, unsigned long len)
{
	const struct fz_region *r = fz_pick(k);
	unsigned long at;

	if (!r || mode % 4 < 2)
		return 0;
	at = mode % 4 == 2 ? r->end : r->start - len;
	if (at < len || !fz_is_free(at, len))
		return 0;
	return at;
}

/* May a MREMAP_FIXED land on [addr, addr+len)?  Only on ours or on holes. */
static int fz_ours_or_free(unsigned long addr, unsigned long len)
{
	unsigned long a;
	unsigned char v;
	int i;

	for (a = addr; a < addr + len; a += FZ_PG) {
		for (i = 0; i < fz_rt.n; i++)
			if (a >= fz_rt.r[i].start && a < fz_rt.r[i].end)
				break;
		if (i == fz_rt.n && (mincore((void *)a, FZ_PG, &v) == 0 ||
				     errno != ENOMEM))
			return 0;
	}
	return 1;
}

/*
 * 6.1's mremap_to() unmaps the MREMAP_FIXED target before it checks the
 * source, so a failed move may still have unmapped [s, e): ask the kernel
 * which pages are gone.
 */
static void fz_rt_drop_unmapped(unsigned long s, unsigned long e)
{
	unsigned char v;
	unsigned long a;

	for (a = s; a < e; a += FZ_PG)
		if (mincore((void *)a, FZ_PG, &v) < 0 && errno == ENOMEM)
			fz_rt_punch(&fz_rt, a, a + FZ_PG);
}

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

static long fz_x_mprotect(const struct fz_op *op)
{
	static const int prots[4] = { PROT_NONE, PROT_READ, FZ_RW, FZ_RW };
	struct fz_region *r = fz_pick(op->a);
	int i, prot = prots[op->c % 4];
	unsigned long s, e;

	if (!r || !fz_room(0, 2))
		return FZ_SKIP;
	fz_sub(r, op->b, 0, &s, &e);
	if (fz_rt_isolate(&fz_rt, s, e))
		return FZ_SKIP;
	if (mprotect((void *)s, e - s, prot))
		return fz_err();
	for (i = 0; i < fz_rt.n; i++)
		if (fz_rt.r[i].start >= s && fz_rt.r[i].end <= e)
			fz_rt.r[i].prot = prot;
	fz_note("%#lx-%#lx prot=%d", s, e, prot);
	return 0;
}

static const struct { int advice; const char *name; } fz_advice[] = {
	{ MADV_DONTNEED, "dontneed" },
	{ MADV_DONTNEED, "dontneed" },
	{ MADV_DONTFORK, "dontfork" },
	{ MADV_DOFORK, "dofork" },
	{ MADV_WIPEONFORK, "wipeonfork" },
	{ MADV_KEEPONFORK, "keeponfork" },
	{ MADV_HUGEPAGE, "hugepage" },
	{ MADV_NOHUGEPAGE, "nohugepage" },
	{ MADV_MERGEABLE, "mergeable" },
	{ MADV_UNMERGEABLE, "unmergeable" },
	{ MADV_FREE, "free" },
	{ MADV_COLD, "cold" },
	{ MADV_WILLNEED, "willneed" },
};

static long fz_x_madvise(const struct fz_op *op)
{
	unsigned int n = sizeof(fz_advice) / sizeof(fz_advice[0]);
	struct fz_region *r = fz_pick(op->a);
	int i, adv = fz_advice[op->c % n].advice;
	unsigned long s, e;

	if (!r || !fz_room(0, 2))
		return FZ_SKIP;
	fz_sub(r, op->b, 0, &s, &e);
	if (fz_rt_isolate(&fz_rt, s, e))
		return FZ_SKIP;
	fz_note("%#lx-%#lx %s", s, e, fz_advice[op->c % n].name);
	if (madvise((void *)s, e - s, adv))
		return fz_err();
	for (i = 0; i < fz_rt.n; i++) {
		struct fz_region *q = &fz_rt.r[i];

		if (q->start < s || q->end > e)
			continue;
		if (adv == MADV_DONTFORK || adv == MADV_DOFORK)
			q->dontfork = adv == MADV_DONTFORK;
		if (adv == MADV_WIPEONFORK || adv == MADV_KEEPONFORK)
			q->wipe = adv == MADV_WIPEONFORK;
	}
	return 0;
}

/*
 * The break as the kernel left it: brk() refuses some shrinks (when the brk
 * VMA was unmapped) yet returns success to glibc, so trust only sbrk(0).
 * glibc's brk keeps its idea of the break in step with ours.
 */
static long fz_x_brk(const struct fz_op *op)
{
	unsigned long n = 1 + op->a % 16, top = fz_brk_cur, want, now;
	struct fz_region nr = { 0 };

	if (!fz_brk_base)
		return FZ_SKIP;
	if (op->c % 2) {
		if ((top - fz_brk_base) / FZ_PG + n > FZ_BRK_MAX ||
		    !fz_room(n, 1))
			return FZ_SKIP;
		want = top + n * FZ_PG;
	} else {
		if (n > (top - fz_brk_base) / FZ_PG)
			n = (top - fz_brk_base) / FZ_PG;
		if (!n)
			return FZ_SKIP;
		want = top - n * FZ_PG;
	}
	errno = 0;
	brk((void *)want);
	now = (unsigned long)sbrk(0);
	if (now != want) {
		fz_note("break stays at %#lx, not %#lx", now, want);
		return errno ? fz_err() : -ENOMEM;
	}
	fz_brk_cur = now;
	if (now < top) {
		fz_rt_punch(&fz_rt, now, top);
		fz_note("shrink to %#lx", now);
		return 0;
	}
	nr.start = top;
	nr.end = now;
	nr.prot = FZ_RW;
	fz_rt_punch(&fz_rt, nr.start, nr.end);
	fz_rt_add(&fz_rt, &nr);
	fz_note("grow %#lx-%#lx", top, now);
	return 0;
}

/* Touch up to 8 pages: faults, zero-page maps, COW of shared and file pages */
static long fz_x_touch(const struct fz_op *op, int write)
{
	struct fz_region *r = fz_pick(op->a);
	unsigned long s, e, a, done = 0, word = (op->c % 512) * 8;

	if (!r)
		return FZ_SKIP;
	fz_sub(r, op->b, 8, &s, &e);
	for (a = s; a < e; a += FZ_PG) {
		volatile uint64_t *q = (volatile uint64_t *)(a + word);

		if (!(r->prot & (write ? PROT_WRITE : PROT_READ)))
			break;
		if (r->file && r->fpg + (a - r->start) / FZ_PG >= FZ_FILE_PAGES)
			break;	/* beyond the file's end: SIGBUS */
		if (write)
			*q = ((uint64_t)op->c << 32) | a;
		else
			(void)*q;
		done++;
	}
	fz_note("%#lx-%#lx %lu pages", s, e, done);
	return done ? (long)done : FZ_SKIP;
}

static long fz_exec_mem(const struct fz_op *op)
{
	switch (op->kind) {
	case FZ_MMAP_ANON:
		return fz_x_mmap(op, 0);
	case FZ_MMAP_FILE:
		return fz_x_mmap(op, 1);
	case FZ_MMAP_OVER:
		return fz_x_mmap_over(op);
	case FZ_MUNMAP:
		return fz_x_munmap(op);
	case FZ_MREMAP_MOVE:
		return fz_x_mremap_fixed(op, 1);
	case FZ_MREMAP_FIXED:
		return fz_x_mremap_fixed(op, 0);
	case FZ_MREMAP_GROW:
		return fz_x_mremap_grow(op);
	case FZ_MREMAP_SHRINK:
		return fz_x_mremap_shrink(op);
	case FZ_MREMAP_DONTUNMAP:
		return fz_x_mremap_dontunmap(op);
	case FZ_MPROTECT:
		return fz_x_mprotect(op);
	case FZ_MADVISE:
		return fz_x_madvise(op);
	case FZ_BRK:
		return fz_x_brk(op);
	case FZ_WRITE:
		return fz_x_touch(op, 1);
	case FZ_READ:
		return fz_x_touch(op, 0);
	}
	return FZ_SKIP;
}

#endif /* FZ_EXEC_H */
