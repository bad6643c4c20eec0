/*
 * CSV fields for the open data pald publishes (RFC 4180, UTF-8): quoting
 * where a field needs it and the neutralising of text a spreadsheet would
 * run as a formula.
 */
#ifndef PALD_CSV_H
#define PALD_CSV_H

#include <stdbool.h>

#include "buf.h"

/*
 * Appends s (borrowed; NULL is an empty field) to out as one field,
 * followed by "," or, for the last field of a row, by "\r\n".
 */
void	csv_field(struct buf *out, const char *s, bool last);

#endif
