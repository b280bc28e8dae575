// SPDX-License-Identifier: GPL-2.0
/*
 * badinput - malformed writes to the module's writable debugfs nodes.
 *
 *   badinput NODE_PATH COUNT [WRITERS=4] [SEED=1]
 *
 * WRITERS processes each send COUNT/WRITERS malformed lines (random bytes,
 * huge and negative numbers, partial, over-long, NUL-embedded, multi-line,
 * trailing garbage) to NODE_PATH, one open file per write, and require every
 * write to fail with EINVAL.  Prints `badinput: ok writes=N` or the first
 * write that did not fail as it should, and exits 0 or 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* Fill buf with one malformed line of the given kind; returns its length. */
static size_t make_bad(char *buf, size_t cap, unsigned int kind, unsigned int *s)
{
	static const char *const fixed[] = {
		"pfn 99999999999999999999999999", "pid 99999999999999999999",
		"pid -5", "pfn -1", "pid 0", "pf", "pid", "pfn", "pid 12 0x",
		"pid 12 0xzz", "resy", "resync now", "reset-stats x",
		"pfn 1 x", "pid 1 2 3", "PFN 1", " pfn", "pfn\t", "pfn 0x",
		"pid 1\npid 2\n", "pfn 1\n\n", "\n", "pid 1 -1", "pfn 1e3",
	};
	size_t n, i;

	switch (kind % 5) {
	case 0:	/* random bytes, never starting with a letter */
		n = 1 + rnd(s) % 120;
		for (i = 0; i < n; i++)
			buf[i] = (char)(rnd(s) & 0xff);
		buf[0] = (char)(0x80 | (buf[0] & 0x7f));
		return n;
	case 1:	/* a fixed malformed command */
		strcpy(buf, fixed[rnd(s) % (sizeof(fixed) / sizeof(fixed[0]))]);
		return strlen(buf);
	case 2:	/* over-long line */
		n = 127 + rnd(s) % (cap - 127);
		memset(buf, '9', n);
		memcpy(buf, "pfn ", 4);
		return n;
	case 3:	/* NUL inside a valid-looking line */
		memcpy(buf, "pfn 1\0junk\n", 11);
		return 11;
	default: /* a valid verb with a negative number */
		return (size_t)snprintf(buf, cap, "pid -%u", 1 + rnd(s) % 100000);
	}
}

static int writer(const char *path, unsigned int count, unsigned int seed)
{
	char buf[4096];
	unsigned int i, s = seed;

	for (i = 0; i < count; i++) {
		size_t n = make_bad(buf, sizeof(buf), rnd(&s), &s);
		int fd = open(path, O_WRONLY);
		ssize_t w;

		if (fd < 0) {
			perror(path);
			return 1;
		}
		w = write(fd, buf, n);
		if (w >= 0 || errno != EINVAL) {
			fprintf(stderr,
				"badinput: write %u of %zu bytes \"%.*s\" returned %zd (%s)\n",
				i, n, (int)(n > 40 ? 40 : n), buf, w,
				w < 0 ? strerror(errno) : "accepted");
			close(fd);
			return 1;
		}
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int count, writers, seed, i;
	int status, failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: badinput NODE_PATH COUNT [WRITERS] [SEED]\n");
		return 2;
	}
	count = (unsigned int)strtoul(argv[2], NULL, 0);
	writers = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 0) : 4;
	seed = argc > 4 ? (unsigned int)strtoul(argv[4], NULL, 0) : 1;
	if (!writers)
		writers = 1;
	for (i = 0; i < writers; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(writer(argv[1], count / writers, seed + i * 7919));
		if (p < 0) {
			perror("fork");
			return 1;
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	if (failed) {
		printf("badinput: FAIL\n");
		return 1;
	}
	printf("badinput: ok writes=%u\n", count / writers * writers);
	return 0;
}
