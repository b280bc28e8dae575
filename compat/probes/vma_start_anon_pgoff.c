// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_VMA_START_ANON_PGOFF: a VMA has an anonymous page offset of its
 * own, apart from vm_pgoff.  On 7.3 (the VMA page-offset rework on the way
 * to "scalable CoW") anonymous folios of MAP_PRIVATE file mappings are
 * indexed by virtual page offset and the anon_vma interval tree is keyed
 * on vma_start_anon_pgoff(); vm_pgoff stays the file offset.
 */
#include <linux/mm.h>

pgoff_t sr_probe(const struct vm_area_struct *vma);
pgoff_t sr_probe(const struct vm_area_struct *vma)
{
	return vma_start_anon_pgoff(vma);
}
