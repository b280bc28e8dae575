// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint definitions and the id they print for kernel objects.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>

#include <shadow_rmap/model.h>

#define CREATE_TRACE_POINTS
#include <shadow_rmap/trace.h>

/**
 * sr_trace_id() - the id debugfs prints for a kernel object, as a number
 * @ptr: the object's address
 *
 * %p hashes with a per-boot key the module cannot reach, so let it format
 * and read the digits back; this runs only while a tracepoint is enabled.
 *
 * Return: the hashed id (the address itself under no_hash_pointers).
 */
u64 sr_trace_id(unsigned long ptr)
{
	char buf[24];
	u64 id;

	snprintf(buf, sizeof(buf), "%p", (void *)ptr);
	return kstrtou64(buf, 16, &id) ? 0 : id;
}

/**
 * sr_trace_who() - the task an event names
 * @who: as its handler recorded it, or NULL for the model's own changes
 *       (a resync, unload), which name the task making them; a record
 *       made while no tracepoint listened has pid 0 and names no task
 * @pid: receives the thread-group id
 * @tid: receives the thread id
 * @comm: receives the comm, TASK_COMM_LEN bytes
 */
void sr_trace_who(const struct sr_who *who, pid_t *pid, pid_t *tid,
		  char *comm)
{
	if (!who) {
		*pid = current->tgid;
		*tid = current->pid;
		memcpy(comm, current->comm, TASK_COMM_LEN);
		return;
	}
	if (!who->pid) {
		*pid = 0;
		*tid = 0;
		memset(comm, 0, TASK_COMM_LEN);
		return;
	}
	*pid = who->pid;
	*tid = who->tid;
	memcpy(comm, who->comm, TASK_COMM_LEN);
}
