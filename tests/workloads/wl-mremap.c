// SPDX-License-Identifier: GPL-2.0
/*
 * wl-mremap - mremap of written anonymous regions.
 *
 *   wl-mremap move [PAGES=32]     grow with MREMAP_MAYMOVE past a blocker:
 *                                 the region must move, data intact
 *   wl-mremap grow [PAGES=32]     in-place grow into free space
 *   wl-mremap shrink [PAGES=32]   in-place shrink
 *   wl-mremap fixed [PAGES=32]    MREMAP_FIXED onto an existing mapping
 *   wl-mremap partial [PAGES=48]  move the middle third away and back
 *   wl-mremap fork [PAGES=32]     fork, then the child moves its copy (pages
 *                                 still shared with the parent at another
 *                                 address), the parent moves too, the child
 *                                 shrinks
 *   wl-mremap all
 */
#include "wl.h"

#define TAG_A 0xAAAA0000u

/* A written-to-be anon region of len bytes with our own PROT_NONE page after it. */
static char *blocked_region(size_t len)
{
	char *want = wl_free_area(len + WL_PAGE, WL_PAGE), *r;
	void *b;

	r = mmap(want, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	WL_ASSERT(r == want, "region: %s", strerror(errno));
	b = mmap(r + len, WL_PAGE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	WL_ASSERT(b == r + len, "blocker: %s", strerror(errno));
	return r;
}

static void do_move(unsigned long pages)
{
	size_t len = pages * WL_PAGE;
	char *r = blocked_region(len), *n;

	wl_fill(r, 0, pages, TAG_A);
	n = mremap(r, len, 2 * len, MREMAP_MAYMOVE);
	WL_ASSERT(n != MAP_FAILED, "mremap: %s", strerror(errno));
	WL_ASSERT(n != r, "region did not move despite the blocker");
	WL_ASSERT(wl_check(n, 0, pages, TAG_A) == 0, "data did not move intact");
	WL_ASSERT(!wl_is_mapped(r, len), "old range still mapped");
	wl_fill(n, pages, pages, TAG_A + 1);
	wl_info("mode=move old=%#lx new=%#lx pages=%lu", (unsigned long)r,
		(unsigned long)n, 2 * pages);
	wl_checkpoint("mremap-move");
	WL_ASSERT(wl_check(n, 0, pages, TAG_A) == 0 &&
		  wl_check(n, pages, pages, TAG_A + 1) == 0, "moved data");
	munmap(n, 2 * len);
	munmap(r + len, WL_PAGE);
}

static void do_grow(unsigned long pages)
{
	size_t len = pages * WL_PAGE;
	char *want = wl_free_area(2 * len, WL_PAGE), *r, *n;

	r = mmap(want, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	WL_ASSERT(r == want, "mmap at %p: %s", want, strerror(errno));
	wl_fill(r, 0, pages, TAG_A + 2);
	n = mremap(r, len, 2 * len, 0);
	WL_ASSERT(n == r, "in-place grow failed: %s", n == MAP_FAILED ?
		  strerror(errno) : "moved");
	WL_ASSERT(wl_check(r, 0, pages, TAG_A + 2) == 0, "data after grow");
	WL_ASSERT(wl_is_zero(r + len, len), "grown part not zero");
	wl_fill(r, pages, pages, TAG_A + 3);
	wl_info("mode=grow base=%#lx pages=%lu", (unsigned long)r, 2 * pages);
	wl_checkpoint("mremap-grow");
	WL_ASSERT(wl_check(r, 0, pages, TAG_A + 2) == 0 &&
		  wl_check(r, pages, pages, TAG_A + 3) == 0, "grown data");
	munmap(r, 2 * len);
}

static void do_shrink(unsigned long pages)
{
	size_t len = pages * WL_PAGE;
	char *r = wl_map(len), *n;

	wl_fill(r, 0, pages, TAG_A + 4);
	n = mremap(r, len, len / 2, 0);
	WL_ASSERT(n == r, "shrink: %s", n == MAP_FAILED ? strerror(errno) : "moved");
	WL_ASSERT(wl_check(r, 0, pages / 2, TAG_A + 4) == 0, "data after shrink");
	WL_ASSERT(!wl_is_mapped(r + len / 2, len - len / 2), "tail still mapped");
	wl_info("mode=shrink base=%#lx pages=%lu", (unsigned long)r, pages / 2);
	wl_checkpoint("mremap-shrink");
	munmap(r, len / 2);
}

static void do_fixed(unsigned long pages)
{
	size_t len = pages * WL_PAGE;
	char *r = wl_map(len), *t = wl_map(len + WL_PAGE), *n;

	wl_fill(r, 0, pages, TAG_A + 5);
	wl_fill(t, 0, pages + 1, TAG_A + 6);	/* will be replaced */
	n = mremap(r, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	WL_ASSERT(n == t, "MREMAP_FIXED: %s", n == MAP_FAILED ? strerror(errno) : "elsewhere");
	WL_ASSERT(wl_check(t, 0, pages, TAG_A + 5) == 0, "data after MREMAP_FIXED");
	WL_ASSERT(wl_check(t, pages, 1, TAG_A + 6) == 0, "page after the target");
	WL_ASSERT(!wl_is_mapped(r, len), "source still mapped");
	wl_info("mode=fixed base=%#lx pages=%lu", (unsigned long)t, pages);
	wl_checkpoint("mremap-fixed");
	munmap(t, len + WL_PAGE);
}

static void do_partial(unsigned long pages)
{
	unsigned long k = pages / 3;
	size_t len = 3 * k * WL_PAGE, kl = k * WL_PAGE;
	char *r = wl_map(len), *t = wl_free_area(kl + 2 * WL_PAGE, WL_PAGE) + WL_PAGE;
	char *n;

	wl_fill(r, 0, 3 * k, TAG_A + 7);
	n = mremap(r + kl, kl, kl, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	WL_ASSERT(n == t, "partial move: %s", n == MAP_FAILED ? strerror(errno) : "elsewhere");
	WL_ASSERT(wl_check(r, 0, k, TAG_A + 7) == 0 &&
		  wl_check(r, 2 * k, k, TAG_A + 7) == 0, "outer thirds");
	WL_ASSERT(wl_check_at(t, 0, k, TAG_A + 7, k) == 0, "moved middle");
	WL_ASSERT(!wl_is_mapped(r + kl, kl), "hole still mapped");
	wl_info("mode=partial base=%#lx pages=%lu middle=%#lx", (unsigned long)r,
		3 * k, (unsigned long)t);
	wl_checkpoint("mremap-partial-out");
	n = mremap(t, kl, kl, MREMAP_MAYMOVE | MREMAP_FIXED, r + kl);
	WL_ASSERT(n == r + kl, "move back: %s", n == MAP_FAILED ? strerror(errno) : "elsewhere");
	WL_ASSERT(wl_check(r, 0, 3 * k, TAG_A + 7) == 0, "data after moving back");
	wl_info("mode=partial base=%#lx pages=%lu vmas=%d", (unsigned long)r, 3 * k,
		wl_count_vmas(r, len));
	wl_checkpoint("mremap-partial-back");
	munmap(r, len);
}

static void do_fork(unsigned long pages)
{
	size_t len = pages * WL_PAGE;
	unsigned long q = pages / 4;
	char *r = blocked_region(len), *t, *n;
	int base = wl_ready_count(), ph = wl_phase();
	pid_t child;

	wl_fill(r, 0, pages, TAG_A + 8);
	child = wl_fork();
	if (child == 0) {
		n = mremap(r, len, 2 * len, MREMAP_MAYMOVE);
		WL_ASSERT(n != MAP_FAILED && n != r, "child move: %s",
			  n == MAP_FAILED ? strerror(errno) : "not moved");
		WL_ASSERT(wl_check(n, 0, pages, TAG_A + 8) == 0,
			  "child's moved copy does not hold the parent's bytes");
		wl_fill(n, 0, q, TAG_A + 9);		/* COW some */
		wl_fill(n, pages, pages, TAG_A + 10);	/* new tail */
		wl_ready();
		wl_wait_phase(ph + 1);
		WL_ASSERT(wl_check(n, 0, q, TAG_A + 9) == 0 &&
			  wl_check(n, q, pages - q, TAG_A + 8) == 0 &&
			  wl_check(n, pages, pages, TAG_A + 10) == 0,
			  "child's view after the parent wrote");
		n = mremap(n, 2 * len, len / 2, 0);
		WL_ASSERT(n != MAP_FAILED, "child shrink: %s", strerror(errno));
		WL_ASSERT(wl_check(n, 0, q, TAG_A + 9) == 0 &&
			  wl_check(n, q, pages / 2 - q, TAG_A + 8) == 0,
			  "child's view after shrinking");
		wl_ready();
		wl_wait_phase(ph + 2);
		wl_exit_child();
	}
	wl_wait_ready(base + 1);
	wl_info("mode=fork parent_base=%#lx pages=%lu child_cow_pages=0-%lu",
		(unsigned long)r, pages, q - 1);
	wl_checkpoint("mremap-fork-child-moved");
	t = wl_free_area(len + 2 * WL_PAGE, WL_PAGE) + WL_PAGE;
	n = mremap(r, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	WL_ASSERT(n == t, "parent move: %s", n == MAP_FAILED ? strerror(errno) : "elsewhere");
	WL_ASSERT(wl_check(t, 0, pages, TAG_A + 8) == 0, "parent's moved data");
	wl_fill(t, 2 * q, q, TAG_A + 11);
	wl_info("mode=fork parent_base=%#lx pages=%lu", (unsigned long)t, pages);
	wl_checkpoint("mremap-fork-both-moved");
	wl_set_phase(ph + 1);
	wl_wait_ready(base + 2);
	wl_checkpoint("mremap-fork-child-shrunk");
	wl_set_phase(ph + 2);
	wl_reap(child);
	WL_ASSERT(wl_check(t, 0, 2 * q, TAG_A + 8) == 0 &&
		  wl_check(t, 2 * q, q, TAG_A + 11) == 0 &&
		  wl_check(t, 3 * q, pages - 3 * q, TAG_A + 8) == 0, "parent's final view");
	wl_checkpoint("mremap-fork-exited");
	munmap(t, len);
	munmap(r + len, WL_PAGE);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(unsigned long pages);
		unsigned long def;
	} modes[] = {
		{ "move", do_move, 32 }, { "grow", do_grow, 32 },
		{ "shrink", do_shrink, 32 }, { "fixed", do_fixed, 32 },
		{ "partial", do_partial, 48 }, { "fork", do_fork, 32 },
	};
	const char *mode = argc > 1 ? argv[1] : "all";
	unsigned int i, hit = 0;

	wl_init("wl-mremap");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, "all") || !strcmp(mode, modes[i].name)) {
			unsigned long pages = strcmp(mode, "all") ?
				wl_arg(argc, argv, 2, modes[i].def) : modes[i].def;

			WL_ASSERT(pages >= 8, "PAGES must be >= 8");
			modes[i].fn(pages);
			hit++;
		}
	if (!hit) {
		fprintf(stderr,
			"usage: wl-mremap move|grow|shrink|fixed|partial|fork|all [PAGES]\n");
		return 2;
	}
	return wl_finish();
}
