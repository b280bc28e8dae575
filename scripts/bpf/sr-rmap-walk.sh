#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sr-rmap-walk.sh - what do the kernel's own anonymous rmap walks cost, live,
# and how many VMAs does each one visit?  kprobe/kretprobe on rmap_walk_anon
# (static in mm/rmap.c, probeable on the stock 6.1 kernel: "t rmap_walk_anon"
# in /proc/kallsyms) and kretprobes on the anon_vma interval-tree iterator
# it runs, counted on the same thread:
#   @walk_ns[comm]       latency of each walk, per walking command
#                        (kswapd0, kcompactd0, the task splitting a THP ...)
#   @vmas_visited[comm]  VMAs each walk visited (tree nodes returned by
#                        anon_vma_interval_tree_iter_first/next: the VMAs of
#                        the folio's anon_vma that cover its page offset)
#   @walks[comm]         walks
# Does not need the shadow_rmap module, and does not join with the shadow's
# width: the module's tracepoints carry %p-hashed ids only, which bpftrace
# cannot compute from the folio's anon_vma (see README.md for the
# tracepoint the module would need).
#
# Run (root):  scripts/bpf/sr-rmap-walk.sh            # Ctrl-C to print
#              scripts/bpf/sr-rmap-walk.sh -c 'CMD'   # trace while CMD runs
# Arguments go to bpftrace (options only, e.g. -c CMD, -o FILE).
# Anonymous walks come from reclaim (with swap), compaction, migration,
# THP splits (echo PID,0xSTART,0xEND > /sys/kernel/debug/split_huge_pages),
# KSM.
#
# Sample (guest, stock Debian 6.1: 8 MiB THP region written, 8 children
# forked, the parent splits its THPs through split_huge_pages; 3 THPs, each
# split = 1 try_to_migrate walk + 512 remove_migration_ptes walks, 9 VMAs):
#   @vmas_visited[python3]:
#   [9, 10)             1539 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#
#   @walk_ns[python3]:
#   [16K, 32K)          1478 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#   [32K, 64K)            35 |@                                                   |
#   [64K, 128K)           13 |                                                    |
#   [128K, 256K)           5 |                                                    |
#   [256K, 512K)           5 |                                                    |
#   [512K, 1M)             0 |                                                    |
#   [1M, 2M)               2 |                                                    |
#   [2M, 4M)               1 |                                                    |
#
#   @walks[python3]: 1539
set -u

exec bpftrace "$@" -e '
BEGIN
{
	printf("Tracing rmap_walk_anon. Ctrl-C to end.\n");
}

kprobe:rmap_walk_anon
{
	@t0[tid] = nsecs;
	@n[tid] = 0;
}

kretprobe:anon_vma_interval_tree_iter_first,
kretprobe:anon_vma_interval_tree_iter_next
/@t0[tid] && retval != 0/
{
	@n[tid]++;
}

kretprobe:rmap_walk_anon
/@t0[tid]/
{
	@walk_ns[comm] = hist(nsecs - @t0[tid]);
	@vmas_visited[comm] = lhist(@n[tid], 0, 256, 1);
	@walks[comm] = count();
	delete(@t0[tid]);
	delete(@n[tid]);
}

END
{
	clear(@t0);
	clear(@n);
}
'
