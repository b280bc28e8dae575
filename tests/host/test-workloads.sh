#!/bin/bash
# Host test: every workload scenario runs natively with its own assertions,
# checkpoints run SR_CHECK with SR_LABEL/SR_PIDS set (all listed pids alive),
# a failing SR_CHECK fails the workload and names the checkpoint, and no
# workload process is left behind.
set -u
. "$(dirname "$0")/lib-wl.sh"
wl_build || { echo "FAIL: build"; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export TMPDIR=$TMP WL_TIMEOUT=60

# scenario | expected checkpoint labels in order (* = any number of storm pauses)
SCENARIOS=(
	"wl-fork fanout 5 16|fanout fanout-exited"
	"wl-fork chain 4 8|chain chain-exited"
	"wl-fork chain-exit 4 8|chain-exit-gen1 chain-exit-gen2 chain-exit-gen3 chain-exit-gen4 chain-exit-done"
	"wl-fork cow 16|cow-shared cow-child-wrote cow-parent-wrote cow-exited"
	"wl-mremap move|mremap-move"
	"wl-mremap grow|mremap-grow"
	"wl-mremap shrink|mremap-shrink"
	"wl-mremap fixed|mremap-fixed"
	"wl-mremap partial|mremap-partial-out mremap-partial-back"
	"wl-mremap fork|mremap-fork-child-moved mremap-fork-both-moved mremap-fork-child-shrunk mremap-fork-exited"
	"wl-vma mprotect|mprotect-split mprotect-merged mprotect-child-split mprotect-exited"
	"wl-vma munmap|munmap-holes-forked munmap-all"
	"wl-vma fileprivate|fileprivate-cow-forked fileprivate-exited"
	"wl-vma dontfork|dontfork-forked dontfork-exited"
	"wl-threads 4 50|threads-parked threads-forked threads-joined"
	"wl-exec vfork|vfork-exec vfork-exited"
	"wl-exec exec|exec-before exec-after exec-exited"
	"wl-exec stack|stack-deep-forked stack-deep-child-exited stack-unwound"
	"wl-exec brk|brk-grown-forked brk-shrunk brk-exited"
	"wl-thp|thp-touched thp-forked thp-cow-subpage thp-split-mprotect thp-moved thp-exited"
	"wl-storm 1.5 3 0.4|* storm-done"
)

# no process from the logged pid lists may be alive once the workload is gone
no_leftovers() {
	local p
	for p in $(cut -d'|' -f2 "$1" | tr ' ' '\n' | sort -u); do
		if kill -0 "$p" 2>/dev/null && grep -q wl- "/proc/$p/comm" 2>/dev/null; then
			echo "  leftover process $p ($(cat /proc/$p/comm))"
			return 1
		fi
	done
}

labels_match() {	# labels_match LOG "expected labels"
	local got want=$2
	got=$(cut -d'|' -f1 "$1" | tr '\n' ' ' | sed 's/ $//')
	if [ "${want#\* }" != "$want" ]; then
		# storm: one or more pauses, then the rest
		echo "$got" | grep -Eq "^(storm-pause-[0-9]+ )+${want#\* }\$" && return 0
	else
		[ "$got" = "$want" ] && return 0
	fi
	echo "  labels: got '$got' want '$want'"
	return 1
}

for s in "${SCENARIOS[@]}"; do
	cmd=${s%%|*}
	want=${s#*|}
	first=${want%% *}
	[ "$first" = "*" ] && first=storm-pause-1
	read -r -a argv <<<"$cmd"
	prog=$BIN/${argv[0]}
	args=("${argv[@]:1}")

	# 1. no SR_CHECK: the program's own assertions
	t_check "$cmd: runs clean without SR_CHECK" \
		env -u SR_CHECK "$prog" "${args[@]}"

	# 2. SR_CHECK records label and pids, checks every listed pid is alive
	log=$TMP/log
	: >"$log"
	export LOG=$log
	SR_CHECK='echo "$SR_LABEL|$SR_PIDS" >>"$LOG"; for p in $SR_PIDS; do kill -0 $p || exit 1; done' \
		"$prog" "${args[@]}" >"$TMP/out" 2>&1
	rc=$?
	n=$(wc -l <"$log")
	t_check "$cmd: SR_CHECK passing -> exit 0 ($n checkpoints)" [ "$rc" -eq 0 ]
	t_check "$cmd: checkpoint count reported" grep -q "ok ($n checkpoints)" "$TMP/out"
	t_check "$cmd: checkpoint labels" labels_match "$log" "$want"
	t_check "$cmd: SR_PIDS starts with the driver" \
		awk -F'|' 'NR == 1 { split($2, a, " "); p = a[1] } { split($2, b, " "); if (b[1] != p) exit 1 }' "$log"
	t_check "$cmd: no leftover processes" no_leftovers "$log"

	# 3. SR_CHECK=false: the workload fails and names the checkpoint
	SR_CHECK=false "$prog" "${args[@]}" >"$TMP/out" 2>&1
	rc=$?
	t_check "$cmd: SR_CHECK=false -> exit 1" [ "$rc" -eq 1 ]
	t_check "$cmd: failure names checkpoint $first" \
		grep -q "checkpoint $first: SR_CHECK failed" "$TMP/out"
	sleep 0.1
	t_check "$cmd: no leftover processes after failure" no_leftovers "$log"
done

# 4. only one checkpoint fails: exactly it is named, the others still run
: >"$TMP/log"
SR_CHECK='echo "$SR_LABEL|" >>"$LOG"; [ "$SR_LABEL" != cow-child-wrote ]' \
	"$BIN/wl-fork" cow >"$TMP/out" 2>&1
rc=$?
t_check "one failing checkpoint -> exit 1" [ "$rc" -eq 1 ]
t_check "one failing checkpoint is named" grep -q "checkpoint cow-child-wrote: SR_CHECK failed" "$TMP/out"
t_check "only that checkpoint is named" [ "$(grep -c 'SR_CHECK failed' "$TMP/out")" -eq 1 ]
t_check "later checkpoints still ran" labels_match "$TMP/log" "cow-shared cow-child-wrote cow-parent-wrote cow-exited"
t_check "verdict counts 1 of 4" grep -q "1 of 4 checkpoints failed" "$TMP/out"

# 5. SR_PIDS lists every process: fan-out of 7 -> 8 pids, chain of 5 -> 6
: >"$TMP/log"
SR_CHECK='echo "$SR_LABEL|$SR_PIDS" >>"$LOG"' "$BIN/wl-fork" fanout 7 8 >/dev/null 2>&1
t_check "fanout 7: SR_PIDS has 8 distinct pids" \
	[ "$(grep '^fanout|' "$TMP/log" | cut -d'|' -f2 | tr ' ' '\n' | sort -u | wc -l)" -eq 8 ]
t_check "fanout 7: after exit only the driver" \
	[ "$(grep '^fanout-exited|' "$TMP/log" | cut -d'|' -f2 | wc -w)" -eq 1 ]
: >"$TMP/log"
SR_CHECK='echo "$SR_LABEL|$SR_PIDS" >>"$LOG"' "$BIN/wl-fork" chain 5 4 >/dev/null 2>&1
t_check "chain 5: SR_PIDS has 6 pids" [ "$(grep '^chain|' "$TMP/log" | cut -d'|' -f2 | wc -w)" -eq 6 ]

# 6. bad usage is refused
"$BIN/wl-fork" nosuchmode >/dev/null 2>&1
t_check "unknown mode -> exit 2" [ $? -eq 2 ]

t_done
