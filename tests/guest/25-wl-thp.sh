#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Workload wl-thp: a 2 MiB-aligned 4 MiB MADV_HUGEPAGE region, touched
# (PMD-mapped THPs required), forked, a subpage COW'd in the child, split by
# mprotect, moved by mremap.  Verify and the oracle (per 4 KiB subpage, with
# kpagecount) at every checkpoint; verify after exit.
# sr-timeout: 600
. tests/guest/lib.sh
. tests/guest/wl-lib.sh

wl_need wl-thp oracle
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null) ||
	skip "no transparent hugepage support"
[[ $thp == *"[never]"* ]] && skip "THP disabled: $thp"
# the guest is expected to give huge pages: a region without any is a failure
export WL_REQUIRE_THP=1
sr_klog_mark
sr_load
verify_get
echo "after load: $VLINE"
wl_run wl-thp 4
wl_run wl-thp 8
sr_unload
sr_klog_clean
echo "PASS"
