/*
 * test_store — the client database: schema, migrations from every older
 * version, meta, records, outbox sequence, HLC persistence, disk full.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "localdb_v1.h"
#include "client/store.h"

static char tmpdir[] = "/tmp/test_store.XXXXXX";

static void
path_of(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

static long long
q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -999;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
q_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void
init_meta(struct store *s)
{
	struct terr e = { 0 };

	CHECK_INT_EQ(store_meta_set(s, "school", "170103", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_id", "0011223344556677", &e), 0);
}

static void
test_fresh(void)
{
	char p[256], txt[64];
	struct store *s = NULL;
	struct terr e = { 0 };
	struct stat sb;

	path_of(p, sizeof(p), "fresh.db");
	CHECK_INT_EQ(store_open(p, false, &s, &e), STORE_NOTFOUND);
	CHECK(s == NULL);
	CHECK_CONTAINS(e.msg, "tetrad init");
	CHECK_INT_EQ(store_open(p, true, &s, &e), 0);
	if (s == NULL)
		return;
	CHECK_INT_EQ(q_int(store_db(s), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	CHECK_INT_EQ(q_int(store_db(s), "PRAGMA foreign_keys"), 1);
	q_text(store_db(s), "PRAGMA journal_mode", txt, sizeof(txt));
	CHECK_STR_EQ(txt, "wal");
	CHECK_INT_EQ(q_int(store_db(s), "PRAGMA synchronous"), 2);
	CHECK(stat(p, &sb) == 0 && (sb.st_mode & 077) == 0);
	store_close(s);
	/* created but never initialised: not a database to use */
	CHECK_INT_EQ(store_open(p, false, &s, &e), 0);
	store_close(s);
}

/* The version-1 schema exactly as it shipped (docs/client.md, "Database";
 * localdb/src/localdb_schema.c, migration 0 -> 1). */
static const char v1_schema[] =
	LOCALDB_V1_SCHEMA
	"INSERT INTO meta VALUES('school','170103'),('device_id','0011223344556677');"
	"INSERT INTO records VALUES(x'0011223344556677889900aabbccddee','f',1,'170103',"
	" 'final','h1','h1','{\"a\":1}');"
	"INSERT INTO outbox(seq,record_id,op,form_id,form_version,school,hlc,fields)"
	" VALUES(1,x'0011223344556677889900aabbccddee','put','f',1,'170103','h1','{\"a\":1}');"
	"PRAGMA user_version=1;";

static void
test_migrations(void)
{
	char p[256], *v = NULL;
	sqlite3 *db = NULL;
	struct store *s = NULL;
	struct terr e = { 0 };
	int64_t seq = 0;
	const uint8_t rid[16] = { 1 };

	/* from version 1 */
	path_of(p, sizeof(p), "v1.db");
	CHECK_INT_EQ(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(db, v1_schema, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT_EQ(store_open(p, false, &s, &e), 0);
	if (s == NULL)
		return;
	CHECK_INT_EQ(q_int(store_db(s), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	CHECK_INT_EQ(q_int(store_db(s), "SELECT COUNT(*) FROM sqlite_master WHERE "
	    "type='index' AND name='outbox_state'"), 0);
	CHECK_INT_EQ(q_int(store_db(s), "SELECT COUNT(*) FROM sqlite_master WHERE "
	    "type='index' AND name IN ('outbox_pending', 'outbox_record')"), 2);
	/* the pending row is found through the partial index */
	CHECK_INT_EQ(q_int(store_db(s), "SELECT COUNT(*) FROM outbox_queue INDEXED BY outbox_pending "
	    "WHERE state = 'pending'"), 1);
	/* and syncd finds sets not yet answered through theirs */
	CHECK_INT_EQ(q_int(store_db(s), "SELECT COUNT(*) FROM sqlite_master WHERE "
	    "type='index' AND name='batches_open'"), 1);
	CHECK_INT_EQ(q_int(store_db(s), "SELECT COUNT(*) FROM batches INDEXED BY batches_open "
	    "WHERE state IN ('sealed', 'sent') AND first_seq > 0"), 0);
	CHECK_INT_EQ(q_int(store_db(s), "SELECT COUNT(*) FROM records"), 1);
	CHECK_INT_EQ(store_meta_get(s, "school", &v, &e), 0);
	CHECK_STR_EQ(v, "170103");
	free(v);
	/* the outbox continues after the migrated row */
	CHECK_INT_EQ(store_begin(s, &e), 0);
	CHECK_INT_EQ(store_outbox_append(s, rid, "put", "f", 1, "170103", "h2",
	    "{}", &seq, &e), 0);
	CHECK_INT_EQ(store_commit(s, &e), 0);
	CHECK_INT_EQ(seq, 2);
	store_close(s);

	/* from version 0 (an empty file) with create */
	path_of(p, sizeof(p), "v0.db");
	CHECK_INT_EQ(sqlite3_open(p, &db), SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT_EQ(store_open(p, false, &s, &e), STORE_NOTFOUND);
	CHECK_INT_EQ(store_open(p, true, &s, &e), 0);
	if (s) {
		CHECK_INT_EQ(q_int(store_db(s), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
		CHECK_INT_EQ(q_int(store_db(s), "SELECT COUNT(*) FROM sqlite_master WHERE "
		    "name IN('meta','records','outbox','batches')"), 4);
	}
	store_close(s);
	s = NULL;

	/* a newer program's database is refused, not damaged */
	path_of(p, sizeof(p), "v99.db");
	CHECK_INT_EQ(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(db, "CREATE TABLE x(a); PRAGMA user_version=99;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT_EQ(store_open(p, false, &s, &e), TERR_VERSION);
	CHECK_CONTAINS(e.msg, "более новой");
	CHECK(s == NULL);
}

static void
test_records_outbox(void)
{
	char p[256], h1[HLC_STRLEN + 1], h2[HLC_STRLEN + 1], *v = NULL;
	struct store *s = NULL;
	struct localdb_record r = { 0 }, *got = NULL;
	struct store_counts n;
	struct terr e = { 0 };
	uint8_t id2[UUID7_BYTES], found[UUID7_BYTES];
	char idtext[UUID7_STRLEN + 1];
	int64_t seq = 0;

	path_of(p, sizeof(p), "rec.db");
	CHECK_INT_EQ(store_open(p, true, &s, &e), 0);
	if (s == NULL)
		return;
	init_meta(s);
	CHECK_INT_EQ(store_meta_get(s, "nothing", &v, &e), 0);
	CHECK(v == NULL);

	/* outbox only inside a transaction */
	CHECK_INT_EQ(store_outbox_append(s, r.id, "put", "f", 1, "1", "h", "{}",
	    &seq, &e), TERR_INTERNAL);

	CHECK_INT_EQ(store_begin(s, &e), 0);
	CHECK_INT_EQ(store_hlc_next(s, h1, &e), 0);
	CHECK_INT_EQ(store_hlc_next(s, h2, &e), 0);
	CHECK(strcmp(h1, h2) < 0);
	CHECK_INT_EQ(uuid7_new(r.id, 0), 0);
	snprintf(r.form_id, sizeof(r.form_id), "f");
	r.form_version = 3;
	snprintf(r.school, sizeof(r.school), "170103");
	snprintf(r.status, sizeof(r.status), "final");
	memcpy(r.created_hlc, h1, sizeof(h1));
	memcpy(r.updated_hlc, h2, sizeof(h2));
	r.data = (char *)(uintptr_t)"{\"x\":1}";
	CHECK_INT_EQ(store_record_put(s, &r, NULL, &e), 0);
	for (int i = 1; i <= 3; i++) {
		CHECK_INT_EQ(store_outbox_append(s, r.id, "put", "f", 3, "170103", h2,
		    "{}", &seq, &e), 0);
		CHECK_INT_EQ(seq, i);
	}
	CHECK_INT_EQ(store_commit(s, &e), 0);

	/* hlc_last persisted: a new call is after the last one */
	CHECK_INT_EQ(store_meta_get(s, "hlc_last", &v, &e), 0);
	CHECK_STR_EQ(v, h2);
	free(v);

	/* sync pruned acknowledged rows: numbering continues from next_seq */
	CHECK_INT_EQ(sqlite3_exec(store_db(s), "DELETE FROM outbox", NULL, NULL, NULL),
	    SQLITE_OK);
	CHECK_INT_EQ(store_begin(s, &e), 0);
	CHECK_INT_EQ(store_outbox_append(s, r.id, "delete", "f", 3, "170103", h2,
	    NULL, &seq, &e), 0);
	CHECK_INT_EQ(seq, 4);
	/* a rolled back row leaves no gap */
	store_rollback(s);
	CHECK_INT_EQ(store_begin(s, &e), 0);
	CHECK_INT_EQ(store_outbox_append(s, r.id, "delete", "f", 3, "170103", h2,
	    NULL, &seq, &e), 0);
	CHECK_INT_EQ(seq, 4);
	CHECK_INT_EQ(store_commit(s, &e), 0);
	CHECK_INT_EQ(q_int(store_db(s), "SELECT COUNT(*) FROM outbox WHERE fields IS NULL"), 1);

	CHECK_INT_EQ(store_record_get(s, r.id, &got, &e), 0);
	if (got) {
		CHECK_STR_EQ(got->data, "{\"x\":1}");
		CHECK_INT_EQ(got->form_version, 3);
		CHECK_STR_EQ(got->status, "final");
		CHECK_STR_EQ(got->created_hlc, h1);
	}
	store_record_free(got);
	got = NULL;
	memcpy(id2, r.id, sizeof(id2));
	id2[15] ^= 1;
	CHECK_INT_EQ(store_record_get(s, id2, &got, &e), STORE_NOTFOUND);
	CHECK_CONTAINS(e.msg, "не найдена");

	uuid7_format(r.id, idtext);
	CHECK_INT_EQ(store_record_resolve(s, idtext, found, &e), 0);
	CHECK_MEM_EQ(found, r.id, 16);
	idtext[13] = '\0';  /* "xxxxxxxx-xxxx" */
	CHECK_INT_EQ(store_record_resolve(s, idtext, found, &e), 0);
	CHECK_MEM_EQ(found, r.id, 16);
	CHECK_INT_EQ(store_record_resolve(s, "abc", found, &e), TERR_ARG);
	CHECK_INT_EQ(store_record_resolve(s, "zzzzzzzzzz", found, &e), TERR_ARG);
	CHECK_INT_EQ(store_record_resolve(s, "ffffffffff", found, &e), STORE_NOTFOUND);

	CHECK_INT_EQ(store_counts(s, &n, &e), 0);
	CHECK_INT_EQ(n.pending, 1);
	CHECK_INT_EQ(n.finals, 1);
	CHECK_INT_EQ(n.drafts, 0);
	store_close(s);
}

static int
count_cb(const struct localdb_record *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void
test_each_and_full(void)
{
	char p[256], h[HLC_STRLEN + 1], big[4096];
	struct store *s = NULL;
	struct localdb_record r = { 0 };
	struct terr e = { 0 };
	int n = 0, rc = 0, i;

	path_of(p, sizeof(p), "full.db");
	CHECK_INT_EQ(store_open(p, true, &s, &e), 0);
	if (s == NULL)
		return;
	init_meta(s);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(r.form_id, sizeof(r.form_id), "f");
	snprintf(r.school, sizeof(r.school), "170103");
	r.data = big;
	/* a small cap stands in for a full disk (TETRAD_TEST_MAX_PAGES) */
	CHECK_INT_EQ(store_limit_pages(s, 40, &e), 0);
	for (i = 0; i < 1000; i++) {
		snprintf(r.status, sizeof(r.status), i % 2 ? "draft" : "final");
		CHECK_INT_EQ(uuid7_new(r.id, 0), 0);
		if ((rc = store_begin(s, &e)) != 0)
			break;
		if ((rc = store_hlc_next(s, h, &e)) != 0 ||
		    (memcpy(r.created_hlc, h, sizeof(h)), memcpy(r.updated_hlc, h, sizeof(h)),
		    (rc = store_record_put(s, &r, NULL, &e)) != 0) ||
		    (rc = store_outbox_append(s, r.id, "put", "f", 1, "170103", h,
		    "{}", NULL, &e)) != 0 || (rc = store_commit(s, &e)) != 0) {
			store_rollback(s);
			break;
		}
	}
	CHECK(i < 1000);
	CHECK_INT_EQ(rc, TERR_IO);
	CHECK_CONTAINS(e.msg, "Недостаточно места на диске");
	CHECK_INT_EQ(store_record_each(s, NULL, NULL, count_cb, &n, &e), 0);
	CHECK_INT_EQ(n, i);
	n = 0;
	CHECK_INT_EQ(store_record_each(s, "f", "draft", count_cb, &n, &e), 0);
	CHECK_INT_EQ(n, i / 2);
	/* every committed record has its outbox row, nothing half-written */
	CHECK_INT_EQ(q_int(store_db(s), "SELECT COUNT(*) FROM outbox"), i);
	{
		char ok[32];

		q_text(store_db(s), "PRAGMA integrity_check", ok, sizeof(ok));
		CHECK_STR_EQ(ok, "ok");
	}
	store_close(s);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_fresh();
	test_migrations();
	test_records_outbox();
	test_each_and_full();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
