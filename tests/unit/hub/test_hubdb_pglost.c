/*
 * test_hubdb_pglost — the PostgreSQL store when its connection dies inside
 * a write transaction, with statements sent into libpq's pipeline and not
 * yet answered (HSQL_DEFER: a set's savepoint, device head and stored set):
 * the set's release says busy (a device retries), the commit fails, nothing
 * of the transaction is stored, and the handle's next transaction runs on a
 * new connection. A device asked for ahead (hubdb_device_ask) is answered
 * busy the same way. The backend is ended from another connection
 * (pg_terminate_backend), as a restarted server or a cut network would.
 * PostgreSQL only: SQLite has no connection to lose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"

static char *
query(struct hubdb *db, const char *sql)
{
	struct terr e;
	char *v = NULL;

	CHECK_INT_EQ(hubdb_test_query(db, sql, &v, &e), 0);
	return v;
}

int
main(void)
{
	static const uint8_t env[] = "envelope", ack[] = "ack";
	static const char dev[] = "ffffffffffffffff";
	char path[600], sql[160], *pid = NULL, *v;
	uint8_t hash[CHANGESET_HASH_BYTES];
	struct hubdb *db = NULL;
	struct terr e;
	int r;

	if (!test_store_pg()) {
		fprintf(stderr, "SKIP: only a PostgreSQL store has a connection to lose "
		    "(the unit/hub-pg lane runs this test)\n");
		return 77;
	}
	test_store(path, sizeof(path), "/tmp", "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return 1;
	memset(hash, 3, sizeof(hash));
	pid = query(db, "SELECT pg_backend_pid()");
	CHECK(pid != NULL);

	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "100501", "школа", &e), 0);
	CHECK_INT_EQ(hubdb_set_put(db, dev, 1, 1, hash, "applied", 200, env, sizeof(env), ack,
	    sizeof(ack), &e), 0);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s)", pid ? pid : "0");
	CHECK_INT_EQ(test_store_exec(path, sql), 0);
	terr_clear(&e);
	r = hubdb_savepoint_release(db, &e);
	CHECK_INT_EQ(r, TERR_BUSY);
	CHECK(e.msg[0] != '\0');
	/* the transaction went with the connection: no commit says yes */
	terr_clear(&e);
	CHECK(hubdb_commit(db, &e) != 0);
	hubdb_rollback(db);

	/* the next transaction: a new connection, nothing of the lost one */
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	v = query(db, "SELECT count(*) FROM changesets");
	CHECK_STR_EQ(v, "0");
	free(v);
	v = query(db, "SELECT count(*) FROM schools WHERE code = '100501'");
	CHECK_STR_EQ(v, "0");
	free(v);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(hubdb_set_put(db, dev, 1, 1, hash, "applied", 200, env, sizeof(env), ack,
	    sizeof(ack), &e), 0);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	v = query(db, "SELECT count(*) FROM changesets");
	CHECK_STR_EQ(v, "1");
	free(v);
	v = query(db, "SELECT pg_backend_pid()");
	CHECK(v != NULL && pid != NULL && strcmp(v, pid) != 0);
	free(pid);
	pid = v;

	/* a device asked for ahead (hubdb_device_ask), its answer not read: busy */
	{
		struct hubdb_device d;
		bool found;

		CHECK_INT_EQ(hubdb_device_ask(db, dev, &e), 0);    /* read at once: prepared */
		CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), 0);
		CHECK_INT_EQ(hubdb_begin(db, &e), 0);
		CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
		CHECK_INT_EQ(hubdb_device_ask(db, dev, &e), 0);
		snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s)", pid ? pid : "0");
		CHECK_INT_EQ(test_store_exec(path, sql), 0);
		terr_clear(&e);
		CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), TERR_BUSY);
		CHECK(!found && e.msg[0] != '\0');
		hubdb_rollback(db);
		CHECK_INT_EQ(hubdb_device_ask(db, dev, &e), 0);
		CHECK_INT_EQ(hubdb_device_answer(db, &d, &found, &e), 0);
		CHECK(!found);
	}
	free(pid);
	hubdb_close(db);
	return check_summary();
}
