/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capture: the hooks that tell the model what the kernel changed.
 */
#ifndef SHADOW_RMAP_CAPTURE_H
#define SHADOW_RMAP_CAPTURE_H

#include <linux/seq_file.h>

int sr_capture_start(void);
void sr_capture_stop(void);
unsigned long sr_capture_missed(void);
void sr_capture_show(struct seq_file *m);
void sr_capture_baseline(void);
void sr_capture_check(void);
unsigned long sr_kernel_av_parent(unsigned long av);
bool sr_capture_is_bare(void);

#endif
