/*
 * Writing iCalendar (RFC 5545) for invitations and deadline feeds. Each
 * content line is first assembled whole, then written folded: at most 75
 * octets per physical line, continuation lines starting with one space,
 * never cutting a UTF-8 sequence, every line ending in CRLF. TEXT values
 * are escaped (section 3.3.11), parameter values quoted when they must be
 * (section 3.2).
 *
 * It deliberately does not read calendars, expand recurrences or consult
 * the time-zone database: the caller gives each timed event its zone's
 * offset at the start, and the VTIMEZONE written holds that one offset.
 */
#include "ical.h"

#include <string.h>

#include "dates.h"

/* RFC 5545 section 3.1: lines SHOULD NOT be longer than 75 octets. */
#define ICAL_LINE_MAX	75

#define ICAL_PRODID	"-//pald//Plan de Accion Local//ES"

static bool
ical_is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7F;
}

/*
 * Writes one content line, folded. A cut that would land inside a UTF-8
 * sequence moves back to the sequence's first byte; only if a line held
 * nothing but continuation bytes (not UTF-8 at all) is it cut anyway, so
 * that the loop always advances.
 */
static void
ical_fold(struct buf *out, const char *line, size_t len)
{
	size_t pos = 0, room = ICAL_LINE_MAX, cut;

	for (;;) {
		if (len - pos <= room) {
			buf_append(out, line + pos, len - pos);
			buf_puts(out, "\r\n");
			return;
		}
		cut = pos + room;
		while (cut > pos && ((unsigned char)line[cut] & 0xC0) == 0x80)
			cut--;
		if (cut == pos)
			cut = pos + room;
		buf_append(out, line + pos, cut - pos);
		buf_puts(out, "\r\n ");
		pos = cut;
		/* The leading space counts towards the 75 octets. */
		room = ICAL_LINE_MAX - 1;
	}
}

/* Appends s as a TEXT value: \\ \; \, and \n; CR LF is one line break. */
static void
ical_text(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
		case ';':
		case ',':
			buf_putc(b, '\\');
			buf_putc(b, (char)*p);
			break;
		case '\r':
			if (p[1] == '\n')
				p++;
			/* FALLTHROUGH */
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\t':
			buf_putc(b, '\t');
			break;
		default:
			/* TEXT allows no other control character. */
			if (ical_is_control(*p))
				buf_putc(b, ' ');
			else
				buf_putc(b, (char)*p);
		}
	}
}

/*
 * Appends s as a parameter value: DQUOTE and controls cannot be
 * represented at all and are dropped; the value is quoted when it holds
 * one of the characters that would end an unquoted one.
 */
static void
ical_param(struct buf *b, const char *s)
{
	bool quote = strpbrk(s, ":;,") != NULL;

	if (quote)
		buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	    p++)
		if (*p != '"' && !ical_is_control(*p))
			buf_putc(b, (char)*p);
	if (quote)
		buf_putc(b, '"');
}

/*
 * Appends s where no escaping exists (a URI): controls are dropped, so
 * that a stray line break cannot start a property of its own.
 */
static void
ical_raw(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	    p++)
		if (!ical_is_control(*p))
			buf_putc(b, (char)*p);
}

/* Writes the line held in b, folded, and empties b for the next one. */
static void
ical_flush(struct buf *out, struct buf *line)
{
	ical_fold(out, line->data, line->len);
	buf_reset(line);
}

/* "NAME:" followed by value as TEXT, as one folded line. */
static void
ical_prop_text(struct buf *out, struct buf *line, const char *name,
    const char *value)
{
	buf_puts(line, name);
	buf_putc(line, ':');
	ical_text(line, value);
	ical_flush(out, line);
}

/* "-0600", "+0530", "+0000" (RFC 5545 forbids "-0000"). */
static void
ical_offset(char out[6], int minutes)
{
	unsigned int a;

	/* Real offsets are within a day; anything else is clamped. */
	if (minutes < -1439)
		minutes = -1439;
	if (minutes > 1439)
		minutes = 1439;
	a = (unsigned int)(minutes < 0 ? -minutes : minutes);
	out[0] = minutes < 0 ? '-' : '+';
	out[1] = (char)('0' + a / 600);
	out[2] = (char)('0' + a / 60 % 10);
	out[3] = (char)('0' + a % 60 / 10);
	out[4] = (char)('0' + a % 10);
	out[5] = '\0';
}

/* Appends "20261208". */
static void
ical_date(struct buf *b, int days)
{
	int y, m, d;

	dates_to_ymd(days, &y, &m, &d);
	buf_printf(b, "%04d%02d%02d", y, m, d);
}

/* Whether events[i] is the first timed event with its (tzid, offset). */
static bool
ical_first_zone(const struct ical_event *events, size_t i)
{
	const struct ical_event *e = &events[i];

	for (size_t j = 0; j < i; j++) {
		const struct ical_event *o = &events[j];

		if (o->start_minutes >= 0 &&
		    o->utc_offset_minutes == e->utc_offset_minutes &&
		    strcmp(o->tzid, e->tzid) == 0)
			return false;
	}
	return true;
}

static void
ical_timezone(struct buf *out, struct buf *line, const char *tzid,
    int offset_minutes)
{
	char off[6];

	ical_offset(off, offset_minutes);
	buf_puts(out, "BEGIN:VTIMEZONE\r\n");
	ical_prop_text(out, line, "TZID", tzid);
	/* One fixed offset since 1970: the zone as it is at the event. */
	buf_puts(out, "BEGIN:STANDARD\r\n"
	    "DTSTART:19700101T000000\r\n");
	buf_printf(out, "TZOFFSETFROM:%s\r\n"
	    "TZOFFSETTO:%s\r\n"
	    "TZNAME:%s\r\n", off, off, off);
	buf_puts(out, "END:STANDARD\r\n"
	    "END:VTIMEZONE\r\n");
}

/* "PT3H", "PT2H30M", "PT45M", "PT0M". */
static void
ical_duration(struct buf *b, int minutes)
{
	if (minutes < 0)
		minutes = 0;
	buf_puts(b, "PT");
	if (minutes >= 60)
		buf_printf(b, "%dH", minutes / 60);
	if (minutes % 60 != 0 || minutes == 0)
		buf_printf(b, "%dM", minutes % 60);
}

static void
ical_event(struct buf *out, struct buf *line, const struct ical_event *e)
{
	struct tm tm;
	time_t t = e->dtstamp;
	int day, minutes;

	buf_puts(out, "BEGIN:VEVENT\r\n");
	ical_prop_text(out, line, "UID", e->uid);
	buf_printf(out, "SEQUENCE:%d\r\n", e->sequence);
	/*
	 * DATE-TIME has four digits of year. An instant outside them is no
	 * clock's, and tm_year + 1900 could even overflow: write the epoch.
	 */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 0 ||
	    tm.tm_year > 9999 - 1900) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	buf_printf(out, "DTSTAMP:%04d%02d%02dT%02d%02d%02dZ\r\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (e->start_minutes >= 0) {
		/* A start past midnight belongs to a later day. */
		day = e->date + e->start_minutes / 1440;
		minutes = e->start_minutes % 1440;
		buf_puts(line, "DTSTART;TZID=");
		ical_param(line, e->tzid);
		buf_putc(line, ':');
		ical_date(line, day);
		buf_printf(line, "T%02d%02d00", minutes / 60, minutes % 60);
		ical_flush(out, line);
		buf_puts(line, "DURATION:");
		ical_duration(line, e->duration_minutes);
		ical_flush(out, line);
	} else {
		/* DTEND of an all-day event is exclusive: the next day. */
		buf_puts(out, "DTSTART;VALUE=DATE:");
		ical_date(out, e->date);
		buf_puts(out, "\r\nDTEND;VALUE=DATE:");
		ical_date(out, e->date + 1);
		buf_puts(out, "\r\n");
	}
	ical_prop_text(out, line, "SUMMARY", e->summary);
	if (e->description != NULL)
		ical_prop_text(out, line, "DESCRIPTION", e->description);
	if (e->location != NULL)
		ical_prop_text(out, line, "LOCATION", e->location);
	if (e->organizer_email != NULL) {
		buf_puts(line, "ORGANIZER");
		if (e->organizer_name != NULL) {
			buf_puts(line, ";CN=");
			ical_param(line, e->organizer_name);
		}
		buf_puts(line, ":mailto:");
		ical_raw(line, e->organizer_email);
		ical_flush(out, line);
	}
	for (size_t i = 0; i < e->n_attendees; i++) {
		const struct ical_attendee *a = &e->attendees[i];

		buf_puts(line, "ATTENDEE");
		if (a->name != NULL) {
			buf_puts(line, ";CN=");
			ical_param(line, a->name);
		}
		buf_puts(line, ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION"
		    ";RSVP=TRUE:mailto:");
		ical_raw(line, a->email);
		ical_flush(out, line);
	}
	buf_puts(out, "STATUS:CONFIRMED\r\n"
	    "END:VEVENT\r\n");
}

void
ical_write(struct buf *out, const char *method, const char *name,
    const struct ical_event *events, size_t n)
{
	struct buf line;

	buf_init(&line);
	buf_puts(out, "BEGIN:VCALENDAR\r\n"
	    "VERSION:2.0\r\n"
	    "PRODID:" ICAL_PRODID "\r\n"
	    "CALSCALE:GREGORIAN\r\n");
	if (method != NULL) {
		buf_puts(&line, "METHOD:");
		ical_raw(&line, method);
		ical_flush(out, &line);
	}
	if (name != NULL)
		ical_prop_text(out, &line, "X-WR-CALNAME", name);
	for (size_t i = 0; i < n; i++)
		if (events[i].start_minutes >= 0 && ical_first_zone(events, i))
			ical_timezone(out, &line, events[i].tzid,
			    events[i].utc_offset_minutes);
	for (size_t i = 0; i < n; i++)
		ical_event(out, &line, &events[i]);
	buf_puts(out, "END:VCALENDAR\r\n");
	buf_cleanup(&line);
}
