#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel lockdown, raised at run time through securityfs (one way: this
# test runs last in the suite).  With the module loaded, integrity lockdown
# leaves the read-only nodes (verify, stats, chains, top) readable and
# refuses the writable ones (control, lookup) with EPERM; rmmod still
# works; a new insmod of the unsigned module is refused by the kernel with
# its lockdown message, and nothing of the module is left behind.
# sr-timeout: 120
. "$(dirname "$0")/lib.sh"

sec=/sys/kernel/security
mountpoint -q $sec || mount -t securityfs none $sec 2>/dev/null
[[ -w $sec/lockdown ]] || skip "no lockdown LSM in this kernel"
grep -q '\[none\]' $sec/lockdown || skip "lockdown already raised: $(cat $sec/lockdown)"

sr_load
sr_klog_mark
echo integrity >$sec/lockdown || fail "cannot raise lockdown"
grep -q '\[integrity\]' $sec/lockdown || fail "lockdown is $(cat $sec/lockdown)"

for node in verify stats chains top; do
	out=$(cat "$sr_dir/$node" 2>&1) || fail "reading $node under lockdown: $out"
	[[ -n $out ]] || fail "$node is empty under lockdown"
done
assert_match "$(cat "$sr_dir/stats")" "(^|.)anon_vmas [1-9]" "stats under lockdown"
sr_verify_ok
for node in control lookup; do
	err=$(echo resync 2>&1 >"$sr_dir/$node") && fail "writing $node allowed under lockdown"
	echo "$node: $err"
	assert_match "$err" "Operation not permitted" "$node write error"
done
sr_unload

out=$(insmod "$SR_KO" 2>&1) && fail "insmod allowed under integrity lockdown"
echo "insmod: $out"
sr_loaded && fail "module loaded under lockdown"
[[ ! -e $sr_dir ]] || fail "$sr_dir exists"
dmesg | grep -i 'lockdown' | tail -n 3
dmesg | grep -Eq 'Lockdown: insmod: unsigned module loading is restricted' ||
	fail "no lockdown message from the kernel"
sr_klog_clean -a 'Lockdown: '
echo "PASS"
