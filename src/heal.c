// SPDX-License-Identifier: GPL-2.0
/*
 * Automatic repair.  A handler that finds the log full loses its record
 * rather than slow the kernel down (log.c); the shadow is then stale, and
 * only a resync, which walks the kernel's forests under their locks, makes
 * it exact again.  The handler cannot run one, so it only queues this
 * work; the work waits a moment first, so that a burst of losses costs one
 * resync, and at most one runs per SR_HEAL_DELAY.  Losses during the
 * resync queue the next one: under sustained overload the shadow stays
 * stale, and heals once the load lets the log keep up.  A resync that had
 * to sweep leftovers (or found a parent it cannot re-hang) ends stale
 * without any loss: it is run again, a few times, until one ends clean.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/workqueue.h>

#include <shadow_rmap/heal.h>
#include <shadow_rmap/kwalk.h>
#include <shadow_rmap/stats.h>

#define SR_HEAL_DELAY	HZ
/* Resyncs that end stale with no new loss before it is left to the user. */
#define SR_HEAL_RETRIES	3

static unsigned long sr_heal_armed;
#define SR_HEAL_QUEUED	0
#define SR_HEAL_ON	1	/* between sr_heal_start() and sr_heal_stop() */

static unsigned int sr_heal_retries;

static void sr_heal_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(sr_heal_work, sr_heal_fn);

static void sr_heal_fn(struct work_struct *work)
{
	int ret;

	clear_bit(SR_HEAL_QUEUED, &sr_heal_armed);
	/* A loss after this point queues another run. */
	smp_mb__after_atomic();
	ret = sr_resync();
	sr_stat_inc(SR_AUTO_RESYNC);
	if (ret)
		pr_warn_ratelimited("automatic resync failed: %d\n", ret);
	if (!sr_is_stale() || test_bit(SR_HEAL_QUEUED, &sr_heal_armed)) {
		sr_heal_retries = 0;
		return;
	}
	if (sr_heal_retries++ < SR_HEAL_RETRIES)
		sr_heal_request();
}

/**
 * sr_heal_request() - a record was lost: resync soon
 *
 * From the handler that lost it: atomic context, so it only queues work.
 */
void sr_heal_request(void)
{
	if (!test_bit(SR_HEAL_ON, &sr_heal_armed) ||
	    test_and_set_bit(SR_HEAL_QUEUED, &sr_heal_armed))
		return;
	/* system_long_wq: a resync of a big machine takes a while. */
	queue_delayed_work(system_long_wq, &sr_heal_work, SR_HEAL_DELAY);
}

/**
 * sr_heal_start() - lost records trigger a resync from now on
 *
 * After the load's own resync: the shadow exists to be repaired.
 */
void sr_heal_start(void)
{
	set_bit(SR_HEAL_ON, &sr_heal_armed);
}

/**
 * sr_heal_stop() - no more automatic resyncs; waits for a running one
 *
 * After capture has stopped (no handler can queue the work again), before
 * the model goes.
 */
void sr_heal_stop(void)
{
	clear_bit(SR_HEAL_ON, &sr_heal_armed);
	cancel_delayed_work_sync(&sr_heal_work);
}
