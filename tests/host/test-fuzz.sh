#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of tests/bin/fuzz (natively, no module): the op list is a pure
# function of the seed; seeds run clean with every listed pid alive at each
# checkpoint; and the minimiser really minimises.  For that, SR_CHECK is made
# to fail on real conditions of the processes' memory maps (three processes
# mapping the fuzz file; one process with four VMAs of it): the fuzzer must
# find a failing seed, shrink it to a few ops, print and save the case, and
# the saved case must fail on replay, pass with a checker that always
# passes, and pass again with any single op taken out (1-minimal).
set -u
. "$(dirname "$0")/lib-wl.sh"
FUZZ=$BIN/fuzz
mkdir -p "$BIN"
$CC $CFLAGS_WL -Werror -o "$FUZZ" "$ROOT/tests/fuzz/fuzz.c" -lpthread ||
	{ echo "FAIL: build"; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export TMPDIR=$TMP WL_TIMEOUT=60
unset SR_CHECK

# 1. the op list of a seed
"$FUZZ" --ops 200 gen 7 > "$TMP/g1"
"$FUZZ" --ops 200 gen 7 > "$TMP/g2"
"$FUZZ" --ops 200 gen 8 > "$TMP/g3"
"$FUZZ" --ops 200 --check-every 7 gen 7 > "$TMP/g4"
t_check "gen: same seed, same list" cmp -s "$TMP/g1" "$TMP/g2"
differs() { ! cmp -s "$1" "$2"; }
t_check "gen: another seed, another list" differs "$TMP/g1" "$TMP/g3"
t_check "gen: 200 ops and 4+1 checks" \
	[ "$(grep -vc '^check$' "$TMP/g1")" -eq 200 -a "$(grep -c '^check$' "$TMP/g1")" -eq 4 ]
t_check "gen: checkpoint spacing leaves the ops alone" \
	cmp -s <(grep -v '^check$' "$TMP/g1") <(grep -v '^check$' "$TMP/g4")

# 2. clean seeds; every pid a checkpoint names is alive
cat > "$TMP/alive.sh" << 'EOS'
#!/bin/bash
echo "$SR_LABEL" >> "$TMPDIR/labels"
for p in $SR_PIDS; do kill -0 "$p" || exit 1; done
EOS
chmod +x "$TMP/alive.sh"
SR_CHECK=$TMP/alive.sh "$FUZZ" --ops 400 --seed 3 --seeds 5 run > "$TMP/out" 2>&1
rc=$?
t_check "5 seeds x 400 ops run clean" [ "$rc" -eq 0 ]
t_check "one line per seed" [ "$(grep -c '^seed=[0-9]* ops=400 checkpoints=8 result=ok' "$TMP/out")" -eq 5 ]
t_check "summary line" grep -qx 'fuzz: seeds=5 ops=2000 checkpoints=40 failures=0' "$TMP/out"
t_check "SR_CHECK ran at every checkpoint" [ "$(wc -l < "$TMP/labels")" -eq 40 ]
t_check "ops of every kind ran" \
	awk '/^fuzz: kinds/ { for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[2] == 0) exit 1 } f = 1 } END { exit !f }' "$TMP/out"
"$FUZZ" --ops 100 --seconds 1 run > "$TMP/out" 2>&1
t_check "--seconds: stops after the budget" grep -Eq '^fuzz: seeds=[1-9][0-9]* ' "$TMP/out"
t_check "leaves no workers behind" [ -z "$(pgrep -x fuzz)" ]

# 3. the minimiser, on two real conditions
cat > "$TMP/procs.sh" << 'EOS'
#!/bin/bash
# fail when three processes map the fuzz file
n=0
for p in $SR_PIDS; do grep -q fuzz-file "/proc/$p/maps" && n=$((n + 1)); done
[ "$n" -lt 3 ]
EOS
cat > "$TMP/vmas.sh" << 'EOS'
#!/bin/bash
# fail when one process has four VMAs of the fuzz file
for p in $SR_PIDS; do
	[ "$(grep -c fuzz-file "/proc/$p/maps")" -lt 4 ] || exit 1
done
EOS
chmod +x "$TMP/procs.sh" "$TMP/vmas.sh"

one_minimal() {	# one_minimal CHECK CASE: every single op is needed
	local i n
	n=$(grep -vc -e '^#' -e '^check$' "$2")
	for i in $(seq 1 "$n"); do
		grep -v -e '^#' -e '^check$' "$2" | sed "${i}d" > "$TMP/less"
		SR_CHECK=$1 "$FUZZ" replay "$TMP/less" > /dev/null 2>&1 ||
			{ echo "  still fails without op $i"; return 1; }
	done
}

for c in procs:3 vmas:6; do
	name=${c%:*}
	max=${c#*:}
	chk=$TMP/$name.sh
	mkdir -p "$TMP/$name"
	SR_CHECK=$chk "$FUZZ" --ops 300 --seed 1 --seeds 1 --save "$TMP/$name" \
		run > "$TMP/$name.out" 2>&1
	rc=$?
	case=$TMP/$name/seed-1.ops
	nops=$(grep -vc -e '^#' -e '^check$' "$case" 2> /dev/null)
	echo "  $name: $(grep '^fuzz: minimised' "$TMP/$name.out")"
	t_check "$name: the failing seed fails the run" [ "$rc" -eq 1 ]
	t_check "$name: seed and checkpoint named" \
		grep -q '^fuzz: FAIL seed=1: checkpoint s1-c[0-9]* ' "$TMP/$name.out"
	t_check "$name: minimised to $nops ops (at most $max)" \
		[ -n "$nops" ] && [ "$nops" -ge 1 ] && [ "$nops" -le "$max" ]
	t_check "$name: case printed in replay form" \
		cmp -s <(sed -n '/^fuzz: --- case/,/^fuzz: --- end/p' "$TMP/$name.out" | sed '1d;$d') "$case"
	t_check "$name: re-verified" grep -q 'fails on replay 2 of 2 times' "$TMP/$name.out"
	SR_CHECK=$chk "$FUZZ" replay "$case" > "$TMP/replay" 2>&1
	t_check "$name: the saved case fails on replay" [ $? -eq 1 ]
	SR_CHECK=true "$FUZZ" replay "$case" > "$TMP/replay" 2>&1
	t_check "$name: it passes when the checker passes" [ $? -eq 0 ]
	t_check "$name: 1-minimal" one_minimal "$chk" "$case"
done
t_check "procs: the case forks twice and maps the file" \
	[ "$(grep -c '^fork ' "$TMP/procs/seed-1.ops")" -ge 2 -a \
	  "$(grep -Ec '^(mmap_file|mmap_over) ' "$TMP/procs/seed-1.ops")" -ge 1 ]

# 4. bad input
printf 'mmap_anon p=1 t=0 a=1\n' > "$TMP/bad"
"$FUZZ" replay "$TMP/bad" > /dev/null 2>&1
t_check "a malformed op is refused (exit 2)" [ $? -eq 2 ]
"$FUZZ" nosuchmode > /dev/null 2>&1
t_check "unknown mode -> exit 2" [ $? -eq 2 ]

t_done
