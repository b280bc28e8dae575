// SPDX-License-Identifier: GPL-2.0
/*
 * tracepoint:shadow_rmap:rmap_walk - each anonymous rmap walk the kernel
 * starts, with what the shadow knows of the folio's anon_vma: its forest,
 * depth, width (links in its tree) and the VMAs that cover the folio's page
 * offsets, i.e. the VMAs the kernel's walk is about to visit.
 *
 * rmap_walk_anon() runs on reclaim, migration, compaction and THP splits,
 * far hotter than anything else the module hooks, so its kprobe exists
 * only while the tracepoint has a listener: the tracepoint's register
 * callback attaches it, the unregister callback removes it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/page-flags.h>

#include <shadow_rmap/compat.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/stats.h>
#include <shadow_rmap/trace.h>
#include <shadow_rmap/walk.h>

static DEFINE_MUTEX(sr_walk_mutex);
static bool sr_walk_attached;	/* under sr_walk_mutex */
static bool sr_walk_gone;	/* module exit ran: attach no more */
static bool sr_walk_model_up;	/* the model can be queried */
static atomic_long_t sr_walks;
static atomic_long_t sr_walks_skipped;

struct sr_walk_view {
	unsigned long root;
	unsigned int depth, width, vmas, forest_vmas;
	bool tracked;
};

/* What the shadow knows of anon_vma @key at page offsets [first, last]. */
static void sr_walk_view(unsigned long key, unsigned long first,
			 unsigned long last, struct sr_walk_view *w)
{
	struct sr_link *l;
	struct sr_av *av, *root;

	rcu_read_lock();
	av = sr_av_find(key);
	if (!av)
		goto out;
	root = av->root;
	spin_lock(&root->lock);
	if (!av->dead) {
		w->tracked = true;
		w->root = root->key;
		w->depth = av->depth;
		w->width = av->nr_links;
		w->forest_vmas = root->nr_vmas;
		/* As many as the kernel's own walk visits: same tree shape. */
		for (l = sr_link_iter_first(&av->tree, first, last); l;
		     l = sr_link_iter_next(l, first, last))
			w->vmas++;
	}
	spin_unlock(&root->lock);
out:
	rcu_read_unlock();
}

/*
 * rmap_walk_anon(folio, rwc, locked): the caller holds a reference on the
 * folio (and usually its lock), so its mapping, index and size are stable
 * to read; the kernel anon_vma itself is never dereferenced, only looked
 * up as a shadow key.
 */
static int sr_walk_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct folio *folio = (struct folio *)regs_get_kernel_argument(regs, 0);
	struct sr_walk_view w = { };
	unsigned long mapping, first;

	if (!trace_rmap_walk_enabled())
		return 0;
	if (!READ_ONCE(sr_walk_model_up) || in_nmi() || irqs_disabled()) {
		atomic_long_inc(&sr_walks_skipped);
		return 0;
	}
	mapping = (unsigned long)READ_ONCE(folio->mapping);
	if ((mapping & SR_MAPPING_FLAGS) != SR_MAPPING_ANON)
		return 0;
	mapping -= SR_MAPPING_ANON;
	/* folio_pgoff() without the unexported helper */
	first = sr_folio_first_index(folio);
	/*
	 * Never applies the log: this runs in reclaim, where the model's
	 * allocations must not.  The records still pending say how far the
	 * view may lag.
	 */
	sr_walk_view(mapping, first, first + folio_nr_pages(folio) - 1, &w);
	atomic_long_inc(&sr_walks);
	trace_rmap_walk(mapping, w.root, w.tracked, w.depth, w.width, w.vmas,
			w.forest_vmas, first, folio_nr_pages(folio),
			sr_is_stale(), sr_log_pending());
	return 0;
}

static struct kprobe sr_walk_kp = {
	.symbol_name = "rmap_walk_anon",
	.pre_handler = sr_walk_pre,
};

/**
 * sr_walk_reg() - the rmap_walk tracepoint got its first listener
 *
 * Called by the tracepoint core under its own mutex.
 *
 * Return: 0, or the kprobe's registration error, which the listener sees.
 */
int sr_walk_reg(void)
{
	int ret = 0;

	mutex_lock(&sr_walk_mutex);
	if (sr_walk_gone) {
		ret = -ENODEV;
	} else if (!sr_walk_attached) {
		memset(&sr_walk_kp, 0, sizeof(sr_walk_kp));
		sr_walk_kp.symbol_name = "rmap_walk_anon";
		sr_walk_kp.pre_handler = sr_walk_pre;
		ret = register_kprobe(&sr_walk_kp);
		if (ret)
			pr_warn("cannot probe rmap_walk_anon: %d (tracepoint rmap_walk unavailable)\n",
				ret);
		sr_walk_attached = !ret;
	}
	mutex_unlock(&sr_walk_mutex);
	return ret;
}

static void sr_walk_detach(void)
{
	if (sr_walk_attached)
		unregister_kprobe(&sr_walk_kp);	/* waits for handlers */
	sr_walk_attached = false;
}

/**
 * sr_walk_unreg() - the rmap_walk tracepoint lost its last listener
 */
void sr_walk_unreg(void)
{
	mutex_lock(&sr_walk_mutex);
	sr_walk_detach();
	mutex_unlock(&sr_walk_mutex);
}

/**
 * sr_walk_ready() - the model is seeded: walks may query it
 *
 * A listener may attach as soon as the module's events exist, before
 * module init has built the model; until then walks are only counted.
 */
void sr_walk_ready(void)
{
	WRITE_ONCE(sr_walk_model_up, true);
}

/**
 * sr_walk_exit() - module exit: detach before the model goes
 *
 * Events of a module being removed are torn down after its exit function,
 * so the unregister callback may still come later and must find nothing to
 * do.
 */
void sr_walk_exit(void)
{
	mutex_lock(&sr_walk_mutex);
	sr_walk_gone = true;
	WRITE_ONCE(sr_walk_model_up, false);
	sr_walk_detach();
	mutex_unlock(&sr_walk_mutex);
}

/**
 * sr_walk_show() - the probe's state for the stats node
 * @m: the seq_file
 */
void sr_walk_show(struct seq_file *m)
{
	seq_printf(m, "probe.rmap_walk_anon %s\n",
		   READ_ONCE(sr_walk_attached) ? "kprobe" : "off");
	seq_printf(m, "rmap_walks_traced %ld\n", atomic_long_read(&sr_walks));
	seq_printf(m, "rmap_walks_skipped %ld\n",
		   atomic_long_read(&sr_walks_skipped));
}
