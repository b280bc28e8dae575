/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-place.h - a worker's state and where its ops act.
 *
 * Resolving an op's relative arguments: which region, which pages of it,
 * which free address for a new or moved mapping.  Nothing here changes a
 * mapping the table knows about, except fz_rt_drop_unmapped() which brings
 * the table back in line with the kernel.
 */
#ifndef FZ_PLACE_H
#define FZ_PLACE_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fz-region.h"
#include "fz-shm.h"

#define FZ_FILE_PAGES 64
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

#endif /* FZ_PLACE_H */
