/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event counters: per-CPU so that probe handlers never share a cache line.
 */
#ifndef SHADOW_RMAP_STATS_H
#define SHADOW_RMAP_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/timex.h>

enum sr_stat {
	SR_LINK_ADD,
	SR_LINK_DEL,
	SR_LINK_REKEY,
	SR_LINK_DUP,
	SR_DEL_UNKNOWN,
	SR_AV_NEW,
	SR_AV_FREE,
	SR_AV_ORPHAN,
	SR_VMA_NEW,
	SR_VMA_FREE,
	SR_VMA_ANON_FIX,
	SR_MM_NEW,
	SR_MM_FREE,
	SR_ALLOC_FAIL,
	SR_ALLOC_INJECTED,
	SR_CAP_HIT,
	SR_HASH_FAIL,
	SR_SEED_LINKS,
	SR_WALK_FIX,
	SR_SWEEP_LINKS,
	SR_WALK_LATE_MMS,
	SR_RESYNC,
	SR_LOG_RECORDS,
	SR_LOG_CANCELLED,
	SR_LOG_UNLINK_CANCELLED,
	SR_LOG_LOST,
	SR_LOG_DEBUG_DROPPED,
	SR_AUTO_RESYNC,
	SR_LINK_DETACH,
	SR_NR_STATS,
};

DECLARE_PER_CPU(unsigned long, sr_stats[SR_NR_STATS]);

static inline void sr_stat_inc(enum sr_stat s)
{
	this_cpu_inc(sr_stats[s]);
}

static inline void sr_stat_add(enum sr_stat s, unsigned long n)
{
	this_cpu_add(sr_stats[s], n);
}

unsigned long sr_stat_read(enum sr_stat s);
const char *sr_stat_name(enum sr_stat s);
int sr_stats_reset(void);

/*
 * The longest a lock was held by the module where that can hold up others:
 * a kernel forest rwsem for a verify or resync walk, a shadow forest lock
 * for a lookup's tree stab, the log lock for one applied batch.
 */
enum sr_hold {
	SR_HOLD_FOREST_RWSEM,
	SR_HOLD_LOOKUP,
	SR_HOLD_LOG_BATCH,
	SR_NR_HOLDS,
};

void sr_hold_note(enum sr_hold h, u64 t0);
void sr_hook_new_max(s64 d);
extern atomic64_t sr_hook_max;

/*
 * A probe handler that started at TSC @t0 ends.  hook_max_ns is what
 * loading the module can add to one kernel event; reading the TSC costs a
 * few instructions on the fork path where local_clock() cost dozens.
 */
static __always_inline void sr_hook_note(u64 t0)
{
	s64 d = get_cycles() - t0;

	if (unlikely(d > atomic64_read(&sr_hook_max)))
		sr_hook_new_max(d);
}

void sr_hold_show(struct seq_file *m);

/* The shadow is stale when it may disagree with the kernel. */
void sr_mark_stale(void);
bool sr_is_stale(void);
void sr_clear_stale(void);
unsigned long sr_last_resync_jiffies(void);

#endif
