/*
 * hubdb_sql_pgrow — the PostgreSQL engine's parameters and the columns of
 * the current row (hubdb_sql_pg.h): values bound as text (blobs binary),
 * results read as text the way SQLite hands them back (booleans as 1/0, a
 * bytea decoded from hex once per row and column).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubdb_sql.h"
#include "hubdb_sql_pg.h"
#include "hubdb_sql_pgimpl.h"

int
hsql_pg_bind(struct hsql_pgstmt *st, int i, const void *p, long long n, bool copy, bool binary)
{
	char *dup;

	if (i < 1 || i > st->nparams)
		return HSQL_ERROR;
	i--;
	free(st->owned[i]);
	st->owned[i] = NULL;
	st->fmts[i] = binary ? 1 : 0;
	st->lens[i] = 0;
	if (p == NULL && !binary) {
		st->vals[i] = NULL;       /* NULL */
		return HSQL_OK;
	}
	if (binary) {
		/* a zero-length blob is an empty bytea, not NULL */
		st->vals[i] = p ? p : "";
		st->lens[i] = (int)n;
		return HSQL_OK;
	}
	if (!copy && n < 0) {
		st->vals[i] = p;
		return HSQL_OK;
	}
	/* text of a given length need not end there: it is copied to end there */
	if (n < 0)
		n = (long long)strlen(p);
	if ((dup = malloc((size_t)n + 1)) == NULL)
		return HSQL_NOMEM;
	memcpy(dup, p, (size_t)n);
	dup[n] = '\0';
	st->owned[i] = dup;
	st->vals[i] = dup;
	return HSQL_OK;
}

int
hsql_pg_bind_int64(struct hsql_pgstmt *st, int i, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	return hsql_pg_bind(st, i, num, -1, true, false);
}

int
hsql_pg_bind_double(struct hsql_pgstmt *st, int i, double v)
{
	char num[40];

	snprintf(num, sizeof(num), "%.17g", v);
	return hsql_pg_bind(st, i, num, -1, true, false);
}

static bool
pg_has(struct hsql_pgstmt *st, int col)
{
	return st->res != NULL && st->row >= 0 && st->row < st->nrows && col >= 0 &&
	    col < PQnfields(st->res);
}

const unsigned char *
hsql_pg_column_text(struct hsql_pgstmt *st, int col)
{
	const char *v;

	if (!pg_has(st, col) || PQgetisnull(st->res, st->row, col))
		return NULL;
	v = PQgetvalue(st->res, st->row, col);
	if (PQftype(st->res, col) == PG_BOOLOID)
		return (const unsigned char *)(v[0] == 't' ? "1" : "0");
	return (const unsigned char *)v;
}

const void *
hsql_pg_column_blob(struct hsql_pgstmt *st, int col)
{
	const char *v;
	size_t n;

	if (!pg_has(st, col) || PQgetisnull(st->res, st->row, col))
		return NULL;
	v = PQgetvalue(st->res, st->row, col);
	if (PQftype(st->res, col) != PG_BYTEAOID)
		return v;
	if (st->blob[col] != NULL)
		return st->blob[col];
	/* bytea_output = hex, the default since 9.0: "\x" and two digits a byte */
	n = strlen(v);
	if (n < 2 || v[0] != '\\' || v[1] != 'x' || (n - 2) % 2 != 0)
		return NULL;
	if ((st->blob[col] = malloc((n - 2) / 2 + 1)) == NULL)
		return NULL;
	for (size_t k = 0; k < (n - 2) / 2; k++) {
		int hi = pg_hex(v[2 + 2 * k]), lo = pg_hex(v[3 + 2 * k]);

		st->blob[col][k] = (unsigned char)(hi < 0 || lo < 0 ? 0 : hi << 4 | lo);
	}
	st->blob_len[col] = (n - 2) / 2;
	return st->blob[col];
}

int
hsql_pg_column_bytes(struct hsql_pgstmt *st, int col)
{
	if (!pg_has(st, col) || PQgetisnull(st->res, st->row, col))
		return 0;
	if (PQftype(st->res, col) == PG_BYTEAOID)
		return hsql_pg_column_blob(st, col) ? (int)st->blob_len[col] : 0;
	if (PQftype(st->res, col) == PG_BOOLOID)
		return 1;
	return PQgetlength(st->res, st->row, col);
}

int64_t
hsql_pg_column_int64(struct hsql_pgstmt *st, int col)
{
	const unsigned char *v = hsql_pg_column_text(st, col);

	if (v == NULL)
		return 0;
	if (strchr((const char *)v, '.') || strchr((const char *)v, 'e'))
		return (int64_t)strtod((const char *)v, NULL);
	return strtoll((const char *)v, NULL, 10);
}

double
hsql_pg_column_double(struct hsql_pgstmt *st, int col)
{
	const unsigned char *v = hsql_pg_column_text(st, col);

	return v ? strtod((const char *)v, NULL) : 0.0;
}

int
hsql_pg_column_type(struct hsql_pgstmt *st, int col)
{
	if (!pg_has(st, col) || PQgetisnull(st->res, st->row, col))
		return HSQL_NULL;
	switch (PQftype(st->res, col)) {
	case PG_BOOLOID:
	case PG_INT2OID:
	case PG_INT4OID:
	case PG_INT8OID:
		return HSQL_INTEGER;
	case PG_FLOAT4OID:
	case PG_FLOAT8OID:
	case PG_NUMERICOID:
		return HSQL_FLOAT;
	case PG_BYTEAOID:
		return HSQL_BLOB;
	default:
		return HSQL_TEXT;
	}
}

int
hsql_pg_column_count(struct hsql_pgstmt *st)
{
	return st->res ? PQnfields(st->res) : 0;
}
