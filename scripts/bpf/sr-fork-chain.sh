#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sr-fork-chain.sh - how long are the anon_vma chains that fork builds, per
# command?  For every VMA a fork copies, the chain length (anon_vma_chain
# links of the child's VMA) once the fork has linked it, as a histogram per
# forking command.  A process forked at depth D of a fork chain whose parents
# are all alive gets D+1 links per VMA: every rmap walk of a page the
# child COWs, and every fork of the child, pays for them.
#
# Needs the shadow_rmap module (tracepoint:shadow_rmap:link_add, cause fork;
# sched:sched_process_fork ends each fork).
#
# Run (root):  scripts/bpf/sr-fork-chain.sh            # Ctrl-C to print
#              scripts/bpf/sr-fork-chain.sh -c 'CMD'   # trace while CMD runs
# Arguments go to bpftrace (options only, e.g. -c CMD, -o FILE).
#
# Sample (guest, stock Debian 6.1, -c "tests/bin/wl-fork chain 5 4": five
# generations, 12 anon VMAs per process; the region, stack, heap ... of the
# child at depth d get d+1 links):
#   @chain_at_fork[wl-fork]:
#   [2, 3)                12 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#   [3, 4)                12 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#   [4, 5)                12 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#   [5, 6)                12 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#   [6, 7)                12 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
#
#   @forks[wl-fork]: 5          (forks that copied at least one anon VMA)
#   @max_chain[wl-fork]: 6
#   @vmas[wl-fork]: 60
set -u

. "$(dirname "$0")/kernel.sh"

. "$(dirname "$0")/need-module.sh"

# Chains only grow while one VMA is being copied, and dup_mmap copies VMA
# after VMA in the parent's thread: the last chain value seen for a VMA
# start is its length; a new start, or the end of the fork, closes it.
exec "$BPFTRACE" "$@" -e '
BEGIN
{
	printf("Chain length of the VMAs each fork copies, per comm. Ctrl-C to end.\n");
}

tracepoint:shadow_rmap:link_add
/str(args->cause) == "fork"/
{
	if (@vchain[tid] && @vstart[tid] != args->start) {
		@chain_at_fork[args->comm] = lhist(@vchain[tid], 0, 256, 1);
		@max_chain[args->comm] = max(@vchain[tid]);
		@vmas[args->comm] = count();
	}
	@vstart[tid] = args->start;
	@vchain[tid] = args->chain;
}

tracepoint:sched:sched_process_fork
{
	if (@vchain[tid]) {
		@chain_at_fork[comm] = lhist(@vchain[tid], 0, 256, 1);
		@max_chain[comm] = max(@vchain[tid]);
		@vmas[comm] = count();
		@forks[comm] = count();
	}
	delete(@vchain[tid]);
	delete(@vstart[tid]);
}

END
{
	clear(@vchain);
	clear(@vstart);
}
'
