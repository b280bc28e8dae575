#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load the module while a storm (fork/mmap/mremap/munmap/exit) is already
# running: the module must learn the existing state and follow the changes.
# verify is read repeatedly while the storm runs, and at the storm's pauses
# (all workers parked) verify and the oracle must pass for the storm's pids.
# sr-timeout: 900
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-storm oracle
# Long enough for three verifies on an overloaded host (about 15 s each
# under TCG with several guests per core; 2 s on an idle one).
secs=${WL_STORM_SECS:-60}
log=$SR_RESULTS/wl/storm-load.log
# pause checks only count once the module is there
export WL_SR_CHECK="[ -e $sr_dir/verify ] || { echo \"check \$SR_LABEL: module not loaded yet\"; exit 0; }; exec $wl_check"
storm=
trap '[[ -n $storm ]] && kill "$storm" 2>/dev/null; wait' EXIT
sr_klog_mark
SR_CHECK=$WL_SR_CHECK "$SR_BIN/wl-storm" "$secs" 4 4 >"$log" 2>&1 &
storm=$!
sleep 3
kill -0 "$storm" || fail "storm ended early: $(tail -n 5 "$log")"
sr_load
echo "loaded under the storm"
n=0
while kill -0 "$storm" 2>/dev/null && ((n < 8)); do
	verify_get
	n=$((n + 1))
	echo "mid-storm verify $n: $VLINE"
	sleep 2
done
((n >= 3)) || fail "only $n verifies while the storm ran"
wait "$storm"
rc=$?
storm=
grep -E '^check |storm seconds|ok \(|FAIL' "$log" | sed 's/^/   /'
[[ $rc -eq 0 ]] || { tail -n 60 "$log" >&2; fail "storm exited $rc"; }
checks=$(grep -c '^check storm-pause-[0-9]*: verify: ok' "$log")
((checks >= 2)) || fail "only $checks pause checks ran with the module loaded"
verify_get
echo "after the storm: $VLINE"
sr_unload
sr_klog_clean
echo "PASS"
