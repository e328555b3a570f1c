/*
 * keys — device and hub key pairs, key ids, and the key-file format.
 *
 * A device has one Ed25519 identity. The hub has an X25519 key that change
 * sets are encrypted to and an Ed25519 key it signs acknowledgements and form
 * bundles with. A key id is the first KEYS_ID_BYTES of BLAKE2b-256 of the
 * public key, so keys can rotate and a header can name which one it used.
 *
 * Secret key files (written and read by fileio's keyfile module) are created
 * 0600, refused on load if group/other can read them, and optionally sealed with a passphrase: Argon2id
 * (crypto_pwhash, moderate limits) derives a secretbox key. Secrets are wiped
 * with sodium_memzero as soon as they are no longer needed.
 */
#ifndef TETRAD_KEYS_H
#define TETRAD_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/terr.h"

#define KEYS_ID_BYTES 8
#define KEYS_ID_HEXLEN (KEYS_ID_BYTES * 2)
#define KEYS_SIGN_PK_BYTES 32
#define KEYS_SIGN_SK_BYTES 64
#define KEYS_ENC_PK_BYTES 32
#define KEYS_ENC_SK_BYTES 32
#define KEYS_PASSPHRASE_MAX 1024
#define KEYS_FILE_MAX 1024        /* bytes of a key file, at most */

enum keys_kind {
	KEYS_DEVICE_SIGN = 1, /* Ed25519 secret key of a device */
	KEYS_HUB_ENC = 2,     /* X25519 secret key of a hub */
	KEYS_HUB_SIGN = 3,    /* Ed25519 secret key of a hub */
	KEYS_DEVICE_BOX = 4,  /* X25519 secret key of a device: pull answers are sealed to it */
};

struct keys_sign {
	uint8_t pk[KEYS_SIGN_PK_BYTES];
	uint8_t sk[KEYS_SIGN_SK_BYTES];
};

struct keys_enc {
	uint8_t pk[KEYS_ENC_PK_BYTES];
	uint8_t sk[KEYS_ENC_SK_BYTES];
};

/* Calls sodium_init(); every program calls this once before anything else. */
int keys_init(struct terr *e);

int keys_sign_generate(struct keys_sign *k);
int keys_enc_generate(struct keys_enc *k);
/* Deterministic variants for test vectors only. */
int keys_sign_from_seed(struct keys_sign *k, const uint8_t seed[32]);
int keys_enc_from_seed(struct keys_enc *k, const uint8_t seed[32]);
/* Wipes the secret half. */
void keys_sign_wipe(struct keys_sign *k);
void keys_enc_wipe(struct keys_enc *k);

void keys_id(const uint8_t pk[32], uint8_t id[KEYS_ID_BYTES]);
void keys_id_hex(const uint8_t pk[32], char out[KEYS_ID_HEXLEN + 1]);
/* The key id as a big-endian integer: the node of a device's HLC. */
uint64_t keys_id_u64(const uint8_t id[KEYS_ID_BYTES]);

/*
 * The key-file format, on buffers (fileio's keyfile module does the files).
 *
 * keys_secret_seal writes the secret key sk (len bytes, at most 64) of kind
 * into out as a key file's bytes (*outlen of them), sealed with passphrase
 * (Argon2id + secretbox) unless it is NULL or "". out is wiped on failure.
 */
int keys_secret_seal(enum keys_kind kind, const uint8_t *sk, size_t len, const char *passphrase,
    uint8_t out[KEYS_FILE_MAX], size_t *outlen, struct terr *e);
/*
 * Opens a key file's bytes buf (len) as a secret key of kind into sk
 * (exactly sklen bytes). name (the file's path) only goes into messages.
 * TERR_PASSPHRASE if the key is protected and passphrase is NULL or wrong;
 * TERR_MAGIC if buf is not a key file; TERR_KEYFILE if it is of another
 * kind or damaged. The caller wipes buf.
 */
int keys_secret_open(const uint8_t *buf, size_t len, enum keys_kind kind, uint8_t *sk,
    size_t sklen, const char *passphrase, const char *name, struct terr *e);
/* 1 if the key file's bytes need a passphrase, 0 if not, TERR_MAGIC if not a key file. */
int keys_secret_protected(const uint8_t *buf, size_t len, const char *name, struct terr *e);

/* Derives the public half from a loaded secret key. */
void keys_sign_pk_from_sk(const uint8_t sk[64], uint8_t pk[32]);
void keys_enc_pk_from_sk(const uint8_t sk[32], uint8_t pk[32]);

/* Lowercase hex of len bytes into out (2*len+1); and back (TERR_PARSE). */
void keys_hex(const uint8_t *in, size_t len, char *out);
int keys_unhex(const char *hex, uint8_t *out, size_t len);

#endif
