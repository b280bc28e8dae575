// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench: fork+exit throughput of a process with many written anon VMAs.
 *
 *   forkbench [VMAS [SECONDS]]     (defaults: 200 VMAs, 2 seconds)
 *
 * Maps VMAS one-page anonymous regions (kept apart by PROT_NONE pages so they
 * do not merge), writes each (so each has an anon_vma), then forks children
 * that exit at once and reaps them, for SECONDS of CLOCK_MONOTONIC time.
 * Prints: forkbench vmas=N forks=N seconds=S forks_per_sec=R
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/tools/apart.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int vmas = argc > 1 ? atoi(argv[1]) : 200;
	double secs = argc > 2 ? atof(argv[2]) : 2.0;
	long pg = sysconf(_SC_PAGESIZE);
	char *base;
	double t0, t;
	long forks = 0;

	base = map_apart(vmas, pg);
	if (!base)
		return 1;
	t0 = now();
	do {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid) {
			perror("waitpid");
			return 1;
		}
		forks++;
		t = now();
	} while (t - t0 < secs);
	printf("forkbench vmas=%d forks=%ld seconds=%.3f forks_per_sec=%.2f\n",
	       vmas, forks, t - t0, forks / (t - t0));
	return 0;
}
