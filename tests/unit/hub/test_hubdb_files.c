/*
 * test_hubdb_files — the files of the hub's store: under umask 022 a new
 * hub.db and its -wal and -shm are 0600; a hub.db left 0644 is narrowed at
 * open; opening a database at the current schema writes nothing (no WAL
 * frame: a hub must start on a full disk); and opening another handle keeps
 * the POSIX locks of the handles already open (closing any descriptor of the
 * file would drop them, and another process could then reset the -shm).
 *
 * A PostgreSQL store has no files of the hub's (the server keeps them):
 * there the one promise that remains is asserted, that an open at the
 * current schema writes nothing, on a database that refuses every write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "test_store.h"
#include "file_probe.h"
#include "hub/hubdb.h"

/*
 * PostgreSQL: two handles open, and read, a store at the current schema
 * whose database takes no write (default_transaction_read_only): neither
 * open writes. A write is refused there, so the check is not vacuous.
 */
static int
pg_open_writes_nothing(void)
{
	char path[1024];
	struct hubdb *a = NULL, *b = NULL;
	struct terr e;
	char *v = NULL;

	test_store(path, sizeof(path), "/tmp", "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &a, &e), 0);
	hubdb_close(a);
	a = NULL;
	CHECK_INT_EQ(test_store_exec(path, "DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET "
	    "default_transaction_read_only = on', current_database()); END$$"), 0);
	CHECK_INT_EQ(hubdb_open(path, &a, &e), 0);
	CHECK_INT_EQ(hubdb_open(path, &b, &e), 0);
	if (a != NULL && b != NULL) {
		CHECK_INT_EQ(hubdb_test_query(b, "SELECT count(*) FROM devices", &v, &e), 0);
		CHECK_STR_EQ(v, "0");
		free(v);
		CHECK(hubdb_setting_put(a, "files.key", "1", &e) != 0);
	}
	hubdb_close(b);
	hubdb_close(a);
	return check_summary();
}

int
main(void)
{
	char dir[] = "/tmp/test_hubdb_files.XXXXXX", path[600], wal[610], shm[610];
	struct hubdb *a = NULL, *b = NULL;
	struct terr e;

	if (test_store_pg())
		return pg_open_writes_nothing();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	umask(022);
	test_store(path, sizeof(path), dir, "hub.db");
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);

	/* new: 0600, and SQLite gives -wal and -shm the database's mode */
	CHECK_INT_EQ(hubdb_open(path, &a, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0600);
	CHECK_INT_EQ(file_probe_mode(wal), 0600);
	CHECK_INT_EQ(file_probe_mode(shm), 0600);
	hubdb_close(a);
	a = NULL;

	/* a database left 0644 by an older hub is narrowed */
	CHECK_INT_EQ(chmod(path, 0644), 0);
	CHECK_INT_EQ(hubdb_open(path, &a, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0600);

	/* at the current schema an open writes nothing: the WAL stays empty */
	CHECK_INT_EQ(file_probe_size(wal), 0);
	CHECK_INT_EQ(file_probe_locked_by_me(shm), 1);
	/* widened while a is open, so the second open narrows them under a's locks */
	CHECK_INT_EQ(chmod(path, 0644), 0);
	CHECK_INT_EQ(chmod(shm, 0644), 0);
	CHECK_INT_EQ(hubdb_open(path, &b, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0600);
	CHECK_INT_EQ(file_probe_mode(shm), 0600);
	CHECK_INT_EQ(file_probe_size(wal), 0);
	/* the second open kept the first handle's locks on the -shm */
	CHECK_INT_EQ(file_probe_locked_by_me(shm), 1);
	CHECK_INT_EQ(file_probe_locked_by_me(path), 1);
	hubdb_close(b);
	hubdb_close(a);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
