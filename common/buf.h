/*
 * A growable byte buffer, always NUL-terminated so it can be read as a
 * string when it holds text.
 */
#ifndef PAL_BUF_H
#define PAL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* owned; never NULL after buf_init */
	size_t	 len;	/* bytes used, not counting the NUL */
	size_t	 cap;	/* bytes allocated */
};

void	 buf_init(struct buf *b);
void	 buf_cleanup(struct buf *b);
void	 buf_reset(struct buf *b);
void	 buf_append(struct buf *b, const void *data, size_t len);
void	 buf_puts(struct buf *b, const char *s);
void	 buf_putc(struct buf *b, char c);
/*
 * Appends the first line of s (UTF-8), cut to at most max bytes between
 * two characters and ended with "…" when anything was left out: a
 * description shortened for a summary or a tooltip.
 */
void	 buf_put_short(struct buf *b, const char *s, size_t max);
/*
 * Appends s (borrowed, UTF-8) as a JSON string, quotes included, as
 * json_dumps(JSON_COMPACT) writes it except that \u escapes use lower-case
 * hex: '"' and '\\' get a backslash, \b \f \n \r \t their short
 * forms, other bytes below 0x20 "\u00xx"; everything else, DEL, '/' and
 * multibyte characters included, is copied as is (s is not checked: it
 * must already be valid UTF-8). A NULL s appends null.
 */
void	 buf_put_json_str(struct buf *b, const char *s);
void	 buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/*
 * Returns the data (owned by the caller, free()) and leaves b empty but
 * initialised: it still needs buf_cleanup.
 */
char	*buf_steal(struct buf *b);

#endif
