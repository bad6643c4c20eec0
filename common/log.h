/*
 * One line per event on stderr:
 *   2026-01-31T12:00:00.123Z INFO req=42 message
 * The level is checked before the arguments are evaluated. The request id
 * is per thread: the code serving a request sets log_req_id for its
 * duration, and 0 means "no request".
 */
#ifndef PAL_LOG_H
#define PAL_LOG_H

#include <stdbool.h>

enum log_level {
	LG_DEBUG,
	LG_INFO,
	LG_WARN,
	LG_ERROR,
};

/* Written on SIGHUP by the loop thread, read by every thread. */
extern _Atomic(enum log_level) log_level_min;
extern _Thread_local unsigned long long log_req_id;

void	log_write(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Holding: from log_hold until log_flush, this thread's DEBUG and INFO
 * lines collect in a buffer and go out in one write(2), in order; a WARN
 * or ERROR line writes what is held and then itself at once. The loop
 * thread holds its access lines for one turn of the loop (http.c), so a
 * busy turn costs one system call instead of one per request.
 */
void	log_hold(void);
void	log_flush(void);
/* Parses "debug", "info", "warn" or "error"; false if unknown. */
bool	log_parse_level(const char *name, enum log_level *out);

#define log_at(level, ...) do {						\
	if ((level) >= log_level_min)					\
		log_write((level), __VA_ARGS__);			\
} while (0)
#define log_debug(...)	log_at(LG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_at(LG_INFO, __VA_ARGS__)
#define log_warn(...)	log_at(LG_WARN, __VA_ARGS__)
#define log_error(...)	log_at(LG_ERROR, __VA_ARGS__)

#endif
