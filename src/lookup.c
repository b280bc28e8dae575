// SPDX-License-Identifier: GPL-2.0
/*
 * Reverse lookups.  A page's anon_vma and index name the shadow anon_vma
 * and the point to stab its interval tree with: O(log n + k).  The hits are
 * copied out under the forest's lock (each pinning its mm with mmgrab()),
 * and the page tables are read after the lock is dropped, so the lock is
 * held for the tree walk only.
 */
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/sort.h>

#include <shadow_rmap/capture.h>
#include <shadow_rmap/compat.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/lookup.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/ptwalk.h>
#include <shadow_rmap/stats.h>
#include <shadow_rmap/trace.h>

#define SR_CHAIN_SHOWN	16

struct sr_hit {
	struct mm_struct *mm;
	unsigned long start, end, pgoff, addr, own_av;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
};

struct sr_hits {
	struct sr_hit *v;
	unsigned int n, cap;
	unsigned long root;
	bool found;
};

static void sr_hits_release(struct sr_hits *h)
{
	unsigned int i;

	for (i = 0; i < h->n; i++)
		mmdrop(h->v[i].mm);
	kvfree(h->v);
	h->v = NULL;
	h->n = 0;
}

/* Copy out the VMAs of shadow anon_vma @key that cover page @index. */
static unsigned int sr_stab(struct sr_hits *h, unsigned long key,
			    unsigned long index)
{
	unsigned int need = 0;
	struct sr_link *l;
	struct sr_av *av, *root;
	u64 t0;

	rcu_read_lock();
	av = sr_av_find(key);
	if (!av)
		goto out;
	root = av->root;
	spin_lock(&root->lock);
	t0 = local_clock();
	if (av->dead) {
		spin_unlock(&root->lock);
		goto out;
	}
	h->found = true;
	h->root = root->key;
	for (l = sr_link_iter_first(&av->tree, index, index); l;
	     l = sr_link_iter_next(l, index, index)) {
		struct sr_vma *v = l->vma;
		struct sr_hit *hit = &h->v[h->n];

		if (need++ >= h->cap)
			continue;
		hit->mm = v->mm->mm;
		mmgrab(hit->mm);
		hit->start = v->start;
		hit->end = v->end;
		hit->pgoff = v->pgoff;
		hit->addr = v->start + ((index - v->pgoff) << PAGE_SHIFT);
		hit->own_av = READ_ONCE(v->anon_vma);
		sr_mm_owner(v->mm, &hit->tgid, hit->comm);
		h->n++;
	}
	sr_hold_note(SR_HOLD_LOOKUP, t0);
	spin_unlock(&root->lock);
out:
	rcu_read_unlock();
	return need;
}

static int sr_collect(struct sr_hits *h, unsigned long key,
		      unsigned long index)
{
	unsigned int need, tries;

	h->cap = 16;
	for (tries = 0; tries < 4; tries++) {
		h->v = kvmalloc_array(h->cap, sizeof(*h->v), GFP_KERNEL);
		if (!h->v)
			return -ENOMEM;
		h->n = 0;
		h->found = false;
		need = sr_stab(h, key, index);
		if (need <= h->cap)
			return 0;
		/* The tree grew while we were not looking: size to fit. */
		sr_hits_release(h);
		h->cap = need + need / 4 + 16;
	}
	return -EAGAIN;
}

/* What the last answer found, for the lookup tracepoint. */
struct sr_found {
	unsigned int vmas, present;
};

/* One line per VMA that maps or could map page @index; then the summary. */
static int sr_print_hits(struct sr_text *out, unsigned long key,
			 unsigned long index, unsigned long pfn, bool have_pfn,
			 struct sr_found *found)
{
	struct sr_hits h = {};
	unsigned int i, present = 0;
	int ret = sr_collect(&h, key, index);

	if (ret)
		return ret;
	for (i = 0; i < h.n; i++) {
		struct sr_hit *hit = &h.v[i];
		unsigned long got;
		bool huge;
		enum sr_pte_state st = sr_pt_probe(hit->mm, hit->addr, &got,
						   &huge);

		if (st == SR_PTE_PRESENT && (!have_pfn || got != pfn))
			st = SR_PTE_OTHER;
		present += st == SR_PTE_PRESENT;
		sr_text_printf(out,
			       "vma pid=%d comm=%s start=0x%lx end=0x%lx pgoff=0x%lx addr=0x%lx anon_vma=%p pte=%s%s\n",
			       hit->tgid, hit->comm, hit->start, hit->end,
			       hit->pgoff, hit->addr, (void *)hit->own_av,
			       sr_pte_name(st), huge ? " huge=pmd" : "");
	}
	sr_text_final(out, "summary vmas=%u present=%u%s%s\n", h.n, present,
		      h.found ? "" : " shadow=missing",
		      sr_is_stale() ? " stale=1" : "");
	found->vmas = h.n;
	found->present = present;
	sr_hits_release(&h);
	return 0;
}

static const char *sr_page_kind(struct page *page, struct folio *folio)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);

	if ((mapping & SR_MAPPING_FLAGS) == SR_MAPPING_KSM)
		return "ksm";
	if (mapping & SR_MAPPING_ANON)
		return "anon";
	if (sr_page_movable_ops(page, mapping))
		return "movable";
	if (mapping && folio_test_swapbacked(folio))
		return "shmem";
	if (mapping)
		return "file";
	return "kernel";
}

static int sr_lookup_pfn(unsigned long pfn, struct sr_text *out,
			 struct sr_found *found)
{
	struct folio *folio;
	struct page *page;
	unsigned long key, index;
	const char *kind;
	int ret;

	if (!pfn_valid(pfn)) {
		sr_text_printf(out, "page pfn=0x%lx kind=invalid\n", pfn);
		return 0;
	}
	page = pfn_to_online_page(pfn);
	if (!page) {
		sr_text_printf(out, "page pfn=0x%lx kind=offline\n", pfn);
		return 0;
	}
	if (PageBuddy(page)) {
		sr_text_printf(out, "page pfn=0x%lx kind=free\n", pfn);
		return 0;
	}
	/*
	 * A hugetlb folio is a page type since v6.9, "mm: turn
	 * folio_test_hugetlb into a PageType": user memory, not the kernel's.
	 */
	if (!folio_test_hugetlb(page_folio(page)) &&
	    (PageSlab(page) || page_has_type(page))) {
		sr_text_printf(out, "page pfn=0x%lx kind=kernel\n", pfn);
		return 0;
	}
	folio = page_folio(page);
	if (!folio_try_get(folio)) {
		sr_text_printf(out, "page pfn=0x%lx kind=free\n", pfn);
		return 0;
	}
	if (unlikely(page_folio(page) != folio)) {
		/* Split or freed and reused between the two reads. */
		folio_put(folio);
		sr_text_printf(out, "page pfn=0x%lx kind=busy\n", pfn);
		return 0;
	}
	kind = sr_page_kind(page, folio);
	if (strcmp(kind, "anon")) {
		sr_text_printf(out, "page pfn=0x%lx kind=%s mapcount=%d\n", pfn,
			       kind, sr_page_mapcount(folio, page));
		folio_put(folio);
		return 0;
	}
	key = (unsigned long)READ_ONCE(folio->mapping) - SR_MAPPING_ANON;
	index = sr_folio_first_index(folio) + folio_page_idx(folio, page);
	sr_text_printf(out, "page pfn=0x%lx kind=anon anon_vma=%p index=0x%lx mapcount=%d",
		       pfn, (void *)key, index, sr_page_mapcount(folio, page));
	if (folio_test_large(folio))
		sr_text_printf(out, " thp=order%u subpage=%lu",
			       folio_order(folio), folio_page_idx(folio, page));
	sr_text_printf(out, "\n");
	folio_put(folio);
	ret = sr_print_hits(out, key, index, pfn, true, found);
	return ret;
}

static struct mm_struct *sr_pid_mm(int pid, struct sr_text *out)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *p = find_get_pid(pid);

	task = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
	put_pid(p);
	if (!task) {
		sr_text_printf(out, "error pid=%d: no such process\n", pid);
		return NULL;
	}
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		sr_text_printf(out, "error pid=%d: no user memory (kernel thread or exiting)\n",
			       pid);
	return mm;
}

static int sr_lookup_pid_addr(int pid, unsigned long addr,
			      struct sr_text *out, struct sr_found *found)
{
	struct vm_area_struct *vma;
	struct mm_struct *mm = sr_pid_mm(pid, out);
	unsigned long key = 0, index = 0, pfn;
	enum sr_pte_state st;
	bool huge;

	if (!mm)
		return 0;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	vma = vma_lookup(mm, addr);
	if (vma && vma_is_anonymous(vma) && !vma->anon_vma)
		vma = NULL;
	if (vma) {
		key = (unsigned long)READ_ONCE(vma->anon_vma);
		index = linear_page_index(vma, addr);
	}
	mmap_read_unlock(mm);
	st = sr_pt_probe(mm, addr & PAGE_MASK, &pfn, &huge);
	mmput(mm);
	if (st == SR_PTE_PRESENT)
		return sr_lookup_pfn(pfn, out, found);
	if (!key) {
		sr_text_printf(out, "page pid=%d addr=0x%lx kind=%s pte=%s\n",
			       pid, addr, vma ? "file" : "unmapped",
			       sr_pte_name(st));
		return 0;
	}
	/* Nothing here yet: these are the VMAs that could map it. */
	sr_text_printf(out, "page pid=%d addr=0x%lx kind=anon anon_vma=%p index=0x%lx pte=%s\n",
		       pid, addr, (void *)key, index, sr_pte_name(st));
	return sr_print_hits(out, key, index, 0, false, found);
}

struct sr_vma_row {
	unsigned long start, end, pgoff, own_av, root;
	unsigned int nr_links, depth, shown;
	unsigned long chain[SR_CHAIN_SHOWN];
};

static int sr_row_cmp(const void *a, const void *b)
{
	const struct sr_vma_row *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void sr_fill_row(struct sr_vma_row *r, struct sr_vma *v)
{
	struct sr_av *own;
	struct sr_link *l;

	r->start = v->start;
	r->end = v->end;
	r->pgoff = v->pgoff;
	r->own_av = READ_ONCE(v->anon_vma);
	r->root = v->root->key;
	r->nr_links = v->nr_links;
	r->shown = 0;
	own = sr_av_find(r->own_av);
	r->depth = own && own->root == v->root ? own->depth : 0;
	list_for_each_entry(l, &v->links, same_vma) {
		if (r->shown == SR_CHAIN_SHOWN)
			break;
		r->chain[r->shown++] = l->av->key;
	}
}

static unsigned int sr_pid_rows(struct mm_struct *mm, struct sr_vma_row *rows,
				unsigned int cap, pid_t *tgid, char *comm)
{
	unsigned int n = 0;
	struct sr_mm *smm;
	struct sr_vma *v;

	rcu_read_lock();
	smm = sr_mm_find((unsigned long)mm);
	if (!smm)
		goto out;
	sr_mm_owner(smm, tgid, comm);
	list_for_each_entry_rcu(v, &smm->vmas, mm_node) {
		struct sr_av *root = READ_ONCE(v->root);

		if (n == cap)
			break;
		spin_lock(&root->lock);
		if (!v->dead)
			sr_fill_row(&rows[n++], v);
		spin_unlock(&root->lock);
	}
out:
	rcu_read_unlock();
	return n;
}

static int sr_lookup_pid(int pid, struct sr_text *out, struct sr_found *found)
{
	struct mm_struct *mm = sr_pid_mm(pid, out);
	unsigned int n, i, j, cap, links = 0, longest = 0;
	char comm[TASK_COMM_LEN] = "";
	struct sr_vma_row *rows;
	pid_t tgid = pid;

	if (!mm)
		return 0;
	cap = READ_ONCE(mm->map_count) + 64;
	rows = kvmalloc_array(cap, sizeof(*rows), GFP_KERNEL);
	if (!rows) {
		mmput(mm);
		return -ENOMEM;
	}
	n = sr_pid_rows(mm, rows, cap, &tgid, comm);
	sort(rows, n, sizeof(*rows), sr_row_cmp, NULL);
	sr_text_printf(out, "process pid=%d tgid=%d comm=%s mm=%p vmas=%u\n",
		       pid, tgid, comm, mm, n);
	for (i = 0; i < n; i++) {
		struct sr_vma_row *r = &rows[i];

		links += r->nr_links;
		longest = max(longest, r->nr_links);
		sr_text_printf(out,
			       "vma start=0x%lx end=0x%lx pgoff=0x%lx anon_vma=%p root=%p depth=%u chain=%u avs=",
			       r->start, r->end, r->pgoff, (void *)r->own_av,
			       (void *)r->root, r->depth, r->nr_links);
		for (j = 0; j < r->shown; j++)
			sr_text_printf(out, "%s%p", j ? "," : "",
				       (void *)r->chain[j]);
		sr_text_printf(out, "%s\n", r->shown < r->nr_links ? ",..." : "");
	}
	sr_text_final(out, "summary vmas=%u links=%u max_chain=%u%s\n", n, links,
		      longest, sr_is_stale() ? " stale=1" : "");
	found->vmas = n;
	kvfree(rows);
	mmput(mm);
	return 0;
}

/**
 * sr_query_parse() - parse one lookup query
 * @line: `pfn N`, `pid P ADDR` or `pid P`, NUL-terminated, no newline
 * @q: filled in
 *
 * Numbers take a 0x prefix for hex.
 *
 * Return: 0 or -EINVAL.
 */
int sr_query_parse(const char *line, struct sr_query *q)
{
	char verb[8], a[24], b[24], extra[2];
	int n = sscanf(line, "%7s %23s %23s %1s", verb, a, b, extra);

	if (n == 2 && !strcmp(verb, "pfn")) {
		q->kind = SR_Q_PFN;
		return kstrtoul(a, 0, &q->pfn) ? -EINVAL : 0;
	}
	if ((n == 2 || n == 3) && !strcmp(verb, "pid")) {
		if (kstrtoint(a, 10, &q->pid) || q->pid <= 0)
			return -EINVAL;
		q->kind = n == 2 ? SR_Q_PID : SR_Q_PID_ADDR;
		if (n == 3 && kstrtoul(b, 0, &q->addr))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

/**
 * sr_lookup() - answer a query from the shadow
 * @q: a parsed query
 * @out: receives the answer
 *
 * Return: 0 or a negative errno.
 */
int sr_lookup(const struct sr_query *q, struct sr_text *out)
{
	static const char * const kinds[] = {
		[SR_Q_PFN] = "pfn", [SR_Q_PID_ADDR] = "pid_addr",
		[SR_Q_PID] = "pid",
	};
	struct sr_found found = {};
	u64 t0 = ktime_get_ns();
	int ret = -EINVAL;

	sr_log_drain();
	sr_capture_check();
	switch (q->kind) {
	case SR_Q_PFN:
		ret = sr_lookup_pfn(q->pfn, out, &found);
		break;
	case SR_Q_PID_ADDR:
		ret = sr_lookup_pid_addr(q->pid, q->addr, out, &found);
		break;
	case SR_Q_PID:
		ret = sr_lookup_pid(q->pid, out, &found);
		break;
	}
	trace_lookup(kinds[q->kind], found.vmas, found.present,
		     ktime_get_ns() - t0);
	return ret;
}
