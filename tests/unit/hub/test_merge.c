/*
 * test_merge — merge through the hub's ingest, where a stored record meets a
 * change: a record damaged on disk (its data or its clocks no longer JSON
 * objects, written into the hub's store behind its back as a disk fault or
 * a hand edit would) is never merged into. The change is refused, the set
 * quarantined with the reason and the device told; the record stays byte
 * for byte. And merge_apply's edges on its own: a tombstone for a record
 * never seen, an older put losing against it, a record claimed by another
 * form. Per-field merge itself is covered in test_ingest.
 */
#include <sqlite3.h>

#include "hub/merge.h"
#include "hub_fixture.h"

/* The hub's store through a connection of its own, as an outside hand would. */
static void
file_exec(const struct th *t, const char *sql)
{
	CHECK_INT_EQ(test_store_exec(t->path, sql), 0);
}

/*
 * The first column of the first row as text (malloc'd; NULL when there is
 * none), on either engine: test_store.h reads only integers.
 */
static char *
file_text(const struct th *t, const char *sql)
{
	char *v = NULL;

	if (test_store_pg()) {
		PGconn *c = PQconnectdb(t->path);
		PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;

		if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 &&
		    !PQgetisnull(res, 0, 0))
			v = strdup(PQgetvalue(res, 0, 0));
		else if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
			fprintf(stderr, "file_text: %s: %s\n", sql, PQerrorMessage(c));
		PQclear(res);
		PQfinish(c);
	} else {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		CHECK_INT_EQ(sqlite3_open(t->path, &db), SQLITE_OK);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			v = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return v;
}

/* The same question in each engine's words where they differ (a blob
 * literal, group_concat). */
#define Q(lite, pg) (test_store_pg() ? (pg) : (lite))
#define ID1 Q("x'019a3e6e300070008000000000000001'", "'\\x019a3e6e300070008000000000000001'")
#define ID2 Q("x'019a3e6e300070008000000000000002'", "'\\x019a3e6e300070008000000000000002'")

/* file_text of a query built around a record's id literal. */
static char *
file_text_id(const struct th *t, const char *head, const char *id)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "%s WHERE id = %s", head, id);
	return file_text(t, sql);
}

static void
file_exec_id(const struct th *t, const char *head, const char *id)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "%s WHERE id = %s", head, id);
	file_exec(t, sql);
}

/*
 * A stored record damaged on disk is never merged into: the change to it is
 * refused and quarantined with the reason, the device told, the record left
 * byte for byte as it was.
 */
static void
test_damaged_record(void)
{
	struct opspec p1 = { R1, "170103", NOW - 9000, "{\"n\":1,\"t\":\"a\"}", NULL };
	struct opspec p2 = { R1, "170103", NOW - 8000, "{\"n\":2}", NULL };
	struct opspec p3 = { R2, "170103", NOW - 7000, "{\"n\":3}", NULL };
	struct opspec d2 = { R2, "170103", NOW - 6000, NULL, NULL };
	struct tbuf *s1, *s2, *s3, *s4;
	struct outcome o;
	struct th t;
	struct dev a;
	char *v;

	th_open(&t, "damaged");
	dev_new(&a);
	enroll(&t, &a, "school", "170103");
	s1 = seal(&a, "170103", &p1, 1, true);
	push(&t, s1, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
	outcome_free(&o);
	file_exec_id(&t, "UPDATE hub_records SET data = '{\"n\":1,\"t\":'", ID1);

	s2 = seal(&a, "170103", &p2, 1, true);
	push(&t, s2, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
	CHECK_STR_EQ(o.status, "refused");
	CHECK_INT_EQ(o.expected, 3);
	outcome_free(&o);
	v = file_text_id(&t, "SELECT data FROM hub_records", ID1);
	CHECK_STR_EQ(v, "{\"n\":1,\"t\":");
	free(v);
	v = file_text(&t, "SELECT kind || '|' || first_seq || '|' || reason FROM quarantine");
	CHECK(v != NULL);
	CHECK_CONTAINS(v, "refused|2|");
	CHECK_CONTAINS(v, "019a3e6e-3000-7000-8000-000000000001");
	CHECK_CONTAINS(v, "повреждена");
	free(v);

	/* damaged clocks stop a delete the same way */
	s3 = seal(&a, "170103", &p3, 1, true);
	push(&t, s3, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
	outcome_free(&o);
	file_exec_id(&t, "UPDATE hub_records SET clocks = '[]'", ID2);
	s4 = seal(&a, "170103", &d2, 1, true);
	push(&t, s4, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
	outcome_free(&o);
	v = file_text_id(&t, "SELECT deleted || '|' || data || '|' || clocks FROM hub_records",
	    ID2);
	CHECK_STR_EQ(v, "0|{\"n\":3}|[]");
	free(v);
	v = file_text(&t, "SELECT count(*) FROM quarantine WHERE reason LIKE '%повреждена%'");
	CHECK_STR_EQ(v, "2");
	free(v);
	tbuf_free(s1);
	tbuf_free(s2);
	tbuf_free(s3);
	tbuf_free(s4);
	th_close(&t);
}

/*
 * merge_apply on its own: a tombstone for a record never seen, an older put
 * that loses against it (logged as a conflict), a record claimed by
 * another form refused.
 */
static void
test_merge_edges(struct hubdb *db)
{
	struct op op;
	struct terr e;
	unsigned conflicts = 0;
	struct hubdb_record r;
	bool found;

	memset(&op, 0, sizeof(op));
	CHECK_INT_EQ(uuid7_parse("019a3e6e-3000-7000-8000-00000000beef", op.record_id), 0);
	snprintf(op.form_id, sizeof(op.form_id), "test");
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_DELETE;
	op.hlc.wall_ms = 5000;
	op.hlc.node = 1;
	CHECK_INT_EQ(merge_apply(db, "0000000000000001", &op, &conflicts, &e), 0);
	CHECK_INT_EQ(hubdb_record_get(db, op.record_id, &r, &found, &e), 0);
	CHECK(found && r.deleted);
	hubdb_record_clear(&r);
	/* an older put of another device loses against the tombstone: logged */
	op.kind = OP_PUT;
	op.hlc.wall_ms = 4000;
	op.hlc.node = 2;
	op.fields = cJSON_Parse("{\"n\":1}");
	CHECK_INT_EQ(merge_apply(db, "0000000000000002", &op, &conflicts, &e), 0);
	CHECK_INT_EQ(hubdb_record_get(db, op.record_id, &r, &found, &e), 0);
	CHECK(found && r.deleted);
	CHECK_STR_EQ(r.data, "{\"n\":1}");
	hubdb_record_clear(&r);
	CHECK_INT_EQ(conflicts, 1);
	/* another form for the same id is refused, nothing written */
	snprintf(op.form_id, sizeof(op.form_id), "other");
	op.hlc.wall_ms = 9000;
	CHECK_INT_EQ(merge_apply(db, "0000000000000002", &op, &conflicts, &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "с формой «test»");
	cJSON_Delete(op.fields);
}

static void
push_as(struct th *t, const struct tbuf *set, enum ingest_outcome want)
{
	struct outcome o;

	push(t, set, NOW, &o);
	CHECK_INT_EQ(o.outcome, want);
	outcome_free(&o);
}

/*
 * Edits through ingest, on two hubs that get the same sets in opposite
 * orders: a school PC and a curator editing different fields of one record
 * both keep their answers (a put of the whole record would have taken
 * both); the record and the conflict log read the same on both hubs; an
 * edit after a delete brings the record back; an edit smuggling a local
 * field, or with a value out of range, is refused with its reason.
 */
static void
test_edits(void)
{
	struct opspec put = { R1, "170103", NOW - 5000, "{\"n\":1,\"t\":\"a\"}", NULL };
	struct opspec ea = { R1, "170103", NOW - 3000, "{\"t\":\"школа\"}", NULL };
	struct opspec eb = { R1, "170103", NOW - 4000, "{\"n\":7}", NULL };
	struct opspec del = { R1, "170103", NOW - 2000, NULL, NULL };
	struct opspec back = { R1, "170103", NOW - 1000, "{\"t\":null}", NULL };
	struct opspec local = { R1, "170103", NOW - 900, "{\"note\":\"тайна\"}", NULL };
	struct opspec range = { R1, "170103", NOW - 800, "{\"n\":500}", NULL };
	struct tbuf *s_put, *s_ea, *s_eb, *s_del, *s_back, *s_local, *s_range;
	struct dev a, b;
	struct th h1, h2;
	char *v1, *v2;

	dev_new(&a);
	dev_new(&b);
	s_put = seal(&a, "170103", &put, 1, true);
	s_ea = seal_ops(&a, "170103", &ea, 1, true, true);
	s_eb = seal_ops(&b, "", &eb, 1, true, true);
	s_del = seal(&b, "", &del, 1, true);
	s_back = seal_ops(&a, "170103", &back, 1, true, true);
	s_local = seal_ops(&a, "170103", &local, 1, true, true);
	s_range = seal_ops(&a, "170103", &range, 1, true, true);
	th_open(&h1, "edits1");
	th_open(&h2, "edits2");
	enroll(&h1, &a, "school", "170103");
	enroll(&h1, &b, "curator", "170103");
	enroll(&h2, &a, "school", "170103");
	enroll(&h2, &b, "curator", "170103");
	/* hub 1: the school PC's sets first; hub 2: the curator's edit first,
	 * before the record's put has arrived at all */
	push_as(&h1, s_put, INGEST_APPLIED);
	push_as(&h1, s_ea, INGEST_APPLIED);
	push_as(&h1, s_eb, INGEST_APPLIED);
	push_as(&h2, s_eb, INGEST_APPLIED);
	push_as(&h2, s_put, INGEST_APPLIED);
	push_as(&h2, s_ea, INGEST_APPLIED);
	v1 = file_text(&h1, "SELECT deleted || '|' || data || '|' || clocks FROM hub_records");
	v2 = file_text(&h2, "SELECT deleted || '|' || data || '|' || clocks FROM hub_records");
	CHECK_CONTAINS(v1, "0|{\"n\":7,\"t\":\"школа\"}|");
	CHECK_STR_EQ(v1, v2);
	free(v1);
	free(v2);
	/* the put's n=1 lost to the curator's 7 in both orders; t was A's own */
	v1 = file_text(&h1, Q("SELECT group_concat(field || '=' || loser_value || '>' || "
	    "winner_value) FROM conflicts", "SELECT string_agg(field || '=' || loser_value || "
	    "'>' || winner_value, ',') FROM conflicts"));
	v2 = file_text(&h2, Q("SELECT group_concat(field || '=' || loser_value || '>' || "
	    "winner_value) FROM conflicts", "SELECT string_agg(field || '=' || loser_value || "
	    "'>' || winner_value, ',') FROM conflicts"));
	CHECK_STR_EQ(v1, "n=1>7");
	CHECK_STR_EQ(v2, "n=1>7");
	free(v1);
	free(v2);
	/* deleted by the curator, then edited by the school: back, t removed */
	push_as(&h1, s_del, INGEST_APPLIED);
	v1 = file_text(&h1, "SELECT deleted FROM hub_records");
	CHECK_STR_EQ(v1, "1");
	free(v1);
	push_as(&h1, s_back, INGEST_APPLIED);
	v1 = file_text(&h1, "SELECT deleted || '|' || data FROM hub_records");
	CHECK_STR_EQ(v1, "0|{\"n\":7}");
	free(v1);
	/* refused field by field, nothing applied */
	push_as(&h1, s_local, INGEST_REFUSED);
	push_as(&h1, s_range, INGEST_REFUSED);
	v1 = file_text(&h1, Q("SELECT group_concat(reason, ' / ') FROM quarantine",
	    "SELECT string_agg(reason, ' / ') FROM quarantine"));
	CHECK_CONTAINS(v1, "локальное поле");
	CHECK_CONTAINS(v1, "Число");
	CHECK(v1 != NULL && strstr(v1, "тайна") == NULL);
	free(v1);
	v1 = file_text(&h1, "SELECT data FROM hub_records");
	CHECK_STR_EQ(v1, "{\"n\":7}");
	free(v1);
	tbuf_free(s_put), tbuf_free(s_ea), tbuf_free(s_eb), tbuf_free(s_del);
	tbuf_free(s_back), tbuf_free(s_local), tbuf_free(s_range);
	th_close(&h1);
	th_close(&h2);
}

/* The tables of schema 1 that changed, with one record and its clocks. */
int
main(void)
{
	struct th t;

	if (fixture_init("test_merge") != 0)
		return 1;
	test_damaged_record();
	th_open(&t, "edges");
	if (t.db != NULL)
		test_merge_edges(t.db);
	th_close(&t);
	test_edits();
	fixture_done();
	return check_summary();
}
