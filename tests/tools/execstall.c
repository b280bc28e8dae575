// SPDX-License-Identifier: GPL-2.0
/*
 * execstall - hold an execve() after its new mm has its first anon link
 *
 *   execstall GO_FILE PROGRAM [ARG...]
 *
 * Exits 3 if userfaultfd is unavailable (not built in, or not allowed).
 * execve()s PROGRAM with one environment string that lives in a page
 * registered with userfaultfd.  The kernel copies the file name onto the
 * new stack first (so the new mm's stack VMA gets its anon_vma), then
 * faults on that string and waits.  The handler thread prints "stalled"
 * and fills the page only once GO_FILE exists; the exec then completes.
 * Meanwhile the new mm is reachable from no task: the case a verify must
 * settle by walking it late.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ENVSTR "SR_EXECSTALL=1"

static int uffd;
static long page;
static const char *go;

static void die(const char *what)
{
	fprintf(stderr, "execstall: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *handler(void *arg)
{
	struct uffdio_copy copy = { .len = page };
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;
	char *src;

	(void)arg;
	if (poll(&pfd, 1, -1) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		die("uffd read");
	if (msg.event != UFFD_EVENT_PAGEFAULT) {
		fprintf(stderr, "execstall: unexpected uffd event %u\n", msg.event);
		exit(1);
	}
	printf("stalled pid=%d\n", getpid());
	fflush(stdout);
	while (access(go, F_OK))
		usleep(10000);
	src = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED)
		die("mmap source");
	strcpy(src, ENVSTR);
	copy.src = (unsigned long)src;
	copy.dst = msg.arg.pagefault.address & ~(page - 1);
	if (ioctl(uffd, UFFDIO_COPY, &copy))
		die("UFFDIO_COPY");
	/* execve() now completes and de_thread() ends this thread. */
	pause();
	return NULL;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	char *held, *envp[2];
	pthread_t t;

	if (argc < 3) {
		fprintf(stderr, "usage: execstall GO_FILE PROGRAM [ARG...]\n");
		return 2;
	}
	go = argv[1];
	page = sysconf(_SC_PAGESIZE);
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0) {
		fprintf(stderr, "execstall: userfaultfd unavailable: %s\n",
			strerror(errno));
		return 3;
	}
	if (ioctl(uffd, UFFDIO_API, &api))
		die("UFFDIO_API");
	held = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (held == MAP_FAILED)
		die("mmap");
	reg.range.start = (unsigned long)held;
	reg.range.len = page;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER");
	errno = pthread_create(&t, NULL, handler, NULL);
	if (errno)
		die("pthread_create");
	envp[0] = held;
	envp[1] = NULL;
	execve(argv[2], argv + 2, envp);
	die("execve");
}
