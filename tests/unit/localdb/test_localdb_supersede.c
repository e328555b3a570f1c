/*
 * test_localdb_supersede — a refused set with one record's content at
 * fault: «исправить» sends the set's other entries again while that
 * record's stay quarantined (localdb_requeue_others), and its correction
 * supersedes them (localdb_quarantine_supersede): they leave the outbox,
 * are never sent again, and the set keeps the hub's reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "tetrad/localdb.h"

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

int
main(void)
{
	char dir[] = "/tmp/test_localdb_supersede.XXXXXX", p[600], t[256];
	const uint8_t bad[16] = { 7 }, good[16] = { 8 };
	struct localdb *db = NULL;
	struct localdb_batch b;
	struct terr e = { 0 };
	int64_t seq = 0, moved = -1, gone = -1;
	uint8_t env[8] = { 1 };
	struct localdb_entry en = { .record_id = good, .record_id_len = 16, .op = "put",
	    .form_id = "f", .form_version = 2, .school = "170103", .hlc = "h1",
	    .fields = "{\"n\":1}" };

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(p, sizeof(p), "%s/tetrad.db", dir);
	CHECK_INT_EQ(localdb_open(p, LOCALDB_CREATE, &db, &e), 0);
	if (db == NULL)
		return check_summary();
	/* one set of four: good 1, bad 2 (put), good 3, bad 4 (edit) */
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	for (int i = 0; i < 4; i++) {
		en.record_id = i % 2 ? bad : good;
		en.op = i == 3 ? "edit" : "put";
		CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), 0);
	}
	memset(&b, 0, sizeof(b));
	b.first_seq = 1;
	b.last_seq = 4;
	b.envelope = env;
	b.len = sizeof(env);
	CHECK_INT_EQ(localdb_batch_insert(db, &b, 1, 4, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK_INT_EQ(localdb_batch_set_state(db, &b, LOCALDB_BATCH_QUARANTINED,
	    "изменение 2: поле не заполнено", (const uint8_t *)"a", 1, &e), 0);

	/* the others go again as new entries; the faulty record's stay */
	CHECK_INT_EQ(localdb_requeue_others(db, b.id, bad, &moved, &e), 0);
	CHECK_INT_EQ(moved, 2);
	q_text(localdb_sqlite(db), "SELECT group_concat(seq) FROM (SELECT seq FROM outbox "
	    "WHERE state = 'pending' ORDER BY seq)", t, sizeof(t));
	CHECK_STR_EQ(t, "5,6");
	q_text(localdb_sqlite(db), "SELECT group_concat(seq) FROM (SELECT seq FROM outbox "
	    "WHERE state = 'quarantined' ORDER BY seq)", t, sizeof(t));
	CHECK_STR_EQ(t, "2,4");
	CHECK_INT_EQ(localdb_requeue_others(db, b.id, bad, &moved, &e), 0);
	CHECK_INT_EQ(moved, 0);

	/* the correction supersedes them: gone from the outbox, fields too,
	 * the set still quarantined with the hub's words */
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_quarantine_supersede(db, bad, &gone, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK_INT_EQ(gone, 2);
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM outbox_queue WHERE "
	    "state = 'quarantined'"), 0);
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM outbox_fields WHERE "
	    "seq IN (2, 4)"), 0);
	q_text(localdb_sqlite(db), "SELECT state || ':' || reason FROM batches", t, sizeof(t));
	CHECK_STR_EQ(t, "quarantined:изменение 2: поле не заполнено");
	/* nothing left to send again, and a record with none supersedes nothing */
	CHECK_INT_EQ(localdb_requeue(db, 0, false, &moved, &e), 0);
	CHECK_INT_EQ(moved, 0);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_quarantine_supersede(db, good, &gone, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK_INT_EQ(gone, 0);
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM outbox WHERE "
	    "state = 'pending'"), 2);
	localdb_close(db);

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
