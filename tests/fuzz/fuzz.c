// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz - seeded random VMA histories for a tree of processes, checked at
 * checkpoints by SR_CHECK (as the workloads are, see wl.h).
 *
 *   fuzz [options] run           seeds from --seed on until --seconds/--seeds
 *   fuzz [options] seed N        one seed
 *   fuzz [options] replay FILE   an op list as printed (one op per line)
 *   fuzz [options] gen N         print seed N's op list, run nothing
 *
 * Options: --ops N (ops per seed, 300), --check-every N (50), --seed N
 * (FUZZ_SEED or 1), --seconds S, --seeds N, --procs N (8), --cap-pages N
 * (pages mapped per worker, 4096), --trace (what each op did), --no-min,
 * --min (replay: minimise too), --min-tries N (400), --min-seconds S (900),
 * --save DIR (minimised cases as DIR/seed-N.ops).
 *
 * Per seed one line "seed=N ops=N checkpoints=N result=ok|FAIL"; at the end
 * "fuzz: seeds=N ops=N checkpoints=N failures=N".  A failing seed is
 * minimised (fz-min.h) and the case printed in replay form, then replayed
 * twice to show it still fails.  Exit: 0 all passed, 1 failures, 2 usage.
 */
#include "../workloads/wl.h"
#include "fz-min.h"

static size_t opt_ops = 300, opt_every = 50, opt_seeds;
static size_t opt_min_tries = 400;
static double opt_seconds, opt_min_seconds = 900;
static int opt_no_min, opt_min;
static const char *opt_save;

static void fz_setup(void)
{
	const char *dir = getenv("TMPDIR");
	char path[512], page[FZ_PG];
	int fd, i;

	wl_init("fuzz");
	fd = memfd_create("fuzz-shm", 0);
	if (fd < 0 || ftruncate(fd, sizeof(*fz)) < 0)
		wl_fail("memfd: %s", strerror(errno));
	fz = mmap(NULL, sizeof(*fz), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fz == MAP_FAILED)
		wl_fail("mmap shm: %s", strerror(errno));
	close(fd);
	fz->driver = getpid();
	snprintf(path, sizeof(path), "%s/fuzz-file.XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		wl_fail("mkstemp %s: %s", path, strerror(errno));
	unlink(path);
	for (i = 0; i < FZ_FILE_PAGES; i++) {
		memset(page, 'a' + i % 26, sizeof(page));
		if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
			wl_fail("write %s: %s", path, strerror(errno));
	}
	fz->file_fd = fd;
}

static void fz_print_case(FILE *f, const char *what, const struct fz_op *ops,
			  size_t n)
{
	char txt[128];
	size_t i;

	fprintf(f, "# fuzz case: %s\n# replay: tests/bin/fuzz replay FILE\n", what);
	for (i = 0; i < n; i++) {
		fz_format(&ops[i], txt, sizeof(txt));
		fprintf(f, "%s\n", txt);
	}
	fflush(f);
}

static void fz_save(unsigned long long seed, const char *what,
		    const struct fz_op *ops, size_t n)
{
	char path[512];
	FILE *f;

	if (!opt_save)
		return;
	snprintf(path, sizeof(path), "%s/seed-%llu.ops", opt_save, seed);
	f = fopen(path, "w");
	if (!f) {
		wl_msg("cannot write %s: %s", path, strerror(errno));
		return;
	}
	fz_print_case(f, what, ops, n);
	fclose(f);
	printf("fuzz: case saved as %s\n", path);
}

/* The ops up to the failure, checks left out: what the minimiser starts on */
static size_t fz_prefix(const struct fz_op *list, const struct fz_outcome *out,
			struct fz_op *ops)
{
	size_t i, n = 0, end = out->at;

	if (list[end].kind != FZ_CHECK)
		end++;	/* the op a worker died in belongs to the case */
	for (i = 0; i < end; i++)
		if (list[i].kind != FZ_CHECK)
			ops[n++] = list[i];
	return n;
}

static void fz_report(unsigned long long seed, const struct fz_op *list,
		      const struct fz_outcome *out)
{
	struct fz_op *ops = malloc((out->at + 2) * sizeof(*ops));
	struct fz_min m = { .max_tries = opt_min_tries };
	size_t n0, n;
	char what[400], label[64];
	double t0 = wl_now();
	int i, again = 0;

	if (!ops)
		wl_fail("malloc");
	printf("fuzz: FAIL seed=%llu: %s\n", seed, out->why);
	n0 = fz_prefix(list, out, ops);
	n = n0;
	snprintf(label, sizeof(label), "min-s%llu", seed);
	m.label = label;
	m.deadline = t0 + opt_min_seconds;
	if (opt_no_min) {
		printf("fuzz: not minimised (--no-min)\n");
	} else if (fz_min_test(&m, ops, 0)) {
		printf("fuzz: the check fails with no ops at all: %s\n",
		       "the failure is not this sequence's");
	} else if (!fz_min_test(&m, ops, n)) {
		printf("fuzz: the %zu ops up to the failure passed from fresh processes: %s\n",
		       n, "not reproducible, not minimised");
	} else {
		printf("fuzz: minimising %zu ops\n", n);
		n = fz_ddmin(&m, ops, n);
		printf("fuzz: minimised %zu -> %zu ops in %zu tries (%.0f s)%s\n",
		       n0, n, m.tries, wl_now() - t0,
		       fz_min_spent(&m) ? ", budget spent" : "");
	}
	ops[n++] = (struct fz_op){ .kind = FZ_CHECK };
	snprintf(what, sizeof(what), "seed=%llu, %zu of %zu ops; %s", seed,
		 n - 1, n0, out->why);
	printf("fuzz: --- case (replay form) ---\n");
	fz_print_case(stdout, what, ops, n);
	printf("fuzz: --- end of case ---\n");
	fz_save(seed, what, ops, n);
	/* the case as it runs, traced, checker output shown */
	for (i = 0; i < 2; i++) {
		struct fz_outcome o;
		struct fz_stats st = { 0 };
		int trace = fz->trace;

		fz->trace = i == 0;
		if (i == 0)
			printf("fuzz: replaying the case, traced:\n");
		snprintf(label, sizeof(label), "case-s%llu", seed);
		fz_run(ops, n, label, &st, &o);
		fz->trace = trace;
		again += o.failed;
		if (o.failed && i == 0)
			printf("fuzz: replay: %s\n", o.why);
	}
	printf("fuzz: the case fails on replay %d of 2 times\n", again);
	free(ops);
}

static void fz_add(struct fz_stats *to, const struct fz_stats *st)
{
	int k;

	to->ops += st->ops;
	to->skipped += st->skipped;
	to->errors += st->errors;
	to->checks += st->checks;
	for (k = 0; k < FZ_NKINDS; k++)
		to->kind[k] += st->kind[k];
}

static void fz_summary(size_t seeds, const struct fz_stats *tot, int failures,
		       double secs)
{
	int k;

	printf("fuzz: kinds");
	for (k = 1; k < FZ_NKINDS; k++)
		printf(" %s=%lu", fz_kinds[k].name, tot->kind[k]);
	printf("\nfuzz: skipped=%lu errors=%lu time=%.0fs\n", tot->skipped,
	       tot->errors, secs);
	printf("fuzz: seeds=%zu ops=%lu checkpoints=%lu failures=%d\n", seeds,
	       tot->ops, tot->checks, failures);
}

static int fz_seeds(unsigned long long first, size_t count)
{
	struct fz_op *list = malloc(fz_list_max(opt_ops, opt_every) *
				    sizeof(*list));
	struct fz_stats tot = { 0 };
	double t0 = wl_now();
	unsigned long long seed;
	int failures = 0;
	size_t tried = 0;

	if (!list)
		wl_fail("malloc");
	for (seed = first; ; seed++) {
		struct fz_stats st = { 0 };
		struct fz_outcome out;
		char label[32];
		double t1 = wl_now();
		size_t n;

		if ((count && tried >= count) ||
		    (opt_seconds > 0 && t1 - t0 >= opt_seconds))
			break;
		n = fz_generate(seed, opt_ops, opt_every, list);
		snprintf(label, sizeof(label), "s%llu", seed);
		fz_run(list, n, label, &st, &out);
		tried++;
		fz_add(&tot, &st);
		printf("seed=%llu ops=%lu checkpoints=%d result=%s",
		       seed, st.ops, out.checks, out.failed ? "FAIL" : "ok");
		printf(" skipped=%lu errors=%lu time=%.1fs\n", st.skipped,
		       st.errors, wl_now() - t1);
		if (out.failed) {
			failures++;
			fz_report(seed, list, &out);
		}
	}
	fz_summary(tried, &tot, failures, wl_now() - t0);
	free(list);
	return failures ? 1 : 0;
}

static int fz_replay(const char *path)
{
	struct fz_op *list = NULL;
	struct fz_stats st = { 0 };
	struct fz_outcome out;
	size_t n = 0, cap = 0;
	char line[256];
	int lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		struct fz_op op;
		int rc = fz_parse(line, &op);

		lineno++;
		if (rc < 0) {
			fprintf(stderr, "fuzz: %s:%d: not an op: %s", path, lineno, line);
			return 2;
		}
		if (!rc)
			continue;
		if (n + 2 > cap) {
			cap = cap ? 2 * cap : 256;
			list = realloc(list, cap * sizeof(*list));
			if (!list)
				wl_fail("malloc");
		}
		list[n++] = op;
	}
	fclose(f);
	if (!n || list[n - 1].kind != FZ_CHECK)
		list[n++] = (struct fz_op){ .kind = FZ_CHECK };
	fz_run(list, n, "replay", &st, &out);
	printf("replay ops=%lu checkpoints=%d result=%s skipped=%lu errors=%lu\n",
	       st.ops, out.checks, out.failed ? "FAIL" : "ok", st.skipped,
	       st.errors);
	if (out.failed) {
		printf("fuzz: FAIL %s: %s\n", path, out.why);
		if (opt_min) {
			opt_no_min = 0;
			fz_report(0, list, &out);
		}
	}
	free(list);
	return out.failed ? 1 : 0;
}

static int fz_gen(unsigned long long seed)
{
	struct fz_op *list = malloc(fz_list_max(opt_ops, opt_every) *
				    sizeof(*list));
	char txt[128];
	size_t i, n;

	if (!list)
		return 2;
	n = fz_generate(seed, opt_ops, opt_every, list);
	for (i = 0; i < n; i++) {
		fz_format(&list[i], txt, sizeof(txt));
		printf("%s\n", txt);
	}
	free(list);
	return 0;
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: fuzz [options] run | seed N | replay FILE | gen N\n"
		"options: --ops N --check-every N --seed N --seconds S --seeds N\n"
		"         --procs N --cap-pages N --trace --no-min --min\n"
		"         --min-tries N --min-seconds S --save DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *s = getenv("FUZZ_SEED");
	unsigned long long seed = s && *s ? strtoull(s, NULL, 0) : 1;
	int i, trace = 0;
	unsigned long cap = 4096;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--trace")) {
			trace = 1;
			continue;
		}
		if (!strcmp(o, "--no-min")) {
			opt_no_min = 1;
			continue;
		}
		if (!strcmp(o, "--min")) {
			opt_min = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(o, "--ops"))
			opt_ops = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--check-every"))
			opt_every = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--seconds"))
			opt_seconds = atof(v);
		else if (!strcmp(o, "--seeds"))
			opt_seeds = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--procs"))
			fz_max_procs = atoi(v);
		else if (!strcmp(o, "--cap-pages"))
			cap = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--min-tries"))
			opt_min_tries = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--min-seconds"))
			opt_min_seconds = atof(v);
		else if (!strcmp(o, "--save"))
			opt_save = v;
		else
			usage();
	}
	if (i >= argc || fz_max_procs < 1 || fz_max_procs > FZ_MAXP || !opt_ops)
		usage();
	if (!strcmp(argv[i], "gen") && i + 1 < argc)
		return fz_gen(strtoull(argv[i + 1], NULL, 0));
	fz_setup();
	fz->trace = trace;
	fz->cap_pages = cap;
	if (!strcmp(argv[i], "run"))
		return fz_seeds(seed, opt_seeds);
	if (!strcmp(argv[i], "seed") && i + 1 < argc)
		return fz_seeds(strtoull(argv[i + 1], NULL, 0), 1);
	if (!strcmp(argv[i], "replay") && i + 1 < argc)
		return fz_replay(argv[i + 1]);
	usage();
}
