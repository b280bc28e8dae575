// SPDX-License-Identifier: GPL-2.0
/*
 * verify: opening it compares the shadow with the live kernel; reading
 * returns that report, whose last line is `verify: ok ...` or
 * `verify: FAIL mismatches=N`.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <shadow_rmap/debugfs.h>
#include <shadow_rmap/kwalk.h>

#define SR_VERIFY_TEXT_MAX	SZ_1M

static int sr_verify_open(struct inode *inode, struct file *file)
{
	struct sr_text *t = kmalloc(sizeof(*t), GFP_KERNEL);
	int ret;

	if (!t)
		return -ENOMEM;
	sr_text_init(t, SR_VERIFY_TEXT_MAX);
	ret = sr_verify(t);
	if (ret) {
		sr_text_free(t);
		kfree(t);
		return ret;
	}
	file->private_data = t;
	return 0;
}

static ssize_t sr_verify_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct sr_text *t = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, t->buf, t->len);
}

static int sr_verify_release(struct inode *inode, struct file *file)
{
	struct sr_text *t = file->private_data;

	sr_text_free(t);
	kfree(t);
	return 0;
}

const struct file_operations sr_verify_fops = {
	.owner = THIS_MODULE,
	.open = sr_verify_open,
	.read = sr_verify_read,
	.release = sr_verify_release,
	.llseek = default_llseek,
};
