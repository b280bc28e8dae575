// SPDX-License-Identifier: GPL-2.0
/*
 * A page-table read of any mm.  Interrupts off would only protect a walk of
 * the current mm (native x86 frees page tables after flush IPIs sent to the
 * mm's CPUs).  Page tables are freed without the mmap write lock:
 * - munmap, brk and mremap free them after downgrading to the read lock,
 *   on native x86 before 6.14 right after the flush IPIs, with no grace
 *   period; but only tables of a range whose VMAs are already detached, so
 *   the walk, holding the read lock, reads only where a VMA still is
 *   (vma_lookup()): the tables covering it stay;
 * - khugepaged's retract_page_tables() takes no mmap lock at all (v6.6,
 *   "mm/khugepaged: retract_page_tables() without mmap or vma lock"), and
 *   CONFIG_PT_RECLAIM frees empty PTE tables on MADV_DONTNEED (v6.14):
 *   both free the table after an RCU grace period (pte_free_defer(),
 *   tlb_remove_table()), so the PTE is read under rcu_read_lock() from a
 *   PMD value read once, as the kernel's own __pte_offset_map() does; that
 *   one is not exported (v6.5, "mm/pgtable: add rcu_read_lock() and
 *   rcu_read_unlock()s", made pte_offset_map() call it).
 * Entries are read once each; the answer is a snapshot, as any rmap answer
 * is.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>

#include <shadow_rmap/compat.h>
#include <shadow_rmap/ptwalk.h>

static enum sr_pte_state sr_pte_decode(pte_t pte, unsigned long *pfn)
{
	if (pte_none(pte))
		return SR_PTE_NONE;
	if (pte_present(pte)) {
		*pfn = pte_pfn(pte);
		return SR_PTE_PRESENT;
	}
	switch (sr_pte_leaf(pte, pfn)) {
	case SR_LEAF_MIGRATION:
		return SR_PTE_MIGRATION;
	case SR_LEAF_SWAP:
		return SR_PTE_SWAP;
	default:
		return SR_PTE_OTHER;
	}
}

static enum sr_pte_state sr_pt_walk(struct mm_struct *mm, unsigned long addr,
				    unsigned long *pfn, bool *huge)
{
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t *ptep, pte;

	pgdp = pgd_offset(mm, addr);
	pgd = READ_ONCE(*pgdp);
	if (pgd_none(pgd) || pgd_bad(pgd))
		return SR_PTE_NONE;
	p4dp = p4d_offset_lockless(pgdp, pgd, addr);
	p4d = READ_ONCE(*p4dp);
	if (p4d_none(p4d) || p4d_bad(p4d))
		return SR_PTE_NONE;
	pudp = pud_offset_lockless(p4dp, p4d, addr);
	pud = READ_ONCE(*pudp);
	if (pud_none(pud) || !pud_present(pud))
		return SR_PTE_NONE;
	if (pud_leaf(pud)) {
		*huge = true;
		*pfn = pud_pfn(pud) + ((addr & ~PUD_MASK) >> PAGE_SHIFT);
		return SR_PTE_PRESENT;
	}
	if (pud_bad(pud))
		return SR_PTE_NONE;
	pmdp = pmd_offset_lockless(pudp, pud, addr);
	pmd = READ_ONCE(*pmdp);
	if (pmd_none(pmd))
		return SR_PTE_NONE;
	if (!pmd_present(pmd)) {
		if (sr_pmd_is_migration(pmd)) {
			*huge = true;
			return SR_PTE_MIGRATION;
		}
		return SR_PTE_OTHER;
	}
	if (pmd_leaf(pmd)) {
		*huge = true;
		*pfn = pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
		return SR_PTE_PRESENT;
	}
	if (pmd_bad(pmd))
		return SR_PTE_NONE;
	ptep = pte_offset_kernel(&pmd, addr);
	pte = ptep_get_lockless(ptep);
	return sr_pte_decode(pte, pfn);
}

/**
 * sr_pt_probe() - read what @mm maps at @addr
 * @mm: an mm whose mm_count the caller holds; the caller holds no mmap lock
 * @addr: a user address
 * @pfn: set to the page frame for present and migration entries
 * @huge: set when the entry is a PMD or PUD leaf
 *
 * May sleep.  An mm being torn down maps nothing any more.
 *
 * Return: the state of the entry.
 */
enum sr_pte_state sr_pt_probe(struct mm_struct *mm, unsigned long addr,
			      unsigned long *pfn, bool *huge)
{
	enum sr_pte_state s = SR_PTE_NONE;

	*pfn = 0;
	*huge = false;
	if (!mmget_not_zero(mm))
		return s;
	if (!mmap_read_lock_killable(mm)) {
		/* No VMA there: its tables may be going, and map nothing. */
		if (vma_lookup(mm, addr)) {
			/* From the PMD read on: a table it names stays. */
			rcu_read_lock();
			s = sr_pt_walk(mm, addr, pfn, huge);
			rcu_read_unlock();
		}
		mmap_read_unlock(mm);
	}
	mmput(mm);
	return s;
}

/**
 * sr_pte_name() - the word lookups print for a state
 * @s: the state
 *
 * Return: a static string.
 */
const char *sr_pte_name(enum sr_pte_state s)
{
	static const char * const names[] = {
		[SR_PTE_NONE] = "none",
		[SR_PTE_PRESENT] = "present",
		[SR_PTE_SWAP] = "swap",
		[SR_PTE_MIGRATION] = "migration",
		[SR_PTE_OTHER] = "other",
	};

	return names[s];
}
