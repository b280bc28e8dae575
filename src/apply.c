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
 * never ends inside such a run (sr_cut()); the model never walks the
 * kernel for them.
 */
#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <shadow_rmap/cause.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/stats.h>

#define SR_OPEN_BITS	(ilog2(SR_LOG_BATCH) + 1)
#define SR_OPEN_SLOTS	BIT(SR_OPEN_BITS)
#define SR_NONE		U32_MAX

/* A link whose creation this batch holds, and its later records. */
struct sr_open {
	unsigned long avc;
	u32 gen;		/* slot is empty unless it equals sr_gen */
	u32 first, last;	/* batch offsets; first is SR_NONE once closed */
};

static struct sr_open *sr_open_tab;
static u32 *sr_next;
static unsigned long *sr_cancelled;
static unsigned long *sr_done;	/* applied ahead of their turn */
static unsigned long *sr_heads;	/* links still open, by their first record */
static u32 *sr_span_end;	/* a cancelled group's unlink, at its first */
static u32 sr_gen;
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

/* Open addressing at most half full: a batch has SR_LOG_BATCH records. */
static struct sr_open *sr_open_slot(unsigned long avc)
{
	u32 h = hash_long(avc, SR_OPEN_BITS);

	for (;; h = (h + 1) & (SR_OPEN_SLOTS - 1)) {
		struct sr_open *o = &sr_open_tab[h];

		if (o->gen != sr_gen) {
			o->gen = sr_gen;
			o->avc = avc;
			o->first = SR_NONE;
			return o;
		}
		if (o->avc == avc)
			return o;
	}
}

static void sr_find_cancelled(struct sr_rec *ring, u64 mask, u64 first,
			      unsigned int n)
{
	unsigned int i, j;

	if (!++sr_gen) {
		memset(sr_open_tab, 0, SR_OPEN_SLOTS * sizeof(*sr_open_tab));
		sr_gen = 1;
	}
	for (i = 0; i < n; i++) {
		struct sr_rec *r = &ring[(first + i) & mask];
		struct sr_open *o;

		sr_next[i] = SR_NONE;
		sr_span_end[i] = 0;
		/* Unclaimed: an unlink may cancel it until sr_claim(). */
		if (r->op == SR_OP_SET_ANON ||
		    READ_ONCE(r->state) == SR_REC_STATE(r->idx, SR_OP_GONE))
			continue;
		o = sr_open_slot(r->s.avc);
		switch (r->op) {
		case SR_OP_ADD:
			/* An open one before it lost its unlink: it applies. */
			if (o->first != SR_NONE)
				__clear_bit(o->first, sr_heads);
			o->first = i;
			o->last = i;
			__set_bit(i, sr_heads);
			break;
		case SR_OP_DETACH:
		case SR_OP_REATTACH:
			if (o->first != SR_NONE) {
				sr_next[o->last] = i;
				o->last = i;
			}
			break;
		case SR_OP_DEL:
			if (o->first == SR_NONE)
				break;
			for (j = o->first; j != SR_NONE; j = sr_next[j])
				__set_bit(j, sr_cancelled);
			__set_bit(i, sr_cancelled);
			/* An unlink is no member: its slot names the group. */
			sr_next[i] = o->first;
			sr_span_end[o->first] = i;
			__clear_bit(o->first, sr_heads);
			o->first = SR_NONE;
			break;
		}
	}
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
		sr_model_vma_set_anon(r->s.vma, r->s.vma_anon_vma);
		return;
	}
	if (ok)
		sr_count_cause(r);
}

/* Ancestors one ADD may pull ahead: deeper ones are left to a resync. */
#define SR_PULL_MAX	64

/*
 * Whether records @a and @b are new links of one VMA in one forest, as the
 * links one anon_vma_clone() makes under one hold of the forest's lock
 * are: nothing else of that forest comes between them.
 */
static bool sr_same_run(const struct sr_rec *a, const struct sr_rec *b)
{
	return a->op == SR_OP_ADD && b->op == SR_OP_ADD &&
	       a->s.vma == b->s.vma && a->s.av_root == b->s.av_root;
}

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
			if (!sr_same_run(a, r)) {
				j = n;
				break;
			}
			if (a->s.av == s->av_parent && !test_bit(j, sr_done) &&
			    !(cancel && test_bit(j, sr_cancelled)))
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
		if (old == SR_REC_STATE(r->idx, SR_OP_GONE))
			r->op = SR_OP_GONE;
	}
}

/*
 * Where a full batch should end: before the oldest link of its second half
 * still open (its unlink is likely in the next records, so the next batch
 * starts with it), and then at the latest point no cancelled group spans,
 * for a group the cut splits must be applied after all.
 */
static unsigned int sr_cut(struct sr_rec *ring, u64 mask, u64 first,
			   unsigned int n)
{
	unsigned int i, j, k, best, reach = 0;

	k = find_next_bit(sr_heads, n, n / 2);
	bitmap_clear(sr_heads, 0, n);
	/* Latest point in [n/2, k] that no group (first, unlink] covers. */
	for (i = 0, best = k; i <= k && i < n; i++) {
		if (i >= n / 2 && reach < i)
			best = i;
		reach = max(reach, sr_span_end[i]);
	}
	if (k == n && reach < n)
		best = n;
	k = best;
	/* Not inside one VMA's run of new links (sr_apply_ancestors()). */
	while (k > 0 && k < n && sr_same_run(&ring[(first + k - 1) & mask],
					     &ring[(first + k) & mask]))
		k++;
	for (i = k; i < n; i++) {
		struct sr_rec *r = &ring[(first + i) & mask];

		if (r->op != SR_OP_DEL || !test_bit(i, sr_cancelled) ||
		    sr_next[i] >= k)
			continue;
		for (j = sr_next[i]; j != SR_NONE; j = sr_next[j])
			__clear_bit(j, sr_cancelled);
	}
	bitmap_clear(sr_cancelled, k, n - k);
	return k;
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

	/* The model's lookups are RCU lookups: the log lock is no read side. */
	rcu_read_lock();
	if (cancel) {
		sr_find_cancelled(ring, mask, first, n);
		if (full)
			n = sr_cut(ring, mask, first, n);
		else
			bitmap_clear(sr_heads, 0, n);
	}
	/* Only what applies now: the rest may still meet its unlink. */
	sr_claim(ring, mask, first, n);
	for (i = 0; i < n; i++) {
		struct sr_rec *r = &ring[(first + i) & mask];

		if (__test_and_clear_bit(i, sr_done))
			continue;
		if (cancel && __test_and_clear_bit(i, sr_cancelled)) {
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
	sr_open_tab = vzalloc(SR_OPEN_SLOTS * sizeof(*sr_open_tab));
	sr_next = vmalloc(SR_LOG_BATCH * sizeof(*sr_next));
	sr_cancelled = bitmap_zalloc(SR_LOG_BATCH, GFP_KERNEL);
	sr_heads = bitmap_zalloc(SR_LOG_BATCH, GFP_KERNEL);
	sr_done = bitmap_zalloc(SR_LOG_BATCH, GFP_KERNEL);
	sr_span_end = vmalloc(SR_LOG_BATCH * sizeof(*sr_span_end));
	sr_drops = vmalloc(SR_LOG_BATCH * sizeof(*sr_drops));
	if (!sr_open_tab || !sr_next || !sr_cancelled || !sr_heads ||
	    !sr_done || !sr_span_end || !sr_drops) {
		sr_apply_exit();
		return -ENOMEM;
	}
	sr_gen = 1;
	return 0;
}

/**
 * sr_apply_bytes() - memory the batch tables take
 *
 * Return: bytes.
 */
size_t sr_apply_bytes(void)
{
	return SR_OPEN_SLOTS * sizeof(*sr_open_tab) +
	       SR_LOG_BATCH * (sizeof(*sr_next) + sizeof(*sr_span_end) +
			       sizeof(*sr_drops)) +
	       3 * BITS_TO_LONGS(SR_LOG_BATCH) * sizeof(long);
}

/**
 * sr_apply_exit() - free the batch tables
 */
void sr_apply_exit(void)
{
	vfree(sr_open_tab);
	vfree(sr_next);
	bitmap_free(sr_cancelled);
	bitmap_free(sr_heads);
	bitmap_free(sr_done);
	vfree(sr_span_end);
	vfree(sr_drops);
	sr_drops = NULL;
	sr_heads = NULL;
	sr_done = NULL;
	sr_span_end = NULL;
	sr_open_tab = NULL;
	sr_next = NULL;
	sr_cancelled = NULL;
}
