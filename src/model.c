// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow forest: objects, their indexes and the two primitive changes
 * (a chain link appears, a chain link goes) from which everything else in
 * the model follows.  See include/shadow_rmap/model.h for the rules.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/interval_tree_generic.h>
#include <linux/moduleparam.h>
#include <linux/rhashtable.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <shadow_rmap/cause.h>
#include <shadow_rmap/model.h>
#include <shadow_rmap/stats.h>
#include <shadow_rmap/trace.h>

static struct kmem_cache *sr_av_cache, *sr_vma_cache, *sr_link_cache,
	*sr_mm_cache;
static struct rhashtable sr_av_ht, sr_vma_ht, sr_link_ht, sr_mm_ht;
static atomic_t sr_epoch = ATOMIC_INIT(1);
static bool sr_seeded;
static atomic_long_t sr_bytes;
static atomic_t sr_alloc_seq;

static unsigned int fail_nth;
module_param(fail_nth, uint, 0600);
MODULE_PARM_DESC(fail_nth, "Fault injection: fail every Nth shadow allocation (0: never)");

static unsigned long max_bytes;
module_param(max_bytes, ulong, 0600);
MODULE_PARM_DESC(max_bytes, "Stop growing the shadow at this many bytes (0: no cap)");
static atomic_long_t sr_nr_avs, sr_nr_links, sr_nr_vmas, sr_nr_mms;
/* Shadow mms that died, their mm reference still to drop. */
static LLIST_HEAD(sr_mm_dead);

/*
 * Keys are kernel addresses: a multiplicative hash spreads them as well as
 * jhash does, at a fraction of its cost on the fork path.
 */
static u32 sr_hash(const void *data, u32 len, u32 seed)
{
	return hash_long(*(const unsigned long *)data ^ seed, 32);
}

/*
 * Tables only grow: fork and exit storms add and remove thousands of
 * entries a second, and shrinking made the deferred resize worker rehash
 * back and forth.
 */
#define SR_HT_PARAMS(type) {					\
	.head_offset = offsetof(type, node),			\
	.key_offset = offsetof(type, key),			\
	.key_len = sizeof(unsigned long),			\
	.min_size = 256,					\
	.hashfn = sr_hash,					\
}

static const struct rhashtable_params sr_av_p = SR_HT_PARAMS(struct sr_av);
static const struct rhashtable_params sr_vma_p = SR_HT_PARAMS(struct sr_vma);
static const struct rhashtable_params sr_link_p = SR_HT_PARAMS(struct sr_link);
static const struct rhashtable_params sr_mm_p = SR_HT_PARAMS(struct sr_mm);

/*
 * Allocated under the shadow's spinlocks: no sleeping, and never from the
 * emergency reserves, even for a task in reclaim (PF_MEMALLOC).
 */
#define SR_GFP (GFP_NOWAIT | __GFP_NOWARN | __GFP_NOMEMALLOC)

/* How many missing ancestors one link may bring back. */
#define SR_ANCESTORS_MAX	4096

/*
 * Every shadow object comes from here: failures, injected or real, and the
 * memory cap all end in the same visible way (counted, shadow stale).
 */
static void *sr_obj_alloc(struct kmem_cache *c)
{
	unsigned int size = kmem_cache_size(c);
	unsigned int nth = READ_ONCE(fail_nth);
	unsigned long cap = READ_ONCE(max_bytes);
	void *p;

	if (nth && (unsigned int)atomic_inc_return(&sr_alloc_seq) % nth == 0) {
		sr_stat_inc(SR_ALLOC_INJECTED);
		return NULL;
	}
	if (cap && atomic_long_read(&sr_bytes) + size > cap) {
		sr_stat_inc(SR_CAP_HIT);
		return NULL;
	}
	p = kmem_cache_zalloc(c, SR_GFP);
	if (!p) {
		sr_stat_inc(SR_ALLOC_FAIL);
		return NULL;
	}
	atomic_long_add(size, &sr_bytes);
	return p;
}

static void sr_obj_free(struct kmem_cache *c, void *p)
{
	atomic_long_sub(kmem_cache_size(c), &sr_bytes);
	kmem_cache_free(c, p);
}

static unsigned long sr_link_start(struct sr_link *l)
{
	return l->vma->pgoff;
}

static unsigned long sr_link_last(struct sr_link *l)
{
	return sr_vma_last_pgoff(l->vma);
}

INTERVAL_TREE_DEFINE(struct sr_link, rb, unsigned long, rb_subtree_last,
		     sr_link_start, sr_link_last, static, sr_it)

/**
 * sr_link_iter_first() - first link of a shadow anon_vma overlapping a range
 * @root: the shadow anon_vma's tree
 * @first: first page offset of the range
 * @last: last page offset of the range
 *
 * Return: the link, or NULL.  Caller holds the forest's root lock.
 */
struct sr_link *sr_link_iter_first(struct rb_root_cached *root,
				   unsigned long first, unsigned long last)
{
	return sr_it_iter_first(root, first, last);
}

/**
 * sr_link_iter_next() - next link overlapping the same range
 * @l: the current link
 * @first: first page offset of the range
 * @last: last page offset of the range
 *
 * Return: the link, or NULL.  Caller holds the forest's root lock.
 */
struct sr_link *sr_link_iter_next(struct sr_link *l, unsigned long first,
				  unsigned long last)
{
	return sr_it_iter_next(l, first, last);
}

/**
 * sr_epoch_current() - the current walk epoch
 *
 * Return: the epoch new objects are stamped with.
 */
u32 sr_epoch_current(void)
{
	return (u32)atomic_read(&sr_epoch);
}

/**
 * sr_epoch_advance() - start a new walk epoch
 *
 * Return: the new epoch; objects born before it carry a smaller stamp.
 */
u32 sr_epoch_advance(void)
{
	return (u32)atomic_inc_return(&sr_epoch);
}

/**
 * sr_av_find() - look up the shadow of a kernel anon_vma
 * @key: the kernel anon_vma's address
 *
 * Return: the shadow or NULL.  Caller holds rcu_read_lock() or the forest's
 * root lock; the object may be dead (check ->dead under the root lock).
 */
struct sr_av *sr_av_find(unsigned long key)
{
	return rhashtable_lookup(&sr_av_ht, &key, sr_av_p);
}

/**
 * sr_vma_find() - look up the shadow of a VMA
 * @key: the kernel VMA's address
 *
 * Return: the shadow or NULL, under the same rules as sr_av_find().
 */
struct sr_vma *sr_vma_find(unsigned long key)
{
	return rhashtable_lookup(&sr_vma_ht, &key, sr_vma_p);
}

/**
 * sr_link_find() - look up the shadow of an anon_vma_chain
 * @key: the kernel anon_vma_chain's address
 *
 * Return: the shadow or NULL, under the same rules as sr_av_find().
 */
struct sr_link *sr_link_find(unsigned long key)
{
	return rhashtable_lookup(&sr_link_ht, &key, sr_link_p);
}

/**
 * sr_mm_find() - look up the shadow of an mm
 * @key: the kernel mm_struct's address
 *
 * Return: the shadow or NULL, under the same rules as sr_av_find().
 */
struct sr_mm *sr_mm_find(unsigned long key)
{
	return rhashtable_lookup(&sr_mm_ht, &key, sr_mm_p);
}

static void sr_av_free_rcu(struct rcu_head *h)
{
	sr_obj_free(sr_av_cache, container_of(h, struct sr_av, rcu));
}

static void sr_vma_free_rcu(struct rcu_head *h)
{
	sr_obj_free(sr_vma_cache, container_of(h, struct sr_vma, rcu));
}

static void sr_link_free_rcu(struct rcu_head *h)
{
	sr_obj_free(sr_link_cache, container_of(h, struct sr_link, rcu));
}

static void sr_mm_free_rcu(struct rcu_head *h)
{
	struct sr_mm *smm = container_of(h, struct sr_mm, rcu);

	sr_obj_free(sr_mm_cache, smm);
}

static void sr_av_release(struct sr_av *av, const struct sr_who *who)
{
	trace_anon_vma_free(av->key, av->root->key, av->depth, who);
	av->dead = true;
	rhashtable_remove_fast(&sr_av_ht, &av->node, sr_av_p);
	atomic_long_dec(&sr_nr_avs);
	sr_stat_inc(SR_AV_FREE);
	if (av->parent) {
		av->parent->nr_children--;
		av->root->nr_avs--;
	}
	call_rcu(&av->rcu, sr_av_free_rcu);
}

/*
 * Drop one reference of a shadow anon_vma.  A non-root holds one reference
 * on its parent and one on its root, so the root goes last.  Iterative, as
 * a fork chain can be thousands deep.  Caller holds the forest's root lock.
 */
static void sr_av_put(struct sr_av *av, const struct sr_who *who)
{
	struct sr_av *root = av->root;
	unsigned int root_puts = 0;

	while (av != root) {
		struct sr_av *parent = av->parent;

		if (--av->refs)
			goto put_root;
		sr_av_release(av, who);
		root_puts++;
		av = parent;
	}
	root_puts++;
put_root:
	if (WARN_ON_ONCE(root->refs < root_puts)) {
		sr_mark_stale();
		root_puts = root->refs;
	}
	root->refs -= root_puts;
	if (!root->refs && !root->dead)
		sr_av_release(root, who);
}

static struct sr_av *sr_av_alloc(unsigned long key)
{
	struct sr_av *av = sr_obj_alloc(sr_av_cache);

	if (!av)
		return NULL;
	av->key = key;
	av->tree = RB_ROOT_CACHED;
	av->born = sr_epoch_current();
	spin_lock_init(&av->lock);
	return av;
}

static bool sr_hash_insert(struct rhashtable *ht, struct rhash_head *node,
			   const struct rhashtable_params p)
{
	if (rhashtable_insert_fast(ht, node, p)) {
		sr_stat_inc(SR_HASH_FAIL);
		return false;
	}
	return true;
}

/*
 * Find or make the shadow root.  Roots are only made by the forest's own
 * writers, which the kernel serialises, so find-then-insert cannot race
 * with another maker of the same root; a resync sweep may still kill a root
 * concurrently, which the caller checks under the root's lock.
 */
static struct sr_av *sr_root_get(unsigned long key,
				 const struct sr_who *who)
{
	struct sr_av *root = sr_av_find(key);

	if (root) {
		if (root->root == root)
			return root;
		/* A non-root left by a missed unlink; the address was reused. */
		sr_mark_stale();
		return NULL;
	}
	root = sr_av_alloc(key);
	if (!root)
		return NULL;
	root->root = root;
	if (!sr_hash_insert(&sr_av_ht, &root->node, sr_av_p)) {
		sr_obj_free(sr_av_cache, root);
		return NULL;
	}
	atomic_long_inc(&sr_nr_avs);
	sr_stat_inc(SR_AV_NEW);
	trace_anon_vma_new(key, key, 0, 0, who);
	return root;
}

/* A new non-root shadow anon_vma, hashed, its parent not yet set. */
static struct sr_av *sr_av_make(unsigned long key, struct sr_av *root)
{
	struct sr_av *av = sr_av_alloc(key);

	if (!av)
		return NULL;
	av->root = root;
	if (!sr_hash_insert(&sr_av_ht, &av->node, sr_av_p)) {
		sr_obj_free(sr_av_cache, av);
		return NULL;
	}
	root->refs++;
	root->nr_avs++;
	atomic_long_inc(&sr_nr_avs);
	sr_stat_inc(SR_AV_NEW);
	return av;
}

static void sr_av_adopt(struct sr_av *av, struct sr_av *parent)
{
	av->parent = parent;
	parent->refs++;
	parent->nr_children++;
}

/*
 * Find or make a non-root shadow anon_vma, and any ancestors the shadow
 * lacks.  The shadow lets an anon_vma go when its last link goes, but
 * __vma_adjust() takes all of a VMA's links out and puts them back newest
 * first, so a child can come back before its parent (records from the
 * log come as detach and re-attach instead, which keep the ancestors).
 * The kernel's own ancestors are alive while the kernel holds the root
 * rwsem, which is when parent_of is set.  Caller holds the root lock.
 */
static struct sr_av *sr_child_get(const struct sr_avc_snap *s,
				  struct sr_av *root)
{
	struct sr_av *av = sr_av_find(s->av);
	struct sr_av *cur, *p, *x;
	unsigned long pkey = s->av_parent;
	unsigned int n = 0, i;

	if (av) {
		if (av->root == root)
			return av;
		sr_mark_stale();
		return NULL;
	}
	av = sr_av_make(s->av, root);
	if (!av)
		return NULL;
	for (cur = av;; cur = p) {
		p = sr_av_find(pkey);
		if (p && p->root == root && !p->dead)
			break;
		if (!p && s->parent_of && ++n <= SR_ANCESTORS_MAX)
			p = sr_av_make(pkey, root);
		else
			p = NULL;
		if (!p) {
			sr_stat_inc(SR_AV_ORPHAN);
			sr_mark_stale();
			p = root;
			break;
		}
		sr_av_adopt(cur, p);
		pkey = s->parent_of(pkey);
	}
	sr_av_adopt(cur, p);
	for (n = 0, x = av; x != p; x = x->parent)
		n++;
	for (i = 0, x = av; x != p; x = x->parent, i++) {
		x->depth = p->depth + n - i;
		trace_anon_vma_new(x->key, root->key, x->parent->key, x->depth,
				   &s->who);
	}
	return av;
}

static void sr_mm_take_owner(struct sr_mm *smm, struct mm_struct *mm)
{
	struct task_struct *t;

	rcu_read_lock();
#ifdef CONFIG_MEMCG
	t = rcu_dereference(mm->owner);
#else
	t = current->mm == mm ? current : NULL;
#endif
	if (t) {
		smm->tgid = t->tgid;
		strscpy(smm->comm, t->comm, sizeof(smm->comm));
	}
	rcu_read_unlock();
}

/**
 * sr_mm_owner() - the tgid and comm of the task that owns a shadow mm
 * @smm: a shadow mm found under rcu_read_lock() (held by the caller)
 * @tgid: receives the owner's thread-group id
 * @comm: receives its comm (TASK_COMM_LEN bytes)
 *
 * The mm_struct stays allocated while the live shadow holds its mmgrab()
 * and mm->owner is RCU-protected, so the owner is read fresh (a fork's child is
 * only given its own tgid after its mm is copied).  Falls back to what was
 * seen when the shadow mm was made.
 */
void sr_mm_owner(struct sr_mm *smm, pid_t *tgid, char *comm)
{
	struct task_struct *t = NULL;

	/* Once dead, the shadow's mmgrab() is gone: do not touch the mm. */
	spin_lock(&smm->lock);
#ifdef CONFIG_MEMCG
	if (!smm->dead)
		t = rcu_dereference(smm->mm->owner);
#endif
	if (t) {
		*tgid = t->tgid;
		strscpy(comm, t->comm, TASK_COMM_LEN);
	} else {
		*tgid = smm->tgid;
		strscpy(comm, smm->comm, TASK_COMM_LEN);
	}
	spin_unlock(&smm->lock);
}

/**
 * sr_link_mm_grab() - pin the mm_struct a shadow link says it lives in
 * @key: the kernel anon_vma_chain's address
 *
 * The live shadow mm holds an mmgrab(), so while it is not dead the
 * mm_struct is provably allocated and may be grabbed once more; a caller
 * wanting its VMAs must still win mmget_not_zero().  Process or atomic
 * context; takes rcu_read_lock() itself.
 *
 * Return: the mm with a reference for mmdrop(), or NULL.
 */
struct mm_struct *sr_link_mm_grab(unsigned long key)
{
	struct mm_struct *mm = NULL;
	struct sr_link *l;
	struct sr_mm *smm;

	rcu_read_lock();
	l = sr_link_find(key);
	if (l && !READ_ONCE(l->dead)) {
		smm = READ_ONCE(l->vma)->mm;
		spin_lock(&smm->lock);
		if (!smm->dead) {
			mm = smm->mm;
			mmgrab(mm);
		}
		spin_unlock(&smm->lock);
	}
	rcu_read_unlock();
	return mm;
}

/*
 * Find a live shadow mm and pin it for a new VMA, or make one.  Several
 * forests may race here for one mm: the hash insert decides, a loser retries.
 */
static struct sr_mm *sr_mm_get(struct mm_struct *mm)
{
	unsigned long key = (unsigned long)mm;
	struct sr_mm *smm, *old;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		smm = sr_mm_find(key);
		if (smm) {
			spin_lock(&smm->lock);
			if (!smm->dead) {
				smm->nr_vmas++;
				spin_unlock(&smm->lock);
				return smm;
			}
			spin_unlock(&smm->lock);
			continue;
		}
		smm = sr_obj_alloc(sr_mm_cache);
		if (!smm)
			return NULL;
		smm->key = key;
		smm->mm = mm;
		smm->nr_vmas = 1;
		smm->born = sr_epoch_current();
		spin_lock_init(&smm->lock);
		INIT_LIST_HEAD(&smm->vmas);
		sr_mm_take_owner(smm, mm);
		old = rhashtable_lookup_get_insert_fast(&sr_mm_ht, &smm->node,
							sr_mm_p);
		if (!old) {
			mmgrab(mm);
			atomic_long_inc(&sr_nr_mms);
			sr_stat_inc(SR_MM_NEW);
			return smm;
		}
		sr_obj_free(sr_mm_cache, smm);
		if (IS_ERR(old)) {
			sr_stat_inc(SR_HASH_FAIL);
			return NULL;
		}
	}
	return NULL;
}

static void sr_mm_unpin(struct sr_mm *smm, struct sr_vma *v)
{
	bool last;

	spin_lock(&smm->lock);
	list_del_rcu(&v->mm_node);
	last = --smm->nr_vmas == 0;
	if (last) {
		smm->dead = true;
		rhashtable_remove_fast(&sr_mm_ht, &smm->node, sr_mm_p);
	}
	spin_unlock(&smm->lock);
	if (!last)
		return;
	atomic_long_dec(&sr_nr_mms);
	sr_stat_inc(SR_MM_FREE);
	/* Maybe the mm's last reference: dropped with no shadow lock held. */
	llist_add(&smm->reap, &sr_mm_dead);
}

/**
 * sr_model_reap() - drop the mm references of shadow mms that died
 *
 * A writer of the model calls it once it holds no shadow lock (the
 * applier after each batch, a kernel walk when it is done): a final
 * mmdrop() frees the mm's page tables and takes x86's pgd_lock, which must
 * not nest in the shadow's locks nor run in a probe handler.  Process
 * context.
 */
void sr_model_reap(void)
{
	struct llist_node *list = llist_del_all(&sr_mm_dead);
	struct sr_mm *smm, *t;

	might_sleep();
	llist_for_each_entry_safe(smm, t, list, reap) {
		mmdrop(smm->mm);
		/* Readers found it before it died: they check ->dead. */
		call_rcu(&smm->rcu, sr_mm_free_rcu);
	}
}

/* Find or make the shadow VMA.  Caller holds the forest's root lock. */
static struct sr_vma *sr_vma_get(const struct sr_avc_snap *s,
				 struct sr_av *root)
{
	struct sr_vma *v = sr_vma_find(s->vma);
	struct sr_mm *smm;

	if (v) {
		if (v->root == root && v->mm->key == (unsigned long)s->mm)
			return v;
		/* A leftover of a missed unlink: the address was reused. */
		sr_mark_stale();
		return NULL;
	}
	v = sr_obj_alloc(sr_vma_cache);
	if (!v)
		return NULL;
	v->key = s->vma;
	v->root = root;
	v->start = s->start;
	v->end = s->end;
	v->pgoff = s->pgoff;
	v->born = sr_epoch_current();
	INIT_LIST_HEAD(&v->links);
	smm = sr_mm_get(s->mm);
	if (!smm) {
		sr_obj_free(sr_vma_cache, v);
		return NULL;
	}
	v->mm = smm;
	spin_lock(&smm->lock);
	list_add_tail_rcu(&v->mm_node, &smm->vmas);
	spin_unlock(&smm->lock);
	if (!sr_hash_insert(&sr_vma_ht, &v->node, sr_vma_p)) {
		sr_mm_unpin(smm, v);
		call_rcu(&v->rcu, sr_vma_free_rcu);
		return NULL;
	}
	root->nr_vmas++;
	atomic_long_inc(&sr_nr_vmas);
	sr_stat_inc(SR_VMA_NEW);
	return v;
}

/*
 * The kernel changes a VMA's range only with all of its links out of the
 * trees.  If the shadow still holds links keyed by the old range, take them
 * out and put them back so that no interval tree is left mis-keyed.
 */
static void sr_vma_rekey(struct sr_vma *v, const struct sr_avc_snap *s)
{
	struct sr_link *l;

	if (v->start == s->start && v->end == s->end && v->pgoff == s->pgoff)
		return;
	sr_stat_inc(SR_LINK_REKEY);
	list_for_each_entry(l, &v->links, same_vma)
		if (!l->detached)
			sr_it_remove(l, &l->av->tree);
	v->start = s->start;
	v->end = s->end;
	v->pgoff = s->pgoff;
	list_for_each_entry(l, &v->links, same_vma)
		if (!l->detached)
			sr_it_insert(l, &l->av->tree);
}

static void sr_vma_put(struct sr_vma *v)
{
	if (--v->nr_links)
		return;
	v->dead = true;
	v->root->nr_vmas--;
	rhashtable_remove_fast(&sr_vma_ht, &v->node, sr_vma_p);
	sr_mm_unpin(v->mm, v);
	atomic_long_dec(&sr_nr_vmas);
	sr_stat_inc(SR_VMA_FREE);
	call_rcu(&v->rcu, sr_vma_free_rcu);
}

/* Caller holds the root lock; @l is hashed and in its trees. */
static void sr_link_unlink(struct sr_link *l, enum sr_cause cause,
			   const struct sr_who *who)
{
	struct sr_av *av = l->av;
	struct sr_vma *v = l->vma;

	trace_link_del(av->key, av->root->key, av->depth, v->nr_links - 1,
		       av->nr_links - 1, v->start, v->end, sr_cause_name(cause),
		       who);
	l->dead = true;
	rhashtable_remove_fast(&sr_link_ht, &l->node, sr_link_p);
	if (!l->detached)
		sr_it_remove(l, &av->tree);
	list_del(&l->same_vma);
	av->nr_links--;
	sr_vma_put(l->vma);
	sr_av_put(av, who);
	atomic_long_dec(&sr_nr_links);
	call_rcu(&l->rcu, sr_link_free_rcu);
}

/* A detached link comes back, keyed by its VMA's new range. */
static void sr_link_reattach(struct sr_link *l, const struct sr_avc_snap *s)
{
	struct sr_av *av = l->av;
	struct sr_vma *v = l->vma;

	sr_vma_rekey(v, s);
	if (s->vma_anon_vma)
		v->anon_vma = s->vma_anon_vma;
	l->detached = false;
	sr_it_insert(l, &av->tree);
	trace_link_add(av->key, av->root->key, av->depth, v->nr_links,
		       av->nr_links, v->start, v->end, sr_cause_name(s->cause),
		       &s->who);
}

/**
 * sr_model_av_placeable() - whether a link's anon_vma has its place
 * @s: a record's snapshot (no parent_of: only the parent is known)
 *
 * Caller holds the RCU read lock.
 *
 * Return: true when the anon_vma is a root, is in the shadow, or its parent
 * is (alive, in the same forest); false when adding the link now would
 * leave it an orphan.
 */
bool sr_model_av_placeable(const struct sr_avc_snap *s)
{
	struct sr_av *p;

	/* sr_model_link_add() makes a missing root itself. */
	if (s->av == s->av_root || s->av_parent == s->av_root ||
	    sr_av_find(s->av))
		return true;
	p = sr_av_find(s->av_parent);
	return p && !READ_ONCE(p->dead) && p->root->key == s->av_root;
}

/**
 * sr_model_link_add() - a kernel anon_vma_chain is entering its tree
 * @s: what the kernel's objects held at that moment
 *
 * Called from the log, in the kernel's order for this forest, or from a
 * kernel walk that holds the forest's root rwsem.  A link the shadow holds
 * detached (a VMA update took it out of its tree) goes back in.  Never
 * sleeps.
 *
 * Return: 0, or -ENOMEM when the shadow could not follow (it is then
 * marked stale).
 */
int sr_model_link_add(const struct sr_avc_snap *s)
{
	struct sr_av *root, *av;
	struct sr_vma *v;
	struct sr_link *l, *old;
	int tries;

	/* A resync sweep may kill the root between lookup and lock. */
	for (tries = 0;; tries++) {
		root = sr_root_get(s->av_root, &s->who);
		if (!root)
			goto stale;
		spin_lock(&root->lock);
		if (!root->dead)
			break;
		spin_unlock(&root->lock);
		if (tries == 2)
			goto stale;
	}
	old = sr_link_find(s->avc);
	if (old && old->detached && old->av->root == root &&
	    old->av->key == s->av && old->vma->key == s->vma &&
	    old->vma->mm->key == (unsigned long)s->mm) {
		sr_link_reattach(old, s);
		spin_unlock(&root->lock);
		sr_stat_inc(SR_LINK_ADD);
		return 0;
	}
	if (old) {
		/* Its removal was missed and the address came back. */
		sr_stat_inc(SR_LINK_DUP);
		if (s->cause != SR_CAUSE_RESYNC)
			sr_mark_stale();
		/* Another forest's link is not ours to touch: resync will. */
		if (old->av->root != root)
			goto stale_unlock;
		/* Pinned: the old link may hold the root's last reference. */
		root->refs++;
		sr_link_unlink(old, SR_CAUSE_RESYNC, &s->who);
		root->refs--;
	}
	l = sr_obj_alloc(sr_link_cache);
	if (!l)
		goto stale_unlock;
	l->key = s->avc;
	l->born = sr_epoch_current();
	l->seen = l->born;
	av = s->av == s->av_root ? root : sr_child_get(s, root);
	if (!av)
		goto stale_free;
	/* A new root is born with refs 0: pin it before anything can put it. */
	av->refs++;
	v = sr_vma_get(s, root);
	if (!v) {
		sr_av_put(av, &s->who);
		goto stale_free;
	}
	sr_vma_rekey(v, s);
	if (s->vma_anon_vma)
		v->anon_vma = s->vma_anon_vma;
	l->av = av;
	l->vma = v;
	if (!sr_hash_insert(&sr_link_ht, &l->node, sr_link_p)) {
		v->nr_links++;
		sr_vma_put(v);
		sr_av_put(av, &s->who);
		goto stale_free;
	}
	sr_it_insert(l, &av->tree);
	list_add(&l->same_vma, &v->links);
	v->nr_links++;
	av->nr_links++;
	atomic_long_inc(&sr_nr_links);
	trace_link_add(av->key, root->key, av->depth, v->nr_links, av->nr_links,
		       v->start, v->end, sr_cause_name(s->cause), &s->who);
	spin_unlock(&root->lock);
	sr_stat_inc(SR_LINK_ADD);
	return 0;

stale_free:
	sr_obj_free(sr_link_cache, l);
stale_unlock:
	/* An empty new root must not stay behind. */
	if (!root->refs && !root->dead) {
		root->refs = 1;
		sr_av_put(root, &s->who);
	}
	spin_unlock(&root->lock);
stale:
	sr_mark_stale();
	return -ENOMEM;
}

/* A removal for a link the shadow does not hold. */
static void sr_model_unknown(bool seeded)
{
	/* Before the first seeding it is expected; after it, one was lost. */
	sr_stat_inc(SR_DEL_UNKNOWN);
	if (seeded)
		sr_mark_stale();
}

/**
 * sr_model_link_reattach() - a VMA update puts a link back in its tree
 * @s: what the kernel's objects held at that moment
 * @seeded: as for sr_model_link_del()
 *
 * Only a link the shadow holds comes back: a record carries no ancestors,
 * and one the shadow never saw is the kernel walk's to seed.  A link that
 * was not detached lost its detach, and is re-keyed all the same.
 *
 * Return: true when the shadow held that link.
 */
bool sr_model_link_reattach(const struct sr_avc_snap *s, bool seeded)
{
	struct sr_link *l;
	struct sr_av *root;
	bool ok = false;

	rcu_read_lock();
	l = sr_link_find(s->avc);
	if (l) {
		root = READ_ONCE(l->av)->root;
		spin_lock(&root->lock);
		if (!l->dead && root->key == s->av_root &&
		    l->av->key == s->av && l->vma->key == s->vma &&
		    l->vma->mm->key == (unsigned long)s->mm) {
			if (!l->detached) {
				sr_stat_inc(SR_LINK_DUP);
				sr_mark_stale();
				sr_it_remove(l, &l->av->tree);
				l->detached = true;
			}
			sr_link_reattach(l, s);
			ok = true;
		}
		spin_unlock(&root->lock);
	}
	rcu_read_unlock();
	if (ok)
		sr_stat_inc(SR_LINK_ADD);
	else
		sr_model_unknown(seeded);
	return ok;
}

/**
 * sr_model_drop_link() - remove one link from the shadow
 * @l: the link, found under rcu_read_lock()
 * @cause: why, for the tracepoint
 * @who: the task that removed it in the kernel, or NULL when the shadow
 *       drops it on its own (the tracepoint then names the current task)
 *
 * Takes the forest's root lock.  A link that another path removed first is
 * left alone.
 */
void sr_model_drop_link(struct sr_link *l, enum sr_cause cause,
			const struct sr_who *who)
{
	struct sr_av *root = READ_ONCE(l->av)->root;

	spin_lock(&root->lock);
	if (!l->dead)
		sr_link_unlink(l, cause, who);
	spin_unlock(&root->lock);
}

/**
 * sr_model_link_del() - a kernel anon_vma_chain is leaving its tree for good
 * @s: its record's snapshot: the link's address (avc), cause and task
 * @seeded: whether the first kernel walk had finished when it happened
 *
 * Same context as sr_model_link_add().
 *
 * Return: true when the shadow held that link.
 */
bool sr_model_link_del(const struct sr_avc_snap *s, bool seeded)
{
	struct sr_link *l;

	rcu_read_lock();
	l = sr_link_find(s->avc);
	/*
	 * Another forest's link at this address is a leftover of a missed
	 * unlink: not this record's to touch (a walk of that forest may be
	 * reading it, excluding only that forest's records).  Resync drops it.
	 */
	if (l && READ_ONCE(l->av)->root->key != s->av_root)
		l = NULL;
	if (l) {
		sr_model_drop_link(l, s->cause, &s->who);
		sr_stat_inc(SR_LINK_DEL);
	} else {
		sr_model_unknown(seeded);
	}
	rcu_read_unlock();
	return l;
}

/**
 * sr_model_link_detach() - a VMA update takes a link out of its tree
 * @s: as for sr_model_link_del()
 * @seeded: as for sr_model_link_del()
 *
 * The kernel puts it back once the VMA's range or offset has changed
 * (anon_vma_interval_tree_post_update_vma()); until then the link keeps
 * its anon_vmas, so none of them has to be rebuilt on its return.
 *
 * Return: true when the shadow held that link in its tree.
 */
bool sr_model_link_detach(const struct sr_avc_snap *s, bool seeded)
{
	struct sr_link *l;
	struct sr_av *root;
	bool ok = false;

	rcu_read_lock();
	l = sr_link_find(s->avc);
	if (l) {
		root = READ_ONCE(l->av)->root;
		spin_lock(&root->lock);
		/* Not another forest's leftover (see sr_model_link_del()). */
		if (!l->dead && !l->detached && root->key == s->av_root) {
			struct sr_vma *v = l->vma;
			struct sr_av *av = l->av;

			sr_it_remove(l, &av->tree);
			l->detached = true;
			ok = true;
			trace_link_del(av->key, root->key, av->depth,
				       v->nr_links - 1, av->nr_links - 1,
				       v->start, v->end, sr_cause_name(s->cause),
				       &s->who);
		}
		spin_unlock(&root->lock);
	}
	if (ok) {
		sr_stat_inc(SR_LINK_DEL);
		sr_stat_inc(SR_LINK_DETACH);
	} else {
		sr_model_unknown(seeded);
	}
	rcu_read_unlock();
	return ok;
}

/**
 * sr_model_is_seeded() - whether the first kernel walk has finished
 *
 * Return: true once sr_model_seeded() was called.
 */
bool sr_model_is_seeded(void)
{
	return READ_ONCE(sr_seeded);
}

/**
 * sr_model_seeded() - the first kernel walk is complete
 *
 * From now on a removal of an unknown link means an insertion was lost.
 */
void sr_model_seeded(void)
{
	WRITE_ONCE(sr_seeded, true);
}

/**
 * sr_model_vma_set_anon() - note the anon_vma a forked VMA settled on
 * @vma: the kernel VMA's address
 * @anon_vma: its vma->anon_vma after anon_vma_fork()
 *
 * anon_vma_fork() may reuse an anon_vma only after the last link is in, so
 * the link hook cannot see that choice; the fork path reports it here, and
 * a resync's walk, whose word is final, corrects it the same way.  Takes
 * the VMA's forest lock, as every writer of the forest does.
 *
 * Return: true when the shadow VMA's anon_vma changed.
 */
bool sr_model_vma_set_anon(unsigned long vma, unsigned long anon_vma)
{
	bool changed = false;
	struct sr_av *root;
	struct sr_vma *v;

	if (!anon_vma)
		return false;
	rcu_read_lock();
	v = sr_vma_find(vma);
	if (v) {
		root = READ_ONCE(v->root);
		spin_lock(&root->lock);
		if (!v->dead && v->anon_vma != anon_vma) {
			WRITE_ONCE(v->anon_vma, anon_vma);
			changed = true;
		}
		spin_unlock(&root->lock);
	}
	rcu_read_unlock();
	return changed;
}

/**
 * sr_model_vma_read() - a shadow VMA's chain length and anon_vma
 * @vma: the kernel VMA's address
 * @nr_links: receives its links (detached ones too)
 * @anon_vma: receives its anon_vma as last learned
 *
 * Read under the VMA's forest lock, as verify compares them with the
 * kernel's.
 *
 * Return: false when the shadow has no such live VMA.
 */
bool sr_model_vma_read(unsigned long vma, unsigned int *nr_links,
		       unsigned long *anon_vma)
{
	bool found = false;
	struct sr_av *root;
	struct sr_vma *v;

	rcu_read_lock();
	v = sr_vma_find(vma);
	if (v) {
		root = READ_ONCE(v->root);
		spin_lock(&root->lock);
		if (!v->dead) {
			*nr_links = v->nr_links;
			*anon_vma = v->anon_vma;
			found = true;
		}
		spin_unlock(&root->lock);
	}
	rcu_read_unlock();
	return found;
}

static int sr_ht_walk(struct rhashtable *ht, sr_walk_fn fn, void *arg)
{
	struct rhashtable_iter it;
	void *obj;
	int ret = 0;

	rhashtable_walk_enter(ht, &it);
	rhashtable_walk_start(&it);
	while ((obj = rhashtable_walk_next(&it)) != NULL) {
		if (IS_ERR(obj)) {
			if (PTR_ERR(obj) == -EAGAIN)
				continue;
			break;
		}
		ret = fn(obj, arg);
		if (ret)
			break;
		if (need_resched()) {
			rhashtable_walk_stop(&it);
			cond_resched();
			rhashtable_walk_start(&it);
		}
	}
	rhashtable_walk_stop(&it);
	rhashtable_walk_exit(&it);
	return ret;
}

/**
 * sr_model_walk() - call @fn for every shadow object of one kind
 * @kind: which index to walk
 * @fn: the callback, given a struct sr_av, sr_vma, sr_link or sr_mm; it
 *      runs under rcu_read_lock() and returns non-zero to stop
 * @arg: passed to @fn
 *
 * Sleeps between objects (process context only).  Objects added or removed
 * during the walk may or may not be seen.
 *
 * Return: the first non-zero value @fn returned, or 0.
 */
int sr_model_walk(enum sr_kind kind, sr_walk_fn fn, void *arg)
{
	static struct rhashtable *const tables[] = {
		[SR_KIND_AV] = &sr_av_ht, [SR_KIND_VMA] = &sr_vma_ht,
		[SR_KIND_LINK] = &sr_link_ht, [SR_KIND_MM] = &sr_mm_ht,
	};

	return sr_ht_walk(tables[kind], fn, arg);
}

static int sr_sweep_one(void *obj, void *arg)
{
	struct sr_link *l = obj;
	u32 epoch = *(u32 *)arg;

	/* Signed distance: epochs wrap. */
	if ((s32)(READ_ONCE(l->seen) - epoch) < 0 &&
	    (s32)(l->born - epoch) < 0) {
		sr_model_drop_link(l, SR_CAUSE_RESYNC, NULL);
		sr_stat_inc(SR_SWEEP_LINKS);
	}
	return 0;
}

/**
 * sr_model_sweep() - drop links that a kernel walk did not confirm
 * @epoch: the epoch the walk ran in
 *
 * A link born before @epoch and not seen by the walk has no kernel
 * counterpart any more (its removal was missed).
 */
void sr_model_sweep(u32 epoch)
{
	sr_model_walk(SR_KIND_LINK, sr_sweep_one, &epoch);
}

/**
 * sr_model_counts() - numbers of live shadow objects
 * @c: filled in
 */
void sr_model_counts(struct sr_counts *c)
{
	c->avs = atomic_long_read(&sr_nr_avs);
	c->links = atomic_long_read(&sr_nr_links);
	c->vmas = atomic_long_read(&sr_nr_vmas);
	c->mms = atomic_long_read(&sr_nr_mms);
}

static int sr_drop_any(void *obj, void *arg)
{
	sr_model_drop_link(obj, SR_CAUSE_OTHER, NULL);
	return 0;
}

/**
 * sr_model_init() - create the caches and indexes
 *
 * Return: 0 or a negative errno.
 */
int sr_model_init(void)
{
	int ret = -ENOMEM;

	sr_av_cache = KMEM_CACHE(sr_av, 0);
	sr_vma_cache = KMEM_CACHE(sr_vma, 0);
	sr_link_cache = KMEM_CACHE(sr_link, 0);
	sr_mm_cache = KMEM_CACHE(sr_mm, 0);
	if (!sr_av_cache || !sr_vma_cache || !sr_link_cache || !sr_mm_cache)
		goto caches;
	ret = rhashtable_init(&sr_av_ht, &sr_av_p);
	if (ret)
		goto caches;
	ret = rhashtable_init(&sr_vma_ht, &sr_vma_p);
	if (ret)
		goto av;
	ret = rhashtable_init(&sr_link_ht, &sr_link_p);
	if (ret)
		goto vma;
	ret = rhashtable_init(&sr_mm_ht, &sr_mm_p);
	if (ret)
		goto link;
	return 0;
link:
	rhashtable_destroy(&sr_link_ht);
vma:
	rhashtable_destroy(&sr_vma_ht);
av:
	rhashtable_destroy(&sr_av_ht);
caches:
	kmem_cache_destroy(sr_mm_cache);
	kmem_cache_destroy(sr_link_cache);
	kmem_cache_destroy(sr_vma_cache);
	kmem_cache_destroy(sr_av_cache);
	return ret;
}

/**
 * sr_model_exit() - free the whole shadow
 *
 * Capture must be stopped first.  Dropping every link drops every other
 * object through the reference counts.
 */
void sr_model_exit(void)
{
	/* Shrinking may resize the table under the walk: go until empty. */
	while (atomic_long_read(&sr_nr_links))
		sr_model_walk(SR_KIND_LINK, sr_drop_any, NULL);
	sr_model_reap();
	rcu_barrier();
	WARN_ON(atomic_long_read(&sr_nr_avs) || atomic_long_read(&sr_nr_vmas) ||
		atomic_long_read(&sr_nr_mms));
	rhashtable_destroy(&sr_mm_ht);
	rhashtable_destroy(&sr_link_ht);
	rhashtable_destroy(&sr_vma_ht);
	rhashtable_destroy(&sr_av_ht);
	kmem_cache_destroy(sr_mm_cache);
	kmem_cache_destroy(sr_link_cache);
	kmem_cache_destroy(sr_vma_cache);
	kmem_cache_destroy(sr_av_cache);
}

/**
 * sr_model_bytes() - memory the shadow objects take
 * @c: object counts from sr_model_counts() (unused: bytes are counted
 *     as objects come and go)
 *
 * Return: bytes, counting each object at its slab object size.
 */
unsigned long sr_model_bytes(const struct sr_counts *c)
{
	return atomic_long_read(&sr_bytes);
}
