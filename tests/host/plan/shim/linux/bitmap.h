/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-ins: the bitmap operations src/plan.c uses. */
#ifndef SHIM_LINUX_BITMAP_H
#define SHIM_LINUX_BITMAP_H
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#define BITS_PER_LONG (8 * sizeof(long))
#define BIT(n) (1UL << (n))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

static inline void __set_bit(unsigned int i, unsigned long *m)
{
	m[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
}

static inline void __clear_bit(unsigned int i, unsigned long *m)
{
	m[i / BITS_PER_LONG] &= ~(1UL << (i % BITS_PER_LONG));
}

static inline bool test_bit(unsigned int i, const unsigned long *m)
{
	return m[i / BITS_PER_LONG] >> (i % BITS_PER_LONG) & 1;
}

static inline unsigned int find_next_bit(const unsigned long *m,
					 unsigned int size, unsigned int i)
{
	for (; i < size; i++)
		if (test_bit(i, m))
			return i;
	return size;
}

static inline void bitmap_clear(unsigned long *m, unsigned int start,
				unsigned int n)
{
	while (n--)
		__clear_bit(start++, m);
}

static inline void bitmap_zero(unsigned long *m, unsigned int nbits)
{
	memset(m, 0, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline unsigned long *bitmap_zalloc(unsigned int nbits, int gfp)
{
	(void)gfp;
	return calloc(BITS_TO_LONGS(nbits), sizeof(long));
}

static inline void bitmap_free(unsigned long *m)
{
	free(m);
}
#endif
