// SPDX-License-Identifier: GPL-2.0
/*
 * forkexit - fork children that exit at once, from a process with many
 * written anonymous VMAs: the pattern whose links come and go unapplied.
 *
 *   forkexit [VMAS=64] [FORKS=200] [STATS_PATH]
 *
 * Prints "forkexit vmas=N forks=N" once all children are reaped; with
 * STATS_PATH, also what the counters there moved by over the forks (read by
 * this process itself, so that no other process's events come in between):
 * "delta add=N del=N unlogged=N fork=N exit=N" (link_add, link_del,
 * log_unlogged_unlinks, cause.fork.links_added, cause.exit.links_removed).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apart.h"

static const char *const keys[] = {
	"link_add", "link_del", "log_unlogged_unlinks",
	"cause.fork.links_added", "cause.exit.links_removed",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NKEYS ARRAY_SIZE(keys)

/* No stdio: a first printf would grow the heap between the reads. */
static int take(const char *path, long *v)
{
	static char buf[16384];
	ssize_t n, len = 0;
	size_t i;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	for (i = 0; i < NKEYS; i++) {
		size_t kl = strlen(keys[i]);
		char *p;

		v[i] = -1;
		for (p = buf; (p = strstr(p, keys[i])); p += kl)
			if ((p == buf || p[-1] == '\n') && p[kl] == ' ') {
				v[i] = strtol(p + kl + 1, NULL, 10);
				break;
			}
		if (v[i] < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *stats = argc > 3 ? argv[3] : NULL;
	long v0[NKEYS], v1[NKEYS];
	int vmas = argc > 1 ? atoi(argv[1]) : 64;
	int forks = argc > 2 ? atoi(argv[2]) : 200;
	long pg = sysconf(_SC_PAGESIZE);
	char *base;
	int i;

	if (vmas < 1 || forks < 1) {
		fprintf(stderr, "usage: forkexit [VMAS] [FORKS]\n");
		return 2;
	}
	base = map_apart(vmas, pg);
	if (!base)
		return 1;
	if (stats && take(stats, v0)) {
		perror(stats);
		return 1;
	}
	for (i = 0; i < forks; i++) {
		int st;
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			perror("fork/wait");
			return 1;
		}
	}
	if (stats && take(stats, v1)) {
		perror(stats);
		return 1;
	}
	printf("forkexit vmas=%d forks=%d\n", vmas, forks);
	if (stats)
		printf("delta add=%ld del=%ld unlogged=%ld fork=%ld exit=%ld\n",
		       v1[0] - v0[0], v1[1] - v0[1], v1[2] - v0[2],
		       v1[3] - v0[3], v1[4] - v0[4]);
	return 0;
}
