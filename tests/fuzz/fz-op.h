/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz-op.h - the fuzzer's operations: kinds, text form, seeded generator.
 *
 * An op names its target only relatively: worker p mod the live workers,
 * thread t mod that worker's threads, region a mod its regions, offsets mod
 * the region's size.  So any subsequence of a generated list still means
 * something when replayed from fresh processes, which is what lets the
 * minimiser drop ops freely.  The list is a pure function of the seed.
 */
#ifndef FZ_OP_H
#define FZ_OP_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum fz_kind {
	FZ_CHECK,
	FZ_FORK,
	FZ_EXIT,
	FZ_THREAD_START,
	FZ_THREAD_STOP,
	FZ_MMAP_ANON,
	FZ_MMAP_FILE,
	FZ_MMAP_OVER,
	FZ_MUNMAP,
	FZ_MREMAP_MOVE,
	FZ_MREMAP_GROW,
	FZ_MREMAP_SHRINK,
	FZ_MREMAP_FIXED,
	FZ_MREMAP_DONTUNMAP,
	FZ_MPROTECT,
	FZ_MADVISE,
	FZ_BRK,
	FZ_WRITE,
	FZ_READ,
	FZ_NKINDS,
	FZ_STOP = FZ_NKINDS,	/* internal: a worker ends its helper thread */
};

struct fz_op {
	uint32_t kind;
	uint32_t p, t, a, b, c;
};

struct fz_kind_info {
	const char *name;
	unsigned int weight;
};

/* Weights keep a few regions per worker and the tree near its limit. */
static const struct fz_kind_info fz_kinds[FZ_NKINDS] = {
	[FZ_CHECK]		= { "check", 0 },
	[FZ_FORK]		= { "fork", 4 },
	[FZ_EXIT]		= { "exit", 3 },
	[FZ_THREAD_START]	= { "thread_start", 2 },
	[FZ_THREAD_STOP]	= { "thread_stop", 1 },
	[FZ_MMAP_ANON]		= { "mmap_anon", 10 },
	[FZ_MMAP_FILE]		= { "mmap_file", 5 },
	[FZ_MMAP_OVER]		= { "mmap_over", 3 },
	[FZ_MUNMAP]		= { "munmap", 5 },
	[FZ_MREMAP_MOVE]	= { "mremap_move", 4 },
	[FZ_MREMAP_GROW]	= { "mremap_grow", 4 },
	[FZ_MREMAP_SHRINK]	= { "mremap_shrink", 3 },
	[FZ_MREMAP_FIXED]	= { "mremap_fixed", 5 },
	[FZ_MREMAP_DONTUNMAP]	= { "mremap_dontunmap", 3 },
	[FZ_MPROTECT]		= { "mprotect", 8 },
	[FZ_MADVISE]		= { "madvise", 10 },
	[FZ_BRK]		= { "brk", 4 },
	[FZ_WRITE]		= { "write", 18 },
	[FZ_READ]		= { "read", 5 },
};

static uint64_t fz_splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * nops ops of seed, with a check after every check_every of them and one at
 * the end.  Checks take nothing from the random stream, so the ops of a seed
 * are the same whatever the checkpoint spacing.  Returns the list length.
 */
static size_t fz_generate(uint64_t seed, size_t nops, size_t check_every,
			  struct fz_op *out)
{
	uint64_t st = seed * 0x2545f4914f6cdd1dULL + 1;
	unsigned int total = 0, k;
	size_t i, n = 0;

	for (k = 0; k < FZ_NKINDS; k++)
		total += fz_kinds[k].weight;
	for (i = 0; i < nops; i++) {
		uint64_t r = fz_splitmix(&st), s = fz_splitmix(&st);
		unsigned int w = (unsigned int)(r % total);
		struct fz_op *op = &out[n++];

		for (k = 0; w >= fz_kinds[k].weight; k++)
			w -= fz_kinds[k].weight;
		op->kind = k;
		op->p = (uint32_t)(r >> 32);
		op->t = (uint32_t)(s >> 63);
		op->a = (uint32_t)s;
		op->b = (uint32_t)(s >> 32);
		op->c = (uint32_t)fz_splitmix(&st);
		if (check_every && (i + 1) % check_every == 0 && i + 1 < nops)
			out[n++] = (struct fz_op){ .kind = FZ_CHECK };
	}
	out[n++] = (struct fz_op){ .kind = FZ_CHECK };
	return n;
}

/* Worst-case list length of fz_generate() */
static size_t fz_list_max(size_t nops, size_t check_every)
{
	return nops + (check_every ? nops / check_every : 0) + 1;
}

static void fz_format(const struct fz_op *op, char *buf, size_t len)
{
	if (op->kind == FZ_CHECK || op->kind >= FZ_NKINDS)
		snprintf(buf, len, "check");
	else
		snprintf(buf, len, "%s p=%u t=%u a=%u b=%u c=%u",
			 fz_kinds[op->kind].name, op->p, op->t, op->a, op->b,
			 op->c);
}

/* Parse one line of fz_format(); 1 = op, 0 = blank or comment, -1 = bad */
static int fz_parse(const char *line, struct fz_op *op)
{
	char name[32];
	unsigned int k;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '\n' || *line == '#')
		return 0;
	memset(op, 0, sizeof(*op));
	if (!strncmp(line, "check", 5) && (line[5] == '\n' || !line[5] ||
					   line[5] == ' ')) {
		op->kind = FZ_CHECK;
		return 1;
	}
	if (sscanf(line, "%31s p=%u t=%u a=%u b=%u c=%u", name, &op->p,
		   &op->t, &op->a, &op->b, &op->c) != 6)
		return -1;
	for (k = 1; k < FZ_NKINDS; k++)
		if (!strcmp(name, fz_kinds[k].name)) {
			op->kind = k;
			return 1;
		}
	return -1;
}

#endif /* FZ_OP_H */
