/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-region.h - a worker's own account of the mappings the fuzzer made.
 *
 * Workers only ever touch, move or unmap what this table says they mapped,
 * so a write can never fault on a hole or on libc's memory.  Entries are
 * split exactly where an op changes part of one, the way the kernel splits
 * VMAs, so an entry never spans two VMAs with different flags and mremap's
 * "old range within one VMA" rule holds for any entry.  The table lives in
 * the worker's .bss: a fork copies it, as it copies the mappings.
 */
#ifndef FZ_REGION_H
#define FZ_REGION_H

#include <string.h>

#define FZ_MAXR 96		/* entries per process */
#define FZ_PG 4096UL

struct fz_region {
	unsigned long start, end;
	int prot;
	int file;		/* MAP_PRIVATE of the fuzz file */
	unsigned long fpg;	/* file page at start (file entries) */
	int dontfork;
	int wipe;
};

struct fz_rt {
	int n;
	struct fz_region r[FZ_MAXR];
};

static unsigned long fz_rpages(const struct fz_region *r)
{
	return (r->end - r->start) / FZ_PG;
}

static unsigned long fz_rt_pages(const struct fz_rt *rt)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < rt->n; i++)
		n += fz_rpages(&rt->r[i]);
	return n;
}

/* Split the entry holding addr so that one starts at addr; -1 if full. */
static int fz_rt_split(struct fz_rt *rt, unsigned long addr)
{
	int i;

	for (i = 0; i < rt->n; i++) {
		struct fz_region *r = &rt->r[i];

		if (addr <= r->start || addr >= r->end)
			continue;
		if (rt->n == FZ_MAXR)
			return -1;
		memmove(r + 1, r, (rt->n - i) * sizeof(*r));
		rt->n++;
		r[0].end = addr;
		r[1].start = addr;
		r[1].fpg += (addr - r[0].start) / FZ_PG;
		return 0;
	}
	return 0;
}

/* Make [s, e) a run of whole entries (of what is mapped in it). */
static int fz_rt_isolate(struct fz_rt *rt, unsigned long s, unsigned long e)
{
	return fz_rt_split(rt, s) || fz_rt_split(rt, e) ? -1 : 0;
}

/* The kernel unmapped [s, e): forget it.  Cannot fail for want of room. */
static void fz_rt_punch(struct fz_rt *rt, unsigned long s, unsigned long e)
{
	int i, j;

	for (i = 0; i < rt->n; i++) {
		struct fz_region *r = &rt->r[i];

		if (r->end <= s || r->start >= e)
			continue;
		if (r->start < s && r->end > e) {
			/* a hole in the middle: the split needs one entry */
			if (fz_rt_split(rt, e) == 0) {
				r->end = s;
				continue;
			}
		}
		if (r->start < s) {
			r->end = s;
		} else if (r->end > e) {
			r->fpg += (e - r->start) / FZ_PG;
			r->start = e;
		} else {
			r->start = r->end;	/* dropped below */
		}
	}
	for (i = j = 0; i < rt->n; i++)
		if (rt->r[i].start < rt->r[i].end)
			rt->r[j++] = rt->r[i];
	rt->n = j;
}

/* Sorted by address, so that "region a" is the same one on every replay. */
static int fz_rt_add(struct fz_rt *rt, const struct fz_region *nr)
{
	int i;

	if (rt->n == FZ_MAXR)
		return -1;
	for (i = 0; i < rt->n && rt->r[i].start < nr->start; i++)
		;
	memmove(&rt->r[i + 1], &rt->r[i], (rt->n - i) * sizeof(*nr));
	rt->r[i] = *nr;
	rt->n++;
	return 0;
}

/*
 * Join neighbours that are alike, or splits would fill the table.  The
 * kernel may still keep them as two VMAs (different anon_vmas); an mremap
 * across that seam then fails with EFAULT, which is just a result.
 */
static void fz_rt_coalesce(struct fz_rt *rt)
{
	int i, j;

	for (i = 0, j = 0; i < rt->n; i++) {
		struct fz_region *p = j ? &rt->r[j - 1] : NULL, *r = &rt->r[i];

		if (p && p->end == r->start && p->prot == r->prot &&
		    p->file == r->file && p->dontfork == r->dontfork &&
		    p->wipe == r->wipe &&
		    (!r->file || p->fpg + fz_rpages(p) == r->fpg)) {
			p->end = r->end;
			continue;
		}
		rt->r[j++] = *r;
	}
	rt->n = j;
}

/* A fork leaves MADV_DONTFORK ranges out of the child. */
static void fz_rt_fork_child(struct fz_rt *rt)
{
	int i, j;

	for (i = j = 0; i < rt->n; i++)
		if (!rt->r[i].dontfork)
			rt->r[j++] = rt->r[i];
	rt->n = j;
}

#endif /* FZ_REGION_H */
