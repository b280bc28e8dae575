// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded command input shared by the writable nodes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ratelimit.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <shadow_rmap/debugfs.h>

/* A burst of bad writes gets one dmesg line. */
static DEFINE_RATELIMIT_STATE(sr_reject_rs, 5 * HZ, 1);

/**
 * sr_input_reject() - log a rejected command, at most once per burst
 * @node: the node written to
 * @line: what was written (printed escaped)
 */
void sr_input_reject(const char *node, const char *line)
{
	if (__ratelimit(&sr_reject_rs))
		pr_warn("%s: rejected \"%*pE\" (see README for the commands)\n",
			node, (int)strnlen(line, 48), line);
}

/**
 * sr_input_line() - copy one command line from user space
 * @ubuf: the user buffer
 * @count: its length
 * @line: SR_INPUT_MAX bytes; receives the line without its newline
 * @node: the node's name, for the log
 *
 * A write must be one whole line: one trailing newline at most, no NUL,
 * nothing longer than SR_INPUT_MAX.
 *
 * Return: the line's length, or -EINVAL / -EFAULT.
 */
ssize_t sr_input_line(const char __user *ubuf, size_t count, char *line,
		      const char *node)
{
	size_t len = count;

	if (!count || count >= SR_INPUT_MAX) {
		line[0] = '\0';
		sr_input_reject(node, count ? "(too long)" : "(empty)");
		return -EINVAL;
	}
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';
	if (line[len - 1] == '\n')
		line[--len] = '\0';
	if (!len || strlen(line) != len || strchr(line, '\n')) {
		sr_input_reject(node, line);
		return -EINVAL;
	}
	return len;
}
