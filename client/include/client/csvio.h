/*
 * csvio — CSV for people with spreadsheets: export of a form's records
 * (UTF-8 with BOM and ';' by default so Russian Excel opens it right) and
 * all-or-nothing import with a report of every bad row. The parser and the
 * cell writer are the shared ones of tetrad/csv.h.
 */
#ifndef TETRAD_CLIENT_CSVIO_H
#define TETRAD_CLIENT_CSVIO_H

#include <stddef.h>
#include <stdio.h>

#include "tetrad/csv.h"
#include "tetrad/terr.h"

#include "client/catalog.h"
#include "client/store.h"

#define CSVIO_REPORT_MAX (1u << 20)  /* import report text */

enum csvio_format { CSVIO_CSV = 1, CSVIO_JSON = 2 };

/* Exports every non-deleted record of form_id (columns: id, status,
 * form_version, then the fields of the newest version, local ones too). */
int csvio_export(struct store *s, const struct catalog *c, const char *form_id,
    enum csvio_format fmt, char delim, FILE *out, struct terr *e);

/*
 * Imports path as new final records of form_id in one transaction. delim 0
 * guesses. Header cells are field ids or labels. If any row is bad nothing
 * is written, TERR_INVALID is returned and *report lists every problem
 * ("Строка 7: …"). *imported gets the count written.
 */
int csvio_import(struct store *s, const struct catalog *c, const char *form_id,
    const char *path, char delim, size_t *imported, char **report,
    struct terr *e);

#endif
