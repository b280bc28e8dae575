#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Overload loses records visibly and heals, and never slows the kernel.
# With log_records=256 (the smallest log) a fork/mmap/mremap storm of 6
# workers outruns the applier: log_lost must count lost records and stale
# must read 1 while it runs; no handler may run long (hook_max_ns, which
# counts interrupts taken meanwhile: under TCG with the applier's RCU
# frees in softirq that reaches ~13 ms, so the bound is 50 ms, and it must
# stay below the longest batch the applier held, which a handler that
# applied batches itself would reach);
# once the storm ends, the automatic resync (auto_resync) must bring stale
# 0 and verify ok by itself, with a clean kernel log.
# sr-timeout: 600
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-storm
stat() { awk -v k="$1" '$1 == k { print $2 }' "$sr_dir/stats"; }
storm=
trap '[[ -n $storm ]] && kill "$storm" 2>/dev/null; wait' EXIT
log=$SR_RESULTS/wl/overload-storm.log

sr_klog_mark
sr_load log_records=256
assert_eq "$(stat log_size)" 256 "log_size"
assert_eq "$(stat stale)" 0 "stale after load"
"$SR_BIN/wl-storm" 20 6 >"$log" 2>&1 &
storm=$!
lost=0 saw_stale=0
for i in $(seq 1 40); do
	sleep 0.5
	kill -0 "$storm" 2>/dev/null || break
	# stats drains the log: sample stale before it is read again.
	read -r l s < <(awk '$1 == "log_lost" { l = $2 } $1 == "stale" { s = $2 }
		END { print l, s }' "$sr_dir/stats")
	((l > 0)) && lost=$l
	[[ $s == 1 ]] && saw_stale=1
	((lost > 0 && saw_stale)) && break
done
echo "storm: log_lost=$lost, stale seen=$saw_stale after ${i} samples"
((lost > 0)) || fail "log_lost stayed 0 under the storm with log_records=256"
assert_eq "$saw_stale" 1 "stale while records are lost"
wait "$storm" || fail "wl-storm failed: $(tail -n 5 "$log")"
storm=
hook=$(stat hook_max_ns)
echo "hook_max_ns $hook, hold_max_ns.log_batch $(stat hold_max_ns.log_batch)"
[[ $hook =~ ^[0-9]+$ ]] || fail "hook_max_ns '$hook'"
batch=$(stat hold_max_ns.log_batch)
((hook < 50000000)) || fail "a handler ran ${hook} ns (>= 50 ms)"
((hook < batch)) || fail "a handler ran ${hook} ns, as long as a batch (${batch} ns)"

# Heal: the automatic resync runs a second after the last loss.
for i in $(seq 1 60); do
	[[ $(stat stale) == 0 && $(stat auto_resync) -gt 0 ]] && break
	sleep 1
done
echo "after ${i}s: stale $(stat stale), auto_resync $(stat auto_resync), log_lost $(stat log_lost)"
assert_eq "$(stat stale)" 0 "stale after the automatic repair"
[[ $(stat auto_resync) -gt 0 ]] || fail "no automatic resync ran"
verify_get
echo "healed: $VLINE"
sr_unload
sr_klog_clean
echo "PASS"
