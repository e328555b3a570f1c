/*
 * store — SQLite database of a device: schema, migrations, records, outbox.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "tetrad/keys.h"

#include "client/store.h"

/* Statements of the hot path (one record + one outbox row) are prepared
 * once per handle: parsing SQL was half the time of a bulk import. */
#define STORE_CACHE 8

struct store {
	sqlite3 *db;
	char *path;
	const char *cache_sql[STORE_CACHE];  /* keyed by the literal's address */
	sqlite3_stmt *cache_st[STORE_CACHE];
};

static int
store_prep(struct store *s, const char *sql, sqlite3_stmt **out)
{
	int rc;

	for (size_t i = 0; i < STORE_CACHE; i++)
		if (s->cache_sql[i] == sql) {
			*out = s->cache_st[i];
			return SQLITE_OK;
		}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
	if (rc != SQLITE_OK)
		return rc;
	for (size_t i = 0; i < STORE_CACHE; i++)
		if (s->cache_sql[i] == NULL) {
			s->cache_sql[i] = sql;
			s->cache_st[i] = *out;
			break;
		}
	return SQLITE_OK;
}

/* Resets a cached statement (releasing its read lock), finalizes others. */
static void
store_done(struct store *s, sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < STORE_CACHE; i++)
		if (s->cache_st[i] == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st);
}

/* Migration i takes user_version i to i + 1. Never edit a shipped step:
 * databases in schools are at every older version. */
static const char *const store_migrations[] = {
	/* 0 -> 1: the contract schema (COMMON.md) */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE records(id BLOB PRIMARY KEY, form_id TEXT NOT NULL,"
	" form_version INTEGER NOT NULL, school TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK(status IN('draft','final','deleted')),"
	" created_hlc TEXT NOT NULL, updated_hlc TEXT NOT NULL,"
	" data TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE outbox(seq INTEGER PRIMARY KEY, record_id BLOB NOT NULL,"
	" op TEXT NOT NULL CHECK(op IN('put','delete')), form_id TEXT NOT NULL,"
	" form_version INTEGER NOT NULL, school TEXT NOT NULL, hlc TEXT NOT NULL,"
	" fields TEXT, state TEXT NOT NULL DEFAULT 'pending'"
	" CHECK(state IN('pending','sent','acked','quarantined')),"
	" batch_id INTEGER, reason TEXT);"
	"CREATE TABLE batches(id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL,"
	" last_seq INTEGER NOT NULL, prev_hash BLOB NOT NULL, set_hash BLOB NOT NULL,"
	" envelope BLOB NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN('sealed','sent','acked','quarantined')),"
	" reason TEXT, ack BLOB, created_at TEXT NOT NULL, sent_at TEXT,"
	" acked_at TEXT);",
	/* 1 -> 2: indexes for list by form/status and sync by state */
	"CREATE INDEX IF NOT EXISTS records_form_status ON records(form_id, status);"
	"CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, seq);"
	"CREATE INDEX IF NOT EXISTS outbox_record ON outbox(record_id);",
	/*
	 * 2 -> 3: only pending rows are indexed by state. syncd rewrites every
	 * row twice (sent, then acked), and an index of all rows by state moved
	 * the row's entry both times: a sixth of syncd's work. Counting rows by
	 * state reads the table now, which is cheap next to that.
	 */
	("DROP INDEX IF EXISTS outbox_state;"
	"CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(seq) WHERE state = 'pending';"),
	/*
	 * 3 -> 4: sets not yet answered, by their first entry. syncd looks for
	 * the next one before every set it sends; without an index that read
	 * every set ever sent, envelope and all (the state column lies past
	 * it): 20 ms with 2,000 sets kept.
	 */
	"CREATE INDEX IF NOT EXISTS batches_open ON batches(first_seq) "
	"WHERE state IN ('sealed', 'sent');",
};

int
store_sqlerr(struct store *s, int rc, const char *what, struct terr *e)
{
	const char *path = s && s->path ? s->path : "";
	const char *detail = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return terr_set(e, TERR_IO, "Недостаточно места на диске: не удалось "
		    "%s. Изменения не сохранены, база данных «%s» не повреждена. "
		    "Освободите место и повторите.", what, path);
	case SQLITE_READONLY:
		return terr_set(e, TERR_IO, "База данных «%s» доступна только для "
		    "чтения: не удалось %s. Изменения не сохранены. Проверьте права "
		    "на файл и папку.", path, what);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return terr_set(e, TERR_IO, "База данных «%s» занята другой "
		    "программой: не удалось %s. Повторите позже.", path, what);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return terr_set(e, TERR_IO, "Файл «%s» повреждён или не является "
		    "базой данных Tetrad: не удалось %s.", path, what);
	case SQLITE_CANTOPEN:
		return terr_set(e, TERR_IO, "Не удалось открыть базу данных «%s»: "
		    "%s.", path, detail);
	case SQLITE_IOERR:
		return terr_set(e, TERR_IO, "Ошибка ввода-вывода при попытке %s "
		    "(база «%s»): %s.", what, path, detail);
	default:
		return terr_set(e, TERR_IO, "Ошибка базы данных при попытке %s "
		    "(база «%s»): %s.", what, path, detail);
	}
}

static int
store_exec(struct store *s, const char *sql, const char *what, struct terr *e)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc, what, e);
	return 0;
}

static int
store_user_version(sqlite3 *db, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_migrate(sqlite3 *db, const char *path, struct terr *e)
{
	struct store tmp = { .db = db, .path = (char *)(uintptr_t)path };
	const int n = (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));
	char sql[64];
	int v = 0, rc;

	if ((rc = store_user_version(db, &v)) != SQLITE_OK)
		return store_sqlerr(&tmp, rc, "прочитать версию схемы", e);
	if (v > n)
		return terr_set(e, TERR_VERSION, "База данных «%s» создана более новой "
		    "версией Tetrad (схема %d, эта программа знает до %d). Обновите "
		    "программу.", path, v, n);
	if (v == n)
		return 0;
	/* IMMEDIATE: two programs opening an old database at once must not
	 * both migrate it. */
	if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return store_sqlerr(&tmp, rc, "начать обновление схемы", e);
	if ((rc = store_user_version(db, &v)) != SQLITE_OK)
		goto fail;
	for (; v < n; v++) {
		if ((rc = sqlite3_exec(db, store_migrations[v], NULL, NULL, NULL)) != SQLITE_OK)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", n);
	if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	return 0;
 fail:
	store_sqlerr(&tmp, rc, "обновить схему базы данных", e);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return TERR_IO;
}

int
store_open(const char *path, bool create, struct store **out, struct terr *e)
{
	struct store *s = NULL;
	struct stat sb;
	int r = TERR_INTERNAL, rc, v = 0;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return terr_set(e, TERR_ARG, "Не указан путь к базе данных.");
	if (!create && stat(path, &sb) != 0)
		return terr_set(e, STORE_NOTFOUND, "База данных «%s» не найдена. "
		    "Сначала выполните «tetrad init --school КОД».", path);
	if (create) {
		/* records hold names (local fields): nobody else may read them;
		 * SQLite gives -wal and -shm the mode of the database */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0)
			return terr_set(e, TERR_IO, "Не удалось создать базу данных "
			    "«%s»: %s.", path, strerror(errno));
		close(fd);
		flags |= SQLITE_OPEN_CREATE;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(path)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if ((rc = sqlite3_open_v2(path, &s->db, flags, NULL)) != SQLITE_OK) {
		r = store_sqlerr(s, rc, "открыть базу данных", e);
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	if ((r = store_exec(s, "PRAGMA foreign_keys=ON", "включить внешние ключи", e)) != 0)
		goto out;
	rc = store_user_version(s->db, &v);
	if (!create && ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN)) {
		/* no write access (WAL needs its -shm file): reading still works
		 * read-only; a write then fails with a clear message */
		sqlite3_close_v2(s->db);
		s->db = NULL;
		if ((rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_NOMUTEX, NULL)) == SQLITE_OK) {
			sqlite3_extended_result_codes(s->db, 1);
			sqlite3_busy_timeout(s->db, 5000);
			rc = store_user_version(s->db, &v);
		}
	}
	if (rc != SQLITE_OK) {
		r = store_sqlerr(s, rc, "прочитать базу данных", e);
		goto out;
	}
	if (!create && v == 0) {
		r = terr_set(e, STORE_NOTFOUND, "База данных «%s» не подготовлена. "
		    "Сначала выполните «tetrad init --school КОД».", path);
		goto out;
	}
	/* journal_mode=WAL is persistent: only set it when it is not yet, so
	 * a read-only database can still be read. */
	{
		sqlite3_stmt *st = NULL;
		bool wal = false;

		if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			wal = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
		sqlite3_finalize(st);
		if (!wal && (r = store_exec(s, "PRAGMA journal_mode=WAL",
		    "включить журнал WAL", e)) != 0)
			goto out;
	}
	if ((r = store_exec(s, "PRAGMA synchronous=FULL", "настроить запись", e)) != 0)
		goto out;
	if ((r = store_migrate(s->db, path, e)) != 0)
		goto out;
	*out = s;
	s = NULL;
	r = 0;
 out:
	store_close(s);
	return r;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < STORE_CACHE; i++)
		sqlite3_finalize(s->cache_st[i]);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

int
store_limit_pages(struct store *s, long n, struct terr *e)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%ld", n);
	return store_exec(s, sql, "ограничить размер базы", e);
}

int
store_begin(struct store *s, struct terr *e)
{
	return store_exec(s, "BEGIN IMMEDIATE", "начать запись", e);
}

int
store_commit(struct store *s, struct terr *e)
{
	int r = store_exec(s, "COMMIT", "сохранить изменения", e);

	if (r != 0)
		store_rollback(s);
	return r;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_meta_get(struct store *s, const char *key, char **out, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	*out = NULL;
	if ((rc = store_prep(s, "SELECT value FROM meta WHERE key=?", &st)) != SQLITE_OK) {
		r = store_sqlerr(s, rc, "прочитать настройки", e);
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if ((*out = strdup(v ? v : "")) == NULL) {
			r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
	} else if (rc != SQLITE_DONE) {
		r = store_sqlerr(s, rc, "прочитать настройки", e);
		goto out;
	}
	r = 0;
 out:
	store_done(s, st);
	return r;
}

int
store_meta_set(struct store *s, const char *key, const char *value,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = store_prep(s, "INSERT INTO meta(key,value) VALUES(?,?)"
	    " ON CONFLICT(key) DO UPDATE SET value=excluded.value", &st);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	store_done(s, st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "сохранить настройки", e);
	return 0;
}

static void
store_copy(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}

static int
store_row(sqlite3_stmt *st, struct store_record **out)
{
	struct store_record *r = calloc(1, sizeof(*r));
	const void *id = sqlite3_column_blob(st, 0);
	const unsigned char *data;

	if (r == NULL)
		return TERR_NOMEM;
	if (id && sqlite3_column_bytes(st, 0) == UUID7_BYTES)
		memcpy(r->id, id, UUID7_BYTES);
	store_copy(r->form_id, sizeof(r->form_id), sqlite3_column_text(st, 1));
	r->form_version = (uint32_t)sqlite3_column_int64(st, 2);
	store_copy(r->school, sizeof(r->school), sqlite3_column_text(st, 3));
	store_copy(r->status, sizeof(r->status), sqlite3_column_text(st, 4));
	store_copy(r->created_hlc, sizeof(r->created_hlc), sqlite3_column_text(st, 5));
	store_copy(r->updated_hlc, sizeof(r->updated_hlc), sqlite3_column_text(st, 6));
	data = sqlite3_column_text(st, 7);
	if ((r->data = strdup(data ? (const char *)data : "{}")) == NULL) {
		free(r);
		return TERR_NOMEM;
	}
	*out = r;
	return 0;
}

#define STORE_RECORD_COLS "id,form_id,form_version,school,status,created_hlc," \
	"updated_hlc,data"

int
store_record_get(struct store *s, const uint8_t id[UUID7_BYTES],
    struct store_record **out, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	*out = NULL;
	if ((rc = store_prep(s, "SELECT " STORE_RECORD_COLS
	    " FROM records WHERE id=?", &st)) != SQLITE_OK) {
		r = store_sqlerr(s, rc, "прочитать запись", e);
		goto out;
	}
	sqlite3_bind_blob(st, 1, id, UUID7_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		char text[UUID7_STRLEN + 1];

		uuid7_format(id, text);
		r = terr_set(e, STORE_NOTFOUND, "Запись %s не найдена.", text);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = store_sqlerr(s, rc, "прочитать запись", e);
		goto out;
	}
	if ((r = store_row(st, out)) != 0)
		terr_set(e, r, "Недостаточно памяти.");
 out:
	store_done(s, st);
	return r;
}

int
store_record_resolve(struct store *s, const char *text,
    uint8_t id[UUID7_BYTES], struct terr *e)
{
	char hex[33];
	size_t n = 0;
	sqlite3_stmt *st = NULL;
	int r, rc, found = 0;

	if (uuid7_parse(text, id) == 0)
		return 0;
	for (const char *p = text; *p; p++) {
		if (*p == '-')
			continue;
		if (!isxdigit((unsigned char)*p) || n >= 32)
			return terr_set(e, TERR_ARG, "«%s» не похоже на номер записи "
			    "(ожидается UUID, например 0193a1b2-…).", text);
		hex[n++] = (char)tolower((unsigned char)*p);
	}
	hex[n] = '\0';
	if (n < 8)
		return terr_set(e, TERR_ARG, "Номер записи «%s» слишком короткий: "
		    "укажите не меньше 8 знаков.", text);
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT id FROM records WHERE "
	    "lower(hex(id)) >= ?1 AND lower(hex(id)) < ?1 || 'g' LIMIT 2",
	    -1, &st, NULL)) != SQLITE_OK) {
		r = store_sqlerr(s, rc, "найти запись", e);
		goto out;
	}
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) == UUID7_BYTES)
			memcpy(id, sqlite3_column_blob(st, 0), UUID7_BYTES);
		found++;
	}
	if (rc != SQLITE_DONE) {
		r = store_sqlerr(s, rc, "найти запись", e);
		goto out;
	}
	if (found == 0)
		r = terr_set(e, STORE_NOTFOUND, "Запись «%s» не найдена.", text);
	else if (found > 1)
		r = terr_set(e, TERR_ARG, "Номер «%s» подходит к нескольким записям: "
		    "укажите его полностью.", text);
	else
		r = 0;
 out:
	sqlite3_finalize(st);
	return r;
}

int
store_record_put(struct store *s, const struct store_record *r, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = store_prep(s, "INSERT OR REPLACE INTO records("
	    STORE_RECORD_COLS ") VALUES(?,?,?,?,?,?,?,?)", &st);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, r->id, UUID7_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->form_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, r->form_version);
		sqlite3_bind_text(st, 4, r->school, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->created_hlc, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->updated_hlc, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, r->data, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	store_done(s, st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "сохранить запись", e);
	return 0;
}

void
store_record_free(struct store_record *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r);
}

int
store_record_each(struct store *s, const char *form_id, const char *status,
    store_record_cb cb, void *arg, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	struct store_record *rec = NULL;
	int r, rc;

	if ((rc = sqlite3_prepare_v2(s->db, "SELECT " STORE_RECORD_COLS
	    " FROM records WHERE (?1 IS NULL OR form_id=?1) AND"
	    " (?2 IS NULL OR status=?2) ORDER BY id", -1, &st, NULL)) != SQLITE_OK) {
		r = store_sqlerr(s, rc, "прочитать записи", e);
		goto out;
	}
	if (form_id)
		sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	if (status)
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = store_row(st, &rec)) != 0) {
			terr_set(e, r, "Недостаточно памяти.");
			goto out;
		}
		r = cb(rec, arg);
		store_record_free(rec);
		rec = NULL;
		if (r != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		r = store_sqlerr(s, rc, "прочитать записи", e);
		goto out;
	}
	r = 0;
 out:
	sqlite3_finalize(st);
	return r;
}

static int
store_int64(struct store *s, const char *sql, int64_t *out, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc = store_prep(s, sql, &st);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	store_done(s, st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "прочитать базу данных", e);
	return 0;
}

int
store_outbox_append(struct store *s, const uint8_t id[UUID7_BYTES],
    const char *op, const char *form_id, uint32_t form_version,
    const char *school, const char *hlc, const char *fields, int64_t *seq,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	char *next_text = NULL;
	char buf[32];
	int64_t max = 0, next = 1;
	int r, rc;

	if (sqlite3_get_autocommit(s->db))
		return terr_set(e, TERR_INTERNAL, "Запись в очередь отправки вне "
		    "транзакции.");
	/* meta next_seq survives pruning of acknowledged rows; MAX(seq) guards
	 * against a meta value left behind by an older program. */
	if ((r = store_int64(s, "SELECT COALESCE(MAX(seq),0) FROM outbox", &max, e)) != 0)
		goto out;
	if ((r = store_meta_get(s, "next_seq", &next_text, e)) != 0)
		goto out;
	if (next_text)
		next = strtoll(next_text, NULL, 10);
	if (next < max + 1)
		next = max + 1;
	rc = store_prep(s, "INSERT INTO outbox(seq,record_id,op,form_id,"
	    "form_version,school,hlc,fields,state) VALUES(?,?,?,?,?,?,?,?,'pending')",
	    &st);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, next);
		sqlite3_bind_blob(st, 2, id, UUID7_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, op, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, form_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, form_version);
		sqlite3_bind_text(st, 6, school, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, hlc, -1, SQLITE_STATIC);
		if (fields)
			sqlite3_bind_text(st, 8, fields, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 8);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE) {
		r = store_sqlerr(s, rc, "добавить изменение в очередь отправки", e);
		goto out;
	}
	snprintf(buf, sizeof(buf), "%lld", (long long)(next + 1));
	if ((r = store_meta_set(s, "next_seq", buf, e)) != 0)
		goto out;
	if (seq)
		*seq = next;
	r = 0;
 out:
	store_done(s, st);
	free(next_text);
	return r;
}

int
store_hlc_next(struct store *s, char out[HLC_STRLEN + 1], struct terr *e)
{
	char *dev = NULL, *last_text = NULL;
	uint8_t node_id[KEYS_ID_BYTES];
	struct hlc_ts last, now;
	struct hlc *c = NULL;
	int r;

	if ((r = store_meta_get(s, "device_id", &dev, e)) != 0)
		goto out;
	if (dev == NULL || keys_unhex(dev, node_id, sizeof(node_id)) != 0) {
		r = terr_set(e, TERR_ARG, "В базе нет идентификатора устройства: "
		    "выполните «tetrad init».");
		goto out;
	}
	if ((r = store_meta_get(s, "hlc_last", &last_text, e)) != 0)
		goto out;
	if (last_text && hlc_decode(last_text, &last) != 0) {
		r = terr_set(e, TERR_CLOCK, "Повреждена метка времени hlc_last в "
		    "базе: «%s».", last_text);
		goto out;
	}
	if ((c = hlc_new(keys_id_u64(node_id), last_text ? &last : NULL)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if ((r = hlc_now(c, hlc_wall_now(), &now)) != 0) {
		terr_set(e, r, "Часы устройства исчерпаны: метка времени не может "
		    "быть выдана.");
		goto out;
	}
	hlc_encode(&now, out);
	r = store_meta_set(s, "hlc_last", out, e);
 out:
	hlc_free(c);
	free(dev);
	free(last_text);
	return r;
}

int
store_counts(struct store *s, struct store_counts *c, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	/* the outbox in one pass with nothing to sort: only pending rows are
	 * indexed by state (schema 3) */
	rc = sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FILTER (WHERE state = 'pending'), "
	    "COUNT(*) FILTER (WHERE state = 'sent'), COUNT(*) FILTER (WHERE state = 'acked'), "
	    "COUNT(*) FILTER (WHERE state = 'quarantined'), NULL FROM outbox"
	    " UNION ALL SELECT COUNT(*) FILTER (WHERE status = 'draft'),"
	    " COUNT(*) FILTER (WHERE status = 'final'), COUNT(*) FILTER (WHERE status = 'deleted'),"
	    " NULL, 'r' FROM records", -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 4) == SQLITE_NULL) {
			c->pending = sqlite3_column_int64(st, 0);
			c->sent = sqlite3_column_int64(st, 1);
			c->acked = sqlite3_column_int64(st, 2);
			c->quarantined = sqlite3_column_int64(st, 3);
		} else {
			c->drafts = sqlite3_column_int64(st, 0);
			c->finals = sqlite3_column_int64(st, 1);
			c->deleted = sqlite3_column_int64(st, 2);
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "посчитать записи", e);
	return 0;
}
