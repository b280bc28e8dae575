#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bpf/sr-mremap.sh under wl-mremap all (forced move, grow, shrink,
# MREMAP_FIXED, partial move and back, moves in a fork child and parent).
# Asserts: the forced move's line has exactly the old and new addresses the
# workload reports (SR_INFO at its checkpoint), every move keeps its page
# offset and its anon_vma (all regions are written), @moves matches the
# MOVE lines, there are at least 5 moves (move, fixed, partial x2, fork
# child + parent), the shadow saw at least one link_del and one link_add
# with cause mremap per move, and its events (applied later, in a worker)
# name wl-mremap, the task that moved, and no other.
# sr-timeout: 150
. tests/guest/lib.sh

command -v bpftrace >/dev/null || skip "no bpftrace"
# sr-mremap.sh reads struct vm_area_struct fields: without BTF (the debug
# kernel lane builds no debug info) bpftrace cannot resolve them.
[[ -e /sys/kernel/btf/vmlinux ]] || skip "no BTF in this kernel (sr-mremap.sh needs struct vm_area_struct)"
[[ -x $SR_BIN/wl-mremap ]] || fail "$SR_BIN/wl-mremap missing (make tests-bin)"
out=$SR_RESULTS/42-bpf-mremap.out
info=$SR_RESULTS/42-bpf-mremap.info
: >"$info"
export SR_INFO_FILE=$info
export SR_CHECK='echo "$SR_LABEL $SR_INFO" >> "$SR_INFO_FILE"'
sr_klog_mark
sr_load
scripts/bpf/sr-mremap.sh -c "$SR_BIN/wl-mremap all" >"$out" 2>&1
rc=$?
sr_unload
cat "$out"
echo "-- checkpoints:"
cat "$info"
assert_eq "$rc" 0 "sr-mremap.sh exit status"
grep -q 'wl-mremap\[[0-9]*\]: ok' "$out" || fail "wl-mremap did not pass"

mv=$(grep -m1 '^mremap-move ' "$info") || fail "no mremap-move checkpoint"
[[ $mv =~ old=(0x[0-9a-f]+)\ new=(0x[0-9a-f]+) ]] || fail "bad SR_INFO '$mv'"
old=${BASH_REMATCH[1]} new=${BASH_REMATCH[2]}
grep -E "^MOVE pid=[0-9]+ comm=wl-mremap $old-0x[0-9a-f]+ -> $new-0x[0-9a-f]+ pgoff=0x[0-9a-f]+->0x[0-9a-f]+ kept anon_vma=same$" "$out" ||
	fail "no MOVE line for the forced move $old -> $new"

n=$(grep -c '^MOVE ' "$out")
((n >= 5)) || fail "only $n MOVE lines"
bad=$(grep '^MOVE ' "$out" | grep -Ev ' kept anon_vma=same$')
[[ -z $bad ]] || fail "moves that changed pgoff/anon_vma: $bad"
while read -r o p; do
	assert_eq "$o" "$p" "pgoff before/after"
done < <(sed -n 's/^MOVE .* pgoff=\(0x[0-9a-f]*\)->\(0x[0-9a-f]*\) .*/\1 \2/p' "$out")
assert_eq "$(sed -n 's/^@moves\[wl-mremap\]: //p' "$out")" "$n" "@moves[wl-mremap]"
dels=$(sed -n 's/^@links_mremap\[wl-mremap, link_del\]: //p' "$out")
adds=$(sed -n 's/^@links_mremap\[wl-mremap, link_add\]: //p' "$out")
[[ $dels =~ ^[0-9]+$ && $dels -ge $n ]] || fail "link_del with cause mremap: '$dels' for $n moves"
[[ $adds =~ ^[0-9]+$ && $adds -ge $n ]] || fail "link_add with cause mremap: '$adds' for $n moves"
others=$(grep '^@links_mremap\[' "$out" | grep -v '^@links_mremap\[wl-mremap, ')
[[ -z $others ]] || fail "mremap link events naming another task: $others"
echo "moves=$n link_del=$dels link_add=$adds"
sr_klog_clean
echo "PASS"
