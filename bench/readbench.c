// SPDX-License-Identifier: GPL-2.0
/*
 * readbench: time whole reads of a file (open, read to EOF, close).
 *
 *   readbench FILE [REPS]          (default 5 repetitions)
 *
 * Prints: readbench file=F reps=N bytes=B min_us=.. median_us=.. max_us=..
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int reps = argc > 2 ? atoi(argv[2]) : 5, r;
	static char buf[1 << 20];
	double *t;
	long bytes = 0;

	if (argc < 2 || reps < 1) {
		fprintf(stderr, "usage: readbench FILE [REPS]\n");
		return 2;
	}
	t = calloc(reps, sizeof(*t));
	for (r = 0; r < reps; r++) {
		double t0 = now_us();
		int fd = open(argv[1], O_RDONLY);
		ssize_t n;

		if (fd < 0) {
			perror(argv[1]);
			return 1;
		}
		bytes = 0;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			bytes += n;
		close(fd);
		if (n < 0) {
			perror("read");
			return 1;
		}
		t[r] = now_us() - t0;
	}
	qsort(t, reps, sizeof(*t), cmp);
	printf("readbench file=%s reps=%d bytes=%ld min_us=%.1f median_us=%.1f max_us=%.1f\n",
	       argv[1], reps, bytes, t[0], t[reps / 2], t[reps - 1]);
	return 0;
}
