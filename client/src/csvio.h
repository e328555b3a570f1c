/*
 * csvio — CSV for people with spreadsheets: export of a form's records
 * (UTF-8 with BOM and ';' by default so Russian Excel opens it right) and
 * all-or-nothing import with a report of every bad row. The parser is
 * RFC 4180 with documented bounds; it is fuzzed (tests/fuzz/fuzz_csv_parse.c).
 */
#ifndef TETRAD_CLIENT_CSVIO_H
#define TETRAD_CLIENT_CSVIO_H

#include <stddef.h>
#include <stdio.h>

#include "tetrad/terr.h"

#include "catalog.h"
#include "store.h"

#define CSVIO_MAX_BYTES (64u << 20)  /* one file */
#define CSVIO_MAX_CELL (64u << 10)   /* one cell, bytes */
#define CSVIO_MAX_COLS 1024
#define CSVIO_MAX_ROWS 1000000u
#define CSVIO_REPORT_MAX (1u << 20)  /* import report text */

/* Called per row; line is the 1-based line where the row starts. cells
 * belong to the parser and are valid during the call. Non-zero stops. */
typedef int (*csvio_row_cb)(size_t line, size_t n, char *const *cells,
    void *arg);

/*
 * Parses buf (a leading UTF-8 BOM is skipped) with delimiter delim.
 * Quoted cells may hold the delimiter, quotes ("") and line breaks. Refuses
 * bytes that are not UTF-8, NUL bytes, a stray quote inside an unquoted
 * cell, an unterminated quote, and anything over the CSVIO_MAX_* bounds.
 */
int csvio_parse(const char *buf, size_t len, char delim, csvio_row_cb cb,
    void *arg, struct terr *e);

/* ';' or ',' or '\t', whichever occurs (outside quotes) in the first line
 * most; ';' if none. */
char csvio_guess_delim(const char *buf, size_t len);

/* Writes one cell, quoted when it must be. */
int csvio_write_cell(FILE *out, const char *text, char delim);

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
