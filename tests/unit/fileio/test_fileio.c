/*
 * test_fileio — fileio's whole-file reads and private writes: the bounded
 * read refuses an oversize file, a folder and a missing file; the private
 * write creates 0600 and replaces a planted symlink without following it
 * (the no-overwrite variant refuses it); the passphrase read strips the
 * line break and refuses empty and over-long first lines; the secret read
 * refuses a file others may read. The streaming private write (open,
 * write by fd and by FILE *, commit or abort) creates 0600 beside the
 * target, replaces a planted link without following it, leaves nothing at
 * the target until the commit, and nothing at all after an abort; a
 * passphrase file group or others may use is refused.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tetrad/fileio.h"

static char dir[] = "/tmp/tetrad-fileio-XXXXXX";

static void
put(const char *name, const char *text, mode_t mode, char *path, size_t cap)
{
	FILE *f;

	snprintf(path, cap, "%s/%s", dir, name);
	unlink(path);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
	CHECK_INT_EQ(chmod(path, mode), 0);
}

static void
test_read_all(void)
{
	char p[512];
	uint8_t *buf = (uint8_t *)1;
	size_t len = 7;
	struct terr e;

	put("a.txt", "hello", 0644, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_all(p, 5, &buf, &len, &e), 0);
	CHECK_INT_EQ(len, 5);
	CHECK(buf != NULL && memcmp(buf, "hello", 6) == 0);   /* with its NUL */
	free(buf);
	CHECK_INT_EQ(fileio_read_all(p, 4, &buf, &len, &e), TERR_TOO_LARGE);
	CHECK(buf == NULL && len == 0);
	CHECK_INT_EQ(fileio_read_all(dir, 1 << 20, &buf, &len, &e), TERR_IO);
	/* a FIFO is refused, not waited on */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	CHECK_INT_EQ(mkfifo(p, 0600), 0);
	CHECK_INT_EQ(fileio_read_all(p, 1 << 20, &buf, &len, &e), TERR_IO);
	CHECK_INT_EQ(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/none", dir);
	CHECK_INT_EQ(fileio_read_all(p, 1 << 20, &buf, &len, &e), TERR_IO);
	CHECK_CONTAINS(e.msg, "нет файла");
	put("empty", "", 0644, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_all(p, 10, &buf, &len, &e), 0);
	CHECK(len == 0 && buf != NULL && buf[0] == '\0');
	free(buf);
}

static void
test_write_private(void)
{
	char p[512], target[512];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct dirent *de;
	struct stat st;
	struct terr e;
	DIR *d;

	snprintf(p, sizeof(p), "%s/private", dir);
	CHECK_INT_EQ(fileio_write_private(p, "one", 3, &e), 0);
	CHECK_INT_EQ(stat(p, &st), 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	CHECK_INT_EQ(fileio_write_private(p, "two!", 4, &e), 0);
	CHECK_INT_EQ(fileio_read_all(p, 100, &buf, &len, &e), 0);
	CHECK(len == 4 && memcmp(buf, "two!", 4) == 0);
	free(buf);
	/* a planted link is replaced, and what it pointed at is untouched */
	put("victim", "keep", 0644, target, sizeof(target));
	snprintf(p, sizeof(p), "%s/planted", dir);
	CHECK_INT_EQ(symlink(target, p), 0);
	CHECK_INT_EQ(fileio_write_private(p, "new", 3, &e), 0);
	CHECK_INT_EQ(lstat(p, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	CHECK_INT_EQ(fileio_read_all(target, 100, &buf, &len, &e), 0);
	CHECK(len == 4 && memcmp(buf, "keep", 4) == 0);
	free(buf);
	/* the no-overwrite variant refuses a file and a link, even a dangling one */
	CHECK_INT_EQ(fileio_create_private(target, "x", 1, &e), TERR_IO);
	snprintf(p, sizeof(p), "%s/dangling", dir);
	CHECK_INT_EQ(symlink("/nonexistent/tetrad", p), 0);
	CHECK_INT_EQ(fileio_create_private(p, "x", 1, &e), TERR_IO);
	CHECK_INT_EQ(lstat(p, &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	snprintf(p, sizeof(p), "%s/fresh", dir);
	CHECK_INT_EQ(fileio_create_private(p, "x", 1, &e), 0);
	CHECK_INT_EQ(stat(p, &st), 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	/* no temporary file ("NAME.XXXXXX") is left beside them */
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			CHECK(strchr(de->d_name, '.') == NULL || strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0 || strcmp(de->d_name, "a.txt") == 0);
		closedir(d);
	}
}

/* Count of names in dir that start with prefix. */
static int
count_prefix(const char *prefix)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
test_private_stream(void)
{
	char p[512], target[512];
	struct fileio_private *w = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	struct terr e;
	FILE *f;
	mode_t old = umask(022);

	/* written by fd and by stream, nothing at the target until the commit */
	snprintf(p, sizeof(p), "%s/stream.csv", dir);
	CHECK_INT_EQ(fileio_private_open(p, &w, &e), 0);
	CHECK(w != NULL);
	if (w == NULL)
		return;
	CHECK_INT_EQ(write(fileio_private_fd(w), "ab", 2), 2);
	CHECK((f = fileio_private_stream(w, &e)) != NULL);
	CHECK(f == fileio_private_stream(w, &e));   /* made once */
	if (f != NULL)
		fputs("cd", f);
	CHECK_INT_EQ(lstat(p, &st), -1);
	CHECK_INT_EQ(count_prefix("stream.csv."), 1);
	CHECK_INT_EQ(fileio_private_commit(w, false, &e), 0);
	CHECK_INT_EQ(lstat(p, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	CHECK_INT_EQ(fileio_read_all(p, 100, &buf, &len, &e), 0);
	CHECK(len == 4 && memcmp(buf, "abcd", 4) == 0);
	free(buf);
	CHECK_INT_EQ(count_prefix("stream.csv."), 0);

	/* an abort leaves the old file and no temporary one */
	CHECK_INT_EQ(fileio_private_open(p, &w, &e), 0);
	CHECK_INT_EQ(write(fileio_private_fd(w), "zz", 2), 2);
	fileio_private_abort(w);
	fileio_private_abort(NULL);
	CHECK_INT_EQ(fileio_read_all(p, 100, &buf, &len, &e), 0);
	CHECK(len == 4 && memcmp(buf, "abcd", 4) == 0);
	free(buf);
	CHECK_INT_EQ(count_prefix("stream.csv."), 0);

	/* a link planted at the target is replaced; what it named is untouched */
	put("victim2", "keep", 0644, target, sizeof(target));
	snprintf(p, sizeof(p), "%s/stream-link", dir);
	CHECK_INT_EQ(symlink(target, p), 0);
	CHECK_INT_EQ(fileio_private_open(p, &w, &e), 0);
	CHECK_INT_EQ(write(fileio_private_fd(w), "new", 3), 3);
	CHECK_INT_EQ(fileio_private_commit(w, false, &e), 0);
	CHECK_INT_EQ(lstat(p, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	CHECK_INT_EQ(fileio_read_all(target, 100, &buf, &len, &e), 0);
	CHECK(len == 4 && memcmp(buf, "keep", 4) == 0);
	free(buf);

	/* keep_old refuses an existing target, leaves it and no temporary file */
	CHECK_INT_EQ(fileio_private_open(target, &w, &e), 0);
	CHECK_INT_EQ(write(fileio_private_fd(w), "x", 1), 1);
	CHECK_INT_EQ(fileio_private_commit(w, true, &e), TERR_IO);
	CHECK_CONTAINS(e.msg, "уже существует");
	CHECK_INT_EQ(fileio_read_all(target, 100, &buf, &len, &e), 0);
	CHECK(len == 4 && memcmp(buf, "keep", 4) == 0);
	free(buf);
	CHECK_INT_EQ(count_prefix("victim2."), 0);

	/* a folder that does not exist: refused, nothing made */
	snprintf(p, sizeof(p), "%s/no/such/file", dir);
	w = (struct fileio_private *)1;
	CHECK_INT_EQ(fileio_private_open(p, &w, &e), TERR_IO);
	CHECK(w == NULL);
	umask(old);
}

static void
test_passphrase(void)
{
	char p[512], out[FILEIO_PASSPHRASE_MAX + 1], small[4], *big;
	struct terr e;

	put("pass", "пароль школы\nвторая строка\n", 0600, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), 0);
	CHECK_STR_EQ(out, "пароль школы");
	put("pass", "pw\r\n", 0600, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), 0);
	CHECK_STR_EQ(out, "pw");
	put("pass", "no newline", 0600, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), 0);
	CHECK_STR_EQ(out, "no newline");
	put("pass", "\nsecond", 0600, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), TERR_PASSPHRASE);
	CHECK_STR_EQ(out, "");
	put("pass", "", 0600, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), TERR_PASSPHRASE);
	put("pass", "four", 0600, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_passphrase(p, small, sizeof(small), &e), TERR_PASSPHRASE);
	CHECK(small[0] == '\0' && small[3] == '\0');
	if ((big = malloc(FILEIO_PASSPHRASE_MAX + 3)) != NULL) {
		memset(big, 'x', FILEIO_PASSPHRASE_MAX);
		strcpy(big + FILEIO_PASSPHRASE_MAX, "\n");
		put("pass", big, 0600, p, sizeof(p));
		CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), 0);
		CHECK_INT_EQ(strlen(out), FILEIO_PASSPHRASE_MAX);
		strcpy(big + FILEIO_PASSPHRASE_MAX, "x\n");
		put("pass", big, 0600, p, sizeof(p));
		CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), TERR_PASSPHRASE);
		free(big);
	}
	snprintf(p, sizeof(p), "%s/nopass", dir);
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), TERR_IO);
	/* a file group or others may read (or write) is refused, naming the fix */
	put("pass", "shared\n", 0644, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), TERR_PASSPHRASE);
	CHECK_CONTAINS(e.msg, "chmod 600");
	CHECK_CONTAINS(e.msg, p);
	CHECK_STR_EQ(out, "");
	CHECK_INT_EQ(chmod(p, 0640), 0);
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(chmod(p, 0602), 0);
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(chmod(p, 0400), 0);
	CHECK_INT_EQ(fileio_read_passphrase(p, out, sizeof(out), &e), 0);
	CHECK_STR_EQ(out, "shared");
	CHECK_INT_EQ(chmod(p, 0600), 0);
}

static void
test_secret(void)
{
	char p[512];
	uint8_t buf[64];
	size_t len = 0;
	struct terr e;

	put("key", "0123456789", 0600, p, sizeof(p));
	CHECK_INT_EQ(fileio_read_secret(p, buf, 8, sizeof(buf), &len, &e), 0);
	CHECK(len == 10 && memcmp(buf, "0123456789", 10) == 0);
	CHECK_INT_EQ(fileio_read_secret(p, buf, 11, sizeof(buf), &len, &e), TERR_KEYFILE);
	CHECK_INT_EQ(fileio_read_secret(p, buf, 1, 9, &len, &e), TERR_KEYFILE);
	CHECK_INT_EQ(chmod(p, 0644), 0);
	CHECK_INT_EQ(fileio_read_secret(p, buf, 8, sizeof(buf), &len, &e), TERR_KEYFILE);
	CHECK_CONTAINS(e.msg, "chmod 600");
	CHECK_INT_EQ(chmod(p, 0640), 0);
	CHECK_INT_EQ(fileio_read_secret(p, buf, 8, sizeof(buf), &len, &e), TERR_KEYFILE);
	snprintf(p, sizeof(p), "%s/nokey", dir);
	CHECK_INT_EQ(fileio_read_secret(p, buf, 8, sizeof(buf), &len, &e), TERR_KEYFILE);
}

/* The shared variant: 0640 whatever the umask (a service's 0077), the
 * content in place, over an earlier 0600 file too. */
static void
test_write_shared(void)
{
	char p[512];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	struct terr e;
	mode_t old = umask(077);

	snprintf(p, sizeof(p), "%s/shared", dir);
	CHECK_INT_EQ(fileio_write_private(p, "one", 3, &e), 0);
	CHECK_INT_EQ(fileio_write_shared(p, "form", 4, &e), 0);
	CHECK_INT_EQ(stat(p, &st), 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0640);
	CHECK_INT_EQ(fileio_read_all(p, 100, &buf, &len, &e), 0);
	CHECK(len == 4 && memcmp(buf, "form", 4) == 0);
	free(buf);
	umask(old);
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_read_all();
	test_write_private();
	test_write_shared();
	test_private_stream();
	test_passphrase();
	test_secret();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
	return check_summary();
}
