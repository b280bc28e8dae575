# SPDX-License-Identifier: GPL-2.0
#
#   make            build shadow_rmap.ko against KDIR
#   make demo       boot the guest, load the module, show every node
#   make test       host unit tests + guest suite (TESTS=pattern selects)
#   make test KERNEL=6.12   the same on another kernel lane: 6.1 (stock, the
#                   default), 6.12, 7, debug (KASAN/lockdep/kmemleak), or a
#                   list: KERNEL="6.1 6.12 7" (what CI runs)
#   make test-long  the suite with 50 reload cycles and the long fuzz budget
#   make fuzz SECONDS=N [KERNEL=debug]  the VMA-history fuzzer's long run
#   make check      checkpatch --strict, W=1 build, sparse C=2 build
#   make deps       install the Debian 12 packages everything needs
#
# Guest runner settings pass through the environment or the command line:
# SR_GUEST_KERNEL, SR_GUEST_KVER, SR_GUEST_MEM, SR_GUEST_CPUS,
# SR_GUEST_APPEND, SR_GUEST_TIMEOUT, SR_GUEST_QEMU_ARGS (see
# scripts/guest/run --help).

# Recursive (=) on purpose: on a fresh machine the headers only exist once
# `make deps` has run, so KDIR is looked up again when a recipe needs it.
KDIR_DEFAULT = $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1))
KDIR ?= $(KDIR_DEFAULT)
ifeq ($(strip $(KDIR)),)
KDIR = $(KDIR_DEFAULT)
endif
export KDIR

USER_CC ?= gcc
USER_CFLAGS ?= -O2 -g -Wall -Wextra
USER_LDLIBS := -lpthread

# One program per .c file: tests/bin/<name>. New sources need no edit here.
USER_DIRS := tests/workloads tests/oracle tests/tools scripts/demo tests/fuzz
USER_SRCS := $(wildcard $(addsuffix /*.c,$(USER_DIRS)))
USER_HDRS := $(wildcard $(addsuffix /*.h,$(USER_DIRS)))
USER_BINS := $(addprefix tests/bin/,$(basename $(notdir $(USER_SRCS))))
vpath %.c $(USER_DIRS)

all: modules

# Feature probes first (compat/probes, include/shadow_rmap/compat.h): their
# header is remade only when KDIR or a probe changed.
modules: compat-probe
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

compat-probe:
	@scripts/compat-probe $(KDIR) compat/generated/sr_probes.h

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf tests/bin compat/generated

distclean: clean
	rm -rf build

deps:
	@scripts/deps.sh

tests-bin: $(USER_BINS)

tests/bin/%: %.c $(USER_HDRS)
	@mkdir -p tests/bin
	$(USER_CC) $(USER_CFLAGS) -o $@ $< $(USER_LDLIBS)

# KERNEL=LANE: the guest suite on another kernel (tests/run.sh --kernel):
# 6.12 and 7 are stock Debian kernels fetched as packages into
# /var/cache/shadow_rmap (scripts/kernel-lane), debug the KASAN/lockdep/
# kmemleak kernel (scripts/debug-kernel), each built once and cached.
KERNEL ?= stock

test: deps
	@$(MAKE) --no-print-directory modules tests-bin
	@tests/run.sh --kernel "$(KERNEL)"

test-host: deps
	@$(MAKE) --no-print-directory tests-bin
	@tests/run.sh --host

test-guest: deps
	@$(MAKE) --no-print-directory modules tests-bin
	@tests/run.sh --guest --kernel "$(KERNEL)"

# The long lane: the suite with 50 reload cycles under the storm (test 31)
# and the long fuzz budget; far over the CI budget, so not part of make test.
test-long: deps
	@$(MAKE) --no-print-directory modules tests-bin
	@tests/run.sh --long --kernel "$(KERNEL)"

demo: deps
	@$(MAKE) --no-print-directory modules tests-bin
	@set -e; export SR_KO=$(CURDIR)/shadow_rmap.ko SR_BIN=$(CURDIR)/tests/bin; \
	case "$(KERNEL)" in stock|6.1) ;; *) \
		eval "$$(scripts/kernel-lane/prepare "$(KERNEL)" build/demo)"; \
		export KDIR SR_GUEST_KERNEL SR_GUEST_KVER SR_GUEST_MODDIR SR_KO \
			SR_LANE_CHROOT ;; \
	esac; \
	scripts/guest/run -t 600 -- scripts/demo.sh

check: deps
	@scripts/check.sh

# make bench: hot-path overhead, lookup latency, shadow memory and node-read
# figures from icount guests (bench/README.md); not part of make test.
# BENCH_ROUNDS, BENCH_SECS, BENCH_SHARERS, ... pass through (bench/run.sh).
BENCH_BINS := $(addprefix build/bench/bin/,$(basename $(notdir $(wildcard bench/*.c))))

build/bench/bin/%: bench/%.c
	@mkdir -p build/bench/bin
	$(USER_CC) $(USER_CFLAGS) -o $@ $<

bench-bin: $(BENCH_BINS)

bench: deps
	@$(MAKE) --no-print-directory modules bench-bin
	@$(MAKE) --no-print-directory -C bench/kmod KDIR=$(KDIR)
	@KERNEL="$(KERNEL)" bench/run.sh

.PHONY: bench bench-bin

# make fuzz SECONDS=N [KERNEL=debug]: the VMA-history fuzzer in a guest for
# N seconds of seeds, FUZZ_SEED=S to start at seed S; verify and the pagemap
# oracle at every checkpoint, kernel log scanned after. It is test 60 with
# the long run's defaults (FUZZ_OPS 1000 per seed, FUZZ_CHECK_EVERY 100,
# FUZZ_MIN_SECONDS 900), through the suite's own lane: slub_debug on the
# stock kernel, a kmemleak scan after rmmod on the debug one.
SECONDS ?= 600
FUZZ_SEED ?= 1

fuzz: deps
	@$(MAKE) --no-print-directory modules tests-bin
	@TESTS='^60-' FUZZ_SECONDS=$(SECONDS) GUEST_ARGS="$(GUEST_ARGS) \
		-e FUZZ_SEED=$(FUZZ_SEED) -e FUZZ_OPS=$(or $(FUZZ_OPS),1000) \
		-e FUZZ_CHECK_EVERY=$(or $(FUZZ_CHECK_EVERY),100) \
		-e FUZZ_MIN_SECONDS=$(or $(FUZZ_MIN_SECONDS),900)" \
		tests/run.sh --guest --long --kernel "$(KERNEL)"

.PHONY: fuzz

.PHONY: all modules compat-probe clean distclean deps tests-bin test test-host \
	test-guest test-long demo check
