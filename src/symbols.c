// SPDX-License-Identifier: GPL-2.0
/*
 * Symbol resolution.  kallsyms_lookup_name() is not exported since 5.7; a
 * kprobe on it yields its address, as samples/kprobes does for any symbol.
 * A function's extent comes from sprint_symbol()'s "name+off/size".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/string.h>

#include <shadow_rmap/symbols.h>

static unsigned long (*sr_lookup_name)(const char *name);

static int sr_find_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret;

	if (sr_lookup_name)
		return 0;
	ret = register_kprobe(&kp);
	if (ret)
		return ret;
	sr_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	return 0;
}

/**
 * sr_sym_resolve() - find the address range of a kernel function
 * @r: ->name set; ->start and ->end are filled in
 *
 * Return: 0, -ENOENT when the kernel has no such symbol (inlined, renamed),
 * or another negative errno.
 */
int sr_sym_resolve(struct sr_sym_range *r)
{
	char buf[KSYM_SYMBOL_LEN], *slash;
	unsigned long size;
	int ret = sr_find_lookup_name();

	r->start = 0;
	r->end = 0;
	if (ret)
		return ret;
	r->start = sr_lookup_name(r->name);
	if (!r->start)
		return -ENOENT;
	sprint_symbol(buf, r->start);
	slash = strrchr(buf, '/');
	if (!slash || kstrtoul(slash + 1, 16, &size) || !size) {
		r->start = 0;
		return -ENOENT;
	}
	r->end = r->start + size;
	return 0;
}
