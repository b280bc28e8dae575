# SPDX-License-Identifier: GPL-2.0
# Sourced by the scripts that read tracepoint:shadow_rmap:*: bpftrace itself
# would only fail to attach, so say what is missing and stop.
tracefs=/sys/kernel/tracing
[ -d $tracefs/events ] || mount -t tracefs nodev $tracefs 2>/dev/null
[ -d $tracefs/events ] || tracefs=/sys/kernel/debug/tracing
if [ ! -d $tracefs/events/shadow_rmap ]; then
	echo "shadow_rmap module not loaded: insmod shadow_rmap.ko first" >&2
	exit 2
fi
