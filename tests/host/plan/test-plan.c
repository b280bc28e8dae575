// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the batch planner: src/plan.c itself, compiled against
 * the userspace stand-ins in shim/ (tests/host/test-plan.sh builds it).
 *
 * Fixed cases check each rule of include/shadow_rmap/plan.h with the
 * expected cut and cancelled set worked out by hand; then random batches
 * of link lifecycles are checked against an independent O(n^2) statement
 * of the same rules and against the cut's invariants.  Ends with
 * "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bitmap.h>

#include <shadow_rmap/plan.h>

static unsigned int passed, failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

static struct sr_plan plan;
static struct sr_plan_rec rec[SR_PLAN_MAX];

static void set(unsigned int i, int op, unsigned long avc, unsigned long vma)
{
	rec[i] = (struct sr_plan_rec){ .op = op, .avc = avc, .vma = vma,
				       .av_root = 1 };
}

/*
 * A batch, written as tokens OP AVC/VMA: A add, G add its unlink
 * cancelled (GONE), T detach, R reattach, D del, S set_anon.
 */
static unsigned int parse(const char *spec)
{
	unsigned int n = 0;
	unsigned long avc, vma;
	char op;
	int len;

	while (sscanf(spec, " %c%lu/%lu%n", &op, &avc, &vma, &len) == 3) {
		static const char ops[] = "ARDTS";
		const char *o = strchr(ops, op == 'G' ? 'A' : op);

		rec[n] = (struct sr_plan_rec){ .op = o ? o - ops : SR_OP_GONE,
					       .avc = avc, .vma = vma,
					       .av_root = 1, .gone = op == 'G' };
		n++;
		spec += len;
	}
	return n;
}

/* Each rule of plan.h, with the cut and cancelled set worked by hand. */
static const struct {
	const char *name, *batch;
	bool full;
	unsigned int k;
	const char *cancelled;
} cases[] = {
	{ "add-update-del", "A10/1 T10/1 R10/1 D10/1", false, 4, "cccc" },
	{ "old unlink, open add", "D11/1 A12/2", false, 2, ".." },
	{ "add add del: the first lost its unlink", "A13/1 A13/2 D13/2",
	  false, 3, ".cc" },
	{ "gone and set_anon are never grouped", "G14/1 S14/1 D14/1",
	  false, 3, "..." },
	/* The oldest open link of the second half (4) ends the batch. */
	{ "cut before the open link",
	  "A20/1 D20/1 A21/2 D21/2 A22/3 A23/4 D23/4 A24/5", true, 4,
	  "cccc...." },
	/* Groups span 4 and 5; 6, before the open link, is free. */
	{ "cut past a group",
	  "A30/1 D30/1 A31/2 A32/3 T32/3 D32/3 A33/4 D31/2", true, 6,
	  "cc.ccc.." },
	{ "nothing open: the whole batch", "A40/1 A41/2 D41/2 D40/1", true, 4,
	  "cccc" },
	{ "cut before a run", "A50/1 D50/1 A51/2 D51/2 A52/3 A53/3 A54/4 A55/4",
	  true, 4, "cccc...." },
	/* 3, 4, 5 are one VMA's run: the cut at 4 moves past it. */
	{ "run straddles n/2", "A50/1 A58/9 D50/1 A56/3 A57/3 A53/3 A54/4 A55/4",
	  true, 6, "c.c....." },
};

static void fixed_cases(void)
{
	unsigned int c, i, n, k;
	char got[SR_PLAN_MAX + 1];

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		memset(rec, 0, sizeof(rec));
		n = parse(cases[c].batch);
		k = sr_plan_batch(&plan, rec, n, cases[c].full);
		for (i = 0; i < n; i++)
			got[i] = test_bit(i, plan.cancelled) ? 'c' : '.';
		got[n] = 0;
		CHECK(k == cases[c].k, "%s: cut %u, expected %u", cases[c].name,
		      k, cases[c].k);
		CHECK(!strcmp(got, cases[c].cancelled),
		      "%s: cancelled '%s', expected '%s'", cases[c].name, got,
		      cases[c].cancelled);
	}
}

/* The rules, stated independently: is record i in a cancelled group? */
static bool ref_group(unsigned int n, unsigned int i, unsigned int *del)
{
	unsigned int a, j;

	if (rec[i].gone || rec[i].op == SR_OP_SET_ANON)
		return false;
	/* The group's ADD: the last ADD of the avc at or before i. */
	for (a = i + 1; a-- > 0;)
		if (!rec[a].gone && rec[a].avc == rec[i].avc &&
		    rec[a].op == SR_OP_ADD)
			break;
	if (a > i)
		return false;
	/* A DEL between a and i (exclusive of i) closed it already. */
	for (j = a + 1; j < i; j++)
		if (!rec[j].gone && rec[j].avc == rec[i].avc &&
		    rec[j].op == SR_OP_DEL)
			return false;
	if (rec[i].op == SR_OP_DEL) {
		*del = i;
		return true;
	}
	/* Its DEL: the first after i, before another ADD of the avc. */
	for (j = i + 1; j < n; j++) {
		if (rec[j].gone || rec[j].avc != rec[i].avc ||
		    rec[j].op == SR_OP_SET_ANON)
			continue;
		if (rec[j].op == SR_OP_ADD)
			return false;
		if (rec[j].op == SR_OP_DEL) {
			*del = j;
			return true;
		}
	}
	return false;
}

/* A record's group's ADD (for a cancelled DEL: the group it closes). */
static unsigned int ref_add(unsigned int i)
{
	unsigned int a;

	for (a = i + 1; a-- > 0;)
		if (!rec[a].gone && rec[a].avc == rec[i].avc &&
		    rec[a].op == SR_OP_ADD)
			return a;
	return i;
}

/* An ADD whose link is still open at the batch's end. */
static bool ref_open(unsigned int n, unsigned int i)
{
	unsigned int j;

	if (rec[i].op != SR_OP_ADD || rec[i].gone)
		return false;
	for (j = i + 1; j < n; j++)
		if (!rec[j].gone && rec[j].avc == rec[i].avc &&
		    (rec[j].op == SR_OP_ADD || rec[j].op == SR_OP_DEL))
			return false;
	return true;
}

/* Whether cutting before @p splits a group (its ADD before, DEL at or after). */
static bool ref_spanned(unsigned int n, unsigned int p)
{
	unsigned int i, del;

	for (i = 0; i < p; i++)
		if (rec[i].op == SR_OP_ADD && ref_group(n, i, &del) &&
		    del >= p)
			return true;
	return false;
}

/* The cut, stated independently. */
static unsigned int ref_cut(unsigned int n)
{
	unsigned int k0 = n, k, p;

	for (p = n / 2; p < n; p++)
		if (ref_open(n, p)) {
			k0 = p;
			break;
		}
	k = k0;
	if (k0 < n)
		for (p = n / 2; p <= k0; p++)
			if (!ref_spanned(n, p))
				k = p;
	while (k > 0 && k < n && sr_plan_same_run(&rec[k - 1], &rec[k]))
		k++;
	return k;
}

static void random_batch(unsigned int n, bool full, unsigned int seed)
{
	unsigned long live[64] = { 0 };
	unsigned int i, k, bad = 0, del, nlinks = 0;
	unsigned long next = 1000;

	/* Links come and go; VMA updates in between; a few GONE, SET_ANON. */
	for (i = 0; i < n; i++) {
		int r = rand() % 100;
		unsigned int l = rand() % 64;

		if (!live[l] || r < 30) {
			if (live[l] && r < 5) {
				/* Its unlink was lost: a new ADD, same avc. */
				set(i, SR_OP_ADD, live[l], rand() % 8);
			} else {
				live[l] = next++;
				set(i, SR_OP_ADD, live[l], rand() % 8);
				rec[i].gone = rand() % 20 == 0;
				nlinks++;
			}
		} else if (r < 60) {
			set(i, SR_OP_DEL, live[l], 0);
			live[l] = 0;
		} else if (r < 80) {
			set(i, SR_OP_DETACH, live[l], 0);
		} else if (r < 95) {
			set(i, SR_OP_REATTACH, live[l], 0);
		} else {
			set(i, SR_OP_SET_ANON, 0, rand() % 8);
		}
	}
	k = sr_plan_batch(&plan, rec, n, full);
	CHECK(k <= n && (full ? k >= n / 2 : k == n),
	      "seed %u: cut %u of %u", seed, k, n);
	CHECK(!(k > 0 && k < n && sr_plan_same_run(&rec[k - 1], &rec[k])),
	      "seed %u: cut %u inside a run", seed, k);
	if (full && n < 512)
		CHECK(k == ref_cut(n), "seed %u: cut %u, the rules say %u", seed,
		      k, ref_cut(n));
	for (i = 0; i < n; i++) {
		bool c = test_bit(i, plan.cancelled);
		bool want = ref_group(n, i, &del) && del < k &&
			    (rec[i].op != SR_OP_DEL || ref_add(i) < k);

		/* Cut groups apply whole; past the cut nothing cancels. */
		if (c != want && !bad++)
			printf("seed %u: record %u (op %d avc %lu) cancelled=%d, not %d, cut %u\n",
			       seed, i, rec[i].op, rec[i].avc, c, want, k);
	}
	CHECK(!bad, "seed %u: %u records planned against the rules", seed,
	      bad);
}

int main(int argc, char **argv)
{
	unsigned int seeds = argc > 1 ? atoi(argv[1]) : 300, s;

	if (sr_plan_init(&plan)) {
		printf("FAIL: sr_plan_init\n");
		return 1;
	}
	fixed_cases();
	for (s = 1; s <= seeds; s++) {
		unsigned int n = s % 3 ? 1 + rand() % 64 : SR_PLAN_MAX;

		srand(s);
		memset(rec, 0, sizeof(rec));
		random_batch(n, s % 2, s);
	}
	sr_plan_exit(&plan);
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
