#!/bin/bash
# Host test of the oracle (no module needed): run workloads whose sharing is
# known, dump the oracle's reverse map at their checkpoints, and check it:
# which pfns are mapped by how many tgids at which addresses, kpagecount
# agreeing with the mappings found, THP subpages, pages shared at different
# addresses after mremap in a fork child.  Then the comparison logic itself,
# against the built-in fake module (faithful, dropping, inventing answers).
set -u
. "$(dirname "$0")/lib-wl.sh"
wl_build || { echo "FAIL: build"; exit 1; }
if [ "$(id -u)" != 0 ] || [ ! -r /proc/kpageflags ]; then
	echo "SKIP: needs root and /proc/kpageflags"
	exit 77
fi

OUT=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$OUT"' EXIT; [ -n "${KEEP:-}" ] && echo "output in $OUT"
export OUT ORACLE=$BIN/oracle WL_TIMEOUT=60
DUMPCHECK='"$ORACLE" dump $SR_PIDS >"$OUT/$SR_LABEL.dump" 2>"$OUT/$SR_LABEL.err"; echo "$SR_PIDS" >"$OUT/$SR_LABEL.pids"; echo "$SR_INFO" >"$OUT/$SR_LABEL.info"'

info() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" "$OUT/$1.info"; }
top() { awk '{print $1}' "$OUT/$1.pids"; }

# One line per dump entry whose first mapping lies in [base, base+pages):
#   page mapcount nmaps ndistinct_pids same_addr thp pids(sorted,comma)
region() {	# region LABEL BASE PAGES
	awk -v base="$(($2))" -v pages="$3" '
	function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
		return v }
	{
		mc = ""; thp = 0; maps = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^mapcount=/) mc = substr($i, 10)
			if ($i == "thp=1") thp = 1
			if ($i ~ /^maps=/) maps = substr($i, 6)
		}
		n = split(maps, m, ",")
		split(m[1], f, ":"); a0 = hex(f[2])
		if (a0 < base || a0 >= base + pages * 4096) next
		same = 1; np = 0; delete seen; pl = ""
		for (i = 1; i <= n; i++) {
			split(m[i], f, ":")
			if (hex(f[2]) != a0) same = 0
			if (!(f[1] in seen)) { seen[f[1]] = 1; np++ }
		}
		# sorted pid list
		k = 0; for (p in seen) ps[++k] = p + 0
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (ps[j] < ps[i]) { t = ps[i]; ps[i] = ps[j]; ps[j] = t }
		for (i = 1; i <= k; i++) pl = pl (i > 1 ? "," : "") ps[i]
		print int((a0 - base) / 4096), mc, n, np, same, thp, pl
	}' "$OUT/$1.dump"
}

# every dumped pfn of the workload: mapcount == number of mappings found
consistent() {
	awk '{ for (i = 1; i <= NF; i++) { if ($i ~ /^mapcount=/) mc = substr($i, 10); if ($i ~ /^maps=/) n = split(substr($i, 6), m, ",") }
	       if (mc != n) { print "  inconsistent: " $0; bad++ } } END { exit bad > 0 }' "$OUT/$1.dump"
}

count() { region "$1" "$2" "$3" | awk "$4" | wc -l; }

# ---- fan-out: 6 children share 32 pages; children 1,3,5 COW the first 8 ----
SR_CHECK=$DUMPCHECK "$BIN/wl-fork" fanout 6 32 >"$OUT/run.log" 2>&1
t_check "fanout: workload ok" grep -q "ok (2 checkpoints)" "$OUT/run.log"
B=$(info fanout base); T=$(top fanout)
t_check "fanout: dump consistent with kpagecount" consistent fanout
n=$(count fanout "$B" 32 '$1 >= 8 && $2 == 7 && $3 == 7 && $4 == 7 && $5 == 1')
t_check "fanout: 24 untouched pages mapped by all 7 tgids at the same address (got $n)" [ "$n" -eq 24 ]
n=$(count fanout "$B" 32 '$1 >= 8' | tr -d ' ')
t_check "fanout: nothing else in the shared part (got $n)" [ "$n" -eq 24 ]
n=$(count fanout "$B" 32 '$1 < 8 && $2 == 4 && $4 == 4 && $5 == 1 && ("," $7 ",") ~ /,'"$T"',/')
t_check "fanout: 8 first pages of the parent mapped by parent + 3 non-COW children (got $n)" [ "$n" -eq 8 ]
n=$(count fanout "$B" 32 '$1 < 8 && $2 == 1 && $3 == 1 && $7 != '"$T")
t_check "fanout: 3 COWing children x 8 private copies, mapcount 1 (got $n)" [ "$n" -eq 24 ]
n=$(region fanout "$B" 32 | awk '$1 < 8 && $2 == 1 {print $7}' | sort -u | wc -l)
t_check "fanout: the private copies belong to 3 distinct children (got $n)" [ "$n" -eq 3 ]
n=$(count fanout-exited "$B" 32 '$2 == 1 && $3 == 1 && $7 == '"$T")
t_check "fanout-exited: 32 pages, only the parent (got $n)" [ "$n" -eq 32 ]
t_check "fanout-exited: dump consistent" consistent fanout-exited

# ---- COW step by step (16 pages) ----
SR_CHECK=$DUMPCHECK "$BIN/wl-fork" cow 16 >"$OUT/run.log" 2>&1
t_check "cow: workload ok" grep -q "ok (4 checkpoints)" "$OUT/run.log"
B=$(info cow-shared base)
n=$(count cow-shared "$B" 16 '$2 == 2 && $4 == 2 && $5 == 1')
t_check "cow-shared: 16 pages mapped by both (got $n)" [ "$n" -eq 16 ]
n=$(count cow-child-wrote "$B" 16 '$2 == 1'); m=$(count cow-child-wrote "$B" 16 '$2 == 2 && $5 == 1')
t_check "cow-child-wrote: 16 single (8+8) and 8 shared (got $n, $m)" [ "$n" -eq 16 ] && [ "$m" -eq 8 ]
n=$(count cow-parent-wrote "$B" 16 '$2 == 1'); m=$(count cow-parent-wrote "$B" 16 '$2 == 2 && $5 == 1')
t_check "cow-parent-wrote: 24 single and 4 shared (got $n, $m)" [ "$n" -eq 24 ] && [ "$m" -eq 4 ]
for l in cow-shared cow-child-wrote cow-parent-wrote cow-exited; do
	t_check "$l: dump consistent" consistent $l
done

# ---- mremap in a fork child: pages shared at two different addresses ----
SR_CHECK=$DUMPCHECK "$BIN/wl-mremap" fork 32 >"$OUT/run.log" 2>&1
t_check "mremap fork: workload ok" grep -q "ok (4 checkpoints)" "$OUT/run.log"
B=$(info mremap-fork-child-moved parent_base)
n=$(count mremap-fork-child-moved "$B" 32 '$2 == 2 && $3 == 2 && $4 == 2 && $5 == 0')
t_check "mremap-fork-child-moved: 24 pages shared at different addresses (got $n)" [ "$n" -eq 24 ]
n=$(count mremap-fork-child-moved "$B" 32 '$2 == 1')
t_check "mremap-fork-child-moved: 8 pages of the parent alone (got $n)" [ "$n" -eq 8 ]
# the child's address of each shared page is its parent address + one constant
n=$(awk -v base="$B" '/mapcount=2 / { split($NF, m, ","); sub(/maps=/, "", m[1]); split(m[1], a, ":"); split(m[2], b, ":");
	print a[2], b[2] }' "$OUT/mremap-fork-child-moved.dump" |
	while read -r x y; do [ $((x)) -ge $((B)) ] && [ $((x)) -lt $((B + 32 * 4096)) ] && echo $((y - x)); done |
	sort | uniq -c | awk '$1 == 24 && $2 != 0' | wc -l)
t_check "mremap-fork-child-moved: the 24 shared pages at one constant non-zero displacement" [ "$n" -eq 1 ]
t_check "mremap-fork-child-moved: dump consistent" consistent mremap-fork-child-moved

# ---- THP ----
SR_CHECK=$DUMPCHECK "$BIN/wl-thp" >"$OUT/run.log" 2>&1
t_check "thp: workload ok" grep -q "ok (6 checkpoints)" "$OUT/run.log"
B=$(info thp-forked base); H=$(info thp-forked anon_huge_kb)
n=$(count thp-forked "$B" 1024 '$2 == 2 && $4 == 2 && $5 == 1')
t_check "thp-forked: 1024 subpages mapped by both (got $n)" [ "$n" -eq 1024 ]
n=$(count thp-forked "$B" 1024 '$6 == 1')
t_check "thp-forked: THP subpages flagged ($n, anon_huge_kb=$H)" [ "$n" -ge $((H / 4)) ]
t_check "thp: got huge pages at all (anon_huge_kb=$H)" [ "${H:-0}" -gt 0 ]
n=$(count thp-cow-subpage "$B" 1024 '$1 == 5 && $2 == 1')
t_check "thp-cow-subpage: page 5 has 2 single-mapped pfns (got $n)" [ "$n" -eq 2 ]
n=$(count thp-cow-subpage "$B" 1024 '$2 == 2 && $4 == 2')
t_check "thp-cow-subpage: 1023 shared subpages (got $n)" [ "$n" -eq 1023 ]
for l in thp-touched thp-forked thp-cow-subpage thp-split-mprotect thp-moved; do
	t_check "$l: dump consistent" consistent $l
done

# ---- chain of 4 living generations, page 0 shared by all 5 ----
SR_CHECK=$DUMPCHECK "$BIN/wl-fork" chain 4 8 >"$OUT/run.log" 2>&1
B=$(info chain base)
n=$(count chain "$B" 8 '$1 == 0 && $2 == 5 && $4 == 5')
t_check "chain: page 0 mapped by all 5 generations (got $n)" [ "$n" -eq 1 ]
n=$(count chain "$B" 8 '$1 > 0 && $2 == 1')
t_check "chain: pages 1-7 private to each of 5 generations (got $n)" [ "$n" -eq 35 ]

# ---- the comparison logic, against the fake module ----
export FAKE
CMP='"$ORACLE" --fake-module $FAKE compare $SR_PIDS >"$OUT/$FAKE-$SR_LABEL.cmp" 2>&1; echo $? >"$OUT/$FAKE-$SR_LABEL.rc"; "$ORACLE" dump $SR_PIDS >"$OUT/$FAKE-$SR_LABEL.dump" 2>/dev/null'
for FAKE in good drop extra count; do
	SR_CHECK=$CMP "$BIN/wl-fork" fanout 4 16 >/dev/null 2>&1
done
# The host is not quiet (compaction may migrate a page between the compare
# and the dump taken right after it): counts may differ by 2 at most.
pages() { grep -c . "$OUT/$1-fanout.dump"; }
near() { [ $(($1 - $2)) -le 2 ] && [ $(($2 - $1)) -le 2 ]; }
field() { sed -n "s/^oracle: .*\b$2=\([0-9]*\).*/\1/p" "$OUT/$1-fanout.cmp"; }
multi=$(awk '{ n = split($NF, m, ","); if (n > 1) c++ } END { print c + 0 }' "$OUT/drop-fanout.dump")
t_check "compare/good: exit 0" [ "$(cat "$OUT/good-fanout.rc")" = 0 ]
t_check "compare/good: ok pages=$(field good pages) (dump: $(pages good))" near "$(field good pages)" "$(pages good)"
t_check "compare/good: pages > 50" [ "$(field good pages)" -gt 50 ]
t_check "compare/drop: exit 1" [ "$(cat "$OUT/drop-fanout.rc")" = 1 ]
t_check "compare/drop: one mismatch per multiply-mapped page ($(field drop mismatches) vs $multi)" \
	near "$(field drop mismatches)" "$multi"
t_check "compare/drop: names what the module missed" grep -q "missing from module: [0-9]" "$OUT/drop-fanout.cmp"
t_check "compare/extra: exit 1" [ "$(cat "$OUT/extra-fanout.rc")" = 1 ]
t_check "compare/extra: every page ($(field extra mismatches) vs $(pages extra))" \
	near "$(field extra mismatches)" "$(pages extra)"
t_check "compare/extra: names the invented mapping" grep -q "extra in module: [0-9]*:0x1000" "$OUT/extra-fanout.cmp"
t_check "compare/count (duplicate lines): exit 1" [ "$(cat "$OUT/count-fanout.rc")" = 1 ]
t_check "compare/good after exit: exit 0" [ "$(cat "$OUT/good-fanout-exited.rc")" = 0 ]

# ---- whole system: the fake module agrees with a full scan ----
# (its answers come from the scan and go stale on a busy host: allow 1%)
"$ORACLE" --fake-module good compare --all >"$OUT/all.cmp" 2>&1
ok=$(sed -n 's/^oracle: ok pages=\([0-9]*\).*/\1/p' "$OUT/all.cmp")
bad=$(sed -n 's/^oracle: FAIL mismatches=\([0-9]*\) pages=\([0-9]*\).*/\1 \2/p' "$OUT/all.cmp")
if [ -n "$ok" ]; then
	t_check "compare --all/good: ok pages=$ok" [ "$ok" -gt 100 ]
else
	read -r m p <<<"${bad:-999999 0}"
	t_check "compare --all/good: $m stale of $p pages (<= 1%)" [ $((m * 100)) -le "$p" ]
fi
# ---- environment errors ----
"$ORACLE" --lookup /nonexistent/lookup compare $$ >/dev/null 2>&1
t_check "compare without a lookup node -> exit 2" [ $? -eq 2 ]
"$ORACLE" compare >/dev/null 2>&1
t_check "compare without pids -> exit 2" [ $? -eq 2 ]
"$ORACLE" dump 999999999 >"$OUT/gone" 2>&1
t_check "dump of a gone pid -> note, exit 0" grep -q "pid 999999999 is gone" "$OUT/gone"

t_done
