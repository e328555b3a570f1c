/*
 * hubdb_sql_pg — the PostgreSQL engine behind hubdb_sql.h (libpq). Only
 * hubdb_sql.c calls it; the behaviour it owes is that header's.
 */
#ifndef TETRAD_HUB_HUBDB_SQL_PG_H
#define TETRAD_HUB_HUBDB_SQL_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/terr.h"

struct hsql_pg;
struct hsql_pgstmt;

/* Whether a connection string carries a password (libpq parses it); bad: unparsable. */
bool hsql_pg_has_password(const char *conninfo, bool *bad);
int hsql_pg_open(const char *conninfo, struct hsql_pg **out, struct terr *e);
void hsql_pg_close(struct hsql_pg *c);
void hsql_pg_hooks(struct hsql_pg *c, int (*commit)(void *), void (*rollback)(void *),
    void *ctx);

void hsql_pg_before(struct hsql_pg *c, int (*before)(void *, bool), void *ctx);
int hsql_pg_prepare(struct hsql_pg *c, const char *sql, unsigned flags,
    struct hsql_pgstmt **out);
int hsql_pg_step(struct hsql_pgstmt *st);
bool hsql_pg_send(struct hsql_pgstmt *st);
int hsql_pg_reset(struct hsql_pgstmt *st);
void hsql_pg_clear_bindings(struct hsql_pgstmt *st);
void hsql_pg_finalize(struct hsql_pgstmt *st);

/* copy: the value is copied (else borrowed); binary: a blob. n < 0: strlen. */
int hsql_pg_bind(struct hsql_pgstmt *st, int i, const void *p, long long n, bool copy,
    bool binary);
int hsql_pg_bind_int64(struct hsql_pgstmt *st, int i, int64_t v);
int hsql_pg_bind_double(struct hsql_pgstmt *st, int i, double v);

const unsigned char *hsql_pg_column_text(struct hsql_pgstmt *st, int col);
const void *hsql_pg_column_blob(struct hsql_pgstmt *st, int col);
int hsql_pg_column_bytes(struct hsql_pgstmt *st, int col);
int64_t hsql_pg_column_int64(struct hsql_pgstmt *st, int col);
double hsql_pg_column_double(struct hsql_pgstmt *st, int col);
int hsql_pg_column_type(struct hsql_pgstmt *st, int col);
int hsql_pg_column_count(struct hsql_pgstmt *st);

int hsql_pg_exec(struct hsql_pg *c, const char *sql);
int hsql_pg_exec_int(struct hsql_pg *c, const char *sql, int64_t *v);
int hsql_pg_copy_in(struct hsql_pg *c, const char *sql, const char *data, size_t len);
int hsql_pg_changes(struct hsql_pg *c);
bool hsql_pg_autocommit(struct hsql_pg *c);
int hsql_pg_errcode(struct hsql_pg *c);
const char *hsql_pg_errmsg(struct hsql_pg *c);

#endif
