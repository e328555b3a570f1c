/*
 * store — the client's side of the device database: records, the
 * transactional outbox, and meta (identity and settings). The schema, its
 * migrations, the open and the statements syncd shares live in localdb
 * (tetrad/localdb.h); store adds the record-level logic.
 *
 * Every change of a final record and its outbox row are written inside one
 * store_begin()/store_commit() pair, so a crash at any instant leaves either
 * both or neither.
 */
#ifndef TETRAD_CLIENT_STORE_H
#define TETRAD_CLIENT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tetrad/hlc.h"
#include "tetrad/localdb.h"
#include "tetrad/terr.h"
#include "tetrad/uuid7.h"

/* Schema version written to PRAGMA user_version by the newest migration. */
#define STORE_SCHEMA_VERSION LOCALDB_SCHEMA_VERSION

/* Client-level codes beyond terr.h (terr has no "not found"). */
#define STORE_NOTFOUND LOCALDB_NOTFOUND
/* Codes of SQLite failures: TERR_IO with a Russian message. */

struct store;

/* A record is localdb's row (struct localdb_record, tetrad/localdb.h):
 * the statements on records are shared with syncd, which applies pulled
 * records. */
_Static_assert(LOCALDB_ID_BYTES == UUID7_BYTES, "a record id is a UUIDv7");
_Static_assert(LOCALDB_HLC_LEN == HLC_STRLEN, "an HLC's text");

struct store_counts {
	int64_t pending, sent, acked, quarantined;
	int64_t drafts, finals, deleted;
};

/*
 * Opens the database at path. With create, a missing file is created and
 * the schema set up; without, a missing or uninitialised database is
 * STORE_NOTFOUND; a newer schema is TERR_VERSION and the file is left
 * untouched. Applies pending migrations. Sets WAL, foreign keys, busy
 * timeout and synchronous=FULL (a commit is durable when it returns).
 */
int store_open(const char *path, bool create, struct store **out, struct terr *e);
void store_close(struct store *s);

sqlite3 *store_db(struct store *s);
/* The shared database handle under the store (localdb's statements). */
struct localdb *store_localdb(struct store *s);
const char *store_path(const struct store *s);

/* Test hook: cap the database at n pages so "disk full" can be produced
 * without root (docs/client.md, TETRAD_TEST_MAX_PAGES). */
int store_limit_pages(struct store *s, long n, struct terr *e);

/* Migrates an open handle from its user_version to STORE_SCHEMA_VERSION. */
int store_migrate(sqlite3 *db, const char *path, struct terr *e);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (rollback never fails visibly). */
int store_begin(struct store *s, struct terr *e);
int store_commit(struct store *s, struct terr *e);
void store_rollback(struct store *s);

/* *out is a malloc'd copy of the value, or NULL when the key is absent. */
int store_meta_get(struct store *s, const char *key, char **out, struct terr *e);
int store_meta_set(struct store *s, const char *key, const char *value,
    struct terr *e);

int store_record_get(struct store *s, const uint8_t id[UUID7_BYTES],
    struct localdb_record **out, struct terr *e);
/* Finds a record by its id text or an unambiguous prefix of it (>= 8 hex
 * digits, dashes optional). STORE_NOTFOUND, or TERR_ARG if ambiguous. */
int store_record_resolve(struct store *s, const char *text,
    uint8_t id[UUID7_BYTES], struct terr *e);
/* Inserts or replaces r. */
int store_record_put(struct store *s, const struct localdb_record *r,
    struct terr *e);
void store_record_free(struct localdb_record *r);

typedef localdb_record_cb store_record_cb;
/* Calls cb for every record (optionally of form_id and status), oldest
 * first. A non-zero return from cb stops and is returned. */
int store_record_each(struct store *s, const char *form_id, const char *status,
    store_record_cb cb, void *arg, struct terr *e);

/*
 * Appends one outbox row with the next contiguous sequence number. Must be
 * called inside a transaction. fields may be NULL (delete).
 */
int store_outbox_append(struct store *s, const uint8_t id[UUID7_BYTES],
    const char *op, const char *form_id, uint32_t form_version,
    const char *school, const char *hlc, const char *fields, int64_t *seq,
    struct terr *e);

/* Next HLC of this device (meta device_id, hlc_last), persisted in meta.
 * Must be called inside a transaction (localdb_hlc_next). */
int store_hlc_next(struct store *s, char out[HLC_STRLEN + 1], struct terr *e);

int store_counts(struct store *s, struct store_counts *c, struct terr *e);

/* Maps an SQLite result to TERR_IO with a Russian message about `what`. */
int store_sqlerr(struct store *s, int rc, const char *what, struct terr *e);

#endif
