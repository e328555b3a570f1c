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

#include "tetrad/form.h"
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
struct vault;

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
 *
 * Loads the vault (client/vault.h; meta "vault" damaged: TERR_PARSE and
 * nothing opened). When a passphrase is set and an earlier scrub could not
 * finish (meta vault_scrub, store_scrub), tries it again; its failure is
 * not the open's.
 */
int store_open(const char *path, bool create, struct store **out, struct terr *e);
/*
 * store_open of an existing database for `tetrad passphrase reset` and
 * `status` only: a damaged meta "vault" (which makes store_open fail, its
 * message naming `tetrad passphrase reset`) opens as a locked vault that
 * never unlocks (store_vault_damaged); passphrase_reset replaces it.
 */
int store_open_damaged(const char *path, struct store **out, struct terr *e);
bool store_vault_damaged(const struct store *s);
/* Closes the database; the vault's key is wiped. */
void store_close(struct store *s);

/*
 * The vault of this database: VAULT_NONE (no passphrase), VAULT_LOCKED or
 * VAULT_OPEN (vault_unlock on it). Owned by the store.
 */
struct vault *store_vault(struct store *s);
/* A passphrase is set and not unlocked in this process. */
bool store_locked(const struct store *s);
/* Reads the vault again from meta (after a rolled-back change of it):
 * the state in memory is what the file holds; an unlocked key is dropped. */
int store_vault_reload(struct store *s, struct terr *e);

/*
 * Removes what a change of the vault left of plaintext in the file: with
 * secure_delete on, VACUUM (free pages and old versions gone) and
 * wal_checkpoint(TRUNCATE) (old page images in the WAL gone). Outside a
 * transaction. *done false when another connection (syncd) kept it from
 * finishing: meta vault_scrub stays "1" and store_open tries again; true:
 * the flag is removed. Safe to repeat.
 */
#define STORE_META_SCRUB "vault_scrub"
int store_scrub(struct store *s, bool *done, struct terr *e);

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

/*
 * Reads a record. With the vault open, its sealed local values are opened
 * and grafted back into data (r->sealed NULL); locked, r->sealed stays
 * (non-NULL: the record has hidden values, which data lacks). A blob that
 * does not open under the open key (damaged, or moved from another record)
 * is not an error: the record comes back as a locked read gives it
 * (r->sealed kept, store_record_damaged true) and store_damaged counts it.
 * (localdb_record_get reads the row as it is.)
 */
int store_record_get(struct store *s, const uint8_t id[UUID7_BYTES],
    struct localdb_record **out, struct terr *e);
/* Finds a record by its id text or an unambiguous prefix of it (>= 8 hex
 * digits, dashes optional). STORE_NOTFOUND, or TERR_ARG if ambiguous. */
/* Reads (get or each) since store_open whose sealed values did not open
 * with the vault open: the caller warns that hidden fields are damaged. */
int64_t store_damaged(const struct store *s);
/* r, read by store_record_get / _each, kept sealed values the open vault
 * could not open: damaged. Writing local values over them is refused
 * (TERR_DECRYPT from store_record_put), a hub-only write keeps the blob. */
bool store_record_damaged(const struct store *s, const struct localdb_record *r);
int store_record_resolve(struct store *s, const char *text,
    uint8_t id[UUID7_BYTES], struct terr *e);
/*
 * Inserts or replaces r, a record of form f (its own version), whose data
 * holds all its values:
 *   no passphrase set: as given (sealed NULL: there is no key);
 *   vault open: data keeps the fields that may go to the hub, the local
 *     ones are sealed into records.sealed (NULL when there are none; a
 *     record read while locked, r->sealed set and no local value in data,
 *     keeps its sealed values; local values given for it are sealed over
 *     them);
 *   locked: local values in data are refused (TERR_PASSPHRASE «Хранилище
 *     закрыто паролем …»); without any, r->sealed is kept as it is (a
 *     delete, an edit of hub fields).
 * A form without local fields is written as given, without reading data.
 * f NULL (the record's form is unknown, or a delete): data and sealed are
 * written as they are — pass a row read with localdb_record_get, never one
 * store_record_get opened.
 */
int store_record_put(struct store *s, const struct localdb_record *r,
    const struct form *f, struct terr *e);
/*
 * What store_record_put would write for r, a record of f, in place: r->data
 * its hub part and r->sealed its sealed local values (vault open). 1 when r
 * held local values (sealed now), 0 when not or when nothing is to be done
 * (no passphrase, no local fields in f), negative as store_record_put.
 */
int store_record_seal(struct store *s, struct localdb_record *r,
    const struct form *f, struct terr *e);
void store_record_free(struct localdb_record *r);

typedef localdb_record_cb store_record_cb;
/* Calls cb for every record (optionally of form_id and status), oldest
 * first, each opened as store_record_get does (only records with sealed
 * values are decrypted; one that does not open is handed on sealed, as
 * store_record_get says). A non-zero return from cb stops and is returned. */
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
