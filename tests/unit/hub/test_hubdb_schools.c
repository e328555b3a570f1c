/*
 * test_hubdb_schools — hubdb_school_put skips a school its handle knows is
 * stored (every set names its school; on PostgreSQL each statement is a
 * round trip under the store's write lock), and knows exactly what was
 * committed: a school written in a transaction or savepoint that is undone
 * is written again by the next put. "Skipped" is seen from behind the
 * handle's back: the row is deleted through another connection, and a
 * skipped put does not bring it back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"

static long
schools_named(struct hubdb *db, const char *code)
{
	char sql[128], *v = NULL;
	struct terr e;
	long n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM schools WHERE code = '%s'", code);
	CHECK_INT_EQ(hubdb_test_query(db, sql, &v, &e), 0);
	if (v != NULL)
		n = strtol(v, NULL, 10);
	free(v);
	return n;
}

/* One write transaction that puts code (no name); its commit or rollback. */
static void
put_in_txn(struct hubdb *db, const char *code, bool commit)
{
	struct terr e;

	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, code, NULL, &e), 0);
	if (commit)
		CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	else
		hubdb_rollback(db);
}

int
main(void)
{
	char dir[] = "/tmp/test_hubdb_schools.XXXXXX", path[600], sql[128];
	struct hubdb *db = NULL;
	struct terr e;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return 1;

	/* committed: known; the next put in a transaction writes nothing */
	put_in_txn(db, "100001", true);
	CHECK_INT_EQ((int)schools_named(db, "100001"), 1);
	CHECK_INT_EQ(test_store_exec(path, "DELETE FROM schools WHERE code = '100001'"), 0);
	put_in_txn(db, "100001", true);
	CHECK_INT_EQ((int)schools_named(db, "100001"), 0);
	/* a put with a name always writes (a name may change) */
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "100001", "Школа № 1", &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	CHECK_INT_EQ((int)schools_named(db, "100001"), 1);

	/* rolled back: not known; the next put writes it */
	put_in_txn(db, "100002", false);
	CHECK_INT_EQ((int)schools_named(db, "100002"), 0);
	put_in_txn(db, "100002", true);
	CHECK_INT_EQ((int)schools_named(db, "100002"), 1);

	/* written inside a savepoint that is undone: written again after it */
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "100003", NULL, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint_undo(db, &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "100003", NULL, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	CHECK_INT_EQ((int)schools_named(db, "100003"), 1);

	/* outside a transaction nothing is remembered: each put writes */
	CHECK_INT_EQ(hubdb_school_put(db, "100004", NULL, &e), 0);
	CHECK_INT_EQ(test_store_exec(path, "DELETE FROM schools WHERE code = '100004'"), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "100004", NULL, &e), 0);
	CHECK_INT_EQ((int)schools_named(db, "100004"), 1);

	hubdb_close(db);
	snprintf(sql, sizeof(sql), "rm -rf '%s'", dir);
	if (system(sql) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
