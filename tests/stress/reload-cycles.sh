#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/stress/reload-hunt: under a fork/mremap/mmapfork storm,
# CYCLES times: turn the hooks on, wait a second, read verify (module
# variants), write 300 random bytes to control, turn them off.  One line
# per cycle ("cycle N ok") so that the host can tell a hang from progress.
#
#   reload-cycles.sh VARIANT CYCLES
#   VARIANT: module (the module as shipped), bare (bare=1: the same hooks,
#   empty handlers), kprobes (kprobes_only=1), ftrace (no module: the
#   function tracer filtered on the hooked functions, on and off), kprobe
#   (no module: tracefs kprobe events on them, on and off)
set -u
variant=${1:?variant} cycles=${2:?cycles}
ko=${SR_KO:-/work/main/shadow_rmap.ko}
t=/sys/kernel/tracing
d=/sys/kernel/debug/shadow_rmap
[[ -d $t/events ]] || mount -t tracefs none $t
# The hooked functions of this kernel (6.1/6.12: the interval tree; 7.3:
# the anon rmap tree), from kallsyms as the module resolves them.
funcs=()
for f in anon_vma_interval_tree_insert anon_vma_interval_tree_remove \
	anon_rmap_tree_insert anon_rmap_tree_remove copy_page_range; do
	grep -qw "$f" /proc/kallsyms && funcs+=("$f")
done

on() {
	case $variant in
	module) insmod "$ko" ;;
	bare) insmod "$ko" bare=1 ;;
	kprobes) insmod "$ko" kprobes_only=1 ;;
	ftrace)
		printf '%s\n' "${funcs[@]}" >$t/set_ftrace_filter &&
			echo function >$t/current_tracer ;;
	kprobe)
		local f i=0
		for f in "${funcs[@]}"; do
			echo "p:srhunt/k$i $f" >>$t/kprobe_events || return 1
			i=$((i + 1))
		done
		echo 1 >$t/events/srhunt/enable ;;
	*) echo "unknown variant $variant" >&2; return 2 ;;
	esac
}

off() {
	case $variant in
	module|bare|kprobes) rmmod shadow_rmap ;;
	ftrace) echo nop >$t/current_tracer && : >$t/set_ftrace_filter ;;
	kprobe) echo 0 >$t/events/srhunt/enable && : >$t/kprobe_events ;;
	esac
}

stress-ng --fork 1 --mremap 1 --mmapfork 1 --timeout 0 --quiet &
storm=$!
sleep 2
for ((i = 1; i <= cycles; i++)); do
	on || { echo "cycle $i: on failed"; break; }
	sleep 1
	if [[ -d $d ]]; then
		tail -n 1 $d/verify >/dev/null
		head -c 300 /dev/urandom >$d/control 2>/dev/null
	fi
	off || { echo "cycle $i: off failed"; break; }
	echo "cycle $i ok"
done
kill "$storm"
wait "$storm" 2>/dev/null
echo "done $((i - 1)) cycles"
