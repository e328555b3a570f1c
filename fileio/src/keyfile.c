/* keyfile — secret key files on disk (keyfile.h). */
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>

#include <sodium.h>

#include "tetrad/fileio.h"
#include "tetrad/keyfile.h"

/* The smallest key file: its 8-byte header. */
#define KEYFILE_MIN 8

int
keyfile_save(const char *path, enum keys_kind kind, const uint8_t *sk,
    size_t len, const char *passphrase, struct terr *e)
{
	uint8_t file[KEYS_FILE_MAX];
	struct stat st;
	size_t n = 0;
	int r;

	/* said early, in the key's words; fileio_create_private refuses it again without a race */
	if (lstat(path, &st) == 0)
		return terr_set(e, TERR_IO, "файл ключа %s уже существует: он не будет перезаписан", path);
	if ((r = keys_secret_seal(kind, sk, len, passphrase, file, &n, e)) != 0)
		return r;
	r = fileio_create_private(path, file, n, e);
	sodium_memzero(file, sizeof(file));
	return r;
}

int
keyfile_load(const char *path, enum keys_kind kind, uint8_t *sk,
    size_t len, const char *passphrase, struct terr *e)
{
	uint8_t buf[KEYS_FILE_MAX];
	size_t n = 0;
	int r;

	if ((r = fileio_read_secret(path, buf, KEYFILE_MIN, sizeof(buf), &n, e)) == 0)
		r = keys_secret_open(buf, n, kind, sk, len, passphrase, path, e);
	sodium_memzero(buf, sizeof(buf));
	return r;
}

int
keyfile_protected(const char *path, struct terr *e)
{
	uint8_t buf[KEYS_FILE_MAX];
	size_t n = 0;
	int r;

	if ((r = fileio_read_secret(path, buf, KEYFILE_MIN, sizeof(buf), &n, e)) == 0)
		r = keys_secret_protected(buf, n, path, e);
	sodium_memzero(buf, sizeof(buf));
	return r;
}
