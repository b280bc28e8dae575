#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "echo resync > control": the rebuilt shadow must verify and agree with the
# oracle, at every checkpoint of parked workloads (resync just before the
# check) and repeatedly while a storm runs.
# sr-timeout: 900
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-fork wl-mremap wl-storm oracle
storm=
trap '[[ -n $storm ]] && kill "$storm" 2>/dev/null; wait' EXIT
sr_klog_mark
sr_load
echo resync >"$sr_dir/control" || fail "resync on a fresh load failed"
verify_get
echo "after resync: $VLINE"

export WL_CHECK_PRE="echo resync > $sr_dir/control"
wl_run wl-fork fanout 10 32 2
wl_run wl-fork chain-exit 5 8
wl_run wl-mremap fork
unset WL_CHECK_PRE

"$SR_BIN/wl-storm" 30 3 >"$SR_RESULTS/wl/storm-resync.log" 2>&1 &
storm=$!
sleep 2
for i in 1 2 3 4 5; do
	echo resync >"$sr_dir/control" || fail "resync $i under the storm failed"
	verify_get
	echo "resync $i under the storm: $VLINE"
	sleep 1
done
kill "$storm"
wait "$storm"
storm=
echo resync >"$sr_dir/control" || fail "resync after the storm failed"
verify_get
echo "after the storm: $VLINE"
"$SR_BIN/oracle" compare --all >"$SR_RESULTS/wl/oracle-after-resync.txt" 2>&1 || {
	head -n 80 "$SR_RESULTS/wl/oracle-after-resync.txt" >&2
	fail "oracle compare --all after resync"
}
tail -n 1 "$SR_RESULTS/wl/oracle-after-resync.txt"
sr_unload
sr_klog_clean
echo "PASS"
