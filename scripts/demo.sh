#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo, run inside the guest by `make demo` (or on a test machine as
# root): load shadow_rmap, start a small fork tree over shared anonymous
# memory, show every debugfs node and a few lookups, then unload.
# Exit status: 0 when every step worked and verify (if present) said ok.
set -u

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ko=${SR_KO:-$repo/shadow_rmap.ko}
bin=${SR_BIN:-$repo/tests/bin}
dir=/sys/kernel/debug/shadow_rmap
work=$(mktemp -d /tmp/sr-demo.XXXXXX)
errors=0
wl_pid=

section() { printf '\n===== %s =====\n' "$*"; }
error() {
	echo "demo: ERROR: $*"
	errors=$((errors + 1))
}
cleanup() {
	[[ -n $wl_pid ]] && kill "$wl_pid" 2> /dev/null
	exec 3>&- 2> /dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# show FILE: print a node, flagging read errors.
show() {
	cat "$1" || error "reading $1 failed"
}

# lookup QUERY: write a query to the lookup node and print its answer.
lookup() {
	section "lookup: $*"
	if [[ ! -e $dir/lookup ]]; then
		echo "(no lookup node in this build)"
		return
	fi
	if ! echo "$*" > "$dir/lookup"; then
		error "lookup query '$*' was rejected"
		return
	fi
	show "$dir/lookup"
}

section "kernel and module"
uname -r
echo "module: $ko"
modinfo -F vermagic "$ko" 2> /dev/null | sed 's/^/vermagic: /'

section "insmod"
if ! insmod "$ko"; then
	error "insmod failed"
	exit 1
fi
dmesg | grep 'shadow_rmap' | tail -n 5

section "workload: fork tree over shared anonymous memory"
mkfifo "$work/stdin"
"$bin/demo-workload" -t 300 < "$work/stdin" > "$work/out" 2>&1 &
wl_pid=$!
exec 3> "$work/stdin"
for _ in $(seq 300); do
	grep -q '^ready$' "$work/out" && break
	kill -0 "$wl_pid" 2> /dev/null || break
	sleep 0.1
done
cat "$work/out"
grep -q '^ready$' "$work/out" || error "the workload did not get ready"

field() { sed -n "s/^$1 .*$2=\\([^ +]*\\).*/\\1/p" "$work/out" | head -n 1; }
parent=$(field parent pid)
shared=$(field parent shared)
cow_pid=$(sed -n 's/^child pid=\([0-9]*\) .*cow=0x.*/\1/p' "$work/out" | head -n 1)
cow_addr=$(sed -n 's/^child .*cow=\(0x[0-9a-f]*\).*/\1/p' "$work/out" | head -n 1)
mv_pid=$(field mremap pid)
mv_addr=$(field mremap new)

if [[ -n $parent ]]; then
	section "the VMA holding $shared in /proc/$parent/maps"
	awk -v a="$shared" 'function pad(x) {
		sub(/^0x/, "", x); while (length(x) < 16) x = "0" x; return x }
		{ split($1, r, "-"); if (pad(r[1]) <= pad(a) && pad(a) < pad(r[2]))
			print }' "/proc/$parent/maps"
fi

section "debugfs nodes: ls -l $dir"
ls -l "$dir" || error "no $dir after insmod"
for f in "$dir"/*; do
	[[ -f $f ]] || continue
	name=${f##*/}
	# lookup and verify get sections of their own below
	[[ $name == lookup || $name == verify ]] && continue
	if [[ $(stat -c %a "$f") != *[4567]* ]]; then
		section "$name: write-only node"
		continue
	fi
	section "$name"
	show "$f"
done

if [[ -n $parent ]]; then
	lookup "pid $parent"
	lookup "pid $parent $shared"
	[[ -n $cow_pid ]] && lookup "pid $cow_pid $cow_addr"
	[[ -n $mv_pid ]] && lookup "pid $mv_pid $mv_addr"
fi

if [[ -e $dir/verify ]]; then
	section "verify (workload running)"
	show "$dir/verify" > "$work/verify"
	cat "$work/verify"
	tail -n 1 "$work/verify" | grep -q '^verify: ok' ||
		error "verify did not end with 'verify: ok'"
fi

section "workload exit"
exec 3>&-
wait "$wl_pid"
echo "demo-workload exited with status $?"
wl_pid=

if [[ -e $dir/stats ]]; then
	section "stats (after the workload exited)"
	show "$dir/stats"
fi

section "rmmod"
if rmmod shadow_rmap; then
	if [[ -e $dir ]]; then
		error "$dir still exists after rmmod"
	else
		echo "unloaded; $dir is gone"
	fi
else
	error "rmmod failed"
fi

section "result"
if ((errors)); then
	echo "demo: $errors error(s)"
	exit 1
fi
echo "demo: ok"
