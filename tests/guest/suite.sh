#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the guest tests (inside the guest, as root): every
# tests/guest/[0-9][0-9]-*.sh in order, each in its own bash with a timeout.
#
#   TESTS=REGEX        run only tests whose name (no .sh) matches REGEX
#   SR_TEST_TIMEOUT=S  per-test timeout (default 300); a test can ask for
#                      more with a line "# sr-timeout: S", where S may be an
#                      arithmetic expression over environment variables
#                      (e.g. "600 + 60 * WL_RELOAD_CYCLES"; unset ones are 0)
#   SR_TEST_TIMEOUT_SCALE=N  multiply every timeout by N (slow kernels)
#   SR_KMEMLEAK=each|end|off  where the kernel has kmemleak: scan after every
#                      test (default), only once at the end, or never
# A test may tolerate kernel log lines with "# sr-klog-allow: REGEX" lines.
#
# Per test: PASS/FAIL/SKIP (exit 77) line, output in $SR_RESULTS/tests/NAME.log.
# A test fails also when it leaves shadow_rmap loaded (the suite unloads it)
# or when the kernel log shows trouble while it ran, or (kmemleak) when a
# scan after it finds an object leaked by shadow_rmap. Leaks elsewhere in
# the kernel are listed (kmemleak: not ours) and fail nothing.
# Ends with "N passed, N failed[, N skipped]"; exit 1 if anything failed.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 2
export SR_KO=${SR_KO:-$repo/shadow_rmap.ko}
export SR_BIN=${SR_BIN:-$repo/tests/bin}
export SR_RESULTS=${SR_RESULTS:-/results}
logs=$SR_RESULTS/tests
mkdir -p "$logs" || exit 2
scan=$repo/scripts/guest/scan-klog
leakcheck=$repo/scripts/guest/kmemleak-check
scale=${SR_TEST_TIMEOUT_SCALE:-1}
# what an sr-timeout header may hold: numbers, names, + - * / ( )
arith_re='^[A-Za-z0-9_ +*/()-]+$'
pattern=${TESTS:-}
passed=0
failed=0
skipped=0
failures=()

# header FILE KEY: values of "# KEY: value" lines
header() {
	sed -n "s/^# $2: *//p" "$1"
}

# kmemleak is only in the debug kernel lane (scripts/debug-kernel).
kmemleak=${SR_KMEMLEAK:-each}
[[ -e /sys/kernel/debug/kmemleak ]] || kmemleak=off
leakdir=$SR_RESULTS/kmemleak
others=$leakdir/not-ours.txt
if [[ $kmemleak != off ]]; then
	mkdir -p "$leakdir"
	: > "$others"
	# What boot leaked is no test's doing: list it once, then clear it.
	"$leakcheck" "$leakdir/00-boot.txt" > "$leakdir/00-boot.summary"
	sed 's/^/suite: before the tests: /' "$leakdir/00-boot.summary"
	grep '^kmemleak: not ours' "$leakdir/00-boot.summary" |
		sed 's/^/boot: /' >> "$others"
	echo "kmemleak checks: $kmemleak (reports in $leakdir)"
fi

# leak_check NAME LOG: 0 clean, 1 a leak of ours, 4 not checkable (lockdown),
# other: the check itself failed
leak_check() {
	local rc
	"$leakcheck" -q "$leakdir/$1.txt" > "$leakdir/$1.summary" 2>&1
	rc=$?
	cat "$leakdir/$1.summary" >> "$2"
	grep '^kmemleak: not ours' "$leakdir/$1.summary" | sed "s/^/$1: /" >> "$others"
	return "$rc"
}

for t in "$here"/[0-9][0-9]-*.sh; do
	[[ -f $t ]] || continue
	name=$(basename "$t" .sh)
	if [[ -n $pattern ]] && ! [[ $name =~ $pattern ]]; then
		continue
	fi
	log=$logs/$name.log
	limit=$(header "$t" sr-timeout | tail -n 1)
	if [[ -n $limit && ! $limit =~ $arith_re ]]; then
		echo "FAIL $name: bad sr-timeout header '$limit'"
		failed=$((failed + 1))
		failures+=("$name")
		continue
	fi
	# (set +u: a variable the expression names may be unset: it counts 0)
	limit=$(set +u; echo $(( (${limit:-${SR_TEST_TIMEOUT:-300}}) * scale )))
	allow=()
	while IFS= read -r a; do
		allow+=(-a "$a")
		# scripts/guest/run tolerates these in its whole-run scan too
		echo "$a" >> "$SR_RESULTS/klog-allow"
	done < <(header "$t" sr-klog-allow)

	marker="sr-suite: start $name $(date +%s%N)"
	echo "<5>$marker" > /dev/kmsg
	t0=$(date +%s%N)
	timeout -k 10 "$limit" bash "$t" < /dev/null > "$log" 2>&1 &
	pgid=$!
	wait "$pgid"
	rc=$?
	# timeout leads its own process group: end what the test left behind.
	if pkill -KILL -g "$pgid" 2> /dev/null; then
		echo "(suite: killed processes the test left running)" >> "$log"
	fi
	secs=$(( ($(date +%s%N) - t0) / 1000000 ))
	secs=$(printf '%d.%03d' $((secs / 1000)) $((secs % 1000)))

	why=()
	if [[ $rc -eq 124 || $rc -eq 137 ]]; then
		why+=("timed out after ${limit}s")
	elif [[ $rc -ne 0 && $rc -ne 77 ]]; then
		why+=("exit status $rc")
	fi
	if grep -q '^shadow_rmap ' /proc/modules; then
		why+=("left shadow_rmap loaded")
		if ! rmmod shadow_rmap >> "$log" 2>&1; then
			why+=("rmmod failed")
		fi
	fi
	if ! dmesg | "$scan" -m "$marker" "${allow[@]+"${allow[@]}"}" \
		/dev/stdin >> "$log" 2>&1; then
		why+=("kernel log shows trouble")
	fi
	if [[ $kmemleak == each ]]; then
		leak_check "$name" "$log"
		case $? in
		0|4) ;;
		1) why+=("kmemleak: shadow_rmap leaked memory") ;;
		*) why+=("kmemleak check failed") ;;
		esac
	fi

	if [[ ${#why[@]} -gt 0 ]]; then
		failed=$((failed + 1))
		failures+=("$name")
		reason=$(IFS=,; echo "${why[*]}")
		echo "FAIL $name (${secs}s): ${reason//,/, }"
		tail -n 60 "$log" | sed 's/^/    | /'
		echo "    (full output: $log)"
	elif [[ $rc -eq 77 ]]; then
		skipped=$((skipped + 1))
		echo "SKIP $name: $(grep -m1 '^SKIP' "$log" || true)"
	else
		passed=$((passed + 1))
		echo "PASS $name (${secs}s)"
	fi
done

if ((passed + failed + skipped == 0)); then
	echo "FAIL no guest test matches TESTS='$pattern'"
	failed=1
fi
if [[ $kmemleak != off ]]; then
	if [[ $kmemleak == end ]]; then
		leak_check zz-end "$logs/kmemleak-end.log"
		case $? in
		0) passed=$((passed + 1)); echo "PASS kmemleak-end" ;;
		4) skipped=$((skipped + 1))
			echo "SKIP kmemleak-end: lockdown is raised" ;;
		1) failed=$((failed + 1)); failures+=(kmemleak-end)
			echo "FAIL kmemleak-end: shadow_rmap leaked memory"
			sed 's/^/    | /' "$logs/kmemleak-end.log" ;;
		*) failed=$((failed + 1)); failures+=(kmemleak-end)
			echo "FAIL kmemleak-end: the check failed"
			sed 's/^/    | /' "$logs/kmemleak-end.log" ;;
		esac
	fi
	echo "kmemleak: $(grep -c . "$others") kernel-internal leak(s), not" \
		"shadow_rmap's (fail nothing):"
	sed 's/^/    /' "$others"
fi
printf 'passed=%d\nfailed=%d\nskipped=%d\nfailures=%s\n' "$passed" \
	"$failed" "$skipped" "${failures[*]+"${failures[*]}"}" \
	> "$SR_RESULTS/summary"
line="$passed passed, $failed failed"
((skipped)) && line="$line, $skipped skipped"
# Under tests/run.sh the combined total is the last line, not this one.
[[ -n ${SR_SUBSUITE:-} ]] && line="guest: $line"
echo "$line"
((failed == 0))
