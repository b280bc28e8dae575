// SPDX-License-Identifier: GPL-2.0
/*
 * demo-workload - a small fork tree over shared anonymous memory.
 *
 * The parent maps and writes an anonymous region, then forks children: odd
 * children copy-on-write a few pages each, child 1 also forks a grandchild
 * that writes its own pages, child 0 moves a second region with mremap.
 * Everyone then waits until stdin reaches end of file, a SIGTERM/SIGINT/
 * SIGHUP arrives or the time limit passes.  The output names every process
 * and the addresses worth looking up:
 *
 *   parent pid=P region=0xA pages=N shared=0xS
 *   child pid=C index=I cow=0xX+K
 *   grandchild pid=G parent=C cow=0xX+K
 *   mremap pid=C old=0xO new=0xN pages=M
 *   ready
 *
 * usage: demo-workload [-c CHILDREN] [-p PAGES] [-t SECONDS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define COW_PAGES	4
#define MOVE_PAGES	16
#define MAX_CHILDREN	64

static volatile sig_atomic_t stop;
static long page_size;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One write(2) per line: lines from several processes never interleave. */
static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(STDOUT_FILENO, buf, (size_t)n) != n)
		exit(1);
}

static void *map_anon(size_t pages)
{
	void *p = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void touch(char *p, size_t pages, int value)
{
	size_t i;

	for (i = 0; i < pages; i++)
		memset(p + i * page_size, value, 64);
}

static void wait_for_stop(void)
{
	char c;

	while (!stop) {
		ssize_t n = read(STDIN_FILENO, &c, 1);

		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
}

/* Children: die with the parent, stop on SIGTERM (default action). */
static void child_setup(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		die("prctl");
}

static void child_pause(int ready_fd)
{
	if (write(ready_fd, "x", 1) != 1)
		die("write ready");
	close(ready_fd);
	for (;;)
		pause();
}

static void move_region(char *old)
{
	char *dst, *moved;

	/* Reserve a destination so the move is a real move (MREMAP_FIXED). */
	dst = mmap(NULL, 2 * MOVE_PAGES * page_size, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED)
		die("mmap reserve");
	moved = mremap(old, MOVE_PAGES * page_size, 2 * MOVE_PAGES * page_size,
		       MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	if (moved == MAP_FAILED)
		die("mremap");
	touch(moved + MOVE_PAGES * page_size, MOVE_PAGES, 0x4d);
	say("mremap pid=%d old=%p new=%p pages=%d\n", getpid(), (void *)old,
	    (void *)moved, 2 * MOVE_PAGES);
}

static pid_t spawn(int index, char *region, size_t pages, char *movable,
		   int ready_fd)
{
	pid_t pid = fork();
	size_t first;

	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	child_setup();
	first = (size_t)index * COW_PAGES % pages;
	if (index % 2 && first + COW_PAGES <= pages) {
		touch(region + first * page_size, COW_PAGES, 0x10 + index);
		say("child pid=%d index=%d cow=%p+%d\n", getpid(), index,
		    (void *)(region + first * page_size), COW_PAGES);
	} else {
		say("child pid=%d index=%d cow=none\n", getpid(), index);
	}
	if (index == 0)
		move_region(movable);
	if (index == 1) {
		pid_t parent = getpid();
		pid_t g = fork();

		if (g < 0)
			die("fork");
		if (!g) {
			child_setup();
			first = pages - COW_PAGES;
			touch(region + first * page_size, COW_PAGES, 0x77);
			say("grandchild pid=%d parent=%d cow=%p+%d\n",
			    getpid(), parent, (void *)(region + first * page_size),
			    COW_PAGES);
			child_pause(ready_fd);
		}
	}
	child_pause(ready_fd);
	return 0;
}

int main(int argc, char **argv)
{
	pid_t kids[MAX_CHILDREN];
	int children = 4, seconds = 120, expect, got, i, opt, ready[2];
	size_t pages = 64;
	char *region, *movable, c;
	struct sigaction sa;

	while ((opt = getopt(argc, argv, "c:p:t:")) != -1) {
		switch (opt) {
		case 'c':
			children = atoi(optarg);
			break;
		case 'p':
			pages = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: %s [-c CHILDREN] [-p PAGES] [-t SECONDS]\n",
				argv[0]);
			return 2;
		}
	}
	if (children < 1 || children > MAX_CHILDREN ||
	    pages < 2 * COW_PAGES || seconds < 1) {
		fprintf(stderr, "%s: bad arguments\n", argv[0]);
		return 2;
	}
	page_size = sysconf(_SC_PAGESIZE);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);

	region = map_anon(pages);
	movable = map_anon(MOVE_PAGES);
	touch(region, pages, 0x5a);
	touch(movable, MOVE_PAGES, 0x6b);
	say("parent pid=%d region=%p pages=%zu shared=%p\n", getpid(),
	    (void *)region, pages, (void *)(region + pages / 2 * page_size));

	if (pipe(ready))
		die("pipe");
	for (i = 0; i < children; i++)
		kids[i] = spawn(i, region, pages, movable, ready[1]);
	close(ready[1]);
	expect = children + (children > 1);
	for (got = 0; got < expect && read(ready[0], &c, 1) == 1; got++)
		;
	close(ready[0]);
	if (got != expect) {
		fprintf(stderr, "%s: only %d of %d processes ready\n", argv[0],
			got, expect);
		stop = 1;
	} else {
		say("ready\n");
	}

	wait_for_stop();
	for (i = 0; i < children; i++)
		kill(kids[i], SIGTERM);
	for (i = 0; i < children; i++)
		waitpid(kids[i], NULL, 0);
	return got == expect ? 0 : 1;
}
