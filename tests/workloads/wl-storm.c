// SPDX-License-Identifier: GPL-2.0
/*
 * wl-storm - load: NPROCS workers loop for SECONDS over fork (children that
 * COW, mmap, mremap, fork a grandchild and exit), mmap/mremap/munmap,
 * mprotect split/merge, all on written anonymous memory.
 *
 *   wl-storm SECONDS [NPROCS=4] [PAUSE_EVERY=0]
 *
 * With PAUSE_EVERY > 0, every PAUSE_EVERY seconds all workers reap their
 * children and park, and the checkpoint storm-pause-K runs SR_CHECK.  At the
 * end it prints "wl-storm: ... iterations=N forks=N".
 */
#include "wl.h"

#define WPAGES 32

struct counters {
	unsigned long iters, forks;
};

static struct counters *cnt;

static void child_work(char *w, unsigned int seed)
{
	size_t pages = 1 + rand_r(&seed) % 16;
	char *p = wl_map(pages * WL_PAGE), *q;
	unsigned long i;

	for (i = 0; i < WPAGES; i += 1 + rand_r(&seed) % 4)
		w[i * WL_PAGE] ^= 1;			/* COW some */
	wl_fill(p, 0, pages, seed);
	q = mremap(p, pages * WL_PAGE, 2 * pages * WL_PAGE, MREMAP_MAYMOVE);
	WL_ASSERT(q != MAP_FAILED, "child mremap: %s", strerror(errno));
	WL_ASSERT(wl_check(q, 0, pages, seed) == 0, "child moved data");
	if (rand_r(&seed) % 4 == 0) {
		pid_t g = fork();		/* unregistered, short-lived */

		if (g == 0) {
			q[0] = 1;
			_exit(0);
		}
		if (g > 0)
			waitpid(g, NULL, 0);
	}
	munmap(q, 2 * pages * WL_PAGE);
}

static void worker(int id, double deadline)
{
	unsigned int seed = 0x5eed + id * 7919 + getpid();
	char *w = wl_map(WPAGES * WL_PAGE);
	int kids = 0, acked = wl_phase();
	unsigned long it = 0, forks = 0;

	wl_fill(w, 0, WPAGES, 0x5700000u + id);
	while (wl_now() < deadline) {
		int op = rand_r(&seed) % 4, ph = wl_phase();

		if (getppid() != wl->top)	/* the driver was killed: stop */
			break;
		if (ph != acked && (ph & 1)) {	/* pause requested */
			while (kids > 0) {
				int st;
				pid_t p = wait(&st);

				WL_ASSERT(p > 0, "wait: %s", strerror(errno));
				wl_unregister_pid(p);
				WL_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0,
					  "storm child failed");
				kids--;
			}
			wl_ready();
			wl_wait_phase(ph + 1);
			acked = ph + 1;
			continue;
		}
		it++;
		if (op == 0) {
			pid_t c = wl_fork();

			if (c == 0) {
				child_work(w, seed + (unsigned int)it);
				wl_exit_child();
			}
			kids++;
			forks++;
			for (;;) {	/* keep at most 4 children outstanding */
				int st;
				pid_t p = waitpid(-1, &st, kids >= 4 ? 0 : WNOHANG);

				if (p <= 0)
					break;
				wl_unregister_pid(p);
				WL_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0,
					  "storm child failed");
				kids--;
			}
		} else if (op == 1) {
			size_t pages = 1 + rand_r(&seed) % 32;
			char *p = wl_map(pages * WL_PAGE), *q;

			wl_fill(p, 0, pages, seed);
			q = mremap(p, pages * WL_PAGE, (pages + 8) * WL_PAGE, MREMAP_MAYMOVE);
			WL_ASSERT(q != MAP_FAILED, "mremap: %s", strerror(errno));
			WL_ASSERT(wl_check(q, 0, pages, seed) == 0, "moved data");
			WL_ASSERT(munmap(q + WL_PAGE, WL_PAGE) == 0, "munmap hole");
			munmap(q, (pages + 8) * WL_PAGE);
		} else if (op == 2) {
			size_t k = 1 + rand_r(&seed) % (WPAGES - 2);

			WL_ASSERT(mprotect(w + k * WL_PAGE, WL_PAGE, PROT_READ) == 0, "mprotect");
			WL_ASSERT(mprotect(w + k * WL_PAGE, WL_PAGE,
					   PROT_READ | PROT_WRITE) == 0, "mprotect back");
		} else {
			size_t k = rand_r(&seed) % WPAGES;

			w[k * WL_PAGE + 8] ^= 1;
			w[k * WL_PAGE + 8] ^= 1;
		}
	}
	while (kids-- > 0) {
		int st;
		pid_t p = wait(&st);

		if (p > 0)
			wl_unregister_pid(p);
		WL_ASSERT(p > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "storm child");
	}
	WL_ASSERT(wl_check(w, 0, WPAGES, 0x5700000u + id) == 0, "worker region");
	__atomic_add_fetch(&cnt->iters, it, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&cnt->forks, forks, __ATOMIC_SEQ_CST);
}

int main(int argc, char **argv)
{
	double secs, every, start, deadline, next;
	unsigned long nprocs, i;
	int pauses = 0, base;
	char label[64];

	if (argc < 2) {
		fprintf(stderr, "usage: wl-storm SECONDS [NPROCS=4] [PAUSE_EVERY=0]\n");
		return 2;
	}
	wl_init("wl-storm");
	secs = atof(argv[1]);
	nprocs = wl_arg(argc, argv, 2, 4);
	every = argc > 3 ? atof(argv[3]) : 0;
	WL_ASSERT(nprocs >= 1 && nprocs <= 64, "NPROCS 1..64");
	cnt = mmap(NULL, sizeof(*cnt), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	WL_ASSERT(cnt != MAP_FAILED, "mmap counters");
	start = wl_now();
	deadline = start + secs;
	for (i = 0; i < nprocs; i++)
		if (wl_fork() == 0) {
			worker((int)i, deadline);
			wl_exit_child();
		}
	next = every > 0 ? start + every : deadline;
	while (every > 0 && next < deadline - every / 4) {
		double d = next - wl_now();

		if (d > 0)
			usleep((useconds_t)(d * 1e6));
		base = wl_ready_count();
		wl_set_phase(wl_phase() + 1);	/* odd: pause */
		/* a worker past the deadline does not park: count only live ones */
		while (wl_ready_count() < base + (int)nprocs && wl_now() < deadline)
			usleep(1000);
		if (wl_ready_count() >= base + (int)nprocs) {
			snprintf(label, sizeof(label), "storm-pause-%d", ++pauses);
			wl_info("mode=storm pause=%d", pauses);
			wl_checkpoint(label);
		}
		wl_set_phase(wl_phase() + 1);	/* even: go on */
		next += every;
	}
	wl_reap_all();
	wl_msg("storm seconds=%.1f procs=%lu pauses=%d iterations=%lu forks=%lu",
	       wl_now() - start, nprocs, pauses, cnt->iters, cnt->forks);
	WL_ASSERT(cnt->iters > 0, "no iterations ran");
	wl_checkpoint("storm-done");
	return wl_finish();
}
