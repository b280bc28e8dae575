// SPDX-License-Identifier: GPL-2.0
/*
 * wl-threads - pthreads touching shared and private anonymous memory,
 * mmap/mremap/munmap from threads concurrently, and fork from a thread.
 *
 *   wl-threads [THREADS=4] [ITER=100]
 *
 * Checkpoints: threads-parked (all threads parked at a barrier, each with a
 * private region written), threads-forked (a child forked from thread 0 while
 * the other threads were churning mappings), threads-joined.
 */
#include "wl.h"
#include <pthread.h>

#define TAG_S 0x7EAD0000u
#define PRIV_PAGES 8

static unsigned long nthreads, iters;
static char *shared_r;
static size_t shared_pages;
static pthread_barrier_t bar;
static pid_t forked_child;

static void churn(unsigned long t, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		size_t pages = 1 + (i * 7 + t) % 16;
		char *p = wl_map(pages * WL_PAGE), *q;
		uint32_t tag = 0x10000000u + (uint32_t)(t << 16) + (uint32_t)i;

		wl_fill(p, 0, pages, tag);
		if (i % 3 == 0) {
			q = mremap(p, pages * WL_PAGE, 2 * pages * WL_PAGE, MREMAP_MAYMOVE);
			WL_ASSERT(q != MAP_FAILED, "thread %lu mremap: %s", t, strerror(errno));
			p = q;
			wl_fill(p, pages, pages, tag);
			WL_ASSERT(wl_check(p, 0, pages, tag) == 0, "thread %lu moved data", t);
			pages *= 2;
		}
		WL_ASSERT(wl_check(p, 0, 1, tag) == 0, "thread %lu data", t);
		WL_ASSERT(munmap(p, pages * WL_PAGE) == 0, "thread %lu munmap", t);
	}
}

static void *thread_main(void *arg)
{
	unsigned long t = (unsigned long)arg;
	char *priv = wl_map(PRIV_PAGES * WL_PAGE);
	uint32_t ptag = 0x20000000u + (uint32_t)t;

	wl_fill(priv, 0, PRIV_PAGES, ptag);
	wl_fill(shared_r, t, 1, TAG_S + 1 + (uint32_t)t);	/* own slot in the shared region */
	churn(t, iters);
	pthread_barrier_wait(&bar);	/* phase 1 done */
	pthread_barrier_wait(&bar);	/* parked during checkpoint 1 */
	if (t == 0) {
		pid_t c = wl_fork();

		if (c == 0) {
			unsigned long j;

			/* only this thread exists in the child */
			WL_ASSERT(wl_check(priv, 0, PRIV_PAGES, ptag) == 0, "child: private");
			for (j = 0; j < nthreads; j++)
				WL_ASSERT(wl_check(shared_r, j, 1, TAG_S + 1 + (uint32_t)j) == 0,
					  "child: shared slot %lu", j);
			wl_fill(shared_r, nthreads, 1, TAG_S + 99);
			wl_ready();
			wl_wait_phase(1);
			wl_exit_child();
		}
		forked_child = c;
	} else {
		churn(t, iters / 2);	/* concurrent with the fork */
	}
	pthread_barrier_wait(&bar);	/* phase 2 done */
	pthread_barrier_wait(&bar);	/* parked during checkpoint 2 */
	WL_ASSERT(wl_check(priv, 0, PRIV_PAGES, ptag) == 0, "thread %lu private", t);
	churn(t, iters / 4);
	munmap(priv, PRIV_PAGES * WL_PAGE);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t *th;
	unsigned long t;
	int base;

	wl_init("wl-threads");
	nthreads = wl_arg(argc, argv, 1, 4);
	iters = wl_arg(argc, argv, 2, 100);
	WL_ASSERT(nthreads >= 1 && nthreads <= 256, "THREADS 1..256");
	shared_pages = nthreads + 8;
	shared_r = wl_map(shared_pages * WL_PAGE);
	wl_fill(shared_r, 0, shared_pages, TAG_S);
	th = calloc(nthreads, sizeof(*th));
	WL_ASSERT(th, "calloc");
	WL_ASSERT(pthread_barrier_init(&bar, NULL, nthreads + 1) == 0, "barrier");
	base = wl_ready_count();
	for (t = 0; t < nthreads; t++)
		WL_ASSERT(pthread_create(&th[t], NULL, thread_main, (void *)t) == 0,
			  "pthread_create");
	pthread_barrier_wait(&bar);
	wl_info("mode=threads shared=%#lx pages=%zu threads=%lu",
		(unsigned long)shared_r, shared_pages, nthreads);
	wl_checkpoint("threads-parked");
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	wl_wait_ready(base + 1);
	wl_checkpoint("threads-forked");
	WL_ASSERT(wl_check(shared_r, nthreads, 1, TAG_S) == 0,
		  "child's write leaked into the parent");
	pthread_barrier_wait(&bar);
	wl_set_phase(1);
	for (t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	wl_reap(forked_child);
	for (t = 0; t < nthreads; t++)
		WL_ASSERT(wl_check(shared_r, t, 1, TAG_S + 1 + (uint32_t)t) == 0,
			  "shared slot %lu", t);
	wl_checkpoint("threads-joined");
	free(th);
	return wl_finish();
}
