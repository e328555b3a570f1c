/*
 * report_json — what the hub's report tests share (test_report,
 * test_report_medsurv, test_report_results, test_calendar): a report run
 * into its JSON form on a store, and the rows and values read out of it.
 * Header-only in check.h's manner: one test program includes it.
 */
#ifndef TETRAD_TEST_REPORT_JSON_H
#define TETRAD_TEST_REPORT_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "hub/hubdb.h"
#include "hub/report.h"

/* Runs report name as JSON (a failure is a failed check, and NULL). */
static inline cJSON *
report_json(struct hubdb *db, const char *name, const char *school, const char *from,
    const char *to, const char *forms)
{
	struct report_opts o = { 0 };
	struct terr e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cJSON *j;
	int rc;

	o.name = name;
	o.school = school;
	o.from = from;
	o.to = to;
	o.format = REPORT_JSON;
	o.forms_dir = forms;
	terr_clear(&e);
	rc = report_run(db, &o, f, &e);
	fclose(f);
	CHECK_INT_EQ(rc, 0);
	if (rc != 0)
		fprintf(stderr, "report %s: %s\n", name, e.msg);
	j = cJSON_Parse(buf);
	CHECK(j != NULL);
	free(buf);
	return j;
}

/* Row of section sect whose k1 (and k2 if given) have these string values, or NULL. */
static inline const cJSON *
row_find(const cJSON *j, const char *sect, const char *k1, const char *v1,
    const char *k2, const char *v2)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, sect)) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, k1);
		const cJSON *b = k2 ? cJSON_GetObjectItemCaseSensitive(it, k2) : NULL;

		if (cJSON_IsString(a) && strcmp(a->valuestring, v1) == 0 &&
		    (k2 == NULL || (cJSON_IsString(b) && strcmp(b->valuestring, v2) == 0)))
			return it;
	}
	return NULL;
}

/* row_find, saying on stderr which row a check is about to miss. */
static inline const cJSON *
row(const cJSON *j, const char *sect, const char *k1, const char *v1,
    const char *k2, const char *v2)
{
	const cJSON *it = row_find(j, sect, k1, v1, k2, v2);

	if (it == NULL)
		fprintf(stderr, "no row %s=%s %s=%s in %s\n", k1, v1, k2 ? k2 : "",
		    v2 ? v2 : "", sect);
	return it;
}

static inline int
nrows(const cJSON *j, const char *sect)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, sect));
}

/* Number member, or -99999 if absent/null (so a check fails visibly). */
static inline double
num(const cJSON *r, const char *k)
{
	const cJSON *v = r ? cJSON_GetObjectItemCaseSensitive(r, k) : NULL;

	return cJSON_IsNumber(v) ? v->valuedouble : -99999;
}

/* String member, or NULL. */
static inline const char *
str(const cJSON *r, const char *k)
{
	const cJSON *v = r ? cJSON_GetObjectItemCaseSensitive(r, k) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline bool
is_null(const cJSON *r, const char *k)
{
	return r && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, k));
}

/* Exact comparison of rounded numbers as text (no libm in tests either). */
#define CHECK_NUM(r, k, expect) CHECK_INT_EQ((long long)(num((r), (k)) * 100 + \
	(num((r), (k)) >= 0 ? 0.5 : -0.5)), (long long)((expect) * 100 + \
	((expect) >= 0 ? 0.5 : -0.5)))

#endif
