// SPDX-License-Identifier: GPL-2.0
/*
 * shadow_rmap - a shadow reverse map of anonymous memory.
 *
 * Load order matters: the probes go in before the seeding walk, so that
 * every change during the walk is either captured or found by it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/security.h>

#include <shadow_rmap/capture.h>
#include <shadow_rmap/debugfs.h>
#include <shadow_rmap/heal.h>
#include <shadow_rmap/kwalk.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/stats.h>
#include <shadow_rmap/walk.h>

static int __init shadow_rmap_init(void)
{
	struct sr_counts c;
	int ret;

	/* Confidentiality lockdown forbids reading kernel memory this way. */
	if (security_locked_down(LOCKDOWN_KPROBES)) {
		pr_err("kernel lockdown forbids kprobes: not loading\n");
		return -EPERM;
	}
	if (security_locked_down(LOCKDOWN_DEBUGFS))
		pr_notice("kernel lockdown: debugfs allows only the read-only nodes (verify, stats, chains, top)\n");
	ret = sr_model_init();
	if (ret)
		return ret;
	ret = sr_log_init();
	if (ret)
		goto model;
	ret = sr_capture_start();
	if (ret)
		goto log;
	if (sr_capture_is_bare()) {
		/* Probes with empty handlers: the shadow stays empty. */
		sr_mark_stale();
	} else {
		ret = sr_resync();
		if (ret)
			goto capture;
		sr_model_seeded();
		sr_heal_start();
	}
	ret = sr_debugfs_init();
	if (ret)
		goto capture;
	sr_walk_ready();
	sr_model_counts(&c);
	pr_info("loaded: %ld anon_vmas, %ld chain links, %ld vmas, %ld mms%s\n",
		c.avs, c.links, c.vmas, c.mms,
		sr_is_stale() ? " (stale: see stats)" : "");
	return 0;
capture:
	sr_capture_stop();
	sr_heal_stop();
log:
	sr_walk_exit();
	sr_log_exit();
model:
	sr_model_exit();
	return ret;
}

static void __exit shadow_rmap_exit(void)
{
	sr_debugfs_exit();
	sr_walk_exit();
	sr_capture_stop();
	sr_heal_stop();
	/* After the hooks, before the model: what is logged gets applied. */
	sr_log_exit();
	sr_model_exit();
}

module_init(shadow_rmap_init);
module_exit(shadow_rmap_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shadow reverse map of anonymous memory (anon_vma forests)");
/* What README's table says was run; others load if every hook resolves. */
MODULE_INFO(kernels, "x86_64 Linux 6.1 to 7.3: tested on Debian 6.1.0-*-amd64, 6.12.*+deb12-amd64, 7.3.*+deb13-amd64");
