#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# verify must be able to fail.  The debug parameter drop_nth=N loses every
# Nth log record the way a missed event would be lost: silently (stale is
# not set by the loss).  The same fan-out is parked at its checkpoint three
# times: with drop_nth=0 verify is ok; with drop_nth=3 it must print
# "verify: FAIL mismatches=N" with N > 0 and log_dropped_debug must count
# the drops; after drop_nth=0 and "resync" (repeated while it ends stale,
# as the automatic repair does) it is ok again and the kernel log is clean.
# sr-timeout: 600
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-fork
param=/sys/module/shadow_rmap/parameters/drop_nth
out=$SR_RESULTS/wl/verify-fails
stat() { awk -v k="$1" '$1 == k { print $2 }' "$sr_dir/stats"; }
# park TAG: the fan-out, with verify's report at its first checkpoint
# (children alive) saved as $out.TAG
park() {
	SR_CHECK="[ \$SR_LABEL = fanout ] && cat $sr_dir/verify >$out.$1 2>&1; true" \
		"$SR_BIN/wl-fork" fanout 10 16 4 >"$out.$1.log" 2>&1 ||
		fail "wl-fork fanout ($1) failed: $(tail -n 5 "$out.$1.log")"
	grep -q "ok (2 checkpoints)" "$out.$1.log" || fail "no checkpoint ($1)"
	tail -n 4 "$out.$1"
}

sr_klog_mark
sr_load
assert_eq "$(cat "$param")" 0 "drop_nth default"

park control
assert_match "$(tail -n 1 "$out.control")" '^verify: ok ' "verify without drops"
assert_eq "$(stat log_dropped_debug)" 0 "log_dropped_debug without drops"

echo 3 >"$param" || fail "setting drop_nth"
park dropped
last=$(tail -n 1 "$out.dropped")
assert_match "$last" '^verify: FAIL mismatches=[1-9][0-9]*$' "verify with every 3rd record lost"
dropped=$(stat log_dropped_debug)
[[ $dropped =~ ^[0-9]+$ && $dropped -gt 0 ]] || fail "log_dropped_debug '$dropped'"
assert_eq "$(stat log_lost)" 0 "log_lost (drops are not losses)"
echo "dropped $dropped records: $last"

echo 0 >"$param" || fail "clearing drop_nth"
# A resync that had to sweep leftovers ends stale, and only a clean one
# (stale 0) promises an exact shadow: resync until one is, as the automatic
# repair does, at most three times.
for i in 1 2 3; do
	echo resync >"$sr_dir/control" || fail "resync $i"
	[[ $(stat stale) == 0 ]] && break
done
assert_eq "$(stat stale)" 0 "stale after $i resyncs"
verify_get
echo "after $i resyncs: $VLINE"
before=$(stat log_dropped_debug)
park after
assert_match "$(tail -n 1 "$out.after")" '^verify: ok ' "verify after resync"
assert_eq "$(stat log_dropped_debug)" "$before" "log_dropped_debug once drop_nth=0"
sr_unload
sr_klog_clean
echo "PASS"
