// SPDX-License-Identifier: GPL-2.0
/*
 * wl-vma - VMA splits, holes and special anonymous cases.
 *
 *   wl-vma mprotect [PAGES=48]   fork, mprotect the middle third read-only in
 *                                the parent (split into 3 VMAs), then back
 *                                (merge into 1); the child splits its own copy
 *   wl-vma munmap [PAGES=64]     munmap holes in a written region, fork, the
 *                                child punches more holes
 *   wl-vma fileprivate [PAGES=32]  MAP_PRIVATE file mapping, COW some pages,
 *                                fork, the child COWs others
 *   wl-vma dontfork [PAGES=16]   MADV_DONTFORK, MADV_WIPEONFORK and a plain
 *                                region, then fork
 *   wl-vma all
 */
#include "wl.h"

#define TAG_V 0x5EC70000u

static void do_mprotect(unsigned long pages)
{
	unsigned long k = pages / 3;
	size_t len = 3 * k * WL_PAGE, kl = k * WL_PAGE;
	char *r = wl_map(len);
	int base = wl_ready_count(), ph = wl_phase();
	pid_t child;

	wl_fill(r, 0, 3 * k, TAG_V);
	WL_ASSERT(wl_count_vmas(r, len) == 1, "region is not one VMA");
	child = wl_fork();
	if (child == 0) {
		wl_ready();
		wl_wait_phase(ph + 1);
		WL_ASSERT(mprotect(r, kl, PROT_READ) == 0, "child mprotect");
		WL_ASSERT(wl_count_vmas(r, len) == 2, "child split");
		wl_fill(r, 2 * k, k, TAG_V + 2);	/* COW in the writable part */
		WL_ASSERT(wl_check(r, 0, 2 * k, TAG_V) == 0, "child's view");
		wl_ready();
		wl_wait_phase(ph + 2);
		wl_exit_child();
	}
	wl_wait_ready(base + 1);
	WL_ASSERT(mprotect(r + kl, kl, PROT_READ) == 0, "mprotect: %s", strerror(errno));
	WL_ASSERT(wl_count_vmas(r, len) == 3, "mprotect did not split into 3 VMAs (%d)",
		  wl_count_vmas(r, len));
	WL_ASSERT(wl_check(r, 0, 3 * k, TAG_V) == 0, "data after split");
	wl_info("mode=mprotect base=%#lx pages=%lu", (unsigned long)r, 3 * k);
	wl_checkpoint("mprotect-split");
	WL_ASSERT(mprotect(r + kl, kl, PROT_READ | PROT_WRITE) == 0, "mprotect back");
	WL_ASSERT(wl_count_vmas(r, len) == 1, "mprotect back did not merge (%d VMAs)",
		  wl_count_vmas(r, len));
	wl_fill(r, k, 1, TAG_V + 1);	/* the middle is writable again */
	wl_checkpoint("mprotect-merged");
	wl_set_phase(ph + 1);
	wl_wait_ready(base + 2);
	wl_checkpoint("mprotect-child-split");
	wl_set_phase(ph + 2);
	wl_reap(child);
	WL_ASSERT(wl_check(r, 0, k, TAG_V) == 0 && wl_check(r, k, 1, TAG_V + 1) == 0 &&
		  wl_check(r, k + 1, 2 * k - 1, TAG_V) == 0, "parent's final view");
	wl_checkpoint("mprotect-exited");
	munmap(r, len);
}

static void do_munmap(unsigned long pages)
{
	size_t len = pages * WL_PAGE;
	char *r = wl_map(len);
	int base = wl_ready_count(), ph = wl_phase();
	unsigned long i;
	pid_t child;

	WL_ASSERT(pages >= 32, "munmap needs PAGES >= 32");
	wl_fill(r, 0, pages, TAG_V + 3);
	/* holes: page 3-5, page 10, pages 20..29 */
	WL_ASSERT(munmap(r + 3 * WL_PAGE, 3 * WL_PAGE) == 0, "munmap 3-5");
	WL_ASSERT(munmap(r + 10 * WL_PAGE, WL_PAGE) == 0, "munmap 10");
	WL_ASSERT(munmap(r + 20 * WL_PAGE, 10 * WL_PAGE) == 0, "munmap 20-29");
	WL_ASSERT(wl_count_vmas(r, len) == 4, "holes: %d VMAs", wl_count_vmas(r, len));
	for (i = 0; i < pages; i++) {
		int hole = (i >= 3 && i <= 5) || i == 10 || (i >= 20 && i <= 29);

		WL_ASSERT(wl_is_mapped(r + i * WL_PAGE, WL_PAGE) == !hole, "page %lu", i);
		if (!hole)
			WL_ASSERT(wl_check(r, i, 1, TAG_V + 3) == 0, "page %lu data", i);
	}
	child = wl_fork();
	if (child == 0) {
		WL_ASSERT(wl_check(r, 0, 3, TAG_V + 3) == 0 &&
			  wl_check(r, 30, pages - 30, TAG_V + 3) == 0, "child's view");
		WL_ASSERT(munmap(r + 1 * WL_PAGE, WL_PAGE) == 0, "child munmap 1");
		WL_ASSERT(munmap(r + 40 * WL_PAGE, 2 * WL_PAGE) == 0, "child munmap 40");
		wl_fill(r, 12, 2, TAG_V + 4);
		wl_ready();
		wl_wait_phase(ph + 1);
		WL_ASSERT(wl_check(r, 0, 1, TAG_V + 3) == 0 &&
			  wl_check(r, 12, 2, TAG_V + 4) == 0 &&
			  wl_check(r, 30, 10, TAG_V + 3) == 0, "child's view later");
		wl_exit_child();
	}
	wl_wait_ready(base + 1);
	wl_info("mode=munmap base=%#lx pages=%lu", (unsigned long)r, pages);
	wl_checkpoint("munmap-holes-forked");
	wl_set_phase(ph + 1);
	wl_reap(child);
	WL_ASSERT(munmap(r, len) == 0, "munmap all");
	wl_checkpoint("munmap-all");
}

static void do_fileprivate(unsigned long pages)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	size_t len = pages * WL_PAGE;
	char path[4096], *buf = malloc(len), *r;
	int fd, base = wl_ready_count(), ph = wl_phase();
	unsigned long i;
	pid_t child;

	WL_ASSERT(buf, "malloc");
	snprintf(path, sizeof(path), "%s/wl-vma.XXXXXX", dir);
	fd = mkstemp(path);
	WL_ASSERT(fd >= 0, "mkstemp %s: %s", path, strerror(errno));
	unlink(path);
	wl_fill(buf, 0, pages, TAG_V + 5);
	WL_ASSERT(write(fd, buf, len) == (ssize_t)len, "write tmp file");
	r = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	WL_ASSERT(r != MAP_FAILED, "mmap file: %s", strerror(errno));
	WL_ASSERT(wl_check(r, 0, pages, TAG_V + 5) == 0, "file contents");
	for (i = 0; i < pages; i += 2)
		wl_fill(r, i, 1, TAG_V + 6);	/* COW even pages */
	child = wl_fork();
	if (child == 0) {
		for (i = 1; i < pages; i += 4)
			wl_fill(r, i, 1, TAG_V + 7);	/* COW some odd pages */
		wl_ready();
		wl_wait_phase(ph + 1);
		for (i = 0; i < pages; i++)
			WL_ASSERT(wl_check(r, i, 1, i % 2 == 0 ? TAG_V + 6 :
					   i % 4 == 1 ? TAG_V + 7 : TAG_V + 5) == 0,
				  "child page %lu", i);
		wl_exit_child();
	}
	wl_wait_ready(base + 1);
	wl_info("mode=fileprivate base=%#lx pages=%lu", (unsigned long)r, pages);
	wl_checkpoint("fileprivate-cow-forked");
	wl_set_phase(ph + 1);
	wl_reap(child);
	for (i = 0; i < pages; i++)
		WL_ASSERT(wl_check(r, i, 1, i % 2 ? TAG_V + 5 : TAG_V + 6) == 0,
			  "parent page %lu", i);
	WL_ASSERT(pread(fd, buf, len, 0) == (ssize_t)len &&
		  wl_check(buf, 0, pages, TAG_V + 5) == 0, "file changed by COW");
	wl_checkpoint("fileprivate-exited");
	munmap(r, len);
	close(fd);
	free(buf);
}

static void do_dontfork(unsigned long pages)
{
	size_t len = pages * WL_PAGE;
	char *a = wl_map(len), *b = wl_map(len), *c = wl_map(len);
	int base = wl_ready_count(), ph = wl_phase();
	pid_t child;

	WL_ASSERT(madvise(a, len, MADV_DONTFORK) == 0, "MADV_DONTFORK: %s", strerror(errno));
	WL_ASSERT(madvise(b, len, MADV_WIPEONFORK) == 0, "MADV_WIPEONFORK: %s",
		  strerror(errno));
	wl_fill(a, 0, pages, TAG_V + 8);
	wl_fill(b, 0, pages, TAG_V + 9);
	wl_fill(c, 0, pages, TAG_V + 10);
	child = wl_fork();
	if (child == 0) {
		WL_ASSERT(!wl_is_mapped(a, len), "DONTFORK region mapped in the child");
		WL_ASSERT(wl_is_mapped(b, len) && wl_is_zero(b, len),
			  "WIPEONFORK region not zero in the child");
		WL_ASSERT(wl_check(c, 0, pages, TAG_V + 10) == 0, "plain region");
		wl_fill(b, 0, pages / 2, TAG_V + 11);
		wl_ready();
		wl_wait_phase(ph + 1);
		WL_ASSERT(wl_check(b, 0, pages / 2, TAG_V + 11) == 0, "child's wiped region");
		wl_exit_child();
	}
	wl_wait_ready(base + 1);
	wl_info("mode=dontfork dontfork=%#lx wipeonfork=%#lx plain=%#lx pages=%lu",
		(unsigned long)a, (unsigned long)b, (unsigned long)c, pages);
	wl_checkpoint("dontfork-forked");
	wl_set_phase(ph + 1);
	wl_reap(child);
	WL_ASSERT(wl_check(a, 0, pages, TAG_V + 8) == 0 &&
		  wl_check(b, 0, pages, TAG_V + 9) == 0 &&
		  wl_check(c, 0, pages, TAG_V + 10) == 0, "parent's regions");
	wl_checkpoint("dontfork-exited");
	munmap(a, len);
	munmap(b, len);
	munmap(c, len);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(unsigned long pages);
		unsigned long def;
	} modes[] = {
		{ "mprotect", do_mprotect, 48 }, { "munmap", do_munmap, 64 },
		{ "fileprivate", do_fileprivate, 32 }, { "dontfork", do_dontfork, 16 },
	};
	const char *mode = argc > 1 ? argv[1] : "all";
	unsigned int i, hit = 0;

	wl_init("wl-vma");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, "all") || !strcmp(mode, modes[i].name)) {
			unsigned long pages = strcmp(mode, "all") ?
				wl_arg(argc, argv, 2, modes[i].def) : modes[i].def;

			WL_ASSERT(pages >= 6, "PAGES must be >= 6");
			modes[i].fn(pages);
			hit++;
		}
	if (!hit) {
		fprintf(stderr, "usage: wl-vma mprotect|munmap|fileprivate|dontfork|all [PAGES]\n");
		return 2;
	}
	return wl_finish();
}
