/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reverse lookups answered from the shadow.
 */
#ifndef SHADOW_RMAP_LOOKUP_H
#define SHADOW_RMAP_LOOKUP_H

#include <shadow_rmap/text.h>

enum sr_query_kind {
	SR_Q_PFN,
	SR_Q_PID_ADDR,
	SR_Q_PID,
};

struct sr_query {
	enum sr_query_kind kind;
	unsigned long pfn;
	unsigned long addr;
	int pid;
};

int sr_query_parse(const char *line, struct sr_query *q);
int sr_lookup(const struct sr_query *q, struct sr_text *out);

#endif
