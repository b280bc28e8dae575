# shellcheck shell=bash
# Helpers for the host tests of the workloads and the oracle (sourced).
# Builds tests/bin/* from tests/workloads/*.c and tests/oracle/*.c when a
# binary is missing or older than its sources (same flags as the Makefile).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/tests/bin
CC=${CC:-gcc}
CFLAGS_WL=${CFLAGS_WL:--O2 -Wall -Wextra}

wl_build() {
	mkdir -p "$BIN"
	local src name hdrs
	for src in "$ROOT"/tests/workloads/*.c "$ROOT"/tests/oracle/*.c; do
		name=$(basename "$src" .c)
		hdrs=$(ls "$(dirname "$src")"/*.h 2>/dev/null)
		if [ ! -x "$BIN/$name" ] || [ -n "$(find "$src" $hdrs -newer "$BIN/$name" 2>/dev/null)" ]; then
			# shellcheck disable=SC2086
			$CC $CFLAGS_WL -Werror -o "$BIN/$name" "$src" -lpthread || return 1
		fi
	done
}

TESTS_RUN=0
TESTS_FAILED=0
t_fail() { echo "FAIL: $*"; TESTS_FAILED=$((TESTS_FAILED + 1)); }
t_ok() { echo "ok: $*"; }
t_check() {	# t_check DESCRIPTION COMMAND...
	local d=$1; shift
	TESTS_RUN=$((TESTS_RUN + 1))
	if "$@"; then t_ok "$d"; else t_fail "$d"; fi
}
t_done() {
	echo "$((TESTS_RUN - TESTS_FAILED)) passed, $TESTS_FAILED failed"
	[ "$TESTS_FAILED" -eq 0 ]
}
