// SPDX-License-Identifier: GPL-2.0
/*
 * lookupbench: latency of "who maps this page" for a page shared by N
 * processes, by three methods.
 *
 *   lookupbench SHARERS METHOD:REPS...
 *
 * METHOD is one of
 *   module   shadow_rmap's lookup node: open, write `pfn N`, read to EOF
 *   kmod     bench/kmod's rmap_walk() node, the same way (kernel floor)
 *   pagemap  what a user has without a module: scan /proc/PID/maps of every
 *            process and read each mapping's /proc/PID/pagemap entries in
 *            bulk, looking for the pfn
 * The page is mapped and written by this process, then SHARERS-1 children
 * are forked that keep it shared (they never write it) and wait.
 * Prints per method:
 *   lookupbench sharers=N method=M reps=R found=F min_us=.. median_us=.. max_us=..
 * where F is the number of present mappings the last answer reported.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MODULE_NODE	"/sys/kernel/debug/shadow_rmap/lookup"
#define KMOD_NODE	"/sys/kernel/debug/rmapwalk_bench/lookup"
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_PRESENT	(1ULL << 63)
#define PM_CHUNK	65536

static char answer[8 << 20];
static uint64_t pm_buf[PM_CHUNK];

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

/* One debugfs lookup; returns the present count of its summary, or -1. */
static int node_lookup(const char *node, unsigned long pfn)
{
	char q[64], *s;
	int fd, len, present = -1;
	size_t got = 0;
	ssize_t n;

	fd = open(node, O_RDWR);
	if (fd < 0) {
		perror(node);
		exit(1);
	}
	len = snprintf(q, sizeof(q), "pfn 0x%lx\n", pfn);
	if (write(fd, q, len) != len) {
		perror("lookup write");
		exit(1);
	}
	while (got < sizeof(answer) - 1 &&
	       (n = read(fd, answer + got, sizeof(answer) - 1 - got)) > 0)
		got += n;
	close(fd);
	answer[got] = '\0';
	s = strstr(answer, "summary ");
	if (s)
		s = strstr(s, "present=");
	if (s)
		present = atoi(s + 8);
	return present;
}

/* Scan one process's mappings; returns how many map @pfn. */
static int scan_pid(const char *pid, unsigned long pfn, char **out)
{
	char path[64], line[512];
	FILE *maps;
	int pm, found = 0;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	maps = fopen(path, "r");
	if (!maps)
		return 0;
	snprintf(path, sizeof(path), "/proc/%s/pagemap", pid);
	pm = open(path, O_RDONLY);
	if (pm < 0) {
		fclose(maps);
		return 0;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long start, end, va;

		if (sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		for (va = start; va < end;) {
			size_t n = (end - va) / 4096, i;
			ssize_t got;

			if (n > PM_CHUNK)
				n = PM_CHUNK;
			got = pread(pm, pm_buf, n * 8, (va / 4096) * 8);
			if (got <= 0)
				break;
			n = got / 8;
			for (i = 0; i < n; i++) {
				if ((pm_buf[i] & PM_PRESENT) &&
				    (pm_buf[i] & PM_PFN_MASK) == pfn) {
					*out += sprintf(*out,
							"vma pid=%s addr=0x%lx pte=present\n",
							pid, va + i * 4096);
					found++;
				}
			}
			va += n * 4096;
		}
	}
	close(pm);
	fclose(maps);
	return found;
}

static int pagemap_lookup(unsigned long pfn)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char *out = answer;
	int found = 0;

	if (!d) {
		perror("/proc");
		exit(1);
	}
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]))
			found += scan_pid(e->d_name, pfn, &out);
	closedir(d);
	return found;
}

static unsigned long self_pfn(void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &e, 8, ((uintptr_t)p / 4096) * 8) != 8) {
		perror("/proc/self/pagemap");
		exit(1);
	}
	close(fd);
	if (!(e & PM_PRESENT) || !(e & PM_PFN_MASK)) {
		fprintf(stderr, "lookupbench: no pfn (need root)\n");
		exit(1);
	}
	return e & PM_PFN_MASK;
}

int main(int argc, char **argv)
{
	int sharers, i, a, hold[2], ready[2];
	unsigned long pfn;
	char *page, c;
	pid_t *kids;

	if (argc < 3) {
		fprintf(stderr, "usage: lookupbench SHARERS METHOD:REPS...\n");
		return 2;
	}
	sharers = atoi(argv[1]);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	kids = calloc(sharers, sizeof(*kids));
	if (page == MAP_FAILED || !kids || pipe(hold) || pipe(ready)) {
		perror("setup");
		return 1;
	}
	memset(page, 0x5a, 4096);
	pfn = self_pfn(page);
	for (i = 1; i < sharers; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("fork");
			return 1;
		}
		if (kids[i] == 0) {
			close(hold[1]);
			close(ready[0]);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			while (read(hold[0], &c, 1) > 0)
				;
			_exit(page[0] == 0x5a ? 0 : 1);
		}
	}
	close(hold[0]);
	close(ready[1]);
	for (i = 1; i < sharers; i++)
		if (read(ready[0], &c, 1) != 1)
			return 1;

	for (a = 2; a < argc; a++) {
		char method[32] = "";
		int reps = 10, r, found = -1;
		double *t;

		if (sscanf(argv[a], "%31[^:]:%d", method, &reps) < 1 || reps < 1)
			return 2;
		t = calloc(reps, sizeof(*t));
		for (r = 0; r < reps; r++) {
			double t0 = now_us();

			if (!strcmp(method, "module"))
				found = node_lookup(MODULE_NODE, pfn);
			else if (!strcmp(method, "kmod"))
				found = node_lookup(KMOD_NODE, pfn);
			else if (!strcmp(method, "pagemap"))
				found = pagemap_lookup(pfn);
			else
				return 2;
			t[r] = now_us() - t0;
		}
		qsort(t, reps, sizeof(*t), cmp);
		printf("lookupbench sharers=%d method=%s reps=%d found=%d",
		       sharers, method, reps, found);
		printf(" min_us=%.1f median_us=%.1f max_us=%.1f\n",
		       t[0], t[reps / 2], t[reps - 1]);
		fflush(stdout);
		free(t);
	}
	close(hold[1]);
	for (i = 1; i < sharers; i++)
		waitpid(kids[i], NULL, 0);
	return 0;
}
