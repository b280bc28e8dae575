/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debugfs nodes under /sys/kernel/debug/shadow_rmap/.
 */
#ifndef SHADOW_RMAP_DEBUGFS_H
#define SHADOW_RMAP_DEBUGFS_H

#include <linux/fs.h>

struct dentry;

int sr_debugfs_init(void);
void sr_debugfs_exit(void);
void sr_stats_create(struct dentry *dir);

extern const struct file_operations sr_control_fops;
extern const struct file_operations sr_verify_fops;
extern const struct file_operations sr_lookup_fops;
extern const struct file_operations sr_chains_fops;
extern const struct file_operations sr_top_fops;

/* Longest line any node accepts, newline included. */
#define SR_INPUT_MAX	128

ssize_t sr_input_line(const char __user *ubuf, size_t count, char *line,
		      const char *node);
void sr_input_reject(const char *node, const char *line);

#endif
