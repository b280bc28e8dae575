// SPDX-License-Identifier: GPL-2.0
/*
 * chains: histograms of anon_vma chain shapes, bpftrace hist() style.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <shadow_rmap/census.h>
#include <shadow_rmap/debugfs.h>
#include <shadow_rmap/stats.h>

static const char * const sr_hist_titles[SR_NR_HISTS] = {
	[SR_H_CHAIN] = "chain_length_per_vma",
	[SR_H_WIDTH] = "vmas_per_anon_vma",
	[SR_H_DEPTH] = "anon_vma_depth",
	[SR_H_CHILDREN] = "children_per_anon_vma",
	[SR_H_TREE_AVS] = "anon_vmas_per_tree",
	[SR_H_TREE_VMAS] = "vmas_per_tree",
};

static int sr_chains_show(struct seq_file *m, void *v)
{
	struct sr_census *c = kvzalloc(sizeof(*c), GFP_KERNEL);
	int k;

	if (!c)
		return -ENOMEM;
	sr_census_take(c);
	if (sr_is_stale())
		seq_puts(m, "# stale: events were lost; figures may be off until a resync\n");
	for (k = 0; k < SR_NR_HISTS; k++)
		sr_hist_show(m, sr_hist_titles[k], &c->h[k]);
	kvfree(c);
	return 0;
}

static int sr_chains_open(struct inode *inode, struct file *file)
{
	/* Room for the whole report: seq_file would redo the census. */
	return single_open_size(file, sr_chains_show, NULL, 64 << 10);
}

const struct file_operations sr_chains_fops = {
	.owner = THIS_MODULE,
	.open = sr_chains_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};
