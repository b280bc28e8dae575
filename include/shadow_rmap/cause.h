/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why a chain link came or went.
 */
#ifndef SHADOW_RMAP_CAUSE_H
#define SHADOW_RMAP_CAUSE_H

#include <linux/percpu.h>
#include <linux/seq_file.h>

struct mm_struct;

enum sr_cause {
	SR_CAUSE_FORK,
	SR_CAUSE_MMAP,		/* mmap and brk, merging into a neighbour */
	SR_CAUSE_MREMAP,
	SR_CAUSE_SPLIT_MERGE,	/* mprotect, madvise, mlock and kin */
	SR_CAUSE_MUNMAP,
	SR_CAUSE_EXIT,		/* the mm's teardown: exit, and exec's old mm */
	SR_CAUSE_EXEC,		/* exec moving its new stack */
	SR_CAUSE_FAULT,		/* a VMA's first anonymous fault */
	SR_CAUSE_STACK,		/* stack growth */
	SR_CAUSE_RESYNC,
	SR_CAUSE_OTHER,
	SR_NR_CAUSES,
};

enum sr_dir { SR_ADD, SR_DEL };

int sr_cause_init(void);
enum sr_cause sr_classify(unsigned long caller, struct mm_struct *mm,
			  unsigned long vm_flags, enum sr_dir dir, bool *plain);
void sr_cause_show_callers(struct seq_file *m);
DECLARE_PER_CPU(unsigned long, sr_cause_stats[SR_NR_CAUSES][2]);

/* Count one link event by its cause and direction. */
static inline void sr_cause_count(enum sr_cause c, enum sr_dir dir)
{
	this_cpu_inc(sr_cause_stats[c][dir]);
}

const char *sr_cause_name(enum sr_cause c);
void sr_cause_show(struct seq_file *m);
void sr_cause_reset(void);

#endif
