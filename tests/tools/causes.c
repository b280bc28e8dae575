// SPDX-License-Identifier: GPL-2.0
/*
 * causes - each cause counter of the stats node moves for its own system
 * call and for no other.
 *
 *   causes [STATS_PATH]
 *
 * For each operation (first fault, fork, exit, brk growth, mremap, mprotect
 * split and merge, munmap, stack growth) it reads the cause.* counters,
 * performs the operation once, reads them again, and requires the expected
 * cause to have moved and no other.  Another process's event between the
 * two reads would be noise, so a run with a foreign cause is retried (three
 * tries).  Prints one line per operation and `causes: ok` or `causes: FAIL`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define NCAUSE 16

static const char *stats_path = "/sys/kernel/debug/shadow_rmap/stats";
static char names[NCAUSE][24];
static int ncause;

struct snap {
	long v[NCAUSE];
};

/* No stdio between snapshots: a first printf would grow the heap. */
static void take(struct snap *s)
{
	static char buf[16384];
	int fd = open(stats_path, O_RDONLY);
	ssize_t n, len = 0;
	char *p;

	if (fd < 0) {
		perror(stats_path);
		exit(2);
	}
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	memset(s, 0, sizeof(*s));
	ncause = 0;
	for (p = strstr(buf, "cause."); p && ncause < NCAUSE;
	     p = strstr(p + 1, "\ncause.")) {
		char name[24], dir[16];
		long a, r;

		if (*p == '\n')
			p++;
		if (sscanf(p, "cause.%23[a-z_].links_%15s %ld", name, dir, &a) != 3 ||
		    strcmp(dir, "added"))
			continue;
		p = strchr(p, '\n');
		if (!p || sscanf(p + 1, "cause.%*[a-z_].links_removed %ld", &r) != 1)
			break;
		strcpy(names[ncause], name);
		s->v[ncause++] = a + r;
	}
}

/* A written region with PROT_NONE guards, so that no neighbour merges. */
static char *isolated(size_t pages)
{
	char *g = mmap(NULL, (pages + 2) * PG, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = g + PG;

	if (g == MAP_FAILED || mprotect(p, pages * PG, PROT_READ | PROT_WRITE)) {
		perror("isolated");
		exit(2);
	}
	return p;
}

static int pipefd[2];
static pid_t child;
static char *a, *b;

static void prep_fault(void) { a = isolated(4); }
static void op_fault(void) { a[0] = 1; }

static void prep_fork(void)
{
	if (pipe(pipefd))
		exit(2);
}

static void op_fork(void)
{
	char c;

	child = fork();
	if (child == 0) {
		if (read(pipefd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
}

static void op_exit(void)
{
	if (write(pipefd[1], "x", 1) != 1)
		exit(2);
	waitpid(child, NULL, 0);
}

static void prep_brk(void)
{
	char *p = sbrk(0);

	if (sbrk(4 * PG) == (void *)-1)
		exit(2);
	memset(p, 1, 4 * PG);
}

static void op_brk(void)
{
	if (sbrk(16 * PG) == (void *)-1)
		exit(2);
}

static void prep_mremap(void)
{
	a = isolated(8);
	memset(a, 1, 8 * PG);
	b = isolated(8);
}

static void op_mremap(void)
{
	if (mremap(a, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, b) != b)
		exit(2);
}

static void prep_split(void)
{
	a = isolated(8);
	memset(a, 1, 8 * PG);
}

static void op_split(void)
{
	if (mprotect(a + 3 * PG, 2 * PG, PROT_READ))
		exit(2);
}

static void op_merge(void)
{
	if (mprotect(a + 3 * PG, 2 * PG, PROT_READ | PROT_WRITE))
		exit(2);
}

static void op_munmap(void)
{
	if (munmap(a + 3 * PG, 2 * PG))
		exit(2);
}

static void prep_none(void) { }

/* Frames well below the stack VMA's current start grow it page by page. */
static void __attribute__((noinline)) deep(int n)
{
	volatile char frame[PG];

	frame[0] = (char)n;
	if (n > 0)
		deep(n - 1);
	frame[PG - 1] = frame[0];
}

static void op_stack(void) { deep(1024); }

struct op {
	const char *name, *cause;
	void (*prep)(void);
	void (*run)(void);
};

static const struct op ops[] = {
	{ "first fault", "fault", prep_fault, op_fault },
	{ "fork", "fork", prep_fork, op_fork },
	{ "exit", "exit", prep_none, op_exit },
	{ "brk growth", "mmap", prep_brk, op_brk },
	{ "mremap move", "mremap", prep_mremap, op_mremap },
	{ "mprotect split", "split_merge", prep_split, op_split },
	{ "mprotect merge", "split_merge", prep_none, op_merge },
	{ "munmap hole", "munmap", prep_split, op_munmap },
	{ "stack growth", "stack", prep_none, op_stack },
};

int main(int argc, char **argv)
{
	char report[sizeof(ops) / sizeof(ops[0])][256];
	int failed = 0;
	size_t i;

	if (argc > 1)
		stats_path = argv[1];
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct op *o = &ops[i];
		int try, c, len = 0, ok = 0, own = -1;

		for (try = 0; try < 3 && !ok; try++) {
			struct snap s0, s1;
			int foreign = 0;

			/* fork and exit come as a pair: never redo one alone */
			if (try && (o->run == op_fork || o->run == op_exit))
				break;
			o->prep();
			take(&s0);
			o->run();
			take(&s1);
			len = snprintf(report[i], sizeof(report[i]), "%-15s", o->name);
			own = -1;
			for (c = 0; c < ncause; c++) {
				long d = s1.v[c] - s0.v[c];

				if (!strcmp(names[c], o->cause))
					own = (int)d;
				else if (d)
					foreign = 1;
				if (d)
					len += snprintf(report[i] + len,
							sizeof(report[i]) - len,
							" %s+%ld", names[c], d);
			}
			ok = own > 0 && !foreign;
		}
		if (!ok)
			failed = 1;
		printf("%s  %s\n", report[i], ok ? "ok" :
		       own <= 0 ? "FAIL: own cause did not move" :
				  "FAIL: other causes moved");
	}
	printf("causes: %s\n", failed ? "FAIL" : "ok");
	return failed;
}
