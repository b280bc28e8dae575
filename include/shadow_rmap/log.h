/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event log between capture and model.  A probe handler only appends a
 * record of what the kernel changed, read while the kernel held the
 * objects; the model is brought up to date from the log, in order, in
 * batches, in process context only: by a worker a few milliseconds later
 * and by every reader before it reads.  A handler never applies: when the
 * ring is full its record is lost, counted, and the shadow marked stale
 * until the automatic resync (heal.c) repairs it.
 *
 * Order is what makes deferral exact.  Every change to one anon_vma forest
 * happens under that forest's root rwsem, and each record takes its place
 * in the log (a global index) while the rwsem is held, so the records of one
 * forest are in the kernel's own order.  A kernel walk of a forest holds the
 * rwsem for reading and drains the log first: every record of that forest
 * is then applied, and none can come until the walk lets go.
 *
 * The commonest pair, a link created by fork and unlinked by the child's
 * exit, mostly never needs a second record: the unlink finds its ADD still
 * unapplied (an index by avc points at it) and cancels it in place.
 *
 * A record never lets the applier touch kernel memory: it carries the
 * values the model needs and a reference (mmgrab) on the mm, which the
 * applier hands to the model or drops.
 */
#ifndef SHADOW_RMAP_LOG_H
#define SHADOW_RMAP_LOG_H

#include <linux/types.h>

#include <shadow_rmap/model.h>
#include <shadow_rmap/plan.h>

struct seq_file;

/* Records one batch applies: the window in which a link can cancel out. */
#define SR_LOG_BATCH	SR_PLAN_MAX

/*
 * A record's state word: its index + 1 and its op, published by the commit.
 * An ADD's unlink may turn it into GONE until the applier claims it; both
 * sides change it with cmpxchg() only, so exactly one of them wins.
 *
 * One slot's life, for index i (the slot is i & mask):
 *
 *   free --sr_log_reserve()--> filling --sr_log_commit()--> (i+1, op)
 *     ^    (handler: cmpxchg   (handler)   (store_release:  |
 *     |     on the head; none                the applier    |
 *     |     when the ring is                 may read it)   |
 *     |     full: lost)                                     |
 *     |                                                     |
 *     |   op == ADD only:                                   |
 *     |     (i+1, ADD) --sr_log_cancel_add()--> (i+1, GONE) |
 *     |                  (its unlink, a handler: cmpxchg;   |
 *     |                   no listener, no record for the    |
 *     |                   unlink)                           |
 *     |     (i+1, ADD) --sr_claim()--> (i+1, CLAIMED)       |
 *     |                  (applier: cmpxchg; the unlink      |
 *     |                   now logs a DEL)                   |
 *     |                                                     v
 *     +------- the tail passes i <-- applied, cancelled with its DEL in
 *              (sr_log_advance())    the same batch (apply.c), or GONE
 *
 * Only the applier (one at a time, under the log's mutex) reads records
 * and moves the tail; only handlers move the head.  apply.c may rewrite
 * op to GONE in a record it claimed too late (the unlink won), never the
 * state.
 */
#define SR_REC_STATE(idx, op)	((((idx) + 1) << 8) | (op))
#define SR_REC_CLAIMED		0xff

struct sr_rec {
	u64 state;		/* SR_REC_STATE() once written */
	u64 idx;
	u8 op;
	bool seeded;		/* the first kernel walk had finished */
	struct sr_avc_snap s;	/* s.mm pinned for ADD and REATTACH */
};

int sr_log_init(void);
void sr_log_exit(void);
struct sr_rec *sr_log_reserve(void);
void sr_log_commit(struct sr_rec *r);
u64 sr_log_pending(void);
u64 sr_log_newest(void);
void sr_log_note_add(unsigned long avc, u64 idx);
void sr_log_forget(unsigned long avc);
bool sr_log_cancel_add(unsigned long avc);
void sr_log_drain(void);
bool sr_log_tracing(void);
void sr_log_show(struct seq_file *m);

/* Applying one batch: apply.c, called with the log's lock held. */
int sr_apply_init(void);
void sr_apply_exit(void);
size_t sr_apply_bytes(void);
unsigned int sr_apply_batch(struct sr_rec *ring, u64 mask, u64 first,
			    unsigned int n, bool cancel, bool full);

#endif
