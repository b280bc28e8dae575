#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Ten insmod/rmmod cycles: the module and its debugfs dir appear on load and
# are gone after unload; the kernel log stays clean.
. "$(dirname "$0")/lib.sh"

sr_loaded && fail "shadow_rmap is loaded before the test"
assert_not_exists "$sr_dir"
sr_klog_mark
for i in $(seq 10); do
	sr_load
	sr_loaded || fail "cycle $i: not in /proc/modules after insmod"
	assert_dir_exists "$sr_dir"
	sr_unload
	sr_loaded && fail "cycle $i: still in /proc/modules after rmmod"
	assert_not_exists "$sr_dir"
done
sr_klog_clean
echo "10 load/unload cycles ok"
