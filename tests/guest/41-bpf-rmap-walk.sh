#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bpf/sr-rmap-walk.sh with the module loaded, while a python3
# process writes an 8 MiB MADV_HUGEPAGE region, forks 8 children that keep
# it mapped and splits its THPs through /sys/kernel/debug/split_huge_pages:
# every split is an anonymous rmap walk over the 9 VMAs (try_to_migrate),
# then one walk per subpage (remove_migration_ptes): 513 walks per THP on
# 6.1 (the workload reads the stats node first, which applies the log, so
# the shadow has the forks).  Asserts: python3 walks >= 513 x THPs split; every python3 walk was
# of an anon_vma the shadow knows and visited exactly the VMAs the shadow
# said cover the folio (the kernel's own iterator counts them); at least
# 513 x THPs walks had 9 such VMAs; latency histogram and the per-VMA-count
# join hold every walk; the tracepoint's probe is attached only while the
# script runs.  Then through tracefs alone (no bpftrace): enabling the
# event attaches the probe; the same workload again must leave >= 513 x
# THPs split rmap_walk events of the python3 process with vmas=9 in the
# trace, every event of it well-formed and sane (tracked=1, stale=0,
# nonzero anon_vma and root, 1 <= vmas <= width <= forest_vmas, pages >= 1);
# rmmod with the event still enabled detaches it cleanly (its events go, the
# kernel log stays clean).  Without bpftrace or BTF (the debug lane) only
# the tracefs half runs; skips without tracefs, python3 or
# split_huge_pages.
# sr-timeout: 150
. tests/guest/lib.sh

# bpftrace resolves the tracepoints' field types (u64, pid_t) from BTF:
# the debug kernel lane builds no debug info, so it has none.  Without
# bpftrace or BTF only the tracefs half runs (lockdep and KASAN still see
# the probe attached from the tracepoint's register callback).
bpf=1
command -v bpftrace >/dev/null || { bpf=0; echo "no bpftrace: tracefs half only"; }
[[ -e /sys/kernel/btf/vmlinux ]] || { bpf=0; echo "no BTF in this kernel: tracefs half only"; }
py=$(command -v python3) || skip "no python3"
[[ -w /sys/kernel/debug/split_huge_pages ]] || skip "no split_huge_pages in debugfs"
tfs=/sys/kernel/tracing
grep -qw tracefs /proc/filesystems || skip "no tracefs in this kernel"
[[ -d $tfs ]] || skip "no $tfs to mount tracefs on"
mountpoint -q $tfs || mount -t tracefs nodev $tfs || fail "cannot mount tracefs on $tfs"
out=$SR_RESULTS/41-bpf-rmap-walk.out
wl=$SR_RESULTS/41-thp-walk.py
cat >"$wl" <<'PY'
import ctypes, mmap, os, sys
n = int(sys.argv[1])
size = 8 << 20
m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
m.madvise(mmap.MADV_HUGEPAGE)
for off in range(0, size, 4096):
    m[off] = 1
buf = (ctypes.c_char * size).from_buffer(m)
start = ctypes.addressof(buf)
def huge_kb():
    kb, inside = 0, False
    with open("/proc/self/smaps") as f:
        for line in f:
            w = line.split()
            if "-" in w[0] and len(w) > 4:
                a, b = (int(x, 16) for x in w[0].split("-"))
                inside = a < start + size and b > start
            elif inside and w[0] == "AnonHugePages:":
                kb += int(w[1])
    return kb
before = huge_kb()
r, w = os.pipe()
kids = []
for i in range(n):
    p = os.fork()
    if p == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    kids.append(p)
os.close(r)
# The walk probe never applies the log: reading stats brings the shadow up
# to date with the forks before the walks start.
with open("/sys/kernel/debug/shadow_rmap/stats") as f:
    f.read()
with open("/sys/kernel/debug/split_huge_pages", "w") as f:
    f.write("%d,0x%x,0x%x" % (os.getpid(), start, start + size))
print("thp-walk: pid=%d children=%d anon_huge_kb=%d after_split=%d" % (os.getpid(), n, before, huge_kb()), flush=True)
os.close(w)
for p in kids:
    os.waitpid(p, 0)
PY
probe_state() {
	sed -n 's/^probe.rmap_walk_anon //p' "$sr_dir/stats"
}

sr_klog_mark
if ((bpf)); then
	sr_load
	assert_eq "$(probe_state)" off "rmap_walk_anon probe before the script"
	scripts/bpf/sr-rmap-walk.sh -c "$py $wl 8" >"$out" 2>&1
	rc=$?
	after=$(probe_state)
	traced=$(sed -n 's/^rmap_walks_traced //p' "$sr_dir/stats")
	sr_unload
	cat "$out"
	assert_eq "$rc" 0 "sr-rmap-walk.sh exit status"
	assert_eq "$after" off "rmap_walk_anon probe after the script"

	hist() { bpf_hist "$out" "$1"; }
	line=$(grep '^thp-walk:' "$out") || fail "the workload printed no result"
	[[ $line =~ anon_huge_kb=([0-9]+)\ after_split=([0-9]+) ]] || fail "bad line '$line'"
	thp=$((BASH_REMATCH[1] / 2048))
	((thp > 0)) || skip "no THP in the region (anon_huge_kb=0)"
	assert_eq "${BASH_REMATCH[2]}" 0 "AnonHugePages after the split"
	walks=$(sed -n 's/^@walks\[python3\]: //p' "$out")
	[[ $walks =~ ^[0-9]+$ ]] || fail "no @walks[python3]"
	echo "THPs split: $thp, python3 walks: $walks"
	((walks >= 513 * thp)) || fail "python3 walks $walks < 513 x $thp THPs"
	((traced >= walks)) || fail "stats rmap_walks_traced $traced < $walks"
	count() {
		sed -n "s/^@$1\\[python3\\]: //p" "$out"
	}
	assert_eq "$(count exact)" "$walks" "python3 walks that visited exactly the shadow's VMAs"
	for m in stopped_early shadow_short untracked; do
		assert_eq "$(count "$m")" "" "@$m[python3]"
	done
	v=$(hist '@shadow_vmas[python3]')
	echo "shadow VMAs per walk (bucket walks): $(tr '\n' ' ' <<<"$v")"
	nine=$(awk '$1 == 8 { print $2 }' <<<"$v")
	((${nine:-0} >= 513 * thp)) || fail "walks with 8-15 VMAs: '${nine:-0}' < 513 x $thp"
	assert_eq "$(awk '{ s += $2 } END { print s + 0 }' <<<"$v")" "$walks" "walks in @shadow_vmas"
	assert_eq "$(hist '@walk_ns[python3]' | awk '{ s += $2 } END { print s + 0 }')" "$walks" \
		"walks in @walk_ns"
	grep -Eq '^@avg_walk_ns\[python3, 9\]: [1-9][0-9]*$' "$out" ||
		fail "no mean latency for python3 walks over 9 VMAs"
fi

# tracefs alone: the event enabled by hand, the same workload, the trace.
ev=$tfs/events/shadow_rmap/rmap_walk
tout=$SR_RESULTS/41-tracefs-thp.out
trace=$SR_RESULTS/41-tracefs-trace.txt
sr_load
[[ -d $ev ]] || fail "no $ev with the module loaded"
echo 1 >$tfs/tracing_on || fail "turning tracing on"
echo >$tfs/trace
echo 1 >$ev/enable || fail "enabling rmap_walk"
assert_eq "$(probe_state)" kprobe "probe with the event enabled through tracefs"
"$py" "$wl" 8 >"$tout" 2>&1
rc=$?
cat "$tout"
cat $tfs/trace >"$trace" || fail "reading $tfs/trace"
# rmmod with the event still enabled
sr_unload
[[ ! -e $tfs/events/shadow_rmap ]] || fail "events left after rmmod"
echo >$tfs/trace
assert_eq "$rc" 0 "the workload's exit status (tracefs run)"
line=$(grep '^thp-walk:' "$tout") || fail "the workload printed no result (tracefs run)"
[[ $line =~ pid=([0-9]+)\ .*anon_huge_kb=([0-9]+)\ after_split=([0-9]+) ]] ||
	fail "bad line '$line'"
pid=${BASH_REMATCH[1]} thp=$((BASH_REMATCH[2] / 2048))
((thp > 0)) || fail "no THP in the region on the tracefs run (anon_huge_kb=0)"
assert_eq "${BASH_REMATCH[3]}" 0 "AnonHugePages after the split (tracefs run)"
# Counts: events; events not in the event's format (any process); events
# of the workload's pid; of those, ones with an insane field, and ones with
# vmas=9 (mawk: no {n} in regexes).
read -r events bad mine insane nines < <(awk -v pid="$pid" '
	/ rmap_walk: / {
		events++
		sub(/.* rmap_walk: /, "")
		if ($0 !~ /^anon_vma=[0-9a-f]+ root=[0-9a-f]+ tracked=[01] depth=[0-9]+ width=[0-9]+ vmas=[0-9]+ forest_vmas=[0-9]+ pgoff=[0-9a-f]+ pages=[0-9]+ stale=[01] pending=[0-9]+ pid=[0-9]+ comm=.+$/) {
			bad++
			next
		}
		for (i = 1; i <= NF; i++) {
			eq = index($i, "=")
			f[substr($i, 1, eq - 1)] = substr($i, eq + 1)
		}
		if (f["pid"] != pid)
			next
		mine++
		if (f["comm"] != "python3" || f["tracked"] != 1 || f["stale"] != 0 ||
		    f["anon_vma"] ~ /^0+$/ || f["root"] ~ /^0+$/ ||
		    f["vmas"] + 0 < 1 || f["vmas"] + 0 > f["width"] + 0 ||
		    f["width"] + 0 > f["forest_vmas"] + 0 || f["pages"] + 0 < 1) {
			if (!insane++)
				print "insane: " $0 >"/dev/stderr"
		}
		if (f["vmas"] == 9)
			nines++
	}
	END { print events + 0, bad + 0, mine + 0, insane + 0, nines + 0 }' "$trace")
echo "tracefs: $events rmap_walk events, $mine of python3 (pid $pid), $nines with vmas=9; $bad malformed, $insane insane"
grep -m1 " rmap_walk: .* pid=$pid " "$trace"
((events > 0)) || fail "no rmap_walk event in the trace"
assert_eq "$bad" 0 "malformed rmap_walk events (see $trace)"
((mine > 0)) || fail "no rmap_walk event of the workload (pid $pid) in the trace"
assert_eq "$insane" 0 "python3 rmap_walk events with insane fields (see $trace)"
((nines >= 513 * thp)) || fail "python3 walks with vmas=9 in the trace: $nines < 513 x $thp THPs"
sr_klog_clean
echo "PASS"
