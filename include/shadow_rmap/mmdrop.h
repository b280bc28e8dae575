/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm references dropped where a final mmdrop() must not run (src/mmdrop.c).
 */
#ifndef SHADOW_RMAP_MMDROP_H
#define SHADOW_RMAP_MMDROP_H

struct mm_struct;

void sr_mmdrop(struct mm_struct *mm);
void sr_mmdrop_exit(void);

#endif
