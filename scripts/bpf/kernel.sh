# SPDX-License-Identifier: GPL-2.0
# Sourced by every script: the bpftrace to run ($BPFTRACE, default
# bpftrace), -c through settle-cmd, and sr_ksym, this kernel's name for a
# probed function.
BPFTRACE=${BPFTRACE:-bpftrace}

# -c CMD becomes -c "/usr/bin/env .../settle-cmd CMD" (see that file: the
# module's last events would otherwise be lost).  bpftrace splits -c on
# spaces and does no shell quoting, so the wrapper takes CMD's words as its
# arguments; bpftrace runs only ELF files, hence env.  A dot script shares
# the caller's positional parameters: this rewrites them.
sr_settle="/usr/bin/env $(cd "$(dirname "$0")" && pwd)/settle-cmd"
sr_c=
sr_first=1
for sr_a do
	if [ "$sr_first" ]; then
		set --
		sr_first=
	fi
	if [ "$sr_c" ]; then
		set -- "$@" "$sr_settle $sr_a"
		sr_c=
		continue
	fi
	case $sr_a in
	-c) sr_c=1 ;;
	esac
	set -- "$@" "$sr_a"
done
unset sr_a sr_c sr_first

# sr_ksym NAME...: the first NAME /proc/kallsyms lists, else the first (so
# bpftrace names what is missing).  Kernels rename what the scripts probe:
# anon_vma_interval_tree_* is anon_rmap_tree_* on 7.3.
sr_ksym() {
	for n in "$@"; do
		if grep -q " $n\$" /proc/kallsyms 2> /dev/null; then
			echo "$n"
			return 0
		fi
	done
	echo "$1"
}
