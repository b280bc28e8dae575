#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Workload wl-fork: fork fan-out (with COW children), a deep chain with living
# parents, a chain whose parents exit first (anon_vma reuse), COW step by
# step, and a wide fan-out.
# At every checkpoint of each scenario (all its processes parked) verify
# must be ok and the oracle must agree with lookup for all their pages;
# verify again after each workload has exited.
# sr-timeout: 900
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-fork oracle
sr_klog_mark
sr_load
verify_get
echo "after load: $VLINE"
wl_run wl-fork fanout 8 64
wl_run wl-fork chain 6 16
wl_run wl-fork chain-exit 6 16
wl_run wl-fork cow 32
wl_run wl-fork fanout 40 16
sr_unload
sr_klog_clean
echo "PASS"
