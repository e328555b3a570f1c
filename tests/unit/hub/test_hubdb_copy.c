/*
 * test_hubdb_copy — hubdb_copy_all, what `tetrad-hub migrate` runs.
 * The copy's target is a fresh database of the tests' PostgreSQL cluster
 * (test_store; the unit/hub-pg lane runs it, the SQLite lane skips), its source a SQLite file filled through the real store
 * and the real ingest (devices enrolled by tokens, sets sealed and pushed,
 * a conflict, quarantined forks, the reports' records, results, settings,
 * calendar, the dashboard's accounts), so every table holds rows.
 *
 * After the copy the PostgreSQL store must read as the SQLite one did:
 * every report (all schools and each school) byte for byte, every listing,
 * each device's watermark, hash, box key and pull cursor, each record with
 * its clocks, the conflicts; a device's next set is applied there and a
 * set sent again gets the same signed acknowledgement (devices notice
 * nothing). Copied back into a new SQLite file, every table equals the
 * source value for value and type for type. A second copy into the same
 * database, a store with a column the copy does not know, and a value of
 * the wrong type are refused with nothing written; a password in a
 * connection string is refused. The copy's table list is held against
 * SQLite's schema (sqlite_master): a table or column added to the schema
 * and not to the copy fails here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_fixture.h"
#include "hub/hubdb_calendar.h"
#include "hub/hubdb_web.h"
#include "hub/report.h"

static int rec_counter;

/* A SQLite file's first column of its first row (the engine of the test's
 * lane is PostgreSQL, so test_store_int would take the path for a database). */
static long long
lite_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		fprintf(stderr, "lite_int %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int
lite_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "lite_exec %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}

/* Every table of a new SQLite store is one the copy knows, with the same columns. */
static void
test_table_list(void)
{
	char path[512], cols[1024];
	struct hubdb *db = NULL;
	struct terr e;
	sqlite3 *lite = NULL;
	sqlite3_stmt *st = NULL;
	size_t ntables = 0, nlist = 0;

	snprintf(path, sizeof(path), "%s/list.db", tmpdir);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	hubdb_close(db);
	while (hubdb_copy_table(nlist, NULL) != NULL)
		nlist++;
	CHECK_INT_EQ(sqlite3_open(path, &lite), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_prepare_v2(lite, "SELECT m.name, group_concat(p.name, ',') FROM "
	    "sqlite_master AS m, pragma_table_info(m.name) AS p WHERE m.type = 'table' AND "
	    "m.name NOT LIKE 'sqlite!_%' ESCAPE '!' GROUP BY m.name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *have = NULL;
		size_t i;

		ntables++;
		for (i = 0; hubdb_copy_table(i, NULL) != NULL; i++)
			if (strcmp(hubdb_copy_table(i, &have), name) == 0)
				break;
		if (hubdb_copy_table(i, NULL) == NULL)
			fprintf(stderr, "table %s of the schema is not in hubdb_copy.c's list\n", name);
		CHECK(hubdb_copy_table(i, NULL) != NULL);
		snprintf(cols, sizeof(cols), "%s", (const char *)sqlite3_column_text(st, 1));
		if (have != NULL)
			CHECK_STR_EQ(have, cols);
	}
	sqlite3_finalize(st);
	sqlite3_close(lite);
	CHECK_INT_EQ((long long)ntables, (long long)nlist);
}

static void
put(struct hubdb *db, const char *form, const char *school, int deleted,
    const char *received, const char *data)
{
	struct hubdb_record r;
	struct terr e;

	memset(&r, 0, sizeof(r));
	rec_counter++;
	r.id[0] = 0x42;
	r.id[15] = (unsigned char)rec_counter;
	snprintf(r.hlc, sizeof(r.hlc), "%020d", rec_counter);
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 1;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00112233aabbccdd");
	r.deleted = deleted != 0;
	r.data = strdup(data);
	CHECK_INT_EQ(hubdb_record_import(db, &r, received, &e), 0);
	hubdb_record_clear(&r);
}

/* The reports' data, the calendar, the dashboard and the rest of the tables. */
static void
fill_tables(struct hubdb *db, const char *lite_path)
{
	struct hubdb_result res = { "170101", 2021, "vpr4_rus", 12.375 };
	struct hubdb_profile pr = { "170101", 2021, "R01", "high" };
	struct hubdb_user u;
	struct hubdb_session s;
	struct hubdb_audit a;
	const char *shared[] = { "test" };
	static const uint8_t bundle[] = { 0, 1, 2, 0, 255, 'x' };
	char tok[TOKENS_TEXT_MAX + 1];
	struct terr e;

	put(db, "risk_visit", "170101", 0, "2021-03-02T08:00:00Z", "{\"visit_type\":"
	    "\"verification\",\"visit_date\":\"2021-03-01\",\"factors\":[{\"factor\":\"R01\","
	    "\"decision\":\"confirmed\"},{\"factor\":\"R02\",\"decision\":\"not_confirmed\"}]}");
	put(db, "risk_visit", "170102", 1, "2021-03-02T08:00:00Z", "{\"visit_date\":"
	    "\"2021-03-03\",\"factors\":[{\"factor\":\"R01\",\"decision\":\"confirmed\"}]}");
	put(db, "mediation_case", "170101", 0, "2021-02-01T08:00:00Z", "{\"received_date\":"
	    "\"2021-02-01\",\"source\":\"teacher\",\"situation_kind\":\"conflict\","
	    "\"conflict_type\":\"student_student\",\"status\":\"completed\",\"programme\":"
	    "\"mediation\",\"children_count\":2,\"adults_count\":1,\"agreement\":true}");
	put(db, "social_passport", "170102", 0, "2021-09-25T08:00:00Z", "{\"academic_year\":"
	    "\"2021/2022\",\"snapshot_date\":\"2021-09-25\",\"level\":\"school\","
	    "\"students_total\":100,\"families_total\":90,\"low_income_families\":10}");
	put(db, "survey_student", "170101", 0, "2021-05-10T10:00:00Z", "{\"grade\":5,"
	    "\"enough_equipment\":4,\"feel_safe\":5,\"bullying\":\"never\","
	    "\"difficult_subjects\":[\"math\",\"russian\"],\"russian_at_home\":true}");
	put(db, "survey_teacher", "170102", 0, "2021-05-11T10:00:00Z",
	    "{\"experience\":\"lt3\",\"team_climate\":3}");
	CHECK_INT_EQ(hubdb_school_put(db, "170101", "Школа № 1", &e), 0);
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	res.indicator = "isbsh";
	res.value = -0.1;
	CHECK_INT_EQ(hubdb_result_put(db, &res, &e), 0);
	CHECK_INT_EQ(report_setting_set(db, "identification.low_threshold", "25", &e), 0);
	CHECK_INT_EQ(hubdb_programme_put(db, "170102", 2021, "shnor", true, &e), 0);
	CHECK_INT_EQ(hubdb_profile_put(db, &pr, &e), 0);
	memset(&u, 0, sizeof(u));
	snprintf(u.login, sizeof(u.login), "admin");
	snprintf(u.role, sizeof(u.role), "admin");
	snprintf(u.pwhash, sizeof(u.pwhash), "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
	CHECK_INT_EQ(hubdb_user_add(db, &u, &e), 0);
	CHECK_INT_EQ(hubdb_user_set_failures(db, "admin", 2, 1790000000, &e), 0);
	memset(&s, 0, sizeof(s));
	memset(s.hash, 0xab, sizeof(s.hash));
	snprintf(s.login, sizeof(s.login), "admin");
	snprintf(s.csrf, sizeof(s.csrf), "%064d", 7);
	s.created_at = s.seen_at = 1790000000;
	snprintf(s.addr, sizeof(s.addr), "127.0.0.1");
	CHECK_INT_EQ(hubdb_session_add(db, &s, &e), 0);
	memset(&a, 0, sizeof(a));
	snprintf(a.login, sizeof(a.login), "admin");
	snprintf(a.addr, sizeof(a.addr), "127.0.0.1");
	snprintf(a.action, sizeof(a.action), "login");
	snprintf(a.object, sizeof(a.object), "-");
	snprintf(a.outcome, sizeof(a.outcome), "ok");
	CHECK_INT_EQ(hubdb_audit_add(db, &a, &e), 0);
	CHECK_INT_EQ(hubdb_audit_add(db, &a, &e), 0);
	CHECK_INT_EQ(hubdb_form_put(db, "test", 2, "00ff", bundle, sizeof(bundle), &e), 0);
	CHECK_INT_EQ(hubdb_feed_forms(db, shared, 1, 7, &e), 0);
	CHECK_INT_EQ(tokens_create(db, "curator", "Куратор", "170101,170102", 3600, tok, &e), 0);
	/* no writer of the store marks a prefix stale now but the migration from schema 2 */
	CHECK_INT_EQ(lite_exec(lite_path, "INSERT INTO tally_stale(form_prefix) VALUES('zz_')"),
	    SQLITE_OK);
	/* a quarantine over its cap: the 101st set of a device is only counted */
	for (int i = 0; i <= HUBDB_QUARANTINE_MAX_ENTRIES; i++)
		CHECK_INT_EQ(hubdb_quarantine_add(db, "ffffffffffffffff", 100 + (uint64_t)i,
		    100 + (uint64_t)i, "fork", "тест", (const uint8_t *)"\0x", 2, NULL, &e), 0);
}

struct snap {
	FILE *f;
	char *buf;
	size_t len;
};

static int
snap_row(void *ctx, size_t ncols, const struct hubdb_col *cols)
{
	FILE *f = ctx;

	for (size_t i = 0; i < ncols; i++)
		fprintf(f, "%s=%d:%lld:%s|", cols[i].key, (int)cols[i].type, cols[i].i,
		    cols[i].s ? cols[i].s : "-");
	fputc('\n', f);
	return 0;
}

static int
snap_school(void *ctx, const struct hubdb_report_school *s)
{
	fprintf(ctx, "%s\n", s->code);
	return 0;
}

static int
snap_conflict(void *ctx, const struct hubdb_conflict_row *c)
{
	fprintf(ctx, "conflict %lld %s %s %s %s %s %s %s %s %s\n", (long long)c->id, c->form_id,
	    c->school, c->field, c->loser_value ? c->loser_value : "-", c->winner_value ?
	    c->winner_value : "-", c->loser_hlc, c->winner_hlc, c->decision, c->logged_at);
	return 0;
}

static void
snap_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* Everything the hub reads of a store, as text: reports, listings, devices, records. */
static char *
snapshot(struct hubdb *db, const char *lite_path, const char *const *devs, size_t ndevs)
{
	static const char *const reports[] = { "verification", "mediation", "passport",
	    "surveys", "identification", "completeness", "settings" };
	char schools[16][32];
	size_t nschools = 0;
	struct snap s = { 0 };
	struct terr e;
	sqlite3 *lite = NULL;
	sqlite3_stmt *st = NULL;
	char *list = NULL;
	size_t llen = 0;
	long long total = 0;
	FILE *lf = open_memstream(&list, &llen);

	s.f = open_memstream(&s.buf, &s.len);
	CHECK_INT_EQ(hubdb_report_schools(db, snap_school, lf, &e), 0);
	fclose(lf);
	for (char *p = list, *nl; p && *p && nschools < 16; p = nl + 1) {
		nl = strchr(p, '\n');
		snprintf(schools[nschools++], sizeof(schools[0]), "%.*s", (int)(nl - p), p);
	}
	free(list);
	CHECK(nschools >= 2);
	for (size_t r = 0; r < sizeof(reports) / sizeof(reports[0]); r++)
		for (size_t k = 0; k <= nschools; k++) {
			struct report_opts o = { 0 };

			o.name = reports[r];
			o.school = k < nschools ? schools[k] : NULL;
			o.format = REPORT_JSON;
			o.forms_dir = TETRAD_FORMS_DIR;
			fprintf(s.f, "report %s %s\n", o.name, o.school ? o.school : "*");
			terr_clear(&e);
			CHECK_INT_EQ(report_run(db, &o, s.f, &e), 0);
			if (e.msg[0])
				fprintf(stderr, "report %s: %s\n", o.name, e.msg);
		}
	for (int what = HUBDB_LIST_DEVICES; what <= HUBDB_LIST_AUDIT; what++) {
		fprintf(s.f, "listing %d\n", what);
		terr_clear(&e);
		CHECK_INT_EQ(hubdb_list(db, (enum hubdb_listing)what, snap_row, s.f, &e), 0);
		if (e.msg[0])
			fprintf(stderr, "listing %d: %s\n", what, e.msg);
	}
	CHECK_INT_EQ(hubdb_conflicts_each(db, false, 1000, snap_conflict, s.f, &total, &e), 0);
	fprintf(s.f, "conflicts %lld\n", total);
	for (size_t i = 0; i < ndevs; i++) {
		struct hubdb_device d;
		bool found = false;

		CHECK_INT_EQ(hubdb_device_get(db, devs[i], &d, &found, &e), 0);
		CHECK(found);
		fprintf(s.f, "device %s %s %s %s %d %s %llu %d %llu ", d.id, d.kind, d.label,
		    d.schools, d.revoked, d.revoked_at, (unsigned long long)d.watermark, d.has_box,
		    (unsigned long long)d.pull_acked);
		snap_hex(s.f, d.pk, sizeof(d.pk));
		fputc(' ', s.f);
		snap_hex(s.f, d.last_hash, sizeof(d.last_hash));
		fputc(' ', s.f);
		snap_hex(s.f, d.box_pk, sizeof(d.box_pk));
		fputc('\n', s.f);
	}
	/* the ids from the source's file; each record through the store */
	CHECK_INT_EQ(sqlite3_open(lite_path, &lite), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_prepare_v2(lite, "SELECT id FROM hub_records ORDER BY id", -1, &st,
	    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct hubdb_record r;
		char received[HUBDB_TIME_MAX];
		bool found = false;

		CHECK_INT_EQ(sqlite3_column_bytes(st, 0), 16);
		CHECK_INT_EQ(hubdb_record_get(db, sqlite3_column_blob(st, 0), &r, &found, &e), 0);
		CHECK(found);
		CHECK_INT_EQ(hubdb_record_received(db, sqlite3_column_blob(st, 0), received, &found,
		    &e), 0);
		fprintf(s.f, "record ");
		snap_hex(s.f, r.id, sizeof(r.id));
		fprintf(s.f, " %s %u %s %s %s %d %s %s %s\n", r.form_id, r.form_version, r.school,
		    r.device_id, r.hlc, r.deleted, r.data, r.clocks, received);
		hubdb_record_clear(&r);
	}
	sqlite3_finalize(st);
	sqlite3_close(lite);
	fclose(s.f);
	return s.buf;
}

/* Says where two snapshots part, so a failure shows what differs. */
static void
check_same(const char *a, const char *b)
{
	size_t i = 0;

	while (a[i] && a[i] == b[i])
		i++;
	if (a[i] != b[i])
		fprintf(stderr, "snapshots differ at %zu:\n--- before: %.300s\n--- after:  %.300s\n",
		    i, a + (i > 100 ? i - 100 : 0), b + (i > 100 ? i - 100 : 0));
	CHECK(a[i] == b[i]);
}

struct counts {
	char table[32][32];
	uint64_t rows[32];
	size_t n;
};

static void
count_progress(void *ctx, const char *table, uint64_t done, uint64_t total)
{
	struct counts *c = ctx;

	CHECK(done <= total);
	if (done == total && c->n < 32) {
		snprintf(c->table[c->n], sizeof(c->table[0]), "%s", table);
		c->rows[c->n++] = total;
	}
}

/* Every table of two SQLite files equal, value for value and type for type. */
static void
check_lite_equal(const char *a, const char *b)
{
	char sql[8192];
	const char *cols;

	for (size_t i = 0; hubdb_copy_table(i, &cols) != NULL; i++) {
		const char *t = hubdb_copy_table(i, NULL);
		char typed[1500];
		size_t n = 0;
		const char *p = cols;

		/* each column and its type: 1 and 1.0 or '1' are not the same value here */
		while (*p) {
			size_t k = strcspn(p, ",");

			n += (size_t)snprintf(typed + n, sizeof(typed) - n, "%s%.*s, typeof(%.*s)",
			    n ? ", " : "", (int)k, p, (int)k, p);
			p += k + (p[k] == ',');
		}
		snprintf(sql, sizeof(sql), "ATTACH '%s' AS o; SELECT (SELECT count(*) FROM main.%s)"
		    " = (SELECT count(*) FROM o.%s) AND NOT EXISTS(SELECT %s FROM main.%s EXCEPT "
		    "SELECT %s FROM o.%s)", b, t, t, typed, t, typed, t);
		{
			sqlite3 *db = NULL;
			sqlite3_stmt *st = NULL;
			const char *tail = NULL;
			int same = 0;

			CHECK_INT_EQ(sqlite3_open(a, &db), SQLITE_OK);
			CHECK_INT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, &tail), SQLITE_OK);
			CHECK_INT_EQ(sqlite3_step(st), SQLITE_DONE);
			sqlite3_finalize(st);
			st = NULL;
			CHECK_INT_EQ(sqlite3_prepare_v2(db, tail, -1, &st, NULL), SQLITE_OK);
			if (sqlite3_step(st) == SQLITE_ROW)
				same = sqlite3_column_int(st, 0);
			if (!same)
				fprintf(stderr, "table %s differs after the round trip\n", t);
			CHECK_INT_EQ(same, 1);
			sqlite3_finalize(st);
			sqlite3_close(db);
		}
	}
}

static void
test_conninfo(void)
{
	struct terr e;

	CHECK_INT_EQ(hubdb_check_name("host=/tmp dbname=hub user=tetrad", &e), 0);
	CHECK_INT_EQ(hubdb_check_name("host=/tmp dbname=hub passfile=/etc/t/pgpass", &e),
	    0);
	CHECK_INT_EQ(hubdb_check_name("postgresql://tetrad@db.example/hub", &e), 0);
	CHECK_INT_EQ(hubdb_check_name("host=/tmp dbname=hub password=secret", &e),
	    TERR_ARG);
	CHECK_CONTAINS(e.msg, "PGPASSFILE");
	CHECK_INT_EQ(hubdb_check_name("postgresql://tetrad:secret@db.example/hub", &e),
	    TERR_ARG);
	CHECK_INT_EQ(hubdb_check_name("postgresql://tetrad@db.example/hub?password=x",
	    &e), TERR_ARG);
	CHECK_INT_EQ(hubdb_check_name("host=/tmp dbname='hub", &e), TERR_ARG);
}

int
main(void)
{
	struct th src, dst, back;
	struct dev a, b, c;
	struct outcome o, o1, again;
	struct opspec op1 = { R1, "170101", NOW - 5000, "{\"n\":5,\"t\":\"a\"}", NULL };
	struct opspec op2 = { R2, "170101", NOW - 4000, "{\"n\":6}", NULL };
	struct opspec opb = { R1, "170101", NOW - 9000, "{\"t\":\"b\"}", NULL };
	struct opspec opf = { R3, "170101", NOW - 8000, "{\"n\":1}", NULL };
	struct opspec op3 = { R3, "170101", NOW - 1000, "{\"n\":7}", NULL };
	char srcpath[512], dstpath[1024], backpath[512], otherpath[1024], sql[256];
	const char *devs[3];
	struct tbuf *s1, *s, *fork;
	struct counts cnt = { .n = 0 };
	char *before, *after;
	uint8_t box[KEYS_ENC_PK_BYTES];
	long long qmax, amax;
	bool reg;
	struct terr e;

	if (!test_store_pg()) {
		fprintf(stderr, "SKIP: the copy's target is a database of the tests' PostgreSQL "
		    "cluster (TETRAD_TEST_PG_ENV is not set)\n");
		return 77;
	}
	CHECK_INT_EQ(fixture_init("test_hubdb_copy"), 0);
	test_conninfo();
	test_table_list();

	/* the source: a SQLite hub as devices and people filled it */
	snprintf(srcpath, sizeof(srcpath), "%s/src.db", tmpdir);
	th_open_at(&src, srcpath);
	dev_new(&a);
	dev_new(&b);
	dev_new(&c);
	enroll(&src, &a, "school", "170101");
	enroll(&src, &b, "school", "170101");
	enroll(&src, &c, "curator", "170101,170102");
	s1 = seal(&a, "170101", &op1, 1, true);
	push(&src, s1, NOW, &o1);
	CHECK_STR_EQ(o1.status, "applied");
	s = seal(&a, "170101", &op2, 1, true);
	push(&src, s, NOW, &o);
	CHECK_STR_EQ(o.status, "applied");
	outcome_free(&o);
	tbuf_free(s);
	/* b's older value of R1's field t loses against a's: a conflict */
	s = seal(&b, "170101", &opb, 1, true);
	push(&src, s, NOW, &o);
	CHECK_STR_EQ(o.status, "applied");
	CHECK_INT_EQ(o.conflicts, 1);
	outcome_free(&o);
	tbuf_free(s);
	/* b's set 1 again with other content: a fork, quarantined */
	b.next--;
	fork = seal(&b, "170101", &opf, 1, false);
	b.next++;
	push(&src, fork, NOW, &o);
	CHECK_STR_EQ(o.status, "fork");
	outcome_free(&o);
	tbuf_free(fork);
	randombytes_buf(box, sizeof(box));
	CHECK_INT_EQ(hubdb_device_box(src.db, c.id, box, &reg, &e), 0);
	CHECK_INT_EQ(hubdb_device_pull_ack(src.db, c.id, 2, &e), 0);
	CHECK_INT_EQ(hubdb_begin(src.db, &e), 0);
	CHECK_INT_EQ(hubdb_conflict_decide(src.db, 1, "kept", "admin", NULL, &e), 0);
	CHECK_INT_EQ(hubdb_commit(src.db, &e), 0);
	fill_tables(src.db, srcpath);
	for (size_t i = 0; hubdb_copy_table(i, NULL) != NULL; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", hubdb_copy_table(i, NULL));
		if (lite_int(srcpath, sql) <= 0)
			fprintf(stderr, "the source's table %s is empty\n", hubdb_copy_table(i, NULL));
		CHECK(lite_int(srcpath, sql) > 0);
	}
	devs[0] = a.id;
	devs[1] = b.id;
	devs[2] = c.id;
	before = snapshot(src.db, srcpath, devs, 3);

	/* the copy into a new PostgreSQL database */
	test_store(dstpath, sizeof(dstpath), tmpdir, "dst.db");
	th_open_at(&dst, dstpath);
	CHECK(hubdb_pg(dst.db));
	CHECK_INT_EQ(hubdb_copy_all(src.db, dst.db, count_progress, &cnt, &e), 0);
	CHECK_INT_EQ((long long)cnt.n, 23);
	for (size_t i = 0; i < cnt.n; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", cnt.table[i]);
		CHECK_INT_EQ((long long)cnt.rows[i], lite_int(srcpath, sql));
		CHECK_INT_EQ(test_store_int(dstpath, sql), lite_int(srcpath, sql));
	}
	after = snapshot(dst.db, srcpath, devs, 3);
	check_same(before, after);
	free(after);

	/* back into a new SQLite file: every table as the source, value and type */
	snprintf(backpath, sizeof(backpath), "%s/back.db", tmpdir);
	th_open_at(&back, backpath);
	CHECK_INT_EQ(hubdb_copy_all(dst.db, back.db, NULL, NULL, &e), 0);
	check_lite_equal(srcpath, backpath);
	check_lite_equal(backpath, srcpath);

	/* a second migration into the same database: refused, nothing changes */
	qmax = test_store_int(dstpath, "SELECT max(id) FROM quarantine");
	CHECK_INT_EQ(hubdb_copy_all(src.db, dst.db, NULL, NULL, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "пустую базу");
	CHECK_INT_EQ(test_store_int(dstpath, "SELECT count(*) FROM quarantine"),
	    lite_int(srcpath, "SELECT count(*) FROM quarantine"));

	/* the identity counters are past the copied ids */
	amax = test_store_int(dstpath, "SELECT max(id) FROM web_audit");
	CHECK_INT_EQ(hubdb_quarantine_add(dst.db, a.id, 50, 50, "fork", "тест",
	    (const uint8_t *)"x", 1, NULL, &e), 0);
	CHECK_INT_EQ(test_store_int(dstpath, "SELECT max(id) FROM quarantine"), qmax + 1);
	{
		struct hubdb_audit au = { .login = "admin", .addr = "::1", .action = "logout",
		    .object = "-", .outcome = "ok" };

		CHECK_INT_EQ(hubdb_audit_add(dst.db, &au, &e), 0);
		CHECK_INT_EQ(test_store_int(dstpath, "SELECT max(id) FROM web_audit"), amax + 1);
	}

	/* devices notice nothing: a set sent again gets the same acknowledgement,
	 * the next sets are applied, a new conflict takes the next id */
	push(&dst, s1, NOW + 1000, &again);
	CHECK_INT_EQ(again.outcome, INGEST_APPLIED);
	CHECK_INT_EQ(tbuf_len(again.ack), tbuf_len(o1.ack));
	if (tbuf_len(again.ack) == tbuf_len(o1.ack))
		CHECK_MEM_EQ(tbuf_ptr(again.ack), tbuf_ptr(o1.ack), tbuf_len(o1.ack));
	outcome_free(&again);
	s = seal(&a, "170101", &op3, 1, true);
	push(&dst, s, NOW, &o);
	CHECK_STR_EQ(o.status, "applied");
	CHECK_INT_EQ(o.expected, 4);
	outcome_free(&o);
	tbuf_free(s);
	opb.wall = NOW - 7000;
	s = seal(&b, "170101", &opb, 1, true);
	push(&dst, s, NOW, &o);
	CHECK_STR_EQ(o.status, "applied");
	CHECK_INT_EQ(o.conflicts, 1);
	outcome_free(&o);
	tbuf_free(s);
	CHECK_INT_EQ(test_store_int(dstpath, "SELECT max(id) FROM conflicts"),
	    lite_int(srcpath, "SELECT max(id) FROM conflicts") + 1);

	/* a value of the wrong type half-way through: refused, nothing written */
	CHECK_INT_EQ(lite_exec(backpath, "UPDATE hub_records SET form_version = 'x' WHERE id = "
	    "(SELECT max(id) FROM hub_records)"), SQLITE_OK);
	test_store(otherpath, sizeof(otherpath), tmpdir, "other.db");
	{
		struct hubdb *other = NULL;

		CHECK_INT_EQ(hubdb_open(otherpath, &other, &e), 0);
		CHECK_INT_EQ(hubdb_copy_all(back.db, other, NULL, NULL, &e), TERR_INVALID);
		CHECK_CONTAINS(e.msg, "form_version");
		CHECK_INT_EQ(test_store_int(otherpath, "SELECT count(*) FROM devices"), 0);
		CHECK_INT_EQ(test_store_int(otherpath, "SELECT count(*) FROM changesets"), 0);
		/* a column the copy does not know: refused before anything is read */
		CHECK_INT_EQ(lite_exec(backpath, "ALTER TABLE settings ADD COLUMN extra TEXT"),
		    SQLITE_OK);
		th_close(&back);
		th_open_at(&back, backpath);
		CHECK_INT_EQ(hubdb_copy_all(back.db, other, NULL, NULL, &e), TERR_VERSION);
		CHECK_CONTAINS(e.msg, "settings.extra");
		hubdb_close(other);
	}

	outcome_free(&o1);
	tbuf_free(s1);
	free(before);
	th_close(&back);
	th_close(&dst);
	th_close(&src);
	fixture_done();
	return check_summary();
}
