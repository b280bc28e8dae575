/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Chain-length statistics: one bounded pass over the shadow.
 */
#ifndef SHADOW_RMAP_CENSUS_H
#define SHADOW_RMAP_CENSUS_H

#include <linux/sched.h>
#include <linux/seq_file.h>

#define SR_HIST_BUCKETS	34	/* [0], [1], [2,4) ... [2^31, 2^32) */
#define SR_TOP_N	20

enum sr_hist_kind {
	SR_H_CHAIN,		/* links per VMA */
	SR_H_WIDTH,		/* VMAs per anon_vma */
	SR_H_DEPTH,		/* anon_vma depth from its root */
	SR_H_CHILDREN,		/* children per anon_vma */
	SR_H_TREE_AVS,		/* anon_vmas per root tree */
	SR_H_TREE_VMAS,		/* VMAs per root tree */
	SR_NR_HISTS,
};

/* Where a maximum or a top entry lives. */
struct sr_place {
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	unsigned long start, end;
	unsigned long av, root;
	unsigned int depth, children, vmas, chain;
};

struct sr_hist {
	unsigned long count, sum, max;
	unsigned long bucket[SR_HIST_BUCKETS];
	struct sr_place at;
};

struct sr_census {
	struct sr_hist h[SR_NR_HISTS];
	struct sr_place top_vma[SR_TOP_N];
	struct sr_place top_av[SR_TOP_N];
	unsigned int nr_top_vma, nr_top_av;
};

int sr_census_take(struct sr_census *c);
void sr_hist_show(struct seq_file *m, const char *title,
		  const struct sr_hist *h);

#endif
