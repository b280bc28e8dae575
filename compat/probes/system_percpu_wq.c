// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_SYSTEM_PERCPU_WQ: the per-CPU system workqueue is
 * system_percpu_wq.  v6.17, "workqueue: Add system_percpu_wq and
 * system_dfl_wq", renamed system_wq; 7.x warns about work queued on it.
 */
#include <linux/workqueue.h>

struct workqueue_struct *sr_probe(void);
struct workqueue_struct *sr_probe(void)
{
	return system_percpu_wq;
}
