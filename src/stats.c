// SPDX-License-Identifier: GPL-2.0
/*
 * Event counters and the stale flag.
 */
#include <linux/math64.h>
#include <linux/jiffies.h>
#include <linux/sched/clock.h>

#include <asm/tsc.h>

#include <shadow_rmap/cause.h>
#include <shadow_rmap/stats.h>

DEFINE_PER_CPU(unsigned long, sr_stats[SR_NR_STATS]);

static const char * const sr_stat_names[SR_NR_STATS] = {
	[SR_LINK_ADD] = "link_add",
	[SR_LINK_DEL] = "link_del",
	[SR_LINK_REKEY] = "link_rekey",
	[SR_LINK_DUP] = "link_dup",
	[SR_DEL_UNKNOWN] = "del_unknown",
	[SR_AV_NEW] = "anon_vma_new",
	[SR_AV_FREE] = "anon_vma_free",
	[SR_AV_ORPHAN] = "anon_vma_orphan",
	[SR_VMA_NEW] = "vma_new",
	[SR_VMA_FREE] = "vma_free",
	[SR_VMA_ANON_FIX] = "vma_anon_reuse",
	[SR_MM_NEW] = "mm_new",
	[SR_MM_FREE] = "mm_free",
	[SR_ALLOC_FAIL] = "alloc_fail",
	[SR_ALLOC_INJECTED] = "alloc_fail_injected",
	[SR_CAP_HIT] = "memory_cap_hits",
	[SR_HASH_FAIL] = "hash_fail",
	[SR_SEED_LINKS] = "seed_links",
	[SR_WALK_FIX] = "walk_fixed_links",
	[SR_SWEEP_LINKS] = "sweep_links",
	[SR_WALK_LATE_MMS] = "walk_late_mms",
	[SR_RESYNC] = "resync",
	[SR_LOG_RECORDS] = "log_records",
	[SR_LOG_CANCELLED] = "log_cancelled",
	[SR_LOG_UNLINK_CANCELLED] = "log_unlogged_unlinks",
	[SR_LOG_LOST] = "log_lost",
	[SR_LOG_DEBUG_DROPPED] = "log_dropped_debug",
	[SR_AUTO_RESYNC] = "auto_resync",
	[SR_LINK_DETACH] = "link_detach",
};

static atomic64_t sr_hold_max[SR_NR_HOLDS];
/* In TSC cycles; read-mostly: only a new maximum writes it. */
atomic64_t sr_hook_max;

static const char * const sr_hold_names[SR_NR_HOLDS] = {
	[SR_HOLD_FOREST_RWSEM] = "forest_rwsem",
	[SR_HOLD_LOOKUP] = "lookup_forest_lock",
	[SR_HOLD_LOG_BATCH] = "log_batch",
};

static atomic_t sr_stale = ATOMIC_INIT(0);
static unsigned long sr_resync_jiffies;

/**
 * sr_stat_read() - sum a counter over all CPUs
 * @s: the counter
 *
 * Return: its value.
 */
unsigned long sr_stat_read(enum sr_stat s)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(sr_stats[s], cpu);
	return sum;
}

/**
 * sr_stat_name() - the name a counter is printed under
 * @s: the counter
 *
 * Return: a static string.
 */
const char *sr_stat_name(enum sr_stat s)
{
	return sr_stat_names[s];
}

/**
 * sr_mark_stale() - say the shadow may disagree with the kernel
 *
 * Safe from any context; cleared only by a resync.
 */
void sr_mark_stale(void)
{
	atomic_set(&sr_stale, 1);
}

/**
 * sr_is_stale() - whether the shadow may disagree with the kernel
 *
 * Return: true when an event was lost since the last resync.
 */
bool sr_is_stale(void)
{
	return atomic_read(&sr_stale);
}

/**
 * sr_clear_stale() - a resync is starting; later losses mark stale again
 */
void sr_clear_stale(void)
{
	atomic_set(&sr_stale, 0);
	WRITE_ONCE(sr_resync_jiffies, jiffies);
}

/**
 * sr_last_resync_jiffies() - when the shadow was last rebuilt
 *
 * Return: jiffies at the start of the last seed or resync.
 */
unsigned long sr_last_resync_jiffies(void)
{
	return READ_ONCE(sr_resync_jiffies);
}

/**
 * sr_hold_note() - a lock held since @t0 is being released
 * @h: which
 * @t0: local_clock() when it was taken
 */
void sr_hold_note(enum sr_hold h, u64 t0)
{
	s64 d = local_clock() - t0;
	s64 old = atomic64_read(&sr_hold_max[h]);

	while (d > old && !atomic64_try_cmpxchg(&sr_hold_max[h], &old, d))
		;
}

/**
 * sr_hook_new_max() - a handler ran longer than any before
 * @d: its TSC cycles
 */
void sr_hook_new_max(s64 d)
{
	s64 old = atomic64_read(&sr_hook_max);

	while (d > old && !atomic64_try_cmpxchg(&sr_hook_max, &old, d))
		;
}

/**
 * sr_hold_show() - print `hold_max_ns.NAME N` for each lock site, then
 * `hook_max_ns N`
 * @m: the seq_file
 */
void sr_hold_show(struct seq_file *m)
{
	u64 c = atomic64_read(&sr_hook_max);
	int h;

	for (h = 0; h < SR_NR_HOLDS; h++)
		seq_printf(m, "hold_max_ns.%s %lld\n", sr_hold_names[h],
			   atomic64_read(&sr_hold_max[h]));
	/* Cycles to ns at read time: the handlers only read the TSC. */
	seq_printf(m, "hook_max_ns %llu\n",
		   tsc_khz ? mul_u64_u32_div(c, USEC_PER_SEC, tsc_khz) : c);
}

/**
 * sr_stats_reset() - zero every event counter
 *
 * Counters are only ever added to, so a reset racing with a handler loses at
 * most that handler's increment.
 *
 * Return: 0.
 */
int sr_stats_reset(void)
{
	int cpu, s;

	for_each_possible_cpu(cpu)
		for (s = 0; s < SR_NR_STATS; s++)
			per_cpu(sr_stats[s], cpu) = 0;
	for (s = 0; s < SR_NR_HOLDS; s++)
		atomic64_set(&sr_hold_max[s], 0);
	atomic64_set(&sr_hook_max, 0);
	sr_cause_reset();
	return 0;
}
