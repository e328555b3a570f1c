/*
 * hubdb_sql_pgimpl — what the files of the PostgreSQL engine share
 * (hubdb_sql_pg.c: connection, statements, transactions, the pipeline;
 * hubdb_sql_pgrow.c: parameters and the current row's columns). Only they
 * include it.
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
	int ncols;
	unsigned char **blob;         /* decoded bytea of the current row, per column */
	size_t *blob_len;
};

#endif
