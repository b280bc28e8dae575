/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-shm.h - the block the driver and its workers share (MAP_SHARED memfd).
 *
 * Each worker slot has one mailbox per thread.  The driver posts an op by
 * bumping seq; the thread runs it and copies seq to done.  Only one op is in
 * flight at a time, so when the driver holds no op every worker thread is
 * parked in FUTEX_WAIT: that is the quiescence a checkpoint needs.  Every
 * answer from a worker bumps ev, the one word the driver sleeps on.
 */
#ifndef FZ_SHM_H
#define FZ_SHM_H

#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "fz-op.h"

#define FZ_MAXP 16		/* worker slots */
#define FZ_MSG 200

struct fz_box {
	int seq;		/* futex: driver -> thread */
	int done;		/* last seq the thread finished */
	int up;			/* futex: helper thread is parked */
	struct fz_op op;
	int child_slot;		/* FZ_FORK: where the child goes */
	long res;		/* >= 0 ok, -errno failed, FZ_SKIP */
	char msg[FZ_MSG];	/* what the op did (when tracing) */
};

enum fz_slot_state { FZ_FREE, FZ_STARTING, FZ_LIVE };

struct fz_slot {
	int state;
	pid_t pid;
	int threaded;
	struct fz_box box[2];
};

struct fz_shm {
	int ev;			/* futex: bumped by every worker answer */
	int trace;
	pid_t driver;
	int file_fd;
	unsigned long cap_pages;
	struct fz_slot slot[FZ_MAXP];
};

#define FZ_SKIP (-100000L)

static struct fz_shm *fz;

static long fz_futex(int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static void fz_event(void)
{
	__atomic_add_fetch(&fz->ev, 1, __ATOMIC_SEQ_CST);
	fz_futex(&fz->ev, FUTEX_WAKE, 1, NULL);
}

#endif /* FZ_SHM_H */
