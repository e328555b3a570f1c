/*
 * report — the hub's indicators: verification, mediation, passport,
 * surveys, identification (and settings), read through the store (live
 * records, schools, imported results, settings: hub/hubdb.h), written as
 * an aligned table, CSV (UTF-8 with BOM), JSON or an Excel workbook (.xlsx).
 * Every number is defined in docs/reports.md. Reports never print free text
 * or names: only codes, counts, dates and the Russian labels of known codes.
 */
#ifndef TETRAD_HUB_REPORT_H
#define TETRAD_HUB_REPORT_H

#include <stdio.h>

#include "hub/hubdb.h"
#include "tetrad/terr.h"

/* The default ИСБШ method; its number changes whenever the method does. */
#define REPORT_ISBSH_METHOD "isbsh-v1"

struct report_opts {
	const char *name;        /* verification, mediation, passport, surveys,
	                            identification, settings */
	const char *school;      /* NULL = every school */
	const char *from, *to;   /* "YYYY-MM-DD" inclusive, NULL = open */
	/* TABLE: aligned text; CSV: UTF-8 with BOM; JSON; XLSX: an Excel
	 * workbook, binary (a sheet of parameters, one sheet a section:
	 * hub/src/report_xlsx.h) */
	enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_JSON, REPORT_XLSX } format;
	char delimiter;          /* CSV; '\0' = ';' */
	const char *forms_dir;   /* optional: built-in forms (<id>.json, dict/),
	                            for the surveys' question and answer labels;
	                            NULL = codes only */
};

/*
 * Writes report o->name to out, reading the store in one read-only
 * transaction (every table as of one moment). TERR_ARG with a Russian
 * message for an unknown report name, a bad date or school code; the
 * store's code (TERR_IO, TERR_BUSY, ...) on a database error. Nothing is
 * written on an error found before the report is complete. REPORT_XLSX:
 * TERR_TOO_LARGE when a section has more rows than an Excel sheet holds;
 * TERR_IO when its temporary file ($TMPDIR or /tmp) cannot be made.
 */
int report_run(struct hubdb *db, const struct report_opts *o, FILE *out,
    struct terr *e);

/*
 * Changes a setting (keys in docs/reports.md, e.g.
 * identification.low_threshold = 30) after checking key and value;
 * value NULL restores the default. TERR_ARG names what is wrong.
 */
int report_setting_set(struct hubdb *db, const char *key, const char *value,
    struct terr *e);

#endif
