#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Allocation failures and the memory cap: the shadow goes stale visibly
# (stale 1, counters), nothing crashes or leaks, and resync brings back
# verify: ok once allocations succeed again.  Where the kernel has failslab
# (the debug kernel lane), the same with the kernel's own injection: a
# fifth of the allocations from the module's caches fail (cache-filter).
# sr-timeout: 600
. tests/guest/lib.sh

stat() { awk -v k="$1" '$1 == k { print $2 }' "$sr_dir/stats"; }
params=/sys/module/shadow_rmap/parameters
# Shadow allocations happen where the event log is applied: links of
# children that come and go unobserved cancel out and allocate nothing.
# Reading stats at each checkpoint (children parked) applies the log
# while the whole tree is alive, in the checkpoint command's task.
export SR_CHECK="cat $sr_dir/stats >/dev/null"

sr_klog_mark
sr_load fail_nth=7
trap sr_unload EXIT
"$SR_BIN/wl-fork" fanout 8 32 >/dev/null 2>&1 || fail "workload under fault injection"
"$SR_BIN/wl-mremap" fork >/dev/null 2>&1 || fail "workload under fault injection"
injected=$(stat alloc_fail_injected)
echo "injected failures: $injected, stale: $(stat stale)"
((injected > 0)) || fail "fail_nth=7 injected no failure"
assert_eq "$(stat stale)" 1 "stale after injected failures"
# Whatever verify says now, reading it must work; then repair.
tail -1 "$sr_dir/verify"
echo 0 >"$params/fail_nth"
echo resync >"$sr_dir/control" || fail "resync"
assert_eq "$(stat stale)" 0 "stale after resync"
sr_verify_ok || fail "verify after resync"

# The cap: a shadow at its limit stops growing and says so.
bytes=$(stat bytes)
echo $((bytes + 16384)) >"$params/max_bytes"
"$SR_BIN/wl-fork" fanout 16 32 >/dev/null 2>&1 || fail "workload at the cap"
hits=$(stat memory_cap_hits)
echo "cap $((bytes + 16384)): bytes $(stat bytes), cap hits $hits, stale $(stat stale)"
((hits > 0)) || fail "the cap was never hit"
(($(stat bytes) <= bytes + 16384)) || fail "the shadow grew past its cap"
assert_eq "$(stat stale)" 1 "stale at the cap"
echo 0 >"$params/max_bytes"
echo resync >"$sr_dir/control" || fail "resync after the cap"
sr_verify_ok || fail "verify after lifting the cap"

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
	"$SR_BIN/wl-fork" fanout 8 32 >/dev/null 2>&1 || fail "workload under failslab"
	echo 0 >$fs/probability
	echo N >$fs/cache-filter
	fails=$(($(stat alloc_fail) - fails))
	echo "failslab: shadow allocation failures $fails, stale $(stat stale)"
	((fails > 0)) || fail "failslab failed none of the shadow's allocations"
	assert_eq "$(stat stale)" 1 "stale after failslab"
	echo resync >"$sr_dir/control" || fail "resync after failslab"
	assert_eq "$(stat stale)" 0 "stale after resync"
	sr_verify_ok || fail "verify after failslab"
else
	echo "no failslab in this kernel (CONFIG_FAILSLAB): kernel injection not run"
fi
sr_unload
trap - EXIT
sr_klog_clean || fail "kernel log"
