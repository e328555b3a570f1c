/*
 * localdb — the handle of the device database: where it is, opening it
 * with the pragmas of the contract, errors people can read, the statement
 * cache, transactions and meta (see localdb.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "localdb_int.h"

int
localdb_path(const char *opt, char *buf, size_t size)
{
	const char *env = getenv("TETRAD_DB"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (opt && *opt)
		n = snprintf(buf, size, "%s", opt);
	else if (env && *env)
		n = snprintf(buf, size, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(buf, size, "%s/tetrad/tetrad.db", xdg);
	else if (home && *home)
		n = snprintf(buf, size, "%s/.local/share/tetrad/tetrad.db", home);
	else
		return TERR_ARG;
	return n < 0 || (size_t)n >= size ? TERR_TOO_LARGE : 0;
}

static void localdb_cantopen_why(const char *path, char *out, size_t cap);

/* The folder holding path into dir ("." for a bare name). */
static void
localdb_dir_of(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, cap, ".");
	else if (slash == path)
		snprintf(dir, cap, "/");
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

/* The shared folder's group and whether there is one (localdb_shared). */
static bool
localdb_shared_gid(const char *path, gid_t *gid)
{
	char dir[LOCALDB_PATH_MAX];
	struct stat sb;

	localdb_dir_of(path, dir, sizeof(dir));
	/* setgid: what anyone creates there belongs to the folder's group, so
	 * 0660 reaches the group the administrator meant and no other */
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || (sb.st_mode & S_ISGID) == 0 ||
	    (sb.st_mode & S_IRWXG) != S_IRWXG)
		return false;
	if (gid != NULL)
		*gid = sb.st_gid;
	return true;
}

bool
localdb_shared(const char *path)
{
	return localdb_shared_gid(path, NULL);
}

unsigned
localdb_file_mode(const char *path)
{
	return localdb_shared(path) ? 0660 : 0600;
}

int
localdb_sqlerr(struct localdb *db, int rc, const char *what, struct terr *e)
{
	const char *path = db && db->path ? db->path : "";
	const char *detail = db && db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc);
	char why[LOCALDB_PATH_MAX + 320];

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
		/* SQLite says only "unable to open database file": find out why */
		localdb_cantopen_why(path, why, sizeof(why));
		return terr_set(e, TERR_IO, "Не удалось открыть базу данных «%s»: %s.", path,
		    why);
	case SQLITE_IOERR:
		return terr_set(e, TERR_IO, "Ошибка чтения или записи диска при попытке %s "
		    "(база «%s»). Проверьте диск и повторите (подробности SQLite: %s).", what,
		    path, detail);
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return terr_set(e, TERR_IO, "Нет доступа к базе данных «%s»: не удалось %s. "
		    "Проверьте права на файл и папку.", path, what);
	case SQLITE_NOMEM:
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти: не удалось %s.", what);
	default:
		return terr_set(e, TERR_IO, "Ошибка базы данных «%s»: не удалось %s "
		    "(подробности SQLite: %s).", path, what, detail);
	}
}

/*
 * Why a database at path cannot be opened, in words: its folder missing
 * or closed to us (SQLite needs to create -wal and -shm beside it), the
 * file itself unreadable, or a path that is a folder.
 */
static void
localdb_cantopen_why(const char *path, char *out, size_t cap)
{
	char dir[LOCALDB_PATH_MAX];
	struct stat sb;

	localdb_dir_of(path, dir, sizeof(dir));
	if (stat(dir, &sb) != 0)
		snprintf(out, cap, "папки «%s» нет (%s); создайте её или укажите другой путь "
		    "(--db)", dir, terr_strerror(errno));
	else if (!S_ISDIR(sb.st_mode))
		snprintf(out, cap, "«%s» — не папка; укажите другой путь (--db)", dir);
	else if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		snprintf(out, cap, "это папка, а не файл базы данных");
	else if (access(dir, W_OK | X_OK) != 0)
		snprintf(out, cap, "нет права записи в папку «%s» (рядом с базой создаются "
		    "служебные файлы); проверьте права или укажите другой путь (--db)", dir);
	else if (access(path, R_OK | W_OK) != 0 && errno != ENOENT)
		snprintf(out, cap, "нет прав на чтение и запись файла (%s)",
		    terr_strerror(errno));
	else
		snprintf(out, cap, "файл недоступен; проверьте путь и права на файл и папку");
}

int
localdb_exec(struct localdb *db, const char *sql, const char *what, struct terr *e)
{
	int rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return localdb_sqlerr(db, rc, what, e);
	return 0;
}

int
localdb_prepare(struct localdb *db, const char *sql, sqlite3_stmt **out)
{
	int rc;

	for (size_t i = 0; i < LOCALDB_CACHE; i++)
		if (db->cache_sql[i] == sql) {
			*out = db->cache_st[i];
			return SQLITE_OK;
		}
	rc = sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
	if (rc != SQLITE_OK)
		return rc;
	for (size_t i = 0; i < LOCALDB_CACHE; i++)
		if (db->cache_sql[i] == NULL) {
			db->cache_sql[i] = sql;
			db->cache_st[i] = *out;
			break;
		}
	return SQLITE_OK;
}

/* Resets a cached statement (releasing its read lock), finalizes others. */
void
localdb_done(struct localdb *db, sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < LOCALDB_CACHE; i++)
		if (db->cache_st[i] == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st);
}

/*
 * Brings path (the database or a companion) to its mode, if it is a regular
 * file of ours. In a private folder: 0600 when group or others may use it
 * (a database made by an older version under umask 022) — tightened rather
 * than warned about, as records hold children's names and nobody reads the
 * client's warnings twice. In a shared folder (localdb_shared): others lose
 * every right and the folder's group gets read and write (0660), so a file
 * made 0600 before the folder was shared (or by an older version) opens to
 * the group the administrator gave the folder — never to another group.
 * By name, with no descriptor: closing one would drop this process's
 * SQLite locks on the file. Failures (a read-only disk) are left for the
 * open itself to report.
 */
static void
localdb_narrow(const char *path, const char *suffix)
{
	char p[LOCALDB_PATH_MAX + 8];
	struct stat st;
	mode_t want = 0600, others = 0;   /* the mode, and its group/other bits */
	gid_t gid;

	if (snprintf(p, sizeof(p), "%s%s", path, suffix) >= (int)sizeof(p))
		return;
	if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return;
	if (localdb_shared_gid(path, &gid) && st.st_gid == gid) {
		want = 0660;
		others = 060;
	}
	if ((st.st_mode & 077) != others && fchmodat(AT_FDCWD, p, want, AT_SYMLINK_NOFOLLOW) != 0)
		(void)0;   /* the open that follows reports what matters */
}

/* Opens the file itself; with create, makes it first (0600, or 0660 in a
 * shared folder). */
static int
localdb_connect(struct localdb *db, bool create, bool readonly, struct terr *e)
{
	int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
	    SQLITE_OPEN_NOMUTEX;
	int rc;

	if (create) {
		/* records hold names (local fields): nobody else may read them,
		 * but the group of a shared folder; SQLite gives -wal and -shm the
		 * mode of the database. fchmod: the umask (a service's 0077) must
		 * not take the group's rights away. */
		mode_t mode = (mode_t)localdb_file_mode(db->path);
		int fd = open(db->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);

		/* an existing file is not opened here: closing a descriptor of it
		 * would drop this process's SQLite locks on it */
		if (fd < 0 && errno != EEXIST)
			return terr_set(e, TERR_IO, "Не удалось создать базу данных "
			    "«%s»: %s.", db->path, errno == ENOENT || errno == ENOTDIR ?
			    "нет папки, в которой она должна лежать; создайте папку или укажите "
			    "другой путь (--db)" : terr_strerror(errno));
		if (fd >= 0) {
			if (mode != 0600)
				(void)fchmod(fd, mode);   /* else 0600 at worst: private */
			close(fd);
		}
		flags |= SQLITE_OPEN_CREATE;
	}
	if (!readonly) {
		localdb_narrow(db->path, "");
		localdb_narrow(db->path, "-wal");
		localdb_narrow(db->path, "-shm");
	}
	sqlite3_close_v2(db->db);
	db->db = NULL;
	if ((rc = sqlite3_open_v2(db->path, &db->db, flags, NULL)) != SQLITE_OK)
		return localdb_sqlerr(db, rc, "открыть базу данных", e);
	sqlite3_extended_result_codes(db->db, 1);
	sqlite3_busy_timeout(db->db, 5000);
	return localdb_exec(db, "PRAGMA foreign_keys=ON", "включить внешние ключи", e);
}

/* journal_mode=WAL is persistent: only set when it is not yet, so a
 * read-only database can still be read. */
static int
localdb_set_wal(struct localdb *db, struct terr *e)
{
	if (localdb_wal(db))
		return 0;
	return localdb_exec(db, "PRAGMA journal_mode=WAL", "включить журнал WAL", e);
}

int
localdb_open(const char *path, unsigned flags, struct localdb **out, struct terr *e)
{
	struct localdb *db = NULL;
	const bool create = (flags & LOCALDB_CREATE) != 0;
	const bool syncd = (flags & LOCALDB_SYNCD) != 0;
	struct stat sb;
	int r = TERR_INTERNAL, rc, v = 0;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return terr_set(e, TERR_ARG, "Не указан путь к базе данных.");
	if (!create && stat(path, &sb) != 0 && errno == EACCES)
		/* the folder is closed to us: the database may well be there (a
		 * school PC's shared folder, its owner's private one) */
		return terr_set(e, TERR_IO, "Нет доступа к базе данных «%s»: папка с ней закрыта "
		    "для вас. Общую базу школьного компьютера открывают участники группы "
		    "tetrad: попросите администратора добавить вас в группу (sudo adduser "
		    "ИМЯ tetrad) и войдите в систему заново.", path);
	if (!create && stat(path, &sb) != 0)
		return terr_set(e, LOCALDB_NOTFOUND, "База данных «%s» не найдена. "
		    "Сначала выполните «tetrad init --school КОД».", path);
	if ((db = calloc(1, sizeof(*db))) == NULL || (db->path = strdup(path)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	db->flags = flags;
	if ((r = localdb_connect(db, create, false, e)) != 0)
		goto out;
	rc = localdb_schema_version(db->db, &v);
	if (!create && !syncd && ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN)) {
		/* no write access (WAL needs its -shm file): reading still works
		 * read-only; a write then fails with a clear message */
		if ((r = localdb_connect(db, false, true, e)) != 0)
			goto out;
		rc = localdb_schema_version(db->db, &v);
	}
	if (rc != SQLITE_OK) {
		r = localdb_sqlerr(db, rc, "прочитать базу данных", e);
		goto out;
	}
	if (!create && v == 0) {
		r = terr_set(e, LOCALDB_NOTFOUND, "База данных «%s» не подготовлена. "
		    "Сначала выполните «tetrad init --school КОД».", path);
		goto out;
	}
	/* before anything is written: a newer program's file stays as it is */
	if ((r = localdb_schema_check(v, path, syncd ? "tetrad-syncd" : "tetrad", e)) != 0)
		goto out;
	if ((r = localdb_set_wal(db, e)) != 0)
		goto out;
	if ((r = localdb_exec(db, "PRAGMA synchronous=FULL", "настроить запись", e)) != 0)
		goto out;
	/* syncd walks the outbox once, in order: a large page cache buys nothing
	 * and costs resident memory (target: flat and small however much waits);
	 * push widens it for one set's transaction only (localdb_cache_kib).
	 * Statement journals of the batch updates (a set's rows at most) stay in
	 * memory rather than in a temporary file created and removed each time.
	 * Every outbox row is rewritten twice (sent, then acked), in two commits
	 * a set apart: a checkpoint every 4,096 pages instead of SQLite's 1,000
	 * lets one copy of such a page into the database serve both, where sets
	 * of large records (a 2 KiB visit fills a page) otherwise met a
	 * checkpoint, with its two fsyncs, after nearly every commit. */
	if (syncd && ((r = localdb_cache_kib(db, LOCALDB_SYNCD_CACHE_KIB, e)) != 0 ||
	    (r = localdb_exec(db, "PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=4096",
	    "настроить память", e)) != 0))
		goto out;
	if ((r = localdb_migrate(db->db, path, e)) != 0)
		goto out;
	*out = db;
	db = NULL;
	r = 0;
 out:
	localdb_close(db);
	return r;
}

void
localdb_close(struct localdb *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < LOCALDB_CACHE; i++)
		sqlite3_finalize(db->cache_st[i]);
	sqlite3_close_v2(db->db);
	free(db->path);
	free(db);
}

const char *
localdb_file(const struct localdb *db)
{
	return db->path;
}

sqlite3 *
localdb_sqlite(struct localdb *db)
{
	return db->db;
}

int
localdb_begin(struct localdb *db, struct terr *e)
{
	return localdb_exec(db, "BEGIN IMMEDIATE", "начать запись", e);
}

int
localdb_commit(struct localdb *db, struct terr *e)
{
	int r = localdb_exec(db, "COMMIT", "сохранить изменения", e);

	if (r != 0)
		localdb_rollback(db);
	return r;
}

void
localdb_rollback(struct localdb *db)
{
	if (db && db->db && !sqlite3_get_autocommit(db->db))
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

bool
localdb_in_tx(struct localdb *db)
{
	return !sqlite3_get_autocommit(db->db);
}

int
localdb_wal(struct localdb *db)
{
	sqlite3_stmt *st = NULL;
	int wal = 0;

	if (sqlite3_prepare_v2(db->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		wal = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	return wal;
}

int
localdb_durable(struct localdb *db, bool full, struct terr *e)
{
	return localdb_exec(db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
	    "настроить запись", e);
}

int
localdb_cache_kib(struct localdb *db, long kib, struct terr *e)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size=%ld", -kib);
	return localdb_exec(db, sql, "настроить память", e);
}

int
localdb_limit_pages(struct localdb *db, long n, struct terr *e)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%ld", n);
	return localdb_exec(db, sql, "ограничить размер базы", e);
}

void
localdb_now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char localdb_sql_meta_get[] = "SELECT value FROM meta WHERE key=?";
static const char localdb_sql_meta_set[] = "INSERT INTO meta(key,value) VALUES(?,?)"
    " ON CONFLICT(key) DO UPDATE SET value=excluded.value";

/* Steps the meta lookup of key: SQLITE_ROW with the value on st, or DONE. */
static int
localdb_meta_find(struct localdb *db, const char *key, sqlite3_stmt **st)
{
	int rc;

	if ((rc = localdb_prepare(db, localdb_sql_meta_get, st)) != SQLITE_OK)
		return rc;
	sqlite3_bind_text(*st, 1, key, -1, SQLITE_STATIC);
	return sqlite3_step(*st);
}

int
localdb_meta_get(struct localdb *db, const char *key, char **out, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	*out = NULL;
	rc = localdb_meta_find(db, key, &st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if ((*out = strdup(v ? v : "")) == NULL)
			r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	} else if (rc != SQLITE_DONE) {
		r = localdb_sqlerr(db, rc, "прочитать настройки", e);
	}
	localdb_done(db, st);
	return r;
}

int
localdb_meta_copy(struct localdb *db, const char *key, char *out, size_t cap,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	if (cap > 0)
		out[0] = '\0';
	rc = localdb_meta_find(db, key, &st);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		if (n + 1 > cap) {
			r = terr_set(e, TERR_TOO_LARGE, "Значение %s в базе данных «%s» "
			    "слишком длинное.", key, db->path);
		} else {
			if (v)
				memcpy(out, v, n);
			out[n] = '\0';
			r = 1;
		}
	} else if (rc != SQLITE_DONE) {
		r = localdb_sqlerr(db, rc, "прочитать настройки", e);
	}
	localdb_done(db, st);
	return r;
}

int
localdb_meta_set(struct localdb *db, const char *key, const char *value,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = localdb_prepare(db, localdb_sql_meta_set, &st)) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	localdb_done(db, st);
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "сохранить настройки", e);
	return 0;
}
