#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Workload wl-threads: pthreads mmap/mremap/munmap concurrently, then fork
# from a thread.
# At every checkpoint of each scenario (all its processes parked) verify
# must be ok and the oracle must agree with lookup for all their pages;
# verify again after each workload has exited.
# sr-timeout: 900
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-threads oracle
sr_klog_mark
sr_load
verify_get
echo "after load: $VLINE"
wl_run wl-threads 4 100
wl_run wl-threads 8 30
sr_unload
sr_klog_clean
echo "PASS"
