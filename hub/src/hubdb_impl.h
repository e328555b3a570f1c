/*
 * hubdb_impl — what the store's files (hubdb*.c) share: the handle, its
 * statement cache, the error mapping, the schema's entry points per
 * engine. The SQL goes through hubdb_sql.h (SQLite or PostgreSQL). Nothing
 * outside those files includes this header.
 */
#ifndef TETRAD_HUB_HUBDB_IMPL_H
#define TETRAD_HUB_HUBDB_IMPL_H

#include <time.h>

#include "hub/hubdb.h"
#include "hubdb_schools.h"
#include "hubdb_sql.h"

/* One slot per statement prepared once per handle. */
enum hubdb_stmt {
	ST_DEVICE_GET,
	ST_DEVICE_ASK,                /* the same, asked ahead (hubdb_device_ask) */
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
	ST_RESULT_PUT,
	ST_RESULT_DEL,
	ST_SETTING_PUT,
	ST_SETTING_DEL,
	ST_BEGIN,
	ST_BEGIN_READ,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_RELEASE_LATER,             /* the same, its answer not waited for */
	ST_UNDO,
	ST_TALLY_ADD,                 /* hubdb_tally.c: once per tally key of a record */
	ST_TALLY_DROP,
	ST_TALLY_ALL_ADD,             /* the same key's days summed: tally_all */
	ST_TALLY_ALL_DROP,
	ST_TALLY_STALE,
	ST_REC_RECEIVED,
	ST_FEED_HEAD,                 /* hubdb_feed.c: the counter */
	ST_FEED_TAKE,
	ST_FEED_PROFILE,
	ST_FEED_FORMS_GET,
	ST_FEED_FORMS_PUT,
	ST_FEED_BACKFILL,
	ST_COUNT
};

struct hubdb {
	struct hsql *db;
	bool pg;                      /* PostgreSQL (else SQLite): the dialect */
	char *where;                  /* PostgreSQL: the connection string it was opened with */
	bool reading;                 /* in a read transaction (hubdb_begin_read, _at) */
	time_t now_t;                 /* second now_text was made for */
	char now_text[HUBDB_TIME_MAX];
	struct hsql_stmt *st[ST_COUNT];
	void (*wal_grew)(void *ctx, int wal_pages);
	void *wal_ctx;
	struct hubdb_tally_buf *tally;    /* tally adds waiting for the commit */
	struct hubdb_pending *pending;     /* PostgreSQL: new records written behind */
	bool feed_known;              /* feed_head holds the counter of this transaction */
	bool feed_dirty;              /* ... and is not written back yet */
	uint64_t feed_head;
	char **feed_forms;            /* sorted: the shared forms (hubdb_feed_forms) */
	size_t nfeed_forms;
	bool feed_told;               /* false: every record takes a position */
	bool forms_seen;              /* hubdb_forms_seen: this write transaction */
	int64_t forms_count;          /* PostgreSQL: the forms stored, read by hubdb_begin */
	int64_t forms_synced;         /* ... when last said unseen; -1: none since */
	struct hubdb_schools *schools;    /* codes known stored: hubdb_school_put skips them */
	uint64_t feed_tag;
	bool group_writer;            /* hubdb_group_writer: commits wait for the disk after the lock */
	enum { HUBDB_ASKED_NONE, HUBDB_ASKED_SENT, HUBDB_ASKED_READ } device_asked;
	struct hubdb_device asked_dev;    /* HUBDB_ASKED_READ: the answer, read at once */
	bool asked_found;
	int asked_r;                  /* ... or its error (the message is gone with the call) */
};

/* Creates or migrates the schema of a freshly opened connection (hubdb_schema.c). */
int hubdb_schema_apply(sqlite3 *db, const char *path, struct terr *e);
/* The same on PostgreSQL (hubdb_schema_pg.c): where names the store in messages. */
int hubdb_schema_pg_apply(struct hsql *c, const char *where, struct terr *e);
int hubdb_schema_pg_check(struct hsql *c, const char *where, struct terr *e);
int hubdb_schema_pg_version(struct hsql *c, const char *where, int *v, struct terr *e);
/* TERR_VERSION unless the schema is exactly HUBDB_SCHEMA_VERSION; writes nothing. */
int hubdb_schema_check(sqlite3 *db, const char *path, struct terr *e);
/*
 * The schema version in *v (PRAGMA user_version). Unread, it must not pass
 * for 0: that would skip a migration.
 */
int hubdb_schema_version(sqlite3 *db, const char *path, int *v, struct terr *e);

/* rc (and the connection's extended code) as TERR_FULL, TERR_BUSY or TERR_IO. */
int hubdb_err(struct hubdb *db, int rc, struct terr *e, const char *what);
/* Slot s, prepared from sql on first use; NULL (e set) on failure. */
struct hsql_stmt *hubdb_stmt(struct hubdb *db, enum hubdb_stmt s, const char *sql,
    struct terr *e);

#define HUBDB_STR_(x) #x
#define HUBDB_STR(x) HUBDB_STR_(x)

/*
 * The page cache of a handle, and of a report's scan (hubdb_report_records),
 * in KiB. A scan reads each page of its form once: in the handle's cache
 * every page it read took a buffer never used before (a malloc, and the
 * page faults of the copy into it), more than half of a region's
 * verification report; a small cache recycles its buffers.
 */
#define HUBDB_CACHE_KIB 65536
#define HUBDB_SCAN_CACHE_KIB 4096

/*
 * A report's read (hubdb_report_records, hubdb_tally_each, _key_days) runs
 * between these: the scan's cache, then the handle's own back.
 */
int hubdb_scan_begin(struct hubdb *db, struct terr *e);
void hubdb_scan_end(struct hubdb *db);

/* Resets a cached statement for its next use. */
void hubdb_done(struct hsql_stmt *st);
/* Runs a statement that returns no rows, then resets it. */
int hubdb_exec_stmt(struct hubdb *db, struct hsql_stmt *st, struct terr *e, const char *what);
/* Column col as text into dst (cap bytes, cut to fit; NULL as ""). */
void hubdb_copy_text(char *dst, size_t cap, struct hsql_stmt *st, int col);
/* Writes the tally adds waiting in the handle (hubdb_tally.c); before COMMIT. */
int hubdb_tally_flush(struct hubdb *db, struct terr *e);
/* Forgets them: on rollback and close. */
void hubdb_tally_discard(struct hubdb *db);
/*
 * The feed counter (hubdb_feed.c). hubdb_feed_next gives the position the
 * next write would take (read once per transaction); hubdb_feed_take
 * records that the write took it; hubdb_feed_flush writes the counter
 * back, before COMMIT (hubdb_commit does; a commit without it is refused
 * by the commit hook). All inside a write transaction:
 * hubdb_feed_own_begin starts one (BEGIN IMMEDIATE) when the caller is in
 * none (*own), hubdb_feed_own_end commits it (r == 0) or rolls it back and
 * returns r. hubdb_feed_hooks forgets the counter at every commit and
 * rollback of the connection.
 */
int hubdb_feed_next(struct hubdb *db, uint64_t *pos, struct terr *e);
int hubdb_feed_take(struct hubdb *db, uint64_t pos, struct terr *e);
int hubdb_feed_flush(struct hubdb *db, struct terr *e);
int hubdb_feed_own_begin(struct hubdb *db, bool *own, struct terr *e);
int hubdb_feed_own_end(struct hubdb *db, bool own, int r, struct terr *e);
void hubdb_feed_hooks(struct hubdb *db);
/* Whether records of form_id take a feed position (hubdb_feed_forms). */
bool hubdb_feed_form_shared(const struct hubdb *db, const char *form_id);
/* Forgets the shared forms: on close. */
void hubdb_feed_forms_free(struct hubdb *db);
/* The school's profile took a new position (hubdb_calendar.c). */
int hubdb_feed_profile(struct hubdb *db, const char *school, struct terr *e);

/*
 * New records written behind on PostgreSQL (hubdb_pending.c): whether id is
 * one hubdb_records_expect found absent and not yet added (then it is
 * taken), the row to write, and the handle's buffer freed (on close).
 */
bool hubdb_pending_take(struct hubdb *db, const uint8_t id[16]);
int hubdb_pending_add(struct hubdb *db, const struct hubdb_record *r, const char *received_at,
    int64_t feed_pos, struct terr *e);
void hubdb_pending_free(struct hubdb *db);

/* hubdb_tally_key_sums on PostgreSQL: one query (hubdb_tally_pg.c). */
int hubdb_tally_key_walk_pg(struct hubdb *db, const char *form_prefix, const char *school,
    const char *key, const int64_t *lo, const int64_t *hi, size_t nwin, hubdb_tally_cb cb,
    void *ctx, struct terr *e);

/* hubdb_now_iso, formatted once a second per handle. */
void hubdb_now_cached(struct hubdb *db, char out[HUBDB_TIME_MAX]);

/*
 * The lock every write transaction on PostgreSQL takes first
 * (pg_advisory_xact_lock; the key is "tetrad" in ASCII): writers are
 * serialised across every hub process on the database as SQLite's BEGIN
 * IMMEDIATE serialises them, so each write transaction reads what the last
 * one left (a device's watermark and hash chain, the feed counter) and no
 * other writer acts on the same reading. Readers take no lock.
 */
#define HUBDB_PG_LOCK "SELECT pg_advisory_xact_lock(127979094172004)"
#define HUBDB_PG_BEGIN "BEGIN; " HUBDB_PG_LOCK
/*
 * The group writer's transaction (hubdb_group_writer): its COMMIT does not
 * wait for the disk, so the lock is given up as soon as the group is
 * written; hubdb_commit waits for the disk after it (hubdb_durable).
 */
#define HUBDB_PG_BEGIN_GROUP "BEGIN; SET LOCAL synchronous_commit = off; " HUBDB_PG_LOCK
/* hubdb_begin's last statement on PostgreSQL (hubdb_forms_seen) */
#define HUBDB_PG_FORMS_COUNT "SELECT count(*) FROM hub_forms"

/*
 * PostgreSQL: the snapshot of db's read transaction (hubdb_begin_read), for
 * another connection to read the same (pg_export_snapshot), and that
 * connection's read transaction begun at it (hubdb_ahead.c).
 */
#define HUBDB_SNAPSHOT_MAX 64
int hubdb_snapshot_export(struct hubdb *db, char out[HUBDB_SNAPSHOT_MAX], struct terr *e);
int hubdb_begin_read_at(struct hubdb *db, const char *snapshot, struct terr *e);

/* SQL of the store's dialect: SQLite's text, or PostgreSQL's where they differ. */
#define HUBDB_SQL(db, sql_lite, sql_pg) ((db)->pg ? (sql_pg) : (sql_lite))

#endif
