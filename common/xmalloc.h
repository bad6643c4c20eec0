/*
 * Allocation that never returns NULL: on exhaustion the process logs and
 * aborts, so no caller carries an out-of-memory error path.
 */
#ifndef PAL_XMALLOC_H
#define PAL_XMALLOC_H

#include <stddef.h>

/* All return owned memory, released with free(). */
void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *ptr, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
char	*xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
