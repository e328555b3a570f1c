/*
 * file_probe — what the tests of a database's files ask of the file system:
 * a file's size and permission bits, and whether this process holds a POSIX
 * lock on it (/proc/locks). hub/test_hubdb_files and localdb/test_localdb_files
 * check the same promises (0600 from the start, locks kept) on two stores.
 */
#ifndef TETRAD_TEST_FILE_PROBE_H
#define TETRAD_TEST_FILE_PROBE_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* -1 if path does not exist */
static inline long
file_probe_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* the permission bits, -1 if path does not exist */
static inline int
file_probe_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

/*
 * 1 if /proc/locks shows a POSIX lock held by this process on path's inode,
 * 0 if not, -1 if it cannot be told. Closing any descriptor of a file drops
 * every POSIX lock the process holds on it: this is how a test sees that.
 */
static inline int
file_probe_locked_by_me(const char *path)
{
	char line[256], ino[64], pid[32];
	struct stat st;
	FILE *f;
	int found = 0;

	if (stat(path, &st) != 0 || (f = fopen("/proc/locks", "r")) == NULL)
		return -1;
	snprintf(ino, sizeof(ino), ":%llu ", (unsigned long long)st.st_ino);
	snprintf(pid, sizeof(pid), " %ld ", (long)getpid());
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "POSIX") && strstr(line, pid) && strstr(line, ino))
			found = 1;
	fclose(f);
	return found;
}

#endif
