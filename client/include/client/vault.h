/*
 * vault — the key that seals a device's `local` values (names, phones, the
 * summary of a conflict: what never leaves the device) at rest.
 *
 * A per-database data key (32 random bytes) encrypts each record's local
 * values with XChaCha20-Poly1305 (records.sealed, schema 8). The data key
 * is stored only wrapped: once under a key derived from the user's
 * passphrase with Argon2id (crypto_pwhash), and optionally once under a
 * recovery key printed at set-up for the school's safe. Changing the
 * passphrase rewraps the data key; no value is touched.
 *
 * Everything the hub may see stays readable in records.data, so syncd,
 * listings, counts and exports of hub fields work while the vault is
 * locked. The unwrapped key lives in sodium_malloc'd memory (mlocked,
 * excluded from core dumps) and is wiped by vault_free.
 *
 * Stored as meta "vault" (one JSON object; docs/client.md "Passphrase"):
 *   {"v":1,"kdf":"argon2id13","ops":N,"mem":BYTES,"salt":"<b64>",
 *    "wrap":"<b64 nonce||ct>","recovery":"<b64 nonce||ct>" (optional)}
 * and meta "vault_failures" / "vault_failed_at" (wrong attempts in a row).
 *
 * Library code: never prints, never sleeps, never reads a terminal.
 */
#ifndef TETRAD_CLIENT_VAULT_H
#define TETRAD_CLIENT_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/localdb.h"
#include "tetrad/terr.h"

#define VAULT_KEY_BYTES 32
#define VAULT_PASS_MAX 1024          /* bytes of a passphrase, at most */
#define VAULT_PASS_MIN_CHARS 8       /* characters (UTF-8 code points), at least */
#define VAULT_RECOVERY_TEXT 40       /* "XXXX-XXXX-…": 8 groups of 4 base32 + dashes, with NUL */
#define VAULT_SEALED_MAX (1u << 20)  /* a record's sealed values, at most */
#define VAULT_FREE_TRIES 5           /* wrong attempts in a row before waits */

/* The text shown for a local value while the vault is locked. */
#define VAULT_HIDDEN "скрыто"

enum vault_state {
	VAULT_NONE = 0,     /* no passphrase set: local values are plain, in data */
	VAULT_LOCKED,       /* set, not unlocked in this process */
	VAULT_OPEN          /* set and unlocked: seal and open work */
};

/* Argon2id limits of a new wrap (stored with it; an old wrap keeps its own). */
struct vault_limits {
	unsigned long long ops;
	size_t mem;                  /* bytes */
};
/* The defaults: ops 3, mem 256 MiB (crypto_pwhash_*_MODERATE); with
 * TETRAD_PWHASH=test in the environment the library minimum (tests only:
 * docs/client.md says why it is there and that it is weak). */
void vault_limits_default(struct vault_limits *l);
/* Whether l is below the defaults: the test limits (TETRAD_PWHASH=test),
 * which a real installation must never use. The library says nothing; the
 * CLI warns when it sets a passphrase so, and `passphrase status` shows it. */
bool vault_limits_weak(const struct vault_limits *l);

struct vault;

/* Reads meta "vault": VAULT_NONE when absent or empty (vault_drop empties
 * it: localdb has no meta delete). TERR_PARSE (Russian message) when
 * present but damaged. Never unlocks. */
int vault_load(struct localdb *db, struct vault **out, struct terr *e);
/* The same, except that a damaged meta "vault" gives a VAULT_LOCKED vault
 * that is vault_damaged: it never unlocks (TERR_PARSE), only vault_drop
 * helps (`tetrad passphrase reset`); the parse error's message stays in e. */
int vault_load_any(struct localdb *db, struct vault **out, struct terr *e);
bool vault_damaged(const struct vault *v);
/* Wipes and frees the key. NULL is fine. */
void vault_free(struct vault *v);
enum vault_state vault_state(const struct vault *v);
/* Forgets the key (wiped): VAULT_LOCKED whatever it was, so nothing is
 * sealed or written plain until a vault is loaded again. */
void vault_lock(struct vault *v);
/* The limits of the stored passphrase wrap; whether a recovery wrap exists. */
void vault_info(const struct vault *v, struct vault_limits *l, bool *has_recovery);

/*
 * Milliseconds the next attempt must wait: 0 for the first VAULT_FREE_TRIES
 * wrong attempts in a row, then 2, 4, 8, … up to 60 s after the last failure
 * (counted from meta vault_failed_at, so a new process waits too).
 */
int vault_wait(struct vault *v, struct localdb *db, unsigned *ms,
    struct terr *e);
/*
 * Unwraps the data key with the passphrase (pass, len bytes; not
 * NUL-terminated necessarily). Wrong: TERR_PASSPHRASE («Неверный пароль.»),
 * the failure counted in meta (its own small transaction; nothing else
 * changes); right: the count reset, state VAULT_OPEN. Called before the
 * wait has passed: TERR_PASSPHRASE and a message naming the seconds left,
 * without trying (and without counting).
 */
int vault_unlock(struct vault *v, struct localdb *db, const char *pass, size_t len,
    struct terr *e);
/* The same with the recovery key's text (dashes, white space and case
 * ignored; the digits 0, 1, 8, never in the key, are read as O, I, B). A
 * text not shaped like a key is refused without counting. */
int vault_unlock_recovery(struct vault *v, struct localdb *db, const char *text,
    struct terr *e);

/*
 * Seal/open one record's local values (JSON text) under the data key.
 * Blob: 1 version byte, 24-byte nonce, ciphertext of the padded text (to a
 * multiple of 64 bytes, so a name's length shows less), 16-byte tag; the
 * record id is the associated data (a blob moved to another record does not
 * open). VAULT_OPEN required, else TERR_PASSPHRASE («Хранилище закрыто …»).
 * *out malloc'd (open: NUL-terminated text). TERR_DECRYPT for a damaged or
 * foreign blob, TERR_TOO_LARGE over VAULT_SEALED_MAX.
 */
int vault_seal(const struct vault *v, const uint8_t id[LOCALDB_ID_BYTES],
    const char *json, size_t len, uint8_t **out, size_t *out_len, struct terr *e);
int vault_open(const struct vault *v, const uint8_t id[LOCALDB_ID_BYTES],
    const uint8_t *blob, size_t len, char **json, struct terr *e);

/*
 * Key lifecycle. Each writes meta "vault" only (inside the caller's
 * transaction when there is one — passphrase.c runs the record migration in
 * the same one). The vault must be VAULT_NONE for _create, VAULT_OPEN for
 * _rewrap; _drop takes any state (a LOCKED one too: passphrase_reset, when
 * both passphrase and recovery key are forgotten). lim NULL: the defaults.
 * The struct changes only when the meta write succeeded; if the caller's
 * transaction is then rolled back, vault_free it and vault_load again.
 *
 * _create: a new data key wrapped under pass with lim; with recovery_text
 * non-NULL also a recovery key, its text written there (show it once).
 * State becomes VAULT_OPEN. _rewrap: the same data key under a new pass
 * (recovery wrap kept). _drop: meta "vault" emptied (= absent), the wrong
 * attempts counter reset, key wiped, state VAULT_NONE.
 */
int vault_create(struct vault *v, struct localdb *db, const char *pass, size_t len,
    const struct vault_limits *lim, char recovery_text[VAULT_RECOVERY_TEXT],
    struct terr *e);
int vault_rewrap(struct vault *v, struct localdb *db, const char *pass, size_t len,
    const struct vault_limits *lim, struct terr *e);
int vault_drop(struct vault *v, struct localdb *db, struct terr *e);

/* TERR_ARG with a Russian reason when pass is too short or too long or not
 * UTF-8. */
int vault_pass_check(const char *pass, size_t len, struct terr *e);

#endif
