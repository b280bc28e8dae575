#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SR_CHECK command for the workloads in the guest (not a test of its own).
# Run by a workload at each checkpoint with SR_LABEL, SR_PIDS, SR_INFO set:
#   1. the last line of verify must be exactly
#      "verify: ok anon_vmas=N avcs=N vmas=N mms=N";
#   2. unless WL_CHECK_ORACLE=0, "oracle compare $SR_PIDS" must pass.
# WL_CHECK_PRE, if set, is run first (e.g. "echo resync > .../control").
# Prints one line per checkpoint; on failure the evidence goes to stderr and
# the full outputs to $SR_RESULTS/checks/.
set -u
dir=/sys/kernel/debug/shadow_rmap
bin=${SR_BIN:-$(cd "$(dirname "$0")/../bin" && pwd)}
res=${SR_RESULTS:-/tmp}/checks
mkdir -p "$res"
tag="${SR_LABEL:-nolabel}.$$"

if [[ -n ${WL_CHECK_PRE:-} ]]; then
	bash -c "$WL_CHECK_PRE" || { echo "check $SR_LABEL: '$WL_CHECK_PRE' failed" >&2; exit 1; }
fi

out=$(cat "$dir/verify" 2>&1)
rc=$?
last=$(tail -n 1 <<<"$out")
if [[ $rc -ne 0 || ! $last =~ ^verify:\ ok\ anon_vmas=[0-9]+\ avcs=[0-9]+\ vmas=[0-9]+\ mms=[0-9]+$ ]]; then
	echo "$out" >"$res/$tag.verify"
	tail -n 30 <<<"$out" >&2
	echo "check ${SR_LABEL:-}: verify not ok (rc=$rc): '$last'" >&2
	exit 1
fi

ores="oracle skipped"
if [[ ${WL_CHECK_ORACLE:-1} != 0 ]]; then
	# shellcheck disable=SC2086
	"$bin/oracle" compare $SR_PIDS >"$res/$tag.oracle" 2>&1
	rc=$?
	ores=$(tail -n 1 "$res/$tag.oracle")
	if [[ $rc -ne 0 ]]; then
		head -n 60 "$res/$tag.oracle" >&2
		echo "check ${SR_LABEL:-}: oracle compare failed (rc=$rc): $ores (pids: $SR_PIDS)" >&2
		exit 1
	fi
	rm -f "$res/$tag.oracle"
fi
echo "check ${SR_LABEL:-}: $last; $ores"
