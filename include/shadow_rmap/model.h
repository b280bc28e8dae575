/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shadow forest: one sr_av per live kernel anon_vma, one sr_link per
 * anon_vma_chain, one sr_vma per VMA that has links, one sr_mm per mm that
 * has such VMAs.  Kernel objects are keys: the model dereferences none but
 * an sr_mm's mm_struct, pinned by its mmgrab() (mm->owner, mmgrab()), and,
 * through a snapshot's parent_of() during a kernel walk, the anon_vmas of
 * the forest being walked.  The capture side reads the kernel objects while
 * the kernel holds them (the insert and remove hooks under the forest's
 * root anon_vma rwsem, the copy_range hook under both mms' mmap_lock) and
 * passes plain values in a struct sr_avc_snap (a log record's, log.h, or a
 * kernel walk's).
 *
 * Notes on locking
 * ----------------
 *
 * Changes reach the model in two ways.  Most are log records, applied later
 * in process context by whoever holds sr_log.mutex, with no kernel lock of
 * the forests they change; one forest's records are in the kernel's order
 * because its writers made them under the forest's root rwsem.  The others
 * are a kernel walk's: resync's sr_model_link_add() and sr_check_vma()
 * under the kernel's forest rwsem held for reading, after a drain, and
 * sr_model_sweep() under no kernel lock.  So the kernel's rwsem does not
 * serialise the writers of one shadow forest: its shadow root lock does,
 * and sr_log.mutex keeps the log's order.
 *
 * The locks the module takes or runs under, outermost first.  One is only
 * taken with none below it held; two that are never held together say so.
 *
 * - sr_lookup_file.lock (mutex, debugfs/lookup.c, one per open lookup
 *   file): the lookup node's read and write, process context; serialises
 *   that file's query and answer (->answer, ->answered).  Nests
 *   sr_last_lock and all that sr_lookup() takes: sr_log.mutex, mmap_lock,
 *   RCU, root lock, sr_mm.lock, GFP_KERNEL allocations, mmput().
 * - sr_last_lock (mutex, debugfs/lookup.c): sr_last and sr_have_last, the
 *   last query written; alone in a write, inside sr_lookup_file.lock in a
 *   read.  Nothing nests inside.  Likewise the kernel's seq_file mutex
 *   encloses the stats, chains and top show callbacks, which drain the log
 *   and walk the model.  None of these is held with sr_walk_mutex.
 * - sr_walk_mutex (mutex, src/kwalk.c): sr_resync() (module init, the
 *   control node, sr_heal_fn() on system_long_wq) and sr_verify() (the
 *   verify node's open), process context, for the whole walk.  One kernel
 *   walk at a time: it owns the epoch a walk advances, the ->seen stamps
 *   (set at a link's birth, then written only by sr_check_av() and
 *   sr_check_avc(), with no shadow lock; read by sr_find_suspect() and
 *   sr_sweep_one()), the stale reset and the sweep.  Nests GFP_KERNEL
 *   allocations, the task list under RCU, get_task_mm() and mmput() (a
 *   last mmput() runs exit_mmap(), hooks and all), msleep(), and every
 *   lock below.
 * - mm->mmap_lock (the kernel's): taken by the module for reading only,
 *   one mm at a time, to read the mm's VMAs: sr_walk_mm() inside
 *   sr_walk_mutex; sr_lookup_pid_addr() and sr_pt_probe() with at most
 *   sr_lookup_file.lock held.  Inside it sr_walk_mm() allocates
 *   (xa_insert()), drains the log and takes the forest rwsem, and
 *   sr_pt_probe() takes RCU.  The kernel holds it around the hooks: for
 *   writing in most VMA changes and in dup_mmap() (both mms; the copy_range
 *   hook runs there, without any anon_vma rwsem), for reading in a fault's
 *   __anon_vma_prepare() and, on some kernels, stack growth and munmap()
 *   after a downgrade.
 * - mapping->i_mmap_rwsem (the kernel's): never taken by the module.  The
 *   kernel holds it for writing, outside the forest rwsem, around the
 *   remove and insert hooks of a file-backed VMA's update (__vma_adjust(),
 *   vma_prepare()).
 * - the forest's root anon_vma->rwsem (the kernel's): held by the kernel
 *   for writing around every insert and remove hook, and by a locked rmap
 *   walk's caller (split_huge_page(): for writing) around the rmap_walk
 *   probe.  The module takes it for reading only, one forest at a time, in
 *   sr_walk_mm() under the mm's mmap_lock.  It excludes every maker of that
 *   forest's link records, so after the drain inside it none is pending and
 *   none can come (a SET_ANON record names no forest: see below).  Nests
 *   sr_log.mutex (that drain), cond_resched(), RCU and, in a resync, the
 *   root lock and sr_mm.lock (sr_model_link_add()); never a GFP_KERNEL
 *   allocation, as reclaim may wait on it (verify's text is reserved
 *   before the walk and ->fixed).
 * - mm->page_table_lock (the kernel's spinlock): never taken by the module.
 *   The kernel holds it inside the forest rwsem around the insert hook in
 *   __anon_vma_prepare() and the remove and insert hooks of stack growth
 *   (expand_upwards(), expand_downwards()).  No lock of the module is held
 *   with it, in either order.
 * - sr_log.mutex (src/log.c): one applier at a time, per batch:
 *   sr_log_apply_upto() (sr_log_drain() from lookups, the stats, chains and
 *   top nodes, verify, resync and sr_log_exit()) and sr_log_work_fn() on
 *   sr_wq, process context; a walk takes it under mmap_lock and a forest
 *   rwsem held for reading.  It protects sr_log.tail (only its holder
 *   advances it), apply.c's batch tables (the planner's scratch, sr_done,
 *   sr_plan_recs, sr_drops) and the order in which records
 *   reach the model.  Nests RCU and all below, then, after
 *   rcu_read_unlock(), the records' mmdrop()s and sr_model_reap().  Never
 *   taken by a handler (none applies), under RCU or under a spinlock.
 * - rcu_read_lock(): keeps hashed shadow objects (freed after a grace
 *   period; an sr_mm once sr_model_reap() has dropped its mm), sr_mm.vmas
 *   (list_*_rcu()) and mm->owner.  Taken by sr_apply_batch() around a
 *   batch, sr_model_link_del(), _detach(), _reattach(),
 *   sr_model_vma_set_anon(), sr_link_mm_grab(), sr_model_walk()'s
 *   callbacks (so census.c's), kwalk.c per VMA chain and check, lookup.c,
 *   walk.c's probe and sr_pt_probe(); sr_model_link_add() relies on its
 *   caller's.  Every root lock and sr_mm.lock is taken inside it, and it is
 *   also entered under them (sr_mm_take_owner()).  Nothing inside it
 *   sleeps: no mutex, no GFP_KERNEL, no final mmdrop().
 * - the shadow root lock (sr_av.lock of a forest's root, spinlock): taken
 *   on a root found under RCU (a link's ->av->root, a VMA's ->root, an
 *   sr_av's ->root), then ->dead is checked; one at a time, never two.
 *   Process context (the applier, resync's sr_model_link_add(), the sweep,
 *   sr_model_exit(), lookup.c's sr_stab() and sr_pid_rows()) and walk.c's
 *   rmap_walk probe; never a capture hook.  It serialises the forest's
 *   writers and protects its sr_avs and sr_links (all but ->seen), its
 *   sr_vmas (range, ->links, ->nr_links, ->dead, ->anon_vma, whose every
 *   writer holds it: sr_model_link_add(), sr_link_reattach(),
 *   sr_model_vma_set_anon()) and their hash inserts and removals.  Lookups read under it;
 *   census.c reads without it on purpose (READ_ONCE(), a snapshot), and so
 *   do sr_model_av_placeable() (->dead, ->root) and sr_link_mm_grab().
 *   Nests sr_mm.lock, bucket locks, RCU, GFP_NOWAIT allocations,
 *   call_rcu(), mmgrab() and the module's tracepoints; never a final
 *   mmdrop() (sr_mm_unpin() leaves it to sr_model_reap()).
 * - sr_mm.lock (spinlock): an mm's ->vmas writers (readers walk it under
 *   RCU), ->nr_vmas, ->dead, and ->mm: while not dead the shadow's mmgrab()
 *   holds it.  Taken by sr_mm_get(), sr_vma_get() and sr_mm_unpin() under a
 *   root lock, and by sr_mm_owner() and sr_link_mm_grab() under RCU, with
 *   or without one.  One at a time; never a root lock inside it.  Nests
 *   the sr_mm_ht bucket lock (sr_mm_unpin()).
 * - rhashtable bucket locks (the kernel's bit spinlocks, BHs off): inside
 *   rhashtable_insert_fast(), _remove_fast() and _lookup_get_insert_fast(),
 *   under a root lock or sr_mm.lock, or neither (sr_root_get() hashes a new
 *   root before its lock is taken).  Lookups take none (RCU).  Innermost.
 *   The tables' ht->lock (walk start and stop) and ht->mutex (their resize
 *   worker) are taken with no lock of the module held.
 *
 * Apart from that order:
 * - sr_walk_mutex (mutex, src/walk.c: another lock of the same name): the
 *   rmap_walk kprobe's attachment; sr_walk_reg() and sr_walk_unreg() (the
 *   tracepoint's register callbacks, under the kernel's tracepoints_mutex)
 *   and sr_walk_exit().  Nests only register_kprobe() and
 *   unregister_kprobe().
 * - a walk's xarrays (roots, walked): their xa_lock, inside xa_insert(),
 *   under sr_walk_mutex and at most mmap_lock; private to the walk.
 * - kernel locks inside queue_delayed_work() and mod_delayed_work() (the
 *   workqueue's, the timer's), taken from handlers too; a drop_nth write's
 *   static key switch (jump_label, cpus_read_lock()).
 *
 * Handlers.  The capture hooks (hooks.c, from capture_ftrace.c or
 * capture_kprobe.c) run with preemption off and give up in NMI or with
 * IRQs off.  They run under the kernel's locks above: the insert and
 * remove hooks under the forest rwsem held for writing and mmap_lock, some
 * also under i_mmap_rwsem or page_table_lock; the copy_range hook under
 * both mms' mmap_lock only.  They take none of the module's locks (no
 * mutex, no spinlock, no RCU read side): they claim a ring slot with
 * cmpxchg(), use per-CPU data and mmgrab() a record's mm.  The rmap_walk
 * probe (walk.c; preemption off, the folio held, maybe the forest rwsem)
 * is the one handler that takes a module lock: RCU, then one root lock;
 * never sr_mm.lock or sr_log.mutex (it never drains).
 *
 * Verify reads a forest's shadow under RCU only (src/kwalk.c:
 * sr_check_avc() with sr_link_matches(), sr_check_av(), sr_tree_keys(),
 * sr_walk_forest()), and resync decides its repairs the same way; only
 * sr_check_vma() reads through sr_model_vma_read(), under the lock, as a
 * SET_ANON record names no forest.  That is exact because nothing else
 * writes the forest meanwhile: the kernel's forest rwsem held for reading
 * and the drain inside it keep the forest's own records out; a record of
 * another forest never changes this one's objects, even one that names a
 * leftover link of this forest by a reused avc address (sr_model_link_add()
 * refuses it, sr_model_link_del() and _detach() check the record's
 * av_root, and so does _reattach()); the sweep and resync's writes hold
 * sr_walk_mutex, as verify does.
 */
#ifndef SHADOW_RMAP_MODEL_H
#define SHADOW_RMAP_MODEL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/rbtree.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/sched.h>

#include <shadow_rmap/cause.h>

struct mm_struct;

/* The shadow of one kernel anon_vma. */
struct sr_av {
	struct rhash_head node;
	unsigned long key;		/* struct anon_vma * */
	struct sr_av *parent;		/* NULL for a root */
	struct sr_av *root;		/* itself for a root */
	spinlock_t lock;		/* roots only: the forest's lock */
	struct rb_root_cached tree;	/* sr_link by [pgoff, last pgoff] */
	unsigned int depth;		/* 0 for a root, else parent's + 1 */
	unsigned int nr_children;
	unsigned int nr_links;		/* links naming it, detached too */
	unsigned int refs;		/* links + children + members (root) */
	unsigned int nr_vmas;		/* root only: VMAs in the forest */
	unsigned int nr_avs;		/* root only: the forest's non-roots */
	u32 born;			/* epoch of creation */
	u32 seen;			/* last walk that met it (walks only) */
	bool dead;
	struct rcu_head rcu;
};

/* The shadow of one VMA that has at least one link. */
struct sr_vma {
	struct rhash_head node;
	unsigned long key;		/* struct vm_area_struct * */
	struct sr_mm *mm;
	struct sr_av *root;		/* every link of a VMA shares one root */
	struct list_head mm_node;	/* sr_mm.vmas: its lock, RCU readers */
	struct list_head links;		/* sr_link.same_vma, newest first */
	unsigned long start, end, pgoff;
	unsigned long anon_vma;		/* vma->anon_vma, as last learned */
	unsigned int nr_links;		/* links, detached ones too */
	u32 born;
	bool dead;
	struct rcu_head rcu;
};

/* The shadow of one anon_vma_chain. */
struct sr_link {
	struct rhash_head node;
	unsigned long key;		/* struct anon_vma_chain * */
	struct rb_node rb;
	unsigned long rb_subtree_last;
	struct sr_av *av;
	struct sr_vma *vma;
	struct list_head same_vma;
	u32 born;
	u32 seen;			/* born, or the last walk that met it */
	bool dead;
	bool detached;			/* out of its tree for a VMA update */
	struct rcu_head rcu;
};

/* The shadow of one mm that has linked VMAs; alive, it holds an mmgrab(). */
struct sr_mm {
	struct rhash_head node;
	unsigned long key;		/* struct mm_struct * */
	struct mm_struct *mm;		/* mmgrab() while !dead: pgd stays */
	spinlock_t lock;		/* vmas writers, nr_vmas, dead */
	struct list_head vmas;
	unsigned int nr_vmas;		/* sr_vmas pinning it */
	pid_t tgid;			/* owner when it was made */
	char comm[TASK_COMM_LEN];
	u32 born;
	u32 seen;			/* unused: never stamped */
	bool dead;
	struct llist_node reap;		/* dead, its mm to drop: sr_model_reap() */
	struct rcu_head rcu;
};

/*
 * Who made a change: the task the handler ran in (the parent, for a fork),
 * recorded with the event so that the applier's tracepoints name it, not
 * the worker that applies the log.
 */
struct sr_who {
	pid_t pid;			/* thread group */
	pid_t tid;
	char comm[TASK_COMM_LEN];
};

/*
 * What the capture side read from a kernel anon_vma_chain while the kernel
 * held it.  Parent and root are the anon_vma's own pointers.  parent_of()
 * is set only where the kernel still holds the forest's root rwsem (a
 * kernel walk); records applied from the log have none.  A DEL or DETACH
 * record fills in only avc, av_root, cause and who; a SET_ANON record only
 * vma, vma_anon_vma and who.
 */
struct sr_avc_snap {
	unsigned long avc;
	unsigned long av;
	unsigned long av_parent;
	unsigned long av_root;
	unsigned long vma;
	unsigned long vma_anon_vma;
	unsigned long start, end, pgoff;
	/* mmgrab()bed in ADD and REATTACH records, NULL in other records */
	struct mm_struct *mm;
	/* The parent of a kernel anon_vma of this forest. */
	unsigned long (*parent_of)(unsigned long av);
	enum sr_cause cause;
	struct sr_who who;
};

int sr_model_init(void);
void sr_model_exit(void);

int sr_model_link_add(const struct sr_avc_snap *s);
bool sr_model_av_placeable(const struct sr_avc_snap *s);
bool sr_model_link_del(const struct sr_avc_snap *s, bool seeded);
bool sr_model_link_detach(const struct sr_avc_snap *s, bool seeded);
bool sr_model_link_reattach(const struct sr_avc_snap *s, bool seeded);
bool sr_model_is_seeded(void);
bool sr_model_vma_set_anon(unsigned long vma, unsigned long anon_vma);
bool sr_model_vma_read(unsigned long vma, unsigned int *nr_links,
		       unsigned long *anon_vma);
void sr_model_seeded(void);

struct sr_av *sr_av_find(unsigned long key);
struct sr_vma *sr_vma_find(unsigned long key);
struct sr_link *sr_link_find(unsigned long key);
struct sr_mm *sr_mm_find(unsigned long key);

void sr_mm_owner(struct sr_mm *smm, pid_t *tgid, char *comm);
struct mm_struct *sr_link_mm_grab(unsigned long key);
void sr_model_sweep(u32 epoch);
void sr_model_reap(void);
void sr_model_drop_link(struct sr_link *l, enum sr_cause cause,
			const struct sr_who *who);

enum sr_kind { SR_KIND_AV, SR_KIND_VMA, SR_KIND_LINK, SR_KIND_MM };

/* Called for each object of a walk, under rcu_read_lock(). */
typedef int (*sr_walk_fn)(void *obj, void *arg);

int sr_model_walk(enum sr_kind kind, sr_walk_fn fn, void *arg);

/* Interval tree over sr_av.tree, keyed by the VMA's pgoff range. */
struct sr_link *sr_link_iter_first(struct rb_root_cached *root,
				   unsigned long first, unsigned long last);
struct sr_link *sr_link_iter_next(struct sr_link *l, unsigned long first,
				  unsigned long last);

static inline unsigned long sr_vma_last_pgoff(const struct sr_vma *v)
{
	return v->pgoff + ((v->end - v->start) >> PAGE_SHIFT) - 1;
}

/* Epochs stamp objects so a kernel walk can find what it did not see. */
u32 sr_epoch_current(void);
u32 sr_epoch_advance(void);

/* Counts of live shadow objects. */
struct sr_counts {
	long avs, links, vmas, mms;
};

void sr_model_counts(struct sr_counts *c);
unsigned long sr_model_bytes(const struct sr_counts *c);

#endif
