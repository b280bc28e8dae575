#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sr-rmap-walk.sh - what do the kernel's own anonymous rmap walks cost,
# live, and how wide are the anon_vmas they walk?  Reclaim, migration,
# compaction, THP splits and KSM walk every VMA of a folio's anon_vma that
# covers its page offset; the shadow knows that set before the walk starts.
#   @walk_ns[comm]          latency of each walk, per walking command
#                           (kretprobe:rmap_walk_anon)
#   @avg_walk_ns[comm, n]   mean latency of the walks that had n VMAs to
#                           visit according to the shadow (the join)
#   @shadow_vmas[comm]      VMAs covering the folio, per the shadow
#   @shadow_width[comm]     links in the walked anon_vma's tree, per the
#                           shadow (its VMAs at any offset)
#   @walks[comm]            walks; then how each compares with what the
#                           kernel's iterator returned during the walk
#                           (kretprobes on anon_vma_interval_tree_iter_*):
#   @exact[comm]            visited exactly the VMAs the shadow predicted
#   @stopped_early[comm]    visited fewer (the walk's rmap_one or done()
#                           ended it, or a trylock failed: not an error)
#   @shadow_short[comm]     visited more than the shadow knew: the tree
#                           grew between the walk's start and its lock, or
#                           the shadow is wrong (see `verify`)
#   @untracked[comm]        anon_vma unknown to the shadow
#   @lagging[comm]          not exact, with log records still pending: the
#                           probe runs in reclaim and never applies the
#                           log, so the shadow may not have the newest
#                           forks yet (reading its stats node applies it)
#
# Needs the shadow_rmap module (tracepoint:shadow_rmap:rmap_walk, whose
# probe on rmap_walk_anon is attached only while someone listens).
#
# Run (root):  scripts/bpf/sr-rmap-walk.sh            # Ctrl-C to print
#              scripts/bpf/sr-rmap-walk.sh -c 'CMD'   # trace while CMD runs
# Arguments go to bpftrace (options only, e.g. -c CMD, -o FILE).
# To cause walks: THP splits (echo PID,0xSTART,0xEND >
# /sys/kernel/debug/split_huge_pages), reclaim with swap, compaction, KSM.
#
# Sample (guest, stock Debian 6.1: 8 MiB THP region written, 8 children
# forked, the parent splits its THPs through split_huge_pages; each split
# is 1 try_to_migrate walk + 512 remove_migration_ptes walks over 9 VMAs;
# every walk visited exactly the 9 VMAs the shadow predicted):
#   @avg_walk_ns[python3, 9]: 38775
#
#   @exact[python3]: 1539
#
#   @shadow_vmas[python3]:
#   [8, 16)             1539 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#
#   @shadow_width[python3]:
#   [8, 16)             1539 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#
#   @walk_ns[python3]:
#   [16K, 32K)          1406 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#   [32K, 64K)            56 |@@                                                  |
#   [64K, 128K)           67 |@@                                                  |
#   [128K, 256K)           3 |                                                    |
#   [256K, 512K)           3 |                                                    |
#   [512K, 1M)             2 |                                                    |
#   [1M, 2M)               1 |                                                    |
#   [2M, 4M)               0 |                                                    |
#   [4M, 8M)               1 |                                                    |
#
#   @walks[python3]: 1539
set -u

. "$(dirname "$0")/kernel.sh"

. "$(dirname "$0")/need-module.sh"

first=$(sr_ksym anon_vma_interval_tree_iter_first anon_rmap_tree_iter_first)
next=$(sr_ksym anon_vma_interval_tree_iter_next anon_rmap_tree_iter_next)

exec "$BPFTRACE" "$@" -e '
BEGIN
{
	printf("Tracing anonymous rmap walks. Ctrl-C to end.\n");
}

tracepoint:shadow_rmap:rmap_walk
{
	@t0[tid] = nsecs;
	@n[tid] = 0;
	@sv[tid] = (int64)args->vmas;
	@tracked[tid] = args->tracked;
	@pending[tid] = args->pending;
	@shadow_vmas[comm] = hist(args->vmas);
	@shadow_width[comm] = hist(args->width);
}

kretprobe:'"$first"',
kretprobe:'"$next"'
/@t0[tid] && retval != 0/
{
	@n[tid]++;
}

kretprobe:rmap_walk_anon
/@t0[tid]/
{
	$ns = nsecs - @t0[tid];
	@walk_ns[comm] = hist($ns);
	@avg_walk_ns[comm, @sv[tid]] = avg($ns);
	@walks[comm] = count();
	if (!@tracked[tid]) {
		@untracked[comm] = count();
	} else if (@n[tid] == @sv[tid]) {
		@exact[comm] = count();
	} else if (@pending[tid]) {
		@lagging[comm] = count();
	} else if (@n[tid] < @sv[tid]) {
		@stopped_early[comm] = count();
	} else {
		@shadow_short[comm] = count();
	}
	delete(@t0[tid]);
	delete(@n[tid]);
	delete(@sv[tid]);
	delete(@tracked[tid]);
	delete(@pending[tid]);
}

END
{
	clear(@t0);
	clear(@n);
	clear(@sv);
	clear(@tracked);
	clear(@pending);
}
'
