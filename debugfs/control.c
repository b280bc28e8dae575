// SPDX-License-Identifier: GPL-2.0
/*
 * control: commands that change the module's state.
 *   resync       rebuild the shadow from the live kernel
 *   reset-stats  zero the event counters (the model stays)
 */
#include <linux/debugfs.h>
#include <linux/fs.h>

#include <shadow_rmap/debugfs.h>
#include <shadow_rmap/kwalk.h>
#include <shadow_rmap/stats.h>

static ssize_t sr_control_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char line[SR_INPUT_MAX];
	ssize_t len = sr_input_line(ubuf, count, line, "control");
	int ret;

	if (len < 0)
		return len;
	if (!strcmp(line, "resync"))
		ret = sr_resync();
	else if (!strcmp(line, "reset-stats"))
		ret = sr_stats_reset();
	else
		ret = -EINVAL;
	if (ret == -EINVAL)
		sr_input_reject("control", line);
	return ret ? ret : count;
}

const struct file_operations sr_control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sr_control_write,
	.llseek = noop_llseek,
};
