/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints: tracepoint:shadow_rmap:* for perf, ftrace and bpftrace.
 * Kernel objects appear as ids hashed the way %p hashes them, so they match
 * the ids in the debugfs nodes and no raw pointer leaves the module.
 * pid, tid and comm are the task that made the change (the parent, for a
 * fork), as its handler recorded them: the model's events fire when the
 * log is applied, a few milliseconds later, in a worker.  Records made
 * before the first listener attached name no task (pid=0, empty comm).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM shadow_rmap

#if !defined(SHADOW_RMAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SHADOW_RMAP_TRACE_H

#include <linux/sched.h>
#include <linux/tracepoint.h>

#include <shadow_rmap/compat.h>

struct sr_who;

u64 sr_trace_id(unsigned long ptr);
void sr_trace_who(const struct sr_who *who, pid_t *pid, pid_t *tid,
		  char *comm);

TRACE_EVENT(anon_vma_new,
	    TP_PROTO(unsigned long av, unsigned long root, unsigned long parent,
		     unsigned int depth, const struct sr_who *who),
	    TP_ARGS(av, root, parent, depth, who),
	    TP_STRUCT__entry(__field(u64, anon_vma)
			     __field(u64, root)
			     __field(u64, parent)
			     __field(unsigned int, depth)
			     __field(pid_t, pid)
			     __field(pid_t, tid)
			     __array(char, comm, TASK_COMM_LEN)),
	    TP_fast_assign(__entry->anon_vma = sr_trace_id(av);
			   __entry->root = sr_trace_id(root);
			   __entry->parent = parent ? sr_trace_id(parent) : 0;
			   __entry->depth = depth;
			   sr_trace_who(who, &__entry->pid, &__entry->tid,
					__entry->comm)),
	    TP_printk("anon_vma=%016llx root=%016llx parent=%016llx depth=%u pid=%d tid=%d comm=%s",
		      __entry->anon_vma, __entry->root, __entry->parent,
		      __entry->depth, __entry->pid, __entry->tid,
		      __entry->comm)
);

TRACE_EVENT(anon_vma_free,
	    TP_PROTO(unsigned long av, unsigned long root, unsigned int depth,
		     const struct sr_who *who),
	    TP_ARGS(av, root, depth, who),
	    TP_STRUCT__entry(__field(u64, anon_vma)
			     __field(u64, root)
			     __field(unsigned int, depth)
			     __field(pid_t, pid)
			     __field(pid_t, tid)
			     __array(char, comm, TASK_COMM_LEN)),
	    TP_fast_assign(__entry->anon_vma = sr_trace_id(av);
			   __entry->root = sr_trace_id(root);
			   __entry->depth = depth;
			   sr_trace_who(who, &__entry->pid, &__entry->tid,
					__entry->comm)),
	    TP_printk("anon_vma=%016llx root=%016llx depth=%u pid=%d tid=%d comm=%s",
		      __entry->anon_vma, __entry->root, __entry->depth,
		      __entry->pid, __entry->tid, __entry->comm)
);

DECLARE_EVENT_CLASS(sr_link_class,
		    TP_PROTO(unsigned long av, unsigned long root,
			     unsigned int depth, unsigned int chain,
			     unsigned int width, unsigned long start,
			     unsigned long end, const char *cause,
			     const struct sr_who *who),
		    TP_ARGS(av, root, depth, chain, width, start, end, cause,
			    who),
		    TP_STRUCT__entry(__field(u64, anon_vma)
				     __field(u64, root)
				     __field(unsigned int, depth)
				     __field(unsigned int, chain)
				     __field(unsigned int, width)
				     __field(unsigned long, start)
				     __field(unsigned long, end)
				     __field(pid_t, pid)
				     __field(pid_t, tid)
				     __array(char, comm, TASK_COMM_LEN)
				     __string(cause, cause)),
		    TP_fast_assign(__entry->anon_vma = sr_trace_id(av);
				   __entry->root = sr_trace_id(root);
				   __entry->depth = depth;
				   __entry->chain = chain;
				   __entry->width = width;
				   __entry->start = start;
				   __entry->end = end;
				   sr_trace_who(who, &__entry->pid,
						&__entry->tid, __entry->comm);
				   sr_assign_str(cause, cause)),
		    TP_printk("anon_vma=%016llx root=%016llx depth=%u chain=%u width=%u vma=%lx-%lx pid=%d tid=%d comm=%s cause=%s",
			      __entry->anon_vma, __entry->root, __entry->depth,
			      __entry->chain, __entry->width, __entry->start,
			      __entry->end, __entry->pid, __entry->tid,
			      __entry->comm,
			      __get_str(cause))
);

DEFINE_EVENT(sr_link_class, link_add,
	     TP_PROTO(unsigned long av, unsigned long root, unsigned int depth,
		      unsigned int chain, unsigned int width,
		      unsigned long start, unsigned long end,
		      const char *cause, const struct sr_who *who),
	     TP_ARGS(av, root, depth, chain, width, start, end, cause, who));

DEFINE_EVENT(sr_link_class, link_del,
	     TP_PROTO(unsigned long av, unsigned long root, unsigned int depth,
		      unsigned int chain, unsigned int width,
		      unsigned long start, unsigned long end,
		      const char *cause, const struct sr_who *who),
	     TP_ARGS(av, root, depth, chain, width, start, end, cause, who));

TRACE_EVENT(lookup,
	    TP_PROTO(const char *kind, unsigned int vmas, unsigned int present,
		     u64 ns),
	    TP_ARGS(kind, vmas, present, ns),
	    TP_STRUCT__entry(__string(kind, kind)
			     __field(unsigned int, vmas)
			     __field(unsigned int, present)
			     __field(u64, ns)),
	    TP_fast_assign(sr_assign_str(kind, kind);
			   __entry->vmas = vmas;
			   __entry->present = present;
			   __entry->ns = ns),
	    TP_printk("kind=%s vmas=%u present=%u ns=%llu", __get_str(kind),
		      __entry->vmas, __entry->present, __entry->ns)
);

/*
 * An anonymous rmap walk the kernel starts (rmap_walk_anon), with the
 * shadow's view of the folio's anon_vma: vmas is how many VMAs cover the
 * folio's page offsets, i.e. what the walk will visit.  tracked=0: the
 * shadow does not know that anon_vma; pending: log records not yet applied,
 * of which the view knows nothing (the probe runs in reclaim, and never
 * applies the log there).  The probe behind it is attached
 * only while the event has a listener (sr_walk_reg/sr_walk_unreg).
 */
int sr_walk_reg(void);
void sr_walk_unreg(void);

TRACE_EVENT_FN(rmap_walk,
	       TP_PROTO(unsigned long av, unsigned long root, bool tracked,
			unsigned int depth, unsigned int width,
			unsigned int vmas, unsigned int forest_vmas,
			unsigned long pgoff, unsigned int nr_pages, bool stale,
			u64 pending),
	       TP_ARGS(av, root, tracked, depth, width, vmas, forest_vmas,
		       pgoff, nr_pages, stale, pending),
	       TP_STRUCT__entry(__field(u64, anon_vma)
				__field(u64, root)
				__field(unsigned int, depth)
				__field(unsigned int, width)
				__field(unsigned int, vmas)
				__field(unsigned int, forest_vmas)
				__field(unsigned long, pgoff)
				__field(unsigned int, nr_pages)
				__field(bool, tracked)
				__field(bool, stale)
				__field(u64, pending)
				__field(pid_t, pid)
				__array(char, comm, TASK_COMM_LEN)),
	       TP_fast_assign(__entry->anon_vma = sr_trace_id(av);
			      __entry->root = root ? sr_trace_id(root) : 0;
			      __entry->depth = depth;
			      __entry->width = width;
			      __entry->vmas = vmas;
			      __entry->forest_vmas = forest_vmas;
			      __entry->pgoff = pgoff;
			      __entry->nr_pages = nr_pages;
			      __entry->tracked = tracked;
			      __entry->stale = stale;
			      __entry->pending = pending;
			      __entry->pid = current->tgid;
			      memcpy(__entry->comm, current->comm,
				     TASK_COMM_LEN)),
	       TP_printk("anon_vma=%016llx root=%016llx tracked=%d depth=%u width=%u vmas=%u forest_vmas=%u pgoff=%lx pages=%u stale=%d pending=%llu pid=%d comm=%s",
			 __entry->anon_vma, __entry->root, __entry->tracked,
			 __entry->depth, __entry->width, __entry->vmas,
			 __entry->forest_vmas, __entry->pgoff,
			 __entry->nr_pages, __entry->stale, __entry->pending,
			 __entry->pid,
			 __entry->comm),
	       sr_walk_reg, sr_walk_unreg
);

#ifndef SHADOW_RMAP_TRACE_KEYS
#define SHADOW_RMAP_TRACE_KEYS
/*
 * Whether the model's events have a listener: the tracepoints' static
 * keys, nothing to test while none does.  Handlers copy a record's task
 * only then; the applier cancels nothing while it is so.
 */
static __always_inline bool sr_model_traced(void)
{
	return trace_link_add_enabled() || trace_link_del_enabled() ||
	       trace_anon_vma_new_enabled() || trace_anon_vma_free_enabled();
}
#endif

#endif

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH shadow_rmap
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
