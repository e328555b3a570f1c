/*
 * hubdb_sql — the one SQL interface the store's files (hubdb*.c) are
 * written against, with two engines behind it: SQLite (the default, a file
 * in the hub's folder) and PostgreSQL over libpq (a region's hub, several
 * hub processes on one database). Prefix hsql_.
 *
 * It is SQLite's own statement interface, narrowed to what the store uses,
 * so the store's code reads as before and SQLite pays one predictable
 * branch per call: prepare, bind, step, column, reset, finalize; result
 * codes with SQLite's values (HSQL_ROW, HSQL_DONE, HSQL_BUSY, ...). The
 * PostgreSQL engine (hubdb_sql_pg.c) gives the same behaviour:
 *
 *  - SQL text is written once, with SQLite's numbered parameters (?1, ?2);
 *    the engine turns them into $1, $2. Where the dialects differ the
 *    caller picks the text by hsql_kind (schemas, date functions, string
 *    aggregation); everything else is the SQL both accept.
 *  - A statement prepared with HSQL_PERSISTENT is prepared on the server
 *    once per connection (again after a reconnection); others are sent
 *    with their parameters each time (one round trip).
 *  - Rows: a statement's whole result is read at its first step, except a
 *    statement prepared with HSQL_SCAN inside a transaction, which reads
 *    through a cursor HSQL_SCAN_ROWS rows at a time (a report's scan of
 *    millions of records is never held in memory at once), the next batch
 *    asked for while the caller reads one (two held at most). Either way a
 *    second statement may run while the first one's rows are read, as in
 *    SQLite (a batch on its way is read first).
 *  - Values: integers, doubles, text, blobs (bytea) and NULL, read back as
 *    SQLite gives them (a boolean as 1 or 0, a NULL text as NULL).
 *  - Errors: a disk or quota full is HSQL_FULL; a serialization failure,
 *    deadlock, lock timeout or lost connection HSQL_BUSY (the caller
 *    answers 503 and the client retries); a constraint HSQL_CONSTRAINT;
 *    hsql_errmsg says the server's words. A connection lost inside a
 *    transaction leaves the transaction failed (every statement fails)
 *    until the caller's ROLLBACK; the next statement after it reconnects.
 *  - Transactions are the callers' BEGIN/COMMIT/ROLLBACK texts; the commit
 *    and rollback hooks (hsql_hooks) run as SQLite runs them.
 *
 * Bound text and blobs are borrowed (SQLite's SQLITE_STATIC) and must live
 * until the statement is reset; hsql_bind_text_copy copies.
 */
#ifndef TETRAD_HUB_HUBDB_SQL_H
#define TETRAD_HUB_HUBDB_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tetrad/terr.h"

/* Result codes: SQLite's values, so its engine passes them through. */
#define HSQL_OK SQLITE_OK
#define HSQL_ERROR SQLITE_ERROR
#define HSQL_BUSY SQLITE_BUSY
#define HSQL_LOCKED SQLITE_LOCKED
#define HSQL_NOMEM SQLITE_NOMEM
#define HSQL_IOERR SQLITE_IOERR
#define HSQL_FULL SQLITE_FULL
#define HSQL_CONSTRAINT SQLITE_CONSTRAINT
#define HSQL_ROW SQLITE_ROW
#define HSQL_DONE SQLITE_DONE
/* Column types (hsql_column_type). */
#define HSQL_INTEGER SQLITE_INTEGER
#define HSQL_FLOAT SQLITE_FLOAT
#define HSQL_TEXT SQLITE_TEXT
#define HSQL_BLOB SQLITE_BLOB
#define HSQL_NULL SQLITE_NULL

/* hsql_prepare's flags. */
#define HSQL_PERSISTENT 1u   /* kept for the handle's life: prepared on the server once */
#define HSQL_SCAN 2u         /* many rows: read through a cursor in a transaction */
#define HSQL_SCAN_ROWS 4096
/*
 * With HSQL_PERSISTENT: the caller reads neither rows nor hsql_changes of
 * this statement. On PostgreSQL, inside a transaction, it is sent without
 * waiting for its answer (libpq's pipeline) and answered with the next
 * statement that is waited for: an error it meets is that statement's
 * error (the next one is not run). SQLite runs it at once.
 */
#define HSQL_DEFER 4u

enum hsql_kind { HSQL_SQLITE, HSQL_PG };

struct hsql;
struct hsql_stmt;

/* Wraps an open SQLite connection (the caller set it up; hsql_close closes it). */
int hsql_wrap_sqlite(sqlite3 *lite, struct hsql **out);
/*
 * Connects to PostgreSQL (conninfo: a URI or libpq keywords). TERR_BUSY when
 * the server does not answer (the caller may try again), TERR_IO otherwise.
 */
int hsql_open_pg(const char *conninfo, struct hsql **out, struct terr *e);
void hsql_close(struct hsql *c);
/*
 * Whether a PostgreSQL connection string is unusable for the hub: does not
 * parse, or carries a password (the hub takes it from a password file).
 * 0 or TERR_ARG with the reason.
 */
int hsql_pg_check_name(const char *conninfo, struct terr *e);
enum hsql_kind hsql_kind(const struct hsql *c);
/* The SQLite connection (NULL on PostgreSQL): for the SQLite-only parts. */
sqlite3 *hsql_sqlite(struct hsql *c);

int hsql_prepare(struct hsql *c, const char *sql, unsigned flags, struct hsql_stmt **out);
int hsql_step(struct hsql_stmt *st);
/*
 * A question asked ahead: the statement, bound, is sent now and its rows
 * are read by the next hsql_step, whatever ran in between (it ran before
 * all of that, in order). PostgreSQL, for an HSQL_PERSISTENT statement
 * inside a transaction: it goes into the pipeline with the deferred ones
 * and is answered with the next statement that is waited for, so its
 * answer costs no round trip of its own; an error it meets is that
 * statement's error too, and the step's. False when it was not sent
 * (SQLite, or not possible there): the caller steps it at once.
 */
bool hsql_send(struct hsql_stmt *st);
int hsql_reset(struct hsql_stmt *st);
void hsql_clear_bindings(struct hsql_stmt *st);
void hsql_finalize(struct hsql_stmt *st);
/* SQLite: whether the statement only reads; PostgreSQL: true (the caller
 * runs it in a READ ONLY transaction, where a write fails). */
bool hsql_stmt_readonly(struct hsql_stmt *st);

/* Parameters count from 1; n < 0: text up to its NUL. */
int hsql_bind_text(struct hsql_stmt *st, int i, const char *s, int n);
int hsql_bind_text_copy(struct hsql_stmt *st, int i, const char *s, int n);
int hsql_bind_blob(struct hsql_stmt *st, int i, const void *p, size_t n);
int hsql_bind_int64(struct hsql_stmt *st, int i, int64_t v);
int hsql_bind_int(struct hsql_stmt *st, int i, int v);
int hsql_bind_double(struct hsql_stmt *st, int i, double v);
int hsql_bind_null(struct hsql_stmt *st, int i);

/* Columns count from 0; valid after a step that returned HSQL_ROW. */
const unsigned char *hsql_column_text(struct hsql_stmt *st, int col);
const void *hsql_column_blob(struct hsql_stmt *st, int col);
int hsql_column_bytes(struct hsql_stmt *st, int col);
int64_t hsql_column_int64(struct hsql_stmt *st, int col);
int hsql_column_int(struct hsql_stmt *st, int col);
double hsql_column_double(struct hsql_stmt *st, int col);
int hsql_column_type(struct hsql_stmt *st, int col);
int hsql_column_count(struct hsql_stmt *st);

/* Runs statements that return no rows (PostgreSQL: several, ';'-separated). */
int hsql_exec(struct hsql *c, const char *sql);
/*
 * As hsql_exec, and *v is the first value of the last statement's first row
 * as an integer, 0 when it has none (SQLite: of the last row any statement
 * returned): one round trip for statements and a number read after them.
 */
int hsql_exec_int(struct hsql *c, const char *sql, int64_t *v);
/*
 * PostgreSQL: runs sql, a COPY ... FROM STDIN, with data (len bytes) as its
 * rows in COPY's text format. SQLite: HSQL_ERROR (no such statement).
 */
int hsql_copy_in(struct hsql *c, const char *sql, const char *data, size_t len);
/* Rows the last INSERT, UPDATE or DELETE changed. */
int hsql_changes(struct hsql *c);
/* True outside a transaction. */
bool hsql_autocommit(struct hsql *c);
/* The last error: its code (SQLite's extended code on SQLite) and words. */
int hsql_errcode(struct hsql *c);
const char *hsql_errmsg(struct hsql *c);
/*
 * commit runs before a COMMIT is made durable (non-zero turns it into a
 * rollback), rollback after any rollback, as sqlite3_commit_hook and
 * sqlite3_rollback_hook.
 */
void hsql_hooks(struct hsql *c, int (*commit)(void *), void (*rollback)(void *), void *ctx);
/*
 * PostgreSQL: before(ctx, undo) runs before each command the connection
 * sends (not those it sends itself), undo true for a ROLLBACK or ROLLBACK
 * TO; a non-zero return fails the command with that code (hubdb_pending.c).
 * SQLite: never called.
 */
void hsql_before(struct hsql *c, int (*before)(void *ctx, bool undo), void *ctx);

#endif
