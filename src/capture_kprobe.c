// SPDX-License-Identifier: GPL-2.0
/*
 * The kprobe backend: one kprobe per hook.  Only ftrace-based kprobes are
 * accepted: an int3 probe's handler runs in an NMI-like context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>

#include <shadow_rmap/capture.h>
#include <shadow_rmap/hooks.h>

#define SR_MAX_HOOKS	8

struct sr_kprobe {
	struct kprobe kp;
	const struct sr_hook *hook;
	bool active;
};

static struct sr_kprobe sr_kprobes[SR_MAX_HOOKS];

/* On an ftrace site regs->sp is the probed function's entry SP. */
static int sr_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct sr_kprobe *p = container_of(kp, struct sr_kprobe, kp);

	p->hook->fn(regs_get_kernel_argument(regs, 0),
		    regs_get_kernel_argument(regs, 1),
		    *(unsigned long *)kernel_stack_pointer(regs));
	return 0;
}

static int sr_kprobe_empty(struct kprobe *kp, struct pt_regs *regs)
{
	return 0;
}

static void sr_kprobe_stop(void)
{
	int i;

	for (i = 0; i < SR_MAX_HOOKS; i++) {
		if (sr_kprobes[i].active)
			unregister_kprobe(&sr_kprobes[i].kp);
		sr_kprobes[i].active = false;
	}
}

static int sr_kprobe_one(struct sr_kprobe *p, const struct sr_hook *h,
			 bool bare)
{
	int ret;

	memset(p, 0, sizeof(*p));
	if (!h->symbol)
		return -ENOENT;
	p->hook = h;
	p->kp.symbol_name = h->symbol;
	p->kp.pre_handler = bare ? sr_kprobe_empty : sr_kprobe_pre;
	ret = register_kprobe(&p->kp);
	if (ret)
		return ret;
	p->active = true;
	if (!kprobe_ftrace(&p->kp)) {
		unregister_kprobe(&p->kp);
		p->active = false;
		return -EOPNOTSUPP;
	}
	return 0;
}

static int sr_kprobe_start(bool bare)
{
	int i, ret;

	for (i = 0; i < sr_nr_hooks && i < SR_MAX_HOOKS; i++) {
		ret = sr_kprobe_one(&sr_kprobes[i], &sr_hooks[i], bare);
		if (!ret)
			continue;
		if (sr_hooks[i].symbol)
			pr_warn("cannot probe %s: %d%s\n", sr_hooks[i].symbol,
				ret, sr_hooks[i].required ? "" :
				" (its events are not followed)");
		if (sr_hooks[i].required) {
			sr_kprobe_stop();
			return ret;
		}
		sr_capture_note_missing();
	}
	return 0;
}

static unsigned long sr_kprobe_missed(void)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < SR_MAX_HOOKS; i++)
		n += sr_kprobes[i].kp.nmissed;
	return n;
}

static void sr_kprobe_show(struct seq_file *m)
{
	int i;

	for (i = 0; i < sr_nr_hooks && i < SR_MAX_HOOKS; i++) {
		struct sr_kprobe *p = &sr_kprobes[i];

		if (!sr_hooks[i].symbol)
			continue;
		seq_printf(m, "probe.%s %s\n", sr_hooks[i].symbol,
			   p->active ? "kprobe" : "off");
		seq_printf(m, "probe.%s.nmissed %lu\n", sr_hooks[i].symbol,
			   p->kp.nmissed);
	}
}

const struct sr_backend sr_backend_kprobe = {
	.name = "kprobe",
	.start = sr_kprobe_start,
	.stop = sr_kprobe_stop,
	.missed = sr_kprobe_missed,
	.show = sr_kprobe_show,
};
