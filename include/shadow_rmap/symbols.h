/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run-time symbol resolution for kernel functions that are not exported.
 */
#ifndef SHADOW_RMAP_SYMBOLS_H
#define SHADOW_RMAP_SYMBOLS_H

#include <linux/types.h>

struct sr_sym_range {
	const char *name;
	unsigned long start, end;
};

int sr_sym_resolve(struct sr_sym_range *r);

static inline bool sr_sym_contains(const struct sr_sym_range *r,
				   unsigned long ip)
{
	return ip - r->start < r->end - r->start;
}

#endif
