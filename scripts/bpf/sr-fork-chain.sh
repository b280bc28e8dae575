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
# Needs the shadow_rmap module (tracepoint:shadow_rmap:anon_vma_new and
# link_add, cause fork).  The module's events fire when its log is applied,
# a few milliseconds after the fork, in a worker; they carry the forking
# task's pid, tid and comm, and a forest's events come in the kernel's
# order, so nothing here depends on when or where they fire.  A fork links
# the child's VMA to its own new anon_vma last (anon_vma_fork()), so the
# link_add of an anon_vma just made is the VMA's final chain length.  A
# copy that reused an existing anon_vma instead (anon_vma_clone() does,
# for one no VMA uses any more) makes none and is not counted.
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
#   @forks[wl-fork]: 5          (sched_process_fork, as it happens)
#   @max_chain[wl-fork]: 6
#   @vmas[wl-fork]: 60
set -u

. "$(dirname "$0")/kernel.sh"

. "$(dirname "$0")/need-module.sh"

exec "$BPFTRACE" "$@" -e '
BEGIN
{
	printf("Chain length of the VMAs each fork copies, per comm. Ctrl-C to end.\n");
}

tracepoint:shadow_rmap:anon_vma_new
{
	@new[args->anon_vma] = 1;
}

tracepoint:shadow_rmap:link_add
/@new[args->anon_vma]/
{
	if (str(args->cause) == "fork") {
		@chain_at_fork[args->comm] = lhist(args->chain, 0, 256, 1);
		@max_chain[args->comm] = max(args->chain);
		@vmas[args->comm] = count();
	}
	delete(@new[args->anon_vma]);
}

tracepoint:sched:sched_process_fork
{
	@forks[comm] = count();
}

END
{
	clear(@new);
}
'
