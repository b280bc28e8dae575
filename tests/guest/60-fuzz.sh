#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VMA-history fuzzer for a short budget: seeds from FUZZ_SEED (1) for
# FUZZ_SECONDS (or SR_FUZZ_SECONDS; default 75) of guest time, 300 ops per
# seed (FUZZ_OPS), verify ok and the pagemap oracle at every checkpoint.
# Any failure fails the test; its minimised case is in the log and in
# $SR_RESULTS/fuzz/.  `make fuzz SECONDS=N` is the long run of the same.
# sr-timeout: 900 + FUZZ_SECONDS + SR_FUZZ_SECONDS + FUZZ_MIN_SECONDS
export FUZZ_SECONDS=${FUZZ_SECONDS:-${SR_FUZZ_SECONDS:-75}}
export FUZZ_OPS=${FUZZ_OPS:-300}
export FUZZ_CHECK_EVERY=${FUZZ_CHECK_EVERY:-50}
export FUZZ_MIN_SECONDS=${FUZZ_MIN_SECONDS:-300}
exec bash tests/fuzz/fuzz-guest.sh
