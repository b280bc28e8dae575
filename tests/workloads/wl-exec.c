// SPDX-License-Identifier: GPL-2.0
/*
 * wl-exec - vfork, exec, stack growth and brk growth.
 *
 *   wl-exec vfork [PAGES=16]   vfork + exec of this program in the child
 *   wl-exec exec [PAGES=16]    fork (pages shared), then the child execs this
 *                              program: its old mm and anon_vmas go away
 *   wl-exec stack [KB=1024]    deep recursion (4 KiB frames) plus an alloca
 *                              touched from its far end, fork at the deepest
 *                              point, the child grows its stack further
 *   wl-exec brk [PAGES=256]    sbrk and touch, fork, the child grows brk,
 *                              the parent shrinks brk
 *   wl-exec all
 * (wl-exec --exec-child PHASE PAGES is the exec'd child, not for direct use.)
 */
#include "wl.h"
#include <alloca.h>
#include <malloc.h>

#define TAG_E 0xE8EC0000u

static char *self_exe;

/* The exec'd program: attach to the control block, write, park. */
static int exec_child(int phase, unsigned long pages)
{
	char *r;

	wl_init("wl-exec-child");
	r = wl_map(pages * WL_PAGE);
	wl_fill(r, 0, pages, TAG_E + 50);
	wl_ready();
	wl_wait_phase(phase);
	WL_ASSERT(wl_check(r, 0, pages, TAG_E + 50) == 0, "exec child data");
	wl_unregister();
	return 0;
}

static void exec_self(int phase, unsigned long pages)
{
	char ph[32], pg[32];

	snprintf(ph, sizeof(ph), "%d", phase);
	snprintf(pg, sizeof(pg), "%lu", pages);
	execl(self_exe, "wl-exec", "--exec-child", ph, pg, (char *)NULL);
	_exit(127);
}

static void do_vfork(unsigned long pages)
{
	char *r = wl_map(pages * WL_PAGE);
	int base = wl_ready_count(), ph = wl_phase();
	pid_t child;

	wl_fill(r, 0, pages, TAG_E);
	setenv("WL_CTL_INHERIT", "1", 1);
	fflush(stdout);
	fflush(stderr);
	child = vfork();
	if (child == 0)
		exec_self(ph + 1, pages);	/* only exec or _exit after vfork */
	WL_ASSERT(child > 0, "vfork: %s", strerror(errno));
	unsetenv("WL_CTL_INHERIT");
	wl_wait_ready(base + 1);
	WL_ASSERT(wl_check(r, 0, pages, TAG_E) == 0, "parent data after vfork");
	wl_info("mode=vfork base=%#lx pages=%lu child=%d", (unsigned long)r, pages,
		(int)child);
	wl_checkpoint("vfork-exec");
	wl_set_phase(ph + 1);
	wl_reap(child);
	wl_checkpoint("vfork-exited");
	munmap(r, pages * WL_PAGE);
}

static void do_exec(unsigned long pages)
{
	char *r = wl_map(pages * WL_PAGE);
	int base = wl_ready_count(), ph = wl_phase();
	pid_t child;

	wl_fill(r, 0, pages, TAG_E + 1);
	setenv("WL_CTL_INHERIT", "1", 1);
	child = wl_fork();
	if (child == 0) {
		WL_ASSERT(wl_check(r, 0, pages, TAG_E + 1) == 0, "child before exec");
		wl_fill(r, 0, 1, TAG_E + 2);
		wl_ready();
		wl_wait_phase(ph + 1);
		exec_self(ph + 2, pages);
	}
	unsetenv("WL_CTL_INHERIT");
	wl_wait_ready(base + 1);
	wl_info("mode=exec base=%#lx pages=%lu child=%d", (unsigned long)r, pages,
		(int)child);
	wl_checkpoint("exec-before");
	wl_set_phase(ph + 1);
	wl_wait_ready(base + 2);	/* the exec'd program is up */
	WL_ASSERT(wl_check(r, 0, pages, TAG_E + 1) == 0, "parent data after exec");
	wl_checkpoint("exec-after");
	wl_set_phase(ph + 2);
	wl_reap(child);
	wl_checkpoint("exec-exited");
	munmap(r, pages * WL_PAGE);
}

/* ---- stack ---- */

static int stack_base, stack_ph;
static pid_t stack_child;

static void __attribute__((noinline)) touch_alloca(size_t bytes, uint32_t tag)
{
	char *p = alloca(bytes);
	size_t off;

	/* far end first: one fault well below the last touched stack page */
	for (off = 0; off < bytes; off += WL_PAGE)
		p[off] = (char)(tag + off / WL_PAGE);
	for (off = 0; off < bytes; off += WL_PAGE)
		WL_ASSERT(p[off] == (char)(tag + off / WL_PAGE), "alloca page %zu",
			  off / WL_PAGE);
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void __attribute__((noinline)) recurse(unsigned long depth, unsigned long max,
					      int is_child);

static void __attribute__((noinline)) at_bottom(unsigned long max, int is_child)
{
	if (is_child) {
		/* grow further in the child: its stack VMA is COW-shared */
		touch_alloca(256 * 1024, 0x77);
		recurse(0, 64, 2);
		return;
	}
	touch_alloca(1024 * 1024, 0x33);
	stack_child = wl_fork();
	if (stack_child == 0) {
		at_bottom(max, 1);
		wl_ready();
		wl_wait_phase(stack_ph + 1);
		wl_exit_child();
	}
	wl_wait_ready(stack_base + 1);
	wl_info("mode=stack frames=%lu", max);
	wl_checkpoint("stack-deep-forked");
	wl_set_phase(stack_ph + 1);
	wl_reap(stack_child);
	wl_checkpoint("stack-deep-child-exited");
}

static void __attribute__((noinline)) recurse(unsigned long depth, unsigned long max,
					      int is_child)
{
	volatile uint64_t frame[WL_PAGE / 8];
	unsigned long i;

	for (i = 0; i < WL_PAGE / 8; i += 64)
		frame[i] = wl_word(TAG_E + 3 + is_child, depth, i);
	if (depth + 1 < max)
		recurse(depth + 1, max, is_child);
	else if (is_child != 2)
		at_bottom(max, is_child);
	for (i = 0; i < WL_PAGE / 8; i += 64)
		WL_ASSERT(frame[i] == wl_word(TAG_E + 3 + is_child, depth, i),
			  "stack frame %lu clobbered", depth);
}

static void do_stack(unsigned long kb)
{
	stack_base = wl_ready_count();
	stack_ph = wl_phase();
	recurse(0, kb / 4, 0);
	wl_checkpoint("stack-unwound");
}

/* ---- brk ---- */

static void do_brk(unsigned long pages)
{
	int base = wl_ready_count(), ph = wl_phase();
	char *b, *end;
	pid_t child;

	/* keep malloc off the brk heap from here on, so it cannot grow above us */
	mallopt(M_MMAP_THRESHOLD, 0);
	b = sbrk(0);
	b = (char *)(((unsigned long)b + WL_PAGE - 1) & ~(WL_PAGE - 1));
	WL_ASSERT(brk(b + pages * WL_PAGE) == 0, "brk grow: %s", strerror(errno));
	wl_fill(b, 0, pages, TAG_E + 10);
	child = wl_fork();
	if (child == 0) {
		WL_ASSERT(wl_check(b, 0, pages, TAG_E + 10) == 0, "child brk data");
		WL_ASSERT(sbrk(0) == b + pages * WL_PAGE, "child brk moved");
		WL_ASSERT(brk(b + (pages + pages / 2) * WL_PAGE) == 0, "child brk grow");
		wl_fill(b, pages, pages / 2, TAG_E + 11);
		wl_fill(b, 0, 2, TAG_E + 12);
		wl_ready();
		wl_wait_phase(ph + 1);
		WL_ASSERT(wl_check(b, 0, 2, TAG_E + 12) == 0 &&
			  wl_check(b, 2, pages - 2, TAG_E + 10) == 0 &&
			  wl_check(b, pages, pages / 2, TAG_E + 11) == 0, "child's heap");
		wl_exit_child();
	}
	wl_wait_ready(base + 1);
	wl_info("mode=brk base=%#lx pages=%lu", (unsigned long)b, pages);
	wl_checkpoint("brk-grown-forked");
	end = sbrk(0);
	WL_ASSERT(end == b + pages * WL_PAGE, "brk moved under us");
	WL_ASSERT(brk(b + pages / 2 * WL_PAGE) == 0, "brk shrink: %s", strerror(errno));
	WL_ASSERT(wl_check(b, 0, pages / 2, TAG_E + 10) == 0, "heap after shrink");
	wl_checkpoint("brk-shrunk");
	wl_set_phase(ph + 1);
	wl_reap(child);
	wl_checkpoint("brk-exited");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	int all = !strcmp(mode, "all"), hit = 0;

	if (!strcmp(mode, "--exec-child") && argc == 4)
		return exec_child(atoi(argv[2]), strtoul(argv[3], NULL, 0));
	self_exe = realpath("/proc/self/exe", NULL);
	wl_init("wl-exec");
	WL_ASSERT(self_exe, "realpath /proc/self/exe");
	if (all || !strcmp(mode, "vfork"))
		do_vfork(all ? 16 : wl_arg(argc, argv, 2, 16)), hit++;
	if (all || !strcmp(mode, "exec"))
		do_exec(all ? 16 : wl_arg(argc, argv, 2, 16)), hit++;
	if (all || !strcmp(mode, "stack"))
		do_stack(all ? 1024 : wl_arg(argc, argv, 2, 1024)), hit++;
	if (all || !strcmp(mode, "brk"))
		do_brk(all ? 256 : wl_arg(argc, argv, 2, 256)), hit++;
	if (!hit) {
		fprintf(stderr, "usage: wl-exec vfork|exec|stack|brk|all [arg]\n");
		return 2;
	}
	return wl_finish();
}
