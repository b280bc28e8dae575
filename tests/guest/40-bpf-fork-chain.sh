#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bpf/sr-fork-chain.sh under a fork chain of depth 5 (wl-fork chain
# 5 4, all parents alive): the histogram for wl-fork must show chain lengths
# 2..6 (a child forked at depth d gets d+1 links per copied VMA), each with
# the same number of VMAs (every generation copies the same VMAs), max 6,
# 5 forks; VMAs = 5 x VMAs per fork.
# sr-timeout: 150
. tests/guest/lib.sh

command -v bpftrace >/dev/null || skip "no bpftrace"
# bpftrace resolves the tracepoints' field types (u64, pid_t) from BTF:
# the debug kernel lane builds no debug info, so it has none.
[[ -e /sys/kernel/btf/vmlinux ]] || skip "no BTF in this kernel (bpftrace needs it for the tracepoint:shadow_rmap:* field types)"
[[ -x $SR_BIN/wl-fork ]] || fail "$SR_BIN/wl-fork missing (make tests-bin)"
out=$SR_RESULTS/40-bpf-fork-chain.out
sr_klog_mark
sr_load
scripts/bpf/sr-fork-chain.sh -c "$SR_BIN/wl-fork chain 5 4" >"$out" 2>&1
rc=$?
sr_unload
cat "$out"
assert_eq "$rc" 0 "sr-fork-chain.sh exit status"

hist() { bpf_hist "$out" "$1"; }
scalar() { bpf_scalar "$out" "$1"; }

h=$(hist '@chain_at_fork[wl-fork]')
echo "histogram (chain count): $(tr '\n' ' ' <<<"$h")"
[[ -n $h ]] || fail "no @chain_at_fork[wl-fork] histogram"
assert_eq "$(scalar '@max_chain[wl-fork]')" 6 "@max_chain[wl-fork]"
assert_eq "$(scalar '@forks[wl-fork]')" 5 "@forks[wl-fork]"
per=$(awk '$1 == 2 { print $2 }' <<<"$h")
[[ $per =~ ^[0-9]+$ && $per -ge 3 ]] || fail "VMAs with chain 2: '$per' (expected >= 3: region, stack, heap/data)"
for c in 3 4 5 6; do
	assert_eq "$(awk -v c=$c '$1 == c { print $2 }' <<<"$h")" "$per" "VMAs with chain $c"
done
assert_eq "$(awk '$1 < 2 || $1 > 6 { s += $2 } END { print s + 0 }' <<<"$h")" 0 \
	"VMAs with chain outside 2..6"
assert_eq "$(scalar '@vmas[wl-fork]')" $((5 * per)) "@vmas[wl-fork]"
sr_klog_clean
echo "PASS"
