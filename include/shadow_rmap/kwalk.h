/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walks of the live kernel's anon_vma forests, under the kernel's locks:
 * seeding and resync (make the shadow match) and verify (compare only).
 */
#ifndef SHADOW_RMAP_KWALK_H
#define SHADOW_RMAP_KWALK_H

#include <shadow_rmap/text.h>

int sr_resync(void);
int sr_verify(struct sr_text *out);

#endif
