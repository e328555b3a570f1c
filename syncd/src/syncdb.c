/*
 * syncdb — opening the client database and the meta helpers (see syncdb.h).
 */
#include "syncd/syncdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int
syncdb_err(sqlite3 *db, struct terr *e, const char *what)
{
	return terr_set(e, TERR_IO, "база данных: %s: %s", what,
	    db ? sqlite3_errmsg(db) : "нет соединения");
}

int
syncdb_exec(sqlite3 *db, const char *sql, struct terr *e)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		terr_set(e, TERR_IO, "база данных: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return TERR_IO;
	}
	return 0;
}

int
syncdb_wal(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int wal = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		wal = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	return wal;
}

int
syncdb_begin(sqlite3 *db, struct terr *e)
{
	return syncdb_exec(db, "BEGIN IMMEDIATE", e);
}

int
syncdb_commit(sqlite3 *db, struct terr *e)
{
	int r = syncdb_exec(db, "COMMIT", e);

	if (r != 0)
		syncdb_rollback(db);
	return r;
}

void
syncdb_rollback(sqlite3 *db)
{
	if (db && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

void
syncdb_close(sqlite3 *db)
{
	if (db)
		sqlite3_close_v2(db);
}

int
syncdb_open(const char *path, sqlite3 **out, struct terr *e)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	int r = TERR_IO, ver;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return terr_set(e, TERR_ARG, "не указан файл базы данных (--db)");
	if (stat(path, &sb) != 0)
		return terr_set(e, TERR_ARG, "база данных %s не найдена: сначала выполните «tetrad init»", path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		r = syncdb_err(db, e, path);
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	/* syncd walks the outbox once, in order: a large page cache buys nothing
	 * and costs resident memory (target: flat and small however much waits).
	 * Statement journals of the batch updates (a set's rows at most) stay in
	 * memory rather than in a temporary file created and removed each time. */
	if ((r = syncdb_exec(db, "PRAGMA foreign_keys=ON; PRAGMA cache_size=-512; "
	    "PRAGMA temp_store=MEMORY; PRAGMA synchronous=FULL", e)) != 0)
		goto out;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		r = syncdb_err(db, e, "чтение версии схемы");
		goto out;
	}
	ver = sqlite3_column_int(st, 0);
	if (ver < 1) {
		r = terr_set(e, TERR_ARG, "база данных %s не подготовлена: выполните «tetrad init»", path);
		goto out;
	}
	/* The client sets WAL when it creates the file; asking again is cheap. */
	if ((r = syncdb_exec(db, "PRAGMA journal_mode=WAL", e)) != 0)
		goto out;
	*out = db;
	db = NULL;
	r = 0;
 out:
	sqlite3_finalize(st);
	syncdb_close(db);
	return r;
}

int
syncdb_meta_get(sqlite3 *db, const char *key, char *out, size_t cap,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	if (cap > 0)
		out[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
		return syncdb_err(db, e, "чтение meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = 0;
	} else if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		if (n + 1 > cap) {
			r = terr_set(e, TERR_TOO_LARGE, "значение %s в meta слишком длинное", key);
		} else {
			if (v)
				memcpy(out, v, n);
			out[n] = '\0';
			r = 1;
		}
	} else {
		r = syncdb_err(db, e, "чтение meta");
	}
	sqlite3_finalize(st);
	return r;
}

int
syncdb_meta_set(sqlite3 *db, const char *key, const char *value, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (sqlite3_prepare_v2(db, "INSERT INTO meta(key, value) VALUES(?, ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", -1, &st, NULL) != SQLITE_OK)
		return syncdb_err(db, e, "запись meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = syncdb_err(db, e, "запись meta");
	sqlite3_finalize(st);
	return r;
}

int64_t
syncdb_meta_int(sqlite3 *db, const char *key, int64_t def)
{
	char buf[32], *end;
	long long v;

	if (syncdb_meta_get(db, key, buf, sizeof(buf), NULL) != 1 || buf[0] == '\0')
		return def;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0')
		return def;
	return (int64_t)v;
}

void
syncdb_now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
