/*
 * keys — key pairs, key ids and key files (see keys.h and docs/protocol.md).
 *
 * File layout, all integers big-endian:
 *   "TTKY" | version u8 = 1 | kind u8 | flags u8 (bit 0: passphrase) | 0 u8
 *   unprotected: secret key bytes
 *   protected:   salt (16) | opslimit u64 | memlimit u64 | nonce (24) |
 *                secretbox(secret key) (len + 16)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tetrad/keys.h"
#include "tetrad/tbuf.h"

#define KEYS_FILE_VERSION 1
#define KEYS_FLAG_PASSPHRASE 0x01
#define KEYS_FILE_HEADER 8
#define KEYS_FILE_MAX 1024
/* A hostile or damaged file must not make us spend minutes or gigabytes. */
#define KEYS_OPSLIMIT_MAX 16ULL
#define KEYS_MEMLIMIT_MAX (1ULL << 30)

int
keys_init(struct terr *e)
{
	if (sodium_init() < 0)
		return terr_set(e, TERR_CRYPTO, "не удалось инициализировать libsodium");
	return 0;
}

int
keys_sign_generate(struct keys_sign *k)
{
	return crypto_sign_keypair(k->pk, k->sk) == 0 ? 0 : TERR_CRYPTO;
}

int
keys_enc_generate(struct keys_enc *k)
{
	return crypto_box_keypair(k->pk, k->sk) == 0 ? 0 : TERR_CRYPTO;
}

int
keys_sign_from_seed(struct keys_sign *k, const uint8_t seed[32])
{
	return crypto_sign_seed_keypair(k->pk, k->sk, seed) == 0 ? 0 : TERR_CRYPTO;
}

int
keys_enc_from_seed(struct keys_enc *k, const uint8_t seed[32])
{
	return crypto_box_seed_keypair(k->pk, k->sk, seed) == 0 ? 0 : TERR_CRYPTO;
}

void
keys_sign_wipe(struct keys_sign *k)
{
	sodium_memzero(k->sk, sizeof(k->sk));
}

void
keys_enc_wipe(struct keys_enc *k)
{
	sodium_memzero(k->sk, sizeof(k->sk));
}

void
keys_id(const uint8_t pk[32], uint8_t id[KEYS_ID_BYTES])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), pk, 32, NULL, 0);
	memcpy(id, h, KEYS_ID_BYTES);
}

void
keys_id_hex(const uint8_t pk[32], char out[KEYS_ID_HEXLEN + 1])
{
	uint8_t id[KEYS_ID_BYTES];

	keys_id(pk, id);
	keys_hex(id, sizeof(id), out);
}

uint64_t
keys_id_u64(const uint8_t id[KEYS_ID_BYTES])
{
	uint64_t v = 0;

	for (int i = 0; i < KEYS_ID_BYTES; i++)
		v = v << 8 | id[i];
	return v;
}

void
keys_sign_pk_from_sk(const uint8_t sk[64], uint8_t pk[32])
{
	crypto_sign_ed25519_sk_to_pk(pk, sk);
}

void
keys_enc_pk_from_sk(const uint8_t sk[32], uint8_t pk[32])
{
	crypto_scalarmult_base(pk, sk);
}

void
keys_hex(const uint8_t *in, size_t len, char *out)
{
	sodium_bin2hex(out, len * 2 + 1, in, len);
}

int
keys_unhex(const char *hex, uint8_t *out, size_t len)
{
	size_t got = 0;
	const char *end = NULL;

	if (hex == NULL || strlen(hex) != len * 2)
		return TERR_PARSE;
	if (sodium_hex2bin(out, len, hex, len * 2, NULL, &got, &end) != 0 ||
	    got != len || *end != '\0')
		return TERR_PARSE;
	return 0;
}

static const char *
keys_kind_name(enum keys_kind kind)
{
	switch (kind) {
	case KEYS_DEVICE_SIGN: return "ключ подписи устройства";
	case KEYS_HUB_ENC: return "ключ шифрования хаба";
	case KEYS_HUB_SIGN: return "ключ подписи хаба";
	}
	return "ключ";
}

static void
keys_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t
keys_get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Writes data to path via a temporary file, fsync and rename; mode 0600. */
static int
keys_write_atomic(const char *path, const uint8_t *data, size_t len, struct terr *e)
{
	char tmp[PATH_MAX];
	int fd = -1, r = TERR_IO;
	size_t off = 0;
	struct stat st;

	if (stat(path, &st) == 0)
		return terr_set(e, TERR_IO, "файл ключа %s уже существует: он не будет перезаписан", path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
		return terr_set(e, TERR_ARG, "слишком длинный путь к файлу ключа");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		terr_set(e, TERR_IO, "не удалось создать %s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			terr_set(e, TERR_IO, "не удалось записать %s: %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		terr_set(e, TERR_IO, "не удалось сохранить %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	/* link() refuses an existing target, unlike rename(): no race overwrites a key. */
	if (link(tmp, path) != 0) {
		terr_set(e, TERR_IO, "не удалось создать файл ключа %s: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
 out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}

int
keys_save_secret(const char *path, enum keys_kind kind, const uint8_t *sk,
    size_t len, const char *passphrase, struct terr *e)
{
	uint8_t file[KEYS_FILE_MAX];
	uint8_t key[crypto_secretbox_KEYBYTES];
	size_t n = 0;
	int protect = passphrase != NULL && passphrase[0] != '\0';
	int r;

	if (len == 0 || len > 64)
		return terr_set(e, TERR_ARG, "недопустимая длина ключа");
	if (protect && strlen(passphrase) > KEYS_PASSPHRASE_MAX)
		return terr_set(e, TERR_PASSPHRASE, "парольная фраза длиннее %d байт", KEYS_PASSPHRASE_MAX);
	memcpy(file, "TTKY", 4);
	file[4] = KEYS_FILE_VERSION;
	file[5] = (uint8_t)kind;
	file[6] = protect ? KEYS_FLAG_PASSPHRASE : 0;
	file[7] = 0;
	n = KEYS_FILE_HEADER;
	if (!protect) {
		memcpy(file + n, sk, len);
		n += len;
	} else {
		uint8_t *salt = file + n;
		uint64_t ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		uint64_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		uint8_t *nonce;

		randombytes_buf(salt, crypto_pwhash_SALTBYTES);
		n += crypto_pwhash_SALTBYTES;
		keys_put_u64(file + n, ops);
		keys_put_u64(file + n + 8, mem);
		n += 16;
		nonce = file + n;
		randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
		n += crypto_secretbox_NONCEBYTES;
		if (crypto_pwhash(key, sizeof(key), passphrase, strlen(passphrase), salt,
		    ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
			sodium_memzero(file, sizeof(file));
			return terr_set(e, TERR_NOMEM, "недостаточно памяти для защиты ключа паролем");
		}
		crypto_secretbox_easy(file + n, sk, len, nonce, key);
		sodium_memzero(key, sizeof(key));
		n += len + crypto_secretbox_MACBYTES;
	}
	r = keys_write_atomic(path, file, n, e);
	sodium_memzero(file, sizeof(file));
	return r;
}

/* Reads the whole key file, refusing group/other access and oversize files. */
static int
keys_read_file(const char *path, uint8_t *buf, size_t *len, struct terr *e)
{
	int fd, r = TERR_KEYFILE;
	struct stat st;
	size_t off = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return terr_set(e, errno == ENOENT ? TERR_KEYFILE : TERR_IO,
		    "не удалось открыть файл ключа %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		terr_set(e, TERR_KEYFILE, "%s не является файлом ключа", path);
		goto out;
	}
	if (st.st_mode & 077) {
		terr_set(e, TERR_KEYFILE,
		    "файл ключа %s доступен другим пользователям; выполните: chmod 600 %s", path, path);
		goto out;
	}
	if (st.st_size < KEYS_FILE_HEADER || (size_t)st.st_size > KEYS_FILE_MAX) {
		terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён (размер %lld)", path, (long long)st.st_size);
		goto out;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			terr_set(e, TERR_IO, "не удалось прочитать %s", path);
			goto out;
		}
		off += (size_t)n;
	}
	*len = off;
	r = 0;
 out:
	close(fd);
	return r;
}

int
keys_file_protected(const char *path, struct terr *e)
{
	uint8_t buf[KEYS_FILE_MAX];
	size_t len = 0;
	int r;

	if ((r = keys_read_file(path, buf, &len, e)) != 0)
		return r;
	r = memcmp(buf, "TTKY", 4) != 0 ? terr_set(e, TERR_MAGIC, "%s не является файлом ключа Tetrad", path)
	    : (buf[6] & KEYS_FLAG_PASSPHRASE) != 0;
	sodium_memzero(buf, sizeof(buf));
	return r;
}

int
keys_load_secret(const char *path, enum keys_kind kind, uint8_t *sk,
    size_t len, const char *passphrase, struct terr *e)
{
	uint8_t buf[KEYS_FILE_MAX];
	uint8_t key[crypto_secretbox_KEYBYTES];
	size_t flen = 0, n = KEYS_FILE_HEADER;
	int r;

	if ((r = keys_read_file(path, buf, &flen, e)) != 0)
		goto out;
	r = TERR_KEYFILE;
	if (memcmp(buf, "TTKY", 4) != 0) {
		terr_set(e, TERR_MAGIC, "%s не является файлом ключа Tetrad", path);
		r = TERR_MAGIC;
		goto out;
	}
	if (buf[4] != KEYS_FILE_VERSION) {
		r = terr_set(e, TERR_VERSION, "файл ключа %s: неподдерживаемая версия %u", path, buf[4]);
		goto out;
	}
	if (buf[5] != (uint8_t)kind) {
		terr_set(e, TERR_KEYFILE, "в файле %s не %s", path, keys_kind_name(kind));
		goto out;
	}
	if ((buf[6] & ~KEYS_FLAG_PASSPHRASE) != 0 || buf[7] != 0) {
		terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён", path);
		goto out;
	}
	if (!(buf[6] & KEYS_FLAG_PASSPHRASE)) {
		if (flen != n + len) {
			terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён (неверная длина)", path);
			goto out;
		}
		memcpy(sk, buf + n, len);
		r = 0;
		goto out;
	}
	if (flen != n + crypto_pwhash_SALTBYTES + 16 + crypto_secretbox_NONCEBYTES + len +
	    crypto_secretbox_MACBYTES) {
		terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён (неверная длина)", path);
		goto out;
	}
	if (passphrase == NULL || passphrase[0] == '\0') {
		r = terr_set(e, TERR_PASSPHRASE, "ключ %s защищён парольной фразой: укажите её", path);
		goto out;
	}
	{
		const uint8_t *salt = buf + n;
		uint64_t ops = keys_get_u64(buf + n + crypto_pwhash_SALTBYTES);
		uint64_t mem = keys_get_u64(buf + n + crypto_pwhash_SALTBYTES + 8);
		const uint8_t *nonce = buf + n + crypto_pwhash_SALTBYTES + 16;
		const uint8_t *box = nonce + crypto_secretbox_NONCEBYTES;

		if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > KEYS_OPSLIMIT_MAX ||
		    mem < crypto_pwhash_MEMLIMIT_MIN || mem > KEYS_MEMLIMIT_MAX) {
			terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён (параметры Argon2id)", path);
			goto out;
		}
		if (strlen(passphrase) > KEYS_PASSPHRASE_MAX ||
		    crypto_pwhash(key, sizeof(key), passphrase, strlen(passphrase), salt,
		    ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
			r = terr_set(e, TERR_PASSPHRASE, "не удалось проверить парольную фразу");
			goto out;
		}
		if (crypto_secretbox_open_easy(sk, box, len + crypto_secretbox_MACBYTES, nonce, key) != 0) {
			sodium_memzero(sk, len);
			r = terr_set(e, TERR_PASSPHRASE, "неверная парольная фраза для ключа %s", path);
			goto out;
		}
	}
	r = 0;
 out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(buf, sizeof(buf));
	return r;
}
