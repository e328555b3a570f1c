/*
 * test_localdb_files — the device database's files: under umask 022 a new
 * database and its -wal and -shm are 0600 (records hold children's names);
 * one left 0644 by an older version is narrowed when opened; a second
 * handle opened in the same process keeps the first one's POSIX locks.
 * In a shared folder (setgid, group rwx: the school PC of
 * docs/operations.md) under a service's umask 077 the same files are 0660
 * and the folder's; one others may read is narrowed to 0660, one made 0600
 * before the folder was shared is given to the group; a group-writable
 * folder without setgid is not shared (0600, nothing widened).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "file_probe.h"
#include "tetrad/localdb.h"

int
main(void)
{
	char dir[] = "/tmp/test_localdb_files.XXXXXX", path[600], wal[610], shm[610];
	struct localdb *a = NULL, *b = NULL;
	struct terr e;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	umask(022);
	snprintf(path, sizeof(path), "%s/tetrad.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	CHECK_INT_EQ(localdb_open(path, LOCALDB_CREATE, &a, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0600);
	CHECK_INT_EQ(file_probe_mode(wal), 0600);
	CHECK_INT_EQ(file_probe_mode(shm), 0600);
	localdb_close(a);
	a = NULL;

	CHECK_INT_EQ(chmod(path, 0644), 0);
	CHECK_INT_EQ(localdb_open(path, 0, &a, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0600);
	CHECK_INT_EQ(file_probe_locked_by_me(shm), 1);
	CHECK_INT_EQ(chmod(path, 0644), 0);
	CHECK_INT_EQ(chmod(shm, 0644), 0);
	CHECK_INT_EQ(localdb_open(path, LOCALDB_CREATE, &b, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0600);
	CHECK_INT_EQ(file_probe_mode(shm), 0600);
	CHECK_INT_EQ(file_probe_locked_by_me(shm), 1);
	localdb_close(b);
	localdb_close(a);

	/* the shared folder */
	snprintf(path, sizeof(path), "%s/shared", dir);
	CHECK_INT_EQ(mkdir(path, 0700), 0);
	CHECK_INT_EQ(chmod(path, 02770), 0);
	snprintf(path, sizeof(path), "%s/shared/tetrad.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	umask(077);
	CHECK(localdb_shared(path));
	CHECK_INT_EQ((int)localdb_file_mode(path), 0660);
	CHECK_INT_EQ(localdb_open(path, LOCALDB_CREATE, &a, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0660);
	CHECK_INT_EQ(file_probe_mode(wal), 0660);
	CHECK_INT_EQ(file_probe_mode(shm), 0660);
	localdb_close(a);
	a = NULL;
	CHECK_INT_EQ(chmod(path, 0664), 0);
	CHECK_INT_EQ(localdb_open(path, 0, &a, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0660);
	localdb_close(a);
	a = NULL;
	CHECK_INT_EQ(chmod(path, 0600), 0);
	CHECK_INT_EQ(localdb_open(path, 0, &a, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0660);
	localdb_close(a);
	a = NULL;

	/* group-writable without setgid: not shared, stays private */
	snprintf(path, sizeof(path), "%s/groupdir", dir);
	CHECK_INT_EQ(mkdir(path, 0700), 0);
	CHECK_INT_EQ(chmod(path, 0770), 0);
	snprintf(path, sizeof(path), "%s/groupdir/tetrad.db", dir);
	CHECK(!localdb_shared(path));
	CHECK_INT_EQ(localdb_open(path, LOCALDB_CREATE, &a, &e), 0);
	CHECK_INT_EQ(file_probe_mode(path), 0600);
	localdb_close(a);
	a = NULL;
	umask(022);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
