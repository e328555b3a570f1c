/*
 * localdb — the device's SQLite database as a contract between the client
 * (`tetrad`, which creates it and writes records) and tetrad-syncd (which
 * reads the outbox and writes batches and outbox states).
 *
 * One place owns the schema (DDL, version, migrations from every older
 * version), the open with its pragmas, the version check, and every
 * statement on the shared tables (meta, outbox, batches). Neither program
 * types SQL for those tables; the client's record-level statements sit on
 * localdb_prepare() so they share the handle's statement cache.
 *
 * Versions: a database newer than LOCALDB_SCHEMA_VERSION is refused before
 * anything is written to it (TERR_VERSION, "обновите …"); an older one is
 * migrated in one IMMEDIATE transaction by whichever program opens it first.
 */
#ifndef TETRAD_LOCALDB_H
#define TETRAD_LOCALDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tetrad/terr.h"

/* Schema version written to PRAGMA user_version by the newest migration. */
#define LOCALDB_SCHEMA_VERSION 9

/* A missing or uninitialised database. */
#define LOCALDB_NOTFOUND TERR_NOTFOUND

#define LOCALDB_PATH_MAX 4096
#define LOCALDB_HASH_BYTES 32       /* a change set's hash (CHANGESET_HASH_BYTES) */
#define LOCALDB_ID_BYTES 16         /* a record id (UUID7_BYTES) */
#define LOCALDB_HLC_LEN 34          /* an HLC's text (HLC_STRLEN) */
#define LOCALDB_DEVICE_HEX 16       /* a device id's text (meta device_id) */
/* meta key of the issued risk profile, JSON {school: {year: {factor: level}}},
 * written by `tetrad profile import` and by syncd's pull (client/riskprof.h) */
#define LOCALDB_META_RISK_PROFILE "risk_profile"
#define LOCALDB_META_RISK_PROFILE_MAX (1u << 20)  /* its JSON: a device's schools, not a region */

/* localdb_open flags */
#define LOCALDB_CREATE 0x1   /* create the file and the schema if missing */
#define LOCALDB_SYNCD  0x2   /* syncd's connection: small page cache, temp in
                              * memory; messages name tetrad-syncd */
#define LOCALDB_SYNCD_CACHE_KIB 512L  /* that cache between transactions */

struct localdb;

/*
 * The database path both programs use: opt (--db) when given, else
 * $TETRAD_DB, else $XDG_DATA_HOME/tetrad/tetrad.db, else
 * ~/.local/share/tetrad/tetrad.db. TERR_ARG when none can be formed,
 * TERR_TOO_LARGE when it does not fit size.
 */
int localdb_path(const char *opt, char *buf, size_t size);

/*
 * The shared school-PC set-up (docs/operations.md, "One database for
 * several people"): true when the folder holding the database at path is
 * a group's shared folder — setgid, and its group may read, write and enter
 * it (install -d -m 2770 -g tetrad). There the database, its -wal and -shm
 * and syncd's lock are 0660 (the group's members and the service share
 * them) and the forms syncd pulls 0640; keys and exports stay 0600. In any
 * other folder every one of those files is 0600 and nothing is widened.
 */
bool localdb_shared(const char *path);
/* The mode of the database and its companions at path: 0660 in a shared
 * folder (localdb_shared), else 0600. */
unsigned localdb_file_mode(const char *path);

/*
 * Opens the database at path. With LOCALDB_CREATE a missing file is created
 * (localdb_file_mode: 0600, or 0660 in a shared folder) and the schema set
 * up; without, a missing or uninitialised
 * database is LOCALDB_NOTFOUND. A newer schema is TERR_VERSION and the file
 * is left as it was; an older one is migrated. Sets foreign keys, busy
 * timeout, WAL and synchronous=FULL (a commit is durable when it returns).
 */
int localdb_open(const char *path, unsigned flags, struct localdb **out,
    struct terr *e);
void localdb_close(struct localdb *db);
const char *localdb_file(const struct localdb *db);

/* The raw handle: tests, and the client's record statements. */
sqlite3 *localdb_sqlite(struct localdb *db);

/* Migrates a raw handle from its user_version to LOCALDB_SCHEMA_VERSION. */
int localdb_migrate(sqlite3 *raw, const char *path, struct terr *e);

/*
 * A statement prepared once per handle, keyed by the address of the SQL
 * literal (pass string literals only); localdb_done resets it. Statements
 * beyond the cache are finalized by localdb_done.
 */
int localdb_prepare(struct localdb *db, const char *sql, sqlite3_stmt **out);
void localdb_done(struct localdb *db, sqlite3_stmt *st);

/* Maps an SQLite result to TERR_IO with a Russian message about `what`
 * naming the cause (disk full, read-only, busy, damaged file …). */
int localdb_sqlerr(struct localdb *db, int rc, const char *what, struct terr *e);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (rollback never fails visibly). */
int localdb_begin(struct localdb *db, struct terr *e);
int localdb_commit(struct localdb *db, struct terr *e);
void localdb_rollback(struct localdb *db);
bool localdb_in_tx(struct localdb *db);

/* 1 when the database is in WAL mode, where synchronous=NORMAL may lose the
 * last commits to a power cut but never damages the database. */
int localdb_wal(struct localdb *db);
/* synchronous=FULL (durable) or NORMAL (commit not waited onto the disk). */
int localdb_durable(struct localdb *db, bool full, struct terr *e);
/*
 * The page cache of this connection, in KiB (PRAGMA cache_size=-kib). Making
 * it smaller frees the pages above the new size at once, so a caller can
 * widen it for one transaction and give the memory back after it.
 */
int localdb_cache_kib(struct localdb *db, long kib, struct terr *e);
/* Test hook: cap the database at n pages ("disk full" without root). */
int localdb_limit_pages(struct localdb *db, long n, struct terr *e);

/* Current UTC time as "2026-11-23T03:04:05Z" (the stored time format). */
void localdb_now_iso(char out[32]);

/* ---- meta ---------------------------------------------------------- */

/* *out a malloc'd copy of the value, or NULL when the key is absent. */
int localdb_meta_get(struct localdb *db, const char *key, char **out,
    struct terr *e);
/* Copies the value into out (cap bytes with the NUL): 1 found, 0 absent
 * (out = ""), negative on error (TERR_TOO_LARGE when it does not fit). */
int localdb_meta_copy(struct localdb *db, const char *key, char *out,
    size_t cap, struct terr *e);
int localdb_meta_set(struct localdb *db, const char *key, const char *value,
    struct terr *e);

/* ---- device identity and clock ------------------------------------- */

/* This device's id (meta device_id, 16 lowercase hex digits): TERR_ARG
 * («выполните tetrad init») when the database has none. */
int localdb_device_id(struct localdb *db, char out[LOCALDB_DEVICE_HEX + 1],
    struct terr *e);

/* The next HLC of this device (meta device_id, hlc_last), persisted in
 * meta. Must be called inside a transaction. */
int localdb_hlc_next(struct localdb *db, char out[LOCALDB_HLC_LEN + 1],
    struct terr *e);

/*
 * hlc.h's receive rule for a clock seen in pulled data: hlc_last becomes
 * max(hlc_last, recv, now) (hlc_update), so every HLC this device issues
 * afterwards is greater than recv — an edit made after seeing another
 * device's change wins over it. No "too far ahead" refusal: the hub already
 * accepted recv, and a device whose own clock is behind must still pass it.
 * TERR_CLOCK for a text that is not an HLC. Must be called inside a
 * transaction.
 */
int localdb_hlc_observe(struct localdb *db, const char *recv, struct terr *e);

/* ---- records (localdb_records.c) ----------------------------------- */

/*
 * One row of records. clocks is the record's clock document (recmerge.h:
 * {"f":{…},"p":[hlc,device],"x":[hlc,device,0|1]}) as JSON text, NULL when
 * none is stored: a draft (it never left the device), or a record written
 * before schema 7 (localdb_record_clocks gives its implicit document).
 */
struct localdb_record {
	uint8_t id[LOCALDB_ID_BYTES];
	char form_id[65];
	uint32_t form_version;
	char school[65];
	char status[8];                 /* draft, final, deleted */
	char created_hlc[LOCALDB_HLC_LEN + 1];
	char updated_hlc[LOCALDB_HLC_LEN + 1];
	char *data;                     /* JSON text, all fields incl. local (malloc'd) */
	char *clocks;                   /* JSON text or NULL (malloc'd) */
	/*
	 * The record's `local` values encrypted under the database's data key
	 * (client/vault.h; schema 8), NULL when none are sealed: no passphrase
	 * is set (the local values are then in data, as before schema 8), or
	 * the record has none. Opaque here: syncd carries it through a pull
	 * untouched, because pulled records never hold local values.
	 */
	uint8_t *sealed;                /* malloc'd, or NULL */
	size_t sealed_len;
};

/* *out malloc'd (localdb_record_free); LOCALDB_NOTFOUND ("Запись … не
 * найдена.") when there is no record id. */
int localdb_record_get(struct localdb *db, const uint8_t id[LOCALDB_ID_BYTES],
    struct localdb_record **out, struct terr *e);
/* 1 and *out when the record exists, 0 and *out NULL when not (no message). */
int localdb_record_find(struct localdb *db, const uint8_t id[LOCALDB_ID_BYTES],
    struct localdb_record **out, struct terr *e);
/* Inserts or replaces r (clocks NULL is stored as NULL). */
int localdb_record_put(struct localdb *db, const struct localdb_record *r,
    struct terr *e);
void localdb_record_free(struct localdb_record *r);

typedef int (*localdb_record_cb)(const struct localdb_record *r, void *arg);
/* Calls cb for every record (of form_id and of status when not NULL), by
 * id (oldest first). A non-zero return from cb stops and is returned. */
int localdb_record_each(struct localdb *db, const char *form_id,
    const char *status, localdb_record_cb cb, void *arg, struct terr *e);

/*
 * The clock document of r as malloc'd JSON text: r->clocks, or for a record
 * without one {"p":[updated_hlc,me],"x":[updated_hlc,me,0|1]} (1 when
 * deleted; me = localdb_device_id): everything on the device before schema
 * 7 was written by the device itself, as one whole put or a delete.
 */
int localdb_record_clocks(struct localdb *db, const struct localdb_record *r,
    char **out, struct terr *e);

/* *any: whether some record holds sealed values (index records_sealed:
 * one probe, whatever the number of records). */
int localdb_record_sealed_any(struct localdb *db, bool *any, struct terr *e);

/* ---- the record list (localdb_list.c) ------------------------------ */

/* Which records a list shows; NULL members do not filter. */
struct localdb_list_filter {
	const char *form_id;
	const char *status;             /* draft, final, deleted; NULL: all but deleted */
	const char *school;
	const char *from_hlc, *to_hlc;  /* created_hlc >= from, < to (HLC text
	                                 * or a prefix of one: wall ms in hex) */
	/* a record id or its beginning (hex, dashes ignored), or text found in
	 * the values the record keeps readable (records.data: never a sealed
	 * `local` value) */
	const char *search;
	int64_t limit, offset;          /* one page: limit > 0 */
};
/* One row of a list: what the table shows, never the values. state is the
 * outbox state of the record's newest change ("pending", "sent", "acked",
 * "quarantined"), "" when it has none (a draft). */
struct localdb_list_row {
	uint8_t id[LOCALDB_ID_BYTES];
	char form_id[65];
	uint32_t form_version;
	char school[65];
	char status[8];
	char created_hlc[LOCALDB_HLC_LEN + 1];
	char updated_hlc[LOCALDB_HLC_LEN + 1];
	char state[16];
};
typedef int (*localdb_list_cb)(const struct localdb_list_row *r, void *arg);
/*
 * The records matching f, newest created first, one page (limit, offset)
 * through cb; *total (may be NULL) how many match in all. Over the indexes
 * of schema 9: a page costs what it shows, not what the database holds
 * (a search in the values excepted: it reads the rows). A non-zero return
 * from cb stops and is returned.
 */
int localdb_record_list(struct localdb *db, const struct localdb_list_filter *f,
    int64_t *total, localdb_list_cb cb, void *arg, struct terr *e);

/* ---- conflicts: this device's values that lost to another's -------- */

struct localdb_conflict {
	int64_t id;                     /* set by the table; ignored by _add */
	uint8_t record_id[LOCALDB_ID_BYTES];
	const char *form_id, *school;   /* may be NULL */
	const char *field;              /* "" for existence (deleted vs changed) */
	const char *mine, *mine_hlc;    /* my value as JSON text; NULL: no answer */
	const char *theirs, *theirs_hlc, *theirs_device;   /* the winner */
	const char *at;                 /* when it was logged (UTC, stored
	                                 * format); NULL in _add: now */
};
/* Logs one lost value. Inside the caller's transaction (the pull's). */
int localdb_conflict_add(struct localdb *db, const struct localdb_conflict *c,
    struct terr *e);
typedef int (*localdb_conflict_cb)(const struct localdb_conflict *c, void *arg);
/* Calls cb for each logged conflict, oldest first; pointers valid during
 * the call. A non-zero return from cb stops and is returned. */
int localdb_conflict_each(struct localdb *db, localdb_conflict_cb cb, void *arg,
    struct terr *e);
int localdb_conflict_count(struct localdb *db, int64_t *n, struct terr *e);
/* Removes the conflicts with id <= upto_id (all when upto_id is 0): those a
 * person has seen; *n (may be NULL) counts them. */
int localdb_conflict_clear(struct localdb *db, int64_t upto_id, int64_t *n,
    struct terr *e);

/* ---- pull state (meta) --------------------------------------------- */

/* The feed position this device has applied up to (meta pull_after; 0
 * before the first pull). TERR_PARSE when the stored value is damaged. */
int localdb_pull_after(struct localdb *db, uint64_t *after, struct terr *e);
/* Sets it; inside the transaction that applies the batch. */
int localdb_pull_after_set(struct localdb *db, uint64_t after, struct terr *e);

/*
 * The school register as the hub sent it (meta school_names, a JSON object
 * code → name). localdb_school_name: 1 and the name in out (cut to cap),
 * 0 and out "" when unknown. localdb_school_name_set adds or replaces one
 * entry (inside the caller's transaction when there is one).
 */
int localdb_school_name(struct localdb *db, const char *code, char *out,
    size_t cap, struct terr *e);
int localdb_school_name_set(struct localdb *db, const char *code,
    const char *name, struct terr *e);

/* ---- outbox -------------------------------------------------------- */

/* One outbox entry. Pointers are valid only during the call they are
 * given to (a callback) or for the call they are passed in. */
struct localdb_entry {
	uint64_t seq;
	const uint8_t *record_id;
	size_t record_id_len;
	const char *op;                 /* "put" | "edit" | "delete" */
	const char *form_id;
	int64_t form_version;
	const char *school;
	const char *hlc;
	const char *fields;             /* JSON text (an edit: only the changed
	                                 * fields), NULL for a delete */
	size_t fields_len;
};

/*
 * Appends an entry with the next sequence number (meta next_seq, never
 * below MAX(seq) + 1; en->seq is ignored) as 'pending'. Must be called
 * inside a transaction.
 */
int localdb_outbox_append(struct localdb *db, const struct localdb_entry *en,
    int64_t *seq, struct terr *e);

/*
 * Calls cb for at most limit pending entries not yet in a batch, in seq
 * order, streaming (one row in memory). cb returns 0 to go on, 1 to stop,
 * negative to fail (returned).
 */
typedef int (*localdb_entry_cb)(const struct localdb_entry *en, void *arg);
int localdb_outbox_pending(struct localdb *db, size_t limit, localdb_entry_cb cb,
    void *arg, struct terr *e);

struct localdb_counts {
	int64_t pending, sent, acked, quarantined;   /* outbox entries */
	int64_t drafts, finals, deleted;             /* records (with_records) */
};
int localdb_counts(struct localdb *db, bool with_records,
    struct localdb_counts *c, struct terr *e);

/* 1 when a batch waits for an answer or entries wait for a batch. */
int localdb_has_work(struct localdb *db, struct terr *e);

/*
 * The reasons the hub gave for quarantined entries, most frequent first:
 * cb(reason, count, arg) once per reason ("" when none was given). A
 * non-zero return from cb stops and is returned.
 */
typedef int (*localdb_reason_cb)(const char *reason, int64_t count, void *arg);
int localdb_quarantine_reasons(struct localdb *db, localdb_reason_cb cb, void *arg,
    struct terr *e);

/*
 * One quarantined entry, for lists (`tetrad status`) and retries. Pointers
 * are valid during the callback only.
 */
struct localdb_quarantined {
	uint64_t seq;
	const uint8_t *record_id;
	size_t record_id_len;
	const char *op, *form_id, *school, *hlc;
	int64_t form_version;
	const char *reason;             /* the hub's words; "" when none */
	const char *retry;              /* "forms", "clock" or "" (localdb_batch) */
	const char *at;                 /* when the answer came (UTC, stored format) or "" */
	int64_t batch_id;
};
typedef int (*localdb_quarantined_cb)(const struct localdb_quarantined *q, void *arg);

/*
 * Calls cb for each quarantined entry, in seq order: of batch batch_id, or
 * of all when batch_id is 0. A non-zero return from cb stops and is
 * returned.
 */
int localdb_quarantined_each(struct localdb *db, int64_t batch_id,
    localdb_quarantined_cb cb, void *arg, struct terr *e);

/*
 * Calls cb(batch_id, retry, arg) for each quarantined batch whose entries
 * the hub said may go again ("forms", "clock"), until they are requeued.
 */
typedef int (*localdb_retry_cb)(int64_t batch_id, const char *retry, void *arg);
int localdb_retry_batches(struct localdb *db, localdb_retry_cb cb, void *arg,
    struct terr *e);

/*
 * Sends quarantined entries again: each becomes a new pending entry (the
 * next sequence number; the same record, op, form, school, HLC and fields,
 * so a newer change of the record still wins on the hub) and the old row
 * leaves the outbox; its batch stays quarantined, envelope and reason kept,
 * for the record. Those of batch batch_id, or all when 0; with
 * retryable_only, only entries of batches with a retry class. *moved (may
 * be NULL) counts them. One transaction of its own.
 */
int localdb_requeue(struct localdb *db, int64_t batch_id, bool retryable_only,
    int64_t *moved, struct terr *e);

/*
 * localdb_requeue of batch batch_id (every class) except the entries of
 * record record_id: the hub refuses a set whole, so when it refused one
 * record's content the others go again as they are, while that record's
 * stay quarantined until its correction supersedes them.
 */
int localdb_requeue_others(struct localdb *db, int64_t batch_id,
    const uint8_t record_id[LOCALDB_ID_BYTES], int64_t *moved, struct terr *e);

/*
 * The quarantined entries of record record_id are superseded by a newer
 * change carrying the record whole (a corrected record, client/rec.c):
 * they leave the outbox and are never sent again, while their batch stays
 * quarantined with its envelope and the hub's reason (batches.reason), for
 * the record. *superseded counts them. Must be called inside a transaction.
 */
int localdb_quarantine_supersede(struct localdb *db,
    const uint8_t record_id[LOCALDB_ID_BYTES], int64_t *superseded, struct terr *e);

/* ---- batches ------------------------------------------------------- */

struct localdb_batch {
	int64_t id;
	uint64_t first_seq, last_seq;
	uint8_t prev_hash[LOCALDB_HASH_BYTES];
	uint8_t set_hash[LOCALDB_HASH_BYTES];
	uint8_t *envelope;              /* malloc'd by localdb_batch_next */
	size_t len;
	char state[16];
	/* quarantine only: the hub's retry class (wire.h wire_retry_name:
	 * "forms", "clock"), "" when a person must correct the records */
	char retry[16];
};

/*
 * Stores a sealed batch (state 'sent' with sending) and assigns its n_ops
 * pending entries first_seq..last_seq to it; b->id is set. Must be called
 * inside a transaction. TERR_INTERNAL when the entries changed meanwhile.
 */
int localdb_batch_insert(struct localdb *db, struct localdb_batch *b,
    int sending, size_t n_ops, struct terr *e);

/* The unanswered (sealed, sent) batch with the lowest first_seq above
 * after_seq: 1 found (b filled, envelope ≤ max_len bytes), 0 none. */
int localdb_batch_next(struct localdb *db, uint64_t after_seq, size_t max_len,
    struct localdb_batch *b, struct terr *e);

enum localdb_batch_state {
	LOCALDB_BATCH_SENT, LOCALDB_BATCH_ACKED, LOCALDB_BATCH_QUARANTINED,
};
/*
 * Moves a batch and its entries to state, in one transaction of its own:
 * sent (only from sealed), acked with the hub's signed ack, quarantined with
 * reason, ack and b->retry.
 */
int localdb_batch_set_state(struct localdb *db, const struct localdb_batch *b,
    enum localdb_batch_state state, const char *reason, const uint8_t *ack,
    size_t ack_len, struct terr *e);

/* For the gap rewind, inside a transaction. */
/* set_hash of the latest batch ending at seq: 1 found, 0 not. */
int localdb_batch_hash_ending(struct localdb *db, uint64_t seq,
    uint8_t out[LOCALDB_HASH_BYTES], struct terr *e);
/* 1 when a batch (not quarantined) starts at seq chained to prev_hash. */
int localdb_batch_starts(struct localdb *db, uint64_t seq,
    const uint8_t prev_hash[LOCALDB_HASH_BYTES], struct terr *e);
/* Batches from seq on become sealed again, their entries pending. */
int localdb_batch_reopen(struct localdb *db, uint64_t seq, struct terr *e);
/* Batches reaching seq are dissolved: entries before seq acked, the rest
 * pending outside any batch; a batch straddling seq is kept as acked. */
int localdb_batch_dissolve(struct localdb *db, uint64_t seq, struct terr *e);

#endif
