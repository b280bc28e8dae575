/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-worker.h - the worker processes: park, run one op, park again.
 *
 * A worker is a process of the fuzzed tree; it may have a helper thread on
 * the same mm with its own mailbox.  Fork, exit and thread changes are done
 * here; memory ops in fz-exec.h.  Workers never call malloc after they have
 * moved the break (glibc's malloc is told to take new memory by mmap), so
 * brk ops cannot pull the heap from under libc.
 */
#ifndef FZ_WORKER_H
#define FZ_WORKER_H

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include "../workloads/wl.h"
#include "fz-exec.h"

static int fz_me;		/* this process's slot */
static pthread_t fz_helper;
static int fz_has_helper;

static void fz_serve(int t);

static void *fz_helper_main(void *arg)
{
	(void)arg;
	fz_serve(1);
	return NULL;
}

static long fz_thread_start(void)
{
	struct fz_slot *sl = &fz->slot[fz_me];
	struct fz_box *b = &sl->box[1];
	pthread_attr_t at;
	int rc;

	if (fz_has_helper)
		return FZ_SKIP;
	b->seq = 0;
	b->done = 0;
	__atomic_store_n(&b->up, 0, __ATOMIC_SEQ_CST);
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 256 * 1024);
	rc = pthread_create(&fz_helper, &at, fz_helper_main, NULL);
	pthread_attr_destroy(&at);
	if (rc)
		return -rc;
	/* parked before we answer: a checkpoint must find it still */
	while (!__atomic_load_n(&b->up, __ATOMIC_SEQ_CST))
		fz_futex(&b->up, FUTEX_WAIT, 0, NULL);
	fz_has_helper = 1;
	sl->threaded = 1;
	return 0;
}

static long fz_thread_stop(void)
{
	struct fz_slot *sl = &fz->slot[fz_me];
	struct fz_box *b = &sl->box[1];

	if (!fz_has_helper)
		return FZ_SKIP;
	b->op.kind = FZ_STOP;
	__atomic_add_fetch(&b->seq, 1, __ATOMIC_SEQ_CST);
	fz_futex(&b->seq, FUTEX_WAKE, 1, NULL);
	pthread_join(fz_helper, NULL);
	fz_has_helper = 0;
	sl->threaded = 0;
	return 0;
}

/* First code of a forked child: it becomes the worker of slot s. */
static void __attribute__((noreturn)) fz_child(int s, int threaded)
{
	struct fz_slot *sl = &fz->slot[s];

	fz_me = s;
	fz_has_helper = 0;
	fz_rt_fork_child(&fz_rt);
	wl_register();
	sl->pid = getpid();
	sl->threaded = 0;
	if (threaded)
		fz_thread_start();
	__atomic_store_n(&sl->state, FZ_LIVE, __ATOMIC_SEQ_CST);
	fz_event();
	fz_serve(0);
	_exit(0);
}

static long fz_x_fork(const struct fz_box *b)
{
	pid_t pid = fork();

	if (pid < 0)
		return fz_err();
	if (pid == 0)
		fz_child(b->child_slot, b->op.a % 4 == 0);
	fz_note("child %d in slot %d", (int)pid, b->child_slot);
	return pid;
}

static void __attribute__((noreturn)) fz_x_exit(void)
{
	fz_thread_stop();
	wl_unregister();
	_exit(0);
}

static long fz_exec_op(struct fz_box *b)
{
	switch (b->op.kind) {
	case FZ_FORK:
		return fz_x_fork(b);
	case FZ_EXIT:
		fz_x_exit();
	case FZ_THREAD_START:
		return fz_thread_start();
	case FZ_THREAD_STOP:
		return fz_thread_stop();
	}
	return fz_exec_mem(&b->op);
}

/* Park on mailbox t, run what comes; the helper returns on FZ_STOP. */
static void fz_serve(int t)
{
	struct fz_box *b = &fz->slot[fz_me].box[t];
	int last = __atomic_load_n(&b->done, __ATOMIC_SEQ_CST);

	fz_cur = b;
	if (t == 1) {
		__atomic_store_n(&b->up, 1, __ATOMIC_SEQ_CST);
		fz_futex(&b->up, FUTEX_WAKE, 1, NULL);
	}
	for (;;) {
		int seq = __atomic_load_n(&b->seq, __ATOMIC_SEQ_CST);
		struct timespec ts = { 1, 0 };

		if (seq != last) {
			last = seq;
			if (b->op.kind == FZ_STOP) {
				__atomic_store_n(&b->done, seq, __ATOMIC_SEQ_CST);
				return;
			}
			b->msg[0] = 0;
			b->res = fz_exec_op(b);
			fz_rt_coalesce(&fz_rt);
			if (b->res == FZ_SKIP)
				fz_note("regions=%d pages=%lu", fz_rt.n,
					fz_rt_pages(&fz_rt));
			__atomic_store_n(&b->done, seq, __ATOMIC_SEQ_CST);
			fz_event();
			continue;
		}
		/* a killed driver must not leave workers behind */
		if (kill(fz->driver, 0) < 0 && errno == ESRCH)
			_exit(3);
		fz_futex(&b->seq, FUTEX_WAIT, seq, &ts);
	}
}

/*
 * A worker faulting on memory its table says is usable means the table and
 * the kernel disagree: say where, what the table holds and what the kernel
 * maps, so the minimised case comes with its evidence.
 */
static void fz_fault(int sig, siginfo_t *si, void *uc)
{
	char buf[256];
	int i, fd, n;

	(void)uc;
	n = snprintf(buf, sizeof(buf), "fuzz: worker %d: signal %d at %p; table:\n",
		     (int)getpid(), sig, si->si_addr);
	if (write(2, buf, n) < 0)
		_exit(4);
	for (i = 0; i < fz_rt.n; i++) {
		const struct fz_region *r = &fz_rt.r[i];

		n = snprintf(buf, sizeof(buf),
			     "  %#lx-%#lx prot=%d file=%d fpg=%lu dontfork=%d\n",
			     r->start, r->end, r->prot, r->file, r->fpg,
			     r->dontfork);
		if (write(2, buf, n) < 0)
			_exit(4);
	}
	fd = open("/proc/self/maps", O_RDONLY);
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (write(2, buf, n) < 0)
			break;
	_exit(4);
}

/* The first worker of a run, forked by the driver into slot 0. */
static void __attribute__((noreturn)) fz_first_worker(void)
{
	struct sigaction sa = { .sa_sigaction = fz_fault, .sa_flags = SA_SIGINFO };
	unsigned long cur;

	memset(&fz_rt, 0, sizeof(fz_rt));
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	mallopt(M_MMAP_THRESHOLD, 0);
	signal(SIGCHLD, SIG_IGN);	/* workers' children reap themselves */
	cur = (unsigned long)sbrk(0);
	fz_brk_base = (cur + FZ_PG - 1) & ~(FZ_PG - 1);
	if (sbrk(fz_brk_base - cur) == (void *)-1)
		fz_brk_base = 0;	/* no break of our own: brk ops skip */
	fz_brk_cur = fz_brk_base;
	fz_child(0, 0);
}

#endif /* FZ_WORKER_H */
