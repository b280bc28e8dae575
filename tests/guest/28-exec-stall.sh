#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An exec held (by userfaultfd) after its new mm got its first anon link:
# that mm is reachable from no task, so the task walk cannot see its link.
# verify must still be ok, by walking the mm the shadow pinned (counted in
# walk_late_mms), not report the link as having no kernel counterpart; and
# resync must keep the link (not sweep it and mark the shadow stale); verify
# again once the exec has completed and the new program runs.
# sr-timeout: 300
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need execstall
stat() { awk -v k="$1" '$1 == k { print $2 }' "$sr_dir/stats"; }
go=$SR_RESULTS/execstall.go
log=$SR_RESULTS/execstall.log
rm -f "$go"
pid=
trap 'touch "$go"; [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait' EXIT
sr_klog_mark
sr_load
verify_get
echo "after load: $VLINE"

"$SR_BIN/execstall" "$go" /bin/sleep 600 >"$log" 2>&1 &
pid=$!
for ((i = 0; i < 600; i++)); do
	grep -q '^stalled' "$log" && break
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		if (($? == 3)); then
			pid=
			sr_unload
			skip "$(cat "$log")"
		fi
		fail "execstall ended: $(cat "$log")"
	fi
	sleep 0.1
done
grep -q '^stalled' "$log" || fail "the exec never stalled: $(cat "$log")"
assert_eq "$(cat /proc/$pid/comm)" execstall "comm while the exec is held"

late0=$(stat walk_late_mms)
t0=$(date +%s%N)
verify_get
t1=$(date +%s%N)
late1=$(stat walk_late_mms)
echo "exec held: $VLINE ($(( (t1 - t0) / 1000000 )) ms, late mms $late0 -> $late1)"
((late1 > late0)) || fail "verify did not walk the held exec's mm late"
# resync must keep the held exec's link, not sweep it and call itself stale
sweep0=$(stat sweep_links)
echo resync >"$sr_dir/control" || fail "resync failed"
assert_eq "$(stat stale)" 0 "stale after a resync with the exec held"
assert_eq "$(stat sweep_links)" "$sweep0" "links swept by the resync"
verify_get
echo "exec held, after resync: $VLINE"

touch "$go"
for ((i = 0; i < 300; i++)); do
	[[ $(cat /proc/$pid/comm 2>/dev/null) == sleep ]] && break
	sleep 0.1
done
assert_eq "$(cat /proc/$pid/comm)" sleep "comm after the exec"
verify_get
echo "exec done: $VLINE"
kill "$pid"
wait "$pid" 2>/dev/null
pid=
verify_get
echo "after exit: $VLINE"
sr_unload
sr_klog_clean
echo "PASS"
