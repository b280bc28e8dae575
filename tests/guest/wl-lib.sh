# SPDX-License-Identifier: GPL-2.0
# Helpers for the workload guest tests (20-39); source after lib.sh.
# shellcheck shell=bash

wl_check=$sr_repo/tests/guest/wl-check.sh
export SR_BIN SR_RESULTS
export WL_TIMEOUT=${WL_TIMEOUT:-200}
mkdir -p "$SR_RESULTS/wl"

wl_need() {	# wl_need PROG...: the programs must be built
	local p
	for p in "$@"; do
		[[ -x $SR_BIN/$p ]] || fail "$SR_BIN/$p missing (make tests-bin)"
	done
}

# verify_get: set VLINE to the last line of verify, which must be exactly
# "verify: ok anon_vmas=N avcs=N vmas=N mms=N" (fails the test otherwise;
# call it at top level or in a function, not inside $(...)).
VLINE=
verify_get() {
	local out
	out=$(cat "$sr_dir/verify") || fail "reading verify failed"
	VLINE=$(tail -n 1 <<<"$out")
	[[ $VLINE =~ ^verify:\ ok\ anon_vmas=[0-9]+\ avcs=[0-9]+\ vmas=[0-9]+\ mms=[0-9]+$ ]] || {
		echo "$out" | tail -n 30 >&2
		fail "verify: last line is '$VLINE'"
	}
}

# vf KEY: a count of the last verify_get line (its format is checked there)
vf() {
	[[ $VLINE =~ (^|\ )$1=([0-9]+) ]] && echo "${BASH_REMATCH[2]}"
}

# wl_run PROG ARGS...: run a workload with the checkpoint check; it must
# pass, and so must verify after it has exited.
wl_run() {
	local name log rc
	name=$(IFS=-; echo "$*" | tr ' /' '--')
	log=$SR_RESULTS/wl/$name.log
	echo "== $*"
	SR_CHECK=${WL_SR_CHECK:-$wl_check} "$SR_BIN/$1" "${@:2}" >"$log" 2>&1
	rc=$?
	grep -E '^check |ok \(|FAIL|failed' "$log" | sed 's/^/   /' | tail -n 40
	if [[ $rc -ne 0 ]]; then
		tail -n 80 "$log" >&2
		fail "workload '$*' exited $rc (log: $log)"
	fi
	grep -q "ok ([1-9][0-9]* checkpoints)" "$log" || fail "workload '$*' ran no checkpoint"
	verify_get
	echo "   after exit: $VLINE"
}

# slab_active NAME: active objects of a slab cache from /proc/slabinfo
# (read with builtins only: no process is created while counting)
slab_active() {
	local name a rest
	while read -r name a rest; do
		if [[ $name == "$1" ]]; then
			echo "$a"
			return 0
		fi
	done </proc/slabinfo
	fail "no $1 in /proc/slabinfo"
}
