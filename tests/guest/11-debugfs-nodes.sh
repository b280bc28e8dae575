#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every node under /sys/kernel/debug/shadow_rmap is readable as root (unless
# its mode grants no read at all: a write-only node), twice in a row; the
# verify node is there and, the module freshly loaded on an idle guest, its
# last line says "verify: ok".
. "$(dirname "$0")/lib.sh"

sr_klog_mark
sr_load
files=0
for f in "$sr_dir"/*; do
	[[ -f $f ]] || continue
	files=$((files + 1))
	mode=$(stat -c %a "$f")
	if [[ $mode != *[4567]* ]]; then
		echo "skip write-only node ${f##*/} (mode $mode)"
		continue
	fi
	for pass in 1 2; do
		cat "$f" > "/tmp/node.out" || fail "cat ${f##*/} failed (read $pass)"
	done
	echo "read ${f##*/} (mode $mode): $(wc -l < /tmp/node.out) lines"
done
((files > 0)) || fail "no regular file in $sr_dir"
sr_verify_ok
sr_unload
sr_klog_clean
