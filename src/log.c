// SPDX-License-Identifier: GPL-2.0
/*
 * The event log: a ring of fixed-size records behind one global index (see
 * include/shadow_rmap/log.h for why one index is enough for exactness).
 * Producers are probe handlers: preemption off, no sleeping, no locks; a
 * full ring loses the record rather than wait (counted, shadow stale, a
 * resync queued).  The one consumer at a time is whoever holds
 * sr_log.mutex, in process context (the worker, or a reader bringing the
 * model up to date), and it consumes only records whose writer has
 * finished.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/jump_label.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <shadow_rmap/compat.h>
#include <shadow_rmap/heal.h>
#include <shadow_rmap/log.h>
#include <shadow_rmap/stats.h>
#include <shadow_rmap/trace.h>

#define SR_LOG_DEFAULT	BIT(14)
#define SR_LOG_MIN	BIT(8)
#define SR_LOG_MAX	BIT(20)
#define SR_PEND_BITS	13
/* Late enough that most fork children have come and gone in between. */
#define SR_LOG_DELAY	max(HZ / 50, 1)

static unsigned int log_records = SR_LOG_DEFAULT;
module_param(log_records, uint, 0400);
MODULE_PARM_DESC(log_records,
		 "event log records, a power of two in [256, 1048576] (16384): a smaller log loses events sooner under load (the shadow then goes stale and is resynced)");

/*
 * Debugging the checker: lose every Nth record as a missed event would be
 * lost, without marking the shadow stale, so that verify must find it.
 */
static unsigned int drop_nth;
/* Off the handlers' path unless set: a static key, not a load per record. */
static DEFINE_STATIC_KEY_FALSE(sr_drop_on);

static int sr_drop_nth_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (ret)
		return ret;
	if (READ_ONCE(drop_nth))
		static_branch_enable(&sr_drop_on);
	else
		static_branch_disable(&sr_drop_on);
	return 0;
}

static const struct kernel_param_ops sr_drop_nth_ops = {
	.set = sr_drop_nth_set,
	.get = param_get_uint,
};

module_param_cb(drop_nth, &sr_drop_nth_ops, &drop_nth, 0600);
MODULE_PARM_DESC(drop_nth,
		 "debug: silently lose every Nth log record (0: never); verify then fails");

#define SR_LOG_QUEUED	0	/* sr_log.armed: the worker is queued */
#define SR_LOG_URGENT	1	/* sr_log.armed: ... to run at once */

/*
 * Where the newest ADD of a link is in the ring, by its avc: a hint that
 * handlers write without locks.  Colliding links overwrite each other and
 * entries may tear, so an entry is only believed when the record it names
 * still holds that avc and is an unclaimed ADD.
 */
struct sr_pend {
	unsigned long avc;
	u64 idx;
};

static void sr_log_work_fn(struct work_struct *work);

/*
 * The log, and its only owner: handlers move the head (and note ADDs in
 * the pending-ADD index), the applier holding the mutex reads finished
 * records and moves the tail, the worker keeps what its last run saw.
 * apply.c's batch tables are the mutex holder's too.
 */
static struct sr_log {
	/* Set at init. */
	struct sr_rec *ring;
	struct sr_pend *pend;
	u64 size;			/* log_records, checked */
	u64 mask;
	unsigned int batch_max;		/* never more than a quarter ring */
	/* Every handler writes the head: a cache line of its own. */
	atomic64_t head ____cacheline_aligned_in_smp;	/* next to hand out */
	u64 tail ____cacheline_aligned_in_smp;		/* next to apply */
	struct mutex mutex;		/* the one applier */
	/* The worker's: the head and tail its last run saw. */
	u64 last_head, last_tail;
	unsigned long armed;		/* SR_LOG_QUEUED, SR_LOG_URGENT */
	atomic_t drop_count;		/* drop_nth's */
	struct delayed_work work;
} sr_log = {
	.mutex = __MUTEX_INITIALIZER(sr_log.mutex),
	.work = __DELAYED_WORK_INITIALIZER(sr_log.work, sr_log_work_fn, 0),
};

static u64 sr_log_tail(void)
{
	/* Pairs with sr_log_advance(): slots before it have been read. */
	return smp_load_acquire(&sr_log.tail);
}

static void sr_log_advance(u64 tail)
{
	/* Pairs with sr_log_tail(): a producer may reuse the slots now. */
	smp_store_release(&sr_log.tail, tail);
}

static bool sr_log_ready(u64 idx)
{
	/* Pairs with sr_log_commit(): the record's fields are visible. */
	return smp_load_acquire(&sr_log.ring[idx & sr_log.mask].state) >> 8 ==
	       idx + 1;
}

static __always_inline bool __sr_log_tracing(void)
{
	return sr_model_traced() || trace_rmap_walk_enabled();
}

/**
 * sr_log_tracing() - whether any of the module's tracepoints has a listener
 *
 * Listeners want every event, so while one listens nothing is cancelled:
 * the model's events still fire from the applier, naming the task each
 * record's handler ran in (struct sr_who), never from a handler.
 *
 * Return: true while tracing.
 */
bool sr_log_tracing(void)
{
	return __sr_log_tracing();
}

/*
 * One batch of finished records before index @limit, in order; @soft: only
 * a full one (the worker leaves the newest records to meet their unlinks).
 * Caller holds sr_log.mutex.
 */
static unsigned int sr_log_batch(bool soft, u64 limit)
{
	u64 first = sr_log.tail, end = first;
	u64 head = atomic64_read(&sr_log.head);
	unsigned int n;
	u64 t0;

	if ((s64)(limit - head) < 0)
		head = limit;
	if (soft && head - first < sr_log.batch_max)
		return 0;
	while ((s64)(head - end) > 0 && end - first < sr_log.batch_max &&
	       sr_log_ready(end))
		end++;
	n = end - first;
	if (!n || (soft && n < sr_log.batch_max))
		return 0;
	t0 = local_clock();
	n = sr_apply_batch(sr_log.ring, sr_log.mask, first, n, !__sr_log_tracing(),
			   n == sr_log.batch_max);
	sr_hold_note(SR_HOLD_LOG_BATCH, t0);
	sr_log_advance(first + n);
	return n;
}

/*
 * Apply everything before index @target, waiting for writers still
 * filling their records (they run with preemption off and finish at once).
 * Process context.
 */
static void sr_log_apply_upto(u64 target)
{
	while ((s64)(sr_log_tail() - target) < 0) {
		mutex_lock(&sr_log.mutex);
		/* No further: newer records may still meet their unlinks. */
		sr_log_batch(false, target);
		mutex_unlock(&sr_log.mutex);
		cond_resched();
	}
}

/*
 * A record the ring has no room for: lost, visibly.  The worker is woken
 * to catch up and a resync (heal.c, rate-limited) repairs the shadow once
 * it can.
 */
static noinline void sr_log_lost(void)
{
	sr_stat_inc(SR_LOG_LOST);
	sr_mark_stale();
	if (!test_and_set_bit(SR_LOG_URGENT, &sr_log.armed))
		mod_delayed_work(sr_wq, &sr_log.work, 0);
	sr_heal_request();
}

static noinline bool sr_log_drop_debug(void)
{
	unsigned int nth = READ_ONCE(drop_nth);

	if (!nth || (unsigned int)atomic_inc_return(&sr_log.drop_count) % nth)
		return false;
	sr_stat_inc(SR_LOG_DEBUG_DROPPED);
	return true;
}

/**
 * sr_log_reserve() - take the next record slot
 *
 * From a probe handler (preemption off).  Never waits and never applies:
 * when the ring is full the event is lost (sr_log_lost()).  The head only
 * moves past a slot known to be free, so an index handed out is always
 * filled in and the consumer never waits on a hole.
 *
 * Return: the record to fill in, then pass to sr_log_commit(); NULL when
 * the event is lost.
 */
struct sr_rec *sr_log_reserve(void)
{
	struct sr_rec *r;
	s64 head;

	if (static_branch_unlikely(&sr_drop_on) && sr_log_drop_debug())
		return NULL;
	head = atomic64_read(&sr_log.head);
	do {
		/* The tail only grows: an old value errs on the full side. */
		if (unlikely((u64)head - sr_log_tail() >= sr_log.size)) {
			sr_log_lost();
			return NULL;
		}
	} while (!atomic64_try_cmpxchg(&sr_log.head, &head, head + 1));
	r = &sr_log.ring[head & sr_log.mask];
	r->idx = head;
	return r;
}

/**
 * sr_log_newest() - the index of the newest record handed out
 *
 * Return: it (meaningless while the log is empty).
 */
u64 sr_log_newest(void)
{
	return atomic64_read(&sr_log.head) - 1;
}

/**
 * sr_log_note_add() - remember where a new link's ADD record is
 * @avc: the link
 * @idx: its committed ADD record
 *
 * From the insert handler, under the forest's root rwsem.
 */
void sr_log_note_add(unsigned long avc, u64 idx)
{
	struct sr_pend *p = &sr_log.pend[hash_long(avc, SR_PEND_BITS)];

	WRITE_ONCE(p->avc, avc);
	WRITE_ONCE(p->idx, idx);
}

/**
 * sr_log_forget() - a link's ADD may no longer be cancelled by its unlink
 * @avc: a link taken out of its tree or put back for a VMA update
 *
 * Those records sit between the ADD and the unlink; cancelling the pair
 * alone would leave them naming a link the model never had.
 */
void sr_log_forget(unsigned long avc)
{
	struct sr_pend *p = &sr_log.pend[hash_long(avc, SR_PEND_BITS)];

	/* Not a plain store: a colliding link's fresh hint must stay. */
	if (READ_ONCE(p->avc) == avc)
		cmpxchg(&p->avc, avc, 0);
}

/**
 * sr_log_cancel_add() - cancel a link's ADD that no batch has claimed yet
 * @avc: a link being unlinked for good (its root rwsem is held for
 *       writing, so its ADD, if noted, was the last record of it)
 *
 * The link then never reaches the model and its unlink needs no record.
 * Never while a tracepoint listens: listeners get every event.
 *
 * Return: true if cancelled.
 */
bool sr_log_cancel_add(unsigned long avc)
{
	struct sr_pend *p = &sr_log.pend[hash_long(avc, SR_PEND_BITS)];
	struct sr_rec *r;
	u64 idx, st;

	if (READ_ONCE(p->avc) != avc || __sr_log_tracing())
		return false;
	idx = READ_ONCE(p->idx);
	r = &sr_log.ring[idx & sr_log.mask];
	st = SR_REC_STATE(idx, SR_OP_ADD);
	/*
	 * A torn entry may pair this avc with another link's index.  While
	 * the state says unclaimed ADD @idx the slot cannot be reused, and no
	 * newer record can name this avc while it is still allocated.
	 */
	if (smp_load_acquire(&r->state) != st)
		return false;
	/* Racing a reuse of the slot is harmless: the cmpxchg then fails. */
	if (data_race(READ_ONCE(r->s.avc)) != avc)
		return false;
	if (cmpxchg(&r->state, st, SR_REC_STATE(idx, SR_OP_GONE)) != st)
		return false;
	cmpxchg(&p->avc, avc, 0);
	return true;
}

/**
 * sr_log_commit() - publish a filled-in record
 * @r: from sr_log_reserve()
 */
void sr_log_commit(struct sr_rec *r)
{
	/* Pairs with sr_log_ready(): the fields before the index. */
	smp_store_release(&r->state, SR_REC_STATE(r->idx, r->op));
	if (!READ_ONCE(sr_log.armed) &&
	    !test_and_set_bit(SR_LOG_QUEUED, &sr_log.armed))
		queue_delayed_work(sr_wq, &sr_log.work, SR_LOG_DELAY);
	/* Half full: the worker runs now, before records are lost. */
	if (unlikely((s64)(r->idx - sr_log_tail()) > (s64)sr_log.size / 2) &&
	    !test_and_set_bit(SR_LOG_URGENT, &sr_log.armed))
		mod_delayed_work(sr_wq, &sr_log.work, 0);
}

/**
 * sr_log_drain() - bring the model up to date with every event so far
 *
 * Process context; may sleep between batches.  Safe under a kernel
 * anon_vma rwsem held for reading: applying takes only shadow locks.
 */
void sr_log_drain(void)
{
	might_sleep();
	sr_log_apply_upto(atomic64_read(&sr_log.head));
}

/*
 * Full batches only, so that the newest records can meet their unlinks,
 * unless nothing was logged since the last run or nothing was applied
 * since: then what was logged before the last run goes, having had a whole
 * period to be cancelled.  No record (nor the mm it pins) waits more than
 * about two runs.
 */
static void sr_log_work_fn(struct work_struct *work)
{
	u64 head;
	unsigned int n;

	clear_bit(SR_LOG_QUEUED, &sr_log.armed);
	clear_bit(SR_LOG_URGENT, &sr_log.armed);
	/* Bits clear before the head is read: later commits queue anew. */
	smp_mb__after_atomic();
	head = atomic64_read(&sr_log.head);
	if (head == sr_log.last_head || sr_log_tail() == sr_log.last_tail) {
		sr_log_apply_upto(sr_log.last_head);
	} else {
		do {
			mutex_lock(&sr_log.mutex);
			n = sr_log_batch(true, head);
			mutex_unlock(&sr_log.mutex);
			cond_resched();
		} while (n);
	}
	sr_log.last_head = head;
	sr_log.last_tail = sr_log_tail();
	/* A record committed while the bit was still set would wait. */
	if (atomic64_read(&sr_log.head) != sr_log_tail() &&
	    !test_and_set_bit(SR_LOG_QUEUED, &sr_log.armed))
		queue_delayed_work(sr_wq, &sr_log.work, SR_LOG_DELAY);
}

/**
 * sr_log_init() - allocate the ring
 *
 * Return: 0 or -ENOMEM.
 */
int sr_log_init(void)
{
	int ret;

	if (!is_power_of_2(log_records) || log_records < SR_LOG_MIN ||
	    log_records > SR_LOG_MAX) {
		pr_err("log_records=%u: a power of two from %lu to %lu\n",
		       log_records, SR_LOG_MIN, SR_LOG_MAX);
		return -EINVAL;
	}
	sr_log.size = log_records;
	sr_log.mask = sr_log.size - 1;
	sr_log.batch_max = min_t(u64, SR_LOG_BATCH, sr_log.size / 4);
	ret = sr_apply_init();
	if (ret)
		return ret;
	sr_log.ring = vzalloc(array_size(sr_log.size, sizeof(*sr_log.ring)));
	sr_log.pend = vzalloc(array_size(BIT(SR_PEND_BITS), sizeof(*sr_log.pend)));
	if (!sr_log.ring || !sr_log.pend) {
		vfree(sr_log.ring);
		vfree(sr_log.pend);
		sr_log.ring = NULL;
		sr_log.pend = NULL;
		sr_apply_exit();
		return -ENOMEM;
	}
	atomic64_set(&sr_log.head, 0);
	sr_log.tail = 0;
	return 0;
}

/**
 * sr_log_exit() - apply what is left and free the ring
 *
 * Capture must be stopped first: no handler may still append.
 */
void sr_log_exit(void)
{
	cancel_delayed_work_sync(&sr_log.work);
	sr_log_drain();
	sr_log.armed = 0;
	vfree(sr_log.ring);
	vfree(sr_log.pend);
	sr_log.ring = NULL;
	sr_log.pend = NULL;
	sr_apply_exit();
}

/**
 * sr_log_pending() - records logged but not yet applied
 *
 * Return: how many, at this moment.
 */
u64 sr_log_pending(void)
{
	return max_t(s64, atomic64_read(&sr_log.head) - sr_log_tail(), 0);
}

/**
 * sr_log_show() - the log's state for the stats node
 * @m: the seq_file
 */
void sr_log_show(struct seq_file *m)
{
	seq_printf(m, "log_pending %llu\n", sr_log_pending());
	seq_printf(m, "log_size %llu\n", sr_log.size);
	/* Fixed: the ring and the batch tables, whatever the shadow holds. */
	seq_printf(m, "log_bytes %zu\n",
		   (size_t)sr_log.size * sizeof(*sr_log.ring) +
		   BIT(SR_PEND_BITS) * sizeof(*sr_log.pend) + sr_apply_bytes());
}
