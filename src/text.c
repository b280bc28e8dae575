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

/*
 * Room kept at the end of every buffer for the closing lines (a verdict, a
 * summary, the truncation marker), so that an answer cut short still ends
 * with what it concluded.
 */
#define SR_TEXT_TAIL	512

static __printf(3, 0) void sr_text_vadd(struct sr_text *t, bool final,
					 const char *fmt, va_list ap)
{
	size_t keep = final ? 0 : SR_TEXT_TAIL;
	va_list aq;
	int n;

	if (t->truncated && !final)
		return;
	/* A line cut short by truncation is ended before a closing one. */
	if (final && t->truncated && t->len && t->buf[t->len - 1] != '\n' &&
	    t->len + 2 <= t->cap) {
		t->buf[t->len++] = '\n';
		t->buf[t->len] = '\0';
	}
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (t->len + n + 1 + keep > t->cap &&
	    !sr_text_grow(t, t->len + n + 1 + keep)) {
		t->truncated = true;
		return;
	}
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	t->len += n;
}

/**
 * sr_text_printf() - append formatted text
 * @t: the buffer
 * @fmt: printf format
 *
 * Once the buffer is full (at its limit, less the room kept for closing
 * lines, or at its capacity while it may not allocate) the text is dropped
 * and the buffer marked truncated; later appends are dropped too.  May
 * sleep unless ->fixed is set.
 */
void sr_text_printf(struct sr_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sr_text_vadd(t, false, fmt, ap);
	va_end(ap);
}

/**
 * sr_text_final() - append a closing line, even to a truncated buffer
 * @t: the buffer
 * @fmt: printf format
 *
 * Uses the room sr_text_printf() leaves; closing lines of one answer must
 * fit in it together (a few hundred bytes).
 */
void sr_text_final(struct sr_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sr_text_vadd(t, true, fmt, ap);
	va_end(ap);
}
