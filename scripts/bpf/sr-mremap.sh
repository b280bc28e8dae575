#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sr-mremap.sh - which anonymous regions does mremap move, and do they keep
# their anon_vma and page offset (so their pages stay reachable by the rmap
# without touching a single page)?  One line per move_vma call (static in
# mm/mremap.c, probeable on the stock 6.1, 6.12 and 7.3 kernels), with
# copy_vma's new VMA:
#   MOVE pid comm OLD_START-OLD_END -> NEW_START-NEW_END pgoff=OLD->NEW
#        kept|CHANGED anon_vma=same|new|none
# anon_vma is compared, never printed (no raw pointer leaves the script).
# At the end: @moves[comm], and @links_mremap[comm, event]: the chain links
# the shadow saw mremap take out (link_del) and put in (link_add).  The
# module's events fire when its log is applied, a few milliseconds after
# the move, in a worker, and name the task that made the change: they are
# counted by that task's comm, never matched with a move by thread.
#
# Needs the shadow_rmap module (its link_add and link_del tracepoints).
# Run (root):  scripts/bpf/sr-mremap.sh            # Ctrl-C to end
#              scripts/bpf/sr-mremap.sh -c 'CMD'   # trace while CMD runs
# Arguments go to bpftrace (options only, e.g. -c CMD, -o FILE).
#
# Sample (guest, stock Debian 6.1, -c "tests/bin/wl-mremap all"; the
# first is a forced move past a blocker, the last two a fork child moving its
# copy, then the parent):
#   MOVE pid=292 comm=wl-mremap 0x7fdc3ef09000-0x7fdc3ef29000 -> 0x7fdc3eec9000-0x7fdc3ef09000 pgoff=0x7fdc3ef09->0x7fdc3ef09 kept anon_vma=same
#   ...
#   MOVE pid=299 comm=wl-mremap 0x7fdc3ef09000-0x7fdc3ef29000 -> 0x7fdc3eec9000-0x7fdc3ef09000 pgoff=0x7fdc3ef09->0x7fdc3ef09 kept anon_vma=same
#   @links_mremap[wl-mremap, link_del]: 23
#   @links_mremap[wl-mremap, link_add]: 26
#   @moves[wl-mremap]: 6
set -u

. "$(dirname "$0")/kernel.sh"

. "$(dirname "$0")/need-module.sh"

# move_vma(vma, old_addr, old_len, new_len, new_addr, ...) became
# move_vma(struct vma_remap_struct *) between 6.14 and 6.17 ("mm/mremap:
# introduce and use vma_remap_struct threaded state"): the kernel's BTF
# names the struct where that is so.
if grep -q vma_remap_struct /sys/kernel/btf/vmlinux 2> /dev/null; then
	args='$r = (struct vma_remap_struct *)arg0; $v = $r->vma;
	$addr = $r->addr; $oldlen = $r->old_len; $newlen = $r->new_len;'
else
	args='$v = (struct vm_area_struct *)arg0;
	$addr = arg1; $oldlen = arg2; $newlen = arg3;'
fi

exec "$BPFTRACE" "$@" -e '
BEGIN
{
	printf("Tracing anonymous mremap moves. Ctrl-C to end.\n");
}

kprobe:move_vma
{
	'"$args"'
	@mv[tid] = 1;
	@old[tid] = $addr;
	@oldlen[tid] = $oldlen;
	@newlen[tid] = $newlen;
	@oldpg[tid] = $v->vm_pgoff + (($addr - $v->vm_start) >> 12);
	@oldav[tid] = (uint64)$v->anon_vma;
	@newpg[tid] = 0;
	@newav[tid] = 0;
}

kprobe:copy_vma
/@mv[tid]/
{
	@newaddr[tid] = arg1;
}

kretprobe:copy_vma
/@mv[tid] && retval != 0/
{
	$n = (struct vm_area_struct *)retval;
	@newpg[tid] = $n->vm_pgoff + ((@newaddr[tid] - $n->vm_start) >> 12);
	@newav[tid] = (uint64)$n->anon_vma;
}

tracepoint:shadow_rmap:link_add
/str(args->cause) == "mremap"/
{
	@links_mremap[args->comm, "link_add"] = count();
}

tracepoint:shadow_rmap:link_del
/str(args->cause) == "mremap"/
{
	@links_mremap[args->comm, "link_del"] = count();
}

kretprobe:move_vma
/@mv[tid]/
{
	if ((int64)retval < 0) {
		printf("FAIL pid=%d comm=%s 0x%lx len=%lu error=%ld\n", pid, comm,
		       @old[tid], @oldlen[tid], (int64)retval);
	} else {
		printf("MOVE pid=%d comm=%s 0x%lx-0x%lx -> 0x%lx-0x%lx pgoff=0x%lx->0x%lx %s anon_vma=%s\n",
		       pid, comm, @old[tid], @old[tid] + @oldlen[tid],
		       retval, retval + @newlen[tid], @oldpg[tid], @newpg[tid],
		       (uint64)@oldpg[tid] == (uint64)@newpg[tid] ? "kept" : "CHANGED",
		       @oldav[tid] == 0 ? "none" :
		       ((uint64)@oldav[tid] == (uint64)@newav[tid] ? "same" : "new"));
		@moves[comm] = count();
	}
	delete(@mv[tid]); delete(@old[tid]); delete(@oldlen[tid]);
	delete(@newlen[tid]); delete(@oldpg[tid]); delete(@oldav[tid]);
	delete(@newpg[tid]); delete(@newav[tid]); delete(@newaddr[tid]);
}

END
{
	clear(@mv); clear(@old); clear(@oldlen); clear(@newlen); clear(@oldpg);
	clear(@oldav); clear(@newpg); clear(@newav); clear(@newaddr);
}
'
