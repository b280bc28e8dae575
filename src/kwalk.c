// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of seeding, resync and verify.
 *
 * The unit of work is one anon_vma forest, walked under its root rwsem held
 * for reading, which excludes every writer of that forest and so every
 * probe handler that could change its shadow.  Every VMA of a forest links
 * the root anon_vma, so the root's interval tree lists every VMA of the
 * forest, and those VMAs' chains list every anon_vma_chain of the forest
 * exactly once.  A VMA found in that tree has its chain intact:
 * unlink_anon_vmas() takes a VMA out of every tree before it lets go of the
 * lock.  Forests are found from each process's VMAs under mmap_read_lock().
 *
 * Allocation with GFP_KERNEL never happens under an anon_vma rwsem: reclaim
 * and migration may wait on it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rmap.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/xarray.h>

#include <shadow_rmap/capture.h>
#include <shadow_rmap/hooks.h>
#include <shadow_rmap/cause.h>
#include <shadow_rmap/kwalk.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/stats.h>

#define SR_VERIFY_DETAILS	20
#define SR_VERIFY_RESERVE	(64 << 10)
#define SR_SUSPECT_MAX		64

static DEFINE_MUTEX(sr_walk_mutex);

struct sr_walk {
	bool repair;
	u32 epoch;
	struct xarray roots;
	struct xarray walked;		/* mms walked already */
	struct sr_text *out;
	unsigned long avs, avcs, vmas, mms;
	unsigned long mismatches;
	unsigned long seeded;
};

static __printf(2, 3) void sr_mismatch(struct sr_walk *w, const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	if (w->repair)
		return;
	if (w->mismatches++ >= SR_VERIFY_DETAILS)
		return;
	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	sr_text_printf(w->out, "mismatch: %pV\n", &vaf);
	va_end(ap);
}

static bool sr_link_matches(struct sr_link *l, const struct sr_avc_snap *s)
{
	struct sr_vma *v = l->vma;

	return !l->detached && l->av->key == s->av && v->key == s->vma &&
	       v->mm->key == (unsigned long)s->mm && v->start == s->start &&
	       v->end == s->end && v->pgoff == s->pgoff;
}

static unsigned long sr_tree_count(struct anon_vma *av)
{
	struct rb_node *rb;
	unsigned long n = 0;

	for (rb = rb_first_cached(&av->rb_root); rb; rb = rb_next(rb))
		n++;
	return n;
}

/*
 * Whether @avc may be in its anon_vma's tree.  A VMA's chain list can hold
 * a link not inserted yet: anon_vma_fork() adds the child's own link to
 * the list before it takes the forest's lock to insert it (6.12.118 and
 * 7.x; 6.1 did both under the lock), so a walk holding that lock, reaching
 * the VMA through its older links, meets a link whose insert, hook and
 * record are all still to come.  That link's anon_vma is new, its tree
 * still empty; every other listed link of a VMA in a tree is inserted.
 */
static bool sr_tree_has(struct anon_vma *av)
{
	return !RB_EMPTY_ROOT(&av->rb_root.rb_root);
}

/*
 * The kernel's own interval tree checks the shadow's keys: each node's
 * rb_subtree_last is the largest last page offset of its subtree, by the
 * key the kernel indexes (vm_pgoff, or 7.3's anonymous page offset).  The
 * same maximum over the shadow's offsets of the same links must agree, or
 * the shadow keys the tree differently from the kernel (its lookups then
 * miss pages), however well its fields match the hooks' snapshots.
 * Returns the subtree's shadow maximum, or ULONG_MAX once a node differs
 * or a link is not in the shadow (reported elsewhere).  Depth O(log n).
 */
static unsigned long sr_tree_keys(struct rb_node *rb, unsigned long *bad)
{
	struct anon_vma_chain *avc;
	unsigned long last, sub;
	struct sr_link *l;

	if (!rb)
		return 0;
	avc = rb_entry(rb, struct anon_vma_chain, rb);
	l = sr_link_find((unsigned long)avc);
	if (!l || l->detached)
		return ULONG_MAX;
	last = l->vma->pgoff + ((l->vma->end - l->vma->start) >> PAGE_SHIFT) - 1;
	sub = sr_tree_keys(rb->rb_left, bad);
	if (sub == ULONG_MAX)
		return sub;
	last = max(last, sub);
	sub = sr_tree_keys(rb->rb_right, bad);
	if (sub == ULONG_MAX)
		return sub;
	last = max(last, sub);
	if (last != avc->rb_subtree_last) {
		*bad = avc->rb_subtree_last;
		return ULONG_MAX;
	}
	return last;
}

/* One kernel anon_vma against its shadow, the first time the walk meets it. */
static void sr_check_av(struct sr_walk *w, struct anon_vma *av)
{
	struct sr_av *sav = sr_av_find((unsigned long)av);
	unsigned long parent = av->parent == av ? 0 : (unsigned long)av->parent;
	unsigned long kids, links, bad;

	if (sav && sav->seen == w->epoch)
		return;
	w->avs++;
	if (!sav) {
		sr_mismatch(w, "anon_vma %p missing from the shadow", av);
		return;
	}
	sav->seen = w->epoch;
	if (w->repair) {
		/* A wrong parent cannot be re-hung in place: say so. */
		if ((sav->parent ? sav->parent->key : 0) != parent)
			sr_mark_stale();
		return;
	}
	links = sr_tree_count(av);
	kids = av->num_children - (parent ? 0 : 1);
	if (sav->root->key != (unsigned long)av->root ||
	    (sav->parent ? sav->parent->key : 0) != parent)
		sr_mismatch(w, "anon_vma %p: shadow parent/root differ", av);
	if (sav->depth != (sav->parent ? sav->parent->depth + 1 : 0))
		sr_mismatch(w, "anon_vma %p: depth %u is not its parent's + 1",
			    av, sav->depth);
	if (sav->nr_links != links)
		sr_mismatch(w, "anon_vma %p: %u links in the shadow, %lu in the kernel",
			    av, sav->nr_links, links);
	if (sav->nr_children != kids)
		sr_mismatch(w, "anon_vma %p: %u children in the shadow, %lu in the kernel",
			    av, sav->nr_children, kids);
	bad = ULONG_MAX;
	if (sr_tree_keys(av->rb_root.rb_root.rb_node, &bad) == ULONG_MAX &&
	    bad != ULONG_MAX)
		sr_mismatch(w, "anon_vma %p: keyed unlike the kernel's tree (subtree ends at %lx)",
			    av, bad);
}

static void sr_check_avc(struct sr_walk *w, struct anon_vma_chain *avc)
{
	struct sr_avc_snap s;
	struct sr_link *l;

	sr_avc_snapshot(avc, &s);
	s.cause = SR_CAUSE_RESYNC;
	l = sr_link_find(s.avc);
	/* Not made yet: the hook will bring it (and maybe its anon_vma). */
	if (!l && !sr_tree_has(avc->anon_vma))
		return;
	w->avcs++;
	if (l && sr_link_matches(l, &s)) {
		WRITE_ONCE(l->seen, w->epoch);
	} else if (w->repair) {
		if (!sr_model_link_add(&s)) {
			w->seeded++;
			sr_stat_inc(l ? SR_WALK_FIX : SR_SEED_LINKS);
			sr_cause_count(SR_CAUSE_RESYNC, SR_ADD);
		}
	} else if (!l) {
		sr_mismatch(w, "avc %p (anon_vma %p, vma %p [%lx-%lx] pgoff %lx) not in the shadow",
			    avc, avc->anon_vma, avc->vma, s.start, s.end,
			    s.pgoff);
	} else if (l->detached) {
		WRITE_ONCE(l->seen, w->epoch);
		sr_mismatch(w, "avc %p: out of its tree in the shadow only (a lost re-insert)",
			    avc);
	} else {
		WRITE_ONCE(l->seen, w->epoch);
		sr_mismatch(w, "avc %p: shadow vma [%lx-%lx] pgoff %lx, kernel [%lx-%lx] pgoff %lx",
			    avc, l->vma->start, l->vma->end, l->vma->pgoff,
			    s.start, s.end, s.pgoff);
	}
	sr_check_av(w, avc->anon_vma);
}

/* The whole forest of @root; caller holds root->rwsem for reading. */
static void sr_walk_forest(struct sr_walk *w, struct anon_vma *root)
{
	unsigned long vmas = 0, avs = w->avs;
	struct sr_av *sroot;
	struct rb_node *rb;

	for (rb = rb_first_cached(&root->rb_root); rb; rb = rb_next(rb)) {
		struct list_head *head, *first, *pos;
		struct anon_vma_chain *top;

		top = rb_entry(rb, struct anon_vma_chain, rb);
		vmas++;
		/*
		 * Tail first (oldest first up to 6.x; parent_of finds what
		 * is missing either way).  anon_vma_fork() may be adding a
		 * link at the front without our lock (sr_tree_has()): stop
		 * at the front seen first, never reading its ->prev.
		 */
		head = &top->vma->anon_vma_chain;
		first = READ_ONCE(head->next);
		rcu_read_lock();
		for (pos = READ_ONCE(head->prev); pos != head;
		     pos = pos == first ? head : READ_ONCE(pos->prev))
			sr_check_avc(w, list_entry(pos, struct anon_vma_chain,
						   same_vma));
		rcu_read_unlock();
		/* The rwsem may be held across a sleep; a forest may be huge. */
		cond_resched();
	}
	rcu_read_lock();
	sroot = sr_av_find((unsigned long)root);
	if (!w->repair && sroot && !sroot->dead &&
	    (sroot->nr_vmas != vmas || sroot->nr_avs + 1 != w->avs - avs))
		sr_mismatch(w, "forest %p: shadow has %u vmas and %u anon_vmas, kernel %lu and %lu",
			    root, sroot->nr_vmas, sroot->nr_avs + 1, vmas,
			    w->avs - avs);
	rcu_read_unlock();
}

/* One VMA against its shadow; caller holds the mm's mmap lock. */
static void sr_check_vma(struct sr_walk *w, struct vm_area_struct *vma,
			 struct anon_vma *av)
{
	struct anon_vma_chain *avc;
	unsigned long chain = 0, sav;
	unsigned int links;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		chain++;
	w->vmas++;
	if (w->repair) {
		/* A missed fork-time reuse: the kernel's word is final here. */
		if (sr_model_vma_set_anon((unsigned long)vma, (unsigned long)av))
			sr_stat_inc(SR_WALK_FIX);
	} else if (!sr_model_vma_read((unsigned long)vma, &links, &sav)) {
		sr_mismatch(w, "vma %p [%lx-%lx] missing from the shadow", vma,
			    vma->vm_start, vma->vm_end);
	} else if (links != chain || sav != (unsigned long)av) {
		sr_mismatch(w, "vma %p [%lx-%lx]: shadow chain %u anon_vma %p, kernel %lu %p",
			    vma, vma->vm_start, vma->vm_end, links, (void *)sav,
			    chain, av);
	}
}

static int sr_walk_mm(struct sr_walk *w, struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	bool any = false;
	int ret = 0;

	VMA_ITERATOR(vmi, mm, 0);

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for_each_vma(vmi, vma) {
		struct anon_vma *av = READ_ONCE(vma->anon_vma);
		struct anon_vma *root;
		u64 t0;

		if (!av)
			continue;
		any = true;
		root = av->root;
		ret = xa_insert(&w->roots, (unsigned long)root, xa_mk_value(0),
				GFP_KERNEL);
		if (ret && ret != -EBUSY)
			break;
		/* Most of the backlog first, so the forest is not held for it. */
		sr_log_drain();
		down_read(&root->rwsem);
		t0 = local_clock();
		/* Every event of this forest is in the log: apply them first. */
		sr_log_drain();
		if (!ret)
			sr_walk_forest(w, root);
		sr_check_vma(w, vma, av);
		sr_hold_note(SR_HOLD_FOREST_RWSEM, t0);
		up_read(&root->rwsem);
		ret = 0;
		cond_resched();
	}
	mmap_read_unlock(mm);
	if (any)
		w->mms++;
	return ret;
}

/*
 * Every thread, not only group leaders: a leader that has exited leaves
 * its mm to the other threads, and get_task_mm() of the zombie finds none.
 */
static struct task_struct **sr_collect_tasks(unsigned int *nr)
{
	unsigned int cap = 512, n, i;
	struct task_struct **v, *g, *p;
	bool full;

	for (;;) {
		v = kvmalloc_array(cap, sizeof(*v), GFP_KERNEL);
		if (!v)
			return NULL;
		n = 0;
		full = false;
		rcu_read_lock();
		for_each_process_thread(g, p) {
			if (!READ_ONCE(p->mm))
				continue;
			if (n == cap) {
				full = true;
				goto out;
			}
			get_task_struct(p);
			v[n++] = p;
		}
out:
		rcu_read_unlock();
		if (!full)
			break;
		for (i = 0; i < n; i++)
			put_task_struct(v[i]);
		kvfree(v);
		cap *= 4;
	}
	*nr = n;
	return v;
}

static int sr_walk_all(struct sr_walk *w)
{
	struct task_struct **tasks;
	unsigned int n, i;
	int ret = 0;

	tasks = sr_collect_tasks(&n);
	if (!tasks)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct mm_struct *mm = ret ? NULL : get_task_mm(tasks[i]);

		put_task_struct(tasks[i]);
		if (!mm)
			continue;
		/* CLONE_VM without CLONE_THREAD shares an mm between groups. */
		if (!xa_insert(&w->walked, (unsigned long)mm, xa_mk_value(0),
			       GFP_KERNEL))
			ret = sr_walk_mm(w, mm);
		mmput(mm);
		if (fatal_signal_pending(current))
			ret = -EINTR;
	}
	kvfree(tasks);
	return ret;
}

struct sr_suspects {
	u32 epoch;
	unsigned int n;
	unsigned long total;
	unsigned long key[SR_SUSPECT_MAX];
};

static int sr_find_suspect(void *obj, void *arg)
{
	struct sr_link *l = obj;
	struct sr_suspects *s = arg;

	if ((s32)(READ_ONCE(l->seen) - s->epoch) >= 0 ||
	    (s32)(l->born - s->epoch) >= 0)
		return 0;
	if (s->n < SR_SUSPECT_MAX)
		s->key[s->n++] = l->key;
	s->total++;
	return 0;
}

/*
 * Walk the mms of unseen links that no task led to during the walk but that
 * still have users: an exec's new mm is reachable from no task until
 * exec_mmap(), and a fork's child joins the task list after dup_mmap().
 * The shadow's own mmgrab() proves each mm_struct is still allocated, and
 * all its mms were alive throughout the walk, so none can share an address
 * with one walked already.
 */
static void sr_walk_late(struct sr_walk *w, struct sr_suspects *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		struct mm_struct *mm = sr_link_mm_grab(s->key[i]);

		if (!mm)
			continue;
		if (mmget_not_zero(mm)) {
			if (!xa_insert(&w->walked, (unsigned long)mm,
				       xa_mk_value(0), GFP_KERNEL)) {
				/* Mismatches print under its locks. */
				if (w->out)
					w->out->fixed = true;
				sr_walk_mm(w, mm);
				sr_stat_inc(SR_WALK_LATE_MMS);
				if (w->out)
					w->out->fixed = false;
			}
			mmput(mm);
		}
		mmdrop(mm);
	}
}

/*
 * Links the walk did not see.  Those of mms with users are walked late;
 * what is left belongs to a process between exit_mm() and the end of
 * exit_mmap(): its links go within moments, but a large mm's exit_mmap()
 * under emulation on a loaded host has taken seconds.  Only what stays
 * through about ten seconds of waits (only ever spent while such links
 * exist) is wrong; s->total is left holding how many that is.
 * Return: 0, or -EINTR for a fatal signal.
 */
static int sr_unseen_links(struct sr_walk *w, struct sr_suspects *s)
{
	int tries;

	for (tries = 0;; tries++) {
		sr_log_drain();
		s->epoch = w->epoch;
		s->n = 0;
		s->total = 0;
		sr_model_walk(SR_KIND_LINK, sr_find_suspect, s);
		if (!s->total || tries == 10)
			return 0;
		sr_walk_late(w, s);
		/* A reader being killed stops waiting, and has no answer. */
		if (msleep_interruptible(10 << tries) &&
		    fatal_signal_pending(current))
			return -EINTR;
	}
}

/**
 * sr_resync() - make the shadow match the live kernel
 *
 * Adds every kernel chain link the shadow lacks, corrects those it holds
 * wrongly, then drops the links no kernel walk could confirm.  Probes stay
 * registered throughout, so nothing that happens meanwhile is lost.
 *
 * Return: 0 or a negative errno.
 */
int sr_resync(void)
{
	struct sr_suspects *sus;
	struct sr_walk w = { .repair = true };
	int ret;

	sus = kzalloc(sizeof(*sus), GFP_KERNEL);
	if (!sus)
		return -ENOMEM;
	mutex_lock(&sr_walk_mutex);
	/* What happened before the resync must not mark it stale after. */
	sr_log_drain();
	sr_clear_stale();
	sr_capture_baseline();
	xa_init(&w.roots);
	xa_init(&w.walked);
	w.epoch = sr_epoch_advance();
	ret = sr_walk_all(&w);
	if (!ret)
		ret = sr_unseen_links(&w, sus);
	/* What stays unseen is a leak: drop it, but do not claim exactness. */
	if (!ret && sus->total) {
		sr_log_drain();
		sr_model_sweep(w.epoch);
		sr_mark_stale();
	}
	xa_destroy(&w.walked);
	xa_destroy(&w.roots);
	sr_stat_inc(SR_RESYNC);
	mutex_unlock(&sr_walk_mutex);
	/* The shadow mms the walk's corrections and the sweep let go. */
	sr_model_reap();
	kfree(sus);
	if (ret)
		sr_mark_stale();
	pr_debug("resync: %lu links added, %lu kernel links\n", w.seeded,
		 w.avcs);
	return ret;
}

/**
 * sr_verify() - compare the shadow with the live kernel
 * @out: receives the report; its last line is `verify: ok ...` or
 *       `verify: FAIL mismatches=N`
 *
 * Both directions: every kernel anon_vma, chain link and VMA must be in the
 * shadow with the same fields, and every shadow link must be one the kernel
 * holds.  Locks are held per forest and per mm, never across the machine.
 *
 * Return: 0 or a negative errno (the walk could not run).
 */
int sr_verify(struct sr_text *out)
{
	struct sr_suspects *sus;
	struct sr_walk w = { .out = out };
	struct sr_counts c;
	int ret;

	sus = kzalloc(sizeof(*sus), GFP_KERNEL);
	if (!sus || sr_text_reserve(out, SR_VERIFY_RESERVE)) {
		kfree(sus);
		return -ENOMEM;
	}
	mutex_lock(&sr_walk_mutex);
	xa_init(&w.roots);
	xa_init(&w.walked);
	/* Links born from the log after the epoch would escape the check. */
	sr_log_drain();
	w.epoch = sr_epoch_advance();
	/* Mismatches are printed under the walk's locks: no allocation. */
	out->fixed = true;
	ret = sr_walk_all(&w);
	out->fixed = false;
	if (!ret)
		ret = sr_unseen_links(&w, sus);
	if (!ret && sus->total)
		sr_mismatch(&w, "%lu shadow links have no kernel counterpart",
			    sus->total);
	xa_destroy(&w.walked);
	xa_destroy(&w.roots);
	mutex_unlock(&sr_walk_mutex);
	kfree(sus);
	if (ret)
		return ret;

	sr_capture_check();
	sr_model_counts(&c);
	if (out->truncated)
		sr_text_final(out, "truncated\n");
	sr_text_final(out, "kernel anon_vmas=%lu avcs=%lu vmas=%lu mms=%lu\n",
		      w.avs, w.avcs, w.vmas, w.mms);
	sr_text_final(out, "shadow anon_vmas=%ld avcs=%ld vmas=%ld mms=%ld\n",
		      c.avs, c.links, c.vmas, c.mms);
	sr_text_final(out, "stale %d\n", sr_is_stale());
	if (w.mismatches)
		sr_text_final(out, "verify: FAIL mismatches=%lu\n",
			      w.mismatches);
	else
		sr_text_final(out, "verify: ok anon_vmas=%lu avcs=%lu vmas=%lu mms=%lu\n",
			      w.avs, w.avcs, w.vmas, w.mms);
	return 0;
}
