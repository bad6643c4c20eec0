/*
 * Calendar dates as day numbers since 1970-01-01 in the proleptic
 * Gregorian calendar, converted with Howard Hinnant's days_from_civil and
 * civil_from_days, which are exact for every year and need no tables.
 * Strict parsing of "AAAA-MM-DD" and "HH:MM", adding years, the weekday
 * and a long Spanish rendering for people.
 *
 * It deliberately knows nothing of time zones or instants: turning "now"
 * into a local date is PostgreSQL's job, so every function here is pure.
 */
#include "dates.h"

#include <stdio.h>

static const char *const dates_weekdays[7] = {
	"lunes", "martes", "miércoles", "jueves", "viernes", "sábado",
	"domingo"
};

static const char *const dates_months[12] = {
	"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
	"agosto", "septiembre", "octubre", "noviembre", "diciembre"
};

static bool
dates_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
dates_days_in_month(int y, int m)
{
	static const int dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && dates_is_leap(y))
		return 29;
	return dim[m - 1];
}

/* Value of n ASCII digits at s, or -1 if any of them is not a digit. */
static int
dates_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
dates_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	/* Years start in March, so that 29 February is the last day. */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
dates_to_ymd(int days, int *y, int *m, int *d)
{
	long long z, era;
	int doe, yoe, doy, mp;

	/* Wide enough that every int, even INT_MIN, stays defined. */
	z = (long long)days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

bool
dates_parse(const char *s, int *days)
{
	int y, m, d;

	if (s == NULL)
		return false;
	/* Checking each position first also finds a short string's NUL. */
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return false;
		} else if (s[i] < '0' || s[i] > '9')
			return false;
	}
	if (s[10] != '\0')
		return false;
	y = dates_digits(s, 4);
	m = dates_digits(s + 5, 2);
	d = dates_digits(s + 8, 2);
	if (y < DATES_MIN_YEAR || y > DATES_MAX_YEAR || m < 1 || m > 12 ||
	    d < 1 || d > dates_days_in_month(y, m))
		return false;
	*days = dates_from_ymd(y, m, d);
	return true;
}

void
dates_format(int days, char out[11])
{
	int y, m, d;

	dates_to_ymd(days, &y, &m, &d);
	/* Out-of-range years are cut rather than overflowing out. */
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

int
dates_add_years(int days, int years)
{
	int y, m, d;

	dates_to_ymd(days, &y, &m, &d);
	y += years;
	if (m == 2 && d == 29 && !dates_is_leap(y))
		d = 28;
	return dates_from_ymd(y, m, d);
}

bool
dates_parse_time(const char *s, int *minutes)
{
	int h, mi;

	if (s == NULL)
		return false;
	for (int i = 0; i < 5; i++) {
		if (i == 2) {
			if (s[i] != ':')
				return false;
		} else if (s[i] < '0' || s[i] > '9')
			return false;
	}
	if (s[5] != '\0')
		return false;
	h = dates_digits(s, 2);
	mi = dates_digits(s + 3, 2);
	if (h > 23 || mi > 59)
		return false;
	*minutes = h * 60 + mi;
	return true;
}

int
dates_weekday(int days)
{
	/* 1970-01-01 was a Thursday (3); days may be negative. */
	return ((days + 3) % 7 + 7) % 7;
}

void
dates_format_long(int days, char *out, int size)
{
	int y, m, d;

	if (out == NULL || size <= 0)
		return;
	dates_to_ymd(days, &y, &m, &d);
	snprintf(out, (size_t)size, "%s %d de %s de %d",
	    dates_weekdays[dates_weekday(days)], d, dates_months[m - 1], y);
}
