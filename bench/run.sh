#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: boot two single-CPU guests with single-threaded TCG and
# instruction counting (guest time advances by instructions, so figures
# repeat run to run and ignore host load), one for the hot-path overhead
# rounds and one for lookups, memory and node reads; then print the table
# and write build/bench/results.json.
#
# Settings (environment or make variables):
#   BENCH_ROUNDS=5        overhead rounds (each: none, bare, full; rotated)
#   BENCH_SECS=2          seconds (guest time) per stressor run
#   BENCH_WORKLOADS="fork mmapfork mremap fault vm forkbench"
#   BENCH_FORK_VMAS=200   anon VMAs of the forkbench process
#   BENCH_SHARERS="1 16 256 1024"
#   BENCH_LOOKUP_REPS=51  BENCH_PAGEMAP_REPS=5  BENCH_READ_REPS=5
#   BENCH_MEM_TREES="5:100 50:100 100:500"   VMAS:CHILDREN fan-outs
#   BENCH_PHASES="overhead rmap"
#   BENCH_DIR=build/bench
#   KERNEL=6.1|6.12|7     the guests' kernel lane (scripts/kernel-lane)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cd "$repo" || exit 2
dir=${BENCH_DIR:-build/bench}
phases=${BENCH_PHASES:-overhead rmap}
icount=(-m 2048M -c 1 -x tcg,thread=single
	-q "-icount shift=0,align=off,sleep=off")
ko=$repo/shadow_rmap.ko
kmod=$repo/bench/kmod/rmapwalk_bench.ko
case ${KERNEL:-stock} in
stock|6.1) ;;
*)
	mkdir -p "$dir"
	lane=$(SR_LANE_BENCH=1 scripts/kernel-lane/prepare "$KERNEL" "$dir/lane") ||
		exit 1
	eval "$lane"
	export KDIR SR_GUEST_KERNEL SR_GUEST_KVER SR_GUEST_MODDIR
	ko=$SR_KO
	kmod=$SR_BENCH_KMOD
	;;
esac
envs=(-e BENCH_KO="$ko" -e BENCH_KMOD="$kmod"
	-e BENCH_BIN="$repo/build/bench/bin")
for v in BENCH_ROUNDS BENCH_SECS BENCH_WORKLOADS BENCH_CONFIGS BENCH_FORK_VMAS BENCH_SHARERS \
	BENCH_LOOKUP_REPS BENCH_PAGEMAP_REPS BENCH_READ_REPS BENCH_MEM_TREES; do
	[[ -n ${!v:-} ]] && envs+=(-e "$v=${!v}")
done

pids=()
for p in $phases; do
	rm -rf "${dir:?}/$p"
	mkdir -p "$dir/$p"
	echo "bench: phase $p in a guest (log: $dir/$p/output.log)"
	scripts/guest/run -s "${icount[@]}" -t "${BENCH_TIMEOUT:-2400}" \
		-r "$dir/$p" "${envs[@]}" -- bench/guest.sh "$p" \
		> "$dir/$p.runner.log" 2>&1 &
	pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
	wait "$pid" || status=1
done
for p in $phases; do
	tail -n 2 "$dir/$p.runner.log"
done
python3 bench/report.py --out "$dir/results.json" \
	--command "make bench${BENCH_ROUNDS:+ BENCH_ROUNDS=$BENCH_ROUNDS}" \
	$(for p in $phases; do echo "$dir/$p/raw.txt"; done) || status=1
exit $status
