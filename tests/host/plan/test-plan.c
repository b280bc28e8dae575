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

/* Run the planner; compare the cut and the cancelled set with @want. */
static void expect(const char *name, unsigned int n, bool full,
		   unsigned int want_k, const char *want)
{
	unsigned int k = sr_plan_batch(&plan, rec, n, full), i;
	char got[SR_PLAN_MAX + 1];

	for (i = 0; i < n; i++)
		got[i] = test_bit(i, plan.cancelled) ? 'c' : '.';
	got[n] = 0;
	CHECK(k == want_k, "%s: cut %u, expected %u", name, k, want_k);
	CHECK(!strcmp(got, want), "%s: cancelled '%s', expected '%s'", name,
	      got, want);
}

static void fixed_cases(void)
{
	/* A link made and unlinked, with a VMA update between: all cancel. */
	set(0, SR_OP_ADD, 10, 1);
	set(1, SR_OP_DETACH, 10, 1);
	set(2, SR_OP_REATTACH, 10, 1);
	set(3, SR_OP_DEL, 10, 1);
	expect("add-update-del", 4, false, 4, "cccc");

	/* An unlink for a link older than the batch applies. */
	set(0, SR_OP_DEL, 11, 1);
	set(1, SR_OP_ADD, 12, 2);
	expect("old unlink, open add", 2, false, 2, "..");

	/* Two ADDs of one avc: the first lost its unlink and applies. */
	set(0, SR_OP_ADD, 13, 1);
	set(1, SR_OP_ADD, 13, 2);
	set(2, SR_OP_DEL, 13, 2);
	expect("add add del", 3, false, 3, ".cc");

	/* GONE and SET_ANON are never grouped. */
	set(0, SR_OP_ADD, 14, 1);
	rec[0].gone = true;
	set(1, SR_OP_SET_ANON, 14, 1);
	set(2, SR_OP_DEL, 14, 1);
	expect("gone", 3, false, 3, "...");

	/*
	 * Full batch: the oldest open link of the second half is at 4, so
	 * the batch ends there; the group at 5-6 waits for the next batch.
	 */
	set(0, SR_OP_ADD, 20, 1);
	set(1, SR_OP_DEL, 20, 1);
	set(2, SR_OP_ADD, 21, 2);
	set(3, SR_OP_DEL, 21, 2);
	set(4, SR_OP_ADD, 22, 3);
	set(5, SR_OP_ADD, 23, 4);
	set(6, SR_OP_DEL, 23, 4);
	set(7, SR_OP_ADD, 24, 5);
	expect("cut before the open link", 8, true, 4, "cccc....");

	/*
	 * A group spans the first point (4): the latest point in [4, 6]
	 * that none spans is 6 (group 3..5 ends at 5, open link at 6).
	 */
	set(0, SR_OP_ADD, 30, 1);
	set(1, SR_OP_DEL, 30, 1);
	set(2, SR_OP_ADD, 31, 2);
	set(3, SR_OP_ADD, 32, 3);
	set(4, SR_OP_DETACH, 32, 3);
	set(5, SR_OP_DEL, 32, 3);
	set(6, SR_OP_ADD, 33, 4);
	set(7, SR_OP_DEL, 31, 2);
	expect("cut past a group", 8, true, 6, "cc.ccc..");

	/* No open link in the second half: the whole batch. */
	set(0, SR_OP_ADD, 40, 1);
	set(1, SR_OP_ADD, 41, 2);
	set(2, SR_OP_DEL, 41, 2);
	set(3, SR_OP_DEL, 40, 1);
	expect("nothing open", 4, true, 4, "cccc");

	/* Not inside a run of one VMA's new links: 4 and 5 are one run. */
	set(0, SR_OP_ADD, 50, 1);
	set(1, SR_OP_DEL, 50, 1);
	set(2, SR_OP_ADD, 51, 2);
	set(3, SR_OP_DEL, 51, 2);
	set(4, SR_OP_ADD, 52, 3);
	set(5, SR_OP_ADD, 53, 3);
	set(6, SR_OP_ADD, 54, 4);
	set(7, SR_OP_ADD, 55, 4);
	expect("cut past a run", 8, true, 4, "cccc....");
	set(3, SR_OP_ADD, 56, 3);
	set(4, SR_OP_ADD, 57, 3);
	set(2, SR_OP_DEL, 50, 1);
	set(1, SR_OP_ADD, 58, 9);
	expect("run straddles n/2", 8, true, 6, "c.c.....");
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
