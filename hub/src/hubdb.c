/*
 * hubdb — the SQLite implementation of the hub's store (see hubdb.h).
 *
 * Statements are prepared once per handle and reset after each use. Record
 * and change-set keys grow with time (UUIDv7, device sequence), so inserts
 * append to the B-trees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub/hubdb.h"

enum hubdb_stmt {
	ST_DEVICE_GET,
	ST_DEVICE_ADD,
	ST_DEVICE_HEAD,
	ST_DEVICE_REVOKE,
	ST_TOKEN_ADD,
	ST_TOKEN_GET,
	ST_TOKEN_USE,
	ST_SCHOOL_ADD,
	ST_SCHOOL_NAME,
	ST_SET_GET,
	ST_SET_PUT,
	ST_QUAR_ADD,
	ST_REC_GET,
	ST_REC_PUT,
	ST_REC_ADD,
	ST_CONFLICT_ADD,
	ST_FORM_PUT,
	ST_FORM_GET,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_COUNT
};

static const char *const hubdb_sql[ST_COUNT] = {
	[ST_DEVICE_GET] = "SELECT id, pk, kind, label, schools, revoked_at, watermark, "
	    "last_hash FROM devices WHERE id = ?1",
	[ST_DEVICE_ADD] = "INSERT INTO devices(id, pk, kind, label, schools, enrolled_at, "
	    "watermark, last_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, 0, zeroblob(32))",
	[ST_DEVICE_HEAD] = "UPDATE devices SET watermark = ?2, last_hash = ?3, "
	    "last_seen_at = ?4 WHERE id = ?1",
	[ST_DEVICE_REVOKE] = "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 "
	    "AND revoked_at IS NULL",
	[ST_TOKEN_ADD] = "INSERT INTO tokens(hash, kind, name, schools, created_at, "
	    "expires_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_TOKEN_GET] = "SELECT kind, name, schools, expires_at, used_by FROM tokens "
	    "WHERE hash = ?1",
	[ST_TOKEN_USE] = "UPDATE tokens SET used_by = ?2, used_at = ?3 WHERE hash = ?1 "
	    "AND used_by IS NULL",
	[ST_SCHOOL_ADD] = "INSERT OR IGNORE INTO schools(code, name) VALUES(?1, ?2)",
	[ST_SCHOOL_NAME] = "UPDATE schools SET name = ?2 WHERE code = ?1",
	[ST_SET_GET] = "SELECT set_hash, http_status, ack FROM changesets "
	    "WHERE device_id = ?1 AND first_seq = ?2 AND last_seq = ?3",
	[ST_SET_PUT] = "INSERT INTO changesets(device_id, first_seq, last_seq, set_hash, "
	    "status, http_status, envelope, ack, received_at) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_QUAR_ADD] = "INSERT INTO quarantine(device_id, first_seq, last_seq, kind, "
	    "reason, envelope, received_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_REC_GET] = "SELECT form_id, form_version, school, device_id, hlc, deleted, data, "
	    "clocks FROM hub_records WHERE id = ?1",
	[ST_REC_PUT] = "INSERT INTO hub_records(id, form_id, form_version, school, "
	    "device_id, hlc, deleted, data, received_at, clocks) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(id) DO UPDATE SET "
	    "form_id = excluded.form_id, form_version = excluded.form_version, "
	    "school = excluded.school, device_id = excluded.device_id, "
	    "hlc = excluded.hlc, deleted = excluded.deleted, data = excluded.data, "
	    "clocks = excluded.clocks",
	[ST_REC_ADD] = "INSERT INTO hub_records(id, form_id, form_version, school, "
	    "device_id, hlc, deleted, data, received_at, clocks) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(id) DO NOTHING",
	[ST_CONFLICT_ADD] = "INSERT INTO conflicts(record_id, form_id, school, field, "
	    "loser_value, loser_hlc, loser_device, winner_value, winner_hlc, "
	    "winner_device, logged_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_FORM_PUT] = "INSERT OR REPLACE INTO hub_forms(id, version, sha256, bundle, "
	    "published_at) VALUES(?1, ?2, ?3, ?4, ?5)",
	[ST_FORM_GET] = "SELECT bundle FROM hub_forms WHERE id = ?1 AND version = ?2",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

#define HUBDB_STR_(x) #x
#define HUBDB_STR(x) HUBDB_STR_(x)

static const char hubdb_schema[] =
    "CREATE TABLE IF NOT EXISTS devices("
    " id TEXT PRIMARY KEY, pk BLOB NOT NULL, kind TEXT NOT NULL"
    "  CHECK(kind IN('school','curator')),"
    " label TEXT NOT NULL, schools TEXT NOT NULL, enrolled_at TEXT NOT NULL,"
    " revoked_at TEXT, watermark INTEGER NOT NULL DEFAULT 0,"
    " last_hash BLOB NOT NULL, last_seen_at TEXT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS tokens("
    " hash BLOB PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
    " schools TEXT NOT NULL, created_at TEXT NOT NULL, expires_at INTEGER NOT NULL,"
    " used_by TEXT, used_at TEXT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS schools(code TEXT PRIMARY KEY, name TEXT);"
    "CREATE TABLE IF NOT EXISTS changesets("
    " device_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
    " set_hash BLOB NOT NULL, status TEXT NOT NULL, http_status INTEGER NOT NULL,"
    " envelope BLOB NOT NULL, ack BLOB NOT NULL, received_at TEXT NOT NULL,"
    " PRIMARY KEY(device_id, first_seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS quarantine("
    " id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, first_seq INTEGER NOT NULL,"
    " last_seq INTEGER NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,"
    " envelope BLOB, received_at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS hub_records("
    " id BLOB PRIMARY KEY, form_id TEXT, form_version INTEGER, school TEXT,"
    " device_id TEXT, hlc TEXT, deleted INTEGER NOT NULL DEFAULT 0,"
    " data TEXT NOT NULL, received_at TEXT, clocks TEXT NOT NULL DEFAULT '{}')"
    " WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS hub_records_form ON hub_records(form_id, school);"
    "CREATE TABLE IF NOT EXISTS conflicts("
    " id INTEGER PRIMARY KEY, record_id BLOB NOT NULL, form_id TEXT, school TEXT,"
    " field TEXT NOT NULL, loser_value TEXT, loser_hlc TEXT, loser_device TEXT,"
    " winner_value TEXT, winner_hlc TEXT, winner_device TEXT, logged_at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS hub_forms("
    " id TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " bundle BLOB NOT NULL, published_at TEXT NOT NULL, PRIMARY KEY(id, version));";

/*
 * Schema 1 -> 2: a record's field clocks move into its own row. Every record
 * written cost two B-tree inserts (the record, then its clocks) and every
 * read a join; the clock document of a record written once is ~120 bytes.
 */
_Static_assert(HUBDB_SCHEMA_VERSION == 2, "hubdb_open writes user_version 2");

static const char hubdb_migrate_1_2[] =
    "ALTER TABLE hub_records ADD COLUMN clocks TEXT NOT NULL DEFAULT '{}';"
    "UPDATE hub_records SET clocks = c.clocks FROM hub_clocks c WHERE c.record_id = hub_records.id;"
    "DROP TABLE hub_clocks;";

struct hubdb {
	sqlite3 *db;
	time_t now_t;                 /* second now_text was made for */
	char now_text[HUBDB_TIME_MAX];
	sqlite3_stmt *st[ST_COUNT];
	void (*wal_grew)(void *ctx, int wal_pages);
	void *wal_ctx;
};

static int
hubdb_err(struct hubdb *db, int rc, struct terr *e, const char *what)
{
	int ext = sqlite3_extended_errcode(db->db);

	if (rc == SQLITE_FULL || (ext & 0xff) == SQLITE_FULL)
		return terr_set(e, TERR_FULL,
		    "%s: на диске хаба нет места (%s)", what, sqlite3_errmsg(db->db));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return terr_set(e, TERR_BUSY,
		    "%s: база данных хаба занята (%s)", what, sqlite3_errmsg(db->db));
	if (rc == SQLITE_IOERR || (ext & 0xff) == SQLITE_IOERR)
		return terr_set(e, TERR_IO, "%s: ошибка ввода-вывода базы данных хаба (%s)",
		    what, sqlite3_errmsg(db->db));
	return terr_set(e, TERR_IO, "%s: ошибка базы данных хаба: %s", what,
	    sqlite3_errmsg(db->db));
}

static sqlite3_stmt *
hubdb_stmt(struct hubdb *db, enum hubdb_stmt s, struct terr *e)
{
	if (db->st[s] == NULL &&
	    sqlite3_prepare_v3(db->db, hubdb_sql[s], -1, SQLITE_PREPARE_PERSISTENT,
	    &db->st[s], NULL) != SQLITE_OK) {
		hubdb_err(db, SQLITE_ERROR, e, "подготовка запроса");
		return NULL;
	}
	return db->st[s];
}

static void
hubdb_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a statement that returns no rows. */
static int
hubdb_exec_stmt(struct hubdb *db, sqlite3_stmt *st, struct terr *e, const char *what)
{
	int rc = sqlite3_step(st);
	int r = 0;

	if (rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, what);
	hubdb_done(st);
	return r;
}

void
hubdb_copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
hubdb_copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	hubdb_copy(dst, cap, t ? (const char *)t : "");
}

void
hubdb_now_iso(char out[HUBDB_TIME_MAX])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, HUBDB_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* hubdb_now_iso for a put per record: formatted once a second, not each time. */
static void
hubdb_now_cached(struct hubdb *db, char out[HUBDB_TIME_MAX])
{
	time_t t = time(NULL);

	if (t != db->now_t) {
		hubdb_now_iso(db->now_text);
		db->now_t = t;
	}
	memcpy(out, db->now_text, HUBDB_TIME_MAX);
}

int
hubdb_open(const char *path, struct hubdb **out, struct terr *e)
{
	struct hubdb *db = NULL;
	char *msg = NULL;
	int r = TERR_IO, v = 0;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		r = terr_set(e, TERR_IO, "не удалось открыть базу данных хаба %s: %s", path,
		    db->db ? sqlite3_errmsg(db->db) : "нет памяти");
		goto out;
	}
	sqlite3_busy_timeout(db->db, 5000);
	sqlite3_extended_result_codes(db->db, 1);
	/*
	 * FULL: an acknowledgement promises the set is stored; with NORMAL a power
	 * cut could lose a committed, acknowledged set (WAL not yet synced).
	 */
	if (sqlite3_exec(db->db, "PRAGMA page_size=" HUBDB_STR(HUBDB_PAGE_SIZE) ";"
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;",
	    NULL, NULL, &msg) != SQLITE_OK) {
		r = terr_set(e, TERR_IO, "база данных хаба %s: %s", path, msg ? msg : "?");
		goto out;
	}
	sqlite3_free(msg);
	msg = NULL;
	if (sqlite3_exec(db->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK) {
		r = terr_set(e, TERR_IO, "база данных хаба %s: %s", path, msg ? msg : "?");
		goto out;
	}
	{
		/* A database of a newer hub: refuse rather than write an older schema over it. */
		sqlite3_stmt *st = NULL;
		int ok;

		/* unread, the version must not pass for 0: that would skip a migration */
		ok = sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW;
		if (ok)
			v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (!ok)
			r = terr_set(e, TERR_IO, "база данных хаба %s: не удалось прочитать версию схемы: %s",
			    path, sqlite3_errmsg(db->db));
		else if (v > HUBDB_SCHEMA_VERSION)
			r = terr_set(e, TERR_VERSION, "база данных хаба %s создана более новой версией "
			    "Tetrad (схема %d, эта программа знает до %d): обновите программу", path, v,
			    HUBDB_SCHEMA_VERSION);
		if (!ok || v > HUBDB_SCHEMA_VERSION) {
			sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
	}
	/* in the transaction that reads the version: two hubs starting at once migrate once */
	if ((v == 1 && sqlite3_exec(db->db, hubdb_migrate_1_2, NULL, NULL, &msg) != SQLITE_OK) ||
	    sqlite3_exec(db->db, hubdb_schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(db->db, "PRAGMA user_version = 2; COMMIT", NULL, NULL,
	    &msg) != SQLITE_OK) {
		r = terr_set(e, TERR_IO, "не удалось создать таблицы базы данных хаба %s: %s",
		    path, msg ? msg : "?");
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	*out = db;
	db = NULL;
	r = 0;
 out:
	sqlite3_free(msg);
	hubdb_close(db);
	return r;
}

static int
hubdb_wal_hook(void *arg, sqlite3 *conn, const char *schema, int pages)
{
	struct hubdb *db = arg;

	(void)conn;
	(void)schema;
	db->wal_grew(db->wal_ctx, pages);
	return SQLITE_OK;
}

void
hubdb_defer_checkpoints(struct hubdb *db, void (*grew)(void *ctx, int wal_pages),
    void *ctx)
{
	db->wal_grew = grew;
	db->wal_ctx = ctx;
	/* replaces SQLite's own autocheckpoint on this connection */
	sqlite3_wal_hook(db->db, hubdb_wal_hook, db);
}

int
hubdb_checkpoint(struct hubdb *db, struct terr *e)
{
	int rc = sqlite3_wal_checkpoint_v2(db->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return terr_set(e, TERR_IO, "контрольная точка базы данных хаба: %s",
		    sqlite3_errmsg(db->db));
	return 0;
}

void
hubdb_close(struct hubdb *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(db->st[i]);
	sqlite3_close(db->db);
	free(db);
}

sqlite3 *
hubdb_sqlite(struct hubdb *db)
{
	return db->db;
}

int
hubdb_begin(struct hubdb *db, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_BEGIN, e);

	return st ? hubdb_exec_stmt(db, st, e, "начало транзакции") : TERR_IO;
}

int
hubdb_commit(struct hubdb *db, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_COMMIT, e);
	int r;

	if (st == NULL)
		return TERR_IO;
	if ((r = hubdb_exec_stmt(db, st, e, "запись транзакции")) != 0)
		hubdb_rollback(db);
	return r;
}

void
hubdb_rollback(struct hubdb *db)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_ROLLBACK, NULL);

	if (st != NULL && !sqlite3_get_autocommit(db->db)) {
		sqlite3_step(st);
		hubdb_done(st);
	}
}

int
hubdb_device_get(struct hubdb *db, const char *id, struct hubdb_device *d,
    bool *found, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_DEVICE_GET, e);
	int rc, r = 0;

	*found = false;
	memset(d, 0, sizeof(*d));
	if (st == NULL)
		return TERR_IO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		hubdb_copy_text(d->id, sizeof(d->id), st, 0);
		if (sqlite3_column_bytes(st, 1) == KEYS_SIGN_PK_BYTES)
			memcpy(d->pk, sqlite3_column_blob(st, 1), KEYS_SIGN_PK_BYTES);
		hubdb_copy_text(d->kind, sizeof(d->kind), st, 2);
		hubdb_copy_text(d->label, sizeof(d->label), st, 3);
		hubdb_copy_text(d->schools, sizeof(d->schools), st, 4);
		d->revoked = sqlite3_column_type(st, 5) != SQLITE_NULL;
		hubdb_copy_text(d->revoked_at, sizeof(d->revoked_at), st, 5);
		d->watermark = (uint64_t)sqlite3_column_int64(st, 6);
		if (sqlite3_column_bytes(st, 7) == CHANGESET_HASH_BYTES)
			memcpy(d->last_hash, sqlite3_column_blob(st, 7), CHANGESET_HASH_BYTES);
	} else if (rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение устройства");
	hubdb_done(st);
	return r;
}

int
hubdb_device_add(struct hubdb *db, const struct hubdb_device *d, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_DEVICE_ADD, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, d->pk, KEYS_SIGN_PK_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, d->schools, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "регистрация устройства");
}

int
hubdb_device_set_head(struct hubdb *db, const char *id, uint64_t watermark,
    const uint8_t hash[CHANGESET_HASH_BYTES], struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_DEVICE_HEAD, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)watermark);
	sqlite3_bind_blob(st, 3, hash, CHANGESET_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "обновление отметки устройства");
}

int
hubdb_device_revoke(struct hubdb *db, const char *id, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_DEVICE_REVOKE, e);
	struct hubdb_device d;
	char now[HUBDB_TIME_MAX];
	bool found;
	int r;

	if (st == NULL)
		return TERR_IO;
	if ((r = hubdb_device_get(db, id, &d, &found, e)) != 0)
		return r;
	if (!found)
		return terr_set(e, TERR_ARG, "устройство %s не найдено", id);
	if (d.revoked)
		return terr_set(e, TERR_ARG, "устройство %s уже отозвано (%s)", id,
		    d.revoked_at);
	hubdb_now_iso(now);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "отзыв устройства");
}

int
hubdb_token_add(struct hubdb *db, const struct hubdb_token *t, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_TOKEN_ADD, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	sqlite3_bind_blob(st, 1, t->hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->schools, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, t->expires_at);
	return hubdb_exec_stmt(db, st, e, "сохранение кода регистрации");
}

int
hubdb_token_get(struct hubdb *db, const uint8_t hash[32], struct hubdb_token *t,
    bool *found, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_TOKEN_GET, e);
	int rc, r = 0;

	*found = false;
	memset(t, 0, sizeof(*t));
	if (st == NULL)
		return TERR_IO;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		memcpy(t->hash, hash, 32);
		hubdb_copy_text(t->kind, sizeof(t->kind), st, 0);
		hubdb_copy_text(t->name, sizeof(t->name), st, 1);
		hubdb_copy_text(t->schools, sizeof(t->schools), st, 2);
		t->expires_at = sqlite3_column_int64(st, 3);
		t->used = sqlite3_column_type(st, 4) != SQLITE_NULL;
		hubdb_copy_text(t->used_by, sizeof(t->used_by), st, 4);
	} else if (rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение кода регистрации");
	hubdb_done(st);
	return r;
}

int
hubdb_token_use(struct hubdb *db, const uint8_t hash[32], const char *device_id,
    struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_TOKEN_USE, e);
	char now[HUBDB_TIME_MAX];
	int r;

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, device_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	if ((r = hubdb_exec_stmt(db, st, e, "погашение кода регистрации")) != 0)
		return r;
	/* two enrollments racing for one token: only the first may win */
	if (sqlite3_changes(db->db) != 1)
		return terr_set(e, TERR_ARG, "код регистрации уже использован");
	return 0;
}

int
hubdb_school_put(struct hubdb *db, const char *code, const char *name,
    struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_SCHOOL_ADD, e);
	int r;

	if (st == NULL)
		return TERR_IO;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (name != NULL && name[0] != '\0')
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if ((r = hubdb_exec_stmt(db, st, e, "сохранение школы")) != 0)
		return r;
	if (name == NULL || name[0] == '\0')
		return 0;
	if ((st = hubdb_stmt(db, ST_SCHOOL_NAME, e)) == NULL)
		return TERR_IO;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "сохранение школы");
}

int
hubdb_set_get(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, bool *found, uint8_t hash[CHANGESET_HASH_BYTES],
    int *http_status, struct tbuf *ack, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_SET_GET, e);
	int rc, r = 0;

	*found = false;
	if (st == NULL)
		return TERR_IO;
	sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)first);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)last);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		if (sqlite3_column_bytes(st, 0) == CHANGESET_HASH_BYTES)
			memcpy(hash, sqlite3_column_blob(st, 0), CHANGESET_HASH_BYTES);
		*http_status = sqlite3_column_int(st, 1);
		if (ack != NULL && tbuf_put(ack, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2)) != 0)
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
	} else if (rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение набора изменений");
	hubdb_done(st);
	return r;
}

int
hubdb_set_put(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, const uint8_t hash[CHANGESET_HASH_BYTES], const char *status,
    int http_status, const uint8_t *envelope, size_t envelope_len,
    const uint8_t *ack, size_t ack_len, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_SET_PUT, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)first);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)last);
	sqlite3_bind_blob(st, 4, hash, CHANGESET_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, http_status);
	sqlite3_bind_blob64(st, 7, envelope, envelope_len, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 8, ack, ack_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "сохранение набора изменений");
}

int
hubdb_quarantine_add(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, const char *kind, const char *reason, const uint8_t *envelope,
    size_t envelope_len, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_QUAR_ADD, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)first);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)last);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	if (envelope != NULL)
		sqlite3_bind_blob64(st, 6, envelope, envelope_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "запись в карантин");
}

void
hubdb_record_clear(struct hubdb_record *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r->clocks);
	memset(r, 0, sizeof(*r));
}

static char *
hubdb_column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t ? (const char *)t : "");
}

int
hubdb_record_get(struct hubdb *db, const uint8_t id[16], struct hubdb_record *r,
    bool *found, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_REC_GET, e);
	int rc, ret = 0;

	*found = false;
	memset(r, 0, sizeof(*r));
	if (st == NULL)
		return TERR_IO;
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		memcpy(r->id, id, 16);
		hubdb_copy_text(r->form_id, sizeof(r->form_id), st, 0);
		r->form_version = (uint32_t)sqlite3_column_int64(st, 1);
		hubdb_copy_text(r->school, sizeof(r->school), st, 2);
		hubdb_copy_text(r->device_id, sizeof(r->device_id), st, 3);
		hubdb_copy_text(r->hlc, sizeof(r->hlc), st, 4);
		r->deleted = sqlite3_column_int(st, 5) != 0;
		r->data = hubdb_column_dup(st, 6);
		r->clocks = hubdb_column_dup(st, 7);
		if (r->data == NULL || r->clocks == NULL) {
			hubdb_record_clear(r);
			*found = false;
			ret = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		}
	} else if (rc != SQLITE_DONE)
		ret = hubdb_err(db, rc, e, "чтение записи");
	hubdb_done(st);
	return ret;
}

static int
hubdb_record_write(struct hubdb *db, int which, const struct hubdb_record *r, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, which, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_cached(db, now);
	sqlite3_bind_blob(st, 1, r->id, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->form_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->form_version);
	sqlite3_bind_text(st, 4, r->school, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->device_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->hlc, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, r->deleted ? 1 : 0);
	sqlite3_bind_text(st, 8, r->data ? r->data : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r->clocks ? r->clocks : "{}", -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "сохранение записи");
}

int
hubdb_record_put(struct hubdb *db, const struct hubdb_record *r, struct terr *e)
{
	return hubdb_record_write(db, ST_REC_PUT, r, e);
}

int
hubdb_record_add(struct hubdb *db, const struct hubdb_record *r, bool *added, struct terr *e)
{
	int ret = hubdb_record_write(db, ST_REC_ADD, r, e);

	*added = ret == 0 && sqlite3_changes(db->db) > 0;
	return ret;
}

int
hubdb_conflict_add(struct hubdb *db, const struct hubdb_conflict *c, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_CONFLICT_ADD, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	sqlite3_bind_blob(st, 1, c->record_id, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->form_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->school, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->field, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->loser_value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->loser_hlc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->loser_device, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, c->winner_value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, c->winner_hlc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, c->winner_device, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, now, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "запись конфликта");
}

int
hubdb_form_put(struct hubdb *db, const char *id, uint32_t version,
    const char *sha256_hex, const uint8_t *bundle, size_t len, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_FORM_PUT, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, sha256_hex, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 4, bundle, len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "публикация формы");
}

int
hubdb_form_get(struct hubdb *db, const char *id, uint32_t version,
    struct tbuf *bundle, bool *found, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_FORM_GET, e);
	int rc, r = 0;

	*found = false;
	if (st == NULL)
		return TERR_IO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		if (tbuf_put(bundle, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0)) != 0)
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
	} else if (rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение формы");
	hubdb_done(st);
	return r;
}

static const char *const hubdb_list_sql[] = {
	[HUBDB_LIST_DEVICES] = "SELECT id, kind, label, schools, enrolled_at, "
	    "CASE WHEN revoked_at IS NULL THEN 'active' ELSE 'revoked' END AS status, "
	    "revoked_at, watermark, last_seen_at FROM devices ORDER BY enrolled_at, id",
	[HUBDB_LIST_CONFLICTS] = "SELECT id, lower(hex(record_id)) AS record_id, form_id, "
	    "school, field, loser_value, loser_hlc, loser_device, winner_value, "
	    "winner_hlc, winner_device, logged_at FROM conflicts ORDER BY id",
	[HUBDB_LIST_QUARANTINE] = "SELECT id, device_id, first_seq, last_seq, kind, "
	    "reason, received_at FROM quarantine ORDER BY id",
	[HUBDB_LIST_FORMS] = "SELECT id, version, sha256 FROM hub_forms ORDER BY id, version",
	[HUBDB_LIST_TOKENS] = "SELECT lower(hex(substr(hash, 1, 4))) AS hash, kind, name, "
	    "schools, created_at, datetime(expires_at, 'unixepoch') AS expires_at, used_by, "
	    "used_at FROM tokens ORDER BY created_at",
};

int
hubdb_list(struct hubdb *db, enum hubdb_listing what, hubdb_row_cb cb,
    void *ctx, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	const char *names[16], *vals[16];
	int rc, n, r = 0;

	if ((int)what < HUBDB_LIST_DEVICES || (int)what > HUBDB_LIST_TOKENS)
		return terr_set(e, TERR_ARG, "неизвестный список");
	if (sqlite3_prepare_v2(db->db, hubdb_list_sql[what], -1, &st, NULL) != SQLITE_OK)
		return hubdb_err(db, SQLITE_ERROR, e, "чтение списка");
	n = sqlite3_column_count(st);
	if (n > 16)
		n = 16;
	for (int i = 0; i < n; i++)
		names[i] = sqlite3_column_name(st, i);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if (cb(ctx, n, names, vals) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение списка");
	sqlite3_finalize(st);
	return r;
}
