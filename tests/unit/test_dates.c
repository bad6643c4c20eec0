/*
 * Unit tests for common/dates.c: day numbers against known dates, strict
 * parsing of good and bad "AAAA-MM-DD" and "HH:MM", leap years (1900 no,
 * 2000 yes), round trips over the whole supported range, adding years to
 * 29 February, weekdays and the long Spanish form.
 */
#include "dates.h"

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

static int
day(const char *s)
{
	int d = -1;

	cr_assert(dates_parse(s, &d), "should parse: \"%s\"", s);
	return d;
}

static bool
parses(const char *s)
{
	int d;

	return dates_parse(s, &d);
}

Test(dates, known_day_numbers)
{
	cr_assert_eq(dates_from_ymd(1970, 1, 1), 0);
	cr_assert_eq(dates_from_ymd(1970, 1, 2), 1);
	cr_assert_eq(dates_from_ymd(1969, 12, 31), -1);
	cr_assert_eq(dates_from_ymd(2000, 3, 1), 11017);
	cr_assert_eq(dates_from_ymd(2026, 12, 8), 20795);
	cr_assert_eq(dates_from_ymd(1900, 1, 1), -25567);
	cr_assert_eq(day("2026-12-08"), 20795);
	cr_assert_eq(day("2024-03-01") - day("2024-02-28"), 2);
	cr_assert_eq(day("2026-03-01") - day("2026-02-28"), 1);
	cr_assert_eq(day("2027-01-01") - day("2026-01-01"), 365);
	cr_assert_eq(day("2025-01-01") - day("2024-01-01"), 366);
}

Test(dates, parse_accepts_good_dates)
{
	cr_assert(parses("1900-01-01"));
	cr_assert(parses("2999-12-31"));
	cr_assert(parses("2026-01-31"));
	cr_assert(parses("2026-04-30"));
	cr_assert(parses("2026-12-31"));
}

Test(dates, parse_refuses_bad_dates)
{
	const char *bad[] = {
		"", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32",
		"2026-04-31", "2026-02-30", "2026-1-01", "2026-01-1",
		"26-01-01", "2026-01-01x", "2026-01-01 ", " 2026-01-01",
		"2026/01/01", "2026-01_01", "20260101", "2026-0a-01",
		"+026-01-01", "2026--1-01", "1899-12-31", "3000-01-01",
		"0000-01-01", "2026-01-0\xC3\xA1",
	};
	int d = 12345;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_not(parses(bad[i]), "should refuse \"%s\"", bad[i]);
	cr_assert_not(dates_parse(NULL, &d));
	cr_assert_not(dates_parse("2026-13-01", &d));
	cr_assert_eq(d, 12345, "a refused date leaves *days alone");
}

Test(dates, leap_years)
{
	cr_assert(parses("2024-02-29"));
	cr_assert(parses("2000-02-29"));
	cr_assert(parses("2400-02-29"));
	cr_assert_not(parses("2026-02-29"));
	cr_assert_not(parses("1900-02-29"));
	cr_assert_not(parses("2100-02-29"));
	cr_assert_not(parses("2024-02-30"));
}

Test(dates, round_trip_1900_to_2999)
{
	char s[11], want[11];
	int y, m, d, yy, mm, days, prev;

	/* Every first and last day of each month across the whole range. */
	for (y = DATES_MIN_YEAR; y <= DATES_MAX_YEAR; y++) {
		for (m = 1; m <= 12; m++) {
			days = dates_from_ymd(y, m, 1);
			dates_format(days, s);
			snprintf(want, sizeof(want), "%04d-%02d-01", y, m);
			cr_assert_str_eq(s, want);
			cr_assert(dates_parse(s, &prev));
			cr_assert_eq(prev, days);
			/* The day before the 1st is the end of a month. */
			dates_to_ymd(days - 1, &yy, &mm, &d);
			cr_assert(d >= 28 && d <= 31);
			cr_assert_eq(mm, m == 1 ? 12 : m - 1);
			cr_assert_eq(yy, m == 1 ? y - 1 : y);
			dates_to_ymd(days, &yy, &mm, &d);
			cr_assert(yy == y && mm == m && d == 1);
		}
	}
	/* Every single day of a stretch: consecutive and reversible. */
	prev = dates_from_ymd(1999, 12, 31);
	for (days = prev + 1; days < dates_from_ymd(2005, 1, 1); days++) {
		dates_to_ymd(days, &y, &m, &d);
		cr_assert_eq(dates_from_ymd(y, m, d), days);
		dates_format(days, s);
		cr_assert(dates_parse(s, &prev));
		cr_assert_eq(prev, days);
	}
	dates_format(day("1900-01-01"), s);
	cr_assert_str_eq(s, "1900-01-01");
	dates_format(day("2999-12-31"), s);
	cr_assert_str_eq(s, "2999-12-31");
}

Test(dates, add_years)
{
	char s[11];

	dates_format(dates_add_years(day("2024-02-29"), 1), s);
	cr_assert_str_eq(s, "2025-02-28");
	dates_format(dates_add_years(day("2024-02-29"), 4), s);
	cr_assert_str_eq(s, "2028-02-29");
	dates_format(dates_add_years(day("2000-02-29"), 100), s);
	cr_assert_str_eq(s, "2100-02-28");
	dates_format(dates_add_years(day("2024-02-29"), -1), s);
	cr_assert_str_eq(s, "2023-02-28");
	dates_format(dates_add_years(day("2026-12-08"), 1), s);
	cr_assert_str_eq(s, "2027-12-08");
	dates_format(dates_add_years(day("2026-03-01"), 0), s);
	cr_assert_str_eq(s, "2026-03-01");
	/* A commitment started on 1 March 2026 ends on 28 February 2027. */
	dates_format(dates_add_years(day("2026-03-01"), 1) - 1, s);
	cr_assert_str_eq(s, "2027-02-28");
	/* ... and one started on 1 March 2027 on 29 February 2028. */
	dates_format(dates_add_years(day("2027-03-01"), 1) - 1, s);
	cr_assert_str_eq(s, "2028-02-29");
}

Test(dates, parse_time)
{
	const char *bad[] = {
		"", "24:00", "23:60", "9:00", "09:0", "09-00", "0900",
		"09:00:00", "09:00 ", " 9:00", "ab:cd", "-1:00", "99:99",
	};
	int min = -1;

	cr_assert(dates_parse_time("00:00", &min));
	cr_assert_eq(min, 0);
	cr_assert(dates_parse_time("23:59", &min));
	cr_assert_eq(min, 23 * 60 + 59);
	cr_assert(dates_parse_time("10:30", &min));
	cr_assert_eq(min, 630);
	cr_assert(dates_parse_time("09:05", &min));
	cr_assert_eq(min, 545);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_not(dates_parse_time(bad[i], &min),
		    "should refuse \"%s\"", bad[i]);
	cr_assert_not(dates_parse_time(NULL, &min));
	cr_assert_eq(min, 545, "a refused time leaves *minutes alone");
}

Test(dates, weekday)
{
	cr_assert_eq(dates_weekday(0), 3);			/* Thursday */
	cr_assert_eq(dates_weekday(day("2026-12-07")), 0);	/* Monday */
	cr_assert_eq(dates_weekday(day("2026-12-08")), 1);
	cr_assert_eq(dates_weekday(day("2026-12-13")), 6);	/* Sunday */
	cr_assert_eq(dates_weekday(day("1900-01-01")), 0);	/* Monday */
	cr_assert_eq(dates_weekday(day("1969-12-28")), 6);	/* Sunday */
	cr_assert_eq(dates_weekday(day("2000-02-29")), 1);	/* Tuesday */
}

Test(dates, format_long_in_spanish)
{
	char s[80];

	dates_format_long(day("2026-12-08"), s, sizeof(s));
	cr_assert_str_eq(s, "martes 8 de diciembre de 2026");
	dates_format_long(day("2026-12-09"), s, sizeof(s));
	cr_assert_str_eq(s, "mi\xC3\xA9rcoles 9 de diciembre de 2026");
	dates_format_long(day("2026-12-12"), s, sizeof(s));
	cr_assert_str_eq(s, "s\xC3\xA1" "bado 12 de diciembre de 2026");
	dates_format_long(day("2026-01-01"), s, sizeof(s));
	cr_assert_str_eq(s, "jueves 1 de enero de 2026");
	dates_format_long(day("2026-09-27"), s, sizeof(s));
	cr_assert_str_eq(s, "domingo 27 de septiembre de 2026");
	dates_format_long(day("2026-11-23"), s, sizeof(s));
	cr_assert_str_eq(s, "lunes 23 de noviembre de 2026");
	dates_format_long(day("2026-05-15"), s, sizeof(s));
	cr_assert_str_eq(s, "viernes 15 de mayo de 2026");
	/* A small buffer is cut, still NUL-terminated. */
	dates_format_long(day("2026-12-08"), s, 7);
	cr_assert_str_eq(s, "martes");
}
