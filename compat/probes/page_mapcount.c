// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_PAGE_MAPCOUNT: include/linux/mm.h has page_mapcount().  It left
 * mm.h for fs/proc/internal.h (folio_precise_page_mapcount()) in v6.12,
 * "fs/proc: move page_mapcount() to fs/proc/internal.h".
 */
#include <linux/mm.h>

int sr_probe(struct page *page);
int sr_probe(struct page *page)
{
	return page_mapcount(page);
}
