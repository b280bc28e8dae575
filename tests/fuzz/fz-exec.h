/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-exec.h - ops that change a mapping's protection or advice, move the
 * break or touch pages; and the dispatch of every memory op (the ops that
 * map, unmap and move are in fz-map.h).
 *
 * A failing call is a result, not an error: replays fail the same way.  An
 * op with nothing to act on is a skip.
 */
#ifndef FZ_EXEC_H
#define FZ_EXEC_H

#include "fz-map.h"

#define FZ_BRK_MAX 256		/* pages above the worker's initial break */

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
