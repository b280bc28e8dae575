// SPDX-License-Identifier: GPL-2.0
/*
 * Capture through kprobes.  The kernel funnels every change of an anon_vma
 * interval tree through anon_vma_interval_tree_insert() and _remove(), with
 * the forest's root rwsem held for writing: the handlers read the chain
 * link, its VMA and anon_vma (all held by the caller at that moment) and
 * hand plain values to the model.  Nothing else is dereferenced.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/mm_types.h>
#include <linux/rmap.h>

#include <shadow_rmap/capture.h>
#include <shadow_rmap/cause.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/stats.h>

static bool bare;
module_param(bare, bool, 0400);
MODULE_PARM_DESC(bare, "Benchmark floor: the same probes with empty handlers, no shadow");

static atomic_long_t sr_bad_ctx;
static unsigned long sr_missed_base;

/*
 * The model's hash tables disable bottom halves, which is wrong in the
 * NMI-like context of an int3 probe: only ftrace-based hits are handled.
 */
static bool sr_ctx_ok(void)
{
	if (likely(!in_nmi() && !irqs_disabled()))
		return true;
	atomic_long_inc(&sr_bad_ctx);
	sr_mark_stale();
	return false;
}

/**
 * sr_kernel_av_parent() - read a kernel anon_vma's parent
 * @av: a kernel anon_vma of a forest whose root rwsem the caller's context
 *      holds, and an ancestor of one being linked (so it is alive)
 *
 * Return: its parent's address.
 */
unsigned long sr_kernel_av_parent(unsigned long av)
{
	return (unsigned long)((struct anon_vma *)av)->parent;
}

/* With ftrace-based kprobes regs->sp is the traced function's entry SP. */
static unsigned long sr_caller(struct pt_regs *regs)
{
	return *(unsigned long *)kernel_stack_pointer(regs);
}

static int sr_insert_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct anon_vma_chain *avc;
	struct vm_area_struct *vma;
	struct anon_vma *av;
	struct sr_avc_snap s;

	if (!sr_ctx_ok())
		return 0;
	avc = (struct anon_vma_chain *)regs_get_kernel_argument(regs, 0);
	vma = avc->vma;
	av = avc->anon_vma;
	s.avc = (unsigned long)avc;
	s.av = (unsigned long)av;
	s.av_root = (unsigned long)av->root;
	s.av_parent = (unsigned long)av->parent;
	s.vma = (unsigned long)vma;
	s.vma_anon_vma = (unsigned long)READ_ONCE(vma->anon_vma);
	s.start = vma->vm_start;
	s.end = vma->vm_end;
	s.pgoff = vma->vm_pgoff;
	s.mm = vma->vm_mm;
	s.parent_of = sr_kernel_av_parent;
	s.cause = sr_cause_of(sr_caller(regs), s.mm, SR_ADD);
	if (!sr_model_link_add(&s))
		sr_cause_count(s.cause, SR_ADD);
	return 0;
}

static int sr_remove_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct anon_vma_chain *avc;
	enum sr_cause cause;

	if (!sr_ctx_ok())
		return 0;
	avc = (struct anon_vma_chain *)regs_get_kernel_argument(regs, 0);
	cause = sr_cause_of(sr_caller(regs), avc->vma->vm_mm, SR_DEL);
	if (sr_model_link_del((unsigned long)avc, cause))
		sr_cause_count(cause, SR_DEL);
	return 0;
}

/*
 * dup_mmap() calls copy_page_range(child_vma, parent_vma) right after
 * anon_vma_fork(), whose anon_vma reuse is decided after the last link.
 */
static int sr_copy_range_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct vm_area_struct *dst;

	if (!sr_ctx_ok())
		return 0;
	dst = (struct vm_area_struct *)regs_get_kernel_argument(regs, 0);
	sr_model_vma_set_anon((unsigned long)dst,
			      (unsigned long)READ_ONCE(dst->anon_vma));
	return 0;
}

struct sr_probe {
	struct kprobe kp;
	bool required;
	bool active;
};

/*
 * Registered in this order: a removal seen for a link the shadow never saw
 * is harmless, an insertion seen whose removal is then missed leaves a
 * stale link behind, so removals are watched first and insertions last.
 */
static struct sr_probe sr_probes[] = {
	{ .kp = { .symbol_name = "anon_vma_interval_tree_remove",
		  .pre_handler = sr_remove_pre }, .required = true },
	{ .kp = { .symbol_name = "copy_page_range",
		  .pre_handler = sr_copy_range_pre } },
	{ .kp = { .symbol_name = "anon_vma_interval_tree_insert",
		  .pre_handler = sr_insert_pre }, .required = true },
};

static int sr_bare_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
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

static void sr_unregister(struct sr_probe *p)
{
	if (!p->active)
		return;
	unregister_kprobe(&p->kp);
	p->active = false;
}

static int sr_register(struct sr_probe *p)
{
	int ret;

	if (bare)
		p->kp.pre_handler = sr_bare_pre;
	ret = register_kprobe(&p->kp);

	if (ret) {
		pr_warn("cannot probe %s: %d%s\n", p->kp.symbol_name, ret,
			p->required ? "" : " (its events are not followed)");
		return ret;
	}
	p->active = true;
	if (!kprobe_ftrace(&p->kp)) {
		pr_warn("%s is not ftrace-based; its handler would run in an NMI-like context\n",
			p->kp.symbol_name);
		sr_unregister(p);
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * sr_capture_start() - register the probes
 *
 * Return: 0, or a negative errno when a probe the shadow cannot stay exact
 * without failed to attach.
 */
int sr_capture_start(void)
{
	int i, ret;

	sr_cause_init();
	for (i = 0; i < ARRAY_SIZE(sr_probes); i++) {
		ret = sr_register(&sr_probes[i]);
		if (ret && sr_probes[i].required) {
			sr_capture_stop();
			return ret;
		}
	}
	return 0;
}

/**
 * sr_capture_stop() - unregister every probe; waits for running handlers
 */
void sr_capture_stop(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sr_probes); i++)
		sr_unregister(&sr_probes[i]);
}

/**
 * sr_capture_missed() - hits that no handler saw
 *
 * Return: the sum of kprobe nmissed and hits in a context the handlers
 * refuse; any of these means the shadow may be stale.
 */
unsigned long sr_capture_missed(void)
{
	unsigned long n = atomic_long_read(&sr_bad_ctx);
	int i;

	for (i = 0; i < ARRAY_SIZE(sr_probes); i++)
		n += sr_probes[i].kp.nmissed;
	return n;
}

/**
 * sr_capture_show() - print each probe's state as `name value` lines
 * @m: the seq_file
 */
void sr_capture_show(struct seq_file *m)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sr_probes); i++) {
		struct sr_probe *p = &sr_probes[i];

		seq_printf(m, "probe.%s %s%s\n", p->kp.symbol_name,
			   p->active ? "ftrace" : "off", bare ? "-bare" : "");
		seq_printf(m, "probe.%s.nmissed %lu\n", p->kp.symbol_name,
			   p->kp.nmissed);
	}
	seq_printf(m, "probe_bad_context %ld\n", atomic_long_read(&sr_bad_ctx));
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
	if (sr_capture_missed() != READ_ONCE(sr_missed_base))
		sr_mark_stale();
}
