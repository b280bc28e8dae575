#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Workload wl-vma: mprotect split and merge back, munmap holes, a MAP_PRIVATE
# file mapping with COW'd pages, MADV_DONTFORK/MADV_WIPEONFORK across fork.
# At every checkpoint of each scenario (all its processes parked) verify
# must be ok and the oracle must agree with lookup for all their pages;
# verify again after each workload has exited.
# sr-timeout: 900
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-vma oracle
sr_klog_mark
sr_load
verify_get
echo "after load: $VLINE"
wl_run wl-vma mprotect
wl_run wl-vma munmap
wl_run wl-vma fileprivate
wl_run wl-vma dontfork
sr_unload
sr_klog_clean
echo "PASS"
