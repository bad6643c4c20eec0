/*
 * The PAL as a printable PDF, rendered with cairo and pango from the
 * canonical JSON of a version (docs/API.md, "The canonical JSON").
 */
#ifndef PALD_PDF_H
#define PALD_PDF_H

#include <stdbool.h>

#include <jansson.h>

#include "buf.h"
#include "error.h"

/*
 * Renders version canonico (borrowed) whose canonical text has SHA-256
 * sha256 (64 hex) and appends the PDF bytes to out; *paginas gets the
 * page count. Letter size. Title page (mesa, entidad, date, place, actors
 * by sector, attendance), each commitment (type, alignment, indicator,
 * target, institution, dates, criteria, and a table of activities with
 * responsables and deadlines; long text wraps and breaks across pages),
 * and the signature block (Anexo 2: a line per actor with name,
 * organisation and sector). Every page has a header with the mesa and the
 * version, "Página X de Y", the SHA-256, and one initials box (rúbrica)
 * per actor. Thread-safe: a DB worker may call it. False with err (500)
 * if cairo fails.
 */
bool	pdf_pal(const json_t *canonico, const char *sha256, struct buf *out,
	    int *paginas, struct error *err);

#endif
