/*
 * calcsv — the table reader the calendar's imports share (programmes.c,
 * profile.c): a CSV held in memory, read by the bounded parser of
 * tetrad/csv.h, whose header names the columns a caller wants (in any
 * order, case-insensitive, Russian or Latin names, others ignored); each
 * data row goes to the caller's check with its cells in the caller's
 * order, trimmed. Bad rows become Russian messages «строка N: …» (all
 * counted, the first CALCSV_BAD_KEEP kept), so an import can refuse a
 * file naming every mistake at once. Library code: prints nothing.
 */
#ifndef TETRAD_HUB_CALCSV_H
#define TETRAD_HUB_CALCSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tetrad/terr.h"

#define CALCSV_MAX_BYTES (8u << 20)
#define CALCSV_MAX_ROWS 100000
#define CALCSV_MAX_COLS 32
#define CALCSV_FIELD_MAX 256
#define CALCSV_BAD_KEEP 1000
#define CALCSV_WANT_MAX 6

/* A wanted column: its accepted header names, lower case, NULL-terminated. */
struct calcsv_col {
	const char *names[8];
	const char *title;                /* for messages: «Код ОО» */
};

struct calcsv {
	size_t nbad, nbad_kept;
	char **bad;
	size_t nrows;                     /* data rows handed to the check */
};

/* Checks one data row; cells[i] is wanted column i. Non-zero stops (e set). */
typedef int (*calcsv_row_fn)(void *arg, struct calcsv *t, size_t line, char **cells,
    struct terr *e);

/*
 * Reads buf (len bytes): TERR_TOO_LARGE over a bound, TERR_UTF8/TERR_PARSE
 * for a file that is not CSV, TERR_PARSE for a header without a wanted
 * column (what names the file: «файл программ»). Rows with the wrong
 * number of cells or a cell over CALCSV_FIELD_MAX are bad rows, not errors.
 */
int calcsv_read(struct calcsv *t, const char *buf, size_t len, const struct calcsv_col *cols,
    size_t ncols, const char *what, calcsv_row_fn fn, void *arg, struct terr *e);
/* Records a bad row: «строка LINE: MSG». TERR_NOMEM. */
int calcsv_bad(struct calcsv *t, size_t line, const char *msg);
/* Every kept message, one a line, and the count of the rest, to report. */
void calcsv_report(const struct calcsv *t, FILE *report);
void calcsv_clear(struct calcsv *t);
/* ASCII and Russian letters to lower case into out (cap bytes). */
void calcsv_lower(const char *in, char *out, size_t cap);
/* A cell for a message: at most 40 bytes, cut on a character boundary. */
void calcsv_quote(const char *s, char *out, size_t cap);
/* A year cell 2000…2100; -1 when it is not one. */
int calcsv_year(const char *s);

#endif
