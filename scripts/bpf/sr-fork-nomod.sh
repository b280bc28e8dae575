#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sr-fork-nomod.sh - what does fork spend on anon_vmas, without the module?
# For boxes where loading shadow_rmap is not allowed: plain kprobes on the
# kernel's fork path, no tracepoint of ours.
#   @anon_vma_fork_ns[comm]   latency of anon_vma_fork (dup_mmap calls it
#                             for every VMA it copies)
#   @anon_vma_clone_ns[comm]  latency of anon_vma_clone (fork, split, mremap)
#   @fork_chain[comm]         links made per anon_vma_fork = the new VMA's
#                             chain length (interval-tree inserts it does,
#                             counted on the same thread), like
#                             sr-fork-chain.sh but from the kernel alone
#   @fork_calls[comm]         anon_vma_fork calls that linked the VMA
#                             (the parent's VMA had an anon_vma);
#   @fork_calls_no_anon_vma   the others (nothing to link)
#   @clone_calls[comm]        anon_vma_clone calls; @max_chain[comm]
#
# Run (root):  scripts/bpf/sr-fork-nomod.sh            # Ctrl-C to print
#              scripts/bpf/sr-fork-nomod.sh -c 'CMD'   # trace while CMD runs
# Arguments go to bpftrace (options only, e.g. -c CMD, -o FILE).
#
# Sample (guest, stock Debian 6.1, module not loaded,
# -c "tests/bin/wl-fork chain 5 4"; same chains as sr-fork-chain.sh):
#   @anon_vma_fork_ns[wl-fork]:
#   [2K, 4K)              36 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#   [4K, 8K)              16 |@@@@@@@@@@@@@@@@@@@@@@@                             |
#   [8K, 16K)             14 |@@@@@@@@@@@@@@@@@@@@                                |
#   [16K, 32K)            31 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@        |
#   [32K, 64K)            17 |@@@@@@@@@@@@@@@@@@@@@@@@                            |
#   [64K, 128K)            3 |@@@@                                                |
#   ...
#   @clone_calls[wl-fork]: 69
#   @fork_calls[wl-fork]: 60
#   @fork_calls_no_anon_vma[wl-fork]: 60
#   @fork_chain[wl-fork]:
#   [2, 3)                12 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#   ...
#   [6, 7)                12 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#   @max_chain[wl-fork]: 6
set -u

. "$(dirname "$0")/kernel.sh"

insert=$(sr_ksym anon_vma_interval_tree_insert anon_rmap_tree_insert)

exec "$BPFTRACE" "$@" -e '
BEGIN
{
	printf("anon_vma_fork/anon_vma_clone, no module needed. Ctrl-C to end.\n");
}

kprobe:anon_vma_fork
{
	@fork_t0[tid] = nsecs;
	@fork_links[tid] = 0;
}

kprobe:anon_vma_clone
{
	@clone_t0[tid] = nsecs;
}

kprobe:'"$insert"'
/@fork_t0[tid]/
{
	@fork_links[tid]++;
}

kretprobe:anon_vma_clone
/@clone_t0[tid]/
{
	@anon_vma_clone_ns[comm] = hist(nsecs - @clone_t0[tid]);
	@clone_calls[comm] = count();
	delete(@clone_t0[tid]);
}

kretprobe:anon_vma_fork
/@fork_t0[tid]/
{
	@anon_vma_fork_ns[comm] = hist(nsecs - @fork_t0[tid]);
	if (@fork_links[tid] > 0) {
		@fork_chain[comm] = lhist(@fork_links[tid], 0, 256, 1);
		@max_chain[comm] = max(@fork_links[tid]);
		@fork_calls[comm] = count();
	} else {
		@fork_calls_no_anon_vma[comm] = count();
	}
	delete(@fork_t0[tid]);
	delete(@fork_links[tid]);
}

END
{
	clear(@fork_t0);
	clear(@fork_links);
	clear(@clone_t0);
}
'
