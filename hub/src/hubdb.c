/*
 * hubdb — the hub's store (contract in hubdb.h) on SQLite or PostgreSQL:
 * opening and closing a handle, transactions, WAL checkpoints, the
 * statement cache and the mapping of the engines' errors to TERR_* codes.
 * The tables' statements live in hubdb_devices.c, hubdb_records.c and
 * hubdb_report.c; the schema and its migrations in hubdb_schema.c.
 *
 * Statements are prepared once per handle and reset after each use. Record
 * and change-set keys grow with time (UUIDv7, device sequence), so inserts
 * append to the B-trees.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hubdb_impl.h"


int
hubdb_err(struct hubdb *db, int rc, struct terr *e, const char *what)
{
	int ext = hsql_errcode(db->db);

	if (rc == HSQL_FULL || (ext & 0xff) == HSQL_FULL)
		return terr_set(e, TERR_FULL,
		    "%s: на диске хаба нет места (%s)", what, hsql_errmsg(db->db));
	if (rc == HSQL_BUSY || rc == HSQL_LOCKED || (ext & 0xff) == HSQL_BUSY ||
	    (ext & 0xff) == HSQL_LOCKED)
		return terr_set(e, TERR_BUSY,
		    "%s: база данных хаба занята (%s)", what, hsql_errmsg(db->db));
	if (rc == HSQL_IOERR || (ext & 0xff) == HSQL_IOERR)
		return terr_set(e, TERR_IO, "%s: ошибка ввода-вывода базы данных хаба (%s)",
		    what, hsql_errmsg(db->db));
	if (rc == HSQL_NOMEM || ext == HSQL_NOMEM)
		return terr_set(e, TERR_NOMEM, "%s: недостаточно памяти", what);
	return terr_set(e, TERR_IO, "%s: ошибка базы данных хаба: %s", what,
	    hsql_errmsg(db->db));
}

struct hsql_stmt *
hubdb_stmt(struct hubdb *db, enum hubdb_stmt s, const char *sql, struct terr *e)
{
	/*
	 * A set's statements whose answers the writer does not read: on
	 * PostgreSQL they go with the next one (HSQL_DEFER), so a set costs
	 * fewer round trips under the write lock. An error they meet comes
	 * back from that next statement: at the latest the set's savepoint
	 * release (hubdb_savepoint_release), or, where the writer keeps the
	 * mark without waiting (hubdb_savepoint_keep, itself deferred), the
	 * next set's statement or the commit (groupcommit.c then tells whose).
	 */
	unsigned flags = HSQL_PERSISTENT |
	    (s == ST_SAVEPOINT || s == ST_RELEASE_LATER || s == ST_DEVICE_HEAD || s == ST_SET_PUT ?
	    HSQL_DEFER : 0);
	int rc;

	if (db->st[s] == NULL &&
	    (rc = hsql_prepare(db->db, sql, flags, &db->st[s])) != HSQL_OK) {
		hubdb_err(db, rc, e, "подготовка запроса");
		return NULL;
	}
	return db->st[s];
}

void
hubdb_done(struct hsql_stmt *st)
{
	hsql_reset(st);
	hsql_clear_bindings(st);
}

int
hubdb_exec_stmt(struct hubdb *db, struct hsql_stmt *st, struct terr *e, const char *what)
{
	int rc = hsql_step(st);
	int r = 0;

	if (rc != HSQL_DONE)
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

void
hubdb_copy_text(char *dst, size_t cap, struct hsql_stmt *st, int col)
{
	const unsigned char *t = hsql_column_text(st, col);

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
void
hubdb_now_cached(struct hubdb *db, char out[HUBDB_TIME_MAX])
{
	time_t t = time(NULL);

	if (t != db->now_t) {
		hubdb_now_iso(db->now_text);
		db->now_t = t;
	}
	memcpy(out, db->now_text, HUBDB_TIME_MAX);
}

void
hubdb_tune_process(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * hub.db holds children's records, and SQLite creates -wal and -shm with
 * the mode of the database file: so a new database is made 0600 before
 * SQLite sees it, whatever the umask of the shell that ran `init`. An
 * existing one (and its -wal, -shm) that group or others may use is
 * narrowed to 0600: tightened, not just warned about, since only the bug
 * this replaces made such files and a warning in a daemon's log would leave
 * every such hub open for good.
 *
 * No descriptor of an existing file is opened here: closing any descriptor
 * of a file drops every POSIX lock this process holds on it, those of the
 * pool's open SQLite handles included (another process could then take the
 * -shm from under them). Nothing is written either: a hub must start on a
 * full disk.
 */
static int
hubdb_make_private(const char *path, struct terr *e)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[4096];
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0)
		close(fd);   /* new: no SQLite handle can hold a lock on it yet */
	else if (errno != EEXIST)
		return terr_set(e, errno == ENOSPC ? TERR_FULL : TERR_IO,
		    "не удалось создать базу данных хаба %s: %s", path, terr_strerror(errno));
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if (snprintf(p, sizeof(p), "%s%s", path, suffix[i]) >= (int)sizeof(p))
			continue;
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0 &&
		    st.st_uid == geteuid())
			if (fchmodat(AT_FDCWD, p, 0600, AT_SYMLINK_NOFOLLOW) != 0)
				(void)0;   /* the open that follows reports what matters */
	}
	return 0;
}

/*
 * more: one of a pool's further handles (hubdb_open_more): the schema only
 * checked, not brought up to date, and the file read, not mapped.
 */
bool
hubdb_is_pg(const char *where)
{
	size_t n = strspn(where, "abcdefghijklmnopqrstuvwxyz_");

	/* a URI, or libpq's keywords ("host=... dbname=..."); a hub's file
	 * is a path (hub.conf's store names one or the other) */
	return strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0 ||
	    (n > 0 && where[n] == '=');
}

/* SQLite: the file at path, set up as the hub's store needs it. */
static int
hubdb_open_sqlite(struct hubdb *db, const char *path, bool more, struct terr *e)
{
	sqlite3 *lite = NULL;
	char *msg = NULL;
	int r;

	if ((r = hubdb_make_private(path, e)) != 0)
		return r;
	if (sqlite3_open_v2(path, &lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		r = terr_set(e, TERR_IO, "не удалось открыть базу данных хаба %s: %s", path,
		    lite ? sqlite3_errmsg(lite) : "нет памяти");
		sqlite3_close(lite);
		return r;
	}
	if (hsql_wrap_sqlite(lite, &db->db) != HSQL_OK) {
		sqlite3_close(lite);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	sqlite3_busy_timeout(lite, 5000);
	sqlite3_extended_result_codes(lite, 1);
	/*
	 * FULL: an acknowledgement promises the set is stored; with NORMAL a power
	 * cut could lose a committed, acknowledged set (WAL not yet synced).
	 *
	 * The map halved a report's time at municipality scale (schema 5: the
	 * file read in place, not copied into the page cache; with schema 6 and
	 * the scan cache less, ~1.3x, measured on a noisy host). But in WAL
	 * mode a handle that finds another's commit drops its whole mapping (a
	 * munmap flushing the TLB of every thread) and maps the file again: the
	 * pool's handles, with a commit every millisecond or so, paid more than
	 * they saved (32 devices: ~2,000 -> ~2,400 sets/s without;
	 * docs/performance.md).
	 */
	if (sqlite3_exec(lite, "PRAGMA page_size=" HUBDB_STR(HUBDB_PAGE_SIZE) ";"
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-" HUBDB_STR(HUBDB_CACHE_KIB) ";",
	    NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(lite, more ? "PRAGMA mmap_size=0;" : "PRAGMA mmap_size=268435456;",
	    NULL, NULL, &msg) != SQLITE_OK) {
		r = terr_set(e, TERR_IO, "база данных хаба %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		return r;
	}
	return more ? hubdb_schema_check(lite, path, e) : hubdb_schema_apply(lite, path, e);
}

/*
 * more: one of a pool's further handles (hubdb_open_more): the schema only
 * checked, not brought up to date, and the file read, not mapped.
 */
static int
hubdb_open_with(const char *where, bool more, struct hubdb **out, struct terr *e)
{
	struct hubdb *db = NULL;
	int r;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	db->forms_synced = -1;
	if (hubdb_is_pg(where)) {
		db->pg = true;
		if ((db->where = strdup(where)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
		if ((r = hsql_open_pg(where, &db->db, e)) != 0 ||
		    (r = more ? hubdb_schema_pg_check(db->db, "PostgreSQL", e) :
		    hubdb_schema_pg_apply(db->db, "PostgreSQL", e)) != 0)
			goto out;
	} else if ((r = hubdb_open_sqlite(db, where, more, e)) != 0)
		goto out;
	hubdb_feed_hooks(db);
	*out = db;
	db = NULL;
	r = 0;
 out:
	hubdb_close(db);
	return r;
}

int
hubdb_open(const char *path, struct hubdb **out, struct terr *e)
{
	return hubdb_open_with(path, false, out, e);
}

int
hubdb_open_more(const char *path, struct hubdb **out, struct terr *e)
{
	return hubdb_open_with(path, true, out, e);
}

int
hubdb_peek_version(const char *path, int *version, struct terr *e)
{
	sqlite3 *db = NULL;
	struct hsql *pg = NULL;
	int r;

	*version = 0;
	if (hubdb_is_pg(path)) {
		if ((r = hsql_open_pg(path, &pg, e)) == 0)
			r = hubdb_schema_pg_version(pg, "PostgreSQL", version, e);
		hsql_close(pg);
		return r;
	}
	if (access(path, F_OK) != 0)
		return 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		r = terr_set(e, TERR_IO, "база данных хаба %s: %s", path,
		    db ? sqlite3_errmsg(db) : "нет памяти");
	else
		r = hubdb_schema_version(db, path, version, e);
	sqlite3_close(db);
	return r;
}

int
hubdb_check_name(const char *where, struct terr *e)
{
	return hubdb_is_pg(where) ? hsql_pg_check_name(where, e) : 0;
}

bool
hubdb_pg(const struct hubdb *db)
{
	return db->pg;
}

int
hubdb_scan_begin(struct hubdb *db, struct terr *e)
{
	/* PostgreSQL's buffers are the server's: nothing per connection */
	if (!db->pg && sqlite3_exec(hsql_sqlite(db->db), "PRAGMA cache_size=-"
	    HUBDB_STR(HUBDB_SCAN_CACHE_KIB), NULL, NULL, NULL) != SQLITE_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение записей");
	return 0;
}

void
hubdb_scan_end(struct hubdb *db)
{
	/* only a number set: it fails only where the one above did */
	if (!db->pg)
		sqlite3_exec(hsql_sqlite(db->db), "PRAGMA cache_size=-" HUBDB_STR(HUBDB_CACHE_KIB),
		    NULL, NULL, NULL);
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
	/* PostgreSQL checkpoints on its own: the hook is never called there */
	if (db->pg)
		return;
	db->wal_grew = grew;
	db->wal_ctx = ctx;
	/* replaces SQLite's own autocheckpoint on this connection */
	sqlite3_wal_hook(hsql_sqlite(db->db), hubdb_wal_hook, db);
}

int
hubdb_checkpoint(struct hubdb *db, struct terr *e)
{
	int rc;

	if (db->pg)
		return 0;
	rc = sqlite3_wal_checkpoint_v2(hsql_sqlite(db->db), NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return terr_set(e, TERR_IO, "контрольная точка базы данных хаба: %s",
		    hsql_errmsg(db->db));
	return 0;
}

void
hubdb_close(struct hubdb *db)
{
	if (db == NULL)
		return;
	hubdb_tally_discard(db);
	hubdb_feed_forms_free(db);
	hubdb_pending_free(db);
	hubdb_schools_free(db->schools);
	for (int i = 0; i < ST_COUNT; i++)
		hsql_finalize(db->st[i]);
	hsql_close(db->db);
	free(db->where);
	free(db);
}

/* A transaction statement of slot s (prepared from sql once), run. */
static int
hubdb_txn_stmt(struct hubdb *db, enum hubdb_stmt s, const char *sql, const char *what,
    struct terr *e)
{
	struct hsql_stmt *st = hubdb_stmt(db, s, sql, e);

	return st ? hubdb_exec_stmt(db, st, e, what) : TERR_IO;
}

int
hubdb_begin(struct hubdb *db, struct terr *e)
{
	int rc;

	if (!db->pg)
		return hubdb_txn_stmt(db, ST_BEGIN, "BEGIN IMMEDIATE", "начало транзакции", e);
	/*
	 * The forms' count comes with the lock, read after it (a statement of
	 * its own sees what the last writer committed): hubdb_forms_seen needs
	 * no round trip of its own while nothing was published.
	 */
	if ((rc = hsql_exec_int(db->db, db->group_writer ?
	    HUBDB_PG_BEGIN_GROUP "; " HUBDB_PG_FORMS_COUNT :
	    HUBDB_PG_BEGIN "; " HUBDB_PG_FORMS_COUNT, &db->forms_count)) != HSQL_OK) {
		int r = hubdb_err(db, rc, e, "начало транзакции");

		hubdb_rollback(db);
		return r;
	}
	return 0;
}

/*
 * Deferred: the snapshot is taken at the first read and kept to the end
 * (WAL readers never block the writer, nor it them). PostgreSQL: one
 * snapshot for the whole transaction, which may not write.
 */
int
hubdb_begin_read(struct hubdb *db, struct terr *e)
{
	int rc;

	if (!db->pg)
		return hubdb_txn_stmt(db, ST_BEGIN_READ, "BEGIN DEFERRED", "начало чтения", e);
	if ((rc = hsql_exec(db->db, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")) !=
	    HSQL_OK)
		return hubdb_err(db, rc, e, "начало чтения");
	db->reading = true;
	return 0;
}

int
hubdb_snapshot_export(struct hubdb *db, char out[HUBDB_SNAPSHOT_MAX], struct terr *e)
{
	struct hsql_stmt *st = NULL;
	const char *t;
	size_t n;
	int rc, r = 0;

	out[0] = '\0';
	if ((rc = hsql_prepare(db->db, "SELECT pg_export_snapshot()", 0, &st)) != HSQL_OK ||
	    (rc = hsql_step(st)) != HSQL_ROW) {
		r = hubdb_err(db, rc == HSQL_DONE ? HSQL_ERROR : rc, e, "снимок базы для чтения");
		goto out;
	}
	t = (const char *)hsql_column_text(st, 0);
	n = t != NULL ? strlen(t) : 0;
	/* it goes into a statement's text: hex digits and dashes only */
	if (n == 0 || n >= HUBDB_SNAPSHOT_MAX || strspn(t, "0123456789ABCDEFabcdef-") != n)
		r = terr_set(e, TERR_INTERNAL, "снимок базы для чтения: неожиданный ответ сервера");
	else
		memcpy(out, t, n + 1);
 out:
	hsql_finalize(st);
	return r;
}

int
hubdb_begin_read_at(struct hubdb *db, const char *snapshot, struct terr *e)
{
	char sql[160];
	int rc;

	snprintf(sql, sizeof(sql), "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; "
	    "SET TRANSACTION SNAPSHOT '%s'", snapshot);
	if ((rc = hsql_exec(db->db, sql)) != HSQL_OK) {
		int r = hubdb_err(db, rc, e, "начало чтения по снимку");

		hubdb_rollback(db);
		return r;
	}
	db->reading = true;
	return 0;
}

int
hubdb_commit(struct hubdb *db, struct terr *e)
{
	struct hsql_stmt *st = hubdb_stmt(db, ST_COMMIT, "COMMIT", e);
	int r;

	db->reading = false;
	if (st == NULL)
		return TERR_IO;
	if ((r = hubdb_tally_flush(db, e)) != 0 || (r = hubdb_feed_flush(db, e)) != 0 ||
	    (r = hubdb_exec_stmt(db, st, e, "запись транзакции")) != 0) {
		hubdb_rollback(db);
		return r;
	}
	/* only a commit said done: a school is known stored from here on */
	hubdb_schools_commit(db->schools);
	/* the group writer's commit did not wait for the disk (HUBDB_PG_BEGIN_GROUP) */
	if (db->pg && db->group_writer)
		r = hubdb_durable(db, e);
	return r;
}

void
hubdb_group_writer(struct hubdb *db, bool on)
{
	db->group_writer = on;
}

/*
 * A transaction that writes to the log waits at its commit until the log is
 * on disk up to that commit, so up to every commit made before it on any
 * connection: one wait serves every group committed meanwhile, in whichever
 * process (the log is one). What it writes is a logical decoding message of
 * no content (a replication consumer ignores the prefix it does not know):
 * no table, so no row two processes would queue for. A transaction that
 * only takes an id (pg_current_xact_id) is not enough: having written
 * nothing, it commits without waiting.
 */
int
hubdb_durable(struct hubdb *db, struct terr *e)
{
	int rc;

	if (!db->pg)
		return 0;
	if (!hsql_autocommit(db->db))
		return terr_set(e, TERR_INTERNAL, "запись на диск проверяется вне транзакции");
	if ((rc = hsql_exec(db->db, "SELECT pg_logical_emit_message(true, 'tetrad', '')")) != HSQL_OK)
		return hubdb_err(db, rc, e, "запись на диск сервера PostgreSQL");
	return 0;
}

void
hubdb_rollback(struct hubdb *db)
{
	struct hsql_stmt *st = hubdb_stmt(db, ST_ROLLBACK, "ROLLBACK", NULL);

	hubdb_tally_discard(db);
	db->reading = false;
	if (st != NULL && !hsql_autocommit(db->db)) {
		hsql_step(st);
		hubdb_done(st);
	}
}

int
hubdb_savepoint(struct hubdb *db, struct terr *e)
{
	int r;

	/* tally adds waiting in the handle are written first: what waits after
	 * the mark is the mark's own, and an undo forgets exactly that */
	if ((r = hubdb_tally_flush(db, e)) != 0)
		return r;
	return hubdb_txn_stmt(db, ST_SAVEPOINT, "SAVEPOINT one_set", "отметка в транзакции", e);
}

int
hubdb_savepoint_release(struct hubdb *db, struct terr *e)
{
	return hubdb_txn_stmt(db, ST_RELEASE, "RELEASE one_set", "отметка в транзакции", e);
}

int
hubdb_savepoint_keep(struct hubdb *db, struct terr *e)
{
	return hubdb_txn_stmt(db, ST_RELEASE_LATER, "RELEASE one_set", "отметка в транзакции", e);
}

int
hubdb_savepoint_undo(struct hubdb *db, struct terr *e)
{
	hubdb_tally_discard(db);
	hubdb_schools_undo(db->schools);
	db->feed_tag = 0;             /* a numbering of hubdb_feed_forms may be undone */
	return hubdb_txn_stmt(db, ST_UNDO, "ROLLBACK TO one_set", "откат к отметке в транзакции",
	    e);
}

int
hubdb_test_query(struct hubdb *db, const char *sql, char **out, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	bool own = false;
	int rc, r = 0;

	*out = NULL;
	/* PostgreSQL says whether a statement writes only by refusing it in a
	 * read-only transaction */
	if (db->pg && hsql_autocommit(db->db)) {
		if ((rc = hsql_exec(db->db, "BEGIN READ ONLY")) != HSQL_OK)
			return hubdb_err(db, rc, e, "проверочный запрос");
		own = true;
	}
	if ((rc = hsql_prepare(db->db, sql, 0, &st)) != HSQL_OK) {
		r = hubdb_err(db, rc, e, "проверочный запрос");
		goto out;
	}
	if (!hsql_stmt_readonly(st)) {
		r = terr_set(e, TERR_ARG, "проверочный запрос должен только читать");
		goto out;
	}
	rc = hsql_step(st);
	if (rc == HSQL_ROW && hsql_column_type(st, 0) != HSQL_NULL &&
	    (*out = strdup((const char *)hsql_column_text(st, 0))) == NULL)
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
	else if (rc != HSQL_ROW && rc != HSQL_DONE)
		r = db->pg && hsql_errcode(db->db) == HSQL_ERROR &&
		    strstr(hsql_errmsg(db->db), "read-only") ?
		    terr_set(e, TERR_ARG, "проверочный запрос должен только читать") :
		    hubdb_err(db, rc, e, "проверочный запрос");
 out:
	hsql_finalize(st);
	if (own)
		hsql_exec(db->db, "ROLLBACK");
	return r;
}

int
hubdb_test_cap_growth(struct hubdb *db, long long extra_pages, struct terr *e)
{
	sqlite3 *lite = hsql_sqlite(db->db);
	sqlite3_stmt *st = NULL;
	long long pages = 0;
	char sql[64];

	if (lite == NULL)
		return terr_set(e, TERR_ARG, "предел размера базы есть только у SQLite");
	if (extra_pages >= 0) {
		if (sqlite3_prepare_v2(lite, "PRAGMA page_count", -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return hubdb_err(db, HSQL_ERROR, e, "размер базы");
		}
		pages = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	/* a pragma takes no parameters: the number is formatted, never a caller's text */
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
	    extra_pages >= 0 ? pages + extra_pages : 1073741823LL);
	if (sqlite3_exec(lite, sql, NULL, NULL, NULL) != SQLITE_OK)
		return hubdb_err(db, HSQL_ERROR, e, "предел размера базы");
	return 0;
}
