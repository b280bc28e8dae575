// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_LEAFOPS: non-present page-table entries are read through
 * <linux/leafops.h> (softleaf_t).  v6.19, "mm: introduce leaf entry type
 * and use to simplify leaf entry logic", replaced the swapops.h helpers the
 * page-table read used (pte_to_swp_entry(), is_migration_entry(), ...).
 */
#include <linux/leafops.h>

bool sr_probe(pte_t pte);
bool sr_probe(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	return softleaf_is_migration(e) || softleaf_is_swap(e);
}
