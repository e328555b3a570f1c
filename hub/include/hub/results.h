/*
 * results — school results imported from the regional system (ВПР/ОГЭ
 * participants and those below the minimum level, or only their shares;
 * a region-supplied ИСБШ on its own scale) for the identification and
 * passport reports: `tetrad-hub results import FILE.csv`.
 *
 * The file is outside input: UTF-8 (optional BOM), ';' or ',' separator
 * (taken from the header row), a header naming the columns, every size
 * capped below. An import is all or nothing: one bad row and nothing is
 * written, and every bad row is reported with its line number
 * (docs/reports.md, "Импорт результатов").
 */
#ifndef TETRAD_HUB_RESULTS_H
#define TETRAD_HUB_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hub/hubdb.h"
#include "tetrad/terr.h"

#define RESULTS_MAX_BYTES (8u << 20)   /* whole file */
#define RESULTS_MAX_ROWS 100000        /* data rows */
#define RESULTS_MAX_COLS 32            /* columns in a row */
#define RESULTS_FIELD_MAX 256          /* bytes in one cell */
#define RESULTS_BAD_KEEP 1000          /* bad-row messages kept (all are counted) */
#define RESULTS_SCHOOL_MAX 32          /* school code: [0-9A-Za-z_-] */
#define RESULTS_INDICATOR_MAX 32
#define RESULTS_YEAR_MIN 2000
#define RESULTS_YEAR_MAX 2100
#define RESULTS_PARTICIPANTS_MAX 1000000   /* participants of one subject at one school */

/*
 * How a row with counts is stored (the writer, results.c, and the reader,
 * report_identification.c, share it): besides "<subject>" = the percent,
 * "<subject>.participants" and "<subject>.below" hold the counts. A
 * percent-only row removes them, so a count never outlives its percent.
 */
#define RESULTS_SUFFIX_PARTICIPANTS ".participants"
#define RESULTS_SUFFIX_BELOW ".below"

/*
 * The region's ИСБШ on its own scale: "isbsh" is −8…+8 (Izhevsk's
 * concept, the scale of Tetrad's isbsh-v1), "isbsh_100" is 0–100
 * (Sverdlovsk region). One school and year holds one of them: storing
 * one removes the other.
 */
#define RESULTS_ISBSH "isbsh"
#define RESULTS_ISBSH_100 "isbsh_100"

/* One validated data row. */
struct results_row {
	char school[RESULTS_SCHOOL_MAX + 1];
	int year;
	char indicator[RESULTS_INDICATOR_MAX + 1];   /* canonical code, lower case */
	double value;                                /* a subject with counts: 100 × below / participants */
	bool counts;                                 /* participants and below were given */
	long long participants, below;               /* with counts: 1 ≤ participants, 0 ≤ below ≤ participants */
	size_t line;                                 /* line of the file it came from */
};

struct results_set;

/*
 * Parses a results CSV held in memory (len bytes, need not be
 * NUL-terminated). Returns 0 with *out set when the file's shape is usable
 * (header found, required columns present); rows that fail validation are
 * kept as messages in the set (results_set_n_bad), not as an error.
 * Returns TERR_TOO_LARGE, TERR_UTF8 or TERR_PARSE (no header, missing
 * column, unterminated quote) with a Russian message, *out NULL.
 */
int results_parse(const char *buf, size_t len, struct results_set **out,
    struct terr *e);
void results_set_free(struct results_set *s);
size_t results_set_n_rows(const struct results_set *s);
const struct results_row *results_set_row(const struct results_set *s, size_t i);
/* Bad rows counted; messages kept for the first RESULTS_BAD_KEEP. */
size_t results_set_n_bad(const struct results_set *s);
size_t results_set_n_bad_kept(const struct results_set *s);
/* "строка 7: год «20x5» — не число от 2000 до 2100" */
const char *results_set_bad(const struct results_set *s, size_t i);

/*
 * Whether code is a known indicator; if so *lo and *hi get its range.
 * Codes: vpr4_rus, vpr4_math, oge9_rus, oge9_math, low_share (percent of
 * participants below the minimum level, 0-100), isbsh (-8..8), isbsh_100
 * (0..100).
 */
int results_indicator_known(const char *code, double *lo, double *hi);
/* Whether a row of code may carry participant counts (the four subjects). */
int results_indicator_counts(const char *code);

/*
 * Imports a results CSV into the store's results (hubdb_result_put), in
 * one transaction. All or nothing: if any row is bad, nothing
 * is written and TERR_INVALID names the count and the first bad row.
 * A row with the same (school, year, indicator) as a stored one replaces it.
 */
int results_import(struct hubdb *db, const char *csv_path, struct terr *e);

/*
 * The same, writing every bad row (one per line, Russian) or, on success,
 * "Импортировано строк: N" to report (may be NULL); *imported (may be NULL)
 * gets the number of rows written.
 */
int results_import_report(struct hubdb *db, const char *csv_path, FILE *report,
    size_t *imported, struct terr *e);

#endif
