// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_HUGETLB_BASEPAGE_INDEX: a hugetlb folio's ->index counts huge pages
 * (pagemap.h converts with hugetlb_basepage_index()).  Since v6.7, "mm/
 * filemap: remove hugetlb special casing in filemap.c", ->index counts base
 * pages for hugetlb as for every other folio, and the helper is gone.
 */
#include <linux/pagemap.h>

pgoff_t sr_probe(struct page *page);
pgoff_t sr_probe(struct page *page)
{
	return hugetlb_basepage_index(page);
}
