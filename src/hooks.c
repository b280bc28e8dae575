// SPDX-License-Identifier: GPL-2.0
/*
 * What the probed functions mean.  The kernel funnels every change of an
 * anon_vma interval tree through anon_vma_interval_tree_insert() and
 * _remove(), with the forest's root rwsem held for writing: the hooks read
 * the chain link, its VMA and anon_vma (all held by the caller at that
 * moment) into a log record and return; the model is updated from the log
 * (log.h).  Nothing else is dereferenced.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm_types.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>

#include <shadow_rmap/cause.h>
#include <shadow_rmap/compat.h>
#include <shadow_rmap/hooks.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/stats.h>
#include <shadow_rmap/symbols.h>
#include <shadow_rmap/trace.h>

static atomic_long_t sr_bad_ctx;

/* The last link record on this CPU: its index, VMA and own anon_vma. */
struct sr_last_link {
	u64 idx;
	unsigned long vma, anon_vma;
};

static DEFINE_PER_CPU(struct sr_last_link, sr_last_link);

/*
 * The model's hash tables disable bottom halves, which is wrong in the
 * NMI-like context of an int3 probe: only hits from normal context count.
 */
static noinline void sr_ctx_bad(void)
{
	atomic_long_inc(&sr_bad_ctx);
	sr_mark_stale();
}

static __always_inline bool sr_ctx_ok(void)
{
	if (likely(!in_nmi() && !irqs_disabled()))
		return true;
	sr_ctx_bad();
	return false;
}

/**
 * sr_hooks_bad_context() - hits refused for their context
 *
 * Return: how many; each marked the shadow stale.
 */
unsigned long sr_hooks_bad_context(void)
{
	return atomic_long_read(&sr_bad_ctx);
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

/*
 * Only the model's tracepoints read a record's task, so it is copied only
 * while one has a listener (static keys: nothing to test otherwise); pid
 * 0 says it was not.  O(1): the comm is copied as the kernel's own
 * tracepoints copy it.
 */
static __always_inline void sr_who_current(struct sr_who *w)
{
	if (!sr_model_traced()) {
		w->pid = 0;
		return;
	}
	w->pid = current->tgid;
	w->tid = current->pid;
	memcpy(w->comm, current->comm, TASK_COMM_LEN);
}

/**
 * sr_avc_snapshot() - read what the model needs from a kernel chain link
 * @avc: a link whose forest's root rwsem is held
 * @s: filled in (cause left to the caller)
 */
void sr_avc_snapshot(struct anon_vma_chain *avc, struct sr_avc_snap *s)
{
	struct vm_area_struct *vma = avc->vma;
	struct anon_vma *av = avc->anon_vma;

	s->avc = (unsigned long)avc;
	s->av = (unsigned long)av;
	s->av_root = (unsigned long)av->root;
	s->av_parent = (unsigned long)av->parent;
	s->vma = (unsigned long)vma;
	s->vma_anon_vma = (unsigned long)READ_ONCE(vma->anon_vma);
	s->start = vma->vm_start;
	s->end = vma->vm_end;
	s->pgoff = sr_vma_anon_pgoff(vma);
	s->mm = vma->vm_mm;
	s->parent_of = sr_kernel_av_parent;
	sr_who_current(&s->who);
}

/*
 * anon_vma_chain_link() (inlined into its three callers) makes a new link;
 * any other insert puts back a link a VMA update took out.
 */
static void __sr_hook_insert(unsigned long arg0, unsigned long caller)
{
	struct sr_rec *r;
	bool plain;
	u64 idx;

	if (!sr_ctx_ok())
		return;
	r = sr_log_reserve();
	if (!r) {
		/* Its unlink must not cancel an older record of the link. */
		sr_log_forget(arg0);
		return;
	}
	sr_avc_snapshot((struct anon_vma_chain *)arg0, &r->s);
	r->s.parent_of = NULL;
	r->s.cause = sr_classify(caller, r->s.mm,
				 ((struct anon_vma_chain *)arg0)->vma->vm_flags,
				 SR_ADD, &plain);
	r->op = plain ? SR_OP_ADD : SR_OP_REATTACH;
	r->seeded = sr_model_is_seeded();
	/* The applier may need the mm after this task has let it go. */
	mmgrab(r->s.mm);
	idx = r->idx;
	__this_cpu_write(sr_last_link.idx, idx);
	__this_cpu_write(sr_last_link.vma, r->s.vma);
	__this_cpu_write(sr_last_link.anon_vma, r->s.vma_anon_vma);
	sr_log_commit(r);
	/* The record is the applier's now: not read again. */
	if (plain)
		sr_log_note_add(arg0, idx);
	else
		sr_log_forget(arg0);
}

/* Only unlink_anon_vmas() unlinks for good; the rest is a VMA update. */
static void __sr_hook_remove(unsigned long arg0, unsigned long caller)
{
	struct anon_vma_chain *avc = (struct anon_vma_chain *)arg0;
	enum sr_cause cause;
	struct sr_rec *r;
	bool plain;

	if (!sr_ctx_ok())
		return;
	cause = sr_classify(caller, avc->vma->vm_mm, avc->vma->vm_flags,
			    SR_DEL, &plain);
	if (!plain) {
		sr_log_forget(arg0);
	} else if (sr_log_cancel_add(arg0)) {
		/* Born and gone unseen: count it, log nothing. */
		sr_stat_inc(SR_LINK_DEL);
		sr_stat_inc(SR_LOG_UNLINK_CANCELLED);
		sr_cause_count(cause, SR_DEL);
		return;
	}
	r = sr_log_reserve();
	if (!r)
		return;
	r->s.avc = arg0;
	sr_who_current(&r->s.who);
	/* Its forest: the applier tells other forests' records apart. */
	r->s.av_root = (unsigned long)avc->anon_vma->root;
	r->s.mm = NULL;		/* not pinned: nothing to drop */
	r->s.cause = cause;
	r->op = plain ? SR_OP_DEL : SR_OP_DETACH;
	r->seeded = sr_model_is_seeded();
	sr_log_commit(r);
}

/*
 * dup_mmap() calls copy_page_range(child_vma, parent_vma) right after
 * anon_vma_fork(), whose anon_vma reuse is decided after the last link.
 * Without reuse the child's own anon_vma was in place before its link
 * went in.  When the newest record of the whole log is this CPU's last
 * link record and names this VMA (alive, so no other VMA has its address)
 * with this anon_vma, it is the VMA's own last link and the model will
 * have it; otherwise (reuse, migration, other CPUs) a record says so.
 */
static void __sr_hook_copy_range(unsigned long arg0)
{
	struct vm_area_struct *dst = (struct vm_area_struct *)arg0;
	unsigned long av = (unsigned long)READ_ONCE(dst->anon_vma);
	struct sr_rec *r;

	if (!av || (__this_cpu_read(sr_last_link.vma) == arg0 &&
		    __this_cpu_read(sr_last_link.anon_vma) == av &&
		    __this_cpu_read(sr_last_link.idx) == sr_log_newest()))
		return;
	if (!sr_ctx_ok())
		return;
	r = sr_log_reserve();
	if (!r)
		return;
	r->s.vma = arg0;
	r->s.mm = NULL;
	sr_who_current(&r->s.who);
	r->s.vma_anon_vma = (unsigned long)READ_ONCE(dst->anon_vma);
	r->op = SR_OP_SET_ANON;
	sr_log_commit(r);
}

static void sr_hook_insert(unsigned long arg0, unsigned long arg1,
			   unsigned long caller)
{
	u64 t0 = get_cycles();

	__sr_hook_insert(arg0, caller);
	sr_hook_note(t0);
}

static void sr_hook_remove(unsigned long arg0, unsigned long arg1,
			   unsigned long caller)
{
	u64 t0 = get_cycles();

	__sr_hook_remove(arg0, caller);
	sr_hook_note(t0);
}

static void sr_hook_copy_range(unsigned long arg0, unsigned long arg1,
			       unsigned long caller)
{
	u64 t0 = get_cycles();

	__sr_hook_copy_range(arg0);
	sr_hook_note(t0);
}

/*
 * In this order: a removal seen for a link the shadow never saw is
 * harmless, an insertion seen whose removal is then missed leaves a stale
 * link behind, so removals are watched first and insertions last.
 *
 * The interval-tree pair was renamed anon_rmap_tree_insert()/_remove() on
 * its way to v7.3 ("mm: make VMA page offset handling more consistent");
 * its second argument became the anon_vma, which no hook reads.
 */
struct sr_hook sr_hooks[] = {
	{ "remove", { "anon_vma_interval_tree_remove", "anon_rmap_tree_remove" },
	  true, sr_hook_remove },
	{ "copy_range", { "copy_page_range" }, false, sr_hook_copy_range },
	{ "insert", { "anon_vma_interval_tree_insert", "anon_rmap_tree_insert" },
	  true, sr_hook_insert },
};

const unsigned int sr_nr_hooks = ARRAY_SIZE(sr_hooks);

/**
 * sr_hooks_resolve() - pick each hook point's name on this kernel
 *
 * Return: 0, or -ENOENT when a required hook point has none of its names
 * (an unsupported kernel: loading half-hooked would be silently wrong).
 */
int sr_hooks_resolve(void)
{
	unsigned int i, n;

	for (i = 0; i < sr_nr_hooks; i++) {
		struct sr_hook *h = &sr_hooks[i];

		h->symbol = NULL;
		for (n = 0; n < SR_HOOK_NAMES && h->names[n]; n++) {
			struct sr_sym_range r = { .name = h->names[n] };

			if (!sr_sym_resolve(&r)) {
				h->symbol = h->names[n];
				break;
			}
		}
		if (h->symbol)
			continue;
		if (h->required) {
			pr_err("unsupported kernel: no %s hook (none of %s%s%s)\n",
			       h->role, h->names[0], h->names[1] ? ", " : "",
			       h->names[1] ?: "");
			return -ENOENT;
		}
		pr_warn("no %s hook (%s): its events are not followed\n",
			h->role, h->names[0]);
	}
	return 0;
}

/**
 * sr_hooks_announce() - say in the kernel log which names were hooked
 * @backend: the capture backend's name
 */
void sr_hooks_announce(const char *backend)
{
	const struct sr_hook *h = sr_hooks;

	BUILD_BUG_ON(ARRAY_SIZE(sr_hooks) != 3);
	pr_info("capture %s: %s=%s %s=%s %s=%s\n", backend,
		h[0].role, h[0].symbol ?: "none", h[1].role,
		h[1].symbol ?: "none", h[2].role, h[2].symbol ?: "none");
}

/**
 * sr_hooks_show() - print `hook.ROLE SYMBOL` for each hook point
 * @m: the seq_file
 */
void sr_hooks_show(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < sr_nr_hooks; i++)
		seq_printf(m, "hook.%s %s\n", sr_hooks[i].role,
			   sr_hooks[i].symbol ?: "none");
}
