// SPDX-License-Identifier: GPL-2.0
/*
 * rmapwalk_bench: the kernel's own reverse-map walk as a lookup floor for
 * `make bench`.  Writing `pfn N` to /sys/kernel/debug/rmapwalk_bench/lookup
 * runs rmap_walk() on that page's folio; per VMA the callback reads the page
 * table entry and formats one line (pid, comm, addr, pte state), the same
 * output work as shadow_rmap's lookup.  Reading the same file returns the
 * lines.  Not part of shadow_rmap: bench only.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <shadow_rmap/compat.h>

#define RWB_TEXT_MIN	(16 << 10)
#define RWB_TEXT_MAX	(8 << 20)

typedef void (*rwb_rmap_walk_t)(struct folio *folio,
				struct rmap_walk_control *rwc);
static rwb_rmap_walk_t rwb_rmap_walk;
static struct dentry *rwb_dir;

struct rwb_file {
	struct mutex lock;		/* serialises writes and reads */
	char *buf;
	size_t len, cap;
	bool truncated;
};

struct rwb_walk {
	struct rwb_file *f;
	unsigned long pfn, subpage;
	unsigned int vmas, present;
};

/* Grow by doubling and copying, as shadow_rmap's text buffer does. */
static bool rwb_grow(struct rwb_file *f, size_t need)
{
	size_t cap = max_t(size_t, f->cap ? f->cap : RWB_TEXT_MIN, need);
	char *nb;

	while (cap < need)
		cap *= 2;
	if (f->cap)
		cap = max(cap, f->cap * 2);
	if (cap > RWB_TEXT_MAX)
		return false;
	nb = kvmalloc(cap, GFP_KERNEL);
	if (!nb)
		return false;
	if (f->len)
		memcpy(nb, f->buf, f->len);
	kvfree(f->buf);
	f->buf = nb;
	f->cap = cap;
	return true;
}

static __printf(2, 3) void rwb_printf(struct rwb_file *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (f->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (f->len + n + 1 > f->cap && !rwb_grow(f, f->len + n + 1)) {
		f->truncated = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(f->buf + f->len, f->cap - f->len, fmt, ap);
	va_end(ap);
	f->len += n;
}

/* A lockless page-table read, as GUP-fast (and shadow_rmap's lookup) do. */
static const char *rwb_pte_state(struct mm_struct *mm, unsigned long addr,
				 unsigned long *pfn)
{
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t *ptep, pte;

	pgdp = pgd_offset(mm, addr);
	pgd = READ_ONCE(*pgdp);
	if (pgd_none(pgd) || pgd_bad(pgd))
		return "none";
	p4dp = p4d_offset_lockless(pgdp, pgd, addr);
	p4d = READ_ONCE(*p4dp);
	if (p4d_none(p4d) || p4d_bad(p4d))
		return "none";
	pudp = pud_offset_lockless(p4dp, p4d, addr);
	pud = READ_ONCE(*pudp);
	if (pud_none(pud) || !pud_present(pud) || pud_bad(pud))
		return "none";
	pmdp = pmd_offset_lockless(pudp, pud, addr);
	pmd = READ_ONCE(*pmdp);
	if (pmd_none(pmd))
		return "none";
	if (!pmd_present(pmd))
		return "other";
	if (pmd_leaf(pmd)) {
		*pfn = pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
		return "present";
	}
	if (pmd_bad(pmd))
		return "none";
	/* Interrupts are off: the table stays (see src/ptwalk.c). */
	ptep = pte_offset_kernel(&pmd, addr);
	pte = ptep_get_lockless(ptep);
	if (pte_none(pte))
		return "none";
	if (pte_present(pte)) {
		*pfn = pte_pfn(pte);
		return "present";
	}
	switch (sr_pte_leaf(pte, pfn)) {
	case SR_LEAF_MIGRATION:
		return "migration";
	case SR_LEAF_SWAP:
		return "swap";
	default:
		return "other";
	}
}

static bool rwb_one(struct folio *folio, struct vm_area_struct *vma,
		    unsigned long addr, void *arg)
{
	struct rwb_walk *w = arg;
	struct task_struct *t;
	char comm[TASK_COMM_LEN] = "?";
	unsigned long got = 0, flags;
	const char *st;
	pid_t tgid = 0;

	addr += w->subpage << PAGE_SHIFT;
	local_irq_save(flags);
	st = rwb_pte_state(vma->vm_mm, addr, &got);
	local_irq_restore(flags);
	if (!strcmp(st, "present") && got != w->pfn)
		st = "other";
	w->present += !strcmp(st, "present");
	w->vmas++;
	rcu_read_lock();
#ifdef CONFIG_MEMCG
	t = rcu_dereference(vma->vm_mm->owner);
#else
	t = NULL;
#endif
	if (t) {
		tgid = t->tgid;
		strscpy(comm, t->comm, sizeof(comm));
	}
	rcu_read_unlock();
	rwb_printf(w->f,
		   "vma pid=%d comm=%s start=0x%lx end=0x%lx pgoff=0x%lx addr=0x%lx anon_vma=%p pte=%s\n",
		   tgid, comm, vma->vm_start, vma->vm_end, vma->vm_pgoff, addr,
		   vma->anon_vma, st);
	return true;
}

static int rwb_lookup(struct rwb_file *f, unsigned long pfn)
{
	struct rwb_walk w = { .f = f, .pfn = pfn };
	struct rmap_walk_control rwc = {
		.rmap_one = rwb_one,
		.arg = &w,
	};
	struct folio *folio;
	struct page *page;

	page = pfn_valid(pfn) ? pfn_to_online_page(pfn) : NULL;
	if (!page) {
		rwb_printf(f, "page pfn=0x%lx kind=invalid\n", pfn);
		return 0;
	}
	folio = page_folio(page);
	if (!folio_try_get(folio)) {
		rwb_printf(f, "page pfn=0x%lx kind=free\n", pfn);
		return 0;
	}
	/* The folio may have been split or freed and reused meanwhile. */
	if (folio != page_folio(page) || !folio_mapped(folio)) {
		rwb_printf(f, "page pfn=0x%lx kind=busy\n", pfn);
		goto out;
	}
	rwb_printf(f, "page pfn=0x%lx kind=%s mapcount=%d\n", pfn,
		   folio_test_anon(folio) ? "anon" : "file",
		   sr_page_mapcount(folio, page));
	w.subpage = pfn - folio_pfn(folio);
	folio_lock(folio);
	rwb_rmap_walk(folio, &rwc);
	folio_unlock(folio);
	rwb_printf(f, "summary vmas=%u present=%u\n", w.vmas, w.present);
out:
	folio_put(folio);
	return 0;
}

static int rwb_open(struct inode *inode, struct file *file)
{
	struct rwb_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int rwb_release(struct inode *inode, struct file *file)
{
	struct rwb_file *f = file->private_data;

	kvfree(f->buf);
	kfree(f);
	return 0;
}

static ssize_t rwb_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	struct rwb_file *f = file->private_data;
	char line[64];
	unsigned long pfn;
	size_t n = min(count, sizeof(line) - 1);
	int ret;

	if (copy_from_user(line, ubuf, n))
		return -EFAULT;
	line[n] = '\0';
	if (sscanf(line, "pfn %li", &pfn) != 1)
		return -EINVAL;
	mutex_lock(&f->lock);
	f->len = 0;
	f->truncated = false;
	ret = rwb_lookup(f, pfn);
	*ppos = 0;
	mutex_unlock(&f->lock);
	return ret ? ret : count;
}

static ssize_t rwb_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	struct rwb_file *f = file->private_data;
	ssize_t ret;

	mutex_lock(&f->lock);
	ret = f->buf ? simple_read_from_buffer(ubuf, count, ppos, f->buf,
					       f->len) : 0;
	mutex_unlock(&f->lock);
	return ret;
}

static const struct file_operations rwb_fops = {
	.owner = THIS_MODULE,
	.open = rwb_open,
	.release = rwb_release,
	.read = rwb_read,
	.write = rwb_write,
	.llseek = noop_llseek,
};

static int __init rwb_init(void)
{
	struct kprobe kp = { .symbol_name = "rmap_walk" };
	int ret;

	/* rmap_walk is not exported: a kprobe tells its address. */
	ret = register_kprobe(&kp);
	if (ret)
		return ret;
	rwb_rmap_walk = (rwb_rmap_walk_t)kp.addr;
	unregister_kprobe(&kp);
	if (!rwb_rmap_walk)
		return -ENOENT;
	rwb_dir = debugfs_create_dir("rmapwalk_bench", NULL);
	debugfs_create_file("lookup", 0600, rwb_dir, NULL, &rwb_fops);
	return 0;
}

static void __exit rwb_exit(void)
{
	debugfs_remove_recursive(rwb_dir);
}

module_init(rwb_init);
module_exit(rwb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Bench only: rmap_walk() lookups through debugfs");
