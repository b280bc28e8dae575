/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the supported kernels (6.1 to 7.x), in
 * one place.  Each branch tests a feature, not a version: the HAVE_* macros
 * come from compile probes (compat/probes/NAME.c, run by
 * scripts/compat-probe from the top Makefile), the rest from the kernel's
 * own macros.  Each names the upstream commit that made it necessary.
 */
#ifndef SHADOW_RMAP_COMPAT_H
#define SHADOW_RMAP_COMPAT_H

#include <sr_probes.h>

#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/pagemap.h>
#include <linux/swap.h>
#ifdef HAVE_LEAFOPS
#include <linux/leafops.h>
#else
#include <linux/swapops.h>
#endif

/*
 * TP_fast_assign()'s string copy.  v6.10, "tracing: Remove second parameter
 * to __assign_str()": the source is the one __string() named.
 */
#ifdef HAVE_ASSIGN_STR_2ARGS
#define sr_assign_str(dst, src)	__assign_str(dst, src)
#else
#define sr_assign_str(dst, src)	__assign_str(dst)
#endif

/*
 * The per-CPU system workqueue the module's work runs on.  "workqueue: Add
 * system_percpu_wq and system_dfl_wq" (v6.17, and in 6.12.y) added the new
 * name beside system_wq; 7.x warns about work queued on the old one.
 */
#ifdef HAVE_SYSTEM_PERCPU_WQ
#define sr_wq	system_percpu_wq
#else
#define sr_wq	system_wq
#endif

/*
 * folio->mapping's low bits.  v6.17, "mm: rename PAGE_MAPPING_* to
 * FOLIO_MAPPING_*", renamed them; by then the movable bit was gone, and
 * page_has_movable_ops() tells non-LRU movable pages instead.
 */
#ifdef FOLIO_MAPPING_ANON
#define SR_MAPPING_ANON		FOLIO_MAPPING_ANON
#define SR_MAPPING_KSM		FOLIO_MAPPING_KSM
#define SR_MAPPING_FLAGS	FOLIO_MAPPING_FLAGS
#else
#define SR_MAPPING_ANON		PAGE_MAPPING_ANON
#define SR_MAPPING_KSM		PAGE_MAPPING_KSM
#define SR_MAPPING_FLAGS	PAGE_MAPPING_FLAGS
#endif

static inline bool sr_page_movable_ops(const struct page *page,
				       unsigned long mapping)
{
#ifdef PAGE_MAPPING_MOVABLE
	return mapping & PAGE_MAPPING_MOVABLE;
#else
	return page_has_movable_ops(page);
#endif
}

/*
 * How many page tables map this page.  v6.12, "fs/proc: move
 * page_mapcount() to fs/proc/internal.h", took page_mapcount() away from
 * modules; this is what it became there (folio_precise_page_mapcount()):
 * the page's own PTE mappings plus the folio's PMD mappings.
 */
static inline int sr_page_mapcount(struct folio *folio, struct page *page)
{
#ifdef HAVE_PAGE_MAPCOUNT
	return page_mapcount(page);
#else
	int mapcount;

	if (IS_ENABLED(CONFIG_NO_PAGE_MAPCOUNT))
		return folio_mapcount(folio);
	mapcount = atomic_read(&page->_mapcount) + 1;
	if (page_mapcount_is_type(mapcount))
		mapcount = 0;
	if (folio_test_large(folio))
		mapcount += folio_entire_mapcount(folio);
	return mapcount;
#endif
}

/*
 * The first page's index of a folio in its anon_vma's space.  Before
 * v6.7, "mm/filemap: remove hugetlb special casing in filemap.c", a
 * hugetlb folio's ->index counted huge pages.
 */
static inline pgoff_t sr_folio_first_index(struct folio *folio)
{
#ifdef HAVE_HUGETLB_BASEPAGE_INDEX
	if (folio_test_hugetlb(folio))
		return folio->index << folio_order(folio);
#endif
	return folio->index;
}

/*
 * The page offset the anon_vma interval tree keys a VMA on, and that its
 * anonymous folios' ->index counts in.  7.3 keeps it apart from vm_pgoff
 * (vma_start_anon_pgoff()): for a MAP_PRIVATE file mapping vm_pgoff is the
 * file offset, the anonymous offset virtual.  Before, both were vm_pgoff.
 */
static inline pgoff_t sr_vma_anon_pgoff(const struct vm_area_struct *vma)
{
#ifdef HAVE_VMA_START_ANON_PGOFF
	return vma_start_anon_pgoff(vma);
#else
	return vma->vm_pgoff;
#endif
}

/*
 * What a non-present PTE holds.  v6.19, "mm: introduce leaf entry type and
 * use to simplify leaf entry logic", replaced the swapops.h helpers with
 * softleaf_t.
 */
enum sr_leaf { SR_LEAF_SWAP, SR_LEAF_MIGRATION, SR_LEAF_OTHER };

static inline enum sr_leaf sr_pte_leaf(pte_t pte, unsigned long *pfn)
{
#ifdef HAVE_LEAFOPS
	softleaf_t e = softleaf_from_pte(pte);

	if (softleaf_is_migration(e)) {
		*pfn = softleaf_to_pfn(e);
		return SR_LEAF_MIGRATION;
	}
	return softleaf_is_swap(e) ? SR_LEAF_SWAP : SR_LEAF_OTHER;
#else
	swp_entry_t e = pte_to_swp_entry(pte);

	if (is_migration_entry(e)) {
		*pfn = swp_offset_pfn(e);
		return SR_LEAF_MIGRATION;
	}
	return non_swap_entry(e) ? SR_LEAF_OTHER : SR_LEAF_SWAP;
#endif
}

static inline bool sr_pmd_is_migration(pmd_t pmd)
{
#ifdef HAVE_LEAFOPS
	return pmd_is_migration_entry(pmd);
#else
	return is_pmd_migration_entry(pmd);
#endif
}

#endif
