/* fileio — whole-file reads and private atomic writes (fileio.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tetrad/fileio.h"

/* Reads exactly len bytes from fd into buf. */
static int
fileio_read_fd(int fd, uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = read(fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int
fileio_read_all(const char *path, size_t max, uint8_t **out, size_t *len,
    struct terr *e)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd, r = TERR_IO;

	*out = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO at path would block open() before fstat could refuse it */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return terr_set(e, TERR_IO, errno == ENOENT ? "нет файла %s" :
		    "не удалось открыть %s: %s", path, terr_strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		terr_set(e, TERR_IO, "%s не является обычным файлом", path);
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		r = terr_set(e, TERR_TOO_LARGE, "файл %s больше допустимых %zu байт", path, max);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти для файла %s", path);
		goto out;
	}
	if (fileio_read_fd(fd, buf, (size_t)st.st_size) != 0) {
		terr_set(e, TERR_IO, "не удалось прочитать %s", path);
		goto out;
	}
	buf[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	*out = buf;
	buf = NULL;
	r = 0;
 out:
	if (buf != NULL) {
		/* a half-read file may be a key or children's data */
		sodium_memzero(buf, (size_t)st.st_size + 1);
		free(buf);
	}
	close(fd);
	return r;
}

int
fileio_read_secret(const char *path, uint8_t *buf, size_t min, size_t cap,
    size_t *len, struct terr *e)
{
	struct stat st;
	int fd, r = TERR_KEYFILE;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return terr_set(e, errno == ENOENT ? TERR_KEYFILE : TERR_IO,
		    "не удалось открыть файл ключа %s: %s", path, terr_strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		terr_set(e, TERR_KEYFILE, "%s не является файлом ключа", path);
		goto out;
	}
	if (st.st_mode & 077) {
		terr_set(e, TERR_KEYFILE, "файл ключа %s доступен другим пользователям; "
		    "выполните: chmod 600 %s", path, path);
		goto out;
	}
	if ((size_t)st.st_size < min || (uintmax_t)st.st_size > cap) {
		terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён (размер %lld)", path,
		    (long long)st.st_size);
		goto out;
	}
	if (fileio_read_fd(fd, buf, (size_t)st.st_size) != 0) {
		r = terr_set(e, TERR_IO, "не удалось прочитать %s", path);
		sodium_memzero(buf, cap);
		goto out;
	}
	*len = (size_t)st.st_size;
	r = 0;
 out:
	close(fd);
	return r;
}

/* The folder of path ("." for a bare name) into dir. */
static int
fileio_dir_of(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return snprintf(dir, cap, ".") >= (int)cap ? -1 : 0;
	if (slash == path)
		return snprintf(dir, cap, "/") >= (int)cap ? -1 : 0;
	if ((size_t)(slash - path) >= cap)
		return -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return 0;
}

/* A private file being written: the temporary name beside the target. */
struct fileio_private {
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	int fd;
	FILE *f;       /* made by fileio_private_stream, on fd */
	bool made;     /* tmp exists and is ours to remove */
};

int
fileio_private_open(const char *path, struct fileio_private **out, struct terr *e)
{
	struct fileio_private *p;
	struct stat st;
	int r = TERR_IO;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	p->fd = -1;
	if (snprintf(p->path, sizeof(p->path), "%s", path) >= (int)sizeof(p->path) ||
	    snprintf(p->tmp, sizeof(p->tmp), "%s.XXXXXX", path) >= (int)sizeof(p->tmp)) {
		r = terr_set(e, TERR_ARG, "слишком длинный путь %.200s", path);
		goto out;
	}
	/* mkstemp creates 0600 with O_CREAT|O_EXCL: a planted file or link is never reused */
	if ((p->fd = mkstemp(p->tmp)) < 0) {
		r = terr_set(e, errno == ENOSPC ? TERR_FULL : TERR_IO,
		    "не удалось создать файл рядом с %s: %s", path, terr_strerror(errno));
		goto out;
	}
	p->made = true;
	/* the hub starts other programs: they must not inherit a private file.
	 * glibc's mkstemp makes 0600; chmod only if a libc did otherwise (a FAT
	 * stick cannot store modes and would refuse or ignore it) */
	if (fcntl(p->fd, F_SETFD, FD_CLOEXEC) != 0 || fstat(p->fd, &st) != 0 ||
	    ((st.st_mode & 077) != 0 && fchmod(p->fd, 0600) != 0)) {
		r = terr_set(e, TERR_IO, "не удалось создать файл рядом с %s: %s", path,
		    terr_strerror(errno));
		goto out;
	}
	*out = p;
	p = NULL;
	r = 0;
 out:
	fileio_private_abort(p);
	return r;
}

int
fileio_private_fd(const struct fileio_private *p)
{
	return p->fd;
}

FILE *
fileio_private_stream(struct fileio_private *p, struct terr *e)
{
	if (p->f == NULL && (p->f = fdopen(p->fd, "wb")) == NULL)
		terr_set(e, TERR_NOMEM, "не удалось открыть поток для %s: %s", p->path,
		    terr_strerror(errno));
	return p->f;
}

int
fileio_private_commit(struct fileio_private *p, bool keep_old, struct terr *e)
{
	char dir[PATH_MAX];
	int dfd, r = TERR_IO;

	if (fileio_dir_of(p->path, dir, sizeof(dir)) != 0) {
		r = terr_set(e, TERR_ARG, "слишком длинный путь %.200s", p->path);
		goto out;
	}
	/* a write the caller did not check still stops a half file from being put in place */
	if (p->f != NULL && (fflush(p->f) != 0 || ferror(p->f))) {
		if (errno == 0)
			errno = EIO;
		goto fail;
	}
	if (fsync(p->fd) != 0)
		goto fail;
	/* close() may report a write that failed late (NFS, a full disk) */
	if (p->f != NULL ? fclose(p->f) != 0 : close(p->fd) != 0) {
		p->f = NULL;
		p->fd = -1;
		goto fail;
	}
	p->f = NULL;
	p->fd = -1;
	if (keep_old) {
		/* link() refuses an existing target, unlike rename() */
		if (link(p->tmp, p->path) != 0) {
			if (errno == EEXIST)
				r = terr_set(e, TERR_IO, "файл %s уже существует: он не будет перезаписан",
				    p->path);
			else
				r = terr_set(e, errno == ENOSPC ? TERR_FULL : TERR_IO,
				    "не удалось создать %s: %s", p->path, terr_strerror(errno));
			goto out;
		}
		unlink(p->tmp);
	} else if (rename(p->tmp, p->path) != 0) {
		goto fail;
	}
	p->made = false;
	/* the new name itself must reach the disk before we say "written" */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	r = 0;
	goto out;
 fail:
	r = terr_set(e, errno == ENOSPC ? TERR_FULL : TERR_IO, "не удалось записать %s: %s",
	    p->path, terr_strerror(errno));
 out:
	fileio_private_abort(p);
	return r;
}

void
fileio_private_abort(struct fileio_private *p)
{
	if (p == NULL)
		return;
	if (p->f != NULL)
		fclose(p->f);
	else if (p->fd >= 0)
		close(p->fd);
	if (p->made)
		unlink(p->tmp);
	free(p);
}

/*
 * Writes data to a new private file beside path and puts it in place (see
 * fileio_private_commit): the one private-write path, for whole buffers.
 */
static int
fileio_put_private(const char *path, const void *data, size_t len, bool keep_old,
    mode_t mode, struct terr *e)
{
	struct fileio_private *p = NULL;
	const uint8_t *b = data;
	size_t off = 0;
	int r;

	if ((r = fileio_private_open(path, &p, e)) != 0)
		return r;
	/* made 0600 like every private file; opened to the group only on the
	 * caller's word, before a byte is in it (an explicit mode: the umask of
	 * a service, 0077, would otherwise decide) */
	if (mode != 0600 && fchmod(p->fd, mode) != 0) {
		r = terr_set(e, TERR_IO, "не удалось задать права файла рядом с %s: %s", path,
		    terr_strerror(errno));
		fileio_private_abort(p);
		return r;
	}
	while (off < len) {
		ssize_t n = write(p->fd, b + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = terr_set(e, errno == ENOSPC ? TERR_FULL : TERR_IO,
			    "не удалось записать %s: %s", path, terr_strerror(errno));
			fileio_private_abort(p);
			return r;
		}
		off += (size_t)n;
	}
	return fileio_private_commit(p, keep_old, e);
}

int
fileio_write_private(const char *path, const void *data, size_t len, struct terr *e)
{
	return fileio_put_private(path, data, len, false, 0600, e);
}

int
fileio_write_shared(const char *path, const void *data, size_t len, struct terr *e)
{
	return fileio_put_private(path, data, len, false, 0640, e);
}

int
fileio_create_private(const char *path, const void *data, size_t len, struct terr *e)
{
	return fileio_put_private(path, data, len, true, 0600, e);
}

int
fileio_read_passphrase(const char *path, char *out, size_t cap, struct terr *e)
{
	char buf[FILEIO_PASSPHRASE_MAX + 2];
	struct stat st;
	size_t used = 0, n;
	int fd, r = TERR_PASSPHRASE;

	if (cap == 0)
		return terr_set(e, TERR_ARG, "нет места для парольной фразы");
	out[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return terr_set(e, TERR_IO, "не удалось открыть файл парольной фразы %s: %s",
		    path, terr_strerror(errno));
	if (fstat(fd, &st) != 0) {
		r = terr_set(e, TERR_IO, "не удалось прочитать %s: %s", path, terr_strerror(errno));
		goto out;
	}
	/* refused before a byte is read: the passphrase must not have been shared */
	if (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
		terr_set(e, TERR_PASSPHRASE, "файл парольной фразы %s доступен другим "
		    "пользователям (права %03o); выполните: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	/* read(2), not stdio: a FILE's buffer would keep a copy we cannot wipe */
	while (used < sizeof(buf) - 1) {
		ssize_t k = read(fd, buf + used, sizeof(buf) - 1 - used);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = terr_set(e, TERR_IO, "не удалось прочитать %s: %s", path, terr_strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		used += (size_t)k;
		if (memchr(buf, '\n', used) != NULL)
			break;
	}
	buf[used] = '\0';
	n = strcspn(buf, "\r\n");
	if (n == 0) {
		terr_set(e, TERR_PASSPHRASE, "файл парольной фразы %s пуст", path);
		goto out;
	}
	if (n >= cap || n > FILEIO_PASSPHRASE_MAX) {
		terr_set(e, TERR_PASSPHRASE, "парольная фраза в %s длиннее %zu байт", path,
		    (cap - 1 < FILEIO_PASSPHRASE_MAX ? cap - 1 : (size_t)FILEIO_PASSPHRASE_MAX));
		goto out;
	}
	memcpy(out, buf, n);
	out[n] = '\0';
	r = 0;
 out:
	sodium_memzero(buf, sizeof(buf));
	if (r != 0)
		sodium_memzero(out, cap);
	close(fd);
	return r;
}

int
fileio_fread(void *file, uint8_t *buf, size_t len, size_t *got, struct terr *e)
{
	FILE *f = file;

	*got = fread(buf, 1, len, f);
	if (*got < len && ferror(f))
		return terr_set(e, TERR_IO, "не удалось прочитать файл: %s", terr_strerror(errno));
	return 0;
}

int
fileio_fwrite(void *file, const uint8_t *buf, size_t len, struct terr *e)
{
	if (fwrite(buf, 1, len, (FILE *)file) != len)
		return terr_set(e, errno == ENOSPC ? TERR_FULL : TERR_IO,
		    "не удалось записать файл: %s", terr_strerror(errno));
	return 0;
}
