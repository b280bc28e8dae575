/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hooks: what each probed kernel function means to the shadow.  Both
 * capture backends (ftrace_ops and kprobes) call these with the probed
 * function's first two arguments and its return address.
 */
#ifndef SHADOW_RMAP_HOOKS_H
#define SHADOW_RMAP_HOOKS_H

#include <linux/types.h>

struct anon_vma_chain;
struct sr_avc_snap;

struct sr_hook {
	const char *symbol;
	bool required;		/* the shadow cannot stay exact without it */
	void (*fn)(unsigned long arg0, unsigned long arg1,
		   unsigned long caller);
};

extern const struct sr_hook sr_hooks[];
extern const unsigned int sr_nr_hooks;

void sr_avc_snapshot(struct anon_vma_chain *avc, struct sr_avc_snap *s);
unsigned long sr_kernel_av_parent(unsigned long av);
unsigned long sr_hooks_bad_context(void);

#endif
