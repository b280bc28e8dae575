#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload while a fork tree holds shared anonymous memory and a loop
# keeps forking: each load must verify ok, each unload must be clean.
. "$(dirname "$0")/lib.sh"

[[ -x $SR_BIN/demo-workload ]] || fail "no $SR_BIN/demo-workload (make tests-bin)"
fifo=$(mktemp -u /tmp/busy.XXXXXX)
mkfifo "$fifo"
"$SR_BIN/demo-workload" -t 120 < "$fifo" > /tmp/busy.out 2>&1 &
wl=$!
exec 3> "$fifo"
( while :; do /bin/true; done ) &
forker=$!
trap 'kill "$forker" 2> /dev/null; exec 3>&-; wait' EXIT

for _ in $(seq 100); do
	grep -q '^ready$' /tmp/busy.out && break
	sleep 0.1
done
grep -q '^ready$' /tmp/busy.out || fail "workload not ready: $(cat /tmp/busy.out)"

sr_klog_mark
for i in $(seq 5); do
	sr_load
	sr_verify_ok
	sr_unload
	echo "cycle $i ok"
done
kill -0 "$wl" || fail "the workload died"
sr_klog_clean
