#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make fuzz` and of guest test 60-fuzz: load the module, run
# the VMA-history fuzzer (tests/bin/fuzz) for a time budget with verify ok
# and the pagemap oracle at every checkpoint (tests/guest/wl-check.sh),
# check verify once more, unload, and fail on any failure or kernel trouble.
#
#   FUZZ_SECONDS (or SR_FUZZ_SECONDS)  budget for starting seeds (600)
#   FUZZ_SEED        first seed (1)
#   FUZZ_OPS         ops per seed (1000)
#   FUZZ_CHECK_EVERY ops between checkpoints (100)
#   FUZZ_MIN_SECONDS budget for minimising one failure (900)
#   FUZZ_ARGS        more fuzz options, word-split
# Checker output goes to $SR_RESULTS/fuzz/checks.log, minimised cases to
# $SR_RESULTS/fuzz/seed-N.ops.  The cases of tests/fuzz/cases/ (failures
# found before, kept as regressions) are replayed first.
. tests/guest/lib.sh

seconds=${FUZZ_SECONDS:-${SR_FUZZ_SECONDS:-600}}
out=$SR_RESULTS/fuzz
for p in fuzz oracle; do
	[[ -x $SR_BIN/$p ]] || fail "$SR_BIN/$p missing (make tests-bin)"
done
mkdir -p "$out" || fail "cannot create $out"
export SR_BIN SR_RESULTS
export SR_CHECK="$sr_repo/tests/guest/wl-check.sh >>$out/checks.log 2>&1"
export FUZZ_MIN_LOG=$out/minimise.log

sr_klog_mark
sr_load
bad=0
for c in "$sr_repo"/tests/fuzz/cases/*.ops; do
	[[ -f $c ]] || continue
	if r=$("$SR_BIN/fuzz" replay "$c" 2>&1); then
		echo "fuzz: case $(basename "$c"): $(tail -n 1 <<< "$r")"
	else
		echo "$r" | tail -n 20
		echo "fuzz: case $(basename "$c") FAILED"
		bad=$((bad + 1))
	fi
done
echo "fuzz: budget ${seconds}s from seed ${FUZZ_SEED:-1}," \
	"${FUZZ_OPS:-1000} ops per seed, checkpoint every ${FUZZ_CHECK_EVERY:-100}"
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
"$SR_BIN/fuzz" --seconds "$seconds" --seed "${FUZZ_SEED:-1}" \
	--ops "${FUZZ_OPS:-1000}" --check-every "${FUZZ_CHECK_EVERY:-100}" \
	--min-seconds "${FUZZ_MIN_SECONDS:-900}" --save "$out" \
	${FUZZ_ARGS:-} run
rc=$?
if [[ $rc -ne 0 ]]; then
	echo "fuzz: exit $rc; the checker's last words ($out/checks.log):"
	grep -v '^check .*: verify: ok' "$out/checks.log" | tail -n 40
fi
out_v=$(cat "$sr_dir/verify")
echo "fuzz: after the run: $(tail -n 1 <<< "$out_v")"
sr_unload
sr_klog_clean
((bad == 0)) || fail "$bad regression case(s) of tests/fuzz/cases failed"
[[ $rc -eq 0 ]] || fail "the fuzzer found $(ls "$out"/seed-*.ops 2> /dev/null |
	wc -l) failing seed(s) (exit $rc)"
[[ $(tail -n 1 <<< "$out_v") == "verify: ok"* ]] || fail "verify not ok after the run"
echo "PASS"
