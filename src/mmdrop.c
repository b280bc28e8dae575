// SPDX-License-Identifier: GPL-2.0
/*
 * Dropping mm references from where the log is applied.  That may be a
 * probe handler, which can run under mm->page_table_lock (a first
 * anonymous fault, stack growth): a final mmdrop() there would take x86's
 * pgd_lock inside it, the reverse of sync_global_pgds()' order.  So a drop
 * that would be the last one is handed to process context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/llist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <shadow_rmap/compat.h>
#include <shadow_rmap/mmdrop.h>
#include <shadow_rmap/stats.h>

#define SR_MMDROP_MAX	4096

struct sr_mmdrop_node {
	struct llist_node node;
	struct mm_struct *mm;
};

static struct mm_struct *sr_mmdrop_v[SR_MMDROP_MAX];
static unsigned int sr_mmdrop_n;
static DEFINE_SPINLOCK(sr_mmdrop_lock);
/* Past the array, one small node each; rarely used. */
static LLIST_HEAD(sr_mmdrop_more);

static void sr_mmdrop_fn(struct work_struct *work);
static DECLARE_WORK(sr_mmdrop_work, sr_mmdrop_fn);

/**
 * sr_mmdrop() - drop an mm reference from any context the module runs in
 * @mm: an mm the caller holds an mmgrab() on
 */
void sr_mmdrop(struct mm_struct *mm)
{
	struct sr_mmdrop_node *n;
	bool queued = false;

	if (atomic_add_unless(&mm->mm_count, -1, 1))
		return;
	spin_lock(&sr_mmdrop_lock);
	if (sr_mmdrop_n < SR_MMDROP_MAX) {
		sr_mmdrop_v[sr_mmdrop_n++] = mm;
		queued = true;
	}
	spin_unlock(&sr_mmdrop_lock);
	if (!queued) {
		n = kmalloc(sizeof(*n), GFP_NOWAIT | __GFP_NOWARN);
		if (!n) {
			/* Last resort: the old, rarely deadlocking way. */
			sr_stat_inc(SR_MMDROP_INLINE);
			mmdrop(mm);
			return;
		}
		n->mm = mm;
		llist_add(&n->node, &sr_mmdrop_more);
	}
	queue_work(sr_wq, &sr_mmdrop_work);
}

static void sr_mmdrop_flush(void)
{
	struct sr_mmdrop_node *n, *t;
	struct llist_node *list;
	struct mm_struct *mm;

	for (;;) {
		spin_lock(&sr_mmdrop_lock);
		mm = sr_mmdrop_n ? sr_mmdrop_v[--sr_mmdrop_n] : NULL;
		spin_unlock(&sr_mmdrop_lock);
		if (!mm)
			break;
		mmdrop(mm);
		cond_resched();
	}
	list = llist_del_all(&sr_mmdrop_more);
	llist_for_each_entry_safe(n, t, list, node) {
		mmdrop(n->mm);
		kfree(n);
	}
}

static void sr_mmdrop_fn(struct work_struct *work)
{
	sr_mmdrop_flush();
}

/**
 * sr_mmdrop_exit() - drop every reference still handed over
 *
 * After the last sr_mmdrop() caller is gone (capture stopped, log and
 * model freed).
 */
void sr_mmdrop_exit(void)
{
	cancel_work_sync(&sr_mmdrop_work);
	sr_mmdrop_flush();
}
