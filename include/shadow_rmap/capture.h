/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capture: delivers the hooks (hooks.h) from the kernel, through an
 * ftrace_ops where the functions are ftrace-able, or through kprobes.
 */
#ifndef SHADOW_RMAP_CAPTURE_H
#define SHADOW_RMAP_CAPTURE_H

#include <linux/seq_file.h>

struct sr_backend {
	const char *name;
	int (*start)(bool bare);
	void (*stop)(void);
	unsigned long (*missed)(void);
	void (*show)(struct seq_file *m);
};

extern const struct sr_backend sr_backend_ftrace;
extern const struct sr_backend sr_backend_kprobe;

int sr_capture_start(void);
void sr_capture_stop(void);
unsigned long sr_capture_missed(void);
void sr_capture_show(struct seq_file *m);
void sr_capture_baseline(void);
void sr_capture_check(void);
bool sr_capture_is_bare(void);
void sr_capture_note_missing(void);

#endif
