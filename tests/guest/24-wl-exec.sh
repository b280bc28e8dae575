#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Workload wl-exec: vfork + exec, fork then exec (the child's mm goes away),
# stack growth by recursion and alloca, brk growth and shrink across fork.
# At every checkpoint of each scenario (all its processes parked) verify
# must be ok and the oracle must agree with lookup for all their pages;
# verify again after each workload has exited.
# sr-timeout: 900
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-exec oracle
sr_klog_mark
sr_load
verify_get
echo "after load: $VLINE"
wl_run wl-exec vfork
wl_run wl-exec exec
wl_run wl-exec stack
wl_run wl-exec brk
sr_unload
sr_klog_clean
echo "PASS"
