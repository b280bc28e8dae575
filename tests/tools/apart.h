/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Many written one-page anonymous VMAs, for fork+exit loops (tests/tools
 * forkexit and bench/forkbench): PROT_NONE gaps keep them from merging and
 * the write gives each its own anon_vma.
 */
#ifndef SR_APART_H
#define SR_APART_H

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* Returns the base of the 2 * VMAS pages, or NULL after perror(). */
static inline char *map_apart(int vmas, long pg)
{
	char *base = mmap(NULL, 2 * vmas * pg, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (base == MAP_FAILED) {
		perror("mmap");
		return NULL;
	}
	for (i = 0; i < vmas; i++) {
		char *p = base + 2 * i * pg;

		if (mprotect(p, pg, PROT_READ | PROT_WRITE)) {
			perror("mprotect");
			return NULL;
		}
		memset(p, i + 1, pg);
	}
	return base;
}

#endif
