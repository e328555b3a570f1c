/*
 * test_localdb — the device database contract: creation with the pragmas,
 * the path rule both programs share, a newer schema refused with the file
 * left byte for byte as it was (WAL or not, client or syncd), older ones
 * migrated by syncd too, meta, the outbox stream and the batch state
 * machine, and statements prepared once per handle, not once per call.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "localdb_v1.h"
#include "tetrad/localdb.h"

static char dir[64];

static void
path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

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

/* The whole file, malloc'd, *n its size (NULL when unreadable). */
static unsigned char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long len;

	*n = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) != NULL)
		*n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	return buf;
}

static int
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static void
test_create(void)
{
	char p[256], txt[32];
	struct localdb *db = NULL;
	struct terr e = { 0 };
	struct stat sb;

	path_of(p, sizeof(p), "new.db");
	CHECK_INT_EQ(localdb_open(p, 0, &db, &e), LOCALDB_NOTFOUND);
	CHECK_CONTAINS(e.msg, "tetrad init");
	CHECK(!exists(p));
	CHECK_INT_EQ(localdb_open(p, LOCALDB_CREATE, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "PRAGMA user_version"), LOCALDB_SCHEMA_VERSION);
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "PRAGMA foreign_keys"), 1);
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "PRAGMA synchronous"), 2);
	q_text(localdb_sqlite(db), "PRAGMA journal_mode", txt, sizeof(txt));
	CHECK_STR_EQ(txt, "wal");
	CHECK_INT_EQ(localdb_wal(db), 1);
	CHECK_STR_EQ(localdb_file(db), p);
	CHECK_INT_EQ(stat(p, &sb), 0);
	CHECK_INT_EQ(sb.st_mode & 0777, 0600);
	localdb_close(db);
	/* syncd's connection: a small page cache */
	CHECK_INT_EQ(localdb_open(p, LOCALDB_SYNCD, &db, &e), 0);
	if (db)
		CHECK_INT_EQ(q_int(localdb_sqlite(db), "PRAGMA cache_size"), -512);
	localdb_close(db);
	/* an empty file is not a database of ours */
	path_of(p, sizeof(p), "empty.db");
	close(open(p, O_RDWR | O_CREAT, 0600));
	CHECK_INT_EQ(localdb_open(p, LOCALDB_SYNCD, &db, &e), LOCALDB_NOTFOUND);
	CHECK_CONTAINS(e.msg, "не подготовлена");
	localdb_close(NULL);
}

/* A database at schema LOCALDB_SCHEMA_VERSION + 1 in the given journal mode. */
static void
make_future(const char *p, const char *journal)
{
	char sql[128];
	struct localdb *db = NULL;
	struct terr e = { 0 };
	sqlite3 *raw = NULL;

	unlink(p);
	CHECK_INT_EQ(localdb_open(p, LOCALDB_CREATE, &db, &e), 0);
	localdb_close(db);
	CHECK_INT_EQ(sqlite3_open(p, &raw), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s; CREATE TABLE later(x);"
	    " PRAGMA user_version=%d;", journal, LOCALDB_SCHEMA_VERSION + 1);
	CHECK_INT_EQ(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
}

static void
test_newer_refused(void)
{
	static const char *const journals[] = { "delete", "wal" };
	static const unsigned flags[] = { 0, LOCALDB_SYNCD };
	char p[256], side[280], want[128], txt[32];

	snprintf(want, sizeof(want), "более новой версией Tetrad (схема %d", LOCALDB_SCHEMA_VERSION + 1);
	path_of(p, sizeof(p), "future.db");
	for (size_t j = 0; j < 2; j++) {
		for (size_t f = 0; f < 2; f++) {
			struct localdb *db = NULL;
			struct terr e = { 0 };
			unsigned char *before, *after;
			size_t nb, na;
			sqlite3 *raw = NULL;

			make_future(p, journals[j]);
			before = slurp(p, &nb);
			CHECK_INT_EQ(localdb_open(p, flags[f], &db, &e), TERR_VERSION);
			CHECK(db == NULL);
			CHECK_CONTAINS(e.msg, want);
			CHECK_CONTAINS(e.msg, flags[f] ? "обновите tetrad-syncd" : "обновите tetrad");
			CHECK_CONTAINS(e.msg, "не изменена");
			after = slurp(p, &na);
			CHECK(before != NULL && after != NULL);
			CHECK_INT_EQ(na, nb);
			if (before && after && na == nb)
				CHECK_MEM_EQ(after, before, nb);
			free(before);
			free(after);
			snprintf(side, sizeof(side), "%s-wal", p);
			CHECK(!exists(side));
			/* the journal mode was not switched, the version not lowered */
			CHECK_INT_EQ(sqlite3_open_v2(p, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
			q_text(raw, "PRAGMA journal_mode", txt, sizeof(txt));
			CHECK_STR_EQ(txt, journals[j]);
			CHECK_INT_EQ(q_int(raw, "PRAGMA user_version"), LOCALDB_SCHEMA_VERSION + 1);
			sqlite3_close(raw);
			/* and the create path refuses it the same way */
			CHECK_INT_EQ(localdb_open(p, flags[f] | LOCALDB_CREATE, &db, &e), TERR_VERSION);
			CHECK(db == NULL);
		}
	}
}

/* Schema 1 as the first clients wrote it, with a row in each table. */
static const char *v1_schema =
	LOCALDB_V1_SCHEMA
	"INSERT INTO meta VALUES('school','170103');"
	"INSERT INTO outbox(seq,record_id,op,form_id,form_version,school,hlc,fields)"
	" VALUES(1,x'0011223344556677889900aabbccddee','put','f',1,'170103','h1','{}');"
	"PRAGMA user_version=1;";

/* Each older schema (1, 2 with the index of all states, 3) is migrated by
 * syncd's open as by the client's. */
static void
test_migrate_older(void)
{
	static const char *const extra[] = {
		"",
		"CREATE INDEX records_form_status ON records(form_id, status);"
		" CREATE INDEX outbox_state ON outbox(state, seq);"
		" CREATE INDEX outbox_record ON outbox(record_id); PRAGMA user_version=2;",
		"CREATE INDEX records_form_status ON records(form_id, status);"
		" CREATE INDEX outbox_record ON outbox(record_id);"
		" CREATE INDEX outbox_pending ON outbox(seq) WHERE state = 'pending';"
		" PRAGMA user_version=3;",
	};
	char p[256], v[64];

	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		struct localdb *db = NULL;
		struct terr e = { 0 };
		sqlite3 *raw = NULL;

		path_of(p, sizeof(p), "old.db");
		unlink(p);
		CHECK_INT_EQ(sqlite3_open(p, &raw), SQLITE_OK);
		CHECK_INT_EQ(sqlite3_exec(raw, v1_schema, NULL, NULL, NULL), SQLITE_OK);
		CHECK_INT_EQ(sqlite3_exec(raw, extra[i], NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(raw);
		CHECK_INT_EQ(localdb_open(p, LOCALDB_SYNCD, &db, &e), 0);
		if (db == NULL)
			continue;
		raw = localdb_sqlite(db);
		CHECK_INT_EQ(q_int(raw, "PRAGMA user_version"), LOCALDB_SCHEMA_VERSION);
		CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND "
		    "name IN ('outbox_pending', 'batches_open', 'outbox_record')"), 3);
		CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM sqlite_master WHERE name='outbox_state'"), 0);
		CHECK_INT_EQ(localdb_meta_copy(db, "school", v, sizeof(v), &e), 1);
		CHECK_STR_EQ(v, "170103");
		CHECK_INT_EQ(localdb_has_work(db, &e), 1);
		localdb_close(db);
	}
}

/*
 * Schema 4 as devices hold it when they update: entries in every state,
 * a set answered (1-2), one sent and waiting (3-4), one refused (5), two
 * entries not yet in a set (6, a put, and 7, a delete).
 */
static const char *v4_rows =
	"CREATE INDEX records_form_status ON records(form_id, status);"
	"CREATE INDEX outbox_record ON outbox(record_id);"
	"CREATE INDEX outbox_pending ON outbox(seq) WHERE state = 'pending';"
	"CREATE INDEX batches_open ON batches(first_seq) WHERE state IN ('sealed', 'sent');"
	"DELETE FROM outbox;"
	"INSERT INTO outbox(seq,record_id,op,form_id,form_version,school,hlc,fields,state,"
	" batch_id,reason) VALUES"
	" (1,x'01','put','f',1,'170103','h1','{\"n\":1}','acked',1,NULL),"
	" (2,x'02','put','f',1,'170103','h2','{\"n\":2}','acked',1,NULL),"
	" (3,x'03','put','f',1,'170103','h3','{\"n\":3}','sent',2,NULL),"
	" (4,x'04','put','f',1,'170103','h4','{\"n\":4}','sent',2,NULL),"
	" (5,x'05','put','f',1,'170103','h5','{\"n\":5}','quarantined',3,'поле'),"
	" (6,x'06','put','f',2,'170103','h6','{\"n\":6}','pending',NULL,NULL),"
	" (7,x'06','delete','f',2,'170103','h7',NULL,'pending',NULL,NULL);"
	"INSERT INTO batches(id,first_seq,last_seq,prev_hash,set_hash,envelope,state,"
	" reason,created_at) VALUES(1,1,2,zeroblob(32),zeroblob(32),x'aa','acked',NULL,'t'),"
	" (2,3,4,zeroblob(32),zeroblob(32),x'bb','sent',NULL,'t'),"
	" (3,5,5,zeroblob(32),zeroblob(32),x'cc','quarantined','поле','t');"
	"INSERT INTO meta VALUES('next_seq','8');"
	"PRAGMA user_version=4;";

struct fields_seen {
	uint64_t seq[8];
	char fields[8][16];
	size_t n;
};

static int
fields_cb(const struct localdb_entry *en, void *arg)
{
	struct fields_seen *f = arg;

	if (f->n == 8)
		return 1;
	f->seq[f->n] = en->seq;
	snprintf(f->fields[f->n], sizeof(f->fields[0]), "%s", en->fields ? en->fields : "NULL");
	if (en->fields && en->fields_len != strlen(en->fields))
		return TERR_SCHEMA;
	f->n++;
	return 0;
}

/*
 * Schema 4 -> 5 on a device with entries in every state: the counts are
 * what they were, the set waiting for its answer is still the next one and
 * is acknowledged as before, the next set takes the pending entries with
 * their fields, numbering goes on; the outbox view reads and writes as the
 * table did, and a state set through it leaves the fields' rows alone.
 */
static void
test_migrate_v4(void)
{
	const uint8_t rid[16] = { 9 };
	struct localdb_entry en = { .record_id = rid, .record_id_len = 16, .op = "put",
	    .form_id = "f", .form_version = 2, .school = "170103", .hlc = "h8",
	    .fields = "{\"n\":8}" };
	struct localdb *db = NULL;
	struct localdb_batch b, nb;
	struct localdb_counts c;
	struct fields_seen f;
	struct terr e = { 0 };
	sqlite3 *raw = NULL;
	char p[256], t[128];
	int64_t seq = 0;
	uint8_t env[8] = { 4 };

	path_of(p, sizeof(p), "v4.db");
	unlink(p);
	CHECK_INT_EQ(sqlite3_open(p, &raw), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(raw, v1_schema, NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(raw, "PRAGMA journal_mode=WAL", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(raw, v4_rows, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	CHECK_INT_EQ(localdb_open(p, LOCALDB_SYNCD, &db, &e), 0);
	if (db == NULL)
		return;
	raw = localdb_sqlite(db);
	CHECK_INT_EQ(q_int(raw, "PRAGMA user_version"), LOCALDB_SCHEMA_VERSION);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND "
	    "name IN ('outbox_queue', 'outbox_fields')"), 2);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND "
	    "name IN ('outbox_pending', 'batches_open', 'outbox_record')"), 3);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM outbox_fields"), 7);
	/* tetrad status */
	CHECK_INT_EQ(localdb_counts(db, false, &c, &e), 0);
	CHECK_INT_EQ(c.pending, 2);
	CHECK_INT_EQ(c.sent, 2);
	CHECK_INT_EQ(c.acked, 2);
	CHECK_INT_EQ(c.quarantined, 1);
	/* the view: every column of every row as it was */
	q_text(raw, "SELECT group_concat(seq || ':' || hex(record_id) || op || form_id || "
	    "form_version || school || hlc || COALESCE(fields, '-') || state || "
	    "COALESCE(batch_id, '-') || COALESCE(reason, '-'), ',') FROM outbox "
	    "WHERE seq IN (5, 7)", t, sizeof(t));
	CHECK_STR_EQ(t, "5:05putf1170103h5{\"n\":5}quarantined3поле,"
	    "7:06deletef2170103h7-pending--");
	/* the set waiting for its answer comes first and is answered as before */
	CHECK_INT_EQ(localdb_has_work(db, &e), 1);
	CHECK_INT_EQ(localdb_batch_next(db, 0, 1000, &nb, &e), 1);
	CHECK_INT_EQ(nb.id, 2);
	CHECK_STR_EQ(nb.state, "sent");
	CHECK_INT_EQ(localdb_batch_set_state(db, &nb, LOCALDB_BATCH_ACKED, NULL,
	    (const uint8_t *)"ack", 3, &e), 0);
	free(nb.envelope);
	CHECK_INT_EQ(localdb_counts(db, false, &c, &e), 0);
	CHECK_INT_EQ(c.acked, 4);
	CHECK_INT_EQ(c.sent, 0);
	/* the next set: the pending entries with their fields */
	memset(&f, 0, sizeof(f));
	CHECK_INT_EQ(localdb_outbox_pending(db, 100, fields_cb, &f, &e), 0);
	CHECK_INT_EQ(f.n, 2);
	CHECK_INT_EQ(f.seq[0], 6);
	CHECK_STR_EQ(f.fields[0], "{\"n\":6}");
	CHECK_INT_EQ(f.seq[1], 7);
	CHECK_STR_EQ(f.fields[1], "NULL");
	memset(&b, 0, sizeof(b));
	b.first_seq = 6;
	b.last_seq = 7;
	b.envelope = env;
	b.len = sizeof(env);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_batch_insert(db, &b, 1, 2, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK_INT_EQ(localdb_counts(db, false, &c, &e), 0);
	CHECK_INT_EQ(c.pending, 0);
	CHECK_INT_EQ(c.sent, 2);
	CHECK_INT_EQ(b.id, 4);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM outbox WHERE batch_id = 4 AND state = 'sent'"), 2);
	/* numbering goes on after the migrated entries */
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK_INT_EQ(seq, 8);
	q_text(raw, "SELECT fields FROM outbox WHERE seq = 8 AND state = 'pending'", t, sizeof(t));
	CHECK_STR_EQ(t, "{\"n\":8}");
	/* the state check of schema 1, written as ORs, still holds */
	CHECK_INT_EQ(sqlite3_exec(raw, "UPDATE outbox_queue SET state = 'lost' WHERE seq = 8",
	    NULL, NULL, NULL), SQLITE_CONSTRAINT_CHECK);
	CHECK_INT_EQ(sqlite3_exec(raw, "UPDATE outbox SET state = NULL WHERE seq = 8",
	    NULL, NULL, NULL), SQLITE_CONSTRAINT_NOTNULL);
	/* writes through the view: a state leaves the fields' row alone */
	CHECK_INT_EQ(sqlite3_exec(raw, "CREATE TEMP TABLE touched(n INTEGER);"
	    "INSERT INTO touched VALUES(0);"
	    "CREATE TEMP TRIGGER fields_touched AFTER UPDATE ON main.outbox_fields BEGIN "
	    "UPDATE touched SET n = n + 1; END;"
	    "UPDATE outbox SET state = 'quarantined', reason = 'x' WHERE seq = 8;",
	    NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(q_int(raw, "SELECT n FROM touched"), 0);
	CHECK_INT_EQ(localdb_counts(db, false, &c, &e), 0);
	CHECK_INT_EQ(c.quarantined, 2);
	CHECK_INT_EQ(sqlite3_exec(raw, "UPDATE outbox SET fields = '{}', state = 'pending' "
	    "WHERE seq = 8; INSERT INTO outbox(record_id,op,form_id,form_version,school,hlc,"
	    "fields) VALUES(x'09','put','f',2,'170103','h9','{\"n\":9}');",
	    NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(q_int(raw, "SELECT n FROM touched"), 1);
	memset(&f, 0, sizeof(f));
	CHECK_INT_EQ(localdb_outbox_pending(db, 100, fields_cb, &f, &e), 0);
	CHECK_INT_EQ(f.n, 2);
	CHECK_STR_EQ(f.fields[0], "{}");
	CHECK_INT_EQ(f.seq[1], 9);
	CHECK_STR_EQ(f.fields[1], "{\"n\":9}");
	CHECK_INT_EQ(sqlite3_exec(raw, "DELETE FROM outbox WHERE seq >= 8", NULL, NULL, NULL),
	    SQLITE_OK);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM outbox_fields WHERE seq >= 8"), 0);
	CHECK_INT_EQ(q_int(raw, "SELECT COUNT(*) FROM outbox_queue WHERE seq >= 8"), 0);
	/* a second open migrates nothing */
	localdb_close(db);
	db = NULL;
	CHECK_INT_EQ(localdb_open(p, 0, &db, &e), 0);
	if (db)
		CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM outbox"), 7);
	localdb_close(db);
}

static void
test_path(void)
{
	char buf[LOCALDB_PATH_MAX], small[8];

	setenv("TETRAD_DB", "/env/t.db", 1);
	setenv("XDG_DATA_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	CHECK_INT_EQ(localdb_path("/opt/o.db", buf, sizeof(buf)), 0);
	CHECK_STR_EQ(buf, "/opt/o.db");
	CHECK_INT_EQ(localdb_path(NULL, buf, sizeof(buf)), 0);
	CHECK_STR_EQ(buf, "/env/t.db");
	CHECK_INT_EQ(localdb_path("", buf, sizeof(buf)), 0);
	CHECK_STR_EQ(buf, "/env/t.db");
	unsetenv("TETRAD_DB");
	CHECK_INT_EQ(localdb_path(NULL, buf, sizeof(buf)), 0);
	CHECK_STR_EQ(buf, "/xdg/tetrad/tetrad.db");
	unsetenv("XDG_DATA_HOME");
	CHECK_INT_EQ(localdb_path(NULL, buf, sizeof(buf)), 0);
	CHECK_STR_EQ(buf, "/home/u/.local/share/tetrad/tetrad.db");
	CHECK_INT_EQ(localdb_path(NULL, small, sizeof(small)), TERR_TOO_LARGE);
	unsetenv("HOME");
	CHECK_INT_EQ(localdb_path(NULL, buf, sizeof(buf)), TERR_ARG);
}

struct gather {
	uint64_t seqs[16];
	size_t n, stop_after;
};

static int
gather_cb(const struct localdb_entry *en, void *arg)
{
	struct gather *g = arg;

	if (g->stop_after && g->n == g->stop_after)
		return 1;
	if (en->record_id_len != 16 || en->op == NULL || en->hlc == NULL)
		return TERR_SCHEMA;
	g->seqs[g->n++] = en->seq;
	return 0;
}

/* Statements of the handle alive now (prepared and not finalized). */
static int
stmt_count(sqlite3 *db)
{
	int n = 0;

	for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st; st = sqlite3_next_stmt(db, st))
		n++;
	return n;
}

static void
test_queue(void)
{
	char p[256], v[8];
	const uint8_t rid[16] = { 7 };
	struct localdb *db = NULL;
	struct localdb_batch b, nb;
	struct localdb_counts c;
	struct gather g;
	struct terr e = { 0 };
	int64_t seq = 0;
	uint8_t h[LOCALDB_HASH_BYTES], env[40] = { 1, 2, 3 };
	int stmts;

	path_of(p, sizeof(p), "queue.db");
	CHECK_INT_EQ(localdb_open(p, LOCALDB_CREATE, &db, &e), 0);
	if (db == NULL)
		return;
	/* meta */
	CHECK_INT_EQ(localdb_meta_copy(db, "nothing", v, sizeof(v), &e), 0);
	CHECK_STR_EQ(v, "");
	CHECK_INT_EQ(localdb_meta_set(db, "k", "0123456789", &e), 0);
	CHECK_INT_EQ(localdb_meta_copy(db, "k", v, sizeof(v), &e), TERR_TOO_LARGE);
	/* appends need a transaction */
	{
		struct localdb_entry en = { .record_id = rid, .record_id_len = 16, .op = "put",
		    .form_id = "f", .form_version = 1, .school = "170103", .hlc = "h",
		    .fields = "{}" };

		CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), TERR_INTERNAL);
		CHECK_INT_EQ(localdb_begin(db, &e), 0);
		for (int i = 0; i < 10; i++)
			CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), 0);
		en.op = "delete";
		en.fields = NULL;
		CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), 0);
		CHECK_INT_EQ(localdb_commit(db, &e), 0);
		CHECK_INT_EQ(seq, 11);
	}
	/* streamed in order, bounded by the limit or by the callback */
	memset(&g, 0, sizeof(g));
	CHECK_INT_EQ(localdb_outbox_pending(db, 4, gather_cb, &g, &e), 0);
	CHECK_INT_EQ(g.n, 4);
	CHECK_INT_EQ(g.seqs[3], 4);
	memset(&g, 0, sizeof(g));
	g.stop_after = 6;
	CHECK_INT_EQ(localdb_outbox_pending(db, 100, gather_cb, &g, &e), 0);
	CHECK_INT_EQ(g.n, 6);
	/* a batch of 1..6 */
	memset(&b, 0, sizeof(b));
	b.first_seq = 1;
	b.last_seq = 6;
	memset(b.set_hash, 0xab, sizeof(b.set_hash));
	b.envelope = env;
	b.len = sizeof(env);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_batch_insert(db, &b, 0, 6, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK(b.id > 0);
	memset(&g, 0, sizeof(g));
	CHECK_INT_EQ(localdb_outbox_pending(db, 100, gather_cb, &g, &e), 0);
	CHECK_INT_EQ(g.n, 5);
	CHECK_INT_EQ(g.seqs[0], 7);
	/* entries that changed meanwhile: the insert says so */
	b.first_seq = 7;
	b.last_seq = 8;
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_batch_insert(db, &b, 1, 3, &e), TERR_INTERNAL);
	localdb_rollback(db);
	CHECK_INT_EQ(localdb_batch_next(db, 0, 1000, &nb, &e), 1);
	CHECK_INT_EQ(nb.first_seq, 1);
	CHECK_INT_EQ(nb.last_seq, 6);
	CHECK_INT_EQ(nb.len, sizeof(env));
	CHECK_STR_EQ(nb.state, "sealed");
	CHECK_MEM_EQ(nb.set_hash, b.set_hash, LOCALDB_HASH_BYTES);
	free(nb.envelope);
	CHECK_INT_EQ(localdb_batch_next(db, 0, 10, &nb, &e), TERR_SCHEMA); /* over max_len */
	CHECK(nb.envelope == NULL);
	CHECK_INT_EQ(localdb_batch_next(db, 1, 1000, &nb, &e), 0);
	/* sealed -> sent -> acked */
	CHECK_INT_EQ(localdb_batch_next(db, 0, 1000, &nb, &e), 1);
	CHECK_INT_EQ(localdb_batch_set_state(db, &nb, LOCALDB_BATCH_SENT, NULL, NULL, 0, &e), 0);
	CHECK_INT_EQ(localdb_counts(db, true, &c, &e), 0);
	CHECK_INT_EQ(c.sent, 6);
	CHECK_INT_EQ(c.pending, 5);
	CHECK_INT_EQ(localdb_batch_set_state(db, &nb, LOCALDB_BATCH_ACKED, NULL,
	    (const uint8_t *)"ack", 3, &e), 0);
	CHECK_INT_EQ(localdb_counts(db, false, &c, &e), 0);
	CHECK_INT_EQ(c.acked, 6);
	free(nb.envelope);
	{
		struct localdb_batch none;

		CHECK_INT_EQ(localdb_batch_next(db, 0, 1000, &none, &e), 0);
	}
	/* the rewind's lookups */
	CHECK_INT_EQ(localdb_batch_hash_ending(db, 6, h, &e), 1);
	CHECK_MEM_EQ(h, b.set_hash, LOCALDB_HASH_BYTES);
	CHECK_INT_EQ(localdb_batch_hash_ending(db, 5, h, &e), 0);
	memset(h, 0, sizeof(h));
	CHECK_INT_EQ(localdb_batch_starts(db, 1, h, &e), 1);
	CHECK_INT_EQ(localdb_batch_starts(db, 2, h, &e), 0);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_batch_reopen(db, 1, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK_INT_EQ(localdb_counts(db, false, &c, &e), 0);
	CHECK_INT_EQ(c.pending, 11);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_batch_dissolve(db, 4, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK_INT_EQ(localdb_counts(db, false, &c, &e), 0);
	CHECK_INT_EQ(c.acked, 3);
	CHECK_INT_EQ(c.pending, 8);
	memset(&g, 0, sizeof(g));
	CHECK_INT_EQ(localdb_outbox_pending(db, 100, gather_cb, &g, &e), 0);
	CHECK_INT_EQ(g.n, 8);
	CHECK_INT_EQ(g.seqs[0], 4);
	/* prepared once: a hundred more calls add no statement */
	stmts = -1;
	for (int i = 0; i < 100; i++) {
		if (i == 1)
			stmts = stmt_count(localdb_sqlite(db));
		memset(&g, 0, sizeof(g));
		CHECK_INT_EQ(localdb_outbox_pending(db, 2, gather_cb, &g, &e), 0);
		CHECK_INT_EQ(localdb_meta_copy(db, "school", v, sizeof(v), &e), 0);
		CHECK_INT_EQ(localdb_counts(db, true, &c, &e), 0);
		CHECK_INT_EQ(localdb_has_work(db, &e), 1);
	}
	CHECK_INT_EQ(stmt_count(localdb_sqlite(db)), stmts);
	localdb_close(db);
}

static int
retry_cb(int64_t batch_id, const char *retry, void *arg)
{
	int64_t *got = arg;

	*got = strcmp(retry, "forms") == 0 ? batch_id : -1;
	return 0;
}

static int
quarantined_cb(const struct localdb_quarantined *q, void *arg)
{
	struct gather *g = arg;

	if (g->n < sizeof(g->seqs) / sizeof(g->seqs[0]))
		g->seqs[g->n] = q->seq;
	g->n++;
	return 0;
}

/* Quarantined sets go again as new entries: by the hub's retry class, or all. */
static void
test_requeue(void)
{
	char p[256], t[256];
	const uint8_t rid[16] = { 9 };
	struct localdb *db = NULL;
	struct localdb_batch b[2];
	struct gather g;
	struct terr e = { 0 };
	int64_t seq = 0, moved = -1, got = 0;
	uint8_t env[8] = { 1 };
	struct localdb_entry en = { .record_id = rid, .record_id_len = 16, .op = "put",
	    .form_id = "f", .form_version = 2, .school = "170103", .hlc = "h1",
	    .fields = "{\"n\":1}" };

	path_of(p, sizeof(p), "requeue.db");
	CHECK_INT_EQ(localdb_open(p, LOCALDB_CREATE, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	for (int i = 0; i < 3; i++)
		CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), 0);
	memset(b, 0, sizeof(b));
	for (int i = 0; i < 2; i++) {
		b[i].first_seq = b[i].last_seq = (uint64_t)(i + 1);
		b[i].last_seq += i == 1;          /* 1, then 2..3 */
		b[i].envelope = env;
		b[i].len = sizeof(env);
		CHECK_INT_EQ(localdb_batch_insert(db, &b[i], 1, (size_t)(i + 1), &e), 0);
	}
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	/* the first set: an unknown form (may go again); the second: a bad value */
	snprintf(b[0].retry, sizeof(b[0].retry), "forms");
	CHECK_INT_EQ(localdb_batch_set_state(db, &b[0], LOCALDB_BATCH_QUARANTINED,
	    "форма неизвестна", (const uint8_t *)"a", 1, &e), 0);
	CHECK_INT_EQ(localdb_batch_set_state(db, &b[1], LOCALDB_BATCH_QUARANTINED,
	    "поле", (const uint8_t *)"a", 1, &e), 0);
	CHECK_INT_EQ(localdb_retry_batches(db, retry_cb, &got, &e), 0);
	CHECK_INT_EQ(got, b[0].id);
	memset(&g, 0, sizeof(g));
	CHECK_INT_EQ(localdb_quarantined_each(db, 0, quarantined_cb, &g, &e), 0);
	CHECK_INT_EQ(g.n, 3);
	memset(&g, 0, sizeof(g));
	CHECK_INT_EQ(localdb_quarantined_each(db, b[1].id, quarantined_cb, &g, &e), 0);
	CHECK_INT_EQ(g.n, 2);
	CHECK_INT_EQ(g.seqs[0], 2);
	/* only what the hub said may go: seq 1 comes back as 4, fields and all */
	CHECK_INT_EQ(localdb_requeue(db, 0, true, &moved, &e), 0);
	CHECK_INT_EQ(moved, 1);
	q_text(localdb_sqlite(db), "SELECT seq || state || hlc || fields FROM outbox WHERE "
	    "state = 'pending'", t, sizeof(t));
	CHECK_STR_EQ(t, "4pendingh1{\"n\":1}");
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM outbox WHERE seq = 1"), 0);
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM batches WHERE "
	    "retry IS NOT NULL"), 0);
	CHECK_INT_EQ(q_int(localdb_sqlite(db), "SELECT COUNT(*) FROM batches WHERE "
	    "state = 'quarantined'"), 2);
	got = 0;
	CHECK_INT_EQ(localdb_retry_batches(db, retry_cb, &got, &e), 0);
	CHECK_INT_EQ(got, 0);
	CHECK_INT_EQ(localdb_requeue(db, 0, true, &moved, &e), 0);
	CHECK_INT_EQ(moved, 0);
	/* all: the two others, numbered after, next_seq moved on */
	CHECK_INT_EQ(localdb_requeue(db, 0, false, &moved, &e), 0);
	CHECK_INT_EQ(moved, 2);
	q_text(localdb_sqlite(db), "SELECT group_concat(seq) FROM (SELECT seq FROM outbox "
	    "WHERE state = 'pending' ORDER BY seq)", t, sizeof(t));
	CHECK_STR_EQ(t, "4,5,6");
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	CHECK_INT_EQ(seq, 7);
	localdb_close(db);
	/* a folder is no database: said in Russian, not SQLite's English */
	CHECK_INT_EQ(localdb_open(dir, 0, &db, &e), TERR_IO);
	CHECK_CONTAINS(e.msg, "это папка, а не файл базы данных");
	CHECK(strstr(e.msg, "unable to open") == NULL);
}

int
main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/test_localdb.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_create();
	test_newer_refused();
	test_migrate_older();
	test_migrate_v4();
	test_path();
	test_queue();
	test_requeue();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
	return check_summary();
}
