/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rmap_walk tracepoint's probe: on the kernel's rmap_walk_anon() while
 * somebody listens to tracepoint:shadow_rmap:rmap_walk, nowhere otherwise.
 */
#ifndef SHADOW_RMAP_WALK_H
#define SHADOW_RMAP_WALK_H

#include <linux/seq_file.h>

void sr_walk_ready(void);
void sr_walk_exit(void);
void sr_walk_show(struct seq_file *m);

#endif
