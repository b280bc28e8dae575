/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a page table holds at one address, read without the mmap lock.
 */
#ifndef SHADOW_RMAP_PTWALK_H
#define SHADOW_RMAP_PTWALK_H

struct mm_struct;

enum sr_pte_state {
	SR_PTE_NONE,
	SR_PTE_PRESENT,
	SR_PTE_SWAP,
	SR_PTE_MIGRATION,
	SR_PTE_OTHER,		/* a non-swap entry: device, hwpoison, marker */
};

enum sr_pte_state sr_pt_probe(struct mm_struct *mm, unsigned long addr,
			      unsigned long *pfn, bool *huge);
const char *sr_pte_name(enum sr_pte_state s);

#endif
