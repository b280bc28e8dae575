#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Workload wl-mremap: mremap: forced move, in-place grow and shrink,
# MREMAP_FIXED over a mapping, partial move and back, and a move in a fork
# child while its pages stay shared with the parent.
# At every checkpoint of each scenario (all its processes parked) verify
# must be ok and the oracle must agree with lookup for all their pages;
# verify again after each workload has exited.
# sr-timeout: 900
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-mremap oracle
sr_klog_mark
sr_load
verify_get
echo "after load: $VLINE"
wl_run wl-mremap move
wl_run wl-mremap grow
wl_run wl-mremap shrink
wl_run wl-mremap fixed
wl_run wl-mremap partial
wl_run wl-mremap fork
sr_unload
sr_klog_clean
echo "PASS"
