/*
 * report_render — the three text forms of a report model: an aligned
 * table for a terminal, CSV for spreadsheets (UTF-8 with BOM, ';' and a
 * decimal comma by default, cells by csv_put_cell / csv_put_num: no cell
 * can become a formula) and JSON (docs/reports.md shows each). The Excel
 * workbook is report_xlsx.h.
 */
#ifndef TETRAD_HUB_REPORT_RENDER_H
#define TETRAD_HUB_REPORT_RENDER_H

#include <stdio.h>

#include "hub/report.h"
#include "report_model.h"
#include "tetrad/terr.h"

#define REPORT_RENDER_CSV_MAX (256u << 20)   /* one CSV report in memory */

/*
 * Fills rep with report o->name, reading the store in one read-only
 * transaction (every table as of one moment), for a renderer below or a
 * page of the dashboard. TERR_ARG with a Russian message for an unknown
 * report, a bad date or school code; the store's code on a database
 * error. rep is empty after an error; free it with report_model_free.
 */
int report_build(struct hubdb *db, const struct report_opts *o, struct report_out *rep,
    struct terr *e);

/*
 * Fills reps[0..n) with the reports names[0..n), each as report_build
 * would with o (o->name aside), in one read-only transaction: what they
 * share is read once (the schools, the labels; the ИСБШ of every school
 * for passport and identification). On an error every model is empty.
 */
int report_build_many(struct hubdb *db, const struct report_opts *o, const char *const *names,
    size_t n, struct report_out *reps, struct terr *e);

/*
 * A meta value as a person reads it (the table's header lines, the
 * workbook's «Параметры»): the coded settings in words, a number with a
 * decimal comma. out is always terminated.
 */
void report_render_meta_shown(const struct report_meta *m, char *out, size_t cap);

void report_render_table(const struct report_out *o, FILE *f);
/* TERR_NOMEM or TERR_TOO_LARGE; nothing is written then. */
int report_render_csv(const struct report_out *o, FILE *f, char delim, struct terr *e);
/* The filters of opts are echoed in "filters"; TERR_NOMEM. */
int report_render_json(const struct report_out *o, const struct report_opts *opts,
    FILE *f, struct terr *e);

#endif
