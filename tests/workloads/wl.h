/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wl.h - shared helpers for the shadow_rmap workload programs.
 *
 * Header-only (static functions): every .c file in tests/workloads/ is a
 * program of its own.  Include it first (it defines _GNU_SOURCE).
 *
 * Checkpoints.  A workload calls wl_checkpoint(label) at moments when all of
 * its processes are alive and quiescent (blocked in futex_wait on the shared
 * control block, in waitpid, or in system()).  If the environment variable
 * SR_CHECK is set, it is run with system(); the command sees
 *   SR_LABEL  the checkpoint label,
 *   SR_PIDS   the tgids of every live process of the workload, space separated,
 *   SR_INFO   free-form key=value facts about the layout (addresses, counts),
 * and a non-zero status fails the workload (the message names the checkpoint;
 * the workload carries on so later checkpoints are reported too, and exits 1).
 *
 * Synchronisation.  All processes of a workload share a control block: a
 * memfd mapped MAP_SHARED (so it also survives exec: the fd number travels in
 * WL_CTL_FD).  Processes register their tgid in it, announce readiness with
 * wl_ready(), and park in wl_wait_phase() (FUTEX_WAIT) until the driver moves
 * the phase on with wl_set_phase().  The top-level process is a child
 * subreaper, so orphaned descendants are reaped by it.
 */
#ifndef WL_H
#define WL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_MAXPIDS 2048
#define WL_PAGE 4096UL

struct wl_ctl {
	int phase;		/* futex word: driver -> workers */
	int ready;		/* futex word: workers -> driver (monotonic) */
	int failed;		/* any process saw an assertion fail */
	int nslots;		/* slots used in pids[] */
	pid_t top;		/* the driver's tgid */
	pid_t pids[WL_MAXPIDS];	/* registered tgids; 0 = free slot */
	char info[1024];	/* exported as SR_INFO */
};

static struct wl_ctl *wl;
static const char *wl_name = "wl";
static int wl_ckpt_failures;
static int wl_ckpt_count;

static inline void wl_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void wl_msg(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), "%s[%d]: ", wl_name, (int)getpid());
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	/* one write() so lines of concurrent processes do not interleave */
	strncat(buf, "\n", sizeof(buf) - strlen(buf) - 1);
	if (write(2, buf, strlen(buf)) < 0)
		(void)0;
}

static inline void __attribute__((noreturn)) wl_die(void);

/* Fatal error in this process: mark the workload failed and exit. */
#define wl_fail(...) do {						\
	wl_msg("FAIL %s:%d: ", __FILE__, __LINE__);			\
	wl_msg(__VA_ARGS__);						\
	wl_die();							\
} while (0)

#define WL_ASSERT(cond, ...) do {					\
	if (!(cond)) {							\
		wl_msg("assertion '%s' failed", #cond);			\
		wl_fail(__VA_ARGS__);					\
	}								\
} while (0)

static inline long wl_futex(int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/*
 * Leave after a failure.  The driver kills every registered process first
 * so that no worker stays parked forever.
 */
static inline void __attribute__((noreturn)) wl_die(void)
{
	int i;

	if (!wl)
		exit(1);
	__atomic_store_n(&wl->failed, 1, __ATOMIC_SEQ_CST);
	if (wl->top != getpid())
		_exit(1);
	for (i = 0; i < wl->nslots; i++) {
		pid_t p = __atomic_load_n(&wl->pids[i], __ATOMIC_SEQ_CST);

		if (p && p != getpid())
			kill(p, SIGKILL);
	}
	exit(1);
}

static inline double wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void wl_register(void)
{
	pid_t me = getpid();
	int i, n = __atomic_load_n(&wl->nslots, __ATOMIC_SEQ_CST);

	for (i = 0; i < n; i++)
		if (__atomic_load_n(&wl->pids[i], __ATOMIC_SEQ_CST) == me)
			return;	/* already registered (e.g. before an exec) */
	for (i = 0; i < WL_MAXPIDS; i++) {
		pid_t zero = 0;

		if (__atomic_compare_exchange_n(&wl->pids[i], &zero, me, 0,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST)) {
			int n = __atomic_load_n(&wl->nslots, __ATOMIC_SEQ_CST);

			while (n < i + 1 &&
			       !__atomic_compare_exchange_n(&wl->nslots, &n, i + 1,
							    0, __ATOMIC_SEQ_CST,
							    __ATOMIC_SEQ_CST))
				;
			return;
		}
	}
	wl_fail("pid table full");
}

static inline void wl_unregister_pid(pid_t pid)
{
	int i, n = __atomic_load_n(&wl->nslots, __ATOMIC_SEQ_CST);

	for (i = 0; i < n; i++) {
		pid_t p = pid;

		if (__atomic_compare_exchange_n(&wl->pids[i], &p, 0, 0,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return;
	}
}

static inline void wl_unregister(void)
{
	wl_unregister_pid(getpid());
}

/* Worker is set up and about to park. */
static inline void wl_ready(void)
{
	__atomic_add_fetch(&wl->ready, 1, __ATOMIC_SEQ_CST);
	wl_futex(&wl->ready, FUTEX_WAKE, INT_MAX, NULL);
}

static inline int wl_ready_count(void)
{
	return __atomic_load_n(&wl->ready, __ATOMIC_SEQ_CST);
}

static inline double wl_timeout(void)
{
	const char *t = getenv("WL_TIMEOUT");

	return t ? atof(t) : 300.0;
}

/* Driver: wait until the (monotonic) ready counter reaches target. */
static inline void wl_wait_ready(int target)
{
	double deadline = wl_now() + wl_timeout();

	for (;;) {
		int cur = wl_ready_count();
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (cur >= target)
			return;
		if (__atomic_load_n(&wl->failed, __ATOMIC_SEQ_CST))
			wl_fail("a worker failed while waiting for %d ready (have %d)",
				target, cur);
		if (wl_now() > deadline)
			wl_fail("timeout waiting for %d ready (have %d)", target, cur);
		wl_futex(&wl->ready, FUTEX_WAIT, cur, &ts);
	}
}

/*
 * Worker: park until the phase is at least p.  Wakes once a second to give
 * up if the driver has gone (so a killed test leaves no workers behind);
 * such a wake-up does not touch any mapping.
 */
static inline void wl_wait_phase(int p)
{
	for (;;) {
		int cur = __atomic_load_n(&wl->phase, __ATOMIC_SEQ_CST);
		struct timespec ts = { 1, 0 };

		if (cur >= p)
			return;
		if (wl->top != getpid() && kill(wl->top, 0) < 0 && errno == ESRCH)
			_exit(3);
		wl_futex(&wl->phase, FUTEX_WAIT, cur, &ts);
	}
}

static inline void wl_set_phase(int p)
{
	__atomic_store_n(&wl->phase, p, __ATOMIC_SEQ_CST);
	wl_futex(&wl->phase, FUTEX_WAKE, INT_MAX, NULL);
}

/* Phase helper for drivers: release workers into phase p. */
static inline int wl_phase(void)
{
	return __atomic_load_n(&wl->phase, __ATOMIC_SEQ_CST);
}

static inline void wl_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void wl_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(wl->info, sizeof(wl->info), fmt, ap);
	va_end(ap);
}

static inline void wl_attach(int fd)
{
	wl = mmap(NULL, sizeof(*wl), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (wl == MAP_FAILED) {
		wl = NULL;
		wl_fail("mmap ctl: %s", strerror(errno));
	}
}

/*
 * Set up the control block (or attach to the one inherited through exec)
 * and register the calling process.
 */
static inline void wl_init(const char *name)
{
	const char *fdstr = getenv("WL_CTL_FD");
	char buf[16];
	int fd;

	wl_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fdstr && getenv("WL_CTL_INHERIT")) {
		wl_attach(atoi(fdstr));
		unsetenv("WL_CTL_INHERIT");
		wl_register();
		return;
	}
	fd = memfd_create("wl-ctl", 0);
	if (fd < 0)
		wl_fail("memfd_create: %s", strerror(errno));
	if (ftruncate(fd, sizeof(struct wl_ctl)) < 0)
		wl_fail("ftruncate: %s", strerror(errno));
	wl_attach(fd);
	snprintf(buf, sizeof(buf), "%d", fd);
	setenv("WL_CTL_FD", buf, 1);
	wl->top = getpid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		wl_fail("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	wl_register();
}

/*
 * Run SR_CHECK (if set) for this checkpoint.  Returns 0 if it passed or is
 * not configured.
 */
static inline int wl_checkpoint(const char *label)
{
	const char *cmd = getenv("SR_CHECK");
	char *pids;
	size_t len = 0, cap = 16 * WL_MAXPIDS;
	int i, n, st;

	wl_ckpt_count++;
	if (__atomic_load_n(&wl->failed, __ATOMIC_SEQ_CST))
		wl_fail("checkpoint %s: a workload process failed before it", label);
	if (getenv("WL_VERBOSE"))
		wl_msg("checkpoint %s", label);
	if (!cmd || !*cmd)
		return 0;
	pids = malloc(cap);
	if (!pids)
		wl_fail("malloc");
	pids[0] = 0;
	n = __atomic_load_n(&wl->nslots, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++) {
		pid_t p = __atomic_load_n(&wl->pids[i], __ATOMIC_SEQ_CST);

		if (p)
			len += snprintf(pids + len, cap - len, "%s%d",
					len ? " " : "", (int)p);
	}
	setenv("SR_LABEL", label, 1);
	setenv("SR_PIDS", pids, 1);
	setenv("SR_INFO", wl->info, 1);
	free(pids);
	fflush(stdout);
	fflush(stderr);
	st = system(cmd);
	if (st != 0) {
		wl_ckpt_failures++;
		wl_msg("checkpoint %s: SR_CHECK failed (%s %d)", label,
		       st == -1 ? "system() error" :
		       WIFEXITED(st) ? "exit status" : "signal",
		       st == -1 ? errno :
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		return -1;
	}
	return 0;
}

/*
 * Reap children (and, as subreaper, orphaned descendants) until none is
 * left.  A child that did not exit 0 marks the workload failed.
 */
static inline void wl_reap_all(void)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, 0)) > 0 || (p < 0 && errno == EINTR)) {
		if (p < 0)
			continue;
		wl_unregister_pid(p);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			wl_msg("process %d ended badly (%s %d)", (int)p,
			       WIFEXITED(st) ? "exit" : "signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			__atomic_store_n(&wl->failed, 1, __ATOMIC_SEQ_CST);
		}
	}
}

/* Reap one specific child; fail if it did not exit 0. */
static inline void wl_reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			wl_fail("waitpid %d: %s", (int)pid, strerror(errno));
	}
	wl_unregister_pid(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		wl_msg("process %d ended badly (%s %d)", (int)pid,
		       WIFEXITED(st) ? "exit" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		__atomic_store_n(&wl->failed, 1, __ATOMIC_SEQ_CST);
	}
}

/* Final verdict of the driver: returns the exit code for main(). */
static inline int wl_finish(void)
{
	int bad = __atomic_load_n(&wl->failed, __ATOMIC_SEQ_CST);

	if (bad || wl_ckpt_failures) {
		wl_msg("FAILED (%s%d of %d checkpoints failed)",
		       bad ? "assertions failed; " : "", wl_ckpt_failures,
		       wl_ckpt_count);
		return 1;
	}
	wl_msg("ok (%d checkpoints)", wl_ckpt_count);
	return 0;
}

/* fork() that registers the child; returns like fork(). */
static inline pid_t wl_fork(void)
{
	pid_t p;

	fflush(stdout);
	fflush(stderr);
	p = fork();
	if (p < 0)
		wl_fail("fork: %s", strerror(errno));
	if (p == 0)
		wl_register();
	return p;
}

/* Child side: leave cleanly. */
static inline void __attribute__((noreturn)) wl_exit_child(void)
{
	wl_unregister();
	_exit(0);
}

/* ---- memory helpers ---- */

static inline void *wl_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		wl_fail("mmap %zu: %s", len, strerror(errno));
	return p;
}

static inline uint64_t wl_word(uint32_t tag, size_t page, size_t w)
{
	return ((uint64_t)tag << 32) ^ ((uint64_t)page << 12) ^ w;
}

/* Write a page-distinct pattern into pages [first, first+n) of base. */
static inline void wl_fill(void *base, size_t first, size_t n, uint32_t tag)
{
	size_t i, w;

	for (i = first; i < first + n; i++) {
		uint64_t *q = (uint64_t *)((char *)base + i * WL_PAGE);

		for (w = 0; w < WL_PAGE / 8; w++)
			q[w] = wl_word(tag, i, w);
	}
}

/*
 * Check pages [first, first+n) of base hold the pattern of tag, where page
 * numbers are counted relative to orig_first (so a moved region keeps
 * checking against the numbers it was written with).
 */
static inline int wl_check_at(const void *base, size_t first, size_t n,
			      uint32_t tag, size_t orig_first)
{
	size_t i, w;

	for (i = 0; i < n; i++) {
		const uint64_t *q = (const uint64_t *)((const char *)base +
						       (first + i) * WL_PAGE);

		for (w = 0; w < WL_PAGE / 8; w++)
			if (q[w] != wl_word(tag, orig_first + i, w)) {
				wl_msg("page %zu word %zu: have %#llx want %#llx (tag %#x)",
				       first + i, w, (unsigned long long)q[w],
				       (unsigned long long)wl_word(tag, orig_first + i, w),
				       tag);
				return -1;
			}
	}
	return 0;
}

static inline int wl_check(const void *base, size_t first, size_t n, uint32_t tag)
{
	return wl_check_at(base, first, n, tag, first);
}

static inline int wl_is_zero(const void *base, size_t len)
{
	const uint64_t *q = base;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (q[i])
			return 0;
	return 1;
}

/*
 * Count the /proc/self/maps lines that overlap [start, end).
 */
static inline int wl_count_vmas(const void *start, size_t len)
{
	unsigned long s = (unsigned long)start, e = s + len, a, b;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	if (!f)
		wl_fail("open maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a < e && b > s)
			n++;
	fclose(f);
	return n;
}

/* Is [p, p+len) fully mapped?  (mincore fails with ENOMEM on holes) */
static inline int wl_is_mapped(const void *p, size_t len)
{
	unsigned char vec[1024];
	size_t off;

	for (off = 0; off < len; off += 1024 * WL_PAGE) {
		size_t l = len - off < 1024 * WL_PAGE ? len - off : 1024 * WL_PAGE;

		if (mincore((void *)((const char *)p + off), l, vec) < 0)
			return 0;
	}
	return 1;
}

/*
 * Reserve len bytes of address space and return an address where len bytes
 * are free (the reservation is unmapped again).  When guard is set, an
 * inaccessible blocker page is left right after the area so that a later
 * in-place grow cannot happen.
 */
static inline void *wl_free_area(size_t len, size_t align)
{
	size_t span = len + align;
	char *p = mmap(NULL, span, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		wl_fail("mmap reserve: %s", strerror(errno));
	a = p;
	if (align > 1)
		a = (char *)(((unsigned long)p + align - 1) & ~(align - 1));
	munmap(p, span);
	return a;
}

static inline unsigned long wl_arg(int argc, char **argv, int i, unsigned long def)
{
	return argc > i ? strtoul(argv[i], NULL, 0) : def;
}

#endif /* WL_H */
