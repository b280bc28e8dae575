#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/guest/scan-klog flags exactly the kernel logs that show trouble:
# clean logs pass, each kind of splat after the marker fails, splats before
# the marker are ignored, allow patterns work, the offending line is shown.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
scan=$root/scripts/guest/scan-klog
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
marker='sr-guest: === command start ==='
failures=0
checks=0

bad() { echo "not ok: $*"; failures=$((failures + 1)); }

# log NAME LINE...: a log with boot noise, the marker, then LINE...
log() {
	local f=$tmp/$1
	shift
	{
		echo '[    0.000000] Linux version 6.1.0-56-amd64'
		echo '[    0.120000] WARNING: boot-time noise before the marker'
		echo "[    3.100000] $marker"
		printf '[    3.200000] %s\n' "$@"
		echo '[    4.000000] reboot: Power down'
	} > "$f"
	echo "$f"
}

# expect STATUS NAME [scan-klog args...] -- LINE...
expect() {
	local want=$1 name=$2 f out rc
	shift 2
	local args=()
	while [[ $1 != -- ]]; do args+=("$1"); shift; done
	shift
	f=$(log "$name" "$@")
	checks=$((checks + 1))
	out=$("$scan" "${args[@]+"${args[@]}"}" "$f" 2>&1)
	rc=$?
	if [[ $rc -ne $want ]]; then
		bad "$name: exit $rc, want $want"
		echo "$out" | sed 's/^/    /'
	elif [[ $want -eq 1 ]] && ! grep -q '^>> ' <<< "$out"; then
		bad "$name: offending line not shown"
	else
		echo "ok: $name"
	fi
}

expect 0 clean -- 'shadow_rmap: loaded: 26 anon_vmas' 'random: crng init done'
expect 0 warning-before-marker -- 'all fine after the marker'
expect 0 userspace-words -- 'bpftrace: Attaching 1 probe' 'BUGS=0 warnings=0'
expect 1 oops -- 'Oops: 0000 [#1] PREEMPT SMP NOPTI' 'RIP: 0010:sr_model_add+0x1c/0x80 [shadow_rmap]'
expect 1 bug-null -- 'BUG: kernel NULL pointer dereference, address: 0000000000000008'
expect 1 kernel-bug -- 'kernel BUG at mm/rmap.c:1234!' 'invalid opcode: 0000 [#1] PREEMPT SMP NOPTI'
expect 1 warn -- '------------[ cut here ]------------' 'WARNING: CPU: 1 PID: 123 at src/model.c:99 sr_link_add+0x5/0x10 [shadow_rmap]'
expect 1 lockdep-circular -- 'WARNING: possible circular locking dependency detected'
expect 1 lockdep-inconsistent -- '================================' 'inconsistent lock state'
expect 1 rcu-suspicious -- 'suspicious RCU usage.'
expect 1 lockdep-debug-locks -- 'DEBUG_LOCKS_WARN_ON(1)'
expect 1 sleeping-atomic -- 'BUG: scheduling while atomic: bash/123/0x00000002'
expect 1 soft-lockup -- 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [wl-fork:99]'
expect 1 hard-lockup -- 'NMI watchdog: Watchdog detected hard LOCKUP on cpu 1'
expect 1 rcu-stall -- 'rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:'
expect 1 rcu-self-stall -- 'rcu: INFO: rcu_sched self-detected stall on CPU'
expect 1 gpf -- 'general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1]'
expect 1 kasan -- 'BUG: KASAN: use-after-free in sr_model_del+0x2a/0x90 [shadow_rmap]'
expect 1 kfence -- 'BUG: KFENCE: out-of-bounds read in sr_text_printf+0x10/0x50'
expect 1 slub -- 'BUG kmalloc-64 (Tainted: G           OE     ): Poison overwritten'
expect 1 list-corruption -- 'list_del corruption. prev->next should be ffff888003a1b2c0, but was dead000000000100'
expect 1 call-trace -- 'Call Trace:' ' <TASK>' ' dump_stack_lvl+0x44/0x5c'
expect 1 panic -- 'Kernel panic - not syncing: sysrq triggered crash'
expect 1 hung-task -- 'INFO: task rmmod:321 blocked for more than 120 seconds.'
expect 1 fake-bug -- 'BUG: fake'
expect 0 allowed -a 'WARNING: .*expected_warn' -- 'WARNING: CPU: 0 PID: 1 at x.c:1 expected_warn+0x0/0x1'
expect 1 allow-other -a 'expected_warn' -- 'WARNING: CPU: 0 PID: 1 at x.c:1 other+0x0/0x1'
expect 1 no-marker-mode -M -- 'nothing here'

# Without the marker the whole file counts; CR line ends (serial) are fine.
checks=$((checks + 1))
printf '[ 1.0] boot\r\n[ 2.0] BUG: unable to handle page fault\r\n' > "$tmp/nomarker"
if "$scan" "$tmp/nomarker" > /dev/null 2>&1; then
	bad "a log without the marker is not scanned whole"
else
	echo "ok: no-marker-scans-whole"
fi
checks=$((checks + 1))
if "$scan" "$tmp/does-not-exist" > /dev/null 2>&1; then
	bad "a missing file passes"
else
	echo "ok: missing-file-fails"
fi
# Several files: one bad one fails the lot.
checks=$((checks + 1))
if "$scan" "$tmp/clean" "$tmp/oops" > /dev/null 2>&1; then
	bad "clean + oops passes"
else
	echo "ok: several-files"
fi

echo "$((checks - failures)) of $checks scan-klog checks ok"
((failures == 0))
