/*
 * test_merge — merge through the hub's ingest, where a stored record meets a
 * change: a record damaged on disk (its data or its clocks no longer JSON
 * objects, written into the hub's file with sqlite3 as a disk fault or a
 * hand edit would) is never merged into. The change is refused, the set
 * quarantined with the reason and the device told; the record stays byte
 * for byte. And merge_apply's edges on its own: a tombstone for a record
 * never seen, an older put losing against it, a record claimed by another
 * form. Per-field merge itself is covered in test_ingest.
 */
#include <sqlite3.h>

#include "hub/merge.h"
#include "hub_fixture.h"

/* The hub's file through a connection of its own, as an outside hand would. */
static void
file_exec(const struct th *t, const char *sql)
{
	sqlite3 *db = NULL;

	CHECK_INT_EQ(sqlite3_open(t->path, &db), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static char *
file_text(const struct th *t, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	CHECK_INT_EQ(sqlite3_open(t->path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
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
	file_exec(&t, "UPDATE hub_records SET data = '{\"n\":1,\"t\":' "
	    "WHERE id = x'019a3e6e300070008000000000000001'");

	s2 = seal(&a, "170103", &p2, 1, true);
	push(&t, s2, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
	CHECK_STR_EQ(o.status, "refused");
	CHECK_INT_EQ(o.expected, 3);
	outcome_free(&o);
	v = file_text(&t, "SELECT data FROM hub_records "
	    "WHERE id = x'019a3e6e300070008000000000000001'");
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
	file_exec(&t, "UPDATE hub_records SET clocks = '[]' "
	    "WHERE id = x'019a3e6e300070008000000000000002'");
	s4 = seal(&a, "170103", &d2, 1, true);
	push(&t, s4, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
	outcome_free(&o);
	v = file_text(&t, "SELECT deleted || '|' || data || '|' || clocks FROM hub_records "
	    "WHERE id = x'019a3e6e300070008000000000000002'");
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
	fixture_done();
	return check_summary();
}
