/*
 * Unit tests for common/ical.c. Every test reads back what ical_write
 * produced: each physical line must end in CRLF, hold at most 75 octets
 * and be well-formed UTF-8 on its own (no character cut by a fold); the
 * lines are then unfolded and the properties compared, TEXT values after
 * unescaping, so that escaping and folding are checked as round trips.
 */
#include "ical.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "dates.h"
#include "validate.h"

#define MAX_LINES	256

/* A calendar as written and as read back. */
struct cal {
	struct buf	 raw;
	char		*lines[MAX_LINES];	/* unfolded, owned */
	size_t		 n;
};

/*
 * Splits c->raw into physical lines, checks each, and joins the
 * continuation lines to the line they continue.
 */
static void
cal_read(struct cal *c)
{
	const char *p = c->raw.data, *end = c->raw.data + c->raw.len;

	c->n = 0;
	cr_assert_gt(c->raw.len, 0);
	cr_assert_eq(strlen(c->raw.data), c->raw.len, "no NUL inside");
	while (p < end) {
		const char *eol = strstr(p, "\r\n");
		size_t len;

		cr_assert_not_null(eol, "every line ends in CRLF: \"%s\"", p);
		len = (size_t)(eol - p);
		cr_assert_leq(len, 75, "line of %zu octets: \"%.*s\"", len,
		    (int)len, p);
		cr_assert_gt(len, 0, "no empty line");
		cr_assert(memchr(p, '\n', len) == NULL, "bare LF");
		cr_assert(memchr(p, '\r', len) == NULL, "bare CR");
		cr_assert(validate_utf8(p, len),
		    "UTF-8 cut by a fold: \"%.*s\"", (int)len, p);
		if (p[0] == ' ') {
			char *prev;
			size_t plen;

			cr_assert_gt(c->n, 0, "the first line cannot continue");
			prev = c->lines[c->n - 1];
			plen = strlen(prev);
			prev = realloc(prev, plen + len);
			cr_assert_not_null(prev);
			memcpy(prev + plen, p + 1, len - 1);
			prev[plen + len - 1] = '\0';
			c->lines[c->n - 1] = prev;
		} else {
			cr_assert_lt(c->n, MAX_LINES);
			c->lines[c->n] = strndup(p, len);
			cr_assert_not_null(c->lines[c->n]);
			c->n++;
		}
		p = eol + 2;
	}
}

static void
cal_write(struct cal *c, const char *method, const char *name,
    const struct ical_event *ev, size_t n)
{
	buf_init(&c->raw);
	ical_write(&c->raw, method, name, ev, n);
	cal_read(c);
}

static void
cal_free(struct cal *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->lines[i]);
	buf_cleanup(&c->raw);
}

/* Count of the unfolded lines equal to line. */
static size_t
cal_count(const struct cal *c, const char *line)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->lines[i], line) == 0)
			k++;
	return k;
}

static bool
cal_has(const struct cal *c, const char *line)
{
	return cal_count(c, line) > 0;
}

/*
 * The first line whose property name (up to ';' or ':') is name, after
 * the k-th BEGIN:VEVENT if k >= 0; NULL if none.
 */
static const char *
cal_prop(const struct cal *c, int k, const char *name)
{
	size_t i = 0, nl = strlen(name);

	if (k >= 0) {
		for (int seen = -1; i < c->n; i++)
			if (strcmp(c->lines[i], "BEGIN:VEVENT") == 0 &&
			    ++seen == k)
				break;
	}
	for (; i < c->n; i++) {
		const char *l = c->lines[i];

		if (strncmp(l, name, nl) == 0 && (l[nl] == ':' ||
		    l[nl] == ';'))
			return l;
		if (k >= 0 && strcmp(l, "END:VEVENT") == 0)
			return NULL;
	}
	return NULL;
}

/* The value of a property line: after the first ':' outside quotes. */
static const char *
cal_value(const char *line)
{
	bool quoted = false;

	cr_assert_not_null(line);
	for (; *line != '\0'; line++) {
		if (*line == '"')
			quoted = !quoted;
		else if (*line == ':' && !quoted)
			return line + 1;
	}
	cr_assert_fail("no value");
	return NULL;
}

/* The TEXT value of line, unescaped; owned by the caller. */
static char *
cal_text(const char *line)
{
	const char *v = cal_value(line);
	char *out = malloc(strlen(v) + 1), *o = out;

	cr_assert_not_null(out);
	for (; *v != '\0'; v++) {
		if (*v != '\\') {
			cr_assert(*v != ';' && *v != ',',
			    "unescaped separator in \"%s\"", line);
			*o++ = *v;
			continue;
		}
		v++;
		if (*v == 'n' || *v == 'N')
			*o++ = '\n';
		else if (*v == '\\' || *v == ';' || *v == ',')
			*o++ = *v;
		else
			cr_assert_fail("bad escape \\%c in \"%s\"", *v, line);
	}
	*o = '\0';
	return out;
}

static void
assert_text(const struct cal *c, int k, const char *name, const char *want)
{
	char *got = cal_text(cal_prop(c, k, name));

	cr_assert_str_eq(got, want, "%s", name);
	free(got);
}

static int
day(const char *s)
{
	int d = -1;

	cr_assert(dates_parse(s, &d));
	return d;
}

/* A timed mesa: 8 December 2026, 10:00 in Mexico City, three hours. */
static struct ical_event
mesa_event(void)
{
	static const struct ical_attendee att[] = {
		{ "Ana P\xC3\xA9rez", "ana@example.org" },
		{ NULL, "sin.nombre@example.org" },
	};
	struct ical_event e;

	memset(&e, 0, sizeof(e));
	e.uid = "mesa-1@pal.example.org";
	e.sequence = 2;
	e.dtstamp = 1795539900;		/* 2026-11-24T17:05:00Z */
	e.summary = "Mesa de di\xC3\xA1logo: Oaxaca";
	e.description = "Lleve los materiales.";
	e.location = "Sala 3, Palacio Municipal";
	e.date = day("2026-12-08");
	e.start_minutes = 10 * 60;
	e.duration_minutes = 180;
	e.tzid = "America/Mexico_City";
	e.utc_offset_minutes = -360;
	e.organizer_name = "Luis G\xC3\xB3mez";
	e.organizer_email = "luis@example.org";
	e.attendees = att;
	e.n_attendees = 2;
	return e;
}

Test(ical, calendar_envelope)
{
	struct ical_event e = mesa_event();
	struct cal c;

	cal_write(&c, "REQUEST", "Plan de Acci\xC3\xB3n Local, Oaxaca", &e, 1);
	cr_assert_str_eq(c.lines[0], "BEGIN:VCALENDAR");
	cr_assert_str_eq(c.lines[c.n - 1], "END:VCALENDAR");
	cr_assert(cal_has(&c, "VERSION:2.0"));
	cr_assert(cal_has(&c, "PRODID:-//pald//Plan de Accion Local//ES"));
	cr_assert(cal_has(&c, "METHOD:REQUEST"));
	assert_text(&c, -1, "X-WR-CALNAME", "Plan de Acci\xC3\xB3n Local, "
	    "Oaxaca");
	cr_assert_eq(cal_count(&c, "BEGIN:VEVENT"), 1);
	cr_assert_eq(cal_count(&c, "END:VEVENT"), 1);
	cal_free(&c);

	cal_write(&c, "PUBLISH", NULL, &e, 1);
	cr_assert(cal_has(&c, "METHOD:PUBLISH"));
	cr_assert_null(cal_prop(&c, -1, "X-WR-CALNAME"));
	cal_free(&c);

	/* No events at all is still a well-formed calendar. */
	cal_write(&c, "PUBLISH", NULL, NULL, 0);
	cr_assert_str_eq(c.lines[0], "BEGIN:VCALENDAR");
	cr_assert_str_eq(c.lines[c.n - 1], "END:VCALENDAR");
	cr_assert_eq(cal_count(&c, "BEGIN:VEVENT"), 0);
	cr_assert_eq(cal_count(&c, "BEGIN:VTIMEZONE"), 0);
	cal_free(&c);
}

Test(ical, timed_event)
{
	struct ical_event e = mesa_event();
	struct cal c;

	cal_write(&c, "REQUEST", NULL, &e, 1);
	cr_assert(cal_has(&c, "UID:mesa-1@pal.example.org"));
	cr_assert(cal_has(&c, "SEQUENCE:2"));
	cr_assert(cal_has(&c, "DTSTAMP:20261124T170500Z"));
	cr_assert(cal_has(&c,
	    "DTSTART;TZID=America/Mexico_City:20261208T100000"));
	cr_assert(cal_has(&c, "DURATION:PT3H"));
	cr_assert_null(cal_prop(&c, 0, "DTEND"));
	assert_text(&c, 0, "SUMMARY", "Mesa de di\xC3\xA1logo: Oaxaca");
	assert_text(&c, 0, "DESCRIPTION", "Lleve los materiales.");
	assert_text(&c, 0, "LOCATION", "Sala 3, Palacio Municipal");
	cr_assert(cal_has(&c, "STATUS:CONFIRMED"));
	cr_assert(cal_has(&c, "ORGANIZER;CN=Luis G\xC3\xB3mez:"
	    "mailto:luis@example.org"));
	cr_assert(cal_has(&c, "ATTENDEE;CN=Ana P\xC3\xA9rez;"
	    "ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
	    "mailto:ana@example.org"));
	cr_assert(cal_has(&c, "ATTENDEE;ROLE=REQ-PARTICIPANT;"
	    "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:sin.nombre@example.org"));
	cal_free(&c);
}

Test(ical, durations_and_start_times)
{
	static const struct {
		int		 start;
		int		 minutes;
		const char	*dtstart;
		const char	*duration;
	} cases[] = {
		{ 0, 150, "20261208T000000", "DURATION:PT2H30M" },
		{ 9 * 60 + 5, 45, "20261208T090500", "DURATION:PT45M" },
		{ 23 * 60 + 59, 60, "20261208T235900", "DURATION:PT1H" },
		{ 17 * 60, 0, "20261208T170000", "DURATION:PT0M" },
		{ 8 * 60 + 30, 25 * 60 + 1, "20261208T083000",
		    "DURATION:PT25H1M" },
	};
	char want[80];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ical_event e = mesa_event();
		struct cal c;

		e.start_minutes = cases[i].start;
		e.duration_minutes = cases[i].minutes;
		cal_write(&c, "REQUEST", NULL, &e, 1);
		snprintf(want, sizeof(want),
		    "DTSTART;TZID=America/Mexico_City:%s", cases[i].dtstart);
		cr_expect(cal_has(&c, want), "%s", want);
		cr_expect(cal_has(&c, cases[i].duration), "%s",
		    cases[i].duration);
		cal_free(&c);
	}
}

Test(ical, vtimezone_block)
{
	struct ical_event e = mesa_event();
	static const char *const want[] = {
		"BEGIN:VTIMEZONE",
		"TZID:America/Mexico_City",
		"BEGIN:STANDARD",
		"DTSTART:19700101T000000",
		"TZOFFSETFROM:-0600",
		"TZOFFSETTO:-0600",
		"TZNAME:-0600",
		"END:STANDARD",
		"END:VTIMEZONE",
	};
	struct cal c;
	size_t i;

	cal_write(&c, "REQUEST", NULL, &e, 1);
	for (i = 0; i < c.n; i++)
		if (strcmp(c.lines[i], "BEGIN:VTIMEZONE") == 0)
			break;
	cr_assert_leq(i + 9, c.n);
	for (size_t j = 0; j < 9; j++)
		cr_assert_str_eq(c.lines[i + j], want[j]);
	/* It comes before the event that refers to it. */
	cr_assert_not_null(cal_prop(&c, 0, "DTSTART"));
	for (size_t j = 0; j < i; j++)
		cr_assert_str_neq(c.lines[j], "BEGIN:VEVENT");
	cal_free(&c);

	e.utc_offset_minutes = 0;
	e.tzid = "UTC";
	cal_write(&c, "REQUEST", NULL, &e, 1);
	cr_assert(cal_has(&c, "TZOFFSETTO:+0000"));
	cr_assert(cal_has(&c, "DTSTART;TZID=UTC:20261208T100000"));
	cal_free(&c);

	e.utc_offset_minutes = 5 * 60 + 30;
	e.tzid = "Asia/Kolkata";
	cal_write(&c, "REQUEST", NULL, &e, 1);
	cr_assert(cal_has(&c, "TZOFFSETFROM:+0530"));
	cr_assert(cal_has(&c, "TZNAME:+0530"));
	cal_free(&c);
}

Test(ical, one_vtimezone_per_zone)
{
	struct ical_event e[4];
	struct cal c;

	for (size_t i = 0; i < 4; i++)
		e[i] = mesa_event();
	e[1].date = day("2026-12-15");
	e[1].uid = "mesa-2@pal.example.org";
	e[2].start_minutes = -1;		/* all day: no zone */
	e[2].uid = "fecha-limite-7@pal.example.org";
	e[2].tzid = NULL;
	e[3].uid = "mesa-3@pal.example.org";
	cal_write(&c, "PUBLISH", NULL, e, 3);
	cr_assert_eq(cal_count(&c, "BEGIN:VTIMEZONE"), 1);
	cr_assert_eq(cal_count(&c, "TZID:America/Mexico_City"), 1);
	cr_assert_eq(cal_count(&c, "BEGIN:VEVENT"), 3);
	cr_assert(cal_has(&c,
	    "DTSTART;TZID=America/Mexico_City:20261215T100000"));
	cal_free(&c);

	/* A second zone gets a block of its own. */
	e[3].tzid = "America/Tijuana";
	e[3].utc_offset_minutes = -480;
	cal_write(&c, "PUBLISH", NULL, e, 4);
	cr_assert_eq(cal_count(&c, "BEGIN:VTIMEZONE"), 2);
	cr_assert(cal_has(&c, "TZID:America/Tijuana"));
	cr_assert(cal_has(&c, "TZOFFSETTO:-0800"));
	cal_free(&c);

	/* All-day events alone need none. */
	cal_write(&c, "PUBLISH", NULL, &e[2], 1);
	cr_assert_eq(cal_count(&c, "BEGIN:VTIMEZONE"), 0);
	cal_free(&c);
}

Test(ical, all_day_event_ends_next_day)
{
	static const char *const cases[][3] = {
		{ "2026-12-08", "20261208", "20261209" },
		{ "2026-12-31", "20261231", "20270101" },
		{ "2028-02-28", "20280228", "20280229" },
		{ "2027-02-28", "20270228", "20270301" },
	};
	char want[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ical_event e = mesa_event();
		struct cal c;

		e.start_minutes = -1;
		e.date = day(cases[i][0]);
		cal_write(&c, "PUBLISH", NULL, &e, 1);
		snprintf(want, sizeof(want), "DTSTART;VALUE=DATE:%s",
		    cases[i][1]);
		cr_expect(cal_has(&c, want), "%s", want);
		snprintf(want, sizeof(want), "DTEND;VALUE=DATE:%s",
		    cases[i][2]);
		cr_expect(cal_has(&c, want), "%s", want);
		cr_expect_null(cal_prop(&c, 0, "DURATION"));
		cal_free(&c);
	}
}

Test(ical, text_escaping_round_trips)
{
	struct ical_event e = mesa_event();
	const char *summary = "Mesa 1, Oaxaca; revisi\xC3\xB3n\n"
	    "segunda l\xC3\xAD" "nea \\ con barra, \xC2\xBF" "acentos? "
	    "\xC3\xB1" "and\xC3\xBA";
	struct cal c;
	const char *raw;

	e.summary = summary;
	e.description = "uno\r\ndos\rtres\n\ncuatro\tcinco";
	e.location = ";,\\";
	cal_write(&c, "REQUEST", NULL, &e, 1);
	assert_text(&c, 0, "SUMMARY", summary);
	/* CRLF and a lone CR are line breaks too; a tab stays. */
	assert_text(&c, 0, "DESCRIPTION", "uno\ndos\ntres\n\ncuatro\tcinco");
	assert_text(&c, 0, "LOCATION", ";,\\");
	raw = cal_value(cal_prop(&c, 0, "SUMMARY"));
	cr_assert_not_null(strstr(raw, "Mesa 1\\, Oaxaca\\; revisi"));
	cr_assert_not_null(strstr(raw, "\\nsegunda"));
	cr_assert_not_null(strstr(raw, "barra\\, "));
	cr_assert_not_null(strstr(raw, " \\\\ con"));
	cr_assert_str_eq(cal_value(cal_prop(&c, 0, "LOCATION")), "\\;\\,\\\\");
	cal_free(&c);
}

Test(ical, line_breaks_cannot_inject_properties)
{
	static const struct ical_attendee att[] = {
		{ "Eva\r\nATTENDEE:mailto:x@evil.example",
		    "eva@example.org\r\nATTENDEE:mailto:y@evil.example" },
	};
	struct ical_event e = mesa_event();
	struct cal c;

	e.summary = "x\r\nATTENDEE:mailto:z@evil.example";
	e.attendees = att;
	e.n_attendees = 1;
	cal_write(&c, "REQUEST", NULL, &e, 1);
	for (size_t i = 0; i < c.n; i++)
		cr_assert_neq(strncmp(c.lines[i], "ATTENDEE:", 9), 0,
		    "injected: %s", c.lines[i]);
	cr_assert(cal_has(&c, "ATTENDEE;CN=\"EvaATTENDEE:mailto:x@evil."
	    "example\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
	    "mailto:eva@example.orgATTENDEE:mailto:y@evil.example"));
	assert_text(&c, 0, "SUMMARY", "x\nATTENDEE:mailto:z@evil.example");
	cal_free(&c);
}

Test(ical, cn_quoting)
{
	static const struct ical_attendee att[] = {
		{ "P\xC3\xA9rez, Ana", "a@example.org" },
		{ "Ana \"la jefa\" L\xC3\xB3pez", "b@example.org" },
		{ "Dir.: Obras; P\xC3\xBA" "blicas", "c@example.org" },
		{ "\"Comillas, y coma\"", "d@example.org" },
	};
	struct ical_event e = mesa_event();
	struct cal c;

	e.attendees = att;
	e.n_attendees = 4;
	e.organizer_name = "STL; Oaxaca";
	cal_write(&c, "REQUEST", NULL, &e, 1);
	cr_assert(cal_has(&c, "ORGANIZER;CN=\"STL; Oaxaca\":"
	    "mailto:luis@example.org"));
	cr_assert_not_null(cal_prop(&c, 0, "ATTENDEE"));
	cr_assert(cal_has(&c, "ATTENDEE;CN=\"P\xC3\xA9rez, Ana\";"
	    "ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
	    "mailto:a@example.org"));
	cr_assert(cal_has(&c, "ATTENDEE;CN=Ana la jefa L\xC3\xB3pez;"
	    "ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
	    "mailto:b@example.org"));
	cr_assert(cal_has(&c, "ATTENDEE;CN=\"Dir.: Obras; P\xC3\xBA" "blicas\";"
	    "ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
	    "mailto:c@example.org"));
	cr_assert(cal_has(&c, "ATTENDEE;CN=\"Comillas, y coma\";"
	    "ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
	    "mailto:d@example.org"));
	cal_free(&c);

	/* No organizer e-mail: no ORGANIZER line at all. */
	e.organizer_email = NULL;
	cal_write(&c, "REQUEST", NULL, &e, 1);
	cr_assert_null(cal_prop(&c, 0, "ORGANIZER"));
	cal_free(&c);

	/* An organizer without a name has no CN. */
	e = mesa_event();
	e.organizer_name = NULL;
	cal_write(&c, "REQUEST", NULL, &e, 1);
	cr_assert(cal_has(&c, "ORGANIZER:mailto:luis@example.org"));
	cal_free(&c);
}

Test(ical, optional_texts_absent)
{
	struct ical_event e = mesa_event();
	struct cal c;

	e.description = NULL;
	e.location = NULL;
	e.n_attendees = 0;
	e.attendees = NULL;
	cal_write(&c, "REQUEST", NULL, &e, 1);
	cr_assert_null(cal_prop(&c, 0, "DESCRIPTION"));
	cr_assert_null(cal_prop(&c, 0, "LOCATION"));
	cr_assert_null(cal_prop(&c, 0, "ATTENDEE"));
	cr_assert_not_null(cal_prop(&c, 0, "SUMMARY"));
	cal_free(&c);
}

Test(ical, dtstamp_is_utc)
{
	struct ical_event e = mesa_event();
	struct cal c;

	e.dtstamp = 0;
	cal_write(&c, "REQUEST", NULL, &e, 1);
	cr_assert(cal_has(&c, "DTSTAMP:19700101T000000Z"));
	cal_free(&c);
	e.dtstamp = 1795000000;
	cal_write(&c, "REQUEST", NULL, &e, 1);
	cr_assert(cal_has(&c, "DTSTAMP:20261118T110640Z"));
	cal_free(&c);
}

Test(ical, long_spanish_description_is_folded)
{
	struct ical_event e = mesa_event();
	const char *para = "En la sesi\xC3\xB3n se revisar\xC3\xA1 el "
	    "diagn\xC3\xB3stico, se definir\xC3\xA1n los compromisos del Plan "
	    "de Acci\xC3\xB3n Local y se pedir\xC3\xA1 la conformidad de cada "
	    "asistente; \xC2\xBFqu\xC3\xA9 llevar? Cr\xC3\xADticas, "
	    "aportaciones y dudas por escrito. Se\xC3\xB1ores y "
	    "se\xC3\xB1oras: \xE2\x82\xAC \xF0\x9F\x98\x80 ping\xC3\xBCino.\n";
	struct buf d;
	struct cal c;
	size_t physical;

	buf_init(&d);
	for (int i = 0; i < 8; i++)
		buf_puts(&d, para);
	e.description = d.data;
	cal_write(&c, "REQUEST", NULL, &e, 1);
	assert_text(&c, 0, "DESCRIPTION", d.data);
	/* It really was folded, many times. */
	physical = 0;
	for (const char *p = c.raw.data; (p = strstr(p, "\r\n ")) != NULL;
	    p += 3)
		physical++;
	cr_assert_gt(physical, 8);
	cal_free(&c);
	buf_cleanup(&d);
}

Test(ical, fold_never_cuts_a_character_at_any_alignment)
{
	/* 2-, 3- and 4-octet characters, shifted by 0..4 ASCII octets. */
	static const char *const chars[] = {
		"\xC3\xB1", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"
	};
	struct buf s;

	for (size_t k = 0; k < 3; k++) {
		for (int shift = 0; shift < 5; shift++) {
			struct ical_event e = mesa_event();
			struct cal c;

			buf_init(&s);
			for (int i = 0; i < shift; i++)
				buf_putc(&s, 'x');
			for (int i = 0; i < 120; i++)
				buf_puts(&s, chars[k]);
			e.summary = s.data;
			e.location = s.data;
			cal_write(&c, "REQUEST", NULL, &e, 1);
			assert_text(&c, 0, "SUMMARY", s.data);
			assert_text(&c, 0, "LOCATION", s.data);
			cal_free(&c);
			buf_cleanup(&s);
		}
	}
}

Test(ical, exact_fold_boundaries)
{
	struct ical_event e = mesa_event();
	char s[400];
	const char *p;
	struct cal c;

	/*
	 * "SUMMARY:" is 8 octets: 67 more fill the first line exactly, 68
	 * need one fold, 67 + 74 fill two lines, one more needs three.
	 */
	for (int len = 60; len < 220; len++) {
		size_t folds = 0;

		memset(s, 'a', (size_t)len);
		s[len] = '\0';
		e.summary = s;
		cal_write(&c, "REQUEST", NULL, &e, 1);
		assert_text(&c, 0, "SUMMARY", s);
		p = strstr(c.raw.data, "\r\nSUMMARY:");
		cr_assert_not_null(p);
		cr_assert_eq(strcspn(p + 2, "\r"),
		    len > 67 ? 75u : (size_t)len + 8);
		for (p += 2; (p = strstr(p, "\r\n")) != NULL && p[2] == ' ';
		    p += 2)
			folds++;
		cr_assert_eq(folds, len <= 67 ? 0u :
		    (size_t)(len - 67 + 73) / 74, "len %d", len);
		cal_free(&c);
	}
}
