// SPDX-License-Identifier: GPL-2.0
/*
 * Capture: picks the backend that delivers the hooks.  An ftrace_ops with a
 * filter costs less per hit than kprobes on the same ftrace sites (no kprobe
 * bookkeeping around each call), so it is the default; kprobes remain for
 * kernels or configurations where that fails, and on request.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>

#include <shadow_rmap/capture.h>
#include <shadow_rmap/cause.h>
#include <shadow_rmap/hooks.h>
#include <shadow_rmap/stats.h>

static bool bare;
module_param(bare, bool, 0400);
MODULE_PARM_DESC(bare, "Benchmark floor: the same probes with empty handlers, no shadow");

static bool kprobes_only;
module_param(kprobes_only, bool, 0400);
MODULE_PARM_DESC(kprobes_only, "Capture through kprobes only, not an ftrace_ops");

static const struct sr_backend *sr_backend;
static unsigned long sr_missed_base;
static bool sr_hook_missing;

/**
 * sr_capture_note_missing() - an optional hook could not attach
 *
 * Its events are not followed (copy_page_range: anon_vma reuse at fork),
 * so the shadow can never be called exact while this backend runs.
 */
void sr_capture_note_missing(void)
{
	WRITE_ONCE(sr_hook_missing, true);
}

/**
 * sr_capture_is_bare() - whether the module runs as the benchmark floor
 *
 * Return: the bare parameter.
 */
bool sr_capture_is_bare(void)
{
	return bare;
}

/**
 * sr_capture_start() - start delivering the hooks
 *
 * Return: 0, or a negative errno when no backend could attach every hook
 * the shadow cannot stay exact without.
 */
int sr_capture_start(void)
{
	int ret;

	ret = sr_hooks_resolve();
	if (!ret)
		ret = sr_cause_init();
	if (ret)
		return ret;
	sr_hook_missing = false;
	if (!kprobes_only) {
		ret = sr_backend_ftrace.start(bare);
		if (!ret) {
			sr_backend = &sr_backend_ftrace;
			goto out;
		}
		pr_warn("ftrace capture unavailable (%d): using kprobes\n", ret);
		sr_hook_missing = false;
	}
	ret = sr_backend_kprobe.start(bare);
	if (ret)
		return ret;
	sr_backend = &sr_backend_kprobe;
out:
	sr_hooks_announce(sr_backend->name);
	return 0;
}

/**
 * sr_capture_stop() - stop the hooks; waits for running handlers
 */
void sr_capture_stop(void)
{
	if (sr_backend)
		sr_backend->stop();
	sr_backend = NULL;
}

/**
 * sr_capture_missed() - hits that no handler saw
 *
 * Return: hits the backend dropped (kprobe nmissed, ftrace recursion) plus
 * hits refused for their context; any of them means the shadow may be
 * stale.
 */
unsigned long sr_capture_missed(void)
{
	return (sr_backend ? sr_backend->missed() : 0) +
	       sr_hooks_bad_context();
}

/**
 * sr_capture_show() - print the backend and each hook's state
 * @m: the seq_file
 */
void sr_capture_show(struct seq_file *m)
{
	seq_printf(m, "capture %s%s\n", sr_backend ? sr_backend->name : "none",
		   bare ? "-bare" : "");
	sr_hooks_show(m);
	sr_cause_show_callers(m);
	if (sr_backend)
		sr_backend->show(m);
	seq_printf(m, "hook_bad_context %lu\n", sr_hooks_bad_context());
}

/**
 * sr_capture_baseline() - a resync starts: losses before it are repaired
 */
void sr_capture_baseline(void)
{
	WRITE_ONCE(sr_missed_base, sr_capture_missed());
}

/**
 * sr_capture_check() - mark the shadow stale if a hit was missed since the
 * last resync
 */
void sr_capture_check(void)
{
	if (sr_capture_missed() != READ_ONCE(sr_missed_base) ||
	    READ_ONCE(sr_hook_missing))
		sr_mark_stale();
}
