#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sr-top.sh - which processes change the anon_vma forest most, right now?
# Every second: the top N (pid, comm) by shadow events in that second
# (link_add + link_del + anon_vma_new + anon_vma_free; pid/comm are the task
# making the change, the parent for a fork), then the events by kind.
#
# Needs the shadow_rmap module (tracepoint:shadow_rmap:*).
# Run (root):  scripts/bpf/sr-top.sh                 # Ctrl-C to end
#              TOP=5 scripts/bpf/sr-top.sh -c 'CMD'  # while CMD runs
#   TOP=N   processes per second (default 10)
# Arguments go to bpftrace (options only, e.g. -c CMD, -o FILE).
#
# Sample (guest, stock Debian 6.1, TOP=3, -c "tests/bin/wl-storm 4 2";
# lists print in ascending order, the busiest last):
#   --- 04:24:15
#   @events_per_s[362, bpftrace]: 200
#   @events_per_s[363, wl-storm]: 1276
#   @events_per_s[364, wl-storm]: 1492
#   @by_kind[tracepoint:shadow_rmap:anon_vma_free]: 738
#   @by_kind[tracepoint:shadow_rmap:anon_vma_new]: 742
#   @by_kind[tracepoint:shadow_rmap:link_del]: 2610
#   @by_kind[tracepoint:shadow_rmap:link_add]: 2643
set -u

. "$(dirname "$0")/kernel.sh"

top=${TOP:-10}
case $top in
''|*[!0-9]*) echo "TOP must be a number" >&2; exit 2 ;;
esac
. "$(dirname "$0")/need-module.sh"

exec "$BPFTRACE" "$@" -e '
BEGIN
{
	printf("Top '"$top"' processes by shadow_rmap events per second. Ctrl-C to end.\n");
}

tracepoint:shadow_rmap:link_add,
tracepoint:shadow_rmap:link_del,
tracepoint:shadow_rmap:anon_vma_new,
tracepoint:shadow_rmap:anon_vma_free
{
	@events_per_s[args->pid, args->comm] = count();
	@by_kind[probe] = count();
}

interval:s:1
{
	time("--- %H:%M:%S\n");
	print(@events_per_s, '"$top"');
	print(@by_kind);
	/* This order: an event between the two clears counts in the next
	   second by kind, never only by process. */
	clear(@by_kind);
	clear(@events_per_s);
}

END
{
	time("--- %H:%M:%S (last, partial second)\n");
	print(@events_per_s, '"$top"');
	print(@by_kind);
	/* This order: an event between the two clears counts in the next
	   second by kind, never only by process. */
	clear(@by_kind);
	clear(@events_per_s);
}
'
