/*
 * dbpool — the HTTPS server's store handles: a small pool that request
 * workers borrow a handle from (one SQLite connection each, opened on
 * demand up to a cap), and the checkpointer, a thread of its own that
 * copies the write-ahead log back into the database once a commit reports
 * it grown, so no request waits for a checkpoint.
 */
#ifndef TETRAD_HUB_DBPOOL_H
#define TETRAD_HUB_DBPOOL_H

#include <stddef.h>

#include "hub/hubdb.h"
#include "hub/server.h"

#define DBPOOL_MAX 128
#define DBPOOL_CKPT_PAGES 1000   /* SQLite's own autocheckpoint threshold */

struct dbpool;

/*
 * Opens the checkpointer's handle on db_path and starts its thread; request
 * handles open later, at most cap of them (≤ DBPOOL_MAX). log (may be NULL)
 * receives a checkpoint's failure (SERVER_LOG_ERR: the store's own trouble).
 */
int dbpool_open(const char *db_path, size_t cap, server_log_fn log, void *log_ctx, struct dbpool **out, struct terr *e);

/* Borrows a handle: an idle one, a new one under the cap, or waits for one. */
struct hubdb *dbpool_get(struct dbpool *p, struct terr *e);

/* Gives a borrowed handle back (NULL is ignored). */
void dbpool_put(struct dbpool *p, struct hubdb *db);

/*
 * Closes the idle handles (every handle must be back), stops the
 * checkpointer (its closing handle checkpoints what is left) and frees p.
 * Accepts NULL.
 */
void dbpool_close(struct dbpool *p);

#endif
