/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hooks: what each probed kernel function means to the shadow.  Both
 * capture backends (ftrace_ops and kprobes) call these with the probed
 * function's first two arguments and its return address.
 */
#ifndef SHADOW_RMAP_HOOKS_H
#define SHADOW_RMAP_HOOKS_H

#include <linux/seq_file.h>
#include <linux/types.h>

struct anon_vma_chain;
struct sr_avc_snap;

#define SR_HOOK_NAMES	2

/*
 * One hook point: the names it has had, oldest first (sr_hooks_resolve()
 * takes the first this kernel has), and what it means.
 */
struct sr_hook {
	const char *role;
	const char *names[SR_HOOK_NAMES];
	bool required;		/* the shadow cannot stay exact without it */
	void (*fn)(unsigned long arg0, unsigned long arg1,
		   unsigned long caller);
	const char *symbol;	/* resolved; NULL: none of the names exists */
};

extern struct sr_hook sr_hooks[];
extern const unsigned int sr_nr_hooks;

int sr_hooks_resolve(void);
void sr_hooks_show(struct seq_file *m);
void sr_hooks_announce(const char *backend);

void sr_avc_snapshot(struct anon_vma_chain *avc, struct sr_avc_snap *s);
unsigned long sr_kernel_av_parent(unsigned long av);
unsigned long sr_hooks_bad_context(void);

#endif
