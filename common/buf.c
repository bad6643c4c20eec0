/*
 * Growable buffer used to assemble replies, MIME messages and SQL results.
 * It grows geometrically and never shrinks; it is not thread-safe.
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void
buf_init(struct buf *b)
{
	b->cap = 64;
	b->len = 0;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
}

void
buf_cleanup(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

static void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	while (b->cap < need)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

void
buf_append(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_put_short(struct buf *b, const char *s, size_t max)
{
	size_t len = strcspn(s, "\r\n"), cut = len;

	if (cut > max) {
		cut = max;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	buf_append(b, s, cut);
	if (cut < len || s[len] != '\0')
		buf_puts(b, "…");
}

/*
 * The runs between escapes are copied whole: the callers write thousands
 * of strings per answer.
 */
void
buf_put_json_str(struct buf *b, const char *s)
{
	const char *run;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	for (run = s; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':	buf_puts(b, "\\\""); break;
		case '\\':	buf_puts(b, "\\\\"); break;
		case '\b':	buf_puts(b, "\\b"); break;
		case '\f':	buf_puts(b, "\\f"); break;
		case '\n':	buf_puts(b, "\\n"); break;
		case '\r':	buf_puts(b, "\\r"); break;
		case '\t':	buf_puts(b, "\\t"); break;
		default:	buf_printf(b, "\\u%04x", c); break;
		}
	}
	buf_append(b, run, (size_t)(s - run));
	buf_putc(b, '"');
}

void
buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	if (n >= 0 && (size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	}
	va_end(ap2);
	if (n > 0)
		b->len += (size_t)n;
	b->data[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *
buf_steal(struct buf *b)
{
	char *p = b->data;

	buf_init(b);
	return p;
}
