/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-min.h - shrink a failing op list to a short one that still fails.
 *
 * Delta debugging (ddmin, complements only): drop one of g chunks at a time;
 * keep any shorter list that still fails, else halve the chunks, until
 * single ops are dropped in turn and none can go (1-minimal).  Each try
 * runs from fresh processes with one checkpoint at the end, so a try fails
 * only through the checker or a worker dying.  The checker's own output
 * during tries goes to FUZZ_MIN_LOG (default /dev/null).
 */
#ifndef FZ_MIN_H
#define FZ_MIN_H

#include "fz-driver.h"

struct fz_min {
	const char *label;
	size_t tries, max_tries;
	double deadline;
	int out_fd, err_fd;	/* where progress goes while tries are quiet */
};

static int fz_min_spent(const struct fz_min *m)
{
	return m->tries >= m->max_tries || wl_now() > m->deadline;
}

static void fz_quiet(struct fz_min *m, int on)
{
	const char *log = getenv("FUZZ_MIN_LOG");
	int fd;

	fflush(stdout);
	fflush(stderr);
	if (!on) {
		dup2(m->out_fd, 1);
		dup2(m->err_fd, 2);
		close(m->out_fd);
		close(m->err_fd);
		return;
	}
	m->out_fd = dup(1);
	m->err_fd = dup(2);
	fd = open(log && *log ? log : "/dev/null",
		  O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
}

/* Does ops[0..n) followed by one checkpoint fail? */
static int fz_min_test(struct fz_min *m, const struct fz_op *ops, size_t n)
{
	struct fz_op *l = malloc((n + 1) * sizeof(*l));
	struct fz_outcome out;
	struct fz_stats st = { 0 };
	int save = fz->trace;

	if (!l)
		wl_fail("malloc");
	memcpy(l, ops, n * sizeof(*l));
	l[n] = (struct fz_op){ .kind = FZ_CHECK };
	fz->trace = 0;
	fz_quiet(m, 1);
	fz_run(l, n + 1, m->label, &st, &out);
	fz_quiet(m, 0);
	fz->trace = save;
	free(l);
	m->tries++;
	return out.failed;
}

/* ops[0..n) fails; shrink it in place and return the new length. */
static size_t fz_ddmin(struct fz_min *m, struct fz_op *ops, size_t n)
{
	struct fz_op *tmp = malloc(n * sizeof(*tmp) + 1);
	size_t gran = 2, sz = sizeof(*tmp);

	if (!tmp)
		wl_fail("malloc");
	while (n >= 2 && !fz_min_spent(m)) {
		size_t chunk = (n + gran - 1) / gran, lo;
		int reduced = 0;

		for (lo = 0; lo < n && !fz_min_spent(m); lo += chunk) {
			size_t hi = lo + chunk < n ? lo + chunk : n;
			size_t k = n - (hi - lo);

			memcpy(tmp, ops, lo * sz);
			memcpy(tmp + lo, ops + hi, (n - hi) * sz);
			if (fz_min_test(m, tmp, k)) {
				memcpy(ops, tmp, k * sz);
				n = k;
				reduced = 1;
				printf("fuzz: minimise: %zu ops still fail (try %zu)\n",
				       n, m->tries);
				break;
			}
		}
		if (reduced) {
			gran = gran > 2 ? gran - 1 : 2;
			continue;
		}
		if (gran >= n)
			break;
		gran = gran * 2 < n ? gran * 2 : n;
	}
	free(tmp);
	return n;
}

#endif /* FZ_MIN_H */
