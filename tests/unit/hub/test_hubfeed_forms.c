/*
 * test_hubfeed_forms — feed positions only for records of shared forms, on
 * a real store with the built-in forms: a questionnaire (shared with
 * nobody) is written without a position and costs no entry in the feed's
 * index; a form that becomes shared (a newly published version with a
 * "share" rule) has its stored records numbered once, after the head, so a
 * device's pull gets them whole; a form that stops being shared keeps what
 * it had; a hub that starts again with the same forms writes nothing; a
 * numbering rolled back is done again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "hub/hubpull.h"
#include "tetrad/fileio.h"
#include "tetrad/hlc.h"

static void
rec_put(struct hubdb *db, unsigned n, const char *form, const char *school)
{
	struct hubdb_record r;
	struct hlc_ts ts = { 1700000000000ull + n, 0, 0xaa };
	char clocks[128], data[] = "{}";
	struct terr e;

	memset(&r, 0, sizeof(r));
	r.id[0] = 0x01;
	r.id[6] = 0x70;
	r.id[8] = 0x80;
	r.id[15] = (uint8_t)n;
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 1;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00000000000000aa");
	hlc_encode(&ts, r.hlc);
	snprintf(clocks, sizeof(clocks), "{\"p\":[\"%s\",\"00000000000000aa\"]}", r.hlc);
	r.clocks = clocks;
	r.data = data;
	CHECK_INT_EQ(hubdb_record_put(db, &r, &e), 0);
}

/* One integer from the store (-1: none). */
static long long
q(struct hubdb *db, const char *sql)
{
	struct terr e;
	char *out = NULL;
	long long v = -1;

	if (hubdb_test_query(db, sql, &out, &e) == 0 && out != NULL && out[0] != '\0')
		v = atoll(out);
	free(out);
	return v;
}

static int
count_item(void *ctx, const struct hubdb_feed_item *it)
{
	size_t *n = ctx;

	if (it->kind == HUBDB_FEED_RECORD)
		(*n)++;
	return 0;
}

/* Records a school device of 170101 pulls from 0, by the forms' rules. */
static size_t
pulled(struct hubdb *db, struct hubforms *forms)
{
	struct hubpull_scope *sc = NULL;
	struct hubdb_device d;
	struct terr e;
	size_t n = 0;

	memset(&d, 0, sizeof(d));
	snprintf(d.id, sizeof(d.id), "00000000000000bb");
	snprintf(d.kind, sizeof(d.kind), "school");
	snprintf(d.schools, sizeof(d.schools), "170101");
	CHECK_INT_EQ(hubpull_scope_of(forms, &d, &sc, &e), 0);
	if (sc == NULL)
		return 0;
	CHECK_INT_EQ(hubdb_begin_read(db, &e), 0);
	CHECK_INT_EQ(hubdb_feed_read(db, hubpull_scope_feed(sc), 0, 1000, count_item, &n, &e), 0);
	hubdb_rollback(db);
	hubpull_scope_free(sc);
	return n;
}

#define UNFED(db, form) q(db, "SELECT count(*) FROM hub_records WHERE feed_pos IS NULL " \
	"AND form_id = '" form "'")

/* The store alone: plain form ids, positions only for those. */
static void
test_feed_store(struct hubdb *db)
{
	const char *passport[] = { "social_passport" };
	const char *both[] = { "social_passport", "survey_teacher", "social_passport" };
	struct terr e;
	long long head;

	CHECK_INT_EQ(hubdb_feed_forms(db, passport, 1, 1, &e), 0);
	for (unsigned i = 0; i < 4; i++)
		rec_put(db, i, "survey_teacher", "170101");
	rec_put(db, 10, "social_passport", "170101");
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 4);
	CHECK_INT_EQ(UNFED(db, "social_passport"), 0);
	head = q(db, "SELECT pos FROM feed_head");
	CHECK_INT_EQ(q(db, "SELECT max(feed_pos) FROM hub_records"), head);
	/* the questionnaires are not in the feed's index at all: read through
	 * it on SQLite; PostgreSQL has no INDEXED BY, there the index is
	 * partial (its predicate) and one record has a position */
	if (!test_store_pg())
		CHECK_INT_EQ(q(db, "SELECT count(*) FROM hub_records INDEXED BY hub_records_feed "
		    "WHERE feed_pos IS NOT NULL"), 1);
	else {
		CHECK_INT_EQ(q(db, "SELECT count(*) FROM pg_index WHERE indexrelid = "
		    "'hub_records_feed'::regclass AND pg_get_expr(indpred, indrelid) "
		    "LIKE '%feed_pos IS NOT NULL%'"), 1);
		CHECK_INT_EQ(q(db, "SELECT count(*) FROM hub_records WHERE feed_pos IS NOT NULL"), 1);
	}

	/* the survey becomes shared: its four records numbered after the head,
	 * by arrival, in one transaction; the passport keeps its position */
	CHECK_INT_EQ(hubdb_feed_forms(db, both, 3, 2, &e), 0);
	CHECK_INT_EQ(hubdb_feed_forms_tag(db), 2);
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 0);
	CHECK_INT_EQ(q(db, "SELECT min(feed_pos) FROM hub_records WHERE form_id = "
	    "'survey_teacher'"), head + 1);
	CHECK_INT_EQ(q(db, "SELECT pos FROM feed_head"), head + 4);
	CHECK_INT_EQ(q(db, "SELECT feed_pos FROM hub_records WHERE form_id = 'social_passport'"),
	    head);
	CHECK_INT_EQ(q(db, "SELECT count(*) FROM feed_forms"), 2);

	/* the same set again (a hub started again): nothing written */
	CHECK_INT_EQ(hubdb_feed_forms(db, both, 2, 3, &e), 0);
	CHECK_INT_EQ(q(db, "SELECT pos FROM feed_head"), head + 4);

	/* a numbering rolled back with the caller's transaction is done again */
	CHECK_INT_EQ(hubdb_feed_forms(db, passport, 1, 4, &e), 0);
	rec_put(db, 1, "survey_teacher", "170101");
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 1);
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_feed_forms(db, both, 2, 5, &e), 0);
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 0);
	hubdb_rollback(db);
	CHECK_INT_EQ(hubdb_feed_forms_tag(db), 0);
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 1);
	CHECK_INT_EQ(hubdb_feed_forms(db, both, 2, 5, &e), 0);
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 0);
	CHECK_INT_EQ(q(db, "SELECT max(feed_pos) FROM hub_records"), q(db,
	    "SELECT pos FROM feed_head"));

	/* stops being shared: nothing moves; its next write has no position */
	head = q(db, "SELECT pos FROM feed_head");
	CHECK_INT_EQ(hubdb_feed_forms(db, passport, 1, 6, &e), 0);
	CHECK_INT_EQ(q(db, "SELECT pos FROM feed_head"), head);
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 0);
	rec_put(db, 2, "survey_teacher", "170101");
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 1);
	CHECK_INT_EQ(q(db, "SELECT pos FROM feed_head"), head);
	/* nobody shares anything: every record without a position */
	CHECK_INT_EQ(hubdb_feed_forms(db, NULL, 0, 7, &e), 0);
	rec_put(db, 10, "social_passport", "170101");
	CHECK_INT_EQ(UNFED(db, "social_passport"), 1);
	CHECK_INT_EQ(hubdb_feed_forms(db, passport, 1, 8, &e), 0);
	CHECK_INT_EQ(UNFED(db, "social_passport"), 0);
}

/* A copy of the built-in survey_teacher as version 9, shared with its school. */
static int
publish_shared_survey(const char *dir)
{
	char src[600], dst[700], *text = NULL, *at, *out = NULL;
	size_t len = 0;
	struct terr e;
	int r = -1;

	snprintf(src, sizeof(src), "%s/survey_teacher.json", TETRAD_FORMS_DIR);
	snprintf(dst, sizeof(dst), "%s/survey_teacher-v9.json", dir);
	if (fileio_read_all(src, 1 << 20, (uint8_t **)&text, &len, &e) != 0)
		return -1;
	if ((at = strstr(text, "\"version\"")) != NULL && (out = malloc(len + 64)) != NULL) {
		char *comma = strchr(at, ',');

		if (comma != NULL) {
			int head = (int)(at - text);

			snprintf(out, len + 64, "%.*s\"version\": 9, \"share\": [\"school\"]%.*s", head,
			    text, (int)(len - (size_t)(comma - text)), comma);
			r = fileio_write_private(dst, out, strlen(out), &e);
		}
	}
	free(out);
	free(text);
	return r;
}

/* Through the hub's forms: publishing a shared version numbers the survey. */
static void
test_forms(const char *dir)
{
	char path[600], pub[600];
	struct hubdb *db = NULL;
	struct hubforms *forms = NULL;
	struct terr e;

	test_store(path, sizeof(path), dir, "hub2.db");
	snprintf(pub, sizeof(pub), "%s/forms", dir);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	CHECK_INT_EQ(hubforms_open(TETRAD_FORMS_DIR, pub, &forms, &e), 0);
	if (db == NULL || forms == NULL)
		goto out;
	CHECK_INT_EQ(hubforms_feed_forms(forms, db, &e), 0);
	CHECK(hubdb_feed_forms_tag(db) != 0);
	for (unsigned i = 0; i < 5; i++)
		rec_put(db, i, "survey_teacher", "170101");
	rec_put(db, 10, "social_passport", "170101");
	rec_put(db, 11, "mediation_case", "170101");
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 5);
	CHECK_INT_EQ(UNFED(db, "social_passport"), 0);
	CHECK_INT_EQ(UNFED(db, "mediation_case"), 0);
	CHECK_INT_EQ(pulled(db, forms), 2);
	hubforms_free(forms);
	forms = NULL;
	hubdb_close(db);
	db = NULL;

	/* forms changed between runs: the next start numbers the survey */
	CHECK_INT_EQ(publish_shared_survey(pub), 0);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	CHECK_INT_EQ(hubforms_open(TETRAD_FORMS_DIR, pub, &forms, &e), 0);
	if (db == NULL || forms == NULL)
		goto out;
	CHECK_INT_EQ(hubforms_feed_forms(forms, db, &e), 0);
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 0);
	CHECK_INT_EQ(pulled(db, forms), 7);
	/* told again with nothing changed: a no-op */
	CHECK_INT_EQ(hubforms_feed_forms(forms, db, &e), 0);
	rec_put(db, 6, "survey_teacher", "170101");
	CHECK_INT_EQ(UNFED(db, "survey_teacher"), 0);
	CHECK_INT_EQ(pulled(db, forms), 8);
 out:
	hubforms_free(forms);
	hubdb_close(db);
}

/* Two handles on one new store (two hub processes); false unless both opened. */
static bool
two_handles(const char *dir, const char *name, struct hubdb **a, struct hubdb **b)
{
	char path[600];
	struct terr e;

	test_store(path, sizeof(path), dir, name);
	CHECK_INT_EQ(hubdb_open(path, a, &e), 0);
	CHECK_INT_EQ(hubdb_open(path, b, &e), 0);
	return *a != NULL && *b != NULL;
}

/*
 * Two hub processes on one store (two handles) writing shared records in
 * turn, one of them through a transaction it rolls back: every record a
 * position of its own, the head the last one. The head is read once per
 * write transaction, never kept from an earlier one (the other process
 * has moved it since), and written back before the commit.
 */
static void
test_two_handles(const char *dir)
{
	const char *passport[] = { "social_passport" };
	struct hubdb *a = NULL, *b = NULL;
	struct terr e;

	if (!two_handles(dir, "hub3.db", &a, &b))
		goto out;
	CHECK_INT_EQ(hubdb_feed_forms(a, passport, 1, 1, &e), 0);
	CHECK_INT_EQ(hubdb_feed_forms(b, passport, 1, 1, &e), 0);
	rec_put(a, 1, "social_passport", "170101");
	rec_put(b, 2, "social_passport", "170101");
	rec_put(a, 3, "social_passport", "170101");
	/* a transaction of b's undone: the positions it took are not kept */
	CHECK_INT_EQ(hubdb_begin(b, &e), 0);
	rec_put(b, 4, "social_passport", "170101");
	hubdb_rollback(b);
	rec_put(a, 5, "social_passport", "170101");
	rec_put(b, 6, "social_passport", "170101");
	/* two records in one transaction of a's */
	CHECK_INT_EQ(hubdb_begin(a, &e), 0);
	rec_put(a, 7, "social_passport", "170101");
	rec_put(a, 8, "social_passport", "170101");
	CHECK_INT_EQ(hubdb_commit(a, &e), 0);
	rec_put(b, 9, "social_passport", "170101");
	CHECK_INT_EQ(q(b, "SELECT count(*) FROM hub_records"), 8);
	CHECK_INT_EQ(q(b, "SELECT count(DISTINCT feed_pos) FROM hub_records"), 8);
	CHECK_INT_EQ(q(a, "SELECT max(feed_pos) FROM hub_records"), q(a, "SELECT pos FROM feed_head"));
	/* the last writer's record is the newest */
	CHECK_INT_EQ(q(a, "SELECT count(*) FROM hub_records WHERE feed_pos = "
	    "(SELECT pos FROM feed_head) AND id = (SELECT id FROM hub_records ORDER BY id DESC LIMIT 1)"), 1);
 out:
	hubdb_close(a);
	hubdb_close(b);
}

static void
forms_publish(struct hubdb *db, uint32_t version)
{
	static const uint8_t bundle[] = "bundle";
	struct terr e;

	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_form_put(db, "test", version, "00ff", bundle, sizeof(bundle), &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
}

/* hubdb_forms_seen at the start of a write transaction of its own */
static bool
forms_seen_in_txn(struct hubdb *db)
{
	struct terr e;
	bool seen;

	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	seen = hubdb_forms_seen(db);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	return seen;
}

/*
 * hubdb_forms_seen across two handles (two processes on one store): once per
 * write transaction at most; on PostgreSQL a transaction in which nothing
 * was published since the handle's last reading counts as having read the
 * list (hubdb_begin reads the count with the lock), one in which another
 * handle published, or after a rollback, does not. SQLite reads it in each.
 */
static void
test_forms_seen(const char *dir)
{
	bool pg = test_store_pg();
	struct hubdb *a = NULL, *b = NULL;
	struct terr e;

	if (!two_handles(dir, "hub4.db", &a, &b))
		goto out;
	CHECK(!hubdb_forms_seen(a));          /* outside a transaction */
	CHECK_INT_EQ(hubdb_begin(a, &e), 0);
	CHECK(!hubdb_forms_seen(a));
	CHECK(hubdb_forms_seen(a));
	CHECK_INT_EQ(hubdb_commit(a, &e), 0);
	CHECK(forms_seen_in_txn(a) == pg);
	/* the other process publishes: every handle reads the list again */
	forms_publish(b, 2);
	CHECK(!forms_seen_in_txn(a));
	CHECK(forms_seen_in_txn(a) == pg);
	/* a reading in a transaction undone may have failed with it: read again */
	forms_publish(b, 3);
	CHECK_INT_EQ(hubdb_begin(a, &e), 0);
	CHECK(!hubdb_forms_seen(a));
	hubdb_rollback(a);
	CHECK(!forms_seen_in_txn(a));
	CHECK(forms_seen_in_txn(a) == pg);
 out:
	hubdb_close(a);
	hubdb_close(b);
}

int
main(void)
{
	char dir[] = "/tmp/test_hubfeed_forms.XXXXXX", path[600];
	struct hubdb *db = NULL;
	struct terr e;

	CHECK_INT_EQ(keys_init(&e), 0);
	CHECK(mkdtemp(dir) != NULL);
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL)
		test_feed_store(db);
	hubdb_close(db);
	snprintf(path, sizeof(path), "%s/forms", dir);
	CHECK_INT_EQ(mkdir(path, 0700) == 0 ? 0 : -1, 0);
	test_forms(dir);
	test_two_handles(dir);
	test_forms_seen(dir);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	return check_summary();
}
