#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every kind of page and query gets a clean one-line answer: file, shmem,
# anon, a THP subpage, a KSM page, a free page, an invalid pfn, a missing
# pid, a kernel thread, an unmapped address (tests/tools/kinds.c); dmesg
# stays clean.
. tests/guest/lib.sh

sr_klog_mark
sr_load
# run=2 unmerges: the stable tree empties, pages_shared goes back to 0
# (the oracle of later tests relies on it on 6.12, see oracle.c)
trap 'echo 2 >/sys/kernel/mm/ksm/run; sr_unload' EXIT
"$SR_BIN/kinds" "$sr_dir/lookup" || fail "lookup kinds"
sr_klog_clean || fail "kernel log"
