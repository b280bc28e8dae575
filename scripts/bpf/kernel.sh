# SPDX-License-Identifier: GPL-2.0
# Sourced by every script: the bpftrace to run ($BPFTRACE, default
# bpftrace) and sr_ksym, this kernel's name for a probed function.
BPFTRACE=${BPFTRACE:-bpftrace}

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
