#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# chains and top on known shapes: a fork chain of depth D with living
# parents (max chain D+1 at the deepest child), a fan-out of N children
# (N+1 VMAs on the parent's anon_vma), a chain whose parents exit (the
# kernel's anon_vma reuse keeps chains short), and top against the per-pid
# lookup view.
. tests/guest/lib.sh

D=6
N=8
sr_load
trap sr_unload EXIT
check=$SR_RESULTS/chains-check.sh
cat >"$check" <<'EOC'
#!/bin/bash
. tests/guest/lib.sh
pids=($SR_PIDS)
view() { echo "pid $1" >"$sr_dir/lookup" && cat "$sr_dir/lookup"; }
case $SR_LABEL in
chain)
	deep=${pids[-1]}
	hist=$(grep '^@chain_length_per_vma' "$sr_dir/chains")
	echo "$hist"
	assert_match "$hist" " max $((D + 1)) at pid=$deep " "chain histogram max"
	assert_match "$(view "$deep" | tail -1)" "max_chain=$((D + 1))$" \
		"deepest child's view"
	# Every top entry must agree with its process's own view.
	top=$(grep '^vma rank=' "$sr_dir/top")
	[[ -n $top ]] || fail "top lists no VMA"
	assert_match "$(head -1 <<<"$top")" "chain=$((D + 1)) pid=$deep " "top rank 1"
	while read -r _ _ chain pid _ start _; do
		line=$(view "${pid#pid=}" | grep "^vma ${start} ") ||
			fail "top's ${pid} ${start} not in that process's view"
		assert_match "$line" " ${chain}( |$)" "view of ${pid} ${start}"
	done <<<"$top"
	;;
fanout)
	base=$(sed -n 's/.*base=\(0x[0-9a-f]*\).*/\1/p' <<<"$SR_INFO")
	echo "pid ${pids[0]} $base" >"$sr_dir/lookup"
	ans=$(cat "$sr_dir/lookup")
	echo "$ans" | head -3
	assert_match "$(tail -1 <<<"$ans")" "^summary vmas=$((N + 1)) " \
		"VMAs on the parent's anon_vma for page 0"
	av=$(sed -n '1s/.* anon_vma=\([0-9a-f]*\) .*/\1/p' <<<"$ans")
	width=$(grep "^anon_vma rank=.* anon_vma=$av " "$sr_dir/top" |
		sed 's/.* vmas=\([0-9]*\) .*/\1/')
	[[ -n $width ]] || fail "the parent's anon_vma $av is not in top"
	((width >= N + 1)) || fail "top says $width VMAs on $av, want >= $((N + 1))"
	;;
chain-exit-gen$D)
	last=${pids[-1]}
	mc=$(view "$last" | tail -1 | sed 's/.*max_chain=//')
	echo "generation $D: max chain $mc"
	((mc <= 3)) || fail "anon_vma reuse should keep chains at <= 3, got $mc"
	max=$(sed -n 's/^@chain_length_per_vma: .* max \([0-9]*\) .*/\1/p' \
		"$sr_dir/chains")
	((max < D + 1)) || fail "histogram max $max, want < $((D + 1))"
	;;
esac
sr_verify_ok || fail "verify at $SR_LABEL"
EOC
chmod +x "$check"
export D N
SR_CHECK=$check "$SR_BIN/wl-fork" chain "$D" || fail "fork chain"
SR_CHECK=$check "$SR_BIN/wl-fork" fanout "$N" || fail "fan-out"
SR_CHECK=$check "$SR_BIN/wl-fork" chain-exit "$D" || fail "chain with exiting parents"
