/*
 * report_xlsx — a report model as an Excel workbook (.xlsx), written with
 * libxlsxwriter. What the workbook holds (docs/reports.md):
 *
 *   «Параметры»   first sheet: the report's title, its school and period,
 *                 its meta values (settings, counts), when it was made, and
 *                 which sheet holds which section (a sheet's name may be cut);
 *   one sheet a section, named from its title: the table from A1, a bold
 *                 wrapped header row, frozen, a filter over the table,
 *                 columns as wide as their content (within bounds).
 *
 * Cells keep their kinds: an integer or a number is a number cell (a number
 * rounded to its column's decimals, as JSON has it, and shown with them), a
 * text is a text cell (never a formula: a school named "=HYPERLINK(…)"
 * stays that text), an empty cell stays empty. Percent columns (a header
 * ending in «%», e.g. «Подтверждено, %») hold the percentage itself, 0 to
 * 100, shown with the column's decimals (number format "0.0"): not Excel's
 * percent format, which would multiply by 100 (66.7 shown as 6670,0 %).
 */
#ifndef TETRAD_HUB_REPORT_XLSX_H
#define TETRAD_HUB_REPORT_XLSX_H

#include <stddef.h>
#include <stdio.h>

#include "hub/report.h"
#include "report_model.h"
#include "tetrad/terr.h"

#define REPORT_XLSX_SHEET_NAME_MAX 31     /* Excel's limit, in UTF-16 units */
/* bytes of a sheet name with its terminator: 4 a unit at most */
#define REPORT_XLSX_NAME_CAP (4 * REPORT_XLSX_SHEET_NAME_MAX + 1)
#define REPORT_XLSX_ROWS_MAX 1048575u     /* Excel's 1,048,576 rows less the header */
#define REPORT_XLSX_PARAMS "Параметры"    /* the first sheet's name */

/*
 * Writes the workbook of report o to out (o->bare: without «Параметры»). opts may be NULL (then the
 * «Параметры» sheet names no school or period). libxlsxwriter 1.1.4 writes
 * only to a named file: the workbook is made in a private temporary file
 * (mkstemp, 0600) in tmpdir — NULL: $TMPDIR, or /tmp when that is unset or
 * empty — removed before this returns whatever happens, and then copied to
 * out; libxlsxwriter's own spool files (one a sheet: rows are written as
 * they come, so a report of millions of cells is not held twice in memory)
 * are made in the same folder and removed as they are made.
 *
 * 0, or (with a Russian message in e) TERR_TOO_LARGE when a section has more
 * rows than an Excel sheet holds (nothing is made then), TERR_IO when the
 * temporary file cannot be made or written or out cannot be written,
 * TERR_NOMEM. Nothing is written to out before the workbook is complete; a
 * failed write to out may leave part of it there (callers that write a
 * file use fileio_private_*, so such a part is never put in place).
 */
int report_render_xlsx(const struct report_out *o, const struct report_opts *opts,
    const char *tmpdir, FILE *out, struct terr *e);

/*
 * The name of the sheet of a section titled title, into out
 * (REPORT_XLSX_NAME_CAP bytes): what Excel takes — the characters []:*?/\
 * and control characters become blanks (runs of blanks one, none at the
 * ends, no apostrophe at the ends), at most REPORT_XLSX_SHEET_NAME_MAX
 * UTF-16 units (a longer title is cut on a character's boundary and ends in
 * «…»), never empty («Лист»), and none of the ntaken names in taken nor
 * «History» (Excel's own), compared as Excel does, without regard to case
 * (Latin and Cyrillic): a second «Школы» becomes «Школы (2)».
 */
void report_xlsx_sheet_name(const char *title, const char *const *taken, size_t ntaken,
    char out[REPORT_XLSX_NAME_CAP]);

#endif
