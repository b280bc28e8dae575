// SPDX-License-Identifier: GPL-2.0
/*
 * memtree: build a fan-out of processes sharing written anon VMAs, so that
 * the kernel holds about VMAS * (1 + 2 * CHILDREN) anon_vma_chain links,
 * then run a command while they live.
 *
 *   memtree VMAS CHILDREN COMMAND [ARG]...
 *
 * The parent maps VMAS one-page regions (apart, so they do not merge) and
 * writes them, forks CHILDREN children that each write every page (COW: a
 * page and an anon_vma of their own per VMA) and then wait, runs COMMAND
 * (execvp), and ends the children.  Exits with COMMAND's status.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long pg = sysconf(_SC_PAGESIZE);
	int vmas, kids, i, k, status, ready[2], hold[2];
	pid_t *pids, cmd;
	char *base, c;

	if (argc < 4) {
		fprintf(stderr, "usage: memtree VMAS CHILDREN COMMAND [ARG]...\n");
		return 2;
	}
	vmas = atoi(argv[1]);
	kids = atoi(argv[2]);
	pids = calloc(kids + 1, sizeof(*pids));
	base = mmap(NULL, 2 * (long)vmas * pg, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!pids || base == MAP_FAILED || pipe(ready) || pipe(hold)) {
		perror("memtree setup");
		return 1;
	}
	for (i = 0; i < vmas; i++) {
		if (mprotect(base + 2 * i * pg, pg, PROT_READ | PROT_WRITE)) {
			perror("mprotect");
			return 1;
		}
		base[2 * i * pg] = 1;
	}
	for (k = 0; k < kids; k++) {
		pids[k] = fork();
		if (pids[k] < 0) {
			perror("fork");
			kids = k;
			break;
		}
		if (pids[k] == 0) {
			close(ready[0]);
			close(hold[1]);
			for (i = 0; i < vmas; i++)
				base[2 * i * pg] = 2;
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			/* Wait until the parent closes the pipe. */
			while (read(hold[0], &c, 1) > 0)
				;
			_exit(0);
		}
	}
	close(ready[1]);
	close(hold[0]);
	for (k = 0; k < kids; k++)
		if (read(ready[0], &c, 1) != 1)
			break;
	fflush(stdout);
	cmd = fork();
	if (cmd == 0) {
		close(hold[1]);
		execvp(argv[3], argv + 3);
		perror("execvp");
		_exit(127);
	}
	status = 1;
	if (cmd > 0)
		waitpid(cmd, &status, 0);
	close(hold[1]);
	for (k = 0; k < kids; k++)
		waitpid(pids[k], NULL, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
