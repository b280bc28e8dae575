#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Allocation failures and the memory cap: the shadow goes stale visibly
# (stale 1, counters), nothing crashes or leaks, and resync brings back
# stale 0 and verify: ok once allocations succeed again.  Loaded with
# fail_nth=7, the seeding loses allocations (stale 1); a resync without
# injection repairs it.  Then every 7th shadow allocation fails again during
# a fan-out and wl-mremap fork, and later a memory cap stops the shadow
# short of a fan-out: each time verify of the live fan-out (at its
# checkpoint, children parked) must say "stale 1" and end in "verify: FAIL
# mismatches=N", N > 0; after the injected failures, verify of what is left
# must still end in a verdict.  Where the kernel has failslab (the debug
# kernel lane), the kernel's own injection fails a fifth of the allocations
# from the module's caches (cache-filter) during a fan-out: stale 1, then
# resync to stale 0 and verify: ok.
# sr-timeout: 600
. tests/guest/lib.sh

stat() { awk -v k="$1" '$1 == k { print $2 }' "$sr_dir/stats"; }
params=/sys/module/shadow_rmap/parameters
ck=$SR_RESULTS/37-faults
mkdir -p "$ck" || fail "mkdir $ck"
# Shadow allocations happen where the event log is applied: links of
# children that come and go unobserved cancel out and allocate nothing.
# Reading stats at each checkpoint (children parked) applies the log
# while the whole tree is alive, in the checkpoint command's task; the
# verify report of that live tree is kept as $ck/verify.LABEL.
export SR_CHECK="cat $sr_dir/stats >/dev/null && cat $sr_dir/verify >$ck/verify.\$SR_LABEL"

# live_fail WHAT: verify at the last fan-out's checkpoint (tree alive) must
# have found the shadow wrong, and said it was stale.
live_fail() {
	local f=$ck/verify.fanout last

	[[ -s $f ]] || fail "$1: no verify report from the fanout checkpoint"
	last=$(tail -n 1 "$f")
	echo "$1: verify of the live fan-out: $last"
	assert_match "$last" '^verify: FAIL mismatches=[1-9][0-9]*$' \
		"$1: verify of the live fan-out"
	grep -qx 'stale 1' "$f" || fail "$1: verify of the live fan-out does not say stale 1"
}

# fanout N WHAT: wl-fork fanout N 32 with the checkpoint above; it must run
fanout() {
	rm -f "$ck"/verify.*
	"$SR_BIN/wl-fork" fanout "$1" 32 >"$ck/wl-fork.log" 2>&1 ||
		fail "wl-fork fanout $1 $2 (log: $ck/wl-fork.log)"
}

# resync_ok WHAT: resync with allocations succeeding: stale 0, verify: ok
resync_ok() {
	echo resync >"$sr_dir/control" || fail "resync $1"
	assert_eq "$(stat stale)" 0 "stale after resync $1"
	sr_verify_ok
}

sr_klog_mark
sr_load fail_nth=7
trap sr_unload EXIT
injected=$(stat alloc_fail_injected)
echo "seeding: injected failures $injected, stale $(stat stale)"
((injected > 0)) || fail "fail_nth=7 injected no failure into the seeding"
assert_eq "$(stat stale)" 1 "stale after a seeding with injected failures"
echo 0 >"$params/fail_nth"
resync_ok "after the seeding"

echo 7 >"$params/fail_nth"
fanout 8 "under fault injection"
"$SR_BIN/wl-mremap" fork >/dev/null 2>&1 || fail "wl-mremap fork under fault injection"
injected=$(($(stat alloc_fail_injected) - injected))
echo "workloads: injected failures $injected, stale $(stat stale)"
((injected > 0)) || fail "fail_nth=7 injected no failure into the workloads"
live_fail "injected failures"
assert_eq "$(stat stale)" 1 "stale after injected failures"
# The trees are gone (what they lacked went with them, or not): verify
# must still run and end in a verdict.
out=$(cat "$sr_dir/verify") || fail "reading verify after injected failures"
last=$(tail -n 1 <<<"$out")
echo "verify after the workloads: $last"
assert_match "$last" '^verify: (ok anon_vmas=[0-9]+ avcs=[0-9]+ vmas=[0-9]+ mms=[0-9]+|FAIL mismatches=[1-9][0-9]*)$' \
	"last line of verify after injected failures"
grep -qx 'stale 1' <<<"$out" || fail "verify after injected failures does not say stale 1"
echo 0 >"$params/fail_nth"
resync_ok "after injected failures"

# The cap: a shadow at its limit stops growing and says so.
bytes=$(stat bytes)
echo $((bytes + 16384)) >"$params/max_bytes"
fanout 16 "at the cap"
hits=$(stat memory_cap_hits)
echo "cap $((bytes + 16384)): bytes $(stat bytes), cap hits $hits, stale $(stat stale)"
((hits > 0)) || fail "the cap was never hit"
(($(stat bytes) <= bytes + 16384)) || fail "the shadow grew past its cap"
live_fail "the cap"
assert_eq "$(stat stale)" 1 "stale at the cap"
echo 0 >"$params/max_bytes"
resync_ok "after lifting the cap"

fs=/sys/kernel/debug/failslab
if [[ -d $fs ]]; then
	# Only the module's caches fail (cache-filter), in whichever task
	# applies the log; the kernel's own allocations (the workload's) do
	# not.  The flag is set at boot (read-only in sysfs): the debug lane
	# passes slub_debug=A,sr_av,sr_vma,sr_link,sr_mm.
	for c in sr_av sr_vma sr_link sr_mm; do
		assert_eq "$(cat /sys/kernel/slab/$c/failslab 2>/dev/null)" 1 \
			"failslab flag of cache $c (boot with slub_debug=A,$c)"
	done
	fails=$(stat alloc_fail)
	echo Y >$fs/cache-filter
	echo N >$fs/task-filter
	echo Y >$fs/ignore-gfp-wait
	echo 20 >$fs/probability
	echo 1 >$fs/interval
	echo -1 >$fs/times
	echo 0 >$fs/verbose
	fanout 8 "under failslab"
	echo 0 >$fs/probability
	echo N >$fs/cache-filter
	fails=$(($(stat alloc_fail) - fails))
	echo "failslab: shadow allocation failures $fails, stale $(stat stale)"
	((fails > 0)) || fail "failslab failed none of the shadow's allocations"
	assert_eq "$(stat stale)" 1 "stale after failslab"
	resync_ok "after failslab"
else
	echo "no failslab in this kernel (CONFIG_FAILSLAB): kernel injection not run"
fi
sr_unload
trap - EXIT
sr_klog_clean || fail "kernel log"
