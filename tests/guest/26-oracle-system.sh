#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The oracle over the whole guest: with the module loaded, every anonymous
# page of every process must be known to lookup with exactly the mappings
# pagemap shows (and kpagecount counts); again while a fan-out workload is
# parked at its checkpoints, and once more after it exited.
# sr-timeout: 900
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-fork oracle
sr_klog_mark
sr_load
verify_get
echo "after load: $VLINE"
for i in 1 2; do
	"$SR_BIN/oracle" compare --all >"$SR_RESULTS/wl/oracle-all-$i.txt" 2>&1 || {
		head -n 80 "$SR_RESULTS/wl/oracle-all-$i.txt" >&2
		fail "oracle compare --all (round $i): $(tail -n 1 "$SR_RESULTS/wl/oracle-all-$i.txt")"
	}
	echo "system round $i: $(tail -n 1 "$SR_RESULTS/wl/oracle-all-$i.txt")"
	pages=$(sed -n 's/^oracle: ok pages=\([0-9]*\).*/\1/p' "$SR_RESULTS/wl/oracle-all-$i.txt")
	[[ ${pages:-0} -gt 100 ]] || fail "oracle compared only ${pages:-0} pages over the whole system"
done
# at the workload's checkpoints: its own pids, then the whole system
WL_SR_CHECK="$wl_check"' && "$SR_BIN/oracle" compare --all >"$SR_RESULTS/wl/oracle-all-$SR_LABEL.txt" 2>&1 && echo "check $SR_LABEL: system $(tail -n 1 "$SR_RESULTS/wl/oracle-all-$SR_LABEL.txt")"' \
	wl_run wl-fork fanout 12 32 4
verify_get
echo "end: $VLINE"
sr_unload
sr_klog_clean
echo "PASS"
