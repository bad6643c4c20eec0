/*
 * Target "dates": dates_parse and dates_parse_time on the input as text,
 * against timegm and a plain reading of "AAAA-MM-DD" and "HH:MM"; then,
 * with the input's first bytes as a day number inside the supported
 * range, the conversions, formatting, weekdays and dates_add_years
 * against timegm/gmtime.
 *
 * It deliberately stays inside DATES_MIN_YEAR..DATES_MAX_YEAR for day
 * numbers: callers only hold dates the parser accepted.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"

static bool
fd_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The day number of a real AAAA-MM-DD in range, through timegm. */
static bool
fd_date_oracle(const char *s, int *days)
{
	struct tm tm;
	time_t t;
	int y;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !fd_digits(s, 4) || !fd_digits(s + 5, 2) || !fd_digits(s + 8, 2))
		return false;
	y = atoi(s);
	if (y < DATES_MIN_YEAR || y > DATES_MAX_YEAR)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	t = timegm(&tm);
	if (tm.tm_year != y - 1900 || tm.tm_mon != atoi(s + 5) - 1 ||
	    tm.tm_mday != atoi(s + 8))
		return false;	/* normalised: not a real date */
	*days = (int)(t / 86400);
	return true;
}

static void
fd_check_text(const char *s)
{
	int days = 0, want = 0, minutes = 0;
	bool got, ok;
	char out[11];

	got = dates_parse(s, &days);
	ok = fd_date_oracle(s, &want);
	FUZZ_ASSERT(got == ok, "dates_parse(\"%s\") said %d", s, got);
	if (got) {
		FUZZ_ASSERT(days == want, "\"%s\" is day %d, not %d", s, days,
		    want);
		dates_format(days, out);
		FUZZ_ASSERT(strcmp(out, s) == 0, "\"%s\" formats as %s", s,
		    out);
	}
	got = dates_parse_time(s, &minutes);
	ok = strlen(s) == 5 && s[2] == ':' && fd_digits(s, 2) &&
	    fd_digits(s + 3, 2) && atoi(s) <= 23 && atoi(s + 3) <= 59;
	FUZZ_ASSERT(got == ok, "dates_parse_time(\"%s\") said %d", s, got);
	if (got)
		FUZZ_ASSERT(minutes == atoi(s) * 60 + atoi(s + 3),
		    "\"%s\" is %d minutes", s, minutes);
}

static void
fd_check_day(int days, int years)
{
	struct tm tm;
	time_t t = (time_t)days * 86400;
	int y, m, d, later, ly, lm, ld;
	char out[11], longform[80];

	gmtime_r(&t, &tm);
	dates_to_ymd(days, &y, &m, &d);
	FUZZ_ASSERT(y == tm.tm_year + 1900 && m == tm.tm_mon + 1 &&
	    d == tm.tm_mday, "day %d is %d-%d-%d", days, y, m, d);
	FUZZ_ASSERT(dates_from_ymd(y, m, d) == days, "%d-%d-%d is not day %d",
	    y, m, d, days);
	FUZZ_ASSERT(dates_weekday(days) == (tm.tm_wday + 6) % 7,
	    "day %d is weekday %d", days, dates_weekday(days));
	dates_format(days, out);
	FUZZ_ASSERT(dates_parse(out, &later) && later == days,
	    "%s does not parse back to day %d", out, days);
	dates_format_long(days, longform, (int)sizeof(longform));
	FUZZ_ASSERT(fuzz_utf8_ok(longform, strlen(longform)),
	    "long date is not UTF-8: %s", longform);

	/* Same day and month, 29 February becoming 28 without one. */
	later = dates_add_years(days, years);
	dates_to_ymd(later, &ly, &lm, &ld);
	FUZZ_ASSERT(ly == y + years && lm == m &&
	    (ld == d || (m == 2 && d == 29 && ld == 28)),
	    "%d-%d-%d plus %d years is %d-%d-%d", y, m, d, years, ly, lm, ld);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[1];
	int lo = dates_from_ymd(DATES_MIN_YEAR, 1, 1);
	int hi = dates_from_ymd(DATES_MAX_YEAR, 12, 31);
	unsigned int raw = 0;

	fuzz_fields(data, size, f, 1);
	fd_check_text(f[0]);
	fuzz_fields_free(f, 1);
	for (size_t i = 0; i < 4 && i < size; i++)
		raw = raw << 8 | data[i];
	fd_check_day(lo + (int)(raw % (unsigned int)(hi - lo + 1)),
	    (int)(size > 4 ? data[4] % 11 : 1) - 5);
	return 0;
}
