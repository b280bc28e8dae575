// SPDX-License-Identifier: GPL-2.0
/*
 * shadow_rmap - a shadow reverse map of anonymous memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/debugfs.h>

static struct dentry *sr_dir;

static int __init shadow_rmap_init(void)
{
	sr_dir = debugfs_create_dir("shadow_rmap", NULL);
	return 0;
}

static void __exit shadow_rmap_exit(void)
{
	debugfs_remove_recursive(sr_dir);
}

module_init(shadow_rmap_init);
module_exit(shadow_rmap_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shadow reverse map of anonymous memory");
