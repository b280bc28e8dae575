// SPDX-License-Identifier: GPL-2.0
/*
 * Cause attribution, from what a link hook can see for free: the function
 * that called the interval-tree insert or remove (a few are unambiguous),
 * whether the mm is being torn down, and otherwise the system call the
 * current task is in (orig_ax of its user registers).  No extra probes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include <shadow_rmap/cause.h>
#include <shadow_rmap/symbols.h>

DEFINE_PER_CPU(unsigned long, sr_cause_stats[SR_NR_CAUSES][2]);

static const char * const sr_cause_names[SR_NR_CAUSES] = {
	[SR_CAUSE_FORK] = "fork",
	[SR_CAUSE_MMAP] = "mmap",
	[SR_CAUSE_MREMAP] = "mremap",
	[SR_CAUSE_SPLIT_MERGE] = "split_merge",
	[SR_CAUSE_MUNMAP] = "munmap",
	[SR_CAUSE_EXIT] = "exit",
	[SR_CAUSE_EXEC] = "exec",
	[SR_CAUSE_FAULT] = "fault",
	[SR_CAUSE_STACK] = "stack",
	[SR_CAUSE_RESYNC] = "resync",
	[SR_CAUSE_OTHER] = "other",
};

/*
 * The callers of the interval-tree insert and remove that the shadow tells
 * apart, most frequent first.  Some give the cause outright; the callers of
 * anon_vma_chain_link() (inlined into each) make new links, and only
 * unlink_anon_vmas() unlinks for good: every other caller moves a link out
 * and back for a VMA update.
 */
#define SR_NEW_LINK	BIT(0)
#define SR_UNLINK	BIT(1)
#define SR_REQUIRED	BIT(2)	/* without it links are misclassified */

/*
 * GCC moves a function's unlikely paths into NAME.cold, outside NAME's
 * extent (copy_page_range.cold on 7.3): each caller has both ranges.  The
 * three makers of links inline anon_vma_chain_link() or, since v7.0's
 * anon_vma rework, call the tree insert themselves; a kernel that keeps it
 * out of line has it as a caller of its own.
 */
static struct sr_caller {
	struct sr_sym_range r, cold;
	enum sr_cause cause;	/* SR_NR_CAUSES: from the system call */
	unsigned int flags;
} sr_callers[] = {
	{ { .name = "anon_vma_clone" }, { }, SR_NR_CAUSES,
	  SR_NEW_LINK | SR_REQUIRED },
	{ { .name = "unlink_anon_vmas" }, { }, SR_NR_CAUSES,
	  SR_UNLINK | SR_REQUIRED },
	{ { .name = "anon_vma_fork" }, { }, SR_CAUSE_FORK,
	  SR_NEW_LINK | SR_REQUIRED },
	{ { .name = "__anon_vma_prepare" }, { }, SR_CAUSE_FAULT,
	  SR_NEW_LINK | SR_REQUIRED },
	{ { .name = "expand_downwards" }, { }, SR_CAUSE_STACK, 0 },
	{ { .name = "expand_upwards" }, { }, SR_CAUSE_STACK, 0 },
	{ { .name = "anon_vma_chain_link" }, { }, SR_NR_CAUSES, SR_NEW_LINK },
};

static char sr_cold_names[ARRAY_SIZE(sr_callers)][KSYM_NAME_LEN];

/* Per CPU, used with preemption off (probe handlers): no tearing. */
#define SR_HIT_BITS	3
struct sr_caller_hit {
	unsigned long ip;
	const struct sr_caller *c;
};

static DEFINE_PER_CPU(struct sr_caller_hit, sr_caller_hits[BIT(SR_HIT_BITS)]);

/**
 * sr_cause_init() - resolve the caller functions
 *
 * The makers of links and unlink_anon_vmas() are required: without them
 * an update's remove and insert could not be told from an unlink and a new
 * link, and the shadow would be silently wrong.  The others only give a
 * cause outright (anon_vma_chain_link() exists where it is not inlined;
 * expand_upwards() on architectures whose stacks grow up); without them
 * the system-call and stack rules of sr_classify() decide.
 *
 * Return: 0, or -ENOENT naming the missing caller (unsupported kernel).
 */
int sr_cause_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sr_callers); i++) {
		struct sr_caller *c = &sr_callers[i];

		snprintf(sr_cold_names[i], KSYM_NAME_LEN, "%s.cold", c->r.name);
		c->cold.name = sr_cold_names[i];
		/* a failed resolve leaves an empty range */
		sr_sym_resolve(&c->cold);
		if (!sr_sym_resolve(&c->r))
			continue;
		if (c->flags & SR_REQUIRED) {
			pr_err("unsupported kernel: no %s (needed to tell new links and unlinks from VMA updates)\n",
			       c->r.name);
			return -ENOENT;
		}
		pr_debug("cause: %s not found\n", c->r.name);
	}
	return 0;
}

/**
 * sr_cause_show_callers() - print `caller.NAME found|missing [cold]`
 * @m: the seq_file
 */
void sr_cause_show_callers(struct seq_file *m)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sr_callers); i++) {
		const struct sr_caller *c = &sr_callers[i];

		seq_printf(m, "caller.%s %s%s\n", c->r.name,
			   c->r.start ? "found" : "missing",
			   c->cold.start ? " +cold" : "");
	}
}

static enum sr_cause sr_cause_syscall(void)
{
	struct pt_regs *regs = task_pt_regs(current);

	if (current->flags & PF_KTHREAD || in_ia32_syscall())
		return SR_CAUSE_OTHER;
	switch (syscall_get_nr(current, regs)) {
	case __NR_clone:
	case __NR_clone3:
	case __NR_fork:
	case __NR_vfork:
		return SR_CAUSE_FORK;
	case __NR_mmap:
	case __NR_brk:
		return SR_CAUSE_MMAP;
	case __NR_mremap:
		return SR_CAUSE_MREMAP;
	case __NR_mprotect:
	case __NR_pkey_mprotect:
	case __NR_madvise:
	case __NR_process_madvise:
	case __NR_mlock:
	case __NR_mlock2:
	case __NR_munlock:
	case __NR_mlockall:
	case __NR_munlockall:
	case __NR_mbind:
		return SR_CAUSE_SPLIT_MERGE;
	case __NR_munmap:
		return SR_CAUSE_MUNMAP;
	case __NR_execve:
	case __NR_execveat:
		return SR_CAUSE_EXEC;
	case __NR_exit:
	case __NR_exit_group:
		return SR_CAUSE_EXIT;
	}
	return SR_CAUSE_OTHER;
}

/**
 * sr_classify() - what one link event is, and why it happened
 * @caller: the return address of the interval-tree insert or remove
 * @mm: the VMA's mm (alive: the caller holds the VMA)
 * @vm_flags: the VMA's flags
 * @dir: whether the link comes or goes
 * @plain: set for an insert that makes a new link and for a removal that
 *         unlinks for good; clear for either half of a VMA update
 *
 * Return: the cause.
 */
enum sr_cause sr_classify(unsigned long caller, struct mm_struct *mm,
			  unsigned long vm_flags, enum sr_dir dir, bool *plain)
{
	struct sr_caller_hit *hit;
	const struct sr_caller *c;
	enum sr_cause cause;
	int i;

	/* A handful of call sites make every link: remember them. */
	hit = this_cpu_ptr(&sr_caller_hits[hash_long(caller, SR_HIT_BITS)]);
	if (hit->ip == caller) {
		c = hit->c;
	} else {
		c = NULL;
		for (i = 0; i < ARRAY_SIZE(sr_callers); i++) {
			if (sr_sym_contains(&sr_callers[i].r, caller) ||
			    sr_sym_contains(&sr_callers[i].cold, caller)) {
				c = &sr_callers[i];
				break;
			}
		}
		hit->ip = caller;
		hit->c = c;
	}
	if (dir == SR_ADD)
		*plain = c && (c->flags & SR_NEW_LINK);
	else
		*plain = c && (c->flags & SR_UNLINK);
	if (c && c->cause != SR_NR_CAUSES)
		return c->cause;
	if (dir == SR_DEL && !atomic_read(&mm->mm_users))
		return SR_CAUSE_EXIT;
	cause = sr_cause_syscall();
	/*
	 * Only stack growth updates a stack VMA outside the system calls that
	 * change VMAs: a fault, or a syscall's copy to user memory.  There
	 * the update may go through anon_vma_interval_tree_pre/post_update_vma(),
	 * global functions in mm/vma.c since v6.12 ("mm: move internal core
	 * VMA manipulation functions to own file"), so expand_downwards() is
	 * no caller there.
	 */
	if (!*plain && cause == SR_CAUSE_OTHER &&
	    (vm_flags & (VM_GROWSDOWN | VM_GROWSUP)))
		return SR_CAUSE_STACK;
	return cause;
}

/**
 * sr_cause_name() - the word a cause is printed as
 * @c: the cause
 *
 * Return: a static string.
 */
const char *sr_cause_name(enum sr_cause c)
{
	return sr_cause_names[c];
}

/**
 * sr_cause_show() - print `cause.NAME.links_added N` and `..._removed N`
 * @m: the seq_file
 */
void sr_cause_show(struct seq_file *m)
{
	int c, d, cpu;

	for (c = 0; c < SR_NR_CAUSES; c++) {
		for (d = 0; d < 2; d++) {
			unsigned long sum = 0;

			for_each_possible_cpu(cpu)
				sum += per_cpu(sr_cause_stats[c][d], cpu);
			seq_printf(m, "cause.%s.links_%s %lu\n", sr_cause_names[c],
				   d == SR_ADD ? "added" : "removed", sum);
		}
	}
}

/**
 * sr_cause_reset() - zero the cause counters
 */
void sr_cause_reset(void)
{
	int c, cpu;

	for_each_possible_cpu(cpu)
		for (c = 0; c < SR_NR_CAUSES; c++) {
			per_cpu(sr_cause_stats[c][SR_ADD], cpu) = 0;
			per_cpu(sr_cause_stats[c][SR_DEL], cpu) = 0;
		}
}
