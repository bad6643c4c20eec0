/*
 * Calendar dates as day numbers (days since 1970-01-01, proleptic
 * Gregorian), so that "days between" is a subtraction. Every day count of
 * pald's rules is a count of local calendar days; converting an instant
 * to a local date needs the time-zone database and is done by PostgreSQL
 * ("(now() AT TIME ZONE zona)::date"), never here.
 */
#ifndef PAL_DATES_H
#define PAL_DATES_H

#include <stdbool.h>

#define DATES_MIN_YEAR	1900
#define DATES_MAX_YEAR	2999

/* Day number of a valid y-m-d; the caller guarantees validity. */
int	dates_from_ymd(int y, int m, int d);
void	dates_to_ymd(int days, int *y, int *m, int *d);
/*
 * Parses exactly "AAAA-MM-DD" (a real date between DATES_MIN_YEAR and
 * DATES_MAX_YEAR: no 2026-02-30, no 2026-2-3, nothing after). False if not.
 */
bool	dates_parse(const char *s, int *days);
/* Writes "AAAA-MM-DD" and a NUL. */
void	dates_format(int days, char out[11]);
/*
 * The same day `years` later; 29 February becomes 28 February in a year
 * that has none. A commitment started on `inicio` ends on
 * dates_add_years(inicio, 1) - 1.
 */
int	dates_add_years(int days, int years);
/* Parses exactly "HH:MM" (00:00 to 23:59) into minutes after midnight. */
bool	dates_parse_time(const char *s, int *minutes);
/* Day of the week, 0 = Monday ... 6 = Sunday. */
int	dates_weekday(int days);
/* "martes 8 de diciembre de 2026", Spanish, for emails and pages. */
void	dates_format_long(int days, char *out, int size);

#endif
