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
	snprintf(out, cap, "%s dbname=%s", base, db);
}

#endif
