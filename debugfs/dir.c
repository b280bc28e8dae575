// SPDX-License-Identifier: GPL-2.0
/*
 * The node directory.  Every node is root-only: lookups reveal which
 * processes share memory.
 */
#include <linux/debugfs.h>

#include <shadow_rmap/debugfs.h>

static struct dentry *sr_dir;

/**
 * sr_debugfs_init() - create /sys/kernel/debug/shadow_rmap and its nodes
 *
 * Return: 0 or a negative errno.
 */
int sr_debugfs_init(void)
{
	struct dentry *d = debugfs_create_dir(KBUILD_MODNAME, NULL);

	if (IS_ERR(d))
		return PTR_ERR(d);
	sr_dir = d;
	debugfs_create_file("control", 0200, d, NULL, &sr_control_fops);
	debugfs_create_file("verify", 0400, d, NULL, &sr_verify_fops);
	debugfs_create_file("lookup", 0600, d, NULL, &sr_lookup_fops);
	sr_stats_create(d);
	debugfs_create_file("chains", 0400, d, NULL, &sr_chains_fops);
	debugfs_create_file("top", 0400, d, NULL, &sr_top_fops);
	return 0;
}

/**
 * sr_debugfs_exit() - remove the nodes; waits for readers in progress
 */
void sr_debugfs_exit(void)
{
	debugfs_remove_recursive(sr_dir);
	sr_dir = NULL;
}
