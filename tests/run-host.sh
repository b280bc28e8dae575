#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the host-side tests: every tests/host/test-* (executables directly,
# *.sh through bash), each with a timeout. Exit 77 means skipped.
#   HOST_TESTS=REGEX       only tests whose name matches (TESTS is for the
#                          guest suite)
#   SR_HOST_TIMEOUT=S      per-test timeout (default 600)
# Output of each test: $SR_HOST_RESULTS/NAME.log (default
# build/test-results/host; shown on failure).
# Ends with "N passed, N failed[, N skipped]"; exit 1 if anything failed.
set -u

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 2
out=${SR_HOST_RESULTS:-$repo/build/test-results/host}
rm -rf "$out"
mkdir -p "$out" || exit 2
pattern=${HOST_TESTS:-}
limit=${SR_HOST_TIMEOUT:-600}
passed=0
failed=0
skipped=0

for t in tests/host/test-*; do
	[[ -f $t ]] || continue
	name=$(basename "$t")
	name=${name%.sh}
	if [[ -n $pattern ]] && ! [[ $name =~ $pattern ]]; then
		continue
	fi
	if [[ $t == *.sh ]]; then
		cmd=(bash "$t")
	elif [[ -x $t ]]; then
		cmd=("./$t")
	else
		continue
	fi
	t0=$(date +%s)
	timeout -k 10 "$limit" "${cmd[@]}" < /dev/null > "$out/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	case $rc in
	0)
		passed=$((passed + 1))
		echo "PASS $name (${secs}s)"
		;;
	77)
		skipped=$((skipped + 1))
		echo "SKIP $name"
		;;
	*)
		failed=$((failed + 1))
		what="exit status $rc"
		[[ $rc -eq 124 || $rc -eq 137 ]] && what="timed out after ${limit}s"
		echo "FAIL $name (${secs}s): $what"
		tail -n 60 "$out/$name.log" | sed 's/^/    | /'
		echo "    (full output: $out/$name.log)"
		;;
	esac
done

printf 'passed=%d\nfailed=%d\nskipped=%d\n' "$passed" "$failed" "$skipped" \
	> "$out/summary"
line="$passed passed, $failed failed"
((skipped)) && line="$line, $skipped skipped"
[[ -n ${SR_SUBSUITE:-} ]] && line="host: $line"
echo "$line"
((failed == 0))
