// SPDX-License-Identifier: GPL-2.0
/*
 * wl-thp - transparent huge pages: a 2 MiB-aligned 4 MiB anon region with
 * MADV_HUGEPAGE, touched, forked (PMD shared), a subpage COW'd in the child
 * (PMD split), part mprotect'ed in the parent (split), then the whole region
 * moved with MREMAP_FIXED to another 2 MiB-aligned place (PMD move).
 *
 *   wl-thp [MIB=4]
 *
 * If no huge page could be had (THP disabled, fragmentation), the workload
 * says so and goes on with small pages, unless WL_REQUIRE_THP=1: then it
 * fails.  SR_INFO carries anon_huge_kb= for the region.
 */
#include "wl.h"

#define HPAGE (2UL << 20)
#define TAG_H 0x7A9E0000u

/* AnonHugePages of the VMAs overlapping [p, p+len), in kB */
static long anon_huge_kb(const void *p, size_t len)
{
	unsigned long s = (unsigned long)p, e = s + len, a, b;
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0;
	long kb, total = 0;

	WL_ASSERT(f, "open smaps");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a < e && b > s;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			total += kb;
	}
	fclose(f);
	return total;
}

int main(int argc, char **argv)
{
	unsigned long mib = wl_arg(argc, argv, 1, 4);
	size_t len = mib << 20, pages = len / WL_PAGE;
	char *r, *want, *t, *n;
	long huge;
	int base, ph;
	pid_t child;

	wl_init("wl-thp");
	WL_ASSERT(mib >= 4 && mib % 2 == 0, "MIB must be an even number >= 4");
	base = wl_ready_count();
	ph = wl_phase();
	want = wl_free_area(len, HPAGE);
	r = mmap(want, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	WL_ASSERT(r == want, "mmap aligned: %s", strerror(errno));
	WL_ASSERT(madvise(r, len, MADV_HUGEPAGE) == 0, "MADV_HUGEPAGE: %s", strerror(errno));
	wl_fill(r, 0, pages, TAG_H);
	huge = anon_huge_kb(r, len);
	if (huge == 0) {
		WL_ASSERT(!getenv("WL_REQUIRE_THP") || strcmp(getenv("WL_REQUIRE_THP"), "1"),
			  "no huge page in the region (WL_REQUIRE_THP=1)");
		wl_msg("note: no huge page in the region; going on with small pages");
	}
	wl_info("mode=thp base=%#lx pages=%zu anon_huge_kb=%ld", (unsigned long)r,
		pages, huge);
	wl_checkpoint("thp-touched");

	child = wl_fork();
	if (child == 0) {
		WL_ASSERT(wl_check(r, 0, pages, TAG_H) == 0, "child sees the parent's bytes");
		wl_ready();
		wl_wait_phase(ph + 1);
		wl_fill(r, 5, 1, TAG_H + 1);	/* COW one subpage of the first THP */
		WL_ASSERT(wl_check(r, 0, 5, TAG_H) == 0 && wl_check(r, 5, 1, TAG_H + 1) == 0 &&
			  wl_check(r, 6, pages - 6, TAG_H) == 0, "child after COW");
		wl_ready();
		wl_wait_phase(ph + 2);
		WL_ASSERT(wl_check(r, 0, 5, TAG_H) == 0 && wl_check(r, 5, 1, TAG_H + 1) == 0 &&
			  wl_check(r, 6, pages - 6, TAG_H) == 0,
			  "child's view changed by the parent's mprotect/mremap");
		wl_exit_child();
	}
	wl_wait_ready(base + 1);
	wl_checkpoint("thp-forked");
	wl_set_phase(ph + 1);
	wl_wait_ready(base + 2);
	WL_ASSERT(wl_check(r, 0, pages, TAG_H) == 0, "parent sees the child's COW");
	wl_checkpoint("thp-cow-subpage");

	/* split the second huge page with an mprotect of one subpage */
	WL_ASSERT(mprotect(r + HPAGE + 7 * WL_PAGE, WL_PAGE, PROT_READ) == 0, "mprotect");
	WL_ASSERT(wl_check(r, 0, pages, TAG_H) == 0, "data after mprotect");
	wl_checkpoint("thp-split-mprotect");
	WL_ASSERT(mprotect(r + HPAGE + 7 * WL_PAGE, WL_PAGE, PROT_READ | PROT_WRITE) == 0,
		  "mprotect back");
	wl_fill(r, HPAGE / WL_PAGE + 7, 1, TAG_H + 2);

	/* move the whole region to another 2 MiB-aligned place */
	t = wl_free_area(len, HPAGE);
	n = mremap(r, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	WL_ASSERT(n == t, "mremap: %s", n == MAP_FAILED ? strerror(errno) : "elsewhere");
	WL_ASSERT(wl_check(t, 0, HPAGE / WL_PAGE + 7, TAG_H) == 0 &&
		  wl_check(t, HPAGE / WL_PAGE + 7, 1, TAG_H + 2) == 0 &&
		  wl_check(t, HPAGE / WL_PAGE + 8, pages - HPAGE / WL_PAGE - 8, TAG_H) == 0,
		  "data after the move");
	wl_info("mode=thp base=%#lx pages=%zu anon_huge_kb=%ld moved_from=%#lx",
		(unsigned long)t, pages, anon_huge_kb(t, len), (unsigned long)r);
	wl_checkpoint("thp-moved");
	wl_set_phase(ph + 2);
	wl_reap(child);
	wl_checkpoint("thp-exited");
	munmap(t, len);
	return wl_finish();
}
