/*
 * localdb_int — what the files of the localdb library share: the handle
 * and the schema steps (localdb_schema.c).
 */
#ifndef TETRAD_LOCALDB_INT_H
#define TETRAD_LOCALDB_INT_H

#include "tetrad/localdb.h"

/* Statements prepared once per handle: syncd uses about twenty, the
 * client's hot path eight, a pull's apply some ten more. */
#define LOCALDB_CACHE 48

struct localdb {
	sqlite3 *db;
	char *path;
	unsigned flags;
	const char *cache_sql[LOCALDB_CACHE];  /* keyed by the literal's address */
	sqlite3_stmt *cache_st[LOCALDB_CACHE];
};

/* PRAGMA user_version of a raw handle (an SQLite result code). */
int localdb_schema_version(sqlite3 *db, int *out);

/* Refuses a version this program does not know: TERR_VERSION naming the
 * program to update (prog), 0 otherwise. */
int localdb_schema_check(int v, const char *path, const char *prog,
    struct terr *e);

/* Runs sql (no results) mapping a failure to localdb_sqlerr. */
int localdb_exec(struct localdb *db, const char *sql, const char *what,
    struct terr *e);

#endif
