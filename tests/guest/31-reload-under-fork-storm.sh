#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rmmod/insmod cycles under a fork/mmap/mremap storm (stress-ng --fork
# --mmap --mremap when present, and wl-storm): after every load verify must
# be ok; at the end, with the storm gone, verify and the oracle over the
# whole system. WL_RELOAD_CYCLES=N for more cycles (the long lanes run 50).
# sr-timeout: 600 + 60 * WL_RELOAD_CYCLES
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-storm oracle
cycles=${WL_RELOAD_CYCLES:-3}
[[ $cycles =~ ^[1-9][0-9]*$ ]] || fail "WL_RELOAD_CYCLES=$cycles: want a count"
# Outlasts the cycles whatever the kernel's speed (the test's own time limit,
# scaled like it); the storm is stopped when the cycles are done.
secs=$(((600 + 60 * cycles) * ${SR_TEST_TIMEOUT_SCALE:-1}))
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait' EXIT
sr_klog_mark
if command -v stress-ng >/dev/null; then
	# Small sizes: the point is the rate of anon_vma changes (fork, map,
	# unmap, move), not memory pressure in a 1 GB guest.
	stress-ng --fork 2 --mmap 1 --mmap-bytes 8M --mremap 1 \
		--mremap-bytes 8M --timeout "${secs}s" \
		>"$SR_RESULTS/wl/stress-ng-storm.log" 2>&1 &
	pids+=($!)
else
	echo "note: no stress-ng; wl-storm only"
fi
"$SR_BIN/wl-storm" "$secs" 2 >"$SR_RESULTS/wl/storm-reload.log" 2>&1 &
storm=$!
pids+=("$storm")
sleep 2
# The cycles run at nice -10 from here on (the storm stays at 0): with six
# hogs on two vCPUs a nice-0 insmod gets a third of a CPU, so a cycle would
# time the scheduler's share (minutes on the debug kernel), not the module.
# The storm keeps at least one vCPU busy throughout, so it still races
# every load, sync, verify and unload.
renice -n -10 -p $$ >/dev/null || fail "renice -n -10 $$ failed"
t0=$SECONDS
for ((c = 1; c <= cycles; c++)); do
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null || fail "cycle $c: storm process $p is gone (not under load)"
	done
	tc=$SECONDS
	sr_load
	tl=$((SECONDS - tc))
	sleep 2
	tv=$SECONDS
	verify_get
	echo "cycle $c after load: $VLINE"
	sleep 1
	verify_get
	echo "cycle $c later:     $VLINE"
	tv=$((SECONDS - tv - 1))
	tu=$SECONDS
	sr_unload
	# Where a slow kernel spends a cycle: insmod (probes and the initial
	# sync), the two verifies, rmmod (unhooking and the grace periods).
	echo "cycle $c: insmod ${tl}s, verifies ${tv}s, rmmod $((SECONDS - tu))s"
	sleep 1
done
echo "$cycles cycles under the storm in $((SECONDS - t0))s"
for p in "${pids[@]}"; do
	kill -0 "$p" 2>/dev/null || fail "storm process $p ended before the last cycle"
done
for p in "${pids[@]}"; do
	kill "$p" 2>/dev/null
done
wait "$storm"
rc=$?
# killed by us (SIGTERM: 143) or finished by its deadline (0)
[[ $rc -eq 0 || $rc -eq 143 ]] || { tail -n 40 "$SR_RESULTS/wl/storm-reload.log" >&2; fail "wl-storm exited $rc"; }
wait
pids=()
sr_load
verify_get
echo "quiet after the storm: $VLINE"
"$SR_BIN/oracle" compare --all >"$SR_RESULTS/wl/oracle-after-reload.txt" 2>&1 || {
	head -n 80 "$SR_RESULTS/wl/oracle-after-reload.txt" >&2
	fail "oracle compare --all after the reload cycles"
}
echo "$(tail -n 1 "$SR_RESULTS/wl/oracle-after-reload.txt")"
sr_unload
sr_klog_clean
echo "PASS"
