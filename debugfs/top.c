// SPDX-License-Identifier: GPL-2.0
/*
 * top: the VMAs with the longest chains and the anon_vmas with the most
 * VMAs, ties broken by pid, then address.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <shadow_rmap/census.h>
#include <shadow_rmap/debugfs.h>
#include <shadow_rmap/stats.h>

static int sr_top_show(struct seq_file *m, void *v)
{
	struct sr_census *c = kvzalloc(sizeof(*c), GFP_KERNEL);
	unsigned int i;

	if (!c)
		return -ENOMEM;
	sr_census_take(c);
	if (sr_is_stale())
		seq_puts(m, "# stale: events were lost; figures may be off until a resync\n");
	seq_printf(m, "# %u VMAs with the longest anon_vma chains\n",
		   c->nr_top_vma);
	for (i = 0; i < c->nr_top_vma; i++) {
		struct sr_place *p = &c->top_vma[i];

		seq_printf(m, "vma rank=%u chain=%u pid=%d comm=%s start=0x%lx end=0x%lx anon_vma=%p root=%p\n",
			   i + 1, p->chain, p->tgid, p->comm, p->start, p->end,
			   (void *)p->av, (void *)p->root);
	}
	seq_printf(m, "# %u anon_vmas with the most VMAs\n", c->nr_top_av);
	for (i = 0; i < c->nr_top_av; i++) {
		struct sr_place *p = &c->top_av[i];

		seq_printf(m, "anon_vma rank=%u vmas=%u depth=%u children=%u pid=%d comm=%s start=0x%lx end=0x%lx anon_vma=%p root=%p\n",
			   i + 1, p->vmas, p->depth, p->children, p->tgid,
			   p->comm, p->start, p->end, (void *)p->av,
			   (void *)p->root);
	}
	kvfree(c);
	return 0;
}

static int sr_top_open(struct inode *inode, struct file *file)
{
	return single_open_size(file, sr_top_show, NULL, 16 << 10);
}

const struct file_operations sr_top_fops = {
	.owner = THIS_MODULE,
	.open = sr_top_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};
