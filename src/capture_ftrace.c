// SPDX-License-Identifier: GPL-2.0
/*
 * The ftrace backend: one ftrace_ops filtered on every hooked function.
 * The callback gets the function's arguments (DYNAMIC_FTRACE_WITH_ARGS) and
 * its return address (parent_ip), which is all a hook needs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/string.h>

#include <shadow_rmap/capture.h>
#include <shadow_rmap/hooks.h>
#include <shadow_rmap/stats.h>
#include <shadow_rmap/symbols.h>

#define SR_MAX_HOOKS	8

static struct sr_sym_range sr_ranges[SR_MAX_HOOKS];
static bool sr_attached[SR_MAX_HOOKS];
static atomic_long_t sr_recursed;
static bool sr_registered;
static bool sr_bare;

static unsigned long sr_arg(struct ftrace_regs *fregs, unsigned int n)
{
#ifdef ftrace_regs_get_argument
	return ftrace_regs_get_argument(fregs, n);
#else
	return n ? fregs->regs.si : fregs->regs.di;
#endif
}

static void notrace sr_ftrace_cb(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *op,
				 struct ftrace_regs *fregs)
{
	int bit, i;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0) {
		atomic_long_inc(&sr_recursed);
		sr_mark_stale();
		return;
	}
	preempt_disable_notrace();
	for (i = 0; i < sr_nr_hooks; i++) {
		if (!sr_attached[i] || !sr_sym_contains(&sr_ranges[i], ip))
			continue;
		if (!sr_bare)
			sr_hooks[i].fn(sr_arg(fregs, 0), sr_arg(fregs, 1),
				       parent_ip);
		break;
	}
	preempt_enable_notrace();
	ftrace_test_recursion_unlock(bit);
}

static struct ftrace_ops sr_ops = {
	.func = sr_ftrace_cb,
};

static int sr_ftrace_start(bool bare)
{
	int i, ret, attached = 0;

	sr_bare = bare;
	for (i = 0; i < sr_nr_hooks && i < SR_MAX_HOOKS; i++) {
		const struct sr_hook *h = &sr_hooks[i];

		sr_ranges[i].name = h->symbol;
		ret = h->symbol ? sr_sym_resolve(&sr_ranges[i]) : -ENOENT;
		if (!ret)
			ret = ftrace_set_filter(&sr_ops, (unsigned char *)h->symbol,
						strlen(h->symbol), 0);
		if (ret) {
			if (h->required)
				goto fail;
			if (h->symbol)
				pr_warn("cannot hook %s: %d (its events are not followed)\n",
					h->symbol, ret);
			sr_capture_note_missing();
			continue;
		}
		sr_attached[i] = true;
		attached++;
	}
	ret = register_ftrace_function(&sr_ops);
	if (ret)
		goto fail;
	sr_registered = true;
	return 0;
fail:
	memset(sr_attached, 0, sizeof(sr_attached));
	if (attached)
		ftrace_free_filter(&sr_ops);
	return ret;
}

static void sr_ftrace_stop(void)
{
	if (!sr_registered)
		return;
	/* Waits until no CPU is in the callback. */
	unregister_ftrace_function(&sr_ops);
	ftrace_free_filter(&sr_ops);
	sr_registered = false;
	memset(sr_attached, 0, sizeof(sr_attached));
}

static unsigned long sr_ftrace_missed(void)
{
	return atomic_long_read(&sr_recursed);
}

static void sr_ftrace_show(struct seq_file *m)
{
	int i;

	for (i = 0; i < sr_nr_hooks && i < SR_MAX_HOOKS; i++)
		if (sr_hooks[i].symbol)
			seq_printf(m, "probe.%s %s\n", sr_hooks[i].symbol,
				   sr_attached[i] ? "ftrace_ops" : "off");
	seq_printf(m, "probe_recursion_missed %ld\n",
		   atomic_long_read(&sr_recursed));
}

const struct sr_backend sr_backend_ftrace = {
	.name = "ftrace_ops",
	.start = sr_ftrace_start,
	.stop = sr_ftrace_stop,
	.missed = sr_ftrace_missed,
	.show = sr_ftrace_show,
};
