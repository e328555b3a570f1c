/*
 * test_hubdb — the store's seam on its own: a schema made twice is the same
 * schema, the reports' reads (schools known anywhere, live records of a
 * form in HLC order, results by kind and period, settings), the school
 * register's counts, transactions (a rolled-back write is gone, a read
 * transaction sees one snapshot, a set undone at its savepoint is gone
 * even after a failed statement), a callback that stops an iteration, the
 * test hooks, a full store reported as TERR_FULL, the CLI's listings, and
 * a schema 1 database migrated to schema 2 (field clocks moved into the
 * record's row) and one of a newer hub refused.
 *
 * Both stores: every behaviour of the store is asserted on SQLite and on
 * PostgreSQL (test_store.h). Only what one engine has is SQLite's alone:
 * its page cache and map (PRAGMAs), its page cap (TERR_FULL), its files,
 * its old schemas and their migrations, its query plans and sqlite_master.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"

/*
 * The schema version as the store keeps it: SQLite's user_version,
 * PostgreSQL's hub_schema; -1 when it cannot be read.
 */
static long long
store_version(const char *store)
{
	return test_store_int(store, test_store_pg() ? "SELECT max(version) FROM hub_schema" :
	    "PRAGMA user_version");
}

/* Writes v as the store's schema version behind its back: 0 when done. */
static int
store_set_version(const char *store, int v)
{
	char sql[64];

	snprintf(sql, sizeof(sql), test_store_pg() ? "UPDATE hub_schema SET version = %d" :
	    "PRAGMA user_version = %d", v);
	return test_store_exec(store, sql);
}

/*
 * Whether sql, run on the store behind its back, is refused for a
 * constraint (SQLite's SQLITE_CONSTRAINT, PostgreSQL's SQLSTATE class 23),
 * not for any other reason.
 */
static bool
store_refuses(const char *store, const char *sql)
{
	bool refused = false;

	if (test_store_pg()) {
		PGconn *c = PQconnectdb(store);
		PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
		const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

		refused = state != NULL && strncmp(state, "23", 2) == 0;
		PQclear(res);
		PQfinish(c);
	} else {
		sqlite3 *raw = NULL;

		refused = sqlite3_open(store, &raw) == SQLITE_OK &&
		    sqlite3_exec(raw, sql, NULL, NULL, NULL) == SQLITE_CONSTRAINT;
		sqlite3_close(raw);
	}
	return refused;
}

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
	struct hubdb *db;      /* set: the page cache in force is read at each row */
	char cache[32];
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
	if (s->db != NULL) {
		struct terr e;
		char *v = NULL;

		CHECK_INT_EQ(hubdb_test_query(s->db, "PRAGMA cache_size", &v, &e), 0);
		snprintf(s->cache, sizeof(s->cache), "%s", v ? v : "");
		free(v);
	}
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
on_listed(void *ctx, size_t n, const struct hubdb_col *c)
{
	char row[256];

	CHECK_INT_EQ(n, 4);
	CHECK(c[2].type == HUBDB_COL_INT && c[3].type == HUBDB_COL_INT);
	snprintf(row, sizeof(row), "%s|%s|%lld/%lld", c[0].s, c[1].type == HUBDB_COL_NULL ? "" :
	    c[1].s, c[2].i, c[3].i);
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
	/* the scan reads with the small cache and gives the handle its own back,
	 * stopped early or not (SQLite: PostgreSQL's buffers are the server's) */
	for (int stop = 0; stop <= 1 && !test_store_pg(); stop++) {
		char *v = NULL;

		memset(&s, 0, sizeof(s));
		s.db = db;
		s.stop_after = stop;
		CHECK_INT_EQ(hubdb_report_records(db, "survey_", true, on_record, &s, &e), stop ? 42 : 0);
		CHECK_STR_EQ(s.cache, "-4096");
		CHECK_INT_EQ(hubdb_test_query(db, "PRAGMA cache_size", &v, &e), 0);
		CHECK_STR_EQ(v, "-65536");
		free(v);
	}

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

	/*
	 * every school code known: the register (an imported record registers
	 * its school, as ingest does, deleted or not: 170103) and the results,
	 * by code, the register's name if any
	 */
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(hubdb_report_schools(db, on_school, &s, &e), 0);
	CHECK_STR_EQ(s.text, "170101=Школа №1;170102=(null);170103=(null);170104=(null);"
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
	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_SCHOOLS, on_listed, &s, &e), 0);
	/* 170102-170104: registered by their imported records */
	CHECK_STR_EQ(s.text, "170101|Школа №1|2/1;170102||0/1;170103||0/0;170104||0/1;"
	    "170109||0/0;a_b|Школа А|0/0;");
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

/* The first column of sql's first row on db, as text ("" for none). */
static void
query_is(struct hubdb *db, const char *sql, const char *want)
{
	struct terr e;
	char *v = NULL;

	CHECK_INT_EQ(hubdb_test_query(db, sql, &v, &e), 0);
	CHECK_STR_EQ(v ? v : "", want);
	free(v);
}

/* A change set stored in a savepoint of its own, released (the writer's way). */
static void
set_stored(struct hubdb *db, const char *dev, uint64_t seq, const uint8_t *hash)
{
	static const uint8_t env[] = "envelope", ack[] = "ack";
	struct terr e;

	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(hubdb_set_put(db, dev, seq, seq, hash, "applied", 200, env, sizeof(env),
	    ack, sizeof(ack), &e), 0);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);
}

/*
 * One savepoint per change set (groupcommit.h): a set undone is gone and
 * the transaction goes on, also after a statement failed inside the set
 * (PostgreSQL fails the whole transaction at an error until it rolls back
 * to the mark); the sets released commit together, and so do those whose
 * marks are kept without waiting (hubdb_savepoint_keep).
 */
static void
test_savepoints(struct hubdb *db)
{
	static const uint8_t env[] = "envelope", ack[] = "ack";
	static const char dev[] = "cccccccccccccccc";
	struct hubdb_result res = { "170198", 2021, "low_share", 1 };
	uint8_t hash[CHANGESET_HASH_BYTES];
	struct terr e;

	memset(hash, 7, sizeof(hash));
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	set_stored(db, dev, 1, hash);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	/* the same set again: refused by its key, at once or (PostgreSQL: a
	 * deferred write, hubdb.h) by the release; the undo drops the result too */
	{
		int r = hubdb_set_put(db, dev, 1, 1, hash, "applied", 200, env, sizeof(env), ack,
		    sizeof(ack), &e);

		if (r == 0)
			r = hubdb_savepoint_release(db, &e);
		CHECK(r != 0);
		CHECK(e.msg[0] != '\0');
	}
	CHECK_INT_EQ(hubdb_savepoint_undo(db, &e), 0);
	CHECK_INT_EQ(hubdb_set_put(db, dev, 2, 2, hash, "applied", 200, env, sizeof(env), ack,
	    sizeof(ack), &e), 0);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	query_is(db, "SELECT count(*) FROM results WHERE school = '170198'", "0");
	query_is(db, "SELECT count(*) FROM changesets WHERE device_id = 'cccccccccccccccc'", "2");
	/* a set undone twice at one mark, then the transaction rolled back: nothing */
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint_undo(db, &e), 0);
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint_undo(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);
	hubdb_rollback(db);
	query_is(db, "SELECT count(*) FROM results WHERE school = '170198'", "0");

	/*
	 * Marks kept without waiting (hubdb_savepoint_keep, the group writer's
	 * first round): what each wrote is committed. An error of a write
	 * before the keep is not the keep's on PostgreSQL (deferred: the keep
	 * is too) but comes from the next call that waits, here the next
	 * mark's; SQLite refuses the write itself.
	 */
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	for (uint64_t seq = 3; seq <= 4; seq++) {
		CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
		CHECK_INT_EQ(hubdb_set_put(db, dev, seq, seq, hash, "applied", 200, env,
		    sizeof(env), ack, sizeof(ack), &e), 0);
		CHECK_INT_EQ(hubdb_savepoint_keep(db, &e), 0);
	}
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	query_is(db, "SELECT count(*) FROM changesets WHERE device_id = 'cccccccccccccccc'", "4");
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	{
		int r = hubdb_set_put(db, dev, 4, 4, hash, "applied", 200, env, sizeof(env), ack,
		    sizeof(ack), &e);

		if (test_store_pg()) {
			CHECK_INT_EQ(r, 0);
			CHECK_INT_EQ(hubdb_savepoint_keep(db, &e), 0);
			CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
			terr_clear(&e);
			CHECK(hubdb_result_put(db, &res, &e) != 0);
		} else
			CHECK(r != 0);
	}
	CHECK(e.msg[0] != '\0');
	hubdb_rollback(db);
	query_is(db, "SELECT count(*) FROM changesets WHERE device_id = 'cccccccccccccccc'", "4");
	query_is(db, "SELECT count(*) FROM results WHERE school = '170198'", "0");
}

/*
 * A device asked for ahead (hubdb_device_ask): the answer is of the moment
 * it was asked, whatever the handle wrote before reading it (on PostgreSQL
 * the question waits in the pipeline and is answered with the next
 * statement waited for). An error met before the question is its answer
 * too; after the undo the handle asks as before.
 */
static void
test_device_ask(struct hubdb *db)
{
	static const uint8_t env[] = "envelope", ack[] = "ack";
	static const char dev[] = "abababababababab", other[] = "cdcdcdcdcdcdcdcd";
	uint8_t hash[CHANGESET_HASH_BYTES];
	struct hubdb_device d;
	struct terr e;
	bool found;
	int r;

	memset(hash, 9, sizeof(hash));
	device(db, dev, "170101");
	device(db, other, "170102");
	/* outside a transaction: read at once */
	CHECK_INT_EQ(hubdb_device_ask(db, dev, &e), 0);
	CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), 0);
	CHECK(found && strcmp(d.id, dev) == 0 && d.watermark == 0);
	/* no question, no answer */
	terr_clear(&e);
	CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), TERR_INTERNAL);
	CHECK(!found && e.msg[0] != '\0');

	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(hubdb_device_ask(db, dev, &e), 0);
	CHECK_INT_EQ(hubdb_device_set_head(db, dev, 5, hash, &e), 0);
	/* a read waited for sees the new head; the answer, the one before it */
	CHECK_INT_EQ(hubdb_device_get(db, dev, &d, &found, &e), 0);
	CHECK(found && d.watermark == 5);
	CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), 0);
	CHECK(found && strcmp(d.id, dev) == 0 && d.watermark == 0);
	CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), TERR_INTERNAL);
	/* a second question drops the first; the answer sees this transaction */
	CHECK_INT_EQ(hubdb_device_ask(db, other, &e), 0);
	CHECK_INT_EQ(hubdb_device_ask(db, dev, &e), 0);
	CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), 0);
	CHECK(found && strcmp(d.id, dev) == 0 && d.watermark == 5 &&
	    memcmp(d.last_hash, hash, sizeof(hash)) == 0);
	CHECK_INT_EQ(hubdb_device_ask(db, "0000000000000000", &e), 0);
	CHECK_INT_EQ(hubdb_device_set_head(db, other, 3, hash, &e), 0);
	CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), 0);
	CHECK(!found);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);

	/* a set stored twice: refused at once (SQLite) or, deferred
	 * (PostgreSQL), with the question after it, which it stops */
	set_stored(db, dev, 1, hash);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	r = hubdb_set_put(db, dev, 1, 1, hash, "applied", 200, env, sizeof(env), ack,
	    sizeof(ack), &e);
	CHECK_INT_EQ(hubdb_device_ask(db, other, &e), 0);
	terr_clear(&e);
	if (r == 0) {
		CHECK(hubdb_device_answer(db, &d, &found, &e) != 0);
		CHECK(!found && e.msg[0] != '\0');
	} else {
		CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), 0);
		CHECK(found && d.watermark == 3);
	}
	CHECK_INT_EQ(hubdb_savepoint_undo(db, &e), 0);
	CHECK_INT_EQ(hubdb_device_ask(db, other, &e), 0);
	CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), 0);
	CHECK(found && strcmp(d.id, other) == 0 && d.watermark == 3);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);
	/* a question left unanswered at the commit is dropped with it */
	CHECK_INT_EQ(hubdb_device_ask(db, dev, &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	CHECK_INT_EQ(hubdb_device_get(db, dev, &d, &found, &e), 0);
	CHECK(found && d.watermark == 5);
	CHECK_INT_EQ(hubdb_device_ask(db, other, &e), 0);
	CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), 0);
	CHECK(found && d.watermark == 3);
}

/*
 * A pool's further handle opens while another handle holds the write lock
 * (it takes none itself: hubdb_open would wait out its busy timeout), sees
 * what was committed, and refuses a store of another schema version.
 */
static void
test_open_more(const char *path, struct hubdb *db)
{
	const int others[] = { 4, HUBDB_SCHEMA_VERSION + 1 };
	struct hubdb *more = NULL;
	struct terr e;
	char *v = NULL;

	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_open_more(path, &more, &e), 0);
	CHECK(more != NULL);
	CHECK_INT_EQ(hubdb_setting_put(db, "more.key", "1", &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	if (more != NULL) {
		CHECK_INT_EQ(hubdb_test_query(more, "SELECT value FROM settings WHERE key = "
		    "'more.key'", &v, &e), 0);
		CHECK_STR_EQ(v, "1");
		free(v);
		/* the pool's handles read the file; only the first maps it (SQLite:
		 * PostgreSQL's handles map nothing) */
		if (!test_store_pg()) {
			v = NULL;
			CHECK_INT_EQ(hubdb_test_query(more, "PRAGMA mmap_size", &v, &e), 0);
			CHECK_STR_EQ(v, "0");
			free(v);
			v = NULL;
			CHECK_INT_EQ(hubdb_test_query(db, "PRAGMA mmap_size", &v, &e), 0);
			CHECK_STR_EQ(v, "268435456");
			free(v);
		}
		hubdb_close(more);
	}
	/* another version, older or newer: refused, and the store is left as it was */
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		int other = others[i];
		char want[32];

		CHECK_INT_EQ(store_set_version(path, other), 0);
		more = NULL;
		CHECK_INT_EQ(hubdb_open_more(path, &more, &e), TERR_VERSION);
		CHECK(more == NULL);
		snprintf(want, sizeof(want), "схема %d", other);
		CHECK_CONTAINS(e.msg, want);
		CHECK_INT_EQ(store_version(path), other);
	}
	CHECK_INT_EQ(store_set_version(path, HUBDB_SCHEMA_VERSION), 0);
	CHECK_INT_EQ(hubdb_open_more(path, &more, &e), 0);
	hubdb_close(more);
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
	/* SQLite's page cap only: a PostgreSQL store fills a disk the test cannot
	 * make full (its TERR_FULL is the engine's mapping of disk-full errors) */
	if (test_store_pg()) {
		CHECK_INT_EQ(hubdb_test_cap_growth(db, 0, &e), TERR_ARG);
		return;
	}
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

static int
count_rows(void *ctx, size_t n, const struct hubdb_col *cols)
{
	(void)cols;
	(void)n;
	(*(int *)ctx)++;
	return 0;
}

/*
 * Every column of a listing is described: a snake_case JSON key, a
 * Russian header (Cyrillic or "№", the users' language), a type; the type of
 * one device's values as ctx's text ("key=T;"; N for none).
 */
static int
typed_row(void *ctx, size_t n, const struct hubdb_col *cols)
{
	char *out = ctx;
	static const char tc[] = { [HUBDB_COL_NULL] = 'N', [HUBDB_COL_INT] = 'I',
	    [HUBDB_COL_BOOL] = 'B', [HUBDB_COL_TEXT] = 'T', [HUBDB_COL_LIST] = 'L' };

	for (size_t i = 0; i < n; i++) {
		CHECK(cols[i].key[0] != '\0' && strspn(cols[i].key,
		    "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(cols[i].key));
		CHECK(strstr(cols[i].header, "\xd0") != NULL || strstr(cols[i].header, "\xd1") != NULL ||
		    strcmp(cols[i].header, "SHA-256") == 0 || strcmp(cols[i].header, "№") == 0);
		CHECK(hubdb_col_find(n, cols, cols[i].key) == &cols[i]);
		snprintf(out + strlen(out), 512 - strlen(out), "%s=%c;", cols[i].key,
		    tc[cols[i].type]);
	}
	return 1;           /* one row is enough; the stop comes back */
}

/* The record id and field of the conflict listed last, as "hex|field". */
static int
conflict_row(void *ctx, size_t n, const struct hubdb_col *cols)
{
	const struct hubdb_col *id = hubdb_col_find(n, cols, "record_id");
	const struct hubdb_col *f = hubdb_col_find(n, cols, "field");

	if (id != NULL && f != NULL && id->type == HUBDB_COL_TEXT && f->type == HUBDB_COL_TEXT)
		snprintf(ctx, 128, "%s|%s", id->s, f->s);
	return 0;
}

/* The CLI's listings: every device, revoked ones too; an unknown list refused. */
static void
test_listings(struct hubdb *db)
{
	struct terr e;
	char types[512] = "";
	int rows = 0;

	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_DEVICES, count_rows, &rows, &e), 0);
	CHECK_INT_EQ(rows, 3);
	rows = 0;
	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_TOKENS, count_rows, &rows, &e), 0);
	CHECK_INT_EQ(rows, 0);
	CHECK_INT_EQ(hubdb_list(db, (enum hubdb_listing)99, count_rows, &rows, &e), TERR_ARG);
	CHECK_INT_EQ(hubdb_list(db, (enum hubdb_listing)0, count_rows, &rows, &e), TERR_ARG);
	/* a watermark is a number, a key's presence a bool, a device's schools a list */
	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_DEVICES, typed_row, types, &e), 1);
	CHECK_STR_EQ(types, "id=T;kind=T;label=T;schools=L;enrolled_at=T;status=T;revoked_at=N;"
	    "watermark=I;last_seen_at=N;quarantine_dropped=I;pull_acked=I;pull_lag=I;pull_at=N;"
	    "box_key=B;");
	/* a field's conflict, listed with its values' types (the same on both stores) */
	{
		static const uint8_t rid[16] = { 1, [15] = 9 };
		const struct hubdb_conflict c = { rid, "survey_student", "170101", "q1", "да",
		    "0001", "0000000000000001", "нет", "0002", "0000000000000002" };

		CHECK_INT_EQ(hubdb_conflict_add(db, &c, &e), 0);
		types[0] = '\0';
		CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_CONFLICTS, typed_row, types, &e), 1);
		CHECK_STR_EQ(types, "id=I;record_id=T;form_id=T;school=T;field=T;loser_value=T;"
		    "loser_hlc=T;loser_device=T;winner_value=T;winner_hlc=T;winner_device=T;"
		    "logged_at=T;decision=T;decided_by=N;decided_at=N;");
		types[0] = '\0';
		CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_CONFLICTS, conflict_row, types, &e), 0);
		CHECK_STR_EQ(types, "01000000000000000000000000000009|q1");
	}
	for (int k = HUBDB_LIST_DEVICES; k <= HUBDB_LIST_PROGRAMMES; k++) {
		types[0] = '\0';
		CHECK(hubdb_list(db, (enum hubdb_listing)k, typed_row, types, &e) >= 0);
	}
}

/* Collects the dropped count of the device listed last in HUBDB_LIST_QUARANTINE_FULL. */
static int
dropped_row(void *ctx, size_t n, const struct hubdb_col *cols)
{
	char *out = ctx;
	const struct hubdb_col *d = hubdb_col_find(n, cols, "device_id");
	const struct hubdb_col *k = hubdb_col_find(n, cols, "dropped");

	if (d != NULL && k != NULL && d->type == HUBDB_COL_TEXT && k->type == HUBDB_COL_INT)
		snprintf(out, 64, "%s=%lld", d->s, k->i);
	return 0;
}

/*
 * The quarantine's cap per device: entries, then bytes; over it nothing is
 * stored and the device's dropped count grows; other devices are not hit.
 */
static void
test_quarantine_cap(struct hubdb *db)
{
	static const uint8_t env[64] = { 1 };
	uint8_t *big = calloc(1, HUBDB_QUARANTINE_MAX_BYTES);
	char last[64] = "";
	struct terr e;
	bool kept = false;
	int rows = 0;

	for (int i = 0; i < HUBDB_QUARANTINE_MAX_ENTRIES; i++) {
		CHECK_INT_EQ(hubdb_quarantine_add(db, "aaaaaaaaaaaaaaaa", (uint64_t)i + 1,
		    (uint64_t)i + 1, "fork", "r", env, sizeof(env), &kept, &e), 0);
		if (!kept)
			break;
	}
	CHECK(kept);
	CHECK_INT_EQ(hubdb_quarantine_add(db, "aaaaaaaaaaaaaaaa", 500, 500, "fork", "r", env,
	    sizeof(env), &kept, &e), 0);
	CHECK(!kept);
	CHECK_INT_EQ(hubdb_quarantine_add(db, "aaaaaaaaaaaaaaaa", 501, 501, "fork", "r", env,
	    sizeof(env), NULL, &e), 0);
	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_QUARANTINE, count_rows, &rows, &e), 0);
	CHECK_INT_EQ(rows, HUBDB_QUARANTINE_MAX_ENTRIES);
	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_QUARANTINE_FULL, dropped_row, last, &e), 0);
	CHECK_STR_EQ(last, "aaaaaaaaaaaaaaaa=2");
	/* bytes: one envelope that nearly fills the cap, then one that does not fit */
	CHECK(big != NULL);
	if (big != NULL) {
		CHECK_INT_EQ(hubdb_quarantine_add(db, "bbbbbbbbbbbbbbbb", 1, 1, "fork", "r", big,
		    HUBDB_QUARANTINE_MAX_BYTES - 1000, &kept, &e), 0);
		CHECK(kept);
		CHECK_INT_EQ(hubdb_quarantine_add(db, "bbbbbbbbbbbbbbbb", 2, 2, "fork", "r", big,
		    2000, &kept, &e), 0);
		CHECK(!kept);
		CHECK_INT_EQ(hubdb_quarantine_add(db, "bbbbbbbbbbbbbbbb", 3, 3, "fork", "r", big,
		    500, &kept, &e), 0);
		CHECK(kept);
		CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_QUARANTINE_FULL, dropped_row, last, &e), 0);
		CHECK_STR_EQ(last, "bbbbbbbbbbbbbbbb=1");
	}
	free(big);
}

static const char hub_schema1[] =
    "CREATE TABLE hub_records("
    " id BLOB PRIMARY KEY, form_id TEXT, form_version INTEGER, school TEXT,"
    " device_id TEXT, hlc TEXT, deleted INTEGER NOT NULL DEFAULT 0,"
    " data TEXT NOT NULL, received_at TEXT) WITHOUT ROWID;"
    "CREATE INDEX hub_records_form ON hub_records(form_id, school);"
    "CREATE TABLE hub_clocks(record_id BLOB PRIMARY KEY, clocks TEXT NOT NULL) WITHOUT ROWID;"
    "INSERT INTO hub_records VALUES(x'019a3e6e30007000800000000000cafe', 'test', 1, '170103',"
    " '0000000000000001', 'h1', 0, '{\"n\":1}', 't');"
    "INSERT INTO hub_records VALUES(x'019a3e6e30007000800000000000babe', 'test', 1, '170103',"
    " '0000000000000001', 'h2', 0, '{\"n\":2}', 't');"
    "INSERT INTO hub_clocks VALUES(x'019a3e6e30007000800000000000cafe', '{\"p\":[\"h1\",\"d\"]}');"
    "PRAGMA user_version = 1;";

/*
 * PostgreSQL has no schema 1: the two records of hub_schema1 written at the
 * current schema, one with its clocks and one with none, by a hub that
 * shares no form (so, like the migration's, neither has a feed position).
 */
static void
v1_records(const char *path)
{
	static const char *const ids[] = { "019a3e6e-3000-7000-8000-00000000cafe",
	    "019a3e6e-3000-7000-8000-00000000babe" };
	static char data[][16] = { "{\"n\":1}", "{\"n\":2}" };
	static char clocks[][32] = { "{\"p\":[\"h1\",\"d\"]}", "{}" };
	struct hubdb *db = NULL;
	struct hubdb_record r;
	struct terr e;

	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(hubdb_feed_forms(db, NULL, 0, 1, &e), 0);
	for (int i = 0; i < 2; i++) {
		memset(&r, 0, sizeof(r));
		CHECK_INT_EQ(uuid7_parse(ids[i], r.id), 0);
		snprintf(r.form_id, sizeof(r.form_id), "test");
		r.form_version = 1;
		snprintf(r.school, sizeof(r.school), "170103");
		snprintf(r.device_id, sizeof(r.device_id), "0000000000000001");
		snprintf(r.hlc, sizeof(r.hlc), "h%d", i + 1);
		r.data = data[i];
		r.clocks = clocks[i];
		CHECK_INT_EQ(hubdb_record_put(db, &r, &e), 0);
	}
	hubdb_close(db);
}

/*
 * A schema 1 database migrated to schema 2 (field clocks moved into the
 * record's row), its page size kept, a new one given the hub's (SQLite's
 * alone); on both stores records without feed positions numbered by the
 * first hubdb_feed_forms that shares their form, a store opened again at
 * its schema, and one of a newer hub refused and left as it was.
 */
static void
test_migration(const char *dir)
{
	char path[512], want[32];
	struct hubdb *db = NULL;
	struct hubdb_record r;
	struct terr e;
	uint8_t id[16];
	bool found;

	test_store(path, sizeof(path), dir, "hub-v1.db");
	if (test_store_pg())
		v1_records(path);
	else
		CHECK_INT_EQ(test_store_exec(path, hub_schema1), 0);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(uuid7_parse("019a3e6e-3000-7000-8000-00000000cafe", id), 0);
	CHECK_INT_EQ(hubdb_record_get(db, id, &r, &found, &e), 0);
	CHECK(found);
	if (found) {
		CHECK_STR_EQ(r.data, "{\"n\":1}");
		CHECK_STR_EQ(r.clocks, "{\"p\":[\"h1\",\"d\"]}");
		hubdb_record_clear(&r);
	}
	/* a record that had no clocks row gets the empty document */
	CHECK_INT_EQ(uuid7_parse("019a3e6e-3000-7000-8000-00000000babe", id), 0);
	CHECK_INT_EQ(hubdb_record_get(db, id, &r, &found, &e), 0);
	CHECK(found);
	if (found) {
		CHECK_STR_EQ(r.clocks, "{}");
		hubdb_record_clear(&r);
	}
	hubdb_close(db);
	CHECK_INT_EQ(store_version(path), HUBDB_SCHEMA_VERSION);
	if (!test_store_pg())
		CHECK_INT_EQ(test_store_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE "
		    "name = 'hub_clocks'"), 0);
	CHECK_INT_EQ(test_store_int(path, "SELECT COUNT(*) FROM hub_records"), 2);
	/* schema 4: the store cannot tell which forms are shared, so it numbers
	 * no record; the hub's first hubdb_feed_forms numbers those it shares */
	CHECK_INT_EQ(test_store_int(path, "SELECT COUNT(*) FROM hub_records WHERE feed_pos IS NOT "
	    "NULL"), 0);
	CHECK_INT_EQ(test_store_int(path, "SELECT pos FROM feed_head"), 0);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL) {
		const char *shared[] = { "test" };

		CHECK_INT_EQ(hubdb_feed_forms(db, shared, 1, 7, &e), 0);
		CHECK_INT_EQ(hubdb_feed_forms_tag(db), 7);
		hubdb_close(db);
	}
	CHECK_INT_EQ(test_store_int(path, "SELECT COUNT(DISTINCT feed_pos) FROM hub_records WHERE "
	    "feed_pos > 0"), 2);
	CHECK_INT_EQ(test_store_int(path, "SELECT pos FROM feed_head"), 2);
	/* an existing database keeps its page size; a new one gets the hub's
	 * (SQLite's pages: PostgreSQL's are the server's) */
	if (!test_store_pg()) {
		CHECK_INT_EQ(test_store_int(path, "PRAGMA page_size"), 4096);
		test_store(path, sizeof(path), dir, "hub-new.db");
		CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
		hubdb_close(db);
		CHECK_INT_EQ(test_store_int(path, "PRAGMA page_size"), HUBDB_PAGE_SIZE);
		test_store(path, sizeof(path), dir, "hub-v1.db");
	}
	/* opened again: nothing left to migrate */
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	hubdb_close(db);
	CHECK_INT_EQ(store_version(path), HUBDB_SCHEMA_VERSION);
	/* a newer hub's database is refused and left as it was */
	CHECK_INT_EQ(store_set_version(path, HUBDB_SCHEMA_VERSION + 1), 0);
	db = NULL;
	CHECK_INT_EQ(hubdb_open(path, &db, &e), TERR_VERSION);
	CHECK(db == NULL);
	snprintf(want, sizeof(want), "схема %d", HUBDB_SCHEMA_VERSION + 1);
	CHECK_CONTAINS(e.msg, want);
	CHECK_CONTAINS(e.msg, "более новой");
	CHECK_INT_EQ(store_version(path), HUBDB_SCHEMA_VERSION + 1);
	CHECK_INT_EQ(test_store_int(path, "SELECT COUNT(*) FROM hub_records"), 2);
}

/*
 * Schema 4 -> 5: a store whose stored sets are in the WITHOUT ROWID table
 * of schema 4 gets the rowid table, every set kept and found as before.
 * PostgreSQL has no schema 4 (SQLite's tables only): there the same sets
 * are found, and kept unique, at the current schema.
 */
static void
test_migration_4_5(const char *dir)
{
	static const char to_v4[] =
	    "CREATE TABLE c4("
	    " device_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
	    " set_hash BLOB NOT NULL, status TEXT NOT NULL, http_status INTEGER NOT NULL,"
	    " envelope BLOB NOT NULL, ack BLOB NOT NULL, received_at TEXT NOT NULL,"
	    " PRIMARY KEY(device_id, first_seq)) WITHOUT ROWID;"
	    "INSERT INTO c4 SELECT * FROM changesets;"
	    "DROP TABLE changesets;"
	    "ALTER TABLE c4 RENAME TO changesets;"
	    "PRAGMA user_version = 4;";
	const char *const devs[] = { "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb" };
	uint8_t hash[CHANGESET_HASH_BYTES], got[CHANGESET_HASH_BYTES];
	const uint8_t env[] = "envelope", ack[] = "ack";
	char path[512];
	struct hubdb *db = NULL;
	struct tbuf *b = tbuf_new(64);
	struct terr e;
	bool found;
	int status;

	test_store(path, sizeof(path), dir, "hub-v4.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL || b == NULL) {
		tbuf_free(b);
		return;
	}
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	for (uint64_t s = 1; s <= 3; s++)
		for (size_t d = 0; d < 2; d++) {
			memset(hash, (int)(s * 2 + d), sizeof(hash));
			CHECK_INT_EQ(hubdb_set_put(db, devs[d], s, s, hash, "applied", 200, env,
			    sizeof(env), ack, sizeof(ack), &e), 0);
		}
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	hubdb_close(db);
	if (!test_store_pg()) {
		CHECK_INT_EQ(test_store_exec(path, to_v4), 0);
		CHECK_INT_EQ(test_store_int(path, "SELECT wr FROM pragma_table_list WHERE "
		    "name = 'changesets'"), 1);
	}
	db = NULL;
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL) {
		memset(hash, 2 * 2 + 1, sizeof(hash));
		CHECK_INT_EQ(hubdb_set_get(db, devs[1], 2, 2, &found, got, &status, b, &e), 0);
		CHECK(found);
		CHECK_INT_EQ(status, 200);
		CHECK(memcmp(got, hash, sizeof(hash)) == 0);
		CHECK_INT_EQ((int)tbuf_len(b), (int)sizeof(ack));
		/* the key still holds: the same set cannot be stored twice */
		CHECK(hubdb_set_put(db, devs[1], 2, 2, hash, "applied", 200, env, sizeof(env),
		    ack, sizeof(ack), &e) != 0);
		hubdb_close(db);
	}
	CHECK_INT_EQ(store_version(path), HUBDB_SCHEMA_VERSION);
	CHECK_INT_EQ(test_store_int(path, "SELECT COUNT(*) FROM changesets"), 6);
	if (!test_store_pg()) {
		CHECK_INT_EQ(test_store_int(path, "SELECT wr FROM pragma_table_list WHERE "
		    "name = 'changesets'"), 0);
		CHECK_INT_EQ(test_store_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE "
		    "name = 'changesets_v4'"), 0);
	}
	tbuf_free(b);
}

/* EXPLAIN QUERY PLAN of sql on the store at path, its details joined by "; ". */
static void
db_plan(const char *path, const char *sql, char *out, size_t cap)
{
	sqlite3 *raw = NULL;
	sqlite3_stmt *st = NULL;
	char q[512];
	size_t n = 0;

	out[0] = '\0';
	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_open(path, &raw) == SQLITE_OK && sqlite3_prepare_v2(raw, q, -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW && n + 1 < cap) {
			int w = snprintf(out + n, cap - n, "%s; ", (const char *)sqlite3_column_text(st, 3));

			if (w < 0 || (size_t)w >= cap - n)
				break;
			n += (size_t)w;
		}
	sqlite3_finalize(st);
	sqlite3_close(raw);
}

/*
 * Schema 5 -> 6: the records keyed by id become keyed by form, HLC and id.
 * Every record is kept and found by its id as before, the id stays unique,
 * the feed's positions and index are kept, and a report's read of one
 * form is a range of the table itself (no index, no sort). PostgreSQL
 * begins at schema 6: there the same records are found by id, the id
 * kept unique and the key and indexes checked in its catalogue (its
 * heap has no order of its own, and its plans are not SQLite's).
 */
static void
test_migration_5_6(const char *dir)
{
	static const char to_v5[] =
	    "CREATE TABLE r5("
	    " id BLOB PRIMARY KEY, form_id TEXT, form_version INTEGER, school TEXT,"
	    " device_id TEXT, hlc TEXT, deleted INTEGER NOT NULL DEFAULT 0,"
	    " data TEXT NOT NULL, received_at TEXT, clocks TEXT NOT NULL DEFAULT '{}',"
	    " feed_pos INTEGER) WITHOUT ROWID;"
	    "INSERT INTO r5 SELECT id, form_id, form_version, school, device_id, hlc, deleted,"
	    " data, received_at, clocks, feed_pos FROM hub_records;"
	    "DROP TABLE hub_records;"
	    "ALTER TABLE r5 RENAME TO hub_records;"
	    "CREATE INDEX hub_records_report ON hub_records(form_id, deleted, hlc);"
	    "CREATE INDEX hub_records_feed ON hub_records(school, form_id, feed_pos)"
	    " WHERE feed_pos IS NOT NULL;"
	    "UPDATE hub_records SET feed_pos = 40 + length(data) WHERE form_id = 'visit';"
	    "PRAGMA user_version = 5;";
	static const char report_sql[] =
	    "SELECT school, form_id, hlc, data FROM hub_records WHERE form_id = 'visit'"
	    " AND deleted = 0 ORDER BY hlc, id";
	char path[512], plan[512];
	struct hubdb *db = NULL;
	struct hubdb_record r;
	struct terr e;
	uint8_t id[16];
	int64_t feed_sum;
	bool found;
	int v;

	test_store(path, sizeof(path), dir, "hub-v5.db");
	/* no store yet: version 0, and the peek creates nothing */
	v = -1;
	CHECK_INT_EQ(hubdb_peek_version(path, &v, &e), 0);
	CHECK_INT_EQ(v, 0);
	if (test_store_pg())
		CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM pg_tables WHERE "
		    "schemaname = 'public'"), 0);
	else
		CHECK(access(path, F_OK) != 0);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	/* ids in the opposite order to the HLCs: the new key orders by HLC */
	for (int i = 0; i < 40; i++) {
		char data[32];

		memset(&r, 0, sizeof(r));
		r.id[0] = 0x01;
		r.id[15] = (uint8_t)(200 - i);
		snprintf(data, sizeof(data), "{\"n\":%d}", i);
		snprintf(r.hlc, sizeof(r.hlc), "%012x-0000-aaaaaaaaaaaaaaaa", 1000 + i);
		snprintf(r.form_id, sizeof(r.form_id), "%s", i % 2 ? "visit" : "survey_student");
		r.form_version = 1;
		snprintf(r.school, sizeof(r.school), "170103");
		snprintf(r.device_id, sizeof(r.device_id), "aaaaaaaaaaaaaaaa");
		r.deleted = i == 7;
		r.data = data;
		r.clocks = "{}";
		CHECK_INT_EQ(hubdb_record_put(db, &r, &e), 0);
	}
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	hubdb_close(db);
	/* SQLite's schema 5 and its migration (PostgreSQL has none: the records
	 * are read back at the current schema) */
	if (!test_store_pg()) {
		CHECK_INT_EQ(test_store_exec(path, to_v5), 0);
		/* the version read without opening the store for writing */
		CHECK_INT_EQ(hubdb_peek_version(path, &v, &e), 0);
		CHECK_INT_EQ(v, 5);
	}
	CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM hub_records"), 40);
	feed_sum = test_store_int(path, "SELECT sum(feed_pos) FROM hub_records");
	CHECK(feed_sum > 0);
	if (!test_store_pg()) {
		/* a migration that cannot finish (here a table in the way) leaves
		 * the store as it was */
		CHECK_INT_EQ(test_store_exec(path, "CREATE TABLE hub_records_v5(x)"), 0);
		db = NULL;
		CHECK_INT_EQ(hubdb_open(path, &db, &e), TERR_IO);
		CHECK(db == NULL);
		CHECK_CONTAINS(e.msg, "hub_records_v5");
		CHECK_INT_EQ(store_version(path), 5);
		CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM hub_records"), 40);
		CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM sqlite_master WHERE "
		    "name = 'hub_records_report'"), 1);
		CHECK_INT_EQ(test_store_exec(path, "DROP TABLE hub_records_v5"), 0);
	}
	db = NULL;
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL) {
		memset(id, 0, sizeof(id));
		id[0] = 0x01;
		id[15] = 200 - 9;
		CHECK_INT_EQ(hubdb_record_get(db, id, &r, &found, &e), 0);
		CHECK(found);
		if (found) {
			CHECK_STR_EQ(r.data, "{\"n\":9}");
			CHECK_STR_EQ(r.form_id, "visit");
			CHECK_STR_EQ(r.hlc, "0000000003f1-0000-aaaaaaaaaaaaaaaa");
			hubdb_record_clear(&r);
		}
		hubdb_close(db);
	}
	CHECK_INT_EQ(store_version(path), HUBDB_SCHEMA_VERSION);
	CHECK_INT_EQ(hubdb_peek_version(path, &v, &e), 0);
	CHECK_INT_EQ(v, HUBDB_SCHEMA_VERSION);
	CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM hub_records"), 40);
	CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM hub_records WHERE deleted = 1"), 1);
	CHECK_INT_EQ(test_store_int(path, "SELECT sum(feed_pos) FROM hub_records"), feed_sum);
	/* the id is still a record's identity: the same id under another key is refused */
	CHECK(store_refuses(path, "INSERT INTO hub_records(id, form_id, hlc, data) SELECT id,"
	    " 'other', hlc, data FROM hub_records LIMIT 1"));
	CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM hub_records"), 40);
	if (test_store_pg()) {
		/* keyed by form, HLC and id, with the id's and the feed's indexes */
		CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM pg_indexes WHERE "
		    "tablename = 'hub_records' AND indexname = 'hub_records_pkey' AND "
		    "indexdef LIKE '%(form_id, hlc, id)'"), 1);
		CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM pg_indexes WHERE "
		    "tablename = 'hub_records' AND indexname IN ('hub_records_id', "
		    "'hub_records_feed')"), 2);
		/* the plans below are SQLite's; PostgreSQL's planner is not asked */
		CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
		if (db != NULL) {
			CHECK_INT_EQ(hubdb_test_feed_plans(db, plan, sizeof(plan), &e), TERR_ARG);
			hubdb_close(db);
		}
		return;
	}
	CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'hub_records_v5'"), 0);
	CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'hub_records_report'"), 0);
	CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND"
	    " tbl_name = 'hub_records' AND name IN ('hub_records_id', 'hub_records_feed')"), 2);
	/* the table's own order is the report's: form, then HLC */
	CHECK_INT_EQ(test_store_int(path, "SELECT count(*) FROM (SELECT hlc, lag(hlc) OVER () AS prev"
	    " FROM hub_records WHERE form_id = 'visit') WHERE prev > hlc"), 0);
	db_plan(path, report_sql, plan, sizeof(plan));
	CHECK_CONTAINS(plan, "PRIMARY KEY");
	CHECK(strstr(plan, "TEMP B-TREE") == NULL);
	db_plan(path, "SELECT data FROM hub_records WHERE id = x'01'", plan, sizeof(plan));
	CHECK_CONTAINS(plan, "hub_records_id");
	/* the feed's own statements: through its index, never a range of the key */
	db = NULL;
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL) {
		CHECK_INT_EQ(hubdb_test_feed_plans(db, plan, sizeof(plan), &e), 0);
		CHECK_CONTAINS(plan, "hub_records_feed (school=? AND form_id=? AND feed_pos>?)");
		CHECK_CONTAINS(plan, "hub_records_feed (school=? AND form_id=? AND feed_pos=?)");
		CHECK(strstr(plan, "PRIMARY KEY") == NULL);
		hubdb_close(db);
	}
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
	test_store(path, sizeof(path), dir, "hub.db");
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
	test_listings(db);
	test_quarantine_cap(db);
	test_transactions(db, other);
	test_savepoints(db);
	test_device_ask(db);
	test_open_more(path, db);
	test_hooks_and_full(db);

	hubdb_close(other);
	hubdb_close(db);
	test_migration(dir);
	test_migration_4_5(dir);
	test_migration_5_6(dir);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
