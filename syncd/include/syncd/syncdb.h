/*
 * syncdb — syncd's view of the client database: open it, read and write the
 * meta keys syncd owns, small helpers shared by push, enroll, pull and usb.
 *
 * syncd never creates the schema (the client does, `tetrad init`) and never
 * touches records: it reads the outbox and meta, and writes outbox state,
 * batches and its own meta keys.
 */
#ifndef TETRAD_SYNCD_SYNCDB_H
#define TETRAD_SYNCD_SYNCDB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tetrad/terr.h"

#define SYNCDB_META_MAX 4096  /* longest meta value syncd accepts */
#define SYNCDB_PATH_MAX 4096

/*
 * Opens the client database at path (must exist, user_version >= 1) with the
 * pragmas of the contract. TERR_ARG with a Russian message when the file is
 * missing or not initialised.
 */
int syncdb_open(const char *path, sqlite3 **out, struct terr *e);
void syncdb_close(sqlite3 *db);

/*
 * Copies meta value of key into out (cap bytes with the NUL). Returns 1 when
 * found, 0 when absent (out = ""), negative on error (TERR_TOO_LARGE if the
 * value does not fit).
 */
int syncdb_meta_get(sqlite3 *db, const char *key, char *out, size_t cap,
    struct terr *e);
int syncdb_meta_set(sqlite3 *db, const char *key, const char *value,
    struct terr *e);
/* Integer meta value, def when absent or not a number. */
int64_t syncdb_meta_int(sqlite3 *db, const char *key, int64_t def);

/* Runs one SQL statement without results; TERR_IO with sqlite's message. */
int syncdb_exec(sqlite3 *db, const char *sql, struct terr *e);
/* 1 if db is in WAL mode, where synchronous=NORMAL may lose the last commits
 * to a power cut but never damages the database; 0 otherwise. */
int syncdb_wal(sqlite3 *db);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (rollback never fails loudly). */
int syncdb_begin(sqlite3 *db, struct terr *e);
int syncdb_commit(sqlite3 *db, struct terr *e);
void syncdb_rollback(sqlite3 *db);

/* Current UTC time as ISO-8601 "2026-11-23T03:04:05Z" into out[32]. */
void syncdb_now_iso(char out[32]);

/* Sets e to TERR_IO naming what failed and sqlite's message; returns TERR_IO. */
int syncdb_err(sqlite3 *db, struct terr *e, const char *what);

#endif
