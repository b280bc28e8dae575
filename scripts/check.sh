#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: style and static checks; any warning fails.
#  1. checkpatch.pl --strict --no-tree on the module sources (src include
#     debugfs), and on userspace C (tests scripts) minus the checks that only
#     make sense for kernel code ($user_ignore)
#  2. W=1 module build          3. sparse (C=2) module build, each for
#     every kernel lane in SR_CHECK_LANES (default "6.1 6.12 7": the lanes
#     are fetched and cached by scripts/kernel-lane/prepare)
#  4. userspace C with -Wall -Wextra -Werror
#  5. bash -n on the shell scripts
# The module builds run on a copy in a temporary build/check.*, so the
# tree's own objects are left alone. checkpatch comes from linux-source-6.1 and is
# cached in build/checkpatch (SR_CHECKPATCH=path uses another one).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 2
mkdir -p "$repo/build"
work=$(mktemp -d "$repo/build/check.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
user_ignore=PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO,BIT_MACRO
user_ignore=$user_ignore,VOLATILE,ARRAY_SIZE,CAMELCASE,EMBEDDED_FUNCTION_NAME
user_ignore=$user_ignore,SSCANF_TO_KSTRTO,NEW_TYPEDEFS,AVOID_EXTERNS
user_ignore=$user_ignore,PREFER_FALLTHROUGH
problems=0

step() { printf '\n=== %s ===\n' "$*"; }
problem() {
	echo "check: FAIL: $*"
	problems=$((problems + 1))
}

checkpatch_path() {
	local src tarball=/usr/src/linux-source-6.1.tar.xz dir=$repo/build/checkpatch
	if [[ -n ${SR_CHECKPATCH:-} ]]; then
		echo "$SR_CHECKPATCH"
		return
	fi
	if [[ ! -x $dir/scripts/checkpatch.pl || $tarball -nt $dir/stamp ]]; then
		[[ -f $tarball ]] || { echo "no $tarball (make deps)" >&2; return 1; }
		echo "extracting checkpatch.pl from $tarball" >&2
		src=$(tar -tJf "$tarball" | head -n 1)
		src=${src%%/*}
		tar -xJf "$tarball" -C "$work" --strip-components=1 \
			"$src/scripts/checkpatch.pl" "$src/scripts/spelling.txt" \
			"$src/scripts/const_structs.checkpatch" || return 1
		touch "$work/scripts/stamp"
		rm -rf "$dir"
		mkdir -p "$dir"
		mv "$work/scripts" "$dir/scripts"
		mv "$dir/scripts/stamp" "$dir/stamp"
	fi
	echo "$dir/scripts/checkpatch.pl"
}

run_checkpatch() { # LABEL ARGS... -- FILES...
	local label=$1 args=() out
	shift
	while [[ $1 != -- ]]; do args+=("$1"); shift; done
	shift
	[[ $# -gt 0 ]] || { echo "no files"; return; }
	out=$("$cp" --strict --no-tree --terse --show-types --no-summary \
		"${args[@]+"${args[@]}"}" -f "$@" 2>&1)
	if [[ -n $out ]]; then
		echo "$out"
		problem "checkpatch ($label): $(grep -c . <<< "$out") report(s)"
	else
		echo "$# files clean"
	fi
}

# module_build LANE LABEL MAKE-ARGS...: build the module for a lane (in a
# copy: scripts/kernel-lane/prepare), fail on any warning
module_build() {
	local lane=$1 label="$2 ($1)" out rc=0
	shift 2
	out=$(scripts/kernel-lane/prepare "$lane" "$work/$lane" "$@" 2>&1 > /dev/null) || rc=$?
	out="$out
$(cat "$work/$lane"/module-*.log 2> /dev/null)"
	rm -f "$work/$lane"/module-*.log
	grep -E 'warning:|error:' <<< "$out"
	if [[ $rc -ne 0 ]]; then
		echo "$out" | tail -n 30
		problem "$label build failed"
	elif grep -qE 'warning:|error:' <<< "$out"; then
		problem "$label build: $(grep -cE 'warning:|error:' <<< "$out") warning(s)"
	else
		echo "clean"
	fi
}

mapfile -t kfiles < <(find src include debugfs compat -name '*.[ch]' \
	! -path 'compat/generated/*' 2> /dev/null | sort)
mapfile -t ufiles < <(find tests scripts -path tests/bin -prune -o \
	-name '*.[ch]' -print 2> /dev/null | sort)
# tests/host/plan builds the module's planner with its own shim
# (tests/host/test-plan.sh, -Werror there too).
mapfile -t uprogs < <(printf '%s\n' "${ufiles[@]+"${ufiles[@]}"}" | grep '\.c$' |
	grep -v '^tests/host/plan/')

step "checkpatch --strict: module sources"
if cp=$(checkpatch_path); then
	run_checkpatch module -- "${kfiles[@]+"${kfiles[@]}"}"
	step "checkpatch --strict: userspace C (ignoring $user_ignore)"
	run_checkpatch userspace --ignore "$user_ignore" -- \
		"${ufiles[@]+"${ufiles[@]}"}"
else
	problem "checkpatch.pl unavailable"
fi

command -v sparse > /dev/null || problem "sparse not installed (make deps)"
for lane in ${SR_CHECK_LANES:-6.1 6.12 7}; do
	step "W=1 build, lane $lane"
	module_build "$lane" W=1 W=1
	step "sparse C=2 build, lane $lane"
	module_build "$lane" sparse C=2
done

step "userspace C: gcc -Wall -Wextra -Werror"
mkdir -p "$work/bin"
bad=0
for c in "${uprogs[@]+"${uprogs[@]}"}"; do
	gcc -O2 -Wall -Wextra -Werror -o "$work/bin/$(basename "$c" .c)" \
		"$c" -lpthread || bad=$((bad + 1))
done
((bad)) && problem "$bad userspace program(s) do not build cleanly"
((bad)) || echo "${#uprogs[@]} programs clean"

step "shell syntax (bash -n)"
bad=0
while IFS= read -r f; do
	head -n 1 "$f" | grep -q 'bash' || [[ $f == *.sh ]] || continue
	bash -n "$f" || bad=$((bad + 1))
done < <(find scripts tests .ci -type f ! -path 'tests/bin/*' \
	\( -name '*.sh' -o -perm -u+x \) 2> /dev/null | sort)
sh -n scripts/guest/init || bad=$((bad + 1))
((bad)) && problem "$bad shell script(s) with syntax errors"
((bad)) || echo "clean"

echo
if ((problems)); then
	echo "check: $problems problem(s)"
	exit 1
fi
echo "check: ok"
