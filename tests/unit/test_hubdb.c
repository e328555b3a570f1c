/*
 * test_hubdb — the store's seam on its own: a schema made twice is the same
 * schema, the reports' reads (schools known anywhere, live records of a
 * form in HLC order, results by kind and period, settings), the school
 * register's counts, transactions (a rolled-back write is gone, a read
 * transaction sees one snapshot), a callback that stops an iteration, the
 * test hooks, and a full store reported as TERR_FULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hub/hubdb.h"

static void
rec(struct hubdb *db, int n, const char *form, const char *school, const char *hlc,
    bool deleted, const char *received, const char *data)
{
	struct hubdb_record r;
	struct terr e;

	memset(&r, 0, sizeof(r));
	r.id[15] = (unsigned char)n;
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 1;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00112233aabbccdd");
	snprintf(r.hlc, sizeof(r.hlc), "%s", hlc);
	r.deleted = deleted;
	r.data = strdup(data);
	CHECK_INT_EQ(hubdb_record_import(db, &r, received, &e), 0);
	hubdb_record_clear(&r);
}

/* Rows seen by a callback, joined: "school|form|hlc|date|data;" ... */
struct seen {
	char text[2048];
	int n, stop_after;
};

static void
seen_add(struct seen *s, const char *row)
{
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s;", row);
	s->n++;
}

static int
on_record(void *ctx, const struct hubdb_report_record *r)
{
	struct seen *s = ctx;
	char row[512];

	snprintf(row, sizeof(row), "%s|%s|%s|%s|%.*s", r->school, r->form_id, r->hlc,
	    r->received_date, (int)r->data_len, r->data);
	seen_add(s, row);
	return s->stop_after && s->n >= s->stop_after ? 42 : 0;
}

static int
on_school(void *ctx, const struct hubdb_report_school *r)
{
	char row[256];

	snprintf(row, sizeof(row), "%s=%s", r->code, r->name ? r->name : "(null)");
	seen_add(ctx, row);
	return 0;
}

static int
on_result(void *ctx, const struct hubdb_result *r)
{
	char row[256];

	snprintf(row, sizeof(row), "%s|%s|%d:%g", r->school, r->indicator, r->year, r->value);
	seen_add(ctx, row);
	return 0;
}

static int
on_setting(void *ctx, const char *k, const char *v)
{
	char row[256];

	snprintf(row, sizeof(row), "%s=%s", k, v);
	seen_add(ctx, row);
	return 0;
}

static int
on_listed(void *ctx, const struct hubdb_school_row *r)
{
	char row[256];

	snprintf(row, sizeof(row), "%s|%s|%lld/%lld", r->code, r->name, r->devices, r->records);
	seen_add(ctx, row);
	return 0;
}

static void
device(struct hubdb *db, const char *id, const char *schools)
{
	struct hubdb_device d;
	struct terr e;

	memset(&d, 0, sizeof(d));
	snprintf(d.id, sizeof(d.id), "%s", id);
	snprintf(d.kind, sizeof(d.kind), "curator");
	snprintf(d.label, sizeof(d.label), "куратор");
	snprintf(d.schools, sizeof(d.schools), "%s", schools);
	CHECK_INT_EQ(hubdb_device_add(db, &d, &e), 0);
}

static void
test_reads(struct hubdb *db)
{
	struct hubdb_result res;
	struct seen s;
	struct terr e;

	rec(db, 1, "survey_student", "170101", "0002", false, "2021-05-10T10:00:00Z", "{\"a\":1}");
	rec(db, 2, "survey_teacher", "170102", "0001", false, "2021-05-11T10:00:00Z", "{\"b\":2}");
	rec(db, 3, "survey_student", "170103", "0003", true, "2021-05-12T10:00:00Z", "{}");
	rec(db, 4, "risk_visit", "170104", "0004", false, "2021-05-13T10:00:00Z", "{}");
	CHECK_INT_EQ(hubdb_school_put(db, "170101", "Школа №1", &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170109", NULL, &e), 0);

	/* a prefix, HLC order, deleted left out, the day it was received */
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_report_records(db, "survey_", true, on_record, &s, &e), 0);
	CHECK_STR_EQ(s.text, "170102|survey_teacher|0001|2021-05-11|{\"b\":2};"
	    "170101|survey_student|0002|2021-05-10|{\"a\":1};");
	/* without prefix: that form only; "survey_" names no form */
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_report_records(db, "survey_", false, on_record, &s, &e), 0);
	CHECK_INT_EQ(s.n, 0);
	/* a callback's own code stops the walk and comes back as is */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	CHECK_INT_EQ(hubdb_report_records(db, "survey_", true, on_record, &s, &e), 42);
	CHECK_INT_EQ(s.n, 1);

	res = (struct hubdb_result){ "170105", 2021, "low_share", 12.5 };
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	res = (struct hubdb_result){ "170105", 2020, "low_share", 50 };
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	res = (struct hubdb_result){ "170105", 2021, "isbsh", -2 };
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	res = (struct hubdb_result){ "170101", 2019, "isbsh", 3 };
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	res = (struct hubdb_result){ "170105", 2021, "low_share", 13 };   /* replaces */
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);

	/* every school code known anywhere, by code, the register's name if any */
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_report_schools(db, on_school, &s, &e), 0);
	CHECK_STR_EQ(s.text, "170101=Школа №1;170102=(null);170104=(null);"
	    "170105=(null);170109=(null);");

	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_results_each(db, HUBDB_RESULTS_LOW, 2000, 2100, on_result, &s, &e), 0);
	CHECK_STR_EQ(s.text, "170105|low_share|2021:13;170105|low_share|2020:50;");
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_results_each(db, HUBDB_RESULTS_ISBSH, 2000, 2100, on_result, &s, &e), 0);
	CHECK_STR_EQ(s.text, "170101|isbsh|2019:3;170105|isbsh|2021:-2;");
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_results_each(db, HUBDB_RESULTS_ISBSH, 2020, 2020, on_result, &s, &e), 0);
	CHECK_INT_EQ(s.n, 0);
	CHECK_INT_EQ(hubdb_results_each(db, 99, 0, 1, on_result, &s, &e), TERR_ARG);

	/* settings: put, replace, remove */
	CHECK_INT_EQ(hubdb_setting_put(db, "b.key", "1", &e), 0);
	CHECK_INT_EQ(hubdb_setting_put(db, "a.key", "x", &e), 0);
	CHECK_INT_EQ(hubdb_setting_put(db, "b.key", "2", &e), 0);
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_settings_each(db, on_setting, &s, &e), 0);
	CHECK_STR_EQ(s.text, "a.key=x;b.key=2;");
	CHECK_INT_EQ(hubdb_setting_put(db, "a.key", NULL, &e), 0);
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_settings_each(db, on_setting, &s, &e), 0);
	CHECK_STR_EQ(s.text, "b.key=2;");
}

static void
test_school_list(struct hubdb *db)
{
	struct seen s;
	struct terr e;

	CHECK_INT_EQ(hubdb_school_put(db, "a_b", "Школа А", &e), 0);
	/* "a_b" is not "axb": a code is matched whole, '_' is no wildcard */
	device(db, "0000000000000001", "axb,170101");
	device(db, "0000000000000002", "170101");
	device(db, "0000000000000003", "170101");
	CHECK_INT_EQ(hubdb_device_revoke(db, "0000000000000003", &e), 0);
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_school_list(db, on_listed, &s, &e), 0);
	CHECK_STR_EQ(s.text, "170101|Школа №1|2/1;170109||0/0;a_b|Школа А|0/0;");
}

static void
test_transactions(struct hubdb *db, struct hubdb *other)
{
	struct hubdb_result res = { "170199", 2021, "low_share", 1 };
	struct seen s;
	struct terr e;
	char *v = NULL;

	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	hubdb_rollback(db);
	hubdb_rollback(db);   /* outside a transaction: nothing */
	CHECK_INT_EQ(hubdb_test_query(db, "SELECT count(*) FROM results WHERE school = '170199'",
	    &v, &e), 0);
	CHECK_STR_EQ(v, "0");
	free(v);

	/* a read transaction keeps its snapshot while another handle writes */
	CHECK_INT_EQ(hubdb_begin_read(db, &e), 0);
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_settings_each(db, on_setting, &s, &e), 0);
	CHECK_INT_EQ(hubdb_setting_put(other, "c.key", "3", &e), 0);
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_settings_each(db, on_setting, &s, &e), 0);
	CHECK_STR_EQ(s.text, "b.key=2;");
	hubdb_rollback(db);
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_settings_each(db, on_setting, &s, &e), 0);
	CHECK_STR_EQ(s.text, "b.key=2;c.key=3;");
}

static void
test_hooks_and_full(struct hubdb *db)
{
	struct terr e;
	char *v = NULL;
	char school[32];
	int r = 0;

	CHECK_INT_EQ(hubdb_test_query(db, "DELETE FROM settings", &v, &e), TERR_ARG);
	CHECK(v == NULL);
	CHECK_INT_EQ(hubdb_test_query(db, "SELECT NULL", &v, &e), 0);
	CHECK(v == NULL);
	/* no room to grow: TERR_FULL, not a generic error, and nothing half-written */
	CHECK_INT_EQ(hubdb_test_cap_growth(db, 0, &e), 0);
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	for (int i = 0; i < 5000 && r == 0; i++) {
		struct hubdb_result res = { school, 2021, "low_share", i };

		snprintf(school, sizeof(school), "full%05d", i);
		r = hubdb_result_put(db, &res, &e);
	}
	CHECK_INT_EQ(r, TERR_FULL);
	CHECK(strstr(e.msg, "нет места") != NULL);
	hubdb_rollback(db);
	CHECK_INT_EQ(hubdb_test_cap_growth(db, -1, &e), 0);
	CHECK_INT_EQ(hubdb_test_query(db, "SELECT count(*) FROM results WHERE school LIKE 'full%'",
	    &v, &e), 0);
	CHECK_STR_EQ(v, "0");
	free(v);
}

int
main(void)
{
	char dir[] = "/tmp/test_hubdb.XXXXXX", path[600];
	struct hubdb *db = NULL, *other = NULL;
	struct terr e;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	hubdb_close(db);
	/* a second open of the same file: the schema is already there */
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	CHECK_INT_EQ(hubdb_open(path, &other, &e), 0);
	if (db == NULL || other == NULL)
		return 1;
	hubdb_close(NULL);

	test_reads(db);
	test_school_list(db);
	test_transactions(db, other);
	test_hooks_and_full(db);

	hubdb_close(other);
	hubdb_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
