/*
 * hubdb_sql_pgtext — the PostgreSQL engine's text work (hubdb_sql_pg.c is
 * its only caller).
 */
#ifndef TETRAD_HUB_HUBDB_SQL_PGTEXT_H
#define TETRAD_HUB_HUBDB_SQL_PGTEXT_H

#include <stdbool.h>

/* A statement's (first) command's verb: transactions end by them. */
enum pg_verb { PG_OTHER, PG_BEGIN, PG_COMMIT, PG_ROLLBACK, PG_UNDO };
enum pg_verb pg_verb_of(const char *sql);

#define PG_PARAMS_SEEN 64
/*
 * SQLite's ?N (and bare ?) as $N outside quotes and comments, SQLite's
 * index hints dropped; *nparams the highest number, used[k - 1] set for
 * each $k named (up to PG_PARAMS_SEEN). NULL: no memory.
 */
char *pg_convert(const char *sql, int *nparams, bool used[PG_PARAMS_SEEN]);
/* A SQLSTATE (NULL: no answer at all) as one of hubdb_sql.h's codes. */
int pg_code_of(const char *state);
/* A hex digit's value, -1 if it is none. */
int pg_hex(int ch);

#endif
