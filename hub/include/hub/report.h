/*
 * report — the hub's indicators: verification, mediation, passport,
 * surveys, identification (and settings), read from hub_records (deleted =
 * 0), schools and the reports' own tables (results, settings), written as
 * an aligned table, CSV (UTF-8 with BOM) or JSON. Every number is defined in
 * docs/reports.md. Reports never print free text or names: only codes,
 * counts, dates and the Russian labels of known codes.
 */
#ifndef TETRAD_HUB_REPORT_H
#define TETRAD_HUB_REPORT_H

#include <stdio.h>

#include <sqlite3.h>

#include "tetrad/terr.h"

/* The default ИСБШ method; its number changes whenever the method does. */
#define REPORT_ISBSH_METHOD "isbsh-v1"

struct report_opts {
	const char *name;        /* verification, mediation, passport, surveys,
	                            identification, settings */
	const char *school;      /* NULL = every school */
	const char *from, *to;   /* "YYYY-MM-DD" inclusive, NULL = open */
	enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_JSON } format;
	char delimiter;          /* CSV; '\0' = ';' */
	const char *forms_dir;   /* optional: built-in forms (<id>.json, dict/),
	                            for the surveys' question and answer labels;
	                            NULL = codes only */
};

/*
 * Writes report o->name to out. TERR_ARG with a Russian message for an
 * unknown report name, a bad date or school code; TERR_IO on a database
 * error. Output may be partial on an error.
 */
int report_run(sqlite3 *db, const struct report_opts *o, FILE *out,
    struct terr *e);

/* Creates the reports' tables (results, settings) if missing. */
int report_schema(sqlite3 *db, struct terr *e);

/*
 * Changes a setting (keys in docs/reports.md, e.g.
 * identification.low_threshold = 30) after checking key and value;
 * value NULL restores the default. TERR_ARG names what is wrong.
 */
int report_setting_set(sqlite3 *db, const char *key, const char *value,
    struct terr *e);

#endif
