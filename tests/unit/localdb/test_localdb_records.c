/*
 * test_localdb_records — schema 7 of the device database: records with
 * their clock documents (stored, and implicit for older rows), the
 * conflicts log, the device's clock issued and observed, the pull cursor
 * and the school register; an old database migrated with its rows, its
 * outbox taking "edit" and nothing else new.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "localdb_v1.h"
#include "tetrad/localdb.h"

static char dir[64];
static const char me[] = "a1b2c3d4e5f60718";

static int64_t
q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static struct localdb *
fresh(const char *name)
{
	char p[256];
	struct localdb *db = NULL;
	struct terr e = { 0 };

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	CHECK_INT_EQ(localdb_open(p, LOCALDB_CREATE, &db, &e), 0);
	if (db != NULL)
		CHECK_INT_EQ(localdb_meta_set(db, "device_id", me, &e), 0);
	return db;
}

static void
test_records(void)
{
	struct localdb *db = fresh("rec.db");
	struct localdb_record r, *got = NULL;
	struct terr e = { 0 };
	char *doc = NULL;
	uint8_t other[LOCALDB_ID_BYTES] = { 0x01, 0x93, 7 };

	if (db == NULL)
		return;
	memset(&r, 0, sizeof(r));
	r.id[0] = 0x01;
	r.id[1] = 0x93;
	snprintf(r.form_id, sizeof(r.form_id), "social_passport");
	r.form_version = 3;
	snprintf(r.school, sizeof(r.school), "170103");
	snprintf(r.status, sizeof(r.status), "final");
	snprintf(r.created_hlc, sizeof(r.created_hlc), "0193a1b2c3d4-0000-a1b2c3d4e5f60718");
	snprintf(r.updated_hlc, sizeof(r.updated_hlc), "0193a1b2c3d5-0001-a1b2c3d4e5f60718");
	r.data = "{\"large\":2}";
	r.clocks = NULL;
	CHECK_INT_EQ(localdb_record_put(db, &r, &e), 0);
	CHECK_INT_EQ(localdb_record_get(db, r.id, &got, &e), 0);
	if (got != NULL) {
		CHECK_STR_EQ(got->data, "{\"large\":2}");
		CHECK(got->clocks == NULL);
		CHECK_INT_EQ(got->form_version, 3);
		CHECK_STR_EQ(got->updated_hlc, r.updated_hlc);
		/* a row from before schema 7: its document is implicit, this device's */
		CHECK_INT_EQ(localdb_record_clocks(db, got, &doc, &e), 0);
		CHECK_STR_EQ(doc, "{\"p\":[\"0193a1b2c3d5-0001-a1b2c3d4e5f60718\",\"a1b2c3d4e5f60718\"],"
		    "\"x\":[\"0193a1b2c3d5-0001-a1b2c3d4e5f60718\",\"a1b2c3d4e5f60718\",0]}");
		free(doc);
		doc = NULL;
		snprintf(got->status, sizeof(got->status), "deleted");
		CHECK_INT_EQ(localdb_record_clocks(db, got, &doc, &e), 0);
		CHECK_CONTAINS(doc, "\"a1b2c3d4e5f60718\",1]}");
		free(doc);
		doc = NULL;
	}
	localdb_record_free(got);
	got = NULL;
	/* a stored document is given as it is, and kept by a replace */
	r.clocks = "{\"p\":[\"0193a1b2c3d5-0001-a1b2c3d4e5f60718\",\"b1b2c3d4e5f60718\"],"
	    "\"x\":[\"0193a1b2c3d5-0001-a1b2c3d4e5f60718\",\"b1b2c3d4e5f60718\",0]}";
	CHECK_INT_EQ(localdb_record_put(db, &r, &e), 0);
	CHECK_INT_EQ(localdb_record_find(db, r.id, &got, &e), 1);
	if (got != NULL) {
		CHECK_STR_EQ(got->clocks, r.clocks);
		CHECK(got->sealed == NULL && got->sealed_len == 0);
		CHECK_INT_EQ(localdb_record_clocks(db, got, &doc, &e), 0);
		CHECK_STR_EQ(doc, r.clocks);
		free(doc);
	}
	localdb_record_free(got);
	got = NULL;
	/* sealed values (schema 8) are kept byte for byte, zero bytes and all */
	{
		uint8_t blob[5] = { 1, 0, 0xff, 0, 7 };
		bool any = true;

		CHECK_INT_EQ(localdb_record_sealed_any(db, &any, &e), 0);
		CHECK(!any);
		r.sealed = blob;
		r.sealed_len = sizeof(blob);
		CHECK_INT_EQ(localdb_record_put(db, &r, &e), 0);
		CHECK_INT_EQ(localdb_record_find(db, r.id, &got, &e), 1);
		if (got != NULL) {
			CHECK_INT_EQ(got->sealed_len, sizeof(blob));
			CHECK(got->sealed != NULL && memcmp(got->sealed, blob, sizeof(blob)) == 0);
		}
		CHECK_INT_EQ(localdb_record_sealed_any(db, &any, &e), 0);
		CHECK(any);
		/* one probe of the partial index, not a walk of the records */
		CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM sqlite_master WHERE "
		    "type='index' AND name='records_sealed'"), 1);
		localdb_record_free(got);
		got = NULL;
		r.sealed = NULL;
		r.sealed_len = 0;
	}
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM records"), 1);
	/* not there: find says so quietly, get in words */
	CHECK_INT_EQ(localdb_record_find(db, other, &got, &e), 0);
	CHECK(got == NULL);
	CHECK_INT_EQ(localdb_record_get(db, other, &got, &e), LOCALDB_NOTFOUND);
	CHECK_CONTAINS(e.msg, "Запись 01930700-0000-0000-0000-000000000000 не найдена.");
	localdb_close(db);
}

static int
conflict_cb(const struct localdb_conflict *c, void *arg)
{
	char *seen = arg;

	snprintf(seen + strlen(seen), 256 - strlen(seen), "%lld:%s:%s:%s:%s|",
	    (long long)c->id, c->field, c->mine ? c->mine : "-", c->theirs ? c->theirs : "-",
	    c->theirs_device ? c->theirs_device : "-");
	return 0;
}

static void
test_conflicts(void)
{
	struct localdb *db = fresh("conf.db");
	struct localdb_conflict c = { .field = "large", .mine = "2",
	    .mine_hlc = "0193a1b2c3d5-0001-a1b2c3d4e5f60718", .theirs = "3",
	    .theirs_hlc = "0193a1b2c3d6-0000-b1b2c3d4e5f60718",
	    .theirs_device = "b1b2c3d4e5f60718", .form_id = "social_passport",
	    .school = "170103" };
	struct terr e = { 0 };
	char seen[256] = "";
	int64_t n = -1;

	if (db == NULL)
		return;
	CHECK_INT_EQ(localdb_conflict_count(db, &n, &e), 0);
	CHECK_INT_EQ(n, 0);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_conflict_add(db, &c, &e), 0);
	c.field = "";
	c.mine = "{\"large\":2}";
	c.theirs = NULL;          /* deleted there */
	CHECK_INT_EQ(localdb_conflict_add(db, &c, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK_INT_EQ(localdb_conflict_count(db, &n, &e), 0);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(localdb_conflict_each(db, conflict_cb, seen, &e), 0);
	CHECK_STR_EQ(seen, "1:large:2:3:b1b2c3d4e5f60718|2::{\"large\":2}:-:b1b2c3d4e5f60718|");
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM conflicts WHERE "
	    "at LIKE '20__-__-__T__:__:__Z'"), 2);
	/* cleared up to what a person saw: a later one stays */
	CHECK_INT_EQ(localdb_conflict_add(db, &c, &e), 0);
	CHECK_INT_EQ(localdb_conflict_clear(db, 2, &n, &e), 0);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(localdb_conflict_count(db, &n, &e), 0);
	CHECK_INT_EQ(n, 1);
	CHECK_INT_EQ(localdb_conflict_clear(db, 0, &n, &e), 0);
	CHECK_INT_EQ(n, 1);
	localdb_close(db);
}

static void
test_clock(void)
{
	struct localdb *db = fresh("clock.db");
	struct terr e = { 0 };
	char h1[LOCALDB_HLC_LEN + 1], h2[LOCALDB_HLC_LEN + 1], last[64];
	/* a curator's laptop a year ahead of this PC: its edit came through the hub */
	const char *ahead = "0fffffffffff-0005-b1b2c3d4e5f60718";

	if (db == NULL)
		return;
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_hlc_next(db, h1, &e), 0);
	CHECK_INT_EQ(localdb_hlc_next(db, h2, &e), 0);
	CHECK(strcmp(h1, h2) < 0);
	CHECK_STR_EQ(h1 + 18, me);
	/* an older clock seen changes nothing */
	CHECK_INT_EQ(localdb_hlc_observe(db, "000000000001-0000-b1b2c3d4e5f60718", &e), 0);
	CHECK_INT_EQ(localdb_meta_copy(db, "hlc_last", last, sizeof(last), &e), 1);
	CHECK_STR_EQ(last, h2);
	/* a newer one, however far ahead: the next edit here is later still */
	CHECK_INT_EQ(localdb_hlc_observe(db, ahead, &e), 0);
	CHECK_INT_EQ(localdb_hlc_next(db, h1, &e), 0);
	CHECK(strcmp(h1, ahead) > 0);
	CHECK_STR_EQ(h1 + 18, me);
	CHECK_INT_EQ(localdb_hlc_observe(db, "not-a-clock", &e), TERR_CLOCK);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	localdb_close(db);

	/* no device id: a database never set up */
	db = fresh("noid.db");
	if (db == NULL)
		return;
	CHECK_INT_EQ(localdb_meta_set(db, "device_id", "", &e), 0);
	CHECK_INT_EQ(localdb_device_id(db, last, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "tetrad init");
	localdb_close(db);
}

static void
test_pull_meta(void)
{
	struct localdb *db = fresh("pull.db");
	struct terr e = { 0 };
	uint64_t after = 99;
	char name[64];

	if (db == NULL)
		return;
	CHECK_INT_EQ(localdb_pull_after(db, &after, &e), 0);
	CHECK_INT_EQ(after, 0);
	CHECK_INT_EQ(localdb_pull_after_set(db, 18446744073709551615ULL, &e), 0);
	CHECK_INT_EQ(localdb_pull_after(db, &after, &e), 0);
	CHECK(after == 18446744073709551615ULL);
	CHECK_INT_EQ(localdb_meta_set(db, "pull_after", "12x", &e), 0);
	CHECK_INT_EQ(localdb_pull_after(db, &after, &e), TERR_PARSE);
	CHECK_CONTAINS(e.msg, "pull_after");
	CHECK_INT_EQ(localdb_meta_set(db, "pull_after", "-1", &e), 0);
	CHECK_INT_EQ(localdb_pull_after(db, &after, &e), TERR_PARSE);

	CHECK_INT_EQ(localdb_school_name(db, "170103", name, sizeof(name), &e), 0);
	CHECK_STR_EQ(name, "");
	CHECK_INT_EQ(localdb_school_name_set(db, "170103", "Школа № 3", &e), 0);
	CHECK_INT_EQ(localdb_school_name_set(db, "170104", "Лицей", &e), 0);
	CHECK_INT_EQ(localdb_school_name_set(db, "170103", "Школа № 3 им. Пушкина", &e), 0);
	CHECK_INT_EQ(localdb_school_name(db, "170103", name, sizeof(name), &e), 1);
	CHECK_STR_EQ(name, "Школа № 3 им. Пушкина");
	CHECK_INT_EQ(localdb_school_name(db, "170104", name, sizeof(name), &e), 1);
	CHECK_STR_EQ(name, "Лицей");
	/* damaged: unknown names, and the next entry starts it again */
	CHECK_INT_EQ(localdb_meta_set(db, "school_names", "[1,", &e), 0);
	CHECK_INT_EQ(localdb_school_name(db, "170104", name, sizeof(name), &e), 0);
	CHECK_INT_EQ(localdb_school_name_set(db, "170104", "Лицей", &e), 0);
	CHECK_INT_EQ(localdb_school_name(db, "170104", name, sizeof(name), &e), 1);
	localdb_close(db);
}

/* An old database (schema 1 with a record and an entry) comes to 7: rows
 * kept, no document stored, the outbox takes "edit" and still nothing else. */
static void
test_migrate(void)
{
	static const char *rows =
		LOCALDB_V1_SCHEMA
		"INSERT INTO meta VALUES('device_id','a1b2c3d4e5f60718');"
		"INSERT INTO records VALUES(x'0193000000000000000000000000aaaa','f',1,'170103',"
		" 'final','0193a1b2c3d4-0000-a1b2c3d4e5f60718',"
		" '0193a1b2c3d4-0000-a1b2c3d4e5f60718','{\"n\":1}');"
		"INSERT INTO outbox(seq,record_id,op,form_id,form_version,school,hlc,fields)"
		" VALUES(1,x'0193000000000000000000000000aaaa','put','f',1,'170103',"
		" '0193a1b2c3d4-0000-a1b2c3d4e5f60718','{\"n\":1}');"
		"PRAGMA user_version=1;";
	const uint8_t rid[16] = { 0x01, 0x93 };
	struct localdb_entry en = { .record_id = rid, .record_id_len = 16, .op = "edit",
	    .form_id = "f", .form_version = 1, .school = "170103",
	    .hlc = "0193a1b2c3d5-0000-a1b2c3d4e5f60718", .fields = "{\"n\":2}" };
	struct localdb *db = NULL;
	struct localdb_record *got = NULL;
	struct terr e = { 0 };
	sqlite3 *raw = NULL;
	char p[256];
	int64_t seq = 0;

	snprintf(p, sizeof(p), "%s/old.db", dir);
	unlink(p);
	CHECK_INT_EQ(sqlite3_open(p, &raw), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(raw, rows, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	CHECK_INT_EQ(localdb_open(p, LOCALDB_SYNCD, &db, &e), 0);
	if (db == NULL)
		return;
	raw = localdb_sqlite(db);
	CHECK_INT_EQ(q_int(raw, "PRAGMA user_version"), LOCALDB_SCHEMA_VERSION);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM records WHERE clocks IS NULL"), 1);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM outbox WHERE seq=1 AND op='put' AND "
	    "fields='{\"n\":1}' AND state='pending'"), 1);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND "
	    "name IN ('outbox_pending', 'outbox_record')"), 2);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM sqlite_master WHERE type='trigger' AND "
	    "name LIKE 'outbox_%'"), 3);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM conflicts"), 0);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), 0);
	CHECK_INT_EQ(seq, 2);
	en.op = "patch";
	CHECK(localdb_outbox_append(db, &en, &seq, &e) != 0);
	localdb_rollback(db);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	en.op = "edit";
	CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	/* the view writes through, "edit" too */
	CHECK_INT_EQ(sqlite3_exec(raw, "INSERT INTO outbox(seq,record_id,op,form_id,form_version,"
	    "school,hlc,fields) VALUES(9,x'01','edit','f',1,'170103','h','{}')", NULL, NULL,
	    NULL), SQLITE_OK);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM outbox WHERE op='edit'"), 2);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM outbox_fields WHERE seq=9"), 1);
	CHECK_INT_EQ(localdb_record_find(db, (const uint8_t *)"\x01\x93\0\0\0\0\0\0\0\0\0\0\0\0\xaa\xaa",
	    &got, &e), 1);
	localdb_record_free(got);
	localdb_close(db);
}

int
main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/test_localdb_records.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_records();
	test_conflicts();
	test_clock();
	test_pull_meta();
	test_migrate();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
	return check_summary();
}
