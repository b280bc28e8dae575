/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shadow forest: one sr_av per live kernel anon_vma, one sr_link per
 * anon_vma_chain, one sr_vma per VMA that has links, one sr_mm per mm that
 * has such VMAs.  Kernel objects are identities (keys) only: the model never
 * dereferences them.  The capture side reads the kernel objects while the
 * kernel itself holds them (under the anon_vma root rwsem) and passes plain
 * values in a struct sr_avc_snap.
 *
 * Locking mirrors the kernel's: every change to one anon_vma forest happens
 * under that forest's root anon_vma rwsem, so writers of one shadow forest
 * are already serialised.  The shadow root's spinlock (sr_av.lock of the
 * root) guards the forest's trees, links and VMA fields against readers.
 * sr_mm.lock guards an mm's VMA list and nests inside a root lock.  The hash
 * tables are rhashtables (RCU lookups, per-bucket locks) and every hashed
 * object is freed after an RCU grace period, so a reader may look an object
 * up under rcu_read_lock(), take its root lock and then check ->dead.
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
	spinlock_t lock;		/* used in roots only */
	struct rb_root_cached tree;	/* sr_link by [pgoff, last pgoff] */
	unsigned int depth;
	unsigned int nr_children;
	unsigned int nr_links;
	unsigned int refs;		/* links + children + members (root) */
	unsigned int nr_vmas;		/* root only: VMAs in the forest */
	unsigned int nr_avs;		/* root only: anon_vmas in the forest */
	u32 born;			/* epoch of creation */
	u32 seen;			/* epoch of the last kernel walk */
	bool dead;
	struct rcu_head rcu;
};

/* The shadow of one VMA that has at least one link. */
struct sr_vma {
	struct rhash_head node;
	unsigned long key;		/* struct vm_area_struct * */
	struct sr_mm *mm;
	struct sr_av *root;		/* every link of a VMA shares one root */
	struct list_head mm_node;	/* sr_mm.vmas, RCU */
	struct list_head links;		/* sr_link.same_vma, newest first */
	unsigned long start, end, pgoff;
	unsigned long anon_vma;		/* vma->anon_vma: where new pages go */
	unsigned int nr_links;
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
	u32 seen;
	bool dead;
	bool detached;			/* out of its tree for a VMA update */
	struct rcu_head rcu;
};

/* The shadow of one mm that has linked VMAs; it holds an mmgrab(). */
struct sr_mm {
	struct rhash_head node;
	unsigned long key;		/* struct mm_struct * */
	struct mm_struct *mm;		/* pinned by mmgrab(): pgd stays */
	spinlock_t lock;		/* vmas list writers */
	struct list_head vmas;
	unsigned int nr_vmas;
	pid_t tgid;			/* last owner seen */
	char comm[TASK_COMM_LEN];
	u32 born;
	u32 seen;
	bool dead;
	struct llist_node reap;		/* dead, its mm to drop: sr_model_reap() */
	struct rcu_head rcu;
};

/*
 * What the capture side read from a kernel anon_vma_chain while the kernel
 * held it.  Parent and root are the anon_vma's own pointers.  parent_of()
 * is set only where the kernel still holds the forest's root rwsem (a
 * kernel walk); records applied from the log have none.
 */
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

struct sr_avc_snap {
	unsigned long avc;
	unsigned long av;
	unsigned long av_parent;
	unsigned long av_root;
	unsigned long vma;
	unsigned long vma_anon_vma;
	unsigned long start, end, pgoff;
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
void sr_model_vma_set_anon(unsigned long vma, unsigned long anon_vma);
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
