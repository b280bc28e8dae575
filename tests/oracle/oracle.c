// SPDX-License-Identifier: GPL-2.0
/*
 * oracle - independent reverse map of anonymous pages, built from procfs only
 * (/proc/PID/maps, /proc/PID/pagemap, /proc/kpageflags, /proc/kpagecount).
 * It knows nothing of shadow_rmap except, in compare mode, the text protocol
 * of its debugfs lookup node.
 *
 *   oracle dump [pids...]            one line per anonymous pfn:
 *       pfn=0x... mapcount=N [thp=1] maps=tgid:0xaddr,tgid:0xaddr...
 *   oracle compare [--all | pids...] ask the module about every anonymous pfn
 *       and compare its present mappings with ours and with kpagecount.
 *
 * Options (before the mode): -v verbose, --lookup PATH, --retries N,
 * --fake-module good|drop|extra|count (self-test of the comparison, below).
 * Without pids, dump scans every process; compare needs --all or pids.
 *
 * Processes sharing one mm (CLONE_VM without CLONE_THREAD, vfork) are folded
 * into one "mm class" with kcmp(KCMP_VM): a page mapped once in a shared mm
 * has one page-table entry, one kpagecount and one rmap mapping.
 *
 * Exit: 0 ok, 1 mismatches, 2 usage or environment error.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kcmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define PAGE_SHIFT 12
#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)
#define PM_FILE (1ULL << 61)
#define PM_PFN_MASK ((1ULL << 55) - 1)

#define KPF_ANON 12
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_HUGE 17
#define KPF_NOPAGE 20
#define KPF_KSM 21
#define KPF_THP 22
#define KPF_ZERO_PAGE 24

#define MAXMAP 4096	/* mappings of one pfn we handle */

static int verbose;
static int retries = 5;
static const char *lookup_path = "/sys/kernel/debug/shadow_rmap/lookup";
static int kflags_fd = -1, kcount_fd = -1;

/* ---- processes and mm classes ---- */

struct proc {
	pid_t pid;
	int cls;	/* index of the mm class */
	int scanned;	/* part of the requested set */
};

static struct proc *procs;
static int nprocs, capprocs;
static pid_t *reps;	/* one pid per mm class */
static int nreps, capreps;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "oracle: out of memory\n");
		exit(2);
	}
	return p;
}

static struct proc *find_proc(pid_t pid)
{
	int i;

	for (i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

static int same_mm(pid_t a, pid_t b)
{
	return syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0) == 0;
}

static pid_t tgid_of(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	pid_t t = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Tgid:", 5)) {
			t = atoi(line + 5);
			break;
		}
	fclose(f);
	return t;
}

/* Find or create the proc entry of pid (a tgid, or a tid resolved to it). */
static struct proc *get_proc(pid_t pid, int scanned)
{
	struct proc *p = find_proc(pid);
	pid_t t;
	int i;

	if (p) {
		p->scanned |= scanned;
		return p;
	}
	t = tgid_of(pid);
	if (t && t != pid) {
		p = find_proc(t);
		if (p)
			return p;
	}
	if (nprocs == capprocs) {
		capprocs = capprocs ? 2 * capprocs : 256;
		procs = xrealloc(procs, capprocs * sizeof(*procs));
	}
	p = &procs[nprocs++];
	p->pid = pid;
	p->scanned = scanned;
	p->cls = -1;
	for (i = 0; i < nreps; i++)
		if (same_mm(pid, reps[i])) {
			p->cls = i;
			break;
		}
	if (p->cls < 0) {
		if (nreps == capreps) {
			capreps = capreps ? 2 * capreps : 256;
			reps = xrealloc(reps, capreps * sizeof(*reps));
		}
		reps[nreps] = pid;
		p->cls = nreps++;
	}
	return p;
}

/* ---- scanning ---- */

struct ent {
	uint64_t pfn;
	uint64_t addr;
	pid_t pid;
	int cls;
};

static struct ent *ents;
static size_t nents, capents;
static unsigned long nopfn_present;	/* present entries with pfn 0 */

static void add_ent(uint64_t pfn, uint64_t addr, struct proc *p)
{
	if (nents == capents) {
		capents = capents ? 2 * capents : 65536;
		ents = xrealloc(ents, capents * sizeof(*ents));
	}
	ents[nents].pfn = pfn;
	ents[nents].addr = addr;
	ents[nents].pid = p->pid;
	ents[nents].cls = p->cls;
	nents++;
}

static int pm_open(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	return open(path, O_RDONLY);
}

/* Scan one process: every present, non-file pagemap entry is a candidate. */
static int scan_pid(pid_t pid)
{
	char path[64], line[4096];
	static uint64_t buf[8192];
	struct proc *p = NULL;
	FILE *maps;
	int pm;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	if (!maps)
		return -1;
	pm = pm_open(pid);
	if (pm < 0) {
		fclose(maps);
		return -1;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long long s, e, a;

		if (sscanf(line, "%llx-%llx", &s, &e) != 2)
			continue;
		if (strstr(line, "[vsyscall]"))
			continue;
		for (a = s; a < e;) {
			size_t n = (e - a) >> PAGE_SHIFT, i;
			ssize_t r;

			if (n > sizeof(buf) / 8)
				n = sizeof(buf) / 8;
			r = pread(pm, buf, n * 8, (a >> PAGE_SHIFT) * 8);
			if (r <= 0)
				break;
			n = r / 8;
			for (i = 0; i < n; i++) {
				uint64_t v = buf[i];

				if (!(v & PM_PRESENT) || (v & PM_FILE))
					continue;
				if (!(v & PM_PFN_MASK)) {
					nopfn_present++;
					continue;
				}
				if (!p)
					p = get_proc(pid, 1);
				add_ent(v & PM_PFN_MASK, a + (i << PAGE_SHIFT), p);
			}
			a += n << PAGE_SHIFT;
		}
	}
	fclose(maps);
	close(pm);
	if (!p)
		get_proc(pid, 1);
	return 0;
}

static void scan_all(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();

	if (!d) {
		perror("oracle: /proc");
		exit(2);
	}
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]) && atoi(de->d_name) != self)
			scan_pid(atoi(de->d_name));
	closedir(d);
}

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->pid - y->pid;
}

static int kread(int fd, uint64_t pfn, uint64_t *v)
{
	return pread(fd, v, 8, pfn * 8) == 8 ? 0 : -1;
}

/* Whether KPF_KSM means a KSM page here (ksm_flag_check()). */
static int ksm_flag_valid = 1;

static int is_anon(uint64_t flags)
{
	return (flags & (1ULL << KPF_ANON)) &&
	       !(ksm_flag_valid && (flags & (1ULL << KPF_KSM))) &&
	       !(flags & (1ULL << KPF_NOPAGE));
}

/* ---- a view of one pfn: set of (cls, addr), count, flags ---- */

struct key {
	int cls;
	pid_t pid;
	uint64_t addr;
};

struct view {
	uint64_t count, flags;
	int n;
	struct key k[MAXMAP];
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

/* sort and drop duplicates (same mm, same address) */
static void view_norm(struct view *v)
{
	int i, j = 0;

	qsort(v->k, v->n, sizeof(v->k[0]), key_cmp);
	for (i = 0; i < v->n; i++)
		if (!j || key_cmp(&v->k[j - 1], &v->k[i]))
			v->k[j++] = v->k[i];
	v->n = j;
}

static int view_eq(const struct view *a, const struct view *b)
{
	int i;

	if (a->count != b->count || a->n != b->n ||
	    is_anon(a->flags) != is_anon(b->flags))
		return 0;
	for (i = 0; i < a->n; i++)
		if (key_cmp(&a->k[i], &b->k[i]))
			return 0;
	return 1;
}

static void print_keys(FILE *f, const struct key *k, int n)
{
	int i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%d:%#" PRIx64, i ? "," : "", (int)k[i].pid, k[i].addr);
}

/* Does (pid, addr) currently map pfn? */
static int maps_pfn(pid_t pid, uint64_t addr, uint64_t pfn)
{
	uint64_t v;
	int fd = pm_open(pid), ok;

	if (fd < 0)
		return 0;
	ok = pread(fd, &v, 8, (addr >> PAGE_SHIFT) * 8) == 8 &&
	     (v & PM_PRESENT) && !(v & PM_FILE) && (v & PM_PFN_MASK) == pfn;
	close(fd);
	return ok;
}

/* Re-read our view of pfn over the candidate (pid, addr) pairs. */
static void reread(uint64_t pfn, const struct key *cand, int ncand,
		   struct view *v)
{
	int i;

	v->n = 0;
	if (kread(kflags_fd, pfn, &v->flags) || kread(kcount_fd, pfn, &v->count)) {
		v->flags = 0;
		v->count = 0;
	}
	for (i = 0; i < ncand && v->n < MAXMAP; i++)
		if (maps_pfn(cand[i].pid, cand[i].addr, pfn))
			v->k[v->n++] = cand[i];
	view_norm(v);
}

/* ---- the module's answer ---- */

struct answer {
	int ok;			/* a page line was parsed */
	char kind[32];
	long mapcount;
	long summary_present;
	int n;			/* present mappings */
	int dups;
	struct key k[MAXMAP];
	char text[65536];
};

static const char *tok(const char *line, const char *key)
{
	size_t l = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[l] == '=')
			return p + l + 1;
		p += l;
	}
	return NULL;
}

static int lookup_fd = -1;

/*
 * --fake-module MODE: answer lookups from our own scan instead of the module,
 * in the module's text format, to test the comparison itself:
 *   good   faithful answer (plus a pte=none line, which must be ignored)
 *   drop   leave out one present mapping of pages mapped twice or more
 *   extra  add a present mapping that does not exist
 *   count  duplicate a present line
 */
static const char *fake_mode;

static const char *fake_vma(pid_t pid)
{
	static char buf[96];

	snprintf(buf, sizeof(buf),
		 "vma pid=%d comm=fake start=0x1000 end=0x2000 pgoff=0x1", (int)pid);
	return buf;
}

static void fake_answer(uint64_t pfn, char *out, size_t cap)
{
	size_t lo = 0, hi = nents, i, len = 0, n;
	int present = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ents[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (n = 0; lo + n < nents && ents[lo + n].pfn == pfn; n++)
		;
	len += snprintf(out + len, cap - len,
			"page pfn=%#" PRIx64
			" kind=anon anon_vma=1 root=1 index=0x0 mapcount=%zu\n",
			pfn, n);
	for (i = lo; i < lo + n && len < cap - 256; i++) {
		if (!strcmp(fake_mode, "drop") && n >= 2 && i == lo + n - 1)
			continue;
		len += snprintf(out + len, cap - len,
				"vma pid=%d comm=fake start=%#" PRIx64 " end=%#" PRIx64
				" pgoff=0x0 addr=%#" PRIx64 " anon_vma=1 pte=present\n",
				(int)ents[i].pid, ents[i].addr, ents[i].addr + 4096,
				ents[i].addr);
		present++;
		if (!strcmp(fake_mode, "count") && i == lo) {
			len += snprintf(out + len, cap - len,
					"vma pid=%d comm=fake start=%#" PRIx64 " end=%#" PRIx64
					" pgoff=0x0 addr=%#" PRIx64 " anon_vma=1 pte=present\n",
					(int)ents[i].pid, ents[i].addr, ents[i].addr + 4096,
					ents[i].addr);
			present++;
		}
	}
	if (!strcmp(fake_mode, "extra")) {
		len += snprintf(out + len, cap - len,
				"%s addr=0x1000 anon_vma=1 pte=present\n",
				fake_vma(getpid()));
		present++;
	}
	len += snprintf(out + len, cap - len,
			"%s addr=0x1000 anon_vma=1 pte=none\n", fake_vma(getpid()));
	snprintf(out + len, cap - len, "summary vmas=%d present=%d\n",
		 present + 1, present);
}

static int module_query(uint64_t pfn, struct answer *a)
{
	char req[64], *line, *save;
	size_t len = 0;
	ssize_t r;
	int n;

	memset(a, 0, offsetof(struct answer, text));
	a->mapcount = -1;
	a->summary_present = -1;
	a->text[0] = 0;
	if (fake_mode) {
		fake_answer(pfn, a->text, sizeof(a->text));
		goto parse;
	}
	if (lookup_fd < 0) {
		lookup_fd = open(lookup_path, O_RDWR);
		if (lookup_fd < 0) {
			fprintf(stderr, "oracle: open %s: %s\n", lookup_path,
				strerror(errno));
			exit(2);
		}
	}
	n = snprintf(req, sizeof(req), "pfn %#" PRIx64 "\n", pfn);
	if (write(lookup_fd, req, n) != n) {
		snprintf(a->text, sizeof(a->text), "write '%.*s': %s\n", n - 1,
			 req, strerror(errno));
		close(lookup_fd);
		lookup_fd = -1;
		return -1;
	}
	if (lseek(lookup_fd, 0, SEEK_SET) < 0) {
		snprintf(a->text, sizeof(a->text), "lseek: %s\n", strerror(errno));
		return -1;
	}
	while (len < sizeof(a->text) - 1 &&
	       (r = read(lookup_fd, a->text + len, sizeof(a->text) - 1 - len)) > 0)
		len += r;
	a->text[len] = 0;
parse:
	{
		char *copy = strdup(a->text);

		for (line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			const char *v;

			if (!strncmp(line, "page ", 5)) {
				v = tok(line, "kind");
				if (v)
					sscanf(v, "%31[^ ]", a->kind);
				v = tok(line, "mapcount");
				if (v)
					a->mapcount = strtol(v, NULL, 0);
				a->ok = 1;
			} else if (!strncmp(line, "vma ", 4)) {
				const char *pid = tok(line, "pid"), *addr = tok(line, "addr");
				const char *pte = tok(line, "pte");
				struct proc *p;

				if (!pte || strncmp(pte, "present", 7) ||
				    (pte[7] && pte[7] != ' '))
					continue;
				if (!pid || !addr || a->n >= MAXMAP) {
					a->ok = 0;
					continue;
				}
				p = get_proc(atoi(pid), 0);
				a->k[a->n].cls = p->cls;
				a->k[a->n].pid = atoi(pid);
				a->k[a->n].addr = strtoull(addr, NULL, 0);
				a->n++;
			} else if (!strncmp(line, "summary", 7)) {
				v = tok(line, "present");
				if (v)
					a->summary_present = strtol(v, NULL, 0);
			}
		}
		free(copy);
	}
	{
		/* duplicates are a module bug: count them, then fold */
		int before = a->n, i, j = 0;

		qsort(a->k, a->n, sizeof(a->k[0]), key_cmp);
		for (i = 0; i < a->n; i++)
			if (!j || key_cmp(&a->k[j - 1], &a->k[i]))
				a->k[j++] = a->k[i];
		a->n = j;
		a->dups = before - j;
	}
	return 0;
}

/* Does the module's answer agree with view v? */
static int agrees(const struct answer *a, const struct view *v, uint64_t pfn)
{
	int i;

	(void)pfn;
	if (!a->ok || strcmp(a->kind, "anon") || a->dups)
		return 0;
	if (a->n != v->n || (uint64_t)a->n != v->count)
		return 0;
	if (a->summary_present >= 0 && a->summary_present != a->n + a->dups)
		return 0;
	for (i = 0; i < a->n; i++)
		if (key_cmp(&a->k[i], &v->k[i]))
			return 0;
	return 1;
}

static void report(uint64_t pfn, const struct view *v, const struct answer *a)
{
	struct key miss[MAXMAP], extra[MAXMAP];
	int nm = 0, nx = 0, i = 0, j = 0;

	while (i < v->n || j < a->n) {
		int c = i >= v->n ? 1 : j >= a->n ? -1 : key_cmp(&v->k[i], &a->k[j]);

		if (c < 0)
			miss[nm++] = v->k[i++];
		else if (c > 0)
			extra[nx++] = a->k[j++];
		else
			i++, j++;
	}
	printf("mismatch pfn=%#" PRIx64 " kpagecount=%" PRIu64
	       " oracle=%d module_present=%d module_kind=%s module_mapcount=%ld dups=%d\n",
	       pfn, v->count, v->n, a->n, a->ok ? a->kind : "(no page line)",
	       a->mapcount, a->dups);
	printf("  oracle: ");
	print_keys(stdout, v->k, v->n);
	printf("\n  missing from module: ");
	print_keys(stdout, miss, nm);
	printf("\n  extra in module: ");
	print_keys(stdout, extra, nx);
	printf("\n  module answer:\n");
	{
		char *copy = strdup(a->text), *line, *save;

		for (line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			printf("    | %s\n", line);
		free(copy);
	}
}

/* ---- modes ---- */

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * 6.12's /proc/kpageflags sets KPF_KSM on every anonymous page (fs/proc/
 * page.c tests mapping & PAGE_MAPPING_KSM, which the anon bit alone
 * satisfies).  A private page of our own, never madvised mergeable, tells:
 * if it carries the flag, the flag means nothing, and then KSM pages can be
 * told apart only while KSM has merged none (pages_shared 0); otherwise
 * the oracle cannot answer and says so.
 */
static void ksm_flag_check(void)
{
	volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t pm = 0, fl = 0;
	int fd;

	if (p == MAP_FAILED)
		return;
	p[0] = 1;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0 &&
	    pread(fd, &pm, 8, ((uintptr_t)p >> PAGE_SHIFT) * 8) == 8 &&
	    (pm & PM_PRESENT) && (pm & PM_PFN_MASK) &&
	    !kread(kflags_fd, pm & PM_PFN_MASK, &fl) &&
	    (fl & (1ULL << KPF_KSM))) {
		long shared = read_long("/sys/kernel/mm/ksm/pages_shared");

		if (shared > 0) {
			fprintf(stderr, "oracle: KPF_KSM on plain anon pages, KSM merged %ld:\n",
				shared);
			fprintf(stderr, "oracle: KSM pages cannot be told apart on this kernel\n");
			exit(2);
		}
		ksm_flag_valid = 0;
		if (verbose)
			fprintf(stderr, "oracle: KPF_KSM on plain anon pages; KSM merged none\n");
	}
	if (fd >= 0)
		close(fd);
	munmap((void *)p, 4096);
}

static void open_kpage(void)
{
	kflags_fd = open("/proc/kpageflags", O_RDONLY);
	kcount_fd = open("/proc/kpagecount", O_RDONLY);
	if (kflags_fd < 0 || kcount_fd < 0) {
		fprintf(stderr, "oracle: /proc/kpageflags, /proc/kpagecount: %s (need root)\n",
			strerror(errno));
		exit(2);
	}
	ksm_flag_check();
}

static void scan(int argc, char **argv, int all)
{
	int i;

	if (all || argc == 0) {
		scan_all();
	} else {
		for (i = 0; i < argc; i++) {
			pid_t pid = atoi(argv[i]);

			if (pid <= 0) {
				fprintf(stderr, "oracle: bad pid '%s'\n", argv[i]);
				exit(2);
			}
			if (scan_pid(pid) < 0)
				fprintf(stderr, "oracle: note: pid %d is gone\n", (int)pid);
		}
	}
	if (nopfn_present && !nents) {
		fprintf(stderr, "oracle: pagemap shows no PFNs (needs CAP_SYS_ADMIN)\n");
		exit(2);
	}
	qsort(ents, nents, sizeof(*ents), ent_cmp);
}

/* group [*i, end) of ents with the same pfn; returns end */
static size_t group_end(size_t i)
{
	size_t e = i;

	while (e < nents && ents[e].pfn == ents[i].pfn)
		e++;
	return e;
}

static int do_dump(int argc, char **argv)
{
	size_t i, e, k;
	unsigned long pages = 0, maps = 0;

	scan(argc, argv, 0);
	for (i = 0; i < nents; i = e) {
		uint64_t fl, cnt;

		e = group_end(i);
		if (kread(kflags_fd, ents[i].pfn, &fl) || !is_anon(fl))
			continue;
		if (kread(kcount_fd, ents[i].pfn, &cnt))
			cnt = 0;
		printf("pfn=%#" PRIx64 " mapcount=%" PRIu64 "%s maps=", ents[i].pfn,
		       cnt, (fl & (1ULL << KPF_THP)) ? " thp=1" : "");
		for (k = i; k < e; k++)
			printf("%s%d:%#" PRIx64, k > i ? "," : "", (int)ents[k].pid,
			       ents[k].addr);
		printf("\n");
		pages++;
		maps += e - i;
	}
	fprintf(stderr, "oracle: dump pages=%lu mappings=%lu processes=%d\n",
		pages, maps, nprocs);
	return 0;
}

static int do_compare(int argc, char **argv)
{
	static struct view v0, v1;
	static struct answer a;
	static struct key cand[2 * MAXMAP];
	unsigned long pages = 0, maps = 0, bad = 0, unstable = 0, vanished = 0;
	int all = 0;
	size_t i, e, k;

	if (argc > 0 && !strcmp(argv[0], "--all")) {
		all = 1;
		argc--, argv++;
	} else if (argc == 0) {
		fprintf(stderr, "oracle: compare needs --all or pids\n");
		return 2;
	}
	scan(argc, argv, all);
	for (i = 0; i < nents; i = e) {
		uint64_t pfn = ents[i].pfn;
		int attempt, nc, done = 0;

		e = group_end(i);
		/* the first view, from the scan */
		if (kread(kflags_fd, pfn, &v0.flags) || !is_anon(v0.flags))
			continue;
		if (kread(kcount_fd, pfn, &v0.count))
			v0.count = 0;
		v0.n = 0;
		for (k = i; k < e && v0.n < MAXMAP; k++) {
			v0.k[v0.n].cls = ents[k].cls;
			v0.k[v0.n].pid = ents[k].pid;
			v0.k[v0.n].addr = ents[k].addr;
			v0.n++;
		}
		view_norm(&v0);
		for (attempt = 0; attempt <= retries && !done; attempt++) {
			if (module_query(pfn, &a) == 0 && agrees(&a, &v0, pfn)) {
				pages++;
				maps += a.n;
				done = 1;
				break;
			}
			/* disagreement: has our own view moved meanwhile? */
			nc = 0;
			for (k = 0; k < (size_t)v0.n; k++)
				cand[nc++] = v0.k[k];
			for (k = 0; k < (size_t)a.n; k++)
				cand[nc++] = a.k[k];
			reread(pfn, cand, nc, &v1);
			if (!is_anon(v1.flags) || v1.n == 0) {
				/*
				 * None of the mappings we knew (nor any the module
				 * claims) maps it any more: freed, migrated or
				 * reused meanwhile; nothing left to judge.
				 */
				vanished++;
				done = 1;
				break;
			}
			if (view_eq(&v0, &v1)) {
				/* our view is stable: ask once more, then judge */
				if (module_query(pfn, &a) == 0 && agrees(&a, &v0, pfn)) {
					pages++;
					maps += a.n;
				} else {
					report(pfn, &v0, &a);
					bad++;
				}
				done = 1;
				break;
			}
			if (verbose)
				printf("note: pfn=%#" PRIx64 " changed under us, retrying\n", pfn);
			v0 = v1;
		}
		if (!done) {
			unstable++;
			printf("note: pfn=%#" PRIx64 " kept changing; not judged\n", pfn);
		}
	}
	if (unstable || vanished || verbose)
		printf("oracle: notes unstable=%lu vanished=%lu processes=%d\n",
		       unstable, vanished, nprocs);
	if (bad) {
		printf("oracle: FAIL mismatches=%lu pages=%lu\n", bad, pages);
		return 1;
	}
	printf("oracle: ok pages=%lu mappings=%lu\n", pages, maps);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: oracle [-v] [--lookup PATH] [--retries N] [--fake-module M] dump [pids...]\n"
		"       oracle [-v] [--lookup PATH] [--retries N] compare --all | pids...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "--lookup") && i + 1 < argc)
			lookup_path = argv[++i];
		else if (!strcmp(argv[i], "--fake-module") && i + 1 < argc)
			fake_mode = argv[++i];
		else if (!strcmp(argv[i], "--retries") && i + 1 < argc)
			retries = atoi(argv[++i]);
		else
			usage();
	}
	if (i >= argc)
		usage();
	open_kpage();
	if (!strcmp(argv[i], "dump"))
		return do_dump(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "compare"))
		return do_compare(argc - i - 1, argv + i + 1);
	usage();
	return 2;
}
