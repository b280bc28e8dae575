// SPDX-License-Identifier: GPL-2.0
/*
 * The census: histograms and top lists from one pass over the shadow's
 * VMAs and anon_vmas.  Counts are read without the forests' locks (each
 * is a word, and a census is a snapshot anyway); only what is printed about
 * a place is read under the RCU protection that keeps shadow objects.
 */
#include <linux/log2.h>
#include <linux/string.h>

#include <shadow_rmap/capture.h>
#include <shadow_rmap/census.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/model.h>

static unsigned int sr_bucket(unsigned long v)
{
	return v ? min_t(unsigned int, ilog2(v) + 1, SR_HIST_BUCKETS - 1) : 0;
}

static bool sr_hist_add(struct sr_hist *h, unsigned long v)
{
	bool first = !h->count;

	h->count++;
	h->sum += v;
	h->bucket[sr_bucket(v)]++;
	if (!first && v <= h->max)
		return false;
	h->max = v;
	return true;
}

static void sr_place_vma(struct sr_place *p, struct sr_vma *v)
{
	memset(p, 0, sizeof(*p));
	sr_mm_owner(v->mm, &p->tgid, p->comm);
	p->start = READ_ONCE(v->start);
	p->end = READ_ONCE(v->end);
	p->av = READ_ONCE(v->anon_vma);
	p->root = v->root->key;
	p->chain = READ_ONCE(v->nr_links);
}

static void sr_place_av(struct sr_place *p, struct sr_av *av)
{
	struct rb_node *first = READ_ONCE(av->tree.rb_leftmost);

	memset(p, 0, sizeof(*p));
	if (first)
		sr_place_vma(p, rb_entry(first, struct sr_link, rb)->vma);
	p->av = av->key;
	p->root = av->root->key;
	p->depth = av->depth;
	p->children = READ_ONCE(av->nr_children);
	p->vmas = READ_ONCE(av->nr_links);
}

/* Larger value first; equal values by tgid, then address: stable. */
static bool sr_before(const struct sr_place *a, unsigned long va,
		      const struct sr_place *b, unsigned long vb)
{
	if (va != vb)
		return va > vb;
	if (a->tgid != b->tgid)
		return a->tgid < b->tgid;
	if (a->start != b->start)
		return a->start < b->start;
	return a->av < b->av;
}

static void sr_top_insert(struct sr_place *top, unsigned int *n,
			  const struct sr_place *p, bool by_chain)
{
	unsigned long vp = by_chain ? p->chain : p->vmas;
	unsigned int i = *n;

	if (i == SR_TOP_N) {
		const struct sr_place *last = &top[SR_TOP_N - 1];

		if (!sr_before(p, vp, last, by_chain ? last->chain : last->vmas))
			return;
		i--;
	} else {
		(*n)++;
	}
	while (i > 0 && sr_before(p, vp, &top[i - 1],
				  by_chain ? top[i - 1].chain : top[i - 1].vmas)) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = *p;
}

/* A place is resolved only when it may enter a list, to keep the pass cheap. */
static bool sr_top_wants(const struct sr_place *top, unsigned int n,
			 unsigned long v, bool by_chain)
{
	return n < SR_TOP_N ||
	       v >= (by_chain ? top[SR_TOP_N - 1].chain : top[SR_TOP_N - 1].vmas);
}

static int sr_census_vma(void *obj, void *arg)
{
	struct sr_vma *v = obj;
	struct sr_census *c = arg;
	unsigned int links = READ_ONCE(v->nr_links);
	struct sr_place p;
	bool max;

	if (READ_ONCE(v->dead) || !links)
		return 0;
	max = sr_hist_add(&c->h[SR_H_CHAIN], links);
	if (!max && !sr_top_wants(c->top_vma, c->nr_top_vma, links, true))
		return 0;
	sr_place_vma(&p, v);
	if (max)
		c->h[SR_H_CHAIN].at = p;
	sr_top_insert(c->top_vma, &c->nr_top_vma, &p, true);
	return 0;
}

static void sr_census_max(struct sr_census *c, enum sr_hist_kind k,
			  unsigned long v, struct sr_av *av)
{
	if (sr_hist_add(&c->h[k], v))
		sr_place_av(&c->h[k].at, av);
}

static int sr_census_av(void *obj, void *arg)
{
	struct sr_av *av = obj;
	struct sr_census *c = arg;
	unsigned int width = READ_ONCE(av->nr_links);
	struct sr_place p;

	if (READ_ONCE(av->dead))
		return 0;
	sr_census_max(c, SR_H_WIDTH, width, av);
	sr_census_max(c, SR_H_DEPTH, av->depth, av);
	sr_census_max(c, SR_H_CHILDREN, READ_ONCE(av->nr_children), av);
	if (av->root == av) {
		sr_census_max(c, SR_H_TREE_AVS, READ_ONCE(av->nr_avs) + 1, av);
		sr_census_max(c, SR_H_TREE_VMAS, READ_ONCE(av->nr_vmas), av);
	}
	if (sr_top_wants(c->top_av, c->nr_top_av, width, false)) {
		sr_place_av(&p, av);
		sr_top_insert(c->top_av, &c->nr_top_av, &p, false);
	}
	return 0;
}

/**
 * sr_census_take() - compute every histogram and top list
 * @c: zeroed by the caller; filled in
 *
 * One pass over the VMAs and one over the anon_vmas, sleeping between
 * objects: no lock is held for more than one object.
 *
 * Return: 0.
 */
int sr_census_take(struct sr_census *c)
{
	sr_log_drain();
	sr_capture_check();
	sr_model_walk(SR_KIND_VMA, sr_census_vma, c);
	sr_model_walk(SR_KIND_AV, sr_census_av, c);
	return 0;
}

/**
 * sr_hist_show() - print a histogram the way bpftrace's hist() does
 * @m: the seq_file
 * @title: what is counted
 * @h: the histogram
 */
void sr_hist_show(struct seq_file *m, const char *title,
		  const struct sr_hist *h)
{
	unsigned long peak = 0, mean100;
	int i, lo = SR_HIST_BUCKETS, hi = -1;
	char bar[53];

	mean100 = h->count ? h->sum * 100 / h->count : 0;
	seq_printf(m, "@%s: count %lu, mean %lu.%02lu, max %lu", title, h->count,
		   mean100 / 100, mean100 % 100, h->max);
	if (h->count)
		seq_printf(m, " at pid=%d comm=%s vma=0x%lx-0x%lx anon_vma=%p",
			   h->at.tgid, h->at.comm, h->at.start, h->at.end,
			   (void *)h->at.av);
	seq_puts(m, "\n");
	for (i = 0; i < SR_HIST_BUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		lo = min(lo, i);
		hi = i;
		peak = max(peak, h->bucket[i]);
	}
	for (i = lo; i <= hi; i++) {
		unsigned int w = peak ? h->bucket[i] * 52 / peak : 0;
		char range[48];

		if (i == 0)
			snprintf(range, sizeof(range), "[0]");
		else if (i == 1)
			snprintf(range, sizeof(range), "[1]");
		else
			snprintf(range, sizeof(range), "[%lu, %lu)", 1UL << (i - 1),
				 1UL << i);
		memset(bar, '@', w);
		memset(bar + w, ' ', 52 - w);
		bar[52] = '\0';
		seq_printf(m, "%-20s %8lu |%s|\n", range, h->bucket[i], bar);
	}
	seq_puts(m, "\n");
}
