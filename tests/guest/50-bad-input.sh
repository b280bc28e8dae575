#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad input: every writable node takes >= 10,000 malformed writes from
# concurrent writers; each fails with EINVAL, the module's state does not
# move, and dmesg gets at most a few rate-limited lines.
. "$(dirname "$0")/lib.sh"

sr_load
trap sr_unload EXIT
pid=$$
echo "pid $pid" > "$sr_dir/lookup" || fail "a valid query was refused"
assert_match "$(head -1 "$sr_dir/lookup")" "^process pid=$pid " \
	"answer to the valid query"
resyncs=$(awk '$1 == "resync" { print $2 }' "$sr_dir/stats")
marks=$(dmesg | grep -c 'shadow_rmap: .*rejected' || true)

start=$SECONDS
for node in control lookup; do
	out=$("$SR_BIN/badinput" "$sr_dir/$node" 10000 4 "$RANDOM") ||
		fail "$node: $out"
	echo "$node: $out"
done

# Nothing changed: no resync ran, the last query is still the valid one.
assert_eq "$(awk '$1 == "resync" { print $2 }' "$sr_dir/stats")" "$resyncs" \
	"resync count after bad control writes"
assert_match "$(head -1 "$sr_dir/lookup")" "^process pid=$pid " \
	"last query after bad lookup writes"
lines=$(( $(dmesg | grep -c 'shadow_rmap: .*rejected' || true) - marks ))
took=$(( SECONDS - start ))
echo "dmesg lines for 20000 bad writes in ${took}s: $lines"
# One line per 5 s burst window.
(( lines >= 1 && lines <= took / 5 + 2 )) ||
	fail "expected 1..$(( took / 5 + 2 )) rate-limited dmesg lines, got $lines"
sr_verify_ok || fail "verify after bad input"
