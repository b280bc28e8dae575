#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cause attribution: each cause counter moves for its own system call and
# for no other (tests/tools/causes.c does the operations and the checks);
# fork+exit children whose links never reach the model still count.
. tests/guest/lib.sh

sr_load
trap sr_unload EXIT
"$SR_BIN/causes" "$sr_dir/stats" || fail "cause counters"
sr_verify_ok || fail "verify after the cause operations"

# Children that exit before their links are applied: the unlink cancels the
# pending ADD and logs nothing (log_unlogged_unlinks), yet every counter
# still balances: each link the forks added, an exit removed.
v() { [[ $d =~ (^|\ )$1=(-?[0-9]+) ]] && echo "${BASH_REMATCH[2]}"; }
# The counters are global: a run another process forked or exited in is
# noise, so up to three runs (as causes does).
for try in 1 2 3; do
	out=$("$SR_BIN/forkexit" 64 200 "$sr_dir/stats") || fail "forkexit: $out"
	echo "$out"
	d=$(grep '^delta ' <<<"$out") || fail "no counters from forkexit"
	[[ $(v exit) == "$(v fork)" && $(v del) == "$(v add)" ]] && break
done
# 200 children of 64 written VMAs: at least two links per VMA each
(($(v fork) >= 200 * 64 * 2)) || fail "fork links: $(v fork)"
assert_eq "$(v exit)" "$(v fork)" "exit links removed vs fork links added"
assert_eq "$(v del)" "$(v add)" "links removed vs added"
(($(v unlogged) > 0)) || fail "no unlink cancelled its pending ADD"
sr_verify_ok || fail "verify after fork+exit"
