// SPDX-License-Identifier: GPL-2.0
/*
 * stats: one `name value` per line.
 */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>

#include <shadow_rmap/capture.h>
#include <shadow_rmap/cause.h>
#include <shadow_rmap/debugfs.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/stats.h>
#include <shadow_rmap/walk.h>

static int sr_stats_show(struct seq_file *m, void *v)
{
	struct sr_counts c;
	int s;

	sr_log_drain();
	sr_capture_check();
	sr_model_counts(&c);
	seq_printf(m, "anon_vmas %ld\n", c.avs);
	seq_printf(m, "avcs %ld\n", c.links);
	seq_printf(m, "vmas %ld\n", c.vmas);
	seq_printf(m, "mms %ld\n", c.mms);
	seq_printf(m, "bytes %lu\n", sr_model_bytes(&c));
	seq_printf(m, "stale %d\n", sr_is_stale());
	seq_printf(m, "seconds_since_resync %lu\n",
		   (jiffies - sr_last_resync_jiffies()) / HZ);
	for (s = 0; s < SR_NR_STATS; s++)
		seq_printf(m, "%s %lu\n", sr_stat_name(s), sr_stat_read(s));
	sr_cause_show(m);
	sr_capture_show(m);
	sr_walk_show(m);
	sr_log_show(m);
	sr_hold_show(m);
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(sr_stats);

/**
 * sr_stats_create() - the stats node
 * @dir: the module's debugfs directory
 */
void sr_stats_create(struct dentry *dir)
{
	debugfs_create_file("stats", 0400, dir, NULL, &sr_stats_fops);
}
