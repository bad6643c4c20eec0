/*
 * Target "ical": ical_write with events whose texts, names, addresses and
 * numbers come from the input (texts split at NUL bytes; the last field's
 * bytes give the numbers). The calendar is then read back here: every
 * physical line ends in CRLF and has at most 75 octets, a CR or LF never
 * appears otherwise, continuation lines start with one space, no fold
 * cuts a UTF-8 character of valid input, every logical line is a
 * property pald writes (a value cannot start a property of its own), TEXT
 * values unescape to the input, and CN parameters and mailto: values are
 * the input less what cannot be represented.
 *
 * It deliberately does not check time-zone arithmetic or DTSTAMP: those
 * are plain printf of numbers, checked by tests/unit/test_ical.c.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dates.h"
#include "ical.h"

#define FI_LINE_MAX	75
#define FI_FIELDS	12
#define FI_NUMS		(FI_FIELDS - 1)

static const char *const fi_properties[] = {
	"BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD",
	"X-WR-CALNAME", "TZID", "DTSTART", "TZOFFSETFROM", "TZOFFSETTO",
	"TZNAME", "UID", "SEQUENCE", "DTSTAMP", "DURATION", "DTEND",
	"SUMMARY", "DESCRIPTION", "LOCATION", "ORGANIZER", "ATTENDEE",
	"STATUS",
};

/* The numbers of the events, read from raw bytes. */
struct fi_nums {
	const uint8_t	*p;
	size_t		 len, pos;
};

static unsigned int
fi_u32(struct fi_nums *n)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | (n->pos < n->len ? n->p[n->pos++] : 0u);
	return v;
}

static bool
fi_is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7F;
}

/* TEXT as ical.h promises to keep it: breaks as "\n", controls as ' '. */
static void
fi_text_expected(const char *s, struct buf *out)
{
	for (; *s != '\0'; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;	/* the LF that follows makes it */
		if (*s == '\r' || *s == '\n')
			buf_putc(out, '\n');
		else if (*s != '\t' && fi_is_control((unsigned char)*s))
			buf_putc(out, ' ');
		else
			buf_putc(out, *s);
	}
}

/* What a parameter value or URI keeps: no controls (and no DQUOTE). */
static void
fi_strip(const char *s, bool dquote, struct buf *out)
{
	for (; *s != '\0'; s++)
		if (!fi_is_control((unsigned char)*s) && !(dquote && *s == '"'))
			buf_putc(out, *s);
}

/* Unescapes a TEXT value; every ';' ',' and '\' must be escaped. */
static void
fi_unescape(const char *v, struct buf *out)
{
	for (; *v != '\0'; v++) {
		FUZZ_ASSERT(*v != ';' && *v != ',', "unescaped '%c' in TEXT",
		    *v);
		if (*v != '\\') {
			buf_putc(out, *v);
			continue;
		}
		v++;
		FUZZ_ASSERT(*v != '\0' && strchr("\\;,nN", *v) != NULL,
		    "bad TEXT escape \\%c", *v);
		buf_putc(out, *v == 'n' || *v == 'N' ? '\n' : *v);
	}
}

static void
fi_check_text(const char *what, const char *value, const char *input)
{
	struct buf got, want;

	buf_init(&got);
	buf_init(&want);
	fi_unescape(value, &got);
	fi_text_expected(input, &want);
	FUZZ_ASSERT(strcmp(got.data, want.data) == 0,
	    "%s reads \"%s\", not \"%s\"", what, got.data, want.data);
	buf_cleanup(&got);
	buf_cleanup(&want);
}

/*
 * Splits "NAME;P=V;P="V":value" in place: returns the value, and the
 * value of parameter param (or NULL) in *pval.
 */
static char *
fi_split_params(char *line, const char *param, char **pval)
{
	char *p = line + strcspn(line, ";:");

	*pval = NULL;
	while (*p == ';') {
		char *name = ++p, *val;

		p += strcspn(p, "=");
		FUZZ_ASSERT(*p == '=', "parameter without '=' in %s", line);
		*p++ = '\0';
		if (*p == '"') {
			val = ++p;
			p = strchr(p, '"');
			FUZZ_ASSERT(p != NULL, "unterminated quoted parameter");
			*p++ = '\0';
		} else {
			val = p;
			p += strcspn(p, ";:,\"");
			FUZZ_ASSERT(*p == ';' || *p == ':',
			    "unquoted parameter ends in '%c'", *p);
		}
		if (strcmp(name, param) == 0)
			*pval = val;
		if (*p == ';')
			continue;
		if (*p == ':')
			break;
	}
	FUZZ_ASSERT(*p == ':', "property without ':'");
	*p = '\0';
	return p + 1;
}

static void
fi_check_param(const char *what, const char *got, const char *input)
{
	struct buf want;

	if (input == NULL) {
		FUZZ_ASSERT(got == NULL, "%s parameter without a name", what);
		return;
	}
	buf_init(&want);
	fi_strip(input, true, &want);
	FUZZ_ASSERT(got != NULL && strcmp(got, want.data) == 0,
	    "%s parameter is \"%s\", not \"%s\"", what, got ? got : "(none)",
	    want.data);
	buf_cleanup(&want);
}

static void
fi_check_mailto(const char *what, const char *got, const char *input)
{
	struct buf want;

	buf_init(&want);
	buf_puts(&want, "mailto:");
	fi_strip(input, false, &want);
	FUZZ_ASSERT(strcmp(got, want.data) == 0, "%s is \"%s\", not \"%s\"",
	    what, got, want.data);
	buf_cleanup(&want);
}

/* Physical lines: CRLF, 75 octets, folds, characters not cut. */
static void
fi_check_physical(const struct buf *out, bool utf8)
{
	size_t start = 0;

	FUZZ_ASSERT(out->len >= 2 &&
	    memcmp(out->data + out->len - 2, "\r\n", 2) == 0,
	    "calendar does not end in CRLF");
	for (size_t i = 0; i < out->len; i++) {
		if (out->data[i] == '\r') {
			FUZZ_ASSERT(i + 1 < out->len &&
			    out->data[i + 1] == '\n', "bare CR at %zu", i);
			FUZZ_ASSERT(i - start <= FI_LINE_MAX,
			    "line of %zu octets", i - start);
			/* A continuation line must not begin mid-character. */
			FUZZ_ASSERT(!utf8 || fuzz_utf8_ok(out->data + start +
			    (out->data[start] == ' ' && start > 0),
			    i - start - (out->data[start] == ' ' && start > 0)),
			    "a fold cut a character: %.*s", (int)(i - start),
			    out->data + start);
			start = i + 2;
			i++;
			continue;
		}
		FUZZ_ASSERT(out->data[i] != '\n', "bare LF at %zu", i);
		FUZZ_ASSERT(out->data[i] != '\0', "NUL at %zu", i);
	}
}

/* "20261208T170500", with a final "Z" when utc: RFC 5545 3.3.5. */
static bool
fi_datetime(const char *v, bool utc)
{
	return strlen(v) == 15 + (size_t)utc && strspn(v, "0123456789") == 8 &&
	    v[8] == 'T' && strspn(v + 9, "0123456789") == 6 &&
	    (!utc || v[15] == 'Z');
}

struct fi_input {
	char		*f[FI_FIELDS];
	const char	*uid, *summary, *description, *location, *tzid;
	const char	*org_name, *org_email, *att_name, *att_email;
	const char	*method, *calname;
};

/* Logical lines: known properties, values as the input says. */
static void
fi_check_logical(const struct buf *out, const struct fi_input *in,
    size_t n_events)
{
	struct buf line;
	size_t begins = 0, ends = 0;
	const char *p = out->data;

	buf_init(&line);
	while (*p != '\0') {
		char *value, *pval;
		size_t np = sizeof(fi_properties) / sizeof(fi_properties[0]);
		size_t i, len;

		/* Unfold: a CRLF followed by a space continues the line. */
		buf_reset(&line);
		for (;;) {
			const char *e = strstr(p, "\r\n");

			buf_append(&line, p, (size_t)(e - p));
			p = e + 2;
			if (*p != ' ')
				break;
			p++;
		}
		len = strcspn(line.data, ";:");
		for (i = 0; i < np; i++)
			if (strlen(fi_properties[i]) == len &&
			    strncmp(line.data, fi_properties[i], len) == 0)
				break;
		FUZZ_ASSERT(i < np, "unknown property line: %.60s", line.data);
		value = fi_split_params(line.data, strncmp(line.data,
		    "DTSTART", len) == 0 ? "TZID" : "CN", &pval);
		if (strcmp(line.data, "SUMMARY") == 0)
			fi_check_text("SUMMARY", value, in->summary);
		else if (strcmp(line.data, "DESCRIPTION") == 0)
			fi_check_text("DESCRIPTION", value, in->description);
		else if (strcmp(line.data, "LOCATION") == 0)
			fi_check_text("LOCATION", value, in->location);
		else if (strcmp(line.data, "UID") == 0)
			fi_check_text("UID", value, in->uid);
		else if (strcmp(line.data, "TZID") == 0)
			fi_check_text("TZID", value, in->tzid);
		else if (strcmp(line.data, "X-WR-CALNAME") == 0)
			fi_check_text("X-WR-CALNAME", value, in->calname);
		else if (strcmp(line.data, "ORGANIZER") == 0) {
			fi_check_param("ORGANIZER CN", pval, in->org_name);
			fi_check_mailto("ORGANIZER", value, in->org_email);
		} else if (strcmp(line.data, "ATTENDEE") == 0) {
			fi_check_param("ATTENDEE CN", pval, in->att_name);
			fi_check_mailto("ATTENDEE", value, in->att_email);
		} else if (strcmp(line.data, "DTSTART") == 0 && pval != NULL) {
			fi_check_param("DTSTART TZID", pval, in->tzid);
			FUZZ_ASSERT(fi_datetime(value, false),
			    "DTSTART is not a local DATE-TIME: %s", value);
		}
		else if (strcmp(line.data, "DTSTAMP") == 0)
			FUZZ_ASSERT(fi_datetime(value, true),
			    "DTSTAMP is not a UTC DATE-TIME: %s", value);
		else if (strcmp(line.data, "BEGIN") == 0)
			begins += strcmp(value, "VEVENT") == 0;
		else if (strcmp(line.data, "END") == 0)
			ends += strcmp(value, "VEVENT") == 0;
	}
	FUZZ_ASSERT(begins == n_events && ends == n_events,
	    "%zu BEGIN and %zu END:VEVENT for %zu events", begins, ends,
	    n_events);
	buf_cleanup(&line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fi_input in;
	struct ical_event ev[2];
	struct ical_attendee att;
	struct fi_nums nums;
	struct buf out;
	size_t nf, n_events;
	int lo = dates_from_ymd(DATES_MIN_YEAR, 1, 1);
	int hi = dates_from_ymd(DATES_MAX_YEAR, 12, 31);
	bool utf8 = true;
	unsigned int flags;
	unsigned long long stamp;

	nf = fuzz_fields(data, size, in.f, FI_FIELDS);
	for (size_t i = 0; i < FI_NUMS; i++)
		if (in.f[i] != NULL)
			utf8 &= fuzz_utf8_ok(in.f[i], strlen(in.f[i]));
	in.summary = in.f[0];
	in.description = in.f[1];
	in.location = in.f[2];
	in.uid = in.f[3] != NULL ? in.f[3] : "1@pald";
	in.tzid = in.f[4] != NULL ? in.f[4] : "America/Mexico_City";
	in.org_name = in.f[5];
	in.org_email = in.f[6];
	in.att_name = in.f[7];
	in.att_email = in.f[8] != NULL ? in.f[8] : "actor@example.org";
	in.method = in.f[9];
	in.calname = in.f[10];
	/* Numbers from the last field, or from the whole input. */
	nums.p = nf == FI_FIELDS ? (const uint8_t *)in.f[FI_NUMS] : data;
	nums.len = nf == FI_FIELDS ? strlen(in.f[FI_NUMS]) : size;
	nums.pos = 0;

	memset(ev, 0, sizeof(ev));
	flags = fi_u32(&nums);
	ev[0].uid = in.uid;
	ev[0].sequence = (int)fi_u32(&nums);
	/* Any instant: gmtime_r may fail or give a huge year. */
	stamp = (unsigned long long)fi_u32(&nums) << 32;
	stamp |= fi_u32(&nums);
	ev[0].dtstamp = (time_t)stamp;
	ev[0].summary = in.summary;
	ev[0].description = in.description;
	ev[0].location = in.location;
	/* Callers pass dates of the database's range and "HH:MM" times. */
	ev[0].date = lo + (int)(fi_u32(&nums) % (unsigned int)(hi - lo + 1));
	ev[0].start_minutes = flags & 1 ? -1 : (int)(fi_u32(&nums) % 1440);
	ev[0].duration_minutes = (int)fi_u32(&nums);
	ev[0].tzid = in.tzid;
	ev[0].utc_offset_minutes = (int)fi_u32(&nums);
	ev[0].organizer_name = in.f[5] != NULL && in.f[6] != NULL ?
	    in.org_name : NULL;
	ev[0].organizer_email = in.org_email;
	att.name = in.att_name;
	att.email = in.att_email;
	ev[0].attendees = &att;
	ev[0].n_attendees = flags & 2 ? 1 : 0;
	ev[1] = ev[0];
	ev[1].utc_offset_minutes = (int)fi_u32(&nums);
	n_events = flags & 4 ? 2 : 1;
	if (ev[0].organizer_name == NULL)
		in.org_name = NULL;

	buf_init(&out);
	ical_write(&out, in.method, in.calname, ev, n_events);
	fi_check_physical(&out, utf8);
	fi_check_logical(&out, &in, n_events);
	buf_cleanup(&out);
	fuzz_fields_free(in.f, FI_FIELDS);
	return 0;
}
