/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The batch planner: which records of one batch cancel out, and where a
 * full batch should end.  A pure function over an array of plan records
 * (what it needs of each log record, copied by the applier) and its own
 * scratch: it touches no other state, takes no lock and never allocates,
 * so the host unit test (tests/host/plan) runs this very code.
 *
 * A link's records in one batch, by its avc:
 *
 *   ADD --DETACH/REATTACH...--> DEL    a cancelled group: none of them
 *                                      reaches the model (counters only)
 *   ADD --DETACH/REATTACH...-->        still open at the batch's end: it
 *                                      applies, and a full batch may end
 *                                      before it (its unlink likely comes
 *                                      in the next records)
 *   DETACH/REATTACH/DEL without ADD    the link is older than the batch:
 *                                      they apply
 *   ADD, ADD (same avc)                the first lost its unlink (a missed
 *                                      event): it applies
 *   GONE, SET_ANON                     never grouped
 *
 * A full batch ends at the latest point in its second half before the
 * oldest link there still open that no cancelled group spans (a group cut
 * in two would have to apply after all), and never inside one VMA's run of
 * new links in one forest (the applier may pull a run's later links ahead
 * to give an earlier one its parent).
 */
#ifndef SHADOW_RMAP_PLAN_H
#define SHADOW_RMAP_PLAN_H

#include <linux/types.h>

/* Records one batch applies at most: the window in which a link cancels. */
#define SR_PLAN_MAX	4096

enum sr_op {
	SR_OP_ADD,		/* a new link: anon_vma_chain_link() */
	SR_OP_REATTACH,		/* a link back in its tree after a VMA update */
	SR_OP_DEL,		/* a link gone: unlink_anon_vmas() */
	SR_OP_DETACH,		/* a link out of its tree for a VMA update */
	SR_OP_SET_ANON,		/* a forked VMA's own anon_vma */
	SR_OP_GONE,		/* an ADD its unlink cancelled before it applied */
};

/* What the planner needs of one record. */
struct sr_plan_rec {
	unsigned long avc;
	unsigned long vma;
	unsigned long av_root;
	u8 op;			/* enum sr_op, as logged */
	bool gone;		/* an ADD its unlink cancelled: state GONE */
};

struct sr_open;

/* The planner's scratch and its answer, for one batch at a time. */
struct sr_plan {
	struct sr_open *open;		/* links with an ADD in the batch */
	u32 gen;			/* open[] slots of older batches differ */
	u32 *next;			/* a link's next record in the batch */
	u32 *span_end;			/* a cancelled group's DEL, at its ADD */
	unsigned long *heads;		/* links still open, by their ADD */
	unsigned long *cancelled;	/* the answer: records that cancel */
};

int sr_plan_init(struct sr_plan *p);
void sr_plan_exit(struct sr_plan *p);
size_t sr_plan_bytes(void);
unsigned int sr_plan_batch(struct sr_plan *p, const struct sr_plan_rec *r,
			   unsigned int n, bool full);
bool sr_plan_same_run(const struct sr_plan_rec *a,
		      const struct sr_plan_rec *b);

#endif
