# SPDX-License-Identifier: GPL-2.0
# Helpers for guest tests (source it: . tests/guest/lib.sh).
#
# Environment (set by tests/guest/suite.sh): SR_KO (the module), SR_BIN
# (tests/bin), SR_RESULTS (writable results dir); cwd is the repo root.
# A test passes by exiting 0, fails with any other status, skips with 77.
# fail/skip exit the *current shell*: inside $(...) they only end that
# subshell, so call them at the test's top level.
set -u

sr_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sr_dir=/sys/kernel/debug/shadow_rmap
SR_KO=${SR_KO:-$sr_repo/shadow_rmap.ko}
SR_BIN=${SR_BIN:-$sr_repo/tests/bin}
SR_RESULTS=${SR_RESULTS:-/results}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# assert_eq ACTUAL EXPECTED [WHAT]
assert_eq() {
	[[ $1 == "$2" ]] || fail "${3:-value}: expected '$2', got '$1'"
}

# assert_ne ACTUAL UNEXPECTED [WHAT]
assert_ne() {
	[[ $1 != "$2" ]] || fail "${3:-value}: got '$1', expected anything else"
}

# assert_match STRING REGEX [WHAT]  (bash extended regex)
assert_match() {
	[[ $1 =~ $2 ]] || fail "${3:-value}: '$1' does not match /$2/"
}

assert_file_exists() {
	[[ -f $1 ]] || fail "no regular file $1"
}

assert_dir_exists() {
	[[ -d $1 ]] || fail "no directory $1"
}

assert_not_exists() {
	[[ ! -e $1 ]] || fail "$1 exists"
}

sr_loaded() {
	grep -q '^shadow_rmap ' /proc/modules
}

# sr_load [PARAM=VALUE]...: insmod $SR_KO; the debugfs dir must appear.
sr_load() {
	[[ -f $SR_KO ]] || fail "no module at $SR_KO (make modules)"
	insmod "$SR_KO" "$@" || fail "insmod $SR_KO $* failed"
	[[ -d $sr_dir ]] || fail "$sr_dir missing after insmod"
}

# sr_unload: rmmod; the debugfs dir must go away.
sr_unload() {
	rmmod shadow_rmap || fail "rmmod shadow_rmap failed"
	[[ ! -e $sr_dir ]] || fail "$sr_dir still present after rmmod"
}

# sr_verify_ok: the last line of the verify node must start with "verify: ok".
sr_verify_ok() {
	local out last

	assert_file_exists "$sr_dir/verify"
	out=$(cat "$sr_dir/verify") || fail "reading $sr_dir/verify failed"
	last=$(tail -n 1 <<< "$out")
	if [[ $last != "verify: ok"* ]]; then
		echo "$out" >&2
		fail "verify: last line is '$last'"
	fi
}

# sr_klog_mark: write a marker to the kernel log; sr_klog_clean then fails
# the test if anything suspicious was logged after it (scripts/guest/scan-klog
# patterns; extra args go to scan-klog, e.g. -a REGEX to allow a line).
sr_klog_marker=
sr_klog_mark() {
	sr_klog_marker="sr-test: mark $$.$RANDOM.$(date +%s%N)"
	echo "<5>$sr_klog_marker" > /dev/kmsg
}

sr_klog_clean() {
	[[ -n $sr_klog_marker ]] || fail "sr_klog_clean without sr_klog_mark"
	dmesg | "$sr_repo/scripts/guest/scan-klog" -m "$sr_klog_marker" "$@" \
		/dev/stdin >&2 || fail "the kernel log shows trouble"
}

# bpf_hist FILE MAP: "LOW COUNT" per bucket line of the bpftrace histogram
# MAP (e.g. '@walks[python3]') printed in FILE
bpf_hist() {
	awk -v m="$2" '$0 == m ": " || $0 == m ":" { on = 1; next }
		on && /^\[/ { gsub(/[][,)]/, " ")
			for (i = 2; i <= NF; i++) if ($i ~ /^\|/) print $1, $(i - 1)
			next }
		on { on = 0 }' "$1"
}

# bpf_scalar FILE MAP: the value bpftrace printed for MAP in FILE
bpf_scalar() {
	sed -n "s/^$(sed 's/[][]/\\&/g' <<<"$2"): //p" "$1"
}
