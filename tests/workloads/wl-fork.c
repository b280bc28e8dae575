// SPDX-License-Identifier: GPL-2.0
/*
 * wl-fork - fork-shaped anon_vma situations.
 *
 *   wl-fork fanout [N=8] [PAGES=64] [REGIONS=0]
 *                                     N children of one parent share PAGES
 *                                     written pages; odd children COW-write
 *                                     the first PAGES/4.  REGIONS adds that
 *                                     many extra one-page anon VMAs (written,
 *                                     split apart by PROT_NONE pages), to
 *                                     multiply the anon_vmas and chains.
 *   wl-fork chain [D=6] [PAGES=16]    fork chain of depth D, all parents
 *                                     alive; every generation writes its copy
 *                                     of pages 1.. (page 0 stays shared by all).
 *   wl-fork chain-exit [D=6] [PAGES=16]
 *                                     fork chain where each parent exits
 *                                     before its child forks again (the
 *                                     kernel's anon_vma reuse); checkpoint at
 *                                     every generation.
 *   wl-fork cow [PAGES=32]            COW after fork, step by step.
 *   wl-fork all                       all of the above with defaults.
 */
#include "wl.h"

#define TAG_PARENT 0xA11CE000u

static void fanout(unsigned long n, unsigned long pages, unsigned long regions)
{
	unsigned long cow = pages / 4, i, ncow = 0;
	char *r = wl_map(pages * WL_PAGE);
	char *x = regions ? wl_map(2 * regions * WL_PAGE) : NULL;
	pid_t *kids = calloc(n, sizeof(*kids));
	int base = wl_ready_count(), ph = wl_phase();

	WL_ASSERT(kids, "calloc");
	wl_fill(r, 0, pages, TAG_PARENT);
	for (i = 0; i < regions; i++) {
		wl_fill(x, 2 * i, 1, TAG_PARENT + 1);
		WL_ASSERT(mprotect(x + (2 * i + 1) * WL_PAGE, WL_PAGE, PROT_NONE) == 0,
			  "mprotect: %s", strerror(errno));
	}
	if (regions)
		WL_ASSERT(wl_count_vmas(x, 2 * regions * WL_PAGE) == (int)(2 * regions),
			  "extra regions are not %lu VMAs", 2 * regions);
	for (i = 0; i < n; i++) {
		pid_t p = wl_fork();

		if (p == 0) {
			WL_ASSERT(wl_check(r, 0, pages, TAG_PARENT) == 0,
				  "child %lu does not see the parent's bytes", i);
			if (i & 1) {
				wl_fill(r, 0, cow, 0xC0000000u + i);
				WL_ASSERT(wl_check(r, 0, cow, 0xC0000000u + i) == 0,
					  "child %lu COW copy", i);
			}
			wl_ready();
			wl_wait_phase(ph + 1);
			WL_ASSERT(wl_check(r, cow, pages - cow, TAG_PARENT) == 0,
				  "child %lu shared pages changed", i);
			WL_ASSERT(wl_check(r, 0, cow, (i & 1) ?
					   0xC0000000u + i : TAG_PARENT) == 0,
				  "child %lu first pages changed", i);
			wl_exit_child();
		}
		kids[i] = p;
		if (i & 1)
			ncow++;
	}
	wl_wait_ready(base + n);
	wl_info("mode=fanout base=%#lx pages=%lu children=%lu cow_pages=%lu cow_children=%lu regions=%lu",
		(unsigned long)r, pages, n, cow, ncow, regions);
	wl_checkpoint("fanout");
	WL_ASSERT(wl_check(r, 0, pages, TAG_PARENT) == 0,
		  "parent's bytes changed by children's COW");
	wl_set_phase(ph + 1);
	for (i = 0; i < n; i++)
		wl_reap(kids[i]);
	wl_info("mode=fanout-exited base=%#lx pages=%lu", (unsigned long)r, pages);
	wl_checkpoint("fanout-exited");
	munmap(r, pages * WL_PAGE);
	if (regions) {
		for (i = 0; i < regions; i++)
			WL_ASSERT(wl_check(x, 2 * i, 1, TAG_PARENT + 1) == 0, "region %lu", i);
		munmap(x, 2 * regions * WL_PAGE);
	}
	free(kids);
}

static uint32_t gen_tag(unsigned long g)
{
	return g ? 0x6E000000u + g : TAG_PARENT;
}

/* Generation g (>= 1) of a chain: check what gen g-1 left, write own copy. */
static void chain_gen_write(char *r, unsigned long pages, unsigned long g)
{
	WL_ASSERT(wl_check(r, 0, 1, TAG_PARENT) == 0,
		  "gen %lu: page 0 of gen 0 lost", g);
	WL_ASSERT(wl_check(r, 1, pages - 1, gen_tag(g - 1)) == 0,
		  "gen %lu does not see gen %lu's bytes", g, g - 1);
	wl_fill(r, 1, pages - 1, gen_tag(g));
}

static void chain_live(unsigned long depth, unsigned long pages)
{
	char *r = wl_map(pages * WL_PAGE);
	int base = wl_ready_count(), ph = wl_phase();
	unsigned long g = 0;
	pid_t child;

	wl_fill(r, 0, pages, TAG_PARENT);
	child = wl_fork();
	if (child == 0) {
		for (g = 1;; g++) {
			chain_gen_write(r, pages, g);
			child = 0;
			if (g < depth)
				child = wl_fork();
			if (child)
				break;	/* parent of the next generation */
			if (g == depth)
				break;	/* last generation */
		}
		/* here: generation g; child = its own child (or 0) */
		wl_ready();
		wl_wait_phase(ph + 1);
		WL_ASSERT(wl_check(r, 1, pages - 1, gen_tag(g)) == 0,
			  "gen %lu copy changed", g);
		WL_ASSERT(wl_check(r, 0, 1, TAG_PARENT) == 0, "gen %lu page 0", g);
		if (child)
			wl_reap(child);
		wl_exit_child();
	}
	wl_wait_ready(base + depth);
	wl_info("mode=chain base=%#lx pages=%lu depth=%lu", (unsigned long)r,
		pages, depth);
	wl_checkpoint("chain");
	wl_set_phase(ph + 1);
	wl_reap(child);
	WL_ASSERT(wl_check(r, 0, pages, TAG_PARENT) == 0, "gen 0 bytes changed");
	wl_checkpoint("chain-exited");
	munmap(r, pages * WL_PAGE);
}

static void chain_exit(unsigned long depth, unsigned long pages)
{
	char *r = wl_map(pages * WL_PAGE);
	int base = wl_ready_count(), ph = wl_phase();
	unsigned long g;
	char label[64];
	pid_t top = getpid();

	wl_fill(r, 0, pages, TAG_PARENT);
	if (wl_fork() == 0) {
		for (g = 1;; g++) {
			double deadline = wl_now() + wl_timeout();

			/* wait until the parent generation is gone */
			while (getppid() != top) {
				WL_ASSERT(wl_now() < deadline, "gen %lu: parent never exited", g);
				usleep(1000);
			}
			chain_gen_write(r, pages, g);
			wl_ready();
			wl_wait_phase(ph + (int)g);
			if (g == depth)
				break;
			if (wl_fork() == 0)
				continue;	/* next generation */
			wl_exit_child();	/* parent leaves before the child forks */
		}
		wl_wait_phase(ph + (int)depth + 1);
		WL_ASSERT(wl_check(r, 1, pages - 1, gen_tag(depth)) == 0,
			  "last gen copy changed");
		wl_exit_child();
	}
	for (g = 1; g <= depth; g++) {
		wl_wait_ready(base + (int)g);
		/* the previous generation has exited: reap it so it is gone */
		if (g > 1) {
			int st;
			pid_t p = wait(&st);

			WL_ASSERT(p > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
				  "gen %lu ended badly", g - 1);
			wl_unregister_pid(p);
		}
		wl_info("mode=chain-exit base=%#lx pages=%lu gen=%lu",
			(unsigned long)r, pages, g);
		snprintf(label, sizeof(label), "chain-exit-gen%lu", g);
		wl_checkpoint(label);
		wl_set_phase(ph + (int)g);
	}
	wl_set_phase(ph + (int)depth + 1);
	wl_reap_all();
	WL_ASSERT(wl_check(r, 0, pages, TAG_PARENT) == 0, "gen 0 bytes changed");
	wl_checkpoint("chain-exit-done");
	munmap(r, pages * WL_PAGE);
}

static void cow(unsigned long pages)
{
	char *r = wl_map(pages * WL_PAGE);
	unsigned long h = pages / 2, q = pages / 4;
	int base = wl_ready_count(), ph = wl_phase();
	pid_t child;

	wl_fill(r, 0, pages, TAG_PARENT);
	child = wl_fork();
	if (child == 0) {
		WL_ASSERT(wl_check(r, 0, pages, TAG_PARENT) == 0, "child view after fork");
		wl_ready();
		wl_wait_phase(ph + 1);
		wl_fill(r, 0, h, 0xB0B00000u);
		wl_ready();
		wl_wait_phase(ph + 2);
		WL_ASSERT(wl_check(r, 0, h, 0xB0B00000u) == 0, "child's own copy");
		WL_ASSERT(wl_check(r, h, pages - h, TAG_PARENT) == 0,
			  "child sees the parent's later writes");
		wl_ready();
		wl_wait_phase(ph + 3);
		wl_exit_child();
	}
	wl_wait_ready(base + 1);
	wl_info("mode=cow base=%#lx pages=%lu step=shared", (unsigned long)r, pages);
	wl_checkpoint("cow-shared");
	wl_set_phase(ph + 1);
	wl_wait_ready(base + 2);
	WL_ASSERT(wl_check(r, 0, pages, TAG_PARENT) == 0,
		  "parent sees the child's writes");
	wl_info("mode=cow base=%#lx pages=%lu step=child-wrote child_pages=0-%lu",
		(unsigned long)r, pages, h - 1);
	wl_checkpoint("cow-child-wrote");
	wl_fill(r, h, q, 0xC0C00000u);
	wl_set_phase(ph + 2);
	wl_wait_ready(base + 3);
	wl_info("mode=cow base=%#lx pages=%lu step=parent-wrote parent_pages=%lu-%lu",
		(unsigned long)r, pages, h, h + q - 1);
	wl_checkpoint("cow-parent-wrote");
	wl_set_phase(ph + 3);
	wl_reap(child);
	WL_ASSERT(wl_check(r, 0, h, TAG_PARENT) == 0 &&
		  wl_check(r, h, q, 0xC0C00000u) == 0 &&
		  wl_check(r, h + q, pages - h - q, TAG_PARENT) == 0,
		  "parent's final view");
	wl_checkpoint("cow-exited");
	munmap(r, pages * WL_PAGE);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	int all = !strcmp(mode, "all");

	wl_init("wl-fork");
	if (all || !strcmp(mode, "fanout"))
		fanout(all ? 8 : wl_arg(argc, argv, 2, 8),
		       all ? 64 : wl_arg(argc, argv, 3, 64),
		       all ? 4 : wl_arg(argc, argv, 4, 0));
	if (all || !strcmp(mode, "chain"))
		chain_live(all ? 6 : wl_arg(argc, argv, 2, 6),
			   all ? 16 : wl_arg(argc, argv, 3, 16));
	if (all || !strcmp(mode, "chain-exit"))
		chain_exit(all ? 6 : wl_arg(argc, argv, 2, 6),
			   all ? 16 : wl_arg(argc, argv, 3, 16));
	if (all || !strcmp(mode, "cow"))
		cow(all ? 32 : wl_arg(argc, argv, 2, 32));
	if (!all && strcmp(mode, "fanout") && strcmp(mode, "chain") &&
	    strcmp(mode, "chain-exit") && strcmp(mode, "cow")) {
		fprintf(stderr, "usage: wl-fork fanout|chain|chain-exit|cow|all [args]\n");
		return 2;
	}
	return wl_finish();
}
