/*
 * keys — key pairs, key ids and the key-file format (see keys.h and
 * docs/protocol.md). Buffers only: fileio's keyfile module reads and writes
 * the files.
 *
 * File layout, all integers big-endian:
 *   "TTKY" | version u8 = 1 | kind u8 | flags u8 (bit 0: passphrase) | 0 u8
 *   unprotected: secret key bytes
 *   protected:   salt (16) | opslimit u64 | memlimit u64 | nonce (24) |
 *                secretbox(secret key) (len + 16)
 */
#include <string.h>

#include <sodium.h>

#include "tetrad/keys.h"
#include "tetrad/tbuf.h"

#define KEYS_FILE_VERSION 1
#define KEYS_FLAG_PASSPHRASE 0x01
#define KEYS_FILE_HEADER 8
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
	case KEYS_DEVICE_BOX: return "ключ шифрования устройства";
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

int
keys_secret_seal(enum keys_kind kind, const uint8_t *sk, size_t len, const char *passphrase,
    uint8_t out[KEYS_FILE_MAX], size_t *outlen, struct terr *e)
{
	uint8_t key[crypto_secretbox_KEYBYTES];
	size_t n = 0;
	int protect = passphrase != NULL && passphrase[0] != '\0';

	*outlen = 0;
	if (len == 0 || len > 64)
		return terr_set(e, TERR_ARG, "недопустимая длина ключа");
	if (protect && strlen(passphrase) > KEYS_PASSPHRASE_MAX)
		return terr_set(e, TERR_PASSPHRASE, "парольная фраза длиннее %d байт", KEYS_PASSPHRASE_MAX);
	memcpy(out, "TTKY", 4);
	out[4] = KEYS_FILE_VERSION;
	out[5] = (uint8_t)kind;
	out[6] = protect ? KEYS_FLAG_PASSPHRASE : 0;
	out[7] = 0;
	n = KEYS_FILE_HEADER;
	if (!protect) {
		memcpy(out + n, sk, len);
		n += len;
	} else {
		uint8_t *salt = out + n;
		uint64_t ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		uint64_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		uint8_t *nonce;

		randombytes_buf(salt, crypto_pwhash_SALTBYTES);
		n += crypto_pwhash_SALTBYTES;
		keys_put_u64(out + n, ops);
		keys_put_u64(out + n + 8, mem);
		n += 16;
		nonce = out + n;
		randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
		n += crypto_secretbox_NONCEBYTES;
		if (crypto_pwhash(key, sizeof(key), passphrase, strlen(passphrase), salt,
		    ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
			sodium_memzero(out, KEYS_FILE_MAX);
			return terr_set(e, TERR_NOMEM, "недостаточно памяти для защиты ключа паролем");
		}
		crypto_secretbox_easy(out + n, sk, len, nonce, key);
		sodium_memzero(key, sizeof(key));
		n += len + crypto_secretbox_MACBYTES;
	}
	*outlen = n;
	return 0;
}

int
keys_secret_protected(const uint8_t *buf, size_t len, const char *name, struct terr *e)
{
	if (len < KEYS_FILE_HEADER || memcmp(buf, "TTKY", 4) != 0)
		return terr_set(e, TERR_MAGIC, "%s не является файлом ключа Tetrad", name);
	return (buf[6] & KEYS_FLAG_PASSPHRASE) != 0;
}

int
keys_secret_open(const uint8_t *buf, size_t flen, enum keys_kind kind, uint8_t *sk,
    size_t len, const char *passphrase, const char *name, struct terr *e)
{
	uint8_t key[crypto_secretbox_KEYBYTES];
	size_t n = KEYS_FILE_HEADER;
	int r = TERR_KEYFILE;

	if (flen < KEYS_FILE_HEADER || flen > KEYS_FILE_MAX) {
		terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён (размер %zu)", name, flen);
		goto out;
	}
	if (memcmp(buf, "TTKY", 4) != 0) {
		r = terr_set(e, TERR_MAGIC, "%s не является файлом ключа Tetrad", name);
		goto out;
	}
	if (buf[4] != KEYS_FILE_VERSION) {
		r = terr_set(e, TERR_VERSION, "файл ключа %s: неподдерживаемая версия %u", name, buf[4]);
		goto out;
	}
	if (buf[5] != (uint8_t)kind) {
		terr_set(e, TERR_KEYFILE, "в файле %s не %s", name, keys_kind_name(kind));
		goto out;
	}
	if ((buf[6] & ~KEYS_FLAG_PASSPHRASE) != 0 || buf[7] != 0) {
		terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён", name);
		goto out;
	}
	if (!(buf[6] & KEYS_FLAG_PASSPHRASE)) {
		if (flen != n + len) {
			terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён (неверная длина)", name);
			goto out;
		}
		memcpy(sk, buf + n, len);
		r = 0;
		goto out;
	}
	if (flen != n + crypto_pwhash_SALTBYTES + 16 + crypto_secretbox_NONCEBYTES + len +
	    crypto_secretbox_MACBYTES) {
		terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён (неверная длина)", name);
		goto out;
	}
	if (passphrase == NULL || passphrase[0] == '\0') {
		r = terr_set(e, TERR_PASSPHRASE, "ключ %s защищён парольной фразой: укажите её", name);
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
			terr_set(e, TERR_KEYFILE, "файл ключа %s повреждён (параметры Argon2id)", name);
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
			r = terr_set(e, TERR_PASSPHRASE, "неверная парольная фраза для ключа %s", name);
			goto out;
		}
	}
	r = 0;
 out:
	sodium_memzero(key, sizeof(key));
	return r;
}
