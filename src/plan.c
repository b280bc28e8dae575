// SPDX-License-Identifier: GPL-2.0
/*
 * The batch planner (see include/shadow_rmap/plan.h for the rules and why
 * they are exact, src/apply.c for how the plan is carried out).  Pure:
 * plan records in, the cancelled bitmap and the batch's length out.
 */
#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <shadow_rmap/plan.h>

#define SR_OPEN_BITS	(ilog2(SR_PLAN_MAX) + 1)
#define SR_OPEN_SLOTS	BIT(SR_OPEN_BITS)
#define SR_NONE		U32_MAX

/* A link whose creation this batch holds, and its later records. */
struct sr_open {
	unsigned long avc;
	u32 gen;		/* slot is empty unless it equals sr_plan.gen */
	u32 first, last;	/* batch offsets; first is SR_NONE once closed */
};

/* Open addressing at most half full: a batch has SR_PLAN_MAX records. */
static struct sr_open *sr_open_slot(struct sr_plan *p, unsigned long avc)
{
	u32 h = hash_long(avc, SR_OPEN_BITS);

	for (;; h = (h + 1) & (SR_OPEN_SLOTS - 1)) {
		struct sr_open *o = &p->open[h];

		if (o->gen != p->gen) {
			o->gen = p->gen;
			o->avc = avc;
			o->first = SR_NONE;
			return o;
		}
		if (o->avc == avc)
			return o;
	}
}

/* Group each link's records; mark the groups its unlink closes. */
static void sr_find_cancelled(struct sr_plan *p, const struct sr_plan_rec *r,
			      unsigned int n)
{
	unsigned int i, j;

	if (!++p->gen) {
		memset(p->open, 0, SR_OPEN_SLOTS * sizeof(*p->open));
		p->gen = 1;
	}
	for (i = 0; i < n; i++) {
		struct sr_open *o;

		p->next[i] = SR_NONE;
		p->span_end[i] = 0;
		if (r[i].op == SR_OP_SET_ANON || r[i].gone)
			continue;
		o = sr_open_slot(p, r[i].avc);
		switch (r[i].op) {
		case SR_OP_ADD:
			/* An open one before it lost its unlink: it applies. */
			if (o->first != SR_NONE)
				__clear_bit(o->first, p->heads);
			o->first = i;
			o->last = i;
			__set_bit(i, p->heads);
			break;
		case SR_OP_DETACH:
		case SR_OP_REATTACH:
			if (o->first != SR_NONE) {
				p->next[o->last] = i;
				o->last = i;
			}
			break;
		case SR_OP_DEL:
			if (o->first == SR_NONE)
				break;
			for (j = o->first; j != SR_NONE; j = p->next[j])
				__set_bit(j, p->cancelled);
			__set_bit(i, p->cancelled);
			/* An unlink is no member: its slot names the group. */
			p->next[i] = o->first;
			p->span_end[o->first] = i;
			__clear_bit(o->first, p->heads);
			o->first = SR_NONE;
			break;
		}
	}
}

/**
 * sr_plan_same_run() - whether two records are new links of one VMA
 * @a: a plan record
 * @b: a later one
 *
 * As the links one anon_vma_clone() makes under one hold of the forest's
 * lock are: nothing else of that forest comes between them.
 *
 * Return: true when both are ADDs of one VMA in one forest.
 */
bool sr_plan_same_run(const struct sr_plan_rec *a,
		      const struct sr_plan_rec *b)
{
	return a->op == SR_OP_ADD && b->op == SR_OP_ADD &&
	       a->vma == b->vma && a->av_root == b->av_root;
}

/*
 * Where a full batch should end: before the oldest link of its second half
 * still open (its unlink is likely in the next records, so the next batch
 * starts with it), and then at the latest point no cancelled group spans,
 * for a group the cut splits must be applied after all.
 */
static unsigned int sr_cut(struct sr_plan *p, const struct sr_plan_rec *r,
			   unsigned int n)
{
	unsigned int i, j, k, best, reach = 0;

	k = find_next_bit(p->heads, n, n / 2);
	/* Latest point in [n/2, k] that no group (first, unlink] covers. */
	for (i = 0, best = k; i <= k && i < n; i++) {
		if (i >= n / 2 && reach < i)
			best = i;
		reach = max(reach, p->span_end[i]);
	}
	if (k == n && reach < n)
		best = n;
	k = best;
	/* Not inside one VMA's run of new links. */
	while (k > 0 && k < n && sr_plan_same_run(&r[k - 1], &r[k]))
		k++;
	/* A group whose unlink the cut leaves out applies after all. */
	for (i = k; i < n; i++) {
		if (r[i].op != SR_OP_DEL || !test_bit(i, p->cancelled) ||
		    p->next[i] >= k)
			continue;
		for (j = p->next[i]; j != SR_NONE; j = p->next[j])
			__clear_bit(j, p->cancelled);
	}
	bitmap_clear(p->cancelled, k, n - k);
	return k;
}

/**
 * sr_plan_batch() - plan one batch of records
 * @p: the planner's scratch; on return p->cancelled marks, for each of
 *     the first (returned) records, whether it cancels out
 * @r: the batch's records, oldest first
 * @n: how many, at most SR_PLAN_MAX
 * @full: more records follow: the batch may end early where fewer links
 *        would be split from their unlink
 *
 * Return: how many records the batch applies: @n unless @full.
 */
unsigned int sr_plan_batch(struct sr_plan *p, const struct sr_plan_rec *r,
			   unsigned int n, bool full)
{
	unsigned int k = n;

	bitmap_zero(p->cancelled, SR_PLAN_MAX);
	bitmap_zero(p->heads, SR_PLAN_MAX);
	sr_find_cancelled(p, r, n);
	if (full)
		k = sr_cut(p, r, n);
	return k;
}

/**
 * sr_plan_init() - allocate the planner's scratch
 * @p: to fill in
 *
 * Return: 0 or -ENOMEM.
 */
int sr_plan_init(struct sr_plan *p)
{
	p->open = vzalloc(SR_OPEN_SLOTS * sizeof(*p->open));
	p->next = vmalloc(SR_PLAN_MAX * sizeof(*p->next));
	p->span_end = vmalloc(SR_PLAN_MAX * sizeof(*p->span_end));
	p->cancelled = bitmap_zalloc(SR_PLAN_MAX, GFP_KERNEL);
	p->heads = bitmap_zalloc(SR_PLAN_MAX, GFP_KERNEL);
	p->gen = 1;
	if (!p->open || !p->next || !p->span_end || !p->cancelled ||
	    !p->heads) {
		sr_plan_exit(p);
		return -ENOMEM;
	}
	return 0;
}

/**
 * sr_plan_bytes() - memory the planner's scratch takes
 *
 * Return: bytes.
 */
size_t sr_plan_bytes(void)
{
	return SR_OPEN_SLOTS * sizeof(struct sr_open) +
	       SR_PLAN_MAX * 2 * sizeof(u32) +
	       2 * BITS_TO_LONGS(SR_PLAN_MAX) * sizeof(long);
}

/**
 * sr_plan_exit() - free the planner's scratch
 * @p: from sr_plan_init(), or partly filled in by it
 */
void sr_plan_exit(struct sr_plan *p)
{
	vfree(p->open);
	vfree(p->next);
	vfree(p->span_end);
	bitmap_free(p->cancelled);
	bitmap_free(p->heads);
	memset(p, 0, sizeof(*p));
}
