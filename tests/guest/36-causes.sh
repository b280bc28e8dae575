#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cause attribution: each cause counter moves for its own system call and
# for no other (tests/tools/causes.c does the operations and the checks).
. tests/guest/lib.sh

sr_load
trap sr_unload EXIT
"$SR_BIN/causes" "$sr_dir/stats" || fail "cause counters"
sr_verify_ok || fail "verify after the cause operations"
