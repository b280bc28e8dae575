/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Automatic repair: a resync after the log lost records.
 */
#ifndef SHADOW_RMAP_HEAL_H
#define SHADOW_RMAP_HEAL_H

void sr_heal_start(void);
void sr_heal_stop(void);
void sr_heal_request(void);

#endif
