/*
 * hubdb — the hub's store: devices, tokens, schools, change sets, records,
 * field clocks, conflicts, quarantine and published forms.
 *
 * Ingest, merge and the CLI speak only this interface, so a PostgreSQL
 * implementation (libpq) can replace hubdb.c without touching them. The
 * SQLite implementation keeps one connection per handle: a handle is used by
 * one thread at a time (the server keeps a pool of them). Writes go through
 * hubdb_begin (BEGIN IMMEDIATE) … hubdb_commit: a whole change set is applied
 * or nothing is.
 *
 * Errors are TERR_IO with the SQLite message, except a full disk
 * (TERR_FULL) and a database locked past the busy timeout
 * (TERR_BUSY), which the server answers with 503 and Retry-After.
 */
#ifndef TETRAD_HUB_HUBDB_H
#define TETRAD_HUB_HUBDB_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tetrad/changeset.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"


#define HUBDB_SCHEMA_VERSION 2
/*
 * Page size of a new hub database (an existing one keeps its own). A
 * record's row is some 500 bytes in a table keyed by its id, so a 4 KiB
 * page holds seven and splits often; with 16 KiB pages ingest measured
 * ~10% faster (docs/performance.md).
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

struct hubdb_conflict {
	const uint8_t *record_id;
	const char *form_id, *school, *field;
	const char *loser_value, *loser_hlc, *loser_device;
	const char *winner_value, *winner_hlc, *winner_device;
};

/* Opens (creating if needed) the database at path and brings its schema up
 * to date. *out is NULL on failure. */
int hubdb_open(const char *path, struct hubdb **out, struct terr *e);
void hubdb_close(struct hubdb *db);

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
/* The SQLite connection, for the reports module (SQLite only). */
sqlite3 *hubdb_sqlite(struct hubdb *db);

int hubdb_begin(struct hubdb *db, struct terr *e);
int hubdb_commit(struct hubdb *db, struct terr *e);
void hubdb_rollback(struct hubdb *db);

/* Devices. *found says whether the device exists. */
int hubdb_device_get(struct hubdb *db, const char *id, struct hubdb_device *d,
    bool *found, struct terr *e);
int hubdb_device_add(struct hubdb *db, const struct hubdb_device *d, struct terr *e);
int hubdb_device_set_head(struct hubdb *db, const char *id, uint64_t watermark,
    const uint8_t hash[CHANGESET_HASH_BYTES], struct terr *e);
/* TERR_ARG if there is no such device. */
int hubdb_device_revoke(struct hubdb *db, const char *id, struct terr *e);

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

int hubdb_quarantine_add(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, const char *kind, const char *reason, const uint8_t *envelope,
    size_t envelope_len, struct terr *e);

/*
 * Records: get fills r (clear it with hubdb_record_clear), put upserts, add
 * inserts only a record not yet stored (*added says whether it did).
 */
int hubdb_record_get(struct hubdb *db, const uint8_t id[16], struct hubdb_record *r,
    bool *found, struct terr *e);
int hubdb_record_put(struct hubdb *db, const struct hubdb_record *r, struct terr *e);
int hubdb_record_add(struct hubdb *db, const struct hubdb_record *r, bool *added,
    struct terr *e);
int hubdb_conflict_add(struct hubdb *db, const struct hubdb_conflict *c, struct terr *e);

/* Published forms: the signed bundle of (id, version). */
int hubdb_form_put(struct hubdb *db, const char *id, uint32_t version,
    const char *sha256_hex, const uint8_t *bundle, size_t len, struct terr *e);
int hubdb_form_get(struct hubdb *db, const char *id, uint32_t version,
    struct tbuf *bundle, bool *found, struct terr *e);

/*
 * Listings for the CLI and the forms endpoint: cb is called once per row
 * with column names and text values (NULL for SQL NULL); a non-zero return
 * stops the listing.
 */
enum hubdb_listing {
	HUBDB_LIST_DEVICES = 1,
	HUBDB_LIST_CONFLICTS,
	HUBDB_LIST_QUARANTINE,
	HUBDB_LIST_FORMS,
	HUBDB_LIST_TOKENS,
};
typedef int (*hubdb_row_cb)(void *ctx, int ncols, const char *const *names,
    const char *const *values);
int hubdb_list(struct hubdb *db, enum hubdb_listing what, hubdb_row_cb cb,
    void *ctx, struct terr *e);

/* Current time as ISO-8601 UTC ("2026-11-23T03:18:03Z"). */
void hubdb_now_iso(char out[HUBDB_TIME_MAX]);
/* src into dst of cap bytes, cut to fit (ids and clocks always fit). */
void hubdb_copy(char *dst, size_t cap, const char *src);

#endif
