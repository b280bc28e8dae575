#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bpf/sr-top.sh (TOP=3) under wl-storm 4 2 (2 workers forking,
# mremapping, splitting for 4 s).  Asserts: at least 2 one-second blocks
# where a wl-storm process leads; no block lists more than 3 processes;
# every listed count is positive; in every block the listed processes'
# events do not exceed the block's events by kind; link_add, link_del,
# anon_vma_new and anon_vma_free all appear.
# sr-timeout: 150
. tests/guest/lib.sh

command -v bpftrace >/dev/null || skip "no bpftrace"
# bpftrace resolves the tracepoints' field types (u64, pid_t) from BTF:
# the debug kernel lane builds no debug info, so it has none.
[[ -e /sys/kernel/btf/vmlinux ]] || skip "no BTF in this kernel (bpftrace needs it for the tracepoint:shadow_rmap:* field types)"
[[ -x $SR_BIN/wl-storm ]] || fail "$SR_BIN/wl-storm missing (make tests-bin)"
out=$SR_RESULTS/43-bpf-top.out
sr_klog_mark
sr_load
TOP=3 scripts/bpf/sr-top.sh -c "$SR_BIN/wl-storm 4 2" >"$out" 2>&1
rc=$?
sr_unload
cat "$out"
assert_eq "$rc" 0 "sr-top.sh exit status"

# one line per block: "NPROCS SUM_PROCS SUM_KINDS LEADER_COMM MIN_COUNT"
blocks=$(awk '
	function flush() {
		if (inb) print np, sp, sk, lead == "" ? "-" : lead, min + 0
	}
	/^--- / { flush(); inb = 1; np = sp = sk = 0; lead = ""; best = -1; min = ""; next }
	inb && /^@events_per_s\[/ {
		c = $NF; np++; sp += c
		if (min == "" || c < min) min = c
		if (c > best) { best = c; lead = $0; sub(/^@events_per_s\[[0-9]+, /, "", lead); sub(/\].*/, "", lead) }
	}
	inb && /^@by_kind\[/ { sk += $NF }
	END { flush() }' "$out")
echo "blocks (procs sum kinds leader min):"
echo "$blocks"
[[ -n $blocks ]] || fail "no per-second block"
led=$(awk '$4 == "wl-storm"' <<<"$blocks" | wc -l)
((led >= 2)) || fail "wl-storm led only $led blocks"
assert_eq "$(awk '$1 > 3' <<<"$blocks" | wc -l)" 0 "blocks listing more than TOP=3 processes"
assert_eq "$(awk '$1 > 0 && $5 < 1' <<<"$blocks" | wc -l)" 0 "blocks with a non-positive count"
assert_eq "$(awk '$2 > $3' <<<"$blocks" | wc -l)" 0 "blocks whose top processes exceed their events by kind"
for k in link_add link_del anon_vma_new anon_vma_free; do
	grep -q "^@by_kind\[tracepoint:shadow_rmap:$k\]: [1-9]" "$out" || fail "no $k events"
done
sr_klog_clean
echo "PASS"
