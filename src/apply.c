// SPDX-License-Identifier: GPL-2.0
/*
 * Applying a batch of log records to the model, in order.
 *
 * A chain link created and unlinked within one batch, with any detach and
 * re-attach in between, cancels out: it never reaches the model and only
 * its counters move.  That is most links on fork-heavy work, whose
 * children exit within milliseconds.  Cancelling is exact because no other
 * record can depend on such a link: every anon_vma a surviving link names
 * is linked by that link's own VMA, root first (anon_vma_clone() copies a
 * chain oldest first, anon_vma_fork() links the child's own anon_vma
 * last), so each surviving record still finds the parent it names.
 * The same holds for an ADD its unlink cancelled before any batch claimed
 * it (sr_log_cancel_add()): the applier finds it GONE and only counts it.
 *
 * Since v7.0's anon_vma rework, anon_vma_clone() builds the new VMA's
 * chain with list_add() and inserts it in reverse, so its links come in
 * the reverse of the source's list order (which alternates with each
 * generation), not root first: a surviving link can name an anon_vma,
 * and its parent, that only a later link of the same VMA introduces, once
 * the links that made them earlier were cancelled (the fork child that
 * made them exited, its mremap source went).  An ADD that would be an
 * orphan first applies the later ADDs of the same VMA's run that bring its
 * missing ancestors, oldest first (sr_apply_ancestors()), and a full batch
 * never ends inside such a run (src/plan.c); the model never walks the
 * kernel for them.
 */
#include <linux/bitmap.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <shadow_rmap/cause.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/plan.h>
#include <shadow_rmap/stats.h>

static struct sr_plan sr_plan;
/* The batch's records as the planner sees them. */
static struct sr_plan_rec *sr_plan_recs;
static unsigned long *sr_done;	/* applied ahead of their turn */
/*
 * The records' mm references, dropped once the batch is applied: never
 * under a shadow spinlock, nor in RCU read side (a final mmdrop() frees
 * page tables and takes x86's pgd_lock).
 */
static struct mm_struct **sr_drops;
static unsigned int sr_nr_drops;

/* At most one per record, and a batch has at most SR_LOG_BATCH records. */
static void sr_drop_later(struct mm_struct *mm)
{
	sr_drops[sr_nr_drops++] = mm;
}

static void sr_count_cause(const struct sr_rec *r)
{
	bool add = r->op == SR_OP_ADD || r->op == SR_OP_REATTACH;

	sr_cause_count(r->s.cause, add ? SR_ADD : SR_DEL);
}

static void sr_apply_cancelled(struct sr_rec *r)
{
	sr_stat_inc(SR_LOG_CANCELLED);
	if (r->op == SR_OP_ADD || r->op == SR_OP_REATTACH) {
		sr_stat_inc(SR_LINK_ADD);
		sr_drop_later(r->s.mm);
	} else {
		sr_stat_inc(SR_LINK_DEL);
		if (r->op == SR_OP_DETACH)
			sr_stat_inc(SR_LINK_DETACH);
	}
	sr_count_cause(r);
}

static void sr_apply_one(struct sr_rec *r)
{
	bool ok = false;

	switch (r->op) {
	case SR_OP_GONE:
		/* Its unlink counted itself and logged nothing. */
		sr_stat_inc(SR_LOG_CANCELLED);
		sr_stat_inc(SR_LINK_ADD);
		sr_cause_count(r->s.cause, SR_ADD);
		sr_drop_later(r->s.mm);
		return;
	case SR_OP_ADD:
		ok = !sr_model_link_add(&r->s);
		/* The model took its own reference if it needed one. */
		sr_drop_later(r->s.mm);
		break;
	case SR_OP_REATTACH:
		/* Never a new link: its ancestors are not in the record. */
		ok = sr_model_link_reattach(&r->s, r->seeded);
		sr_drop_later(r->s.mm);
		break;
	case SR_OP_DEL:
		ok = sr_model_link_del(&r->s, r->seeded);
		break;
	case SR_OP_DETACH:
		ok = sr_model_link_detach(&r->s, r->seeded);
		break;
	case SR_OP_SET_ANON:
		if (sr_model_vma_set_anon(r->s.vma, r->s.vma_anon_vma))
			sr_stat_inc(SR_VMA_ANON_FIX);
		return;
	}
	if (ok)
		sr_count_cause(r);
}

/* Ancestors one ADD may pull ahead: deeper ones are left to a resync. */
#define SR_PULL_MAX	64

/*
 * Before ADD @i: while its anon_vma would have no parent in the shadow, find
 * the later ADD of the same VMA's run that links the missing parent, and
 * that one's missing parent, and so on; apply them oldest first.  The scan
 * skips other forests' records and ends at the first other record of this
 * one.  Anything not found is left to sr_child_get(), which counts an
 * orphan and marks the shadow stale.
 */
static void sr_apply_ancestors(struct sr_rec *ring, u64 mask, u64 first,
			       unsigned int i, unsigned int n, bool cancel)
{
	const struct sr_rec *r = &ring[(first + i) & mask];
	unsigned int pull[SR_PULL_MAX], np = 0, j;
	const struct sr_avc_snap *s = &r->s;

	while (np < SR_PULL_MAX && !sr_model_av_placeable(s)) {
		for (j = i + 1; j < n; j++) {
			struct sr_rec *a = &ring[(first + j) & mask];

			/* Other forests' records (every op names its root). */
			if (a->op == SR_OP_SET_ANON ||
			    a->s.av_root != r->s.av_root)
				continue;
			if (!sr_plan_same_run(&sr_plan_recs[j],
					      &sr_plan_recs[i])) {
				j = n;
				break;
			}
			if (a->s.av == s->av_parent && !test_bit(j, sr_done) &&
			    !(cancel && test_bit(j, sr_plan.cancelled)))
				break;
		}
		if (j >= n)
			break;
		pull[np++] = j;
		s = &ring[(first + j) & mask].s;
	}
	while (np--) {
		j = pull[np];
		sr_apply_one(&ring[(first + j) & mask]);
		__set_bit(j, sr_done);
	}
}

/*
 * Take the ADDs about to apply from their unlinks' reach
 * (sr_log_cancel_add()); one an unlink cancelled first becomes GONE.  The
 * pre-pass may have grouped it as an open ADD: harmless, an open ADD only
 * moves the cut.  One in a cancelled group cannot go: its unlink is logged.
 */
static void sr_claim(struct sr_rec *ring, u64 mask, u64 first, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct sr_rec *r = &ring[(first + i) & mask];
		u64 add = SR_REC_STATE(r->idx, SR_OP_ADD), old;

		if (r->op != SR_OP_ADD)
			continue;
		old = cmpxchg(&r->state, add,
			      SR_REC_STATE(r->idx, SR_REC_CLAIMED));
		if (old == SR_REC_STATE(r->idx, SR_OP_GONE)) {
			r->op = SR_OP_GONE;
			/* No longer one of its VMA's run of new links. */
			sr_plan_recs[i].op = SR_OP_GONE;
		}
	}
}

/**
 * sr_apply_batch() - apply @n records of the log, oldest first
 * @ring: the log's ring
 * @mask: ring size - 1
 * @first: index of the first record
 * @n: at most SR_LOG_BATCH
 * @cancel: whether links that come and go within the batch may cancel
 * @full: more records follow: the batch may end early where fewer links
 *        would be split from their unlink
 *
 * Caller holds the log's mutex; process context.  The records' mm
 * references are dropped at the end, with no shadow lock held.
 *
 * Return: how many records were applied (at least half of @n).
 */
unsigned int sr_apply_batch(struct sr_rec *ring, u64 mask, u64 first,
			    unsigned int n, bool cancel, bool full)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct sr_rec *r = &ring[(first + i) & mask];
		struct sr_plan_rec *pr = &sr_plan_recs[i];

		pr->avc = r->s.avc;
		pr->vma = r->s.vma;
		pr->av_root = r->s.av_root;
		pr->op = r->op;
		/* Unclaimed: an unlink may cancel it until sr_claim(). */
		pr->gone = READ_ONCE(r->state) == SR_REC_STATE(r->idx, SR_OP_GONE);
	}
	if (cancel)
		n = sr_plan_batch(&sr_plan, sr_plan_recs, n, full);
	/* The model's lookups are RCU lookups: the log lock is no read side. */
	rcu_read_lock();
	/* Only what applies now: the rest may still meet its unlink. */
	sr_claim(ring, mask, first, n);
	for (i = 0; i < n; i++) {
		struct sr_rec *r = &ring[(first + i) & mask];

		if (__test_and_clear_bit(i, sr_done))
			continue;
		if (cancel && test_bit(i, sr_plan.cancelled)) {
			sr_apply_cancelled(r);
			continue;
		}
		if (r->op == SR_OP_ADD)
			sr_apply_ancestors(ring, mask, first, i, n, cancel);
		sr_apply_one(r);
	}
	rcu_read_unlock();
	for (i = 0; i < sr_nr_drops; i++)
		mmdrop(sr_drops[i]);
	sr_nr_drops = 0;
	sr_model_reap();
	sr_stat_add(SR_LOG_RECORDS, n);
	return n;
}

/**
 * sr_apply_init() - allocate the batch tables
 *
 * Return: 0 or -ENOMEM.
 */
int sr_apply_init(void)
{
	int ret = sr_plan_init(&sr_plan);

	if (ret)
		return ret;
	sr_plan_recs = vmalloc(SR_LOG_BATCH * sizeof(*sr_plan_recs));
	sr_done = bitmap_zalloc(SR_LOG_BATCH, GFP_KERNEL);
	sr_drops = vmalloc(SR_LOG_BATCH * sizeof(*sr_drops));
	if (!sr_plan_recs || !sr_done || !sr_drops) {
		sr_apply_exit();
		return -ENOMEM;
	}
	return 0;
}

/**
 * sr_apply_bytes() - memory the batch tables take
 *
 * Return: bytes.
 */
size_t sr_apply_bytes(void)
{
	return sr_plan_bytes() +
	       SR_LOG_BATCH * (sizeof(*sr_plan_recs) + sizeof(*sr_drops)) +
	       BITS_TO_LONGS(SR_LOG_BATCH) * sizeof(long);
}

/**
 * sr_apply_exit() - free the batch tables
 */
void sr_apply_exit(void)
{
	sr_plan_exit(&sr_plan);
	vfree(sr_plan_recs);
	bitmap_free(sr_done);
	vfree(sr_drops);
	sr_plan_recs = NULL;
	sr_done = NULL;
	sr_drops = NULL;
}
