#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bpf/sr-fork-nomod.sh, module NOT loaded, under wl-fork chain 5 4.
# Asserts: links per anon_vma_fork (interval-tree inserts) show chain
# lengths 2..6 only, the same number of VMAs for each, max 6; linked
# anon_vma_fork calls = 5 x VMAs per fork; the latency histograms hold as
# many samples as their call counts; every linked fork called anon_vma_clone.
# sr-timeout: 150
. tests/guest/lib.sh

command -v bpftrace >/dev/null || skip "no bpftrace"
[[ -x $SR_BIN/wl-fork ]] || fail "$SR_BIN/wl-fork missing (make tests-bin)"
sr_loaded && fail "shadow_rmap is loaded; this test runs without it"
out=$SR_RESULTS/44-bpf-fork-nomod.out
scripts/bpf/sr-fork-nomod.sh -c "$SR_BIN/wl-fork chain 5 4" >"$out" 2>&1
rc=$?
cat "$out"
assert_eq "$rc" 0 "sr-fork-nomod.sh exit status"
sr_loaded && fail "shadow_rmap got loaded"

hist() { bpf_hist "$out" "$1"; }
scalar() { bpf_scalar "$out" "$1"; }
sum() { awk '{ s += $2 } END { print s + 0 }'; }

h=$(hist '@fork_chain[wl-fork]')
echo "links per anon_vma_fork (links calls): $(tr '\n' ' ' <<<"$h")"
assert_eq "$(scalar '@max_chain[wl-fork]')" 6 "@max_chain[wl-fork]"
per=$(awk '$1 == 2 { print $2 }' <<<"$h")
[[ $per =~ ^[0-9]+$ && $per -ge 3 ]] || fail "VMAs with chain 2: '$per'"
for c in 3 4 5 6; do
	assert_eq "$(awk -v c=$c '$1 == c { print $2 }' <<<"$h")" "$per" "VMAs with chain $c"
done
assert_eq "$(awk '$1 < 2 || $1 > 6 { s += $2 } END { print s + 0 }' <<<"$h")" 0 \
	"calls with chain outside 2..6"
fc=$(scalar '@fork_calls[wl-fork]')
assert_eq "$fc" $((5 * per)) "@fork_calls[wl-fork]"
nc=$(scalar '@fork_calls_no_anon_vma[wl-fork]')
assert_eq "$(hist '@anon_vma_fork_ns[wl-fork]' | sum)" $((fc + ${nc:-0})) "anon_vma_fork latency samples"
cc=$(scalar '@clone_calls[wl-fork]')
assert_eq "$(hist '@anon_vma_clone_ns[wl-fork]' | sum)" "$cc" "anon_vma_clone latency samples"
((cc >= fc)) || fail "anon_vma_clone calls $cc < linked anon_vma_fork calls $fc"
echo "PASS"
