/*
 * hubdb_sql_pgtext — what the PostgreSQL engine (hubdb_sql_pg.c) reads and
 * writes as text: SQLite's SQL as PostgreSQL's, a statement's verb, a
 * SQLSTATE as hubdb_sql.h's code, a hex digit of a bytea, whether a
 * connection string carries a password.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "hubdb_sql.h"
#include "hubdb_sql_pg.h"
#include "hubdb_sql_pgtext.h"

/* The verb of a statement's (first) command: transactions end by them. */
enum pg_verb
pg_verb_of(const char *sql)
{
	while (isspace((unsigned char)*sql))
		sql++;
	if (strncasecmp(sql, "BEGIN", 5) == 0 || strncasecmp(sql, "START", 5) == 0)
		return PG_BEGIN;
	if (strncasecmp(sql, "COMMIT", 6) == 0 || strncasecmp(sql, "END", 3) == 0)
		return PG_COMMIT;
	if (strncasecmp(sql, "ROLLBACK", 8) == 0) {
		const char *p = sql + 8;

		while (isspace((unsigned char)*p))
			p++;
		return strncasecmp(p, "TO", 2) == 0 ? PG_UNDO : PG_ROLLBACK;
	}
	return PG_OTHER;
}

/*
 * SQLite's ?N (and bare ?) as $N, outside quotes and comments; *nparams the
 * highest number, used[k - 1] set for each $k the text names (up to
 * PG_PARAMS_SEEN). SQLite's index hint "INDEXED BY name" is dropped:
 * PostgreSQL's planner has statistics and takes no hints. NULL: no memory.
 */
char *
pg_convert(const char *sql, int *nparams, bool used[PG_PARAMS_SEEN])
{
	size_t n = strlen(sql);
	char *out = malloc(n * 2 + 1), *o = out;
	int next = 1, max = 0;

	if (out == NULL)
		return NULL;
	for (const char *p = sql; *p;) {
		if (strncasecmp(p, "INDEXED BY ", 11) == 0 &&
		    (p == sql || isspace((unsigned char)p[-1]))) {
			p += 11;
			while (isspace((unsigned char)*p))
				p++;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
		} else if (*p == '\'' || *p == '"') {
			char q = *p;

			*o++ = *p++;
			while (*p && *p != q)
				*o++ = *p++;
			if (*p)
				*o++ = *p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				*o++ = *p++;
		} else if (*p == '?') {
			int k = 0;

			p++;
			if (isdigit((unsigned char)*p)) {
				while (isdigit((unsigned char)*p))
					k = k * 10 + (*p++ - '0');
			} else
				k = next;
			next = k + 1;
			if (k > max)
				max = k;
			if (k >= 1 && k <= PG_PARAMS_SEEN)
				used[k - 1] = true;
			o += sprintf(o, "$%d", k);
		} else
			*o++ = *p++;
	}
	*o = '\0';
	*nparams = max;
	return out;
}

/* A SQLSTATE as one of hubdb_sql.h's codes. */
int
pg_code_of(const char *state)
{
	static const char *const busy[] = { "40001", "40P01", "55P03", "57014", "57P01",
	    "57P02", "57P03", "53300" };

	if (state == NULL)
		return HSQL_BUSY;     /* no answer at all: the connection */
	if (strcmp(state, "53100") == 0)
		return HSQL_FULL;
	if (strcmp(state, "53200") == 0)
		return HSQL_NOMEM;
	if (strncmp(state, "08", 2) == 0)
		return HSQL_BUSY;
	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
		if (strcmp(state, busy[i]) == 0)
			return HSQL_BUSY;
	if (strncmp(state, "23", 2) == 0)
		return HSQL_CONSTRAINT;
	if (strncmp(state, "58", 2) == 0)
		return HSQL_IOERR;
	return HSQL_ERROR;
}

int
pg_hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool
hsql_pg_has_password(const char *conninfo, bool *bad)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	bool has = false;

	*bad = opts == NULL;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0])
			has = true;
	PQconninfoFree(opts);
	return has;
}
