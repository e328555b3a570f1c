/*
 * report_ctx — what every report works from: the store, the options, the
 * period (--from/--to as days and calendar years), the schools known to
 * the hub (sorted by code, so a record's school is an index), the labels,
 * and the walk over a form's live records in the period with their JSON
 * parsed. Plus the two readers of record values every report uses.
 */
#ifndef TETRAD_HUB_REPORT_CTX_H
#define TETRAD_HUB_REPORT_CTX_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "hub/hubdb.h"
#include "hub/report.h"
#include "report_labels.h"
#include "report_model.h"
#include "report_pick.h"
#include "tetrad/terr.h"

#define REPORT_NOMEM(e) terr_set((e), TERR_NOMEM, "недостаточно памяти для отчёта")

struct report_school {
	char *code, *name;                /* name NULL when the register has none */
};

struct report_ctx {
	struct hubdb *db;
	const struct report_opts *o;
	bool has_from, has_to;
	long from_days, to_days;
	int from_year, to_year;           /* results: calendar years of the period */
	struct report_school *schools;    /* sorted by code */
	size_t nschools;
	struct report_labels *labels;
	/*
	 * What one report built that the next of the same reading may take
	 * again (report_build_many; the passports' sums of every school):
	 * freed by report_ctx_clear with memo_free.
	 */
	void *memo;
	void (*memo_free)(void *memo);
};

/*
 * Checks o's period and school, then reads the schools: TERR_ARG naming a
 * bad date or school code. Clear c with report_ctx_clear in any case.
 */
int report_ctx_open(struct report_ctx *c, struct hubdb *db, const struct report_opts *o,
    struct terr *e);
void report_ctx_clear(struct report_ctx *c);

/* Index of the school with this code, or -1. */
long report_ctx_school_find(const struct report_ctx *c, const char *code);
/* Whether school i passes --school. */
bool report_ctx_school_shown(const struct report_ctx *c, size_t i);
/* A new row of s with school si's code and name in its first two columns; -1 (e set). */
long report_ctx_school_row(struct report_sect *s, const struct report_ctx *c, size_t si,
    struct terr *e);

typedef int (*report_rec_fn)(struct report_ctx *c, size_t school, const char *form_id,
    const cJSON *data, const char *date, const char *hlc, void *arg,
    struct terr *e);

/*
 * Calls fn for every live record of form_id (or every form id starting
 * with it when prefix) whose date_field lies in the period (date_field
 * NULL: the day the hub received it), in HLC order (so a later edit comes
 * after an earlier one). fn gets the record's school as an index into
 * c->schools and its date ("" when it has none, counted only without a
 * period). A non-zero return of fn stops the walk and is returned. pick
 * names every member fn and date_field read (report_pick.h): fn's data
 * holds only those; NULL: all of them.
 */
int report_ctx_each_record(struct report_ctx *c, const char *form_id, bool prefix,
    const char *date_field, const struct report_pick *pick, report_rec_fn fn, void *arg,
    struct terr *e);

/*
 * As report_ctx_each_record of one form, but with --school only that
 * school's records are read (hubdb_report_school_records): for what a
 * report computes of a school from that school's records alone. The ИСБШ
 * distribution, say, is of every school, and reads them all.
 */
int report_ctx_each_school_record(struct report_ctx *c, const char *form_id,
    const char *date_field, const struct report_pick *pick, report_rec_fn fn, void *arg,
    struct terr *e);
/* The store's walk (hubdb_report_records of one form) narrowed the same way. */
int report_ctx_records(struct report_ctx *c, const char *form_id, hubdb_report_record_cb cb,
    void *arg, struct terr *e);

/* o[key] when it is a string that is a code (report_labels_code_ok), else NULL. */
const char *report_ctx_jcode(const cJSON *o, const char *key);
/* o[key] when it is a non-negative integral count up to 10^9, else -1. */
long long report_ctx_jcount(const cJSON *o, const char *key);
/* v when it is such a count, else -1 (NULL: -1). */
long long report_ctx_jcount_of(const cJSON *v);

#endif
