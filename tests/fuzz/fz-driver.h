/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-driver.h - run one op list from fresh processes, checkpoints included.
 *
 * The driver resolves each op's worker, posts it and waits for the answer,
 * so ops run one at a time in list order and a replay repeats the history.
 * A checkpoint runs SR_CHECK through wl_checkpoint() while every worker is
 * parked.  A worker that dies or hangs during an op fails the run there.
 */
#ifndef FZ_DRIVER_H
#define FZ_DRIVER_H

#include "fz-worker.h"

struct fz_stats {
	unsigned long ops, skipped, errors, checks;
	unsigned long kind[FZ_NKINDS];
};

struct fz_outcome {
	int failed;
	size_t at;		/* list index of the failing check or op */
	int checks;		/* checkpoints passed before */
	char why[256];
};

static int fz_max_procs = 8;
static double fz_op_timeout = 60;

/* Gone or a zombie: its mm is torn down.  Reaps our zombies on the way. */
static int fz_alive(pid_t pid)
{
	char path[64], buf[256], *p;
	int fd, n;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* Sleep until the worker answers: 0, or -1 if it died, -2 if it hung. */
static int fz_wait_box(struct fz_box *b, int seq, pid_t pid)
{
	double deadline = wl_now() + fz_op_timeout;

	for (;;) {
		int ev = __atomic_load_n(&fz->ev, __ATOMIC_SEQ_CST);
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (__atomic_load_n(&b->done, __ATOMIC_SEQ_CST) == seq)
			return 0;
		if (!fz_alive(pid))
			return -1;
		if (wl_now() > deadline)
			return -2;
		fz_futex(&fz->ev, FUTEX_WAIT, ev, &ts);
	}
}

static int fz_wait_started(struct fz_slot *sl, pid_t parent)
{
	double deadline = wl_now() + fz_op_timeout;

	for (;;) {
		int ev = __atomic_load_n(&fz->ev, __ATOMIC_SEQ_CST);
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (__atomic_load_n(&sl->state, __ATOMIC_SEQ_CST) == FZ_LIVE)
			return 0;
		if (wl_now() > deadline || (parent && !fz_alive(parent)))
			return -1;
		fz_futex(&fz->ev, FUTEX_WAIT, ev, &ts);
	}
}

static int fz_wait_gone(pid_t pid)
{
	double deadline = wl_now() + fz_op_timeout;
	struct timespec ts = { 0, 1000 * 1000 };

	while (fz_alive(pid)) {
		if (wl_now() > deadline)
			return -2;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void fz_slot_reset(struct fz_slot *sl, int state)
{
	memset(sl, 0, sizeof(*sl));
	sl->state = state;
}

static int fz_free_slot(void)
{
	int i;

	for (i = 0; i < FZ_MAXP && i < fz_max_procs; i++)
		if (fz->slot[i].state == FZ_FREE)
			return i;
	return -1;
}

/* Kill what is left of a run and wait until none of it exists. */
static void fz_teardown(void)
{
	int i;

	for (i = 0; i < FZ_MAXP; i++)
		if (fz->slot[i].state != FZ_FREE && fz->slot[i].pid > 0)
			kill(fz->slot[i].pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	for (i = 0; i < FZ_MAXP; i++) {
		if (fz->slot[i].pid > 0) {
			fz_wait_gone(fz->slot[i].pid);
			wl_unregister_pid(fz->slot[i].pid);
		}
		fz_slot_reset(&fz->slot[i], FZ_FREE);
	}
}

static int fz_start(void)
{
	pid_t pid;

	fz_teardown();
	fz_slot_reset(&fz->slot[0], FZ_STARTING);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		wl_register();
		fz_first_worker();
	}
	fz->slot[0].pid = pid;
	return fz_wait_started(&fz->slot[0], pid);
}

static void fz_trace(size_t i, const struct fz_op *op, int s, int t,
		     const struct fz_box *b)
{
	char txt[128];

	if (!fz->trace)
		return;
	fz_format(op, txt, sizeof(txt));
	if (b->res == FZ_SKIP)
		printf("  %4zu %s -> w%d.%d skip %s\n", i, txt, s, t, b->msg);
	else if (b->res < 0)
		printf("  %4zu %s -> w%d.%d %s (%s)\n", i, txt, s, t,
		       strerror((int)-b->res), b->msg);
	else
		printf("  %4zu %s -> w%d.%d ok %s\n", i, txt, s, t, b->msg);
}

/* Run op i on its worker; fills out and returns -1 if the run broke. */
static int fz_exec(const struct fz_op *op, size_t i, struct fz_stats *st,
		   struct fz_outcome *out)
{
	int live[FZ_MAXP], nlive = 0, s, t = 0, cs = -1, seq, rc, k;
	struct fz_box *b, gone = { .res = 0 };
	struct fz_slot *sl;
	pid_t pid;

	for (k = 0; k < FZ_MAXP; k++)
		if (fz->slot[k].state == FZ_LIVE)
			live[nlive++] = k;
	st->ops++;
	st->kind[op->kind]++;
	s = live[op->p % nlive];
	sl = &fz->slot[s];
	pid = sl->pid;
	if (sl->threaded && op->kind != FZ_EXIT &&
	    op->kind != FZ_THREAD_START && op->kind != FZ_THREAD_STOP)
		t = op->t % 2;
	if (op->kind == FZ_FORK)
		cs = fz_free_slot();
	if ((op->kind == FZ_EXIT && nlive == 1) ||
	    (op->kind == FZ_FORK && cs < 0)) {
		struct fz_box none = { .res = FZ_SKIP };

		snprintf(none.msg, sizeof(none.msg), "(%d workers)", nlive);
		fz_trace(i, op, s, t, &none);
		st->skipped++;
		return 0;
	}
	if (cs >= 0)
		fz_slot_reset(&fz->slot[cs], FZ_STARTING);
	b = &sl->box[t];
	b->op = *op;
	b->child_slot = cs;
	seq = b->seq + 1;
	__atomic_store_n(&b->seq, seq, __ATOMIC_SEQ_CST);
	fz_futex(&b->seq, FUTEX_WAKE, 1, NULL);
	if (op->kind == FZ_EXIT) {
		rc = fz_wait_gone(pid);
		wl_unregister_pid(pid);
		fz_slot_reset(sl, FZ_FREE);
		b = &gone;
	} else {
		rc = fz_wait_box(b, seq, pid);
	}
	if (!rc && cs >= 0) {
		if (b->res > 0)
			rc = fz_wait_started(&fz->slot[cs], 0) ? -3 : 0;
		else
			fz_slot_reset(&fz->slot[cs], FZ_FREE);
	}
	if (rc) {
		out->failed = 1;
		out->at = i;
		snprintf(out->why, sizeof(out->why), "worker %d (slot %d) %s during op %zu",
			 (int)pid, s, rc == -1 ? "died" : rc == -2 ? "hung" :
			 "lost its child", i);
		return -1;
	}
	fz_trace(i, op, s, t, b);
	if (b->res == FZ_SKIP)
		st->skipped++;
	else if (b->res < 0)
		st->errors++;
	return 0;
}

/* Run list[0..n) from fresh processes; out says if and where it failed. */
static void fz_run(const struct fz_op *list, size_t n, const char *label,
		   struct fz_stats *st, struct fz_outcome *out)
{
	char lab[96];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (fz_start()) {
		out->failed = 1;
		snprintf(out->why, sizeof(out->why), "the first worker did not start");
		fz_teardown();
		return;
	}
	for (i = 0; i < n; i++) {
		if (list[i].kind != FZ_CHECK) {
			if (fz_exec(&list[i], i, st, out))
				break;
			continue;
		}
		snprintf(lab, sizeof(lab), "%s-c%d", label, out->checks + 1);
		st->checks++;
		if (wl_checkpoint(lab)) {
			out->failed = 1;
			out->at = i;
			snprintf(out->why, sizeof(out->why),
				 "checkpoint %s (after %zu list entries) failed",
				 lab, i);
			break;
		}
		out->checks++;
	}
	fz_teardown();
}

#endif /* FZ_DRIVER_H */
