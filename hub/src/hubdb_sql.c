/*
 * hubdb_sql — the store's SQL interface (hubdb_sql.h): SQLite's engine is
 * this file's thin pass-through; PostgreSQL's is hubdb_sql_pg.c.
 */
#include <stdlib.h>
#include <string.h>

#include "hubdb_sql.h"
#include "hubdb_sql_pg.h"

struct hsql {
	enum hsql_kind kind;
	sqlite3 *lite;
	struct hsql_pg *pg;
};

struct hsql_stmt {
	struct hsql *c;
	sqlite3_stmt *lite;           /* exactly one of the two */
	struct hsql_pgstmt *pg;
};

int
hsql_wrap_sqlite(sqlite3 *lite, struct hsql **out)
{
	struct hsql *c = calloc(1, sizeof(*c));

	*out = c;
	if (c == NULL)
		return HSQL_NOMEM;
	c->kind = HSQL_SQLITE;
	c->lite = lite;
	return HSQL_OK;
}

int
hsql_open_pg(const char *conninfo, struct hsql **out, struct terr *e)
{
	struct hsql *c = calloc(1, sizeof(*c));
	int r;

	*out = NULL;
	if (c == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	c->kind = HSQL_PG;
	if ((r = hsql_pg_open(conninfo, &c->pg, e)) != 0) {
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

int
hsql_pg_check_name(const char *conninfo, struct terr *e)
{
	bool bad = false;

	if (hsql_pg_has_password(conninfo, &bad))
		return terr_set(e, TERR_ARG, "пароль PostgreSQL в строке подключения не пишут (её "
		    "видят в hub.conf и в списке процессов): положите его в файл паролей — "
		    "passfile=ПУТЬ в строке или переменная PGPASSFILE (формат ~/.pgpass)");
	if (bad)
		return terr_set(e, TERR_ARG, "строка подключения к PostgreSQL не разбирается: "
		    "нужен адрес postgresql://… или слова libpq «host=… dbname=…»");
	return 0;
}

void
hsql_close(struct hsql *c)
{
	if (c == NULL)
		return;
	if (c->lite != NULL)
		sqlite3_close(c->lite);
	hsql_pg_close(c->pg);
	free(c);
}

enum hsql_kind
hsql_kind(const struct hsql *c)
{
	return c->kind;
}

sqlite3 *
hsql_sqlite(struct hsql *c)
{
	return c->lite;
}

int
hsql_prepare(struct hsql *c, const char *sql, unsigned flags, struct hsql_stmt **out)
{
	struct hsql_stmt *st = calloc(1, sizeof(*st));
	int rc;

	*out = NULL;
	if (st == NULL)
		return HSQL_NOMEM;
	st->c = c;
	if (c->lite != NULL)
		rc = sqlite3_prepare_v3(c->lite, sql, -1,
		    (flags & HSQL_PERSISTENT) ? SQLITE_PREPARE_PERSISTENT : 0, &st->lite, NULL);
	else
		rc = hsql_pg_prepare(c->pg, sql, flags, &st->pg);
	if (rc != HSQL_OK) {
		hsql_finalize(st);
		return rc;
	}
	*out = st;
	return HSQL_OK;
}

int
hsql_step(struct hsql_stmt *st)
{
	return st->lite ? sqlite3_step(st->lite) : hsql_pg_step(st->pg);
}

bool
hsql_send(struct hsql_stmt *st)
{
	return st->lite ? false : hsql_pg_send(st->pg);
}

int
hsql_reset(struct hsql_stmt *st)
{
	return st->lite ? sqlite3_reset(st->lite) : hsql_pg_reset(st->pg);
}

void
hsql_clear_bindings(struct hsql_stmt *st)
{
	if (st->lite)
		sqlite3_clear_bindings(st->lite);
	else
		hsql_pg_clear_bindings(st->pg);
}

void
hsql_finalize(struct hsql_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_finalize(st->lite);
	hsql_pg_finalize(st->pg);
	free(st);
}

bool
hsql_stmt_readonly(struct hsql_stmt *st)
{
	return st->lite ? sqlite3_stmt_readonly(st->lite) != 0 : true;
}

int
hsql_bind_text(struct hsql_stmt *st, int i, const char *s, int n)
{
	return st->lite ? sqlite3_bind_text(st->lite, i, s, n, SQLITE_STATIC) :
	    hsql_pg_bind(st->pg, i, s, n, false, false);
}

int
hsql_bind_text_copy(struct hsql_stmt *st, int i, const char *s, int n)
{
	return st->lite ? sqlite3_bind_text(st->lite, i, s, n, SQLITE_TRANSIENT) :
	    hsql_pg_bind(st->pg, i, s, n, true, false);
}

int
hsql_bind_blob(struct hsql_stmt *st, int i, const void *p, size_t n)
{
	return st->lite ? sqlite3_bind_blob64(st->lite, i, p, n, SQLITE_STATIC) :
	    hsql_pg_bind(st->pg, i, p, (long long)n, false, true);
}

int
hsql_bind_int64(struct hsql_stmt *st, int i, int64_t v)
{
	return st->lite ? sqlite3_bind_int64(st->lite, i, v) : hsql_pg_bind_int64(st->pg, i, v);
}

int
hsql_bind_int(struct hsql_stmt *st, int i, int v)
{
	return hsql_bind_int64(st, i, v);
}

int
hsql_bind_double(struct hsql_stmt *st, int i, double v)
{
	return st->lite ? sqlite3_bind_double(st->lite, i, v) : hsql_pg_bind_double(st->pg, i, v);
}

int
hsql_bind_null(struct hsql_stmt *st, int i)
{
	return st->lite ? sqlite3_bind_null(st->lite, i) :
	    hsql_pg_bind(st->pg, i, NULL, 0, false, false);
}

const unsigned char *
hsql_column_text(struct hsql_stmt *st, int col)
{
	return st->lite ? sqlite3_column_text(st->lite, col) : hsql_pg_column_text(st->pg, col);
}

const void *
hsql_column_blob(struct hsql_stmt *st, int col)
{
	return st->lite ? sqlite3_column_blob(st->lite, col) : hsql_pg_column_blob(st->pg, col);
}

int
hsql_column_bytes(struct hsql_stmt *st, int col)
{
	return st->lite ? sqlite3_column_bytes(st->lite, col) : hsql_pg_column_bytes(st->pg, col);
}

int64_t
hsql_column_int64(struct hsql_stmt *st, int col)
{
	return st->lite ? sqlite3_column_int64(st->lite, col) : hsql_pg_column_int64(st->pg, col);
}

int
hsql_column_int(struct hsql_stmt *st, int col)
{
	return st->lite ? sqlite3_column_int(st->lite, col) :
	    (int)hsql_pg_column_int64(st->pg, col);
}

double
hsql_column_double(struct hsql_stmt *st, int col)
{
	return st->lite ? sqlite3_column_double(st->lite, col) :
	    hsql_pg_column_double(st->pg, col);
}

int
hsql_column_type(struct hsql_stmt *st, int col)
{
	return st->lite ? sqlite3_column_type(st->lite, col) : hsql_pg_column_type(st->pg, col);
}

int
hsql_column_count(struct hsql_stmt *st)
{
	return st->lite ? sqlite3_column_count(st->lite) : hsql_pg_column_count(st->pg);
}

int
hsql_exec(struct hsql *c, const char *sql)
{
	return c->lite ? sqlite3_exec(c->lite, sql, NULL, NULL, NULL) : hsql_pg_exec(c->pg, sql);
}

/* SQLite's row callback of hsql_exec_int: the first value of the last row. */
static int
hsql_lite_int(void *arg, int n, char **vals, char **names)
{
	int64_t *v = arg;

	(void)names;
	*v = n > 0 && vals[0] != NULL ? strtoll(vals[0], NULL, 10) : 0;
	return 0;
}

int
hsql_exec_int(struct hsql *c, const char *sql, int64_t *v)
{
	*v = 0;
	return c->lite ? sqlite3_exec(c->lite, sql, hsql_lite_int, v, NULL) :
	    hsql_pg_exec_int(c->pg, sql, v);
}

int
hsql_copy_in(struct hsql *c, const char *sql, const char *data, size_t len)
{
	return c->pg ? hsql_pg_copy_in(c->pg, sql, data, len) : HSQL_ERROR;
}

int
hsql_changes(struct hsql *c)
{
	return c->lite ? sqlite3_changes(c->lite) : hsql_pg_changes(c->pg);
}

bool
hsql_autocommit(struct hsql *c)
{
	return c->lite ? sqlite3_get_autocommit(c->lite) != 0 : hsql_pg_autocommit(c->pg);
}

int
hsql_errcode(struct hsql *c)
{
	return c->lite ? sqlite3_extended_errcode(c->lite) : hsql_pg_errcode(c->pg);
}

const char *
hsql_errmsg(struct hsql *c)
{
	return c->lite ? sqlite3_errmsg(c->lite) : hsql_pg_errmsg(c->pg);
}

void
hsql_before(struct hsql *c, int (*before)(void *ctx, bool undo), void *ctx)
{
	if (c->pg)
		hsql_pg_before(c->pg, before, ctx);
}

void
hsql_hooks(struct hsql *c, int (*commit)(void *), void (*rollback)(void *), void *ctx)
{
	if (c->lite) {
		sqlite3_commit_hook(c->lite, commit, ctx);
		sqlite3_rollback_hook(c->lite, rollback, ctx);
	} else
		hsql_pg_hooks(c->pg, commit, rollback, ctx);
}
