/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable text buffer for answers computed once and read many times.
 */
#ifndef SHADOW_RMAP_TEXT_H
#define SHADOW_RMAP_TEXT_H

#include <linux/types.h>

struct sr_text {
	char *buf;
	size_t len, cap, limit;
	bool truncated;
	bool fixed;		/* never allocate: the writer holds locks */
};

void sr_text_init(struct sr_text *t, size_t limit);
void sr_text_free(struct sr_text *t);
void sr_text_reset(struct sr_text *t);
int sr_text_reserve(struct sr_text *t, size_t bytes);
__printf(2, 3) void sr_text_printf(struct sr_text *t, const char *fmt, ...);
__printf(2, 3) void sr_text_final(struct sr_text *t, const char *fmt, ...);

#endif
