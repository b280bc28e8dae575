#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The scripts that need the module (sr-fork-chain, sr-rmap-walk, sr-mremap,
# sr-top) exit
# non-zero at once, before bpftrace starts, with "shadow_rmap module not
# loaded: insmod shadow_rmap.ko first" on stderr and nothing on stdout,
# also when tracefs is not mounted at /sys/kernel/tracing to begin with.
# With the module loaded the same check passes (sr-top.sh runs a command
# and exits 0).
# sr-timeout: 120
. tests/guest/lib.sh

command -v bpftrace >/dev/null || skip "no bpftrace"
# The loaded half runs sr-top.sh, whose tracepoint field types bpftrace
# takes from BTF; the debug kernel lane builds no debug info.
[[ -e /sys/kernel/btf/vmlinux ]] || skip "no BTF in this kernel (sr-top.sh needs it)"
sr_loaded && fail "shadow_rmap is loaded at start"
msg="shadow_rmap module not loaded: insmod shadow_rmap.ko first"

check_refuses() {
	local s=$1 t0 ms rc
	t0=$(date +%s%N)
	timeout 30 "scripts/bpf/$s" -c /bin/true >"$SR_RESULTS/45.out" 2>"$SR_RESULTS/45.err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "$s: rc=$rc ${ms}ms stderr: $(cat "$SR_RESULTS/45.err")"
	((rc != 0 && rc != 124)) || fail "$s: exit status $rc without the module"
	assert_eq "$(cat "$SR_RESULTS/45.err")" "$msg" "$s stderr"
	assert_eq "$(cat "$SR_RESULTS/45.out")" "" "$s stdout"
	((ms < 3000)) || fail "$s took ${ms}ms: bpftrace must not start"
}

for s in sr-fork-chain.sh sr-rmap-walk.sh sr-mremap.sh sr-top.sh; do
	check_refuses "$s"
done

# tracefs unmounted: the scripts mount it (or fall back to debugfs)
if mountpoint -q /sys/kernel/tracing && umount /sys/kernel/tracing 2>/dev/null; then
	check_refuses sr-top.sh
	mountpoint -q /sys/kernel/tracing || [[ -d /sys/kernel/debug/tracing/events ]] ||
		fail "no tracefs after the script"
	mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
fi

sr_klog_mark
sr_load
TOP=2 scripts/bpf/sr-top.sh -c /bin/true >"$SR_RESULTS/45.out" 2>&1
rc=$?
sr_unload
cat "$SR_RESULTS/45.out"
assert_eq "$rc" 0 "sr-top.sh with the module loaded"
grep -q "$msg" "$SR_RESULTS/45.out" && fail "refused with the module loaded"
grep -q '^Top 2 processes' "$SR_RESULTS/45.out" || fail "sr-top.sh did not start"
sr_klog_clean
echo "PASS"
