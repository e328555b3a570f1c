/*
 * hubdb — the hub's store: devices, tokens, schools, change sets, records,
 * field clocks, conflicts, quarantine, published forms, and the reports'
 * own tables (imported results, settings). Every SQL statement of the hub
 * lives behind this interface; nothing else in hub/ sees the database.
 *
 * The contract (what a second implementation, e.g. PostgreSQL over libpq,
 * must provide and guarantee):
 *
 *  - Handles. hubdb_open gives one handle, used by one thread at a time (the
 *    server keeps a pool of them; ingest, the CLI and reports each use their
 *    own). hubdb_open creates or migrates the schema (all tables, the
 *    reports' included) in one transaction, so two hubs starting at once
 *    migrate once; a schema newer than HUBDB_SCHEMA_VERSION is refused with
 *    TERR_VERSION. hubdb_open_more gives further handles on a store already
 *    brought up to date: it only checks the version and never takes the
 *    write lock. hubdb_close accepts NULL.
 *
 *  - Transactions. hubdb_begin starts a write transaction that takes the
 *    write lock at once (SQLite BEGIN IMMEDIATE; PostgreSQL: BEGIN, with
 *    writers serialised per device); hubdb_commit makes every write since
 *    durable before it returns (an acknowledgement promises the set is
 *    stored), and on failure rolls back; hubdb_rollback undoes everything
 *    since begin and is a no-op outside a transaction. hubdb_begin_read
 *    starts a read-only transaction that sees one snapshot until it ends
 *    (SQLite: a deferred transaction in WAL mode; PostgreSQL: REPEATABLE
 *    READ READ ONLY): a report reads every table from the same moment. A
 *    call outside a transaction is its own transaction. A whole change set
 *    is applied or nothing is.
 *
 *  - Values. Every value travels as a bound parameter (text, integer,
 *    double, blob); no SQL text is ever built from a value. Text is UTF-8;
 *    ids and clocks always fit the fixed buffers below; strings that do not
 *    are cut (hubdb_copy), never overflowed.
 *
 *  - Errors. Every function returns 0 or a negative TERR_* code and fills e
 *    with a Russian message naming what failed: TERR_FULL when storage is
 *    full (the disk, a quota), TERR_BUSY when the store is locked or a
 *    transaction must be retried (SQLITE_BUSY past the busy timeout; a
 *    PostgreSQL serialization failure or deadlock) — the server answers both
 *    with 503 and Retry-After — TERR_VERSION for a too-new schema, TERR_ARG
 *    for a refusal the caller must show (unknown device, token already used),
 *    TERR_NOMEM, and TERR_IO for anything else.
 *
 *  - Row iteration. Functions that return many rows call a callback once per
 *    row with a typed struct (hubdb_report_record, hubdb_school_row, ...).
 *    Pointers in it are valid only during the call. A non-zero return from
 *    the callback stops the iteration and is returned as is (so a callback
 *    may return its own TERR_* code with its own message in e). Rows come in
 *    the order each function documents.
 *
 *  - Bounds. The store keeps what it is given; callers bound outside input
 *    before it reaches the store (HUBDB_* sizes below, CHANGESET_* limits).
 *    A report record's JSON over HUBDB_REPORT_DATA_MAX is skipped, not read.
 */
#ifndef TETRAD_HUB_HUBDB_H
#define TETRAD_HUB_HUBDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/changeset.h"
#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"


#define HUBDB_SCHEMA_VERSION 6
/*
 * Page size of a new hub database (an existing one keeps its own). A
 * record's row is some 500 bytes in a table keyed by its id, so a 4 KiB
 * page holds seven and splits often; with 16 KiB pages ingest measured
 * ~10% faster, and the reports at region scale read a store of 2.8 M
 * records in half the time of 4 KiB pages (docs/performance.md). One-record
 * sets pay for it: each touched page goes whole into the WAL, ~20% fewer
 * such sets a second than with 4 KiB pages.
 */
#define HUBDB_PAGE_SIZE 16384
#define HUBDB_LABEL_MAX 128      /* device label, curator or school name */
#define HUBDB_SCHOOLS_MAX 4096   /* comma list of a curator's schools */
#define HUBDB_TIME_MAX 32        /* ISO-8601 UTC text */

struct hubdb;

struct hubdb_device {
	char id[KEYS_ID_HEXLEN + 1];
	uint8_t pk[KEYS_SIGN_PK_BYTES];
	char kind[16];                    /* "school" | "curator" */
	char label[HUBDB_LABEL_MAX + 1];
	char schools[HUBDB_SCHOOLS_MAX + 1];
	bool revoked;
	char revoked_at[HUBDB_TIME_MAX];
	uint64_t watermark;               /* last applied sequence number */
	uint8_t last_hash[CHANGESET_HASH_BYTES];
	bool has_box;                     /* box_pk registered (first pull) */
	uint8_t box_pk[KEYS_ENC_PK_BYTES];  /* X25519: pull answers are sealed to it */
	uint64_t pull_acked;              /* feed position the device last acknowledged */
};

struct hubdb_token {
	uint8_t hash[32];                 /* BLAKE2b-256 of the normalised token */
	char kind[16];
	char name[HUBDB_LABEL_MAX + 1];   /* school or curator name */
	char schools[HUBDB_SCHOOLS_MAX + 1];
	int64_t expires_at;               /* Unix seconds */
	bool used;
	char used_by[KEYS_ID_HEXLEN + 1]; /* device id that redeemed it */
};

/* One record as merge sees it; strings owned by the struct (hubdb_record_clear). */
struct hubdb_record {
	uint8_t id[16];
	char form_id[CHANGESET_ID_MAX + 1];
	uint32_t form_version;
	char school[CHANGESET_SCHOOL_MAX + 1];
	char device_id[KEYS_ID_HEXLEN + 1];
	char hlc[HLC_STRLEN + 1];
	bool deleted;
	char *data;                       /* merged JSON object */
	char *clocks;                     /* JSON: field -> [hlc, device] */
};
void hubdb_record_clear(struct hubdb_record *r);
/*
 * A writer's word, inside its write transaction, that the puts among ops
 * (a change set's) are about to be written. On PostgreSQL the store asks
 * once which of those records exist, and adds the new ones (hubdb_record_add)
 * as one statement of many rows before whatever statement comes next, not
 * one round trip each (hubdb_pending.c). SQLite: nothing to do.
 */
int hubdb_records_expect(struct hubdb *db, const struct op *ops, size_t n, struct terr *e);

struct hubdb_conflict {
	const uint8_t *record_id;
	const char *form_id, *school, *field;
	const char *loser_value, *loser_hlc, *loser_device;
	const char *winner_value, *winner_hlc, *winner_device;
};

/* Opens (creating if needed) the database at path and brings its schema up
 * to date. *out is NULL on failure. */
int hubdb_open(const char *path, struct hubdb **out, struct terr *e);
/*
 * One more handle on a store hubdb_open has brought up to date (the server's
 * pool): the schema is only checked (TERR_VERSION if it is not this
 * program's), nothing is written and no write lock is taken. hubdb_open's
 * BEGIN IMMEDIATE, taken by every handle a pool growing under load opened,
 * made the writer's commits wait in SQLite's busy handler (sleeps of 1 to
 * 100 ms): the first sets of 32 devices at once waited up to 0.9 s.
 * Nor does it map the file (SQLite's mmap): a handle among several that
 * commit often would map it again after each of the others' commits.
 */
int hubdb_open_more(const char *path, struct hubdb **out, struct terr *e);
void hubdb_close(struct hubdb *db);
/*
 * The schema version of the store at path, read only (0: no store there
 * yet; nothing is created). A caller can say so before hubdb_open migrates
 * an older store: schema 6 rewrites the records, about a minute for a
 * region's 3 M, and a start that says nothing for that long looks hung.
 */
int hubdb_peek_version(const char *path, int *version, struct terr *e);
/*
 * Whether a store's name (hubdb_open's path) names a PostgreSQL database: a
 * postgresql:// URI or libpq's keywords ("host=... dbname=..."); anything
 * else is the path of a SQLite file.
 */
bool hubdb_is_pg(const char *where);
/*
 * A store's name as hub.conf or a command gives it: 0, or TERR_ARG with the
 * reason when a PostgreSQL connection string does not parse or carries a
 * password (the password is kept in a password file, never in hub.conf or
 * on a command line). A SQLite path passes.
 */
int hubdb_check_name(const char *where, struct terr *e);
/* Whether an open store is on PostgreSQL. */
bool hubdb_pg(const struct hubdb *db);

/*
 * Copies every table of store from into store to (hubdb_copy.c; `tetrad-hub
 * migrate`): each row with the same values (integers, doubles, text, blobs,
 * NULLs), the ids of the quarantine, the conflicts and the audit log kept,
 * and on PostgreSQL their identity counters set past them, so devices go on
 * from the watermarks, hashes and feed positions they know. from is read in
 * one read transaction (one moment of it), table by table through scans
 * (never all in memory); to is written in one write transaction: on any
 * failure it is rolled back and to is as it was. Both are opened with
 * hubdb_open (schemas current). TERR_ARG when to holds any data (two hubs
 * are never merged); TERR_VERSION when a store has a table or column the
 * copy does not know. progress, if not NULL, is called when a table with
 * rows begins (done 0, total its rows), every so many rows, and once when
 * a table is copied (done == total, 0 for an empty one).
 */
typedef void (*hubdb_copy_progress_cb)(void *ctx, const char *table, uint64_t done,
    uint64_t total);
int hubdb_copy_all(struct hubdb *from, struct hubdb *to, hubdb_copy_progress_cb progress,
    void *ctx, struct terr *e);
/* The tables hubdb_copy_all copies, in its order: table i (NULL past the
 * last) and its columns, a comma list (*cols, if cols is not NULL). */
const char *hubdb_copy_table(size_t i, const char **cols);

/*
 * Takes WAL checkpoints off this handle's commits: after each commit
 * grew(ctx, pages in the WAL) is called instead, and someone must call
 * hubdb_checkpoint (the server does, on a thread of its own, so a request
 * never waits for a checkpoint's copying and fsync).
 */
void hubdb_defer_checkpoints(struct hubdb *db, void (*grew)(void *ctx, int wal_pages),
    void *ctx);
/* Copies what the WAL holds into the database without blocking writers. */
int hubdb_checkpoint(struct hubdb *db, struct terr *e);
/*
 * Process-wide settings of the store's engine, called once before any
 * thread or handle exists (SQLite: no memory statistics, which cost a
 * global mutex on every allocation).
 */
void hubdb_tune_process(void);

int hubdb_begin(struct hubdb *db, struct terr *e);
/* A read-only transaction over one snapshot; end it with hubdb_rollback. */
int hubdb_begin_read(struct hubdb *db, struct terr *e);
int hubdb_commit(struct hubdb *db, struct terr *e);
void hubdb_rollback(struct hubdb *db);
/*
 * The handle of a process's group writer (groupcommit.c). On PostgreSQL its
 * transactions commit without waiting for the disk, and hubdb_commit waits
 * for the disk after the commit, with the store's write lock given up: the
 * next writer, in this process or another, works while the disk writes,
 * and one wait serves every group committed meanwhile. hubdb_commit is as
 * durable as before when it returns 0; what differs is that between the
 * commit and the wait another connection may see what was written (a
 * server that stops then loses it; with it, every later commit too, since
 * the log is one). An answer a device acts on that was read from the store
 * outside the writer is therefore given after hubdb_durable. SQLite: no
 * difference.
 */
void hubdb_group_writer(struct hubdb *db, bool on);
/*
 * Returns 0 when everything committed before the call, on any connection
 * and by any process, is on disk (PostgreSQL: a transaction that writes an
 * empty message to the log, whose commit waits for the log up to it;
 * SQLite: at once, its commits wait themselves). Outside a transaction
 * only; TERR_BUSY when the server is gone.
 */
int hubdb_durable(struct hubdb *db, struct terr *e);
/*
 * One savepoint inside a write transaction (groupcommit.h: one per change
 * set of a group). hubdb_savepoint marks; hubdb_savepoint_release keeps what
 * was written since and ends the mark; hubdb_savepoint_undo undoes it and
 * keeps the mark, for writing again. SQLite and PostgreSQL: SAVEPOINT,
 * RELEASE SAVEPOINT, ROLLBACK TO SAVEPOINT. hubdb_savepoint_keep is the
 * release without waiting for its answer (deferred, below).
 *
 * Deferred errors: on PostgreSQL, inside a transaction, hubdb_savepoint,
 * hubdb_savepoint_keep, hubdb_device_set_head and hubdb_set_put do not wait
 * for the server's answer (they go with the next call that reads one: fewer
 * round trips while a set holds the write lock). An error one of them meets
 * is then returned by the next call of the handle that waits, at the latest
 * by hubdb_savepoint_release or hubdb_commit; after hubdb_savepoint_keep
 * that call may be the next mark's, so the error is no longer the mark's
 * alone. A writer that undoes the mark or rolls back needs no answer.
 * SQLite answers each call at once.
 */
int hubdb_savepoint(struct hubdb *db, struct terr *e);
int hubdb_savepoint_release(struct hubdb *db, struct terr *e);
int hubdb_savepoint_keep(struct hubdb *db, struct terr *e);
int hubdb_savepoint_undo(struct hubdb *db, struct terr *e);

/* Devices. *found says whether the device exists. */
int hubdb_device_get(struct hubdb *db, const char *id, struct hubdb_device *d,
    bool *found, struct terr *e);
/*
 * The same read in two halves, so that on PostgreSQL its answer travels
 * with the next statement the caller waits for anyway: hubdb_device_ask
 * asks for device id as the store stands at that moment (inside a write
 * transaction on PostgreSQL it is sent, not waited for; otherwise read at
 * once), and hubdb_device_answer gives that answer, whatever the handle
 * wrote in between. One question at a time; a second ask drops the first.
 * A failed ask needs no answer.
 */
int hubdb_device_ask(struct hubdb *db, const char *id, struct terr *e);
int hubdb_device_answer(struct hubdb *db, struct hubdb_device *d, bool *found,
    struct terr *e);
int hubdb_device_add(struct hubdb *db, const struct hubdb_device *d, struct terr *e);
int hubdb_device_set_head(struct hubdb *db, const char *id, uint64_t watermark,
    const uint8_t hash[CHANGESET_HASH_BYTES], struct terr *e);
/* TERR_ARG if there is no such device. */
int hubdb_device_revoke(struct hubdb *db, const char *id, struct terr *e);
/*
 * Gives device d->id the kind, label and schools of d, only if it never
 * sent anything (watermark 0, no stored or quarantined set) and is not
 * revoked; TERR_ARG otherwise. For a key an enrollment bound to the wrong
 * school (tokens.c).
 */
int hubdb_device_rebind(struct hubdb *db, const struct hubdb_device *d, struct terr *e);

/* Tokens. */
int hubdb_token_add(struct hubdb *db, const struct hubdb_token *t, struct terr *e);
int hubdb_token_get(struct hubdb *db, const uint8_t hash[32], struct hubdb_token *t,
    bool *found, struct terr *e);
int hubdb_token_use(struct hubdb *db, const uint8_t hash[32], const char *device_id,
    struct terr *e);

/* Adds a school, or sets its name when name is not NULL or empty. */
int hubdb_school_put(struct hubdb *db, const char *code, const char *name,
    struct terr *e);

/*
 * The change set stored for exactly (device, first, last): its chain hash,
 * HTTP status and signed acknowledgement (appended to ack).
 */
int hubdb_set_get(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, bool *found, uint8_t hash[CHANGESET_HASH_BYTES],
    int *http_status, struct tbuf *ack, struct terr *e);
int hubdb_set_put(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, const uint8_t hash[CHANGESET_HASH_BYTES], const char *status,
    int http_status, const uint8_t *envelope, size_t envelope_len,
    const uint8_t *ack, size_t ack_len, struct terr *e);

/*
 * Quarantine: what a device sent that the hub kept for review. Each device
 * has a cap (entries and bytes of envelope and reason), so a stolen key
 * that is not revoked yet cannot fill the disk with forks: over it the row
 * is not stored (*kept false) and the device's count of dropped sets grows
 * instead, which the listings show. kept may be NULL.
 */
#define HUBDB_QUARANTINE_MAX_ENTRIES 100
#define HUBDB_QUARANTINE_MAX_BYTES (64u << 20)
int hubdb_quarantine_add(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, const char *kind, const char *reason, const uint8_t *envelope,
    size_t envelope_len, bool *kept, struct terr *e);

/*
 * Records: get fills r (clear it with hubdb_record_clear), put upserts, add
 * inserts only a record not yet stored (*added says whether it did).
 */
int hubdb_record_get(struct hubdb *db, const uint8_t id[16], struct hubdb_record *r,
    bool *found, struct terr *e);
int hubdb_record_put(struct hubdb *db, const struct hubdb_record *r, struct terr *e);
int hubdb_record_add(struct hubdb *db, const struct hubdb_record *r, bool *added,
    struct terr *e);
/*
 * Upserts a record as hubdb_record_put does, with the time the hub received
 * it given ("2021-05-10T10:00:00Z") instead of now: for tests and for
 * copying records from another store. Registers the record's school and
 * moves the tallies (below) with the record, as ingest does.
 */
int hubdb_record_import(struct hubdb *db, const struct hubdb_record *r,
    const char *received_at, struct terr *e);
int hubdb_conflict_add(struct hubdb *db, const struct hubdb_conflict *c, struct terr *e);

/*
 * A logged conflict as review (hub/review.h) reads it, with the decision
 * taken on it ("" while open). Strings owned by the struct
 * (hubdb_conflict_row_clear).
 */
struct hubdb_conflict_row {
	int64_t id;
	uint8_t record_id[16];
	char form_id[CHANGESET_ID_MAX + 1];
	char school[CHANGESET_SCHOOL_MAX + 1];
	char *field, *loser_value, *winner_value;
	char loser_hlc[HLC_STRLEN + 1], winner_hlc[HLC_STRLEN + 1];
	char loser_device[KEYS_ID_HEXLEN + 1], winner_device[KEYS_ID_HEXLEN + 1];
	char decision[8];                /* "", "kept" or "taken" */
	/* for people (hubdb_conflicts_each): "" where unknown */
	char logged_at[HUBDB_TIME_MAX], decided_at[HUBDB_TIME_MAX], decided_by[96];
	char school_name[160], loser_label[160], winner_label[160];  /* who the devices are */
};
void hubdb_conflict_row_clear(struct hubdb_conflict_row *c);
/*
 * The conflicts, newest first (open_only: without a decision), at most
 * limit of them, to cb; *total: how many there are. cb's non-zero return
 * stops the walk and is returned.
 */
typedef int (*hubdb_conflict_cb)(void *ctx, const struct hubdb_conflict_row *c);
int hubdb_conflicts_each(struct hubdb *db, bool open_only, size_t limit,
    hubdb_conflict_cb cb, void *ctx, long long *total, struct terr *e);
/* Conflict id (hubdb_conflict_row_clear it); *found false when there is none. */
int hubdb_conflict_get(struct hubdb *db, int64_t id, struct hubdb_conflict_row *c,
    bool *found, struct terr *e);
/*
 * Records the decision on conflict id ("kept" or "taken"; hlc: the clock of
 * the value written for "taken", else NULL), inside the caller's write
 * transaction. TERR_REPLAY when a decision is already there.
 */
int hubdb_conflict_decide(struct hubdb *db, int64_t id, const char *choice,
    const char *login, const char *hlc, struct terr *e);
/* Conflicts without a decision. */
int hubdb_conflicts_open(struct hubdb *db, long long *n, struct terr *e);

/* Published forms: the signed bundle of (id, version). */
int hubdb_form_put(struct hubdb *db, const char *id, uint32_t version,
    const char *sha256_hex, const uint8_t *bundle, size_t len, struct terr *e);
int hubdb_form_get(struct hubdb *db, const char *id, uint32_t version,
    struct tbuf *bundle, bool *found, struct terr *e);

/*
 * Listings for the CLI (hub/src/cmd/cmd_list.c) and the forms endpoint
 * (hubdb_list.c). Each column is typed, so a table and a JSON document
 * come out of the same row without guessing from text: a watermark is the
 * integer 11, not "11". A column carries its JSON key (English snake_case,
 * stable for scripts) and its header for people (Russian, the users'
 * language). cb is called once per row; a non-zero return stops the
 * listing and is returned.
 */
enum hubdb_listing {
	HUBDB_LIST_DEVICES = 1,
	HUBDB_LIST_CONFLICTS,
	HUBDB_LIST_QUARANTINE,
	HUBDB_LIST_FORMS,
	HUBDB_LIST_TOKENS,
	HUBDB_LIST_QUARANTINE_FULL,     /* devices whose quarantine dropped sets */
	HUBDB_LIST_SCHOOLS,             /* the register with active devices and live records */
	HUBDB_LIST_PROGRAMMES,          /* a school's programmes in a year, codes comma-listed */
	HUBDB_LIST_USERS,               /* the dashboard's accounts (hub/hubdb_web.h) */
	HUBDB_LIST_AUDIT,               /* the dashboard's audit log, the newest first */
};
enum hubdb_col_type {
	HUBDB_COL_NULL = 0,             /* none (SQL NULL), whatever the column's type */
	HUBDB_COL_INT,                  /* i */
	HUBDB_COL_BOOL,                 /* i: 0 or 1 */
	HUBDB_COL_TEXT,                 /* s; times are ISO 8601 UTC text */
	HUBDB_COL_LIST,                 /* s: comma list without spaces (school codes, programmes) */
};
struct hubdb_col {
	const char *key;                /* "watermark" */
	const char *header;             /* «Последний набор» */
	enum hubdb_col_type type;       /* of this value: HUBDB_COL_NULL for none */
	long long i;
	const char *s;                  /* valid during the callback only */
};
typedef int (*hubdb_row_cb)(void *ctx, size_t ncols, const struct hubdb_col *cols);
int hubdb_list(struct hubdb *db, enum hubdb_listing what, hubdb_row_cb cb,
    void *ctx, struct terr *e);
/* The Russian word for a stored code of column key (a device's kind "curator":
 * «куратор»), or code itself when it has none. */
const char *hubdb_list_word(const char *key, const char *code);
/* The columns of a listing (key, header, declared type; no value), at most
 * cap: a listing with no row still has its header. Returns how many. */
size_t hubdb_list_cols(enum hubdb_listing what, struct hubdb_col *cols, size_t cap);
/* The column named key in a row, NULL when the row has none. */
const struct hubdb_col *hubdb_col_find(size_t ncols, const struct hubdb_col *cols,
    const char *key);

/* ------------------------------------------------------------------ */
/* The feed: what devices pull back (hubdb_feed.c)                      */

/*
 * Every write of a record (hubdb_record_put, _add, _import), every school
 * added or renamed (hubdb_school_put) and every change of a school's risk
 * profile (hubdb_profile_put, _clear) takes the next feed position: one
 * strictly increasing counter per hub, taken inside the writer's
 * transaction (a write outside one is made its own), so positions commit
 * in order and a reader that sees position P sees every write below P.
 * A record keeps only its latest position. Positions may have gaps (a
 * transaction rolled back, a record add that found the record stored).
 * Only records of the forms the hub says are shared (hubdb_feed_forms)
 * take a position; a record of another form is written without one (and
 * loses the one it had), at the cost of a write before two-way sync. A
 * handle never told gives every record a position.
 */
enum hubdb_feed_kind {
	HUBDB_FEED_RECORD = 1,
	HUBDB_FEED_PROFILE,               /* a school's issued risk profile, all years */
	HUBDB_FEED_SCHOOL,                /* a register entry (code, name) */
};

struct hubdb_feed_item {
	enum hubdb_feed_kind kind;
	uint64_t pos;
	const char *school;               /* the record's, the profile's, the entry's code */
	/* HUBDB_FEED_RECORD */
	const uint8_t *id;                /* 16 bytes */
	const char *form_id;
	uint32_t form_version;
	bool deleted;
	const char *data, *clocks;        /* stored JSON text, data_len, clocks_len bytes */
	size_t data_len, clocks_len;
	/* HUBDB_FEED_PROFILE: {"<year>":{"<factor>":"<level>",…},…} */
	const char *years;
	/* HUBDB_FEED_SCHOOL */
	const char *name;
};
typedef int (*hubdb_feed_cb)(void *ctx, const struct hubdb_feed_item *it);

/*
 * A device's scope: the records of (school, form) for every school of
 * schools and form of forms, and the profiles and register entries (with
 * a name) of every school of schools.
 */
struct hubdb_feed_scope {
	const char *const *schools;
	size_t nschools;
	const char *const *forms;
	size_t nforms;
};

/*
 * The form ids whose records pulls carry (the forms with a non-empty share
 * rule, as the hub's loaded forms say), sorted or not, n of them; tag is
 * the caller's name for this set (hubdb_feed_forms_tag; not 0). Records of
 * these forms that have no position yet (written while their form was
 * shared with nobody, or before schema 4 numbered nothing) get positions,
 * by arrival, in one write transaction (the caller's, or its own): a form
 * that becomes shared reaches the devices whole. The set the store last
 * numbered is kept in it, so a hub that starts with the same set writes
 * nothing. A form that stops being shared keeps its positions: the scope
 * of a pull leaves it out.
 */
int hubdb_feed_forms(struct hubdb *db, const char *const *forms, size_t n, uint64_t tag,
    struct terr *e);
/*
 * Whether the caller's write transaction has read the store's list of forms
 * already (hubforms_feed_forms); marks it read. A version is published only
 * under the write lock, so the list cannot change while the transaction
 * holds it: once per transaction is enough. On PostgreSQL, hubdb_begin
 * reads the number of stored versions with the lock, and a transaction that
 * finds the number the handle's last reading of the list found counts as
 * having read it (versions are only added). Outside a transaction: false.
 */
bool hubdb_forms_seen(struct hubdb *db);
/* The tag of the set the handle goes by; 0 when never told, or when a
 * rollback may have undone its numbering (so the caller tells it again). */
uint64_t hubdb_feed_forms_tag(const struct hubdb *db);

/* The last position taken (0: none), as of the caller's transaction. */
int hubdb_feed_head(struct hubdb *db, uint64_t *head, struct terr *e);
/*
 * The items of scope with position > after, in position order, at most
 * max_items, each once (a record at its latest position). One ordered
 * range per (school, form), merged: the cost grows with the scope's ranges
 * and the items read, not with the store. Call it in a read transaction
 * (hubdb_begin_read) to see one snapshot; the callback's non-zero return
 * stops and is returned as is.
 */
int hubdb_feed_read(struct hubdb *db, const struct hubdb_feed_scope *scope,
    uint64_t after, size_t max_items, hubdb_feed_cb cb, void *ctx, struct terr *e);

/*
 * The device's box key (pull answers are sealed to it): registered at the
 * first sight (*registered true), accepted when equal, TERR_ARG when the
 * device has another one (a key is never replaced over the network).
 */
int hubdb_device_box(struct hubdb *db, const char *id,
    const uint8_t pk[KEYS_ENC_PK_BYTES], bool *registered, struct terr *e);
/* The position the device says it applied: the cursor moves forward only. */
int hubdb_device_pull_ack(struct hubdb *db, const char *id, uint64_t upto,
    struct terr *e);

/* ------------------------------------------------------------------ */
/* What the reports read and their own tables (hubdb_report.c)          */

#define HUBDB_REPORT_DATA_MAX (1u << 20)   /* a record's JSON; larger: skipped */

/*
 * A school code known to the reports: the register and imported results.
 * Every write of a record registers its school (ingest through
 * hubdb_school_put, hubdb_record_import itself), so no record is read to
 * list schools; another store must keep that rule.
 */
struct hubdb_report_school {
	const char *code;
	const char *name;                 /* NULL when the register has none */
};
typedef int (*hubdb_report_school_cb)(void *ctx, const struct hubdb_report_school *s);
/* Every distinct non-empty school code, by code. */
int hubdb_report_schools(struct hubdb *db, hubdb_report_school_cb cb, void *ctx,
    struct terr *e);

/* One live (not deleted) record for a report. */
struct hubdb_report_record {
	const char *school;
	const char *form_id;
	const char *hlc;                  /* "" when none */
	const char *received_date;        /* "YYYY-MM-DD" the hub received it, or "" */
	const char *data;                 /* the merged JSON object, data_len bytes */
	size_t data_len;
};
typedef int (*hubdb_report_record_cb)(void *ctx, const struct hubdb_report_record *r);
/*
 * Every live record of form_id (or of every form whose id starts with
 * form_id, when prefix), in HLC order, then id: a later edit comes after an
 * earlier one.
 */
int hubdb_report_records(struct hubdb *db, const char *form_id, bool prefix,
    hubdb_report_record_cb cb, void *ctx, struct terr *e);
/*
 * The live records of form_id whose school is school, in HLC order, then
 * id: what hubdb_report_records gives of that school. A form the store
 * numbered for the feed (hubdb_feed_forms: the shared ones) is read through
 * the feed's index by school, without the other schools' records; another
 * is read whole for it.
 */
int hubdb_report_school_records(struct hubdb *db, const char *form_id, const char *school,
    hubdb_report_record_cb cb, void *ctx, struct terr *e);

/* Imported results (tetrad-hub results import). */
struct hubdb_result {
	const char *school;
	int year;
	const char *indicator;            /* canonical code: vpr4_rus, ..., isbsh */
	double value;
};
typedef int (*hubdb_result_cb)(void *ctx, const struct hubdb_result *r);
enum hubdb_results_kind {
	HUBDB_RESULTS_ISBSH = 1,          /* indicators isbsh and isbsh_100, by year
	                                     (oldest first) */
	HUBDB_RESULTS_LOW,                /* every other indicator, by school, then
	                                     year (latest first) */
};
/* The results of years from_year … to_year (inclusive). */
int hubdb_results_each(struct hubdb *db, enum hubdb_results_kind kind,
    int from_year, int to_year, hubdb_result_cb cb, void *ctx, struct terr *e);
/* Stores one row, replacing the one with the same (school, year, indicator). */
int hubdb_result_put(struct hubdb *db, const struct hubdb_result *r, struct terr *e);
/* Removes the row (school, year, indicator), if there is one. */
int hubdb_result_del(struct hubdb *db, const char *school, int year,
    const char *indicator, struct terr *e);

/* Report settings as stored (the report module checks keys and values). */
typedef int (*hubdb_setting_cb)(void *ctx, const char *key, const char *value);
int hubdb_settings_each(struct hubdb *db, hubdb_setting_cb cb, void *ctx,
    struct terr *e);
/* Sets key to value; value NULL removes the key (its default applies). */
int hubdb_setting_put(struct hubdb *db, const char *key, const char *value,
    struct terr *e);

/* ------------------------------------------------------------------ */
/* Tallies: counters kept as records arrive (hubdb_tally.c)             */

/*
 * A tally row holds what the live records of one form at one school,
 * received on one day, contribute under one key: n contributions adding up
 * to total. What a key means is the hub's business (survey_facts.c); the
 * store only adds, sums and forgets, so another store needs one table and
 * plain upserts (and a second one of each key's days summed, which a
 * request for every day reads instead: SQLite's tally_all). Writers add in the transaction that writes the record, so
 * the counters always describe the live records. The adds of a transaction
 * may wait in the handle, summed per row, until hubdb_commit (or a
 * savepoint, a read of the tally) writes them; hubdb_rollback and
 * hubdb_savepoint_undo forget the ones made since the transaction or the
 * mark began. Outside a transaction an add is written at once.
 *
 * The day is the hub's day number (form_date_days) of the day the hub
 * received the record; HUBDB_TALLY_NODAY when it is not known (such a
 * record counts only when no period is asked for).
 */
#define HUBDB_TALLY_NODAY INT64_MIN

/* Adds dn and dsum to the row of the key (made if new); a row whose n
 * becomes 0 is removed. */
int hubdb_tally_add(struct hubdb *db, const char *form_id, const char *school,
    const char *key, int64_t day, long long dn, double dsum, struct terr *e);

struct hubdb_tally_row {
	const char *school;
	const char *form_id;
	const char *key;
	long long n;
	double total;
	int64_t day;                      /* hubdb_tally_key_sums: its window; else
	                                     HUBDB_TALLY_NODAY */
};
typedef int (*hubdb_tally_cb)(void *ctx, const struct hubdb_tally_row *r);
/*
 * The rows of the forms whose id starts with form_prefix (of one school,
 * or of all when school is NULL) summed over the days day_lo … day_hi, by
 * school, form and key (byte order); a key whose n sums to 0 is left out.
 */
int hubdb_tally_each(struct hubdb *db, const char *form_prefix, const char *school,
    int64_t day_lo, int64_t day_hi, hubdb_tally_cb cb, void *ctx, struct terr *e);
/*
 * One key of the forms whose id starts with form_prefix (of one school, or
 * of all when school is NULL) summed over each window of days lo[w] …
 * hi[w] (w < nwin), by school and form: a row for each (school, form) and
 * window with a day of non-zero n, row.day the window's lo[w], n and total
 * the sums (hubdb_tally_each's of the key over the window). Costs a seek
 * per (school, form) and window, not the whole table; with several windows
 * a (school, form) is read only in those its days reach.
 */
int hubdb_tally_key_sums(struct hubdb *db, const char *form_prefix, const char *school,
    const char *key, const int64_t *lo, const int64_t *hi, size_t nwin, hubdb_tally_cb cb,
    void *ctx, struct terr *e);

/*
 * hubdb_tally_key_sums started ahead: on PostgreSQL, inside a read
 * transaction (hubdb_begin_read), the sums are read on a connection of
 * their own, in a thread, at the snapshot of db's transaction, so the
 * server sums while the caller reads something else on db (the surveys
 * report's late windows, some 0.4 s of the server's at region scale,
 * beside its passports, as long of the caller's). hubdb_ahead_finish hands
 * the rows over as hubdb_tally_key_sums would, on the caller's thread;
 * where nothing could start (SQLite, no transaction, no connection to be
 * had) it reads them then, on db. The arguments are copied. *out is set
 * unless TERR_NOMEM; hubdb_ahead_free (NULL: nothing) waits for the
 * thread if it still runs. db must outlive it.
 */
struct hubdb_ahead;
int hubdb_tally_key_sums_ahead(struct hubdb *db, const char *form_prefix,
    const char *school, const char *key, const int64_t *lo, const int64_t *hi, size_t nwin,
    struct hubdb_ahead **out, struct terr *e);
int hubdb_ahead_finish(struct hubdb_ahead *a, hubdb_tally_cb cb, void *ctx, struct terr *e);
/* Waits for the rows read ahead: whether they were read on a connection of
 * their own (false: hubdb_ahead_finish reads them on the handle). */
bool hubdb_ahead_apart(struct hubdb_ahead *a);
void hubdb_ahead_free(struct hubdb_ahead *a);

/*
 * Whether the tally of the forms starting with form_prefix must be built
 * from the records: a store migrated from a schema without tallies is
 * marked so (and an empty one is not).
 */
int hubdb_tally_stale(struct hubdb *db, const char *form_prefix, bool *stale,
    struct terr *e);
/* Removes the tally rows of form_prefix and its mark: a rebuild starts here,
 * in the caller's transaction. */
int hubdb_tally_reset(struct hubdb *db, const char *form_prefix, struct terr *e);

/* One live record for a rebuild: what a report record has, plus its id. */
struct hubdb_tally_record {
	const uint8_t *id;                /* 16 bytes */
	const char *school;
	const char *form_id;
	const char *hlc;                  /* "" when none */
	const char *received_at;          /* "" when none */
	const char *data;                 /* data_len bytes */
	size_t data_len;
};
typedef int (*hubdb_tally_record_cb)(void *ctx, const struct hubdb_tally_record *r);
/* Every live record whose form id starts with form_prefix, by form, school
 * and id (a rebuild sums a school's records before it writes). The callback
 * may call hubdb_tally_add. */
int hubdb_tally_records(struct hubdb *db, const char *form_prefix,
    hubdb_tally_record_cb cb, void *ctx, struct terr *e);
/* When the hub first received record id (a put keeps it); "" when it has
 * none stored; *found false when there is no such record. */
int hubdb_record_received(struct hubdb *db, const uint8_t id[16],
    char out[HUBDB_TIME_MAX], bool *found, struct terr *e);

/* ------------------------------------------------------------------ */
/* For tests only: never called by program code                         */

/*
 * The first column of the first row of a read-only query, as text (*out
 * malloc'd; NULL when there is no row or the value is NULL). The query is
 * the store's own dialect: a test of another implementation brings its own.
 */
int hubdb_test_query(struct hubdb *db, const char *sql, char **out, struct terr *e);
/*
 * Lets the store grow by at most extra_pages pages from now (a full disk,
 * for tests); a negative extra_pages lifts the cap.
 */
int hubdb_test_cap_growth(struct hubdb *db, long long extra_pages, struct terr *e);
/*
 * The query plans of the feed's reads of records (SQLite's EXPLAIN QUERY
 * PLAN details, "; " between steps, "|" after each statement), into out.
 */
int hubdb_test_feed_plans(struct hubdb *db, char *out, size_t cap, struct terr *e);

/* Current time as ISO-8601 UTC ("2026-11-23T03:18:03Z"). */
void hubdb_now_iso(char out[HUBDB_TIME_MAX]);
/* src into dst of cap bytes, cut to fit (ids and clocks always fit). */
void hubdb_copy(char *dst, size_t cap, const char *src);

#endif
