/*
 * syncdb — syncd's view of the client database: open it with syncd's
 * policy, read and write the meta keys syncd owns into fixed buffers, small
 * helpers shared by push, enroll, pull and usb. A thin adapter over localdb
 * (tetrad/localdb.h), which holds the schema and every statement.
 *
 * syncd never creates the schema (the client does, `tetrad init`), never
 * writes to a schema newer than it knows (refused with "обновите
 * tetrad-syncd"), and never touches records: it reads the outbox and meta,
 * and writes outbox state, batches and its own meta keys.
 */
#ifndef TETRAD_SYNCD_SYNCDB_H
#define TETRAD_SYNCD_SYNCDB_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/localdb.h"
#include "tetrad/terr.h"

#define SYNCDB_META_MAX 4096  /* longest meta value syncd accepts */
#define SYNCDB_PATH_MAX LOCALDB_PATH_MAX

/*
 * Opens the client database at path (must exist and be initialised; an
 * older schema is migrated, a newer one refused untouched: TERR_VERSION)
 * with syncd's pragmas. TERR_ARG with a Russian message when the file is
 * missing or not initialised.
 */
int syncdb_open(const char *path, struct localdb **out, struct terr *e);
void syncdb_close(struct localdb *db);

/*
 * Copies meta value of key into out (cap bytes with the NUL). Returns 1 when
 * found, 0 when absent (out = ""), negative on error (TERR_TOO_LARGE if the
 * value does not fit).
 */
int syncdb_meta_get(struct localdb *db, const char *key, char *out, size_t cap,
    struct terr *e);
int syncdb_meta_set(struct localdb *db, const char *key, const char *value,
    struct terr *e);
/* Integer meta value, def when absent or not a number. */
int64_t syncdb_meta_int(struct localdb *db, const char *key, int64_t def);

/* 1 if db is in WAL mode, where synchronous=NORMAL may lose the last commits
 * to a power cut but never damages the database; 0 otherwise. */
int syncdb_wal(struct localdb *db);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (rollback never fails loudly). */
int syncdb_begin(struct localdb *db, struct terr *e);
int syncdb_commit(struct localdb *db, struct terr *e);
void syncdb_rollback(struct localdb *db);

/* Current UTC time as ISO-8601 "2026-11-23T03:04:05Z" into out[32]. */
void syncdb_now_iso(char out[32]);

#endif
