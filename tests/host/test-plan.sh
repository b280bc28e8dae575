#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The batch planner (src/plan.c) as is, compiled for userspace against
# tests/host/plan/shim and run by tests/host/plan/test-plan.c: fixed cases
# of each rule, then random batches against an independent statement of
# the rules.  PLAN_SEEDS=N sets the number of random batches (300).
set -u
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=$repo/build/host/test-plan
mkdir -p "$(dirname "$bin")"
gcc -O2 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-I "$repo/tests/host/plan/shim" -I "$repo/include" \
	-o "$bin" "$repo/src/plan.c" "$repo/tests/host/plan/test-plan.c" ||
	{ echo "FAIL: build"; exit 1; }
"$bin" "${PLAN_SEEDS:-300}"
