/*
 * test_store — where a hub test's store lives: a SQLite file in the test's
 * folder, or, when the test runs in the PostgreSQL lane (ctest's
 * unit/hub-pg/..., TETRAD_TEST_PG_ENV naming the env file of the suite's
 * own cluster, tests/tools/pgcluster.sh), a fresh database of that
 * cluster, made for this one store. One suite, two stores: a test names
 * its store through test_store and asks test_store_pg only for what one
 * engine has (SQLite's files, its old schemas, its page cap).
 * Header-only in check.h's manner.
 */
#ifndef TETRAD_TEST_STORE_H
#define TETRAD_TEST_STORE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

static inline bool
test_store_pg(void)
{
	const char *p = getenv("TETRAD_TEST_PG_ENV");

	return p != NULL && *p != '\0';
}

/* The cluster's maintenance connection string, from the env file; exits 77
 * (skipped, said why) when the suite's cluster is not there. */
static inline void
test_store_base(char *out, size_t cap)
{
	const char *path = getenv("TETRAD_TEST_PG_ENV");
	char line[1024];
	FILE *f = path ? fopen(path, "r") : NULL;

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		const char *v;
		size_t n;

		if (strncmp(line, "TETRAD_TEST_PG=", 15) != 0)
			continue;
		v = line + 15;
		n = strcspn(v, "\n");
		if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'') {
			v++;
			n -= 2;
		}
		snprintf(out, cap, "%.*s", (int)n, v);
	}
	if (f)
		fclose(f);
	if (out[0] == '\0') {
		fprintf(stderr, "SKIP: нет кластера PostgreSQL тестов (%s): PostgreSQL 15 не "
		    "установлен или не запустился (tests/tools/pgcluster.sh)\n", path ? path : "?");
		exit(77);
	}
}

/*
 * The store named name (a file name: "hub.db") in dir: dir/name on SQLite;
 * on PostgreSQL a new database's connection string. Each call makes a new
 * database, so a test that reopens a store keeps the string it got.
 */
static inline void
test_store(char *out, size_t cap, const char *dir, const char *name)
{
	static unsigned made;
	char base[1024], db[64], sql[256];
	PGconn *c;
	PGresult *res;
	size_t k = 0;

	if (!test_store_pg()) {
		snprintf(out, cap, "%s/%s", dir, name);
		return;
	}
	test_store_base(base, sizeof(base));
	k = (size_t)snprintf(db, sizeof(db), "t%ld_%u_", (long)getpid(), made++);
	for (const char *p = name; *p && k + 1 < sizeof(db); p++)
		db[k++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_');
	db[k] = '\0';
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' "
	    "LC_COLLATE 'C' LC_CTYPE 'C'", db);
	c = PQconnectdb(base);
	res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "test_store: %s: %s\n", sql, PQerrorMessage(c));
		exit(1);
	}
	PQclear(res);
	PQfinish(c);
	if (snprintf(out, cap, "%s dbname=%s", base, db) >= (int)cap) {
		fprintf(stderr, "test_store: the connection string does not fit in %zu bytes\n", cap);
		exit(1);
	}
}

/*
 * A statement run on a store behind the store's back (a test that breaks
 * or inspects what the store wrote), on either engine: 0 when it ran.
 * The SQL must be valid on the engine the test runs on.
 */
static inline int
test_store_exec(const char *store, const char *sql)
{
	int r = -1;

	if (test_store_pg()) {
		PGconn *c = PQconnectdb(store);
		PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;

		if (res && (PQresultStatus(res) == PGRES_COMMAND_OK ||
		    PQresultStatus(res) == PGRES_TUPLES_OK))
			r = 0;
		else
			fprintf(stderr, "test_store_exec: %s: %s\n", sql, PQerrorMessage(c));
		PQclear(res);
		PQfinish(c);
	} else {
		sqlite3 *db = NULL;

		if (sqlite3_open(store, &db) == SQLITE_OK &&
		    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
			r = 0;
		else
			fprintf(stderr, "test_store_exec: %s: %s\n", sql, db ? sqlite3_errmsg(db) : "?");
		sqlite3_close(db);
	}
	return r;
}

/* The first column of the first row as an integer; -1 on any failure. */
static inline long long
test_store_int(const char *store, const char *sql)
{
	long long v = -1;

	if (test_store_pg()) {
		PGconn *c = PQconnectdb(store);
		PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;

		if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 &&
		    !PQgetisnull(res, 0, 0))
			v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		else
			fprintf(stderr, "test_store_int: %s: %s\n", sql, PQerrorMessage(c));
		PQclear(res);
		PQfinish(c);
	} else {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		if (sqlite3_open(store, &db) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return v;
}

#endif
