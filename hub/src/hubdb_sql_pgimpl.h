/*
 * hubdb_sql_pgimpl — what the files of the PostgreSQL engine share
 * (hubdb_sql_pg.c: connection, statements, transactions;
 * hubdb_sql_pgpipe.c: the pipeline; hubdb_sql_pgrow.c: parameters and the
 * current row's columns). Only they include it.
 */
#ifndef TETRAD_HUB_HUBDB_SQL_PGIMPL_H
#define TETRAD_HUB_HUBDB_SQL_PGIMPL_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "hubdb_sql_pgtext.h"

/* Type OIDs of pg_type.h (a server header libpq does not install). */
#define PG_BOOLOID 16
#define PG_BYTEAOID 17
#define PG_INT8OID 20
#define PG_INT2OID 21
#define PG_INT4OID 23
#define PG_FLOAT4OID 700
#define PG_FLOAT8OID 701
#define PG_NUMERICOID 1700
#define PG_TEXTOID 25

/* Statements asked ahead (hsql_send) one pipeline holds at most. */
#define PG_ASKED_MAX 4


struct hsql_pg {
	PGconn *conn;
	unsigned gen;                 /* connections made: a statement prepared in
	                               * an earlier one is gone from the server */
	unsigned next_id;             /* names of prepared statements and cursors */
	int changes;
	int errcode;
	char errmsg[512];
	bool in_txn;                  /* as the server said after the last command */
	bool txn_lost;                /* the connection went inside a transaction */
	int (*commit)(void *);
	void (*rollback)(void *);
	void *ctx;
	int (*before)(void *, bool);
	void *before_ctx;
	int deferred;                 /* HSQL_DEFER statements sent, answers not read */
	struct hsql_pgstmt *ahead;    /* its cursor's next FETCH sent, not yet read */
	struct hsql_pgstmt *asked[PG_ASKED_MAX]; /* sent by hsql_send, answers not read, */
	int nasked;                   /* ... in the order sent */
};

struct hsql_pgstmt {
	struct hsql_pg *c;
	char *sql;                    /* $1-numbered */
	char *declare;                /* HSQL_SCAN: the cursor's DECLARE */
	unsigned flags;
	enum pg_verb verb;
	unsigned id;
	unsigned prepared_gen;        /* 0: not prepared on the server */
	int nparams;
	Oid *types;                   /* text for a parameter the SQL never names (the
	                               * server could not infer it), else 0: inferred */
	const char **vals;
	int *lens, *fmts;
	char **owned;                 /* copies of bound values, freed at rebind */
	PGresult *res;
	PGresult *next;               /* the cursor's next rows, read ahead */
	int row, nrows;
	bool started, cursor, cursor_end;
	bool asked;                   /* sent by hsql_send, its answer not read yet: */
	int asked_at;                 /* ... its place among the deferred answers */
	int asked_rc;                 /* the error it was answered with (HSQL_OK: rows) */
	int ncols;
	unsigned char **blob;         /* decoded bytea of the current row, per column */
	size_t *blob_len;
};

/* hubdb_sql_pg.c */
/* The connection's last error: code and words (newlines trimmed). */
void pg_set_error(struct hsql_pg *c, int code, const char *msg);
/* After a command: the server's transaction state, the rollback hook. */
void pg_after(struct hsql_pg *c, enum pg_verb verb, bool ok);
/* A cursor's FETCH sent ahead read into its statement. */
void pg_settle(struct hsql_pg *c);
/*
 * Before a command (join: it goes into the open pipeline): the before hook,
 * a lost transaction's refusal, a lost connection made again. *answered:
 * nothing more to send (a ROLLBACK of what is gone).
 */
int pg_before(struct hsql_pg *c, enum pg_verb verb, bool join, bool *answered);
/* A command's result: HSQL_OK (rows or not) or the error, recorded. */
int pg_result(struct hsql_pg *c, PGresult *res, enum pg_verb verb);
/* res becomes the statement's rows. */
int pg_take_result(struct hsql_pgstmt *st, PGresult *res);
void pg_blobs_free(struct hsql_pgstmt *st);

/* hubdb_sql_pgpipe.c */
/* Ends a pipeline: the deferred statements' first error, else HSQL_OK. */
int pg_drain(struct hsql_pg *c);
/* A pipeline the connection could not send: HSQL_BUSY, the transaction lost. */
int pg_pipeline_broken(struct hsql_pg *c);
/* An HSQL_DEFER statement sent into the pipeline; its answer is read later. */
int pg_defer(struct hsql_pgstmt *st);
/* A statement sent after deferred ones, with the sync: every answer read. */
int pg_run_joined(struct hsql_pgstmt *st);

#endif
