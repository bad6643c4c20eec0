/*
 * The logger: formats a whole line first and writes it with one write(2),
 * so lines from several threads never interleave. No files, no rotation:
 * stderr goes to the journal or to whatever the operator points it at.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

_Atomic(enum log_level) log_level_min = LG_INFO;
_Thread_local unsigned long long log_req_id;
/* Lines this thread holds (log_hold), and whether it holds. */
static _Thread_local char log_held[16384];
static _Thread_local size_t log_held_len;
static _Thread_local bool log_holding;
/* This thread's last "2026-11-24T18:23:46", and its second. */
static _Thread_local char log_stamp[32];
static _Thread_local size_t log_stamp_len;
static _Thread_local time_t log_stamp_sec;

static const char *const log_names[] = {
	[LG_DEBUG] = "DEBUG",
	[LG_INFO] = "INFO",
	[LG_WARN] = "WARN",
	[LG_ERROR] = "ERROR",
};

bool
log_parse_level(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcasecmp(name, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	return false;
}

void
log_write(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	/*
	 * The date and time to the second, formatted once a second per
	 * thread: gmtime_r and strftime cost more than the rest of an
	 * access line.
	 */
	if (ts.tv_sec != log_stamp_sec || log_stamp_len == 0) {
		gmtime_r(&ts.tv_sec, &tm);
		log_stamp_len = strftime(log_stamp, sizeof(log_stamp),
		    "%Y-%m-%dT%H:%M:%S", &tm);
		log_stamp_sec = ts.tv_sec;
	}
	memcpy(line, log_stamp, log_stamp_len);
	n = log_stamp_len;
	r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s ",
	    ts.tv_nsec / 1000000, log_names[level]);
	n += (size_t)r;
	if (log_req_id != 0) {
		r = snprintf(line + n, sizeof(line) - n, "req=%llu ",
		    log_req_id);
		n += (size_t)r;
	}
	va_start(ap, fmt);
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (r < 0)
		r = 0;
	n += (size_t)r;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	/* Never let a logged value start a new line of its own. */
	for (size_t i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	if (log_holding && level < LG_WARN) {
		if (log_held_len + n > sizeof(log_held)) {
			(void)!write(STDERR_FILENO, log_held, log_held_len);
			log_held_len = 0;
		}
		memcpy(log_held + log_held_len, line, n);
		log_held_len += n;
		return;
	}
	if (log_held_len > 0) {
		(void)!write(STDERR_FILENO, log_held, log_held_len);
		log_held_len = 0;
	}
	(void)!write(STDERR_FILENO, line, n);
}

void
log_hold(void)
{
	log_holding = true;
}

void
log_flush(void)
{
	if (log_held_len > 0)
		(void)!write(STDERR_FILENO, log_held, log_held_len);
	log_held_len = 0;
	log_holding = false;
}
