/*
 * iCalendar (RFC 5545) writing: escaped TEXT values, lines folded at 75
 * octets without splitting a UTF-8 character, CRLF line ends. Events are
 * either timed (a local date and time in a named zone, with a VTIMEZONE
 * block giving the zone's offset at that instant) or all-day (VALUE=DATE,
 * for deadlines).
 */
#ifndef PAL_ICAL_H
#define PAL_ICAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

struct ical_attendee {
	const char	*name;		/* borrowed, may be NULL */
	const char	*email;		/* borrowed */
};

struct ical_event {
	const char	*uid;		/* borrowed; stable across updates */
	int		 sequence;	/* 0, then +1 for each update */
	time_t		 dtstamp;	/* when this version was made */
	const char	*summary;	/* borrowed, UTF-8 */
	const char	*description;	/* borrowed, may be NULL, may hold LF */
	const char	*location;	/* borrowed, may be NULL */
	int		 date;		/* local day number (dates.h) */
	int		 start_minutes;	/* minutes after midnight; -1: all day */
	int		 duration_minutes; /* timed events only */
	const char	*tzid;		/* IANA zone, timed events only */
	int		 utc_offset_minutes; /* zone's offset at the start */
	const char	*organizer_name;	/* borrowed, may be NULL */
	const char	*organizer_email;	/* borrowed, may be NULL */
	const struct ical_attendee *attendees;	/* borrowed */
	size_t		 n_attendees;
};

/*
 * Appends a whole VCALENDAR (PRODID "-//pald//Plan de Accion Local//ES",
 * VERSION 2.0, METHOD method, e.g. "REQUEST" or "PUBLISH") holding the
 * events, with one VTIMEZONE per distinct (tzid, offset) of the timed
 * events. name may be NULL; if not, it becomes X-WR-CALNAME.
 */
void	ical_write(struct buf *out, const char *method, const char *name,
	    const struct ical_event *events, size_t n);

#endif
