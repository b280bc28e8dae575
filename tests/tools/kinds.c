// SPDX-License-Identifier: GPL-2.0
/*
 * kinds - every kind of page and query gets a clean one-line answer.
 *
 *   kinds [LOOKUP_PATH]
 *
 * Maps a file page, a shmem page, an anonymous page and (if THP is on) a
 * huge page, finds their pfns in its own /proc/self/pagemap, finds a free
 * page through /proc/kpageflags, and asks the lookup node about each, plus
 * an invalid pfn, a pid that does not exist and an unmapped address.  Each
 * answer's first line must name the expected kind.  Prints one line per
 * case and `kinds: ok` or `kinds: FAIL`.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096UL
#define KPF_BUDDY 10
#define KPF_THP 22

static const char *lookup_path = "/sys/kernel/debug/shadow_rmap/lookup";
static int failed;

static unsigned long pfn_of(void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)addr / PG * 8)) != 8) {
		perror("pagemap");
		exit(2);
	}
	close(fd);
	if (!(e >> 63))
		return 0;
	return e & ((1ULL << 55) - 1);
}

static void ask(const char *what, const char *query, const char *want)
{
	char buf[8192];
	int fd = open(lookup_path, O_RDWR);
	ssize_t n, len = 0;
	char *nl;

	if (fd < 0) {
		perror(lookup_path);
		exit(2);
	}
	if (write(fd, query, strlen(query)) != (ssize_t)strlen(query)) {
		printf("%-12s %-28s FAIL: write refused\n", what, query);
		failed = 1;
		close(fd);
		return;
	}
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (!strstr(buf, want)) {
		printf("%-12s %-28s FAIL: \"%s\" lacks \"%s\"\n", what, query, buf, want);
		failed = 1;
		return;
	}
	printf("%-12s %-28s ok: %s\n", what, query, buf);
}

/* Two identical mergeable pages and ksmd at full speed: a KSM page. */
static unsigned long ksm_pfn(void)
{
	static const char *const knobs[][2] = {
		{ "/sys/kernel/mm/ksm/pages_to_scan", "1000" },
		{ "/sys/kernel/mm/ksm/sleep_millisecs", "0" },
		{ "/sys/kernel/mm/ksm/run", "1" },
	};
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long a = 0;
	size_t i;
	int t;

	if (p == MAP_FAILED)
		return 0;
	memset(p, 0x5a, 2 * PG);
	if (madvise(p, 2 * PG, MADV_MERGEABLE))
		return 0;
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		int fd = open(knobs[i][0], O_WRONLY);

		if (fd < 0 || write(fd, knobs[i][1], strlen(knobs[i][1])) < 0)
			return 0;
		close(fd);
	}
	for (t = 0; t < 300; t++) {
		a = pfn_of(p);
		if (a && a == pfn_of(p + PG))
			return a;
		usleep(100000);
	}
	return 0;
}

static unsigned long free_pfn(void)
{
	uint64_t flags[512];
	unsigned long pfn;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		return 0;
	for (pfn = 4096; pfn < (1UL << 22); pfn += 512) {
		ssize_t n = pread(fd, flags, sizeof(flags), (off_t)(pfn * 8));
		int i;

		if (n <= 0)
			break;
		for (i = 0; i < n / 8; i++)
			if (flags[i] >> KPF_BUDDY & 1) {
				close(fd);
				return pfn + i;
			}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	char q[128];
	char *file, *shm, *anon, *huge;
	int fd, mfd, i;
	unsigned long pfn;

	if (argc > 1)
		lookup_path = argv[1];
	/* Our own executable: a page-cache page of a regular file system. */
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		return 2;
	file = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	mfd = memfd_create("kinds", 0);
	if (mfd < 0 || ftruncate(mfd, PG))
		return 2;
	shm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	anon = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	huge = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (file == MAP_FAILED || shm == MAP_FAILED || anon == MAP_FAILED ||
	    huge == MAP_FAILED)
		return 2;
	if (*(volatile char *)file != 0x7f)
		return 2;
	shm[0] = 1;
	anon[0] = 1;
	huge = (char *)(((uintptr_t)huge + (2 << 20) - 1) & ~((2UL << 20) - 1));
	madvise(huge, 2 << 20, MADV_HUGEPAGE);
	memset(huge, 1, 2 << 20);

	snprintf(q, sizeof(q), "pfn 0x%lx", pfn_of(file));
	ask("file", q, "kind=file");
	snprintf(q, sizeof(q), "pfn 0x%lx", pfn_of(shm));
	ask("shmem", q, "kind=shmem");
	snprintf(q, sizeof(q), "pfn 0x%lx", pfn_of(anon));
	ask("anon", q, "kind=anon");
	snprintf(q, sizeof(q), "pid %d %p", getpid(), (void *)anon);
	ask("anon by pid", q, "kind=anon");
	pfn = pfn_of(huge + 5 * PG);
	snprintf(q, sizeof(q), "pfn 0x%lx", pfn);
	ask("thp subpage", q, pfn_of(huge) + 5 == pfn ? "subpage=5" : "kind=anon");
	/* A free page may be taken before we ask: the first of three. */
	for (i = 0; i < 3; i++) {
		int was = failed;

		pfn = free_pfn();
		if (!pfn)
			break;
		snprintf(q, sizeof(q), "pfn 0x%lx", pfn);
		ask("free", q, "kind=free");
		if (!failed)
			break;
		failed = was || i == 2;
	}
	pfn = ksm_pfn();
	if (pfn) {
		snprintf(q, sizeof(q), "pfn 0x%lx", pfn);
		ask("ksm", q, "kind=ksm");
	} else {
		printf("%-12s no KSM merge within 30 s: not asked\n", "ksm");
	}
	ask("invalid", "pfn 0xfffffffffff", "kind=invalid");
	ask("no process", "pid 2147483647", "no such process");
	ask("kernel thread", "pid 2", "no user memory");
	snprintf(q, sizeof(q), "pid %d 0x1000", getpid());
	ask("unmapped", q, "kind=unmapped");
	printf("kinds: %s\n", failed ? "FAIL" : "ok");
	return failed;
}
