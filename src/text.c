// SPDX-License-Identifier: GPL-2.0
/*
 * Growable text buffer.  Answers are built in process context and may be
 * larger than a page (a page shared by a thousand processes), so seq_file's
 * restart-on-overflow would redo the whole query.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <shadow_rmap/text.h>

/**
 * sr_text_init() - start an empty buffer
 * @t: the buffer
 * @limit: the most bytes it may hold; beyond that it is marked truncated
 */
void sr_text_init(struct sr_text *t, size_t limit)
{
	t->buf = NULL;
	t->len = 0;
	t->cap = 0;
	t->limit = limit;
	t->truncated = false;
	t->fixed = false;
}

/**
 * sr_text_free() - release the buffer's memory
 * @t: the buffer
 */
void sr_text_free(struct sr_text *t)
{
	kvfree(t->buf);
	sr_text_init(t, t->limit);
}

/**
 * sr_text_reset() - empty the buffer, keeping its memory
 * @t: the buffer
 */
void sr_text_reset(struct sr_text *t)
{
	t->len = 0;
	t->truncated = false;
}

static bool sr_text_grow(struct sr_text *t, size_t need)
{
	size_t cap = max_t(size_t, t->cap ? t->cap * 2 : 4096, need);
	char *nb;

	if (t->fixed)
		return false;
	if (cap > t->limit)
		cap = t->limit;
	if (cap < need)
		return false;
	nb = kvmalloc(cap, GFP_KERNEL);
	if (!nb)
		return false;
	if (t->len)
		memcpy(nb, t->buf, t->len);
	kvfree(t->buf);
	t->buf = nb;
	t->cap = cap;
	return true;
}

/**
 * sr_text_reserve() - make room before taking locks
 * @t: the buffer
 * @bytes: capacity wanted
 *
 * May sleep.  With ->fixed set afterwards, printing under locks never
 * allocates: what does not fit is dropped and the buffer marked truncated.
 *
 * Return: 0 or -ENOMEM.
 */
int sr_text_reserve(struct sr_text *t, size_t bytes)
{
	if (t->cap >= bytes)
		return 0;
	return sr_text_grow(t, bytes) ? 0 : -ENOMEM;
}

/**
 * sr_text_printf() - append formatted text
 * @t: the buffer
 * @fmt: printf format
 *
 * May sleep unless ->fixed is set.  Text that does not fit within the limit
 * is dropped and the buffer marked truncated.
 */
void sr_text_printf(struct sr_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->len + n + 1 > t->cap && !sr_text_grow(t, t->len + n + 1)) {
		t->truncated = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += n;
}
