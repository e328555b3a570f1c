/*
 * vault_private — what vault.c (keys, unlock, seal/open) and vault_meta.c
 * (the stored meta, the wrong attempts counter, the recovery text, the
 * passphrase rules) share. Not for other modules.
 */
#ifndef TETRAD_CLIENT_VAULT_PRIVATE_H
#define TETRAD_CLIENT_VAULT_PRIVATE_H

#include <sodium.h>

#include "client/vault.h"
#include "client/vault_internal.h"

#define VAULT_META "vault"
#define VAULT_META_FAILURES "vault_failures"
#define VAULT_META_FAILED_AT "vault_failed_at"
#define VAULT_META_MAX 4096          /* the meta text: ~300 bytes when well-formed */
#define VAULT_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define VAULT_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define VAULT_WRAP_BYTES (VAULT_NONCE + VAULT_KEY_BYTES + VAULT_TAG)
#define VAULT_SALT crypto_pwhash_SALTBYTES
/* Caps over libsodium's own maxima: one unlock of a crafted row stays
 * within seconds and 1 GiB, which a school PC has (the default is ops 3,
 * 256 MiB). */
#define VAULT_OPS_MAX 10ULL
#define VAULT_MEM_MAX (1ULL << 30)
#define VAULT_PAD_BLOCK 64
#define VAULT_BLOB_VERSION 1
#define VAULT_BLOB_MIN (1 + VAULT_NONCE + VAULT_PAD_BLOCK + VAULT_TAG)
#define VAULT_WAIT_MAX 60u          /* seconds */
#define VAULT_RECOVERY_CHARS 32      /* base32 symbols of the 20 bytes */

struct vault {
	enum vault_state state;
	struct vault_limits lim;          /* of the passphrase wrap */
	uint8_t salt[VAULT_SALT];
	uint8_t wrap[VAULT_WRAP_BYTES];
	bool has_recovery;
	uint8_t recovery[VAULT_WRAP_BYTES];
	uint8_t *key;    /* sodium_malloc'd, read-only; non-NULL iff VAULT_OPEN */
	bool damaged;    /* vault_load_any: meta "vault" set but unreadable */
};

/* Parses meta "vault" text into v (state VAULT_LOCKED) or TERR_PARSE. */
int vault_parse(struct vault *v, const char *text, size_t len, struct terr *e);
/* meta "vault" is absent or empty: TERR_PARSE (a damaged row's error) when
 * some record still has sealed values, else 0. */
int vault_orphans_check(struct localdb *db, struct terr *e);
/* Writes meta "vault" of these wraps (recovery may be NULL). */
int vault_meta_write(struct localdb *db, const struct vault_limits *lim,
    const uint8_t salt[VAULT_SALT], const uint8_t wrap[VAULT_WRAP_BYTES],
    const uint8_t *recovery, struct terr *e);
/* lim, or the defaults when NULL, into out; TERR_ARG outside the caps. */
int vault_limits_pick(const struct vault_limits *lim, struct vault_limits *out,
    struct terr *e);
/* The wrong attempts in a row and the time of the last one (ms, as
 * vault_now_ms). */
int vault_failures_read(struct localdb *db, unsigned *n, int64_t *at,
    struct terr *e);
/* One more wrong attempt (at: vault_now_ms), counted BEFORE the check in a
 * short transaction of its own with one incrementing statement: a rollback
 * of the caller's never erases it, concurrent processes never lose one.
 * TERR_INTERNAL inside a transaction; TERR_IO (Russian: the passphrase is
 * not checked) when it cannot be written. */
int vault_failures_bump(struct localdb *db, int64_t at, struct terr *e);
/* Back to none (writes only when there were some). */
int vault_failures_reset(struct localdb *db, struct terr *e);

#endif
