#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-guest half of `make bench` (run by bench/run.sh through scripts/guest/run).
#
#   bench/guest.sh overhead   hot-path cost: rounds of none/bare/full
#   bench/guest.sh rmap       lookup latency, shadow memory, node reads
#
# Appends `key=value` records to $BENCH_OUT (default /results/raw.txt).
# Settings (environment): BENCH_KO, BENCH_KMOD, BENCH_BIN, BENCH_ROUNDS,
# BENCH_SECS, BENCH_WORKLOADS, BENCH_FORK_VMAS, BENCH_SHARERS, BENCH_LOOKUP_REPS,
# BENCH_PAGEMAP_REPS, BENCH_MEM_TREES, BENCH_READ_REPS.
set -uo pipefail

ko=${BENCH_KO:?}
kmod=${BENCH_KMOD:-}
bin=${BENCH_BIN:?}
out=${BENCH_OUT:-/results/raw.txt}
sr=/sys/kernel/debug/shadow_rmap

rec() { echo "$*" >> "$out"; echo "$*"; }
die() { echo "bench: $*" >&2; exit 1; }

# Configurations: no module; the same hooks with empty handlers (the
# floor); the full module; and the last two with kprobes only.
load() {
	case $1 in
	none) ;;
	bare) insmod "$ko" bare=1 || die "insmod bare=1" ;;
	full) insmod "$ko" || die "insmod" ;;
	bare-kp) insmod "$ko" bare=1 kprobes_only=1 || die "insmod bare=1 kprobes_only=1" ;;
	full-kp) insmod "$ko" kprobes_only=1 || die "insmod kprobes_only=1" ;;
	*) die "unknown configuration $1" ;;
	esac
}

unload() {
	if [[ $1 == full* ]]; then
		local last
		last=$(tail -n 1 "$sr/verify")
		[[ $last == "verify: ok"* ]] || die "verify after the round: $last"
	fi
	[[ $1 == none ]] || rmmod shadow_rmap || die "rmmod"
}

# stress_ops NAME ARGS...: bogo ops/s (real time) of one stress-ng run
stress_ops() {
	local name=$1
	shift
	stress-ng "$@" --timeout "$secs" --metrics-brief 2>&1 |
		awk -v n="$name" '$2 == "metrc:" && $4 == n && NF == 10 &&
			$5 ~ /^[0-9]+$/ { v = $5 < 100 ? $5 / $6 : $9 }
			END { if (v != "") printf "%.4f\n", v }'
}

overhead() {
	local rounds=${BENCH_ROUNDS:-5} vmas=${BENCH_FORK_VMAS:-200}
	local configs=(${BENCH_CONFIGS:-none bare full bare-kp full-kp}) r i c v w
	local nc=${#configs[@]}
	secs=${BENCH_SECS:-2}
	rec "meta phase=overhead kernel=$(uname -r) cpus=$(nproc) rounds=$rounds secs=$secs fork_vmas=$vmas configs=${configs[*]// /,}"
	for ((r = 1; r <= rounds; r++)); do
		for ((i = 0; i < nc; i++)); do
			# Rotate the order each round: no config always goes first.
			c=${configs[(i + r - 1) % nc]}
			load "$c"
			for w in ${BENCH_WORKLOADS:-fork mmapfork mremap fault vm forkbench}; do
				case $w in
				fork) v=$(stress_ops fork --fork 1) ;;
				# One op forks 32 children over most free memory:
				# a few seconds of guest time; time one op exactly.
				mmapfork) v=$(secs=120 stress_ops mmapfork --mmapfork 1 \
					--mmapfork-ops 1) ;;
				mremap) v=$(stress_ops mremap --mremap 1 --mremap-bytes 4M) ;;
				# A fault bogo op is many faults: too few ops in a
				# short run, so use stress-ng's ns-per-fault metric.
				fault) v=$(stress-ng --fault 1 --timeout "$secs" \
					--metrics-brief 2>&1 | awk '$4 == "fault" &&
					$6 == "nanosecs" { printf "%.2f\n", 1e9 / $5 }') ;;
				vm) v=$(stress_ops vm --vm 1 --vm-bytes 4M) ;;
				forkbench)
					v=$("$bin/forkbench" "$vmas" "$secs" |
						sed -n 's/.*forks_per_sec=//p') ;;
				esac
				[[ -n $v ]] || die "$w gave no figure under $c"
				rec "overhead round=$r config=$c workload=$w value=$v"
			done
			unload "$c"
		done
	done
}

slab_bytes() {
	awk -v n="$1" '$1 == n { print $2 * $4 }' /proc/slabinfo
}

stat_of() {
	awk -v n="$1" '$1 == n { print $2 }' "$sr/stats"
}

# memsnap LABEL: kernel rmap slab bytes vs shadow bytes, now
memsnap() {
	local last
	last=$(tail -n 1 "$sr/verify")
	[[ $last == "verify: ok"* ]] || echo "bench: verify at $1: $last" >&2
	rec "memory label=$1 av_slab=$(slab_bytes anon_vma) avc_slab=$(slab_bytes anon_vma_chain)" \
		"av_active=$(awk '$1 == "anon_vma" { print $2 }' /proc/slabinfo)" \
		"avc_active=$(awk '$1 == "anon_vma_chain" { print $2 }' /proc/slabinfo)" \
		"bytes=$(stat_of bytes) avcs=$(stat_of avcs) anon_vmas=$(stat_of anon_vmas)" \
		"vmas=$(stat_of vmas) mms=$(stat_of mms) log_bytes=$(stat_of log_bytes)" \
		"verify=${last// /_}"
}

# readsnap LABEL: whole-read latency of the report nodes
readsnap() {
	local n r reps=${BENCH_READ_REPS:-5}
	for n in stats chains top verify; do
		# The longest lock holds of this node's reads alone.
		echo reset-stats > "$sr/control" || die "reset-stats"
		r=$("$bin/readbench" "$sr/$n" "$reps") || die "readbench $n"
		rec "read label=$1 avcs=$(stat_of avcs) node=$n ${r#readbench file=* }" \
			"hold_rwsem_ns=$(stat_of hold_max_ns.forest_rwsem)" \
			"hold_log_ns=$(stat_of hold_max_ns.log_batch)"
	done
}

rmap() {
	local reps=${BENCH_LOOKUP_REPS:-51} preps=${BENCH_PAGEMAP_REPS:-5}
	local n tree v k
	rec "meta phase=rmap kernel=$(uname -r) cpus=$(nproc) lookup_reps=$reps pagemap_reps=$preps"
	load full
	[[ -n $kmod ]] && { insmod "$kmod" || die "insmod $kmod"; }
	for n in ${BENCH_SHARERS:-1 16 256 1024}; do
		"$bin/lookupbench" "$n" module:"$reps" ${kmod:+kmod:"$reps"} \
			pagemap:"$preps" | sed 's/^lookupbench /lookup /' |
			while read -r l; do rec "$l"; done ||
			die "lookupbench $n failed"
	done
	[[ -n $kmod ]] && rmmod rmapwalk_bench
	memsnap base
	readsnap base
	# VMAS:CHILDREN fan-outs: about VMAS * (1 + 2 * CHILDREN) links each
	for tree in ${BENCH_MEM_TREES:-5:100 50:100 100:500}; do
		v=${tree%%:*}
		k=${tree#*:}
		"$bin/memtree" "$v" "$k" "$0" snap "tree-${v}x$k" ||
			die "memtree $tree"
	done
	unload full
}

case ${1:-} in
overhead) overhead ;;
rmap) rmap ;;
snap) memsnap "$2"; readsnap "$2" ;;
*) die "usage: guest.sh overhead|rmap" ;;
esac
