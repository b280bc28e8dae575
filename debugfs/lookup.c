// SPDX-License-Identifier: GPL-2.0
/*
 * lookup: write a query, read its answer.
 *   pfn N         who maps physical page N
 *   pid P ADDR    who maps the page at user address ADDR of process P
 *   pid P         process P's anon VMAs with their anon_vma chains
 * Each open file keeps its own answer, so concurrent users do not see each
 * other's.  A file opened without a query of its own answers the last query
 * written by anyone, freshly computed: `echo pfn 0x1234 > lookup; cat lookup`.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include <shadow_rmap/debugfs.h>
#include <shadow_rmap/lookup.h>

#define SR_LOOKUP_TEXT_MAX	(8 << 20)

struct sr_lookup_file {
	struct mutex lock;		/* one query at a time per file */
	struct sr_text answer;
	bool answered;
};

/* The last query anyone wrote, for readers that wrote none. */
static DEFINE_MUTEX(sr_last_lock);
static struct sr_query sr_last;
static bool sr_have_last;

static int sr_lookup_open(struct inode *inode, struct file *file)
{
	struct sr_lookup_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	sr_text_init(&f->answer, SR_LOOKUP_TEXT_MAX);
	file->private_data = f;
	return 0;
}

static int sr_answer(struct sr_lookup_file *f, const struct sr_query *q)
{
	int ret;

	sr_text_reset(&f->answer);
	ret = sr_lookup(q, &f->answer);
	if (!ret && f->answer.truncated)
		sr_text_final(&f->answer, "truncated\n");
	f->answered = !ret;
	return ret;
}

static ssize_t sr_lookup_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct sr_lookup_file *f = file->private_data;
	char line[SR_INPUT_MAX];
	ssize_t len = sr_input_line(ubuf, count, line, "lookup");
	struct sr_query q;
	int ret;

	if (len < 0)
		return len;
	if (sr_query_parse(line, &q)) {
		sr_input_reject("lookup", line);
		return -EINVAL;
	}
	mutex_lock(&sr_last_lock);
	sr_last = q;
	sr_have_last = true;
	mutex_unlock(&sr_last_lock);

	mutex_lock(&f->lock);
	ret = sr_answer(f, &q);
	/* The answer is read from its start on this same file. */
	*ppos = 0;
	mutex_unlock(&f->lock);
	return ret ? ret : count;
}

static ssize_t sr_lookup_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct sr_lookup_file *f = file->private_data;
	struct sr_query q;
	bool have;
	ssize_t ret = 0;

	mutex_lock(&f->lock);
	if (!f->answered) {
		mutex_lock(&sr_last_lock);
		q = sr_last;
		have = sr_have_last;
		mutex_unlock(&sr_last_lock);
		if (have)
			ret = sr_answer(f, &q);
	}
	if (!ret)
		ret = simple_read_from_buffer(ubuf, count, ppos, f->answer.buf,
					      f->answer.len);
	mutex_unlock(&f->lock);
	return ret;
}

static int sr_lookup_release(struct inode *inode, struct file *file)
{
	struct sr_lookup_file *f = file->private_data;

	sr_text_free(&f->answer);
	kfree(f);
	return 0;
}

const struct file_operations sr_lookup_fops = {
	.owner = THIS_MODULE,
	.open = sr_lookup_open,
	.read = sr_lookup_read,
	.write = sr_lookup_write,
	.release = sr_lookup_release,
	.llseek = default_llseek,
};
