/*
 * test_review — a coordinator's decision on a conflict (hub/review.h) on a
 * real store: two devices edit one field, merge keeps the later value and
 * logs the other; taking the logged value writes it as the hub's edit at a
 * clock later than every clock of the record, with no new conflict, and
 * moves the record to a new feed position; keeping it changes nothing but
 * the decision. Refused, with nothing written: a second decision, a value
 * changed since the conflict, a deleted record, an existence conflict, a
 * conflict that is not there.
 */
#include "hub/merge.h"
#include "hub/review.h"
#include "hub_fixture.h"

static const char *const REC = "019a3e6e-3000-7000-8000-00000000c0de";

/* Device dev (1 or 2) writes fields to record rec at wall ms as kind. */
static void
write_rec(struct hubdb *db, const char *rec, int dev, enum op_kind kind, uint64_t wall,
    const char *fields, unsigned *conflicts)
{
	char device[KEYS_ID_HEXLEN + 1];
	struct op op;
	struct terr e;

	snprintf(device, sizeof(device), "%016x", dev);
	memset(&op, 0, sizeof(op));
	CHECK_INT_EQ(uuid7_parse(rec, op.record_id), 0);
	snprintf(op.form_id, sizeof(op.form_id), "test");
	snprintf(op.school, sizeof(op.school), "170103");
	op.form_version = 1;
	op.kind = kind;
	op.hlc.wall_ms = wall;
	op.hlc.node = (uint64_t)dev;
	op.fields = fields ? cJSON_Parse(fields) : NULL;
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(merge_apply(db, device, &op, conflicts, &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	cJSON_Delete(op.fields);
}

static void
write_as(struct hubdb *db, int dev, enum op_kind kind, uint64_t wall, const char *fields,
    unsigned *conflicts)
{
	write_rec(db, REC, dev, kind, wall, fields, conflicts);
}

/* One number from the store through a connection of its own, on either
 * engine. */
static long long
one_int(const struct th *t, const char *sql)
{
	return test_store_int(t->path, sql);
}

static void
record(struct hubdb *db, struct hubdb_record *r)
{
	uint8_t id[16];
	struct terr e;
	bool found;

	CHECK_INT_EQ(uuid7_parse(REC, id), 0);
	CHECK_INT_EQ(hubdb_record_get(db, id, r, &found, &e), 0);
	CHECK(found);
}

static void
test_review(const struct th *t)
{
	struct hubdb *db = t->db;
	char hlc[HLC_STRLEN + 1];
	struct hubdb_record r;
	unsigned conflicts = 0;
	long long open, feed_before, id;
	struct terr e;

	/* device 1 makes the record; both edit "n", device 2 later: 2 wins, 1 logged */
	write_as(db, 1, OP_PUT, 1000, "{\"n\":1,\"m\":\"x\"}", &conflicts);
	write_as(db, 1, OP_EDIT, 2000, "{\"n\":7}", &conflicts);
	write_as(db, 2, OP_EDIT, 3000, "{\"n\":8}", &conflicts);
	CHECK_INT_EQ(conflicts, 1);
	CHECK_INT_EQ(hubdb_conflicts_open(db, &open, &e), 0);
	CHECK_INT_EQ(open, 1);

	/* no such conflict */
	CHECK_INT_EQ(review_decide(db, NULL, 99, REVIEW_TAKE, "coord", hlc, &e), TERR_NOTFOUND);

	/* taking the value that lost: the hub's edit, later than everything */
	feed_before = one_int(t, "SELECT coalesce(max(pos), 0) FROM feed_head");
	CHECK_INT_EQ(review_decide(db, NULL, 1, REVIEW_TAKE, "coord", hlc, &e), 0);
	record(db, &r);
	CHECK_STR_EQ(r.data, "{\"m\":\"x\",\"n\":7}");
	CHECK_STR_EQ(r.device_id, REVIEW_WRITER);
	CHECK_STR_EQ(r.hlc, hlc);
	CHECK_CONTAINS(r.clocks, REVIEW_WRITER);
	hubdb_record_clear(&r);
	CHECK(one_int(t, "SELECT coalesce(max(pos), 0) FROM feed_head") == feed_before + 1);
	CHECK_INT_EQ(one_int(t, "SELECT count(*) FROM conflicts"), 1);
	CHECK_INT_EQ(hubdb_conflicts_open(db, &open, &e), 0);
	CHECK_INT_EQ(open, 0);
	CHECK_INT_EQ(one_int(t, "SELECT count(*) FROM conflict_decisions WHERE "
	    "choice = 'taken' AND login = 'coord' AND hlc IS NOT NULL"), 1);
	/* one decision per conflict */
	CHECK_INT_EQ(review_decide(db, NULL, 1, REVIEW_KEEP, "coord", hlc, &e), TERR_REPLAY);
	CHECK_CONTAINS(e.msg, "уже принято");

	/* a device's edit older than the hub's loses to it, logged as any lost
	 * value: the decision stands */
	conflicts = 0;
	write_as(db, 2, OP_EDIT, 3500, "{\"n\":9}", &conflicts);
	CHECK_INT_EQ(conflicts, 1);
	record(db, &r);
	CHECK_STR_EQ(r.data, "{\"m\":\"x\",\"n\":7}");
	hubdb_record_clear(&r);

	/* a conflict on "m"; then "m" changed again: its value is not taken */
	conflicts = 0;
	write_as(db, 1, OP_EDIT, hlc_wall_now() + 1000, "{\"m\":\"a\"}", &conflicts);
	write_as(db, 2, OP_EDIT, hlc_wall_now() + 2000, "{\"m\":\"b\"}", &conflicts);
	CHECK_INT_EQ(conflicts, 1);
	id = one_int(t, "SELECT max(id) FROM conflicts");
	write_as(db, 2, OP_EDIT, hlc_wall_now() + 3000, "{\"m\":\"c\"}", &conflicts);
	CHECK_INT_EQ(review_decide(db, NULL, id, REVIEW_TAKE, "coord", hlc, &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "изменено после конфликта");
	record(db, &r);
	CHECK_CONTAINS(r.data, "\"m\":\"c\"");
	hubdb_record_clear(&r);
	CHECK_INT_EQ(one_int(t, "SELECT count(*) FROM conflict_decisions"), 1);
	/* ... but it can be closed */
	CHECK_INT_EQ(review_decide(db, NULL, id, REVIEW_KEEP, "coord", hlc, &e), 0);
	CHECK_INT_EQ(one_int(t, "SELECT count(*) FROM conflict_decisions WHERE "
	    "conflict_id = (SELECT max(id) FROM conflicts) AND choice = 'kept' AND hlc IS NULL"), 1);

	/* a conflict on a record deleted since: its value is not brought back */
	conflicts = 0;
	write_as(db, 1, OP_EDIT, hlc_wall_now() + 4000, "{\"n\":100}", &conflicts);
	write_as(db, 2, OP_EDIT, hlc_wall_now() + 5000, "{\"n\":200}", &conflicts);
	CHECK_INT_EQ(conflicts, 2);         /* the hub's 7, then device 1's 100 */
	id = one_int(t, "SELECT max(id) FROM conflicts");
	write_as(db, 2, OP_DELETE, hlc_wall_now() + 6000, NULL, &conflicts);
	CHECK_INT_EQ(review_decide(db, NULL, id, REVIEW_TAKE, "coord", hlc, &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "удалена");
	record(db, &r);
	CHECK(r.deleted);
	hubdb_record_clear(&r);
	CHECK_INT_EQ(review_decide(db, NULL, id, 0, "coord", hlc, &e), TERR_ARG);

	/* a deletion made on a device before the decision, synced after it:
	 * the decision said nothing of the record's existence, so it is deleted */
	{
		static const char *const REC2 = "019a3e6e-3000-7000-8000-00000000c0df";
		uint8_t id2[16];
		bool found;

		conflicts = 0;
		write_rec(db, REC2, 1, OP_PUT, 1000, "{\"n\":1}", &conflicts);
		write_rec(db, REC2, 1, OP_EDIT, 2000, "{\"n\":2}", &conflicts);
		write_rec(db, REC2, 2, OP_EDIT, 3000, "{\"n\":3}", &conflicts);
		CHECK_INT_EQ(conflicts, 1);
		id = one_int(t, "SELECT max(id) FROM conflicts");
		CHECK_INT_EQ(review_decide(db, NULL, id, REVIEW_TAKE, "coord", hlc, &e), 0);
		write_rec(db, REC2, 1, OP_DELETE, 4000, NULL, &conflicts);
		CHECK_INT_EQ(uuid7_parse(REC2, id2), 0);
		CHECK_INT_EQ(hubdb_record_get(db, id2, &r, &found, &e), 0);
		CHECK(found && r.deleted);
		CHECK_CONTAINS(r.data, "\"n\":2");
		hubdb_record_clear(&r);
	}
}

int
main(void)
{
	struct th t;

	if (fixture_init("test_review") != 0)
		return 1;
	th_open(&t, "review");
	if (t.db != NULL)
		test_review(&t);
	th_close(&t);
	fixture_done();
	return check_summary();
}
