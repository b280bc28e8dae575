#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test entry point (`make test`): host tests, then the guest suite in one
# guest boot. The last line is the combined "N passed, N failed".
#
# usage: tests/run.sh [--host | --guest] [--kernel LANE] [--long]
#   --kernel LANE      the guest's kernel (KERNEL=LANE does the same; a
#                      quoted list, "6.1 6.12 7", runs the suite on each):
#                      6.1 (or stock: the host's Debian 12 kernel, default),
#                      6.12 (the newest 6.12.*+deb12 in Debian 12's sources),
#                      7 (the newest 7.x of trixie-backports, module built in
#                      a Debian 13 chroot): fetched and cached by
#                      scripts/kernel-lane/fetch, the module built for it in
#                      build/lanes/KVER (7: in the chroot), then the suite
#   --kernel debug     the debug kernel lane: build (once, cached) the KASAN/
#                      lockdep/kmemleak kernel of scripts/debug-kernel, build
#                      the module against it in build/debug/module, run the
#                      guest suite there with kmemleak checks and the long
#                      settings (implies --long); KERNEL=debug does the same
#   --long             the long lane: WL_RELOAD_CYCLES=50 (test 31) and a
#                      FUZZ_SECONDS=600 fuzz budget unless set; SR_LONG=1
#   TESTS=REGEX        guest tests to run (tests/guest/suite.sh)
#   HOST_TESTS=REGEX   host tests to run (tests/run-host.sh)
#   GUEST_ARGS="..."   extra scripts/guest/run options, e.g. "-m 2048M"
#   SR_SLUB_DEBUG=FLAGS  slub_debug= for the stock kernel's guest (default
#                      FZPU; empty for none); not added when SR_GUEST_APPEND
#                      or GUEST_ARGS already set slub_debug
#   SR_GUEST_*         guest runner settings (scripts/guest/run --help)
#   WL_RELOAD_CYCLES, FUZZ_SECONDS  passed to the guest tests when set
# Results: build/test-results/<run>/{host,guest}/ (guest: tests/NAME.log,
# console.log, dmesg.log); build/test-results/latest is the newest run.
set -u

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 2
host=1
guest=1
kernel=${KERNEL:-stock}
long=${SR_LONG:-0}
usage() {
	echo "usage: $0 [--host | --guest] [--kernel 6.1|6.12|7|debug] [--long]" >&2
	exit 2
}
while [[ $# -gt 0 ]]; do
	case $1 in
	--host) guest=0 ;;
	--guest) host=0 ;;
	--kernel) kernel=${2:-}; shift ;;
	--long) long=1 ;;
	*) usage ;;
	esac
	shift
done
# One lane or several ("6.1 6.12 7"): each boots its own guest in turn.
kernels=
for k in $kernel; do
	case $k in
	stock|6.1) k=6.1 ;;
	6.12|7) ;;
	debug) long=1 ;;
	*) echo "$0: unknown kernel '$k' (6.1, 6.12, 7 or debug)" >&2; exit 2 ;;
	esac
	kernels="${kernels:+$kernels }$k"
done
[[ -n $kernels ]] || kernels=6.1

# Each run gets its own results dir (runs in one tree may overlap);
# build/test-results/latest points at the newest, the last 10 are kept.
results=$repo/build/test-results
run_id=$(date +%Y%m%d-%H%M%S)-$$
out=$results/$run_id
mkdir -p "$out" || exit 2
ln -sfn "$run_id" "$results/latest"
ls -d "$results"/20*-* 2> /dev/null | sort | head -n -10 | xargs -r rm -rf

export SR_SUBSUITE=1
export SR_HOST_RESULTS=$out/host
# SR_KO may pin a copy: the tree's module is rebuilt by whoever runs make.
export SR_KO=${SR_KO:-$repo/shadow_rmap.ko}
export SR_BIN=$repo/tests/bin
passed=0
failed=0
skipped=0

# add SUMMARY_FILE: add its passed/failed/skipped counts; 1 if missing.
add() {
	local k v
	[[ -s $1 ]] || return 1
	while IFS== read -r k v; do
		case $k in
		passed) passed=$((passed + v)) ;;
		failed) failed=$((failed + v)) ;;
		skipped) skipped=$((skipped + v)) ;;
		esac
	done < "$1"
}

if ((host)); then
	echo "=== host tests ==="
	tests/run-host.sh
	if ! add "$out/host/summary"; then
		echo "FAIL host-tests: no summary"
		failed=$((failed + 1))
	fi
fi

# prepare_lane: the lane's kernel (fetched or built, cached) and the module
# built for it, in the environment the guest runner reads.
prepare_lane() {
	local assign

	echo "=== kernel lane $kernel ==="
	assign=$(scripts/kernel-lane/prepare "$kernel" "$out") || return 1
	eval "$assign"
	export KDIR SR_GUEST_KERNEL SR_GUEST_KVER SR_GUEST_MODDIR SR_LANE_CHROOT \
		SR_KO
}

# guest_lane LANE RESULTS: the guest suite on one kernel lane, in a subshell
# (each lane's settings stay its own); its counts land in RESULTS/summary.
guest_lane() (
	kernel=$1
	res=$2
	echo "=== guest tests ($kernel) ==="
	runner=()
	timeout=${SR_GUEST_TIMEOUT:-2400}
	if [[ $kernel != 6.1 ]] && ! prepare_lane; then
		echo "FAIL kernel-lane-$kernel: no kernel or module"
		exit 1
	fi
	if [[ $kernel == debug ]]; then
		# KASAN takes an eighth of memory for its shadow, kmemleak and
		# lockdep more; TCG runs this kernel several times slower.
		export SR_GUEST_MEM=${SR_GUEST_MEM:-2048M}
		export SR_TEST_TIMEOUT_SCALE=${SR_TEST_TIMEOUT_SCALE:-4}
		# The module's caches carry SLAB_FAILSLAB ('A'; read-only in
		# sysfs on 6.1), so failslab's cache-filter can fail only the
		# shadow's allocations (test 37); it also keeps them unmerged.
		runner+=(-a "slub_debug=A,sr_av,sr_vma,sr_link,sr_mm")
		# One boot in three reports a KASAN wild-memory-access in
		# do_raw_spin_lock during identify_cpu (~0.004 s), before any
		# module exists (../shared/kernel-facts.md): the runner scans from
		# its marker on, and the suite from each test's own marker.
	else
		# The stock kernel checks the slab (redzones, poisoning, sanity,
		# owner tracking) for the whole suite; KASAN covers it on the
		# debug kernel.
		slub=${SR_SLUB_DEBUG-FZPU}
		if [[ -n $slub && ${SR_GUEST_APPEND:-} != *slub_debug* &&
			${GUEST_ARGS:-} != *slub_debug* ]]; then
			runner+=(-a "slub_debug=$slub")
		fi
	fi
	if ((long)); then
		export WL_RELOAD_CYCLES=${WL_RELOAD_CYCLES:-50}
		export FUZZ_SECONDS=${FUZZ_SECONDS:-600}
		echo "long lane: WL_RELOAD_CYCLES=$WL_RELOAD_CYCLES" \
			"FUZZ_SECONDS=$FUZZ_SECONDS"
		# the suite's own budget plus the long parts
		timeout=${SR_GUEST_TIMEOUT:-$((2400 + FUZZ_SECONDS + 60 * WL_RELOAD_CYCLES))}
	fi
	if [[ $kernel == debug && -z ${SR_GUEST_TIMEOUT:-} ]]; then
		timeout=$((timeout * SR_TEST_TIMEOUT_SCALE))
	fi
	# The runner passes only SR_* variables on its own.
	for v in WL_RELOAD_CYCLES FUZZ_SECONDS; do
		[[ -n ${!v:-} ]] && runner+=(-e "$v=${!v}")
	done
	# Single-threaded TCG: under multi-threaded TCG, ftrace's text patching
	# at insmod/rmmod under a fork storm has hung the guest (a vCPU looping
	# on a restored int3; see README, Known limits).
	export SR_GUEST_ACCEL=${SR_GUEST_ACCEL:-tcg,thread=single}
	echo "kernel: $kernel, guest timeout ${timeout}s" \
		"${runner[*]+"${runner[*]}"}"
	t0=$SECONDS
	# shellcheck disable=SC2086 # GUEST_ARGS is a list of options
	scripts/guest/run -r "$res" -t "$timeout" "${runner[@]+"${runner[@]}"}" \
		${GUEST_ARGS:-} -- tests/guest/suite.sh
	status=$?
	echo "guest suite ($kernel): $((SECONDS - t0))s wall, logs in $res"
	exit "$status"
)

if ((guest)); then
	for lane in $kernels; do
		res=$out/guest
		[[ $kernels == "$lane" ]] || res=$out/guest-$lane
		mkdir -p "$res"
		kernel=$lane guest_lane "$lane" "$res"
		status=$?
		before=$failed
		if ! add "$res/summary"; then
			echo "FAIL guest-suite-$lane: the guest did not finish the" \
				"suite (exit $status; logs in $res)"
			failed=$((failed + 1))
		elif grep -q '^klog=dirty' "$res/runner.status" 2> /dev/null &&
			((failed == before)); then
			echo "FAIL guest-kernel-log-$lane: trouble in the kernel log" \
				"outside any test (see above)"
			failed=$((failed + 1))
		fi
	done
fi

((skipped)) && echo "$skipped skipped"
echo "$passed passed, $failed failed"
((failed == 0))
