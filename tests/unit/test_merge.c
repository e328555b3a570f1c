/*
 * test_merge — merge through the hub's ingest, where a stored record meets a
 * change: a record damaged on disk (its data or its clocks no longer JSON
 * objects, written into the hub's file with sqlite3 as a disk fault or a
 * hand edit would) is never merged into. The change is refused, the set
 * quarantined with the reason and the device told; the record stays byte
 * for byte. Per-field merge itself is covered in test_hub_ingest.
 */
#include <sqlite3.h>

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

int
main(void)
{
	if (fixture_init("test_merge") != 0)
		return 1;
	test_damaged_record();
	fixture_done();
	return check_summary();
}
