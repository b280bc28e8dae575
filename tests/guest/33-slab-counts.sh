#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module's counts follow the kernel's objects: between a baseline and the
# checkpoint of a fan-out of 50 children (each with 48 extra anon VMAs), the
# active objects of the anon_vma and anon_vma_chain slab caches
# (/proc/slabinfo) and the shadow's own object counts (the "anon_vmas" and
# "avcs" lines of stats, not verify's kernel-walk counts) must move by the
# same amount (within 10%, or a small absolute slack for slab per-CPU
# noise); and back again once the children have exited.  Every checkpoint
# must also verify ok (wl-check.sh).
# sr-timeout: 900
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-fork oracle
[[ -r /proc/slabinfo ]] || skip "no /proc/slabinfo"
kids=${WL_SLAB_CHILDREN:-50}
regions=24
rec=$SR_RESULTS/wl/slab-counts.txt
: >"$rec"
# Recorder: slab counts, the shadow's counts (stats), slab counts again, with
# builtins only (no process comes or goes while it counts). One line per
# label:
#   LABEL av1 avc1 mod_av mod_avc av2 avc2
recorder=$SR_RESULTS/wl/slab-rec.sh
cat >"$recorder" <<'REC'
#!/bin/bash
# Flush per-CPU partial slabs first: their objects count as active.
slab() {
	local n a r
	[[ -w /sys/kernel/slab/$1/shrink ]] && echo 1 >"/sys/kernel/slab/$1/shrink"
	while read -r n a r; do [[ $n == "$1" ]] && { echo "$a"; return; }; done </proc/slabinfo
}
a1=$(slab anon_vma); c1=$(slab anon_vma_chain)
# Reading stats applies the event log first.  One mapfile, not a read per
# line: stats is a seq_file, and a seek back (read's) would print it anew.
mapfile -t st </sys/kernel/debug/shadow_rmap/stats
a2=$(slab anon_vma); c2=$(slab anon_vma_chain)
ma= mc=
for l in "${st[@]}"; do
	case $l in
	"anon_vmas "*) ma=${l#* } ;;
	"avcs "*) mc=${l#* } ;;
	esac
done
[[ $ma =~ ^[0-9]+$ && $mc =~ ^[0-9]+$ ]] || { echo "recorder: no anon_vmas/avcs counts in stats ('$ma' '$mc')" >&2; exit 1; }
echo "$SR_LABEL $a1 $c1 $ma $mc $a2 $c2" >>"$REC"
REC
chmod +x "$recorder"
export REC=$rec

sr_klog_mark
sr_load
verify_get
SR_LABEL=baseline "$recorder" || fail "baseline record"
WL_SR_CHECK="$recorder && $wl_check" wl_run wl-fork fanout "$kids" 16 "$regions"
SR_LABEL=after "$recorder" || fail "after record"
cat "$rec"

# row LABEL -> sets av (slab, mean of the two reads), avc, mav, mavc
row() {
	local l a1 c1 ma mc a2 c2
	while read -r l a1 c1 ma mc a2 c2; do
		if [[ $l == "$1" ]]; then
			av=$(((a1 + a2) / 2)); avc=$(((c1 + c2) / 2)); mav=$ma; mavc=$mc
			return 0
		fi
	done <"$rec"
	fail "no record for $1"
}
# close WHAT SLAB_DELTA MODULE_DELTA
close() {
	local d=$(($2 - $3)) tol=$(( ($2 < 0 ? -$2 : $2) / 10 ))
	((tol < 64)) && tol=64
	((d < 0)) && d=$((-d))
	echo "$1: slab delta $2, module delta $3 (|diff| $d, allowed $tol)"
	((d <= tol)) || fail "$1: the module's count moved by $3, the kernel's slab by $2"
}

row baseline; av0=$av avc0=$avc mav0=$mav mavc0=$mavc
row fanout; av1=$av avc1=$avc mav1=$mav mavc1=$mavc
row after; av2=$av avc2=$avc mav2=$mav mavc2=$mavc

# sanity: the fan-out did create what it should have (lower bounds)
min_av=$((kids * 2 * regions)) min_avc=$((kids * 4 * regions))
((av1 - av0 >= min_av)) || fail "anon_vma slab grew by $((av1 - av0)) < $min_av"
((avc1 - avc0 >= min_avc)) || fail "anon_vma_chain slab grew by $((avc1 - avc0)) < $min_avc"
close "anon_vmas up" $((av1 - av0)) $((mav1 - mav0))
close "avcs up" $((avc1 - avc0)) $((mavc1 - mavc0))
close "anon_vmas down" $((av2 - av1)) $((mav2 - mav1))
close "avcs down" $((avc2 - avc1)) $((mavc2 - mavc1))
sr_unload
sr_klog_clean
echo "PASS"
