/*
 * tokens — one-time enrollment tokens and the enrollment of devices.
 *
 * A token is 20 characters of Crockford base32 (100 random bits) shown in
 * groups of four; the hub stores only its BLAKE2b-256 hash, its expiry and
 * who redeemed it. Enrollment binds a device's Ed25519 public key to the
 * school (or a curator's schools) the token was made for. A retry of an
 * enrollment whose answer was lost (same token, same key) gets the same
 * answer; any other second use is refused.
 */
#ifndef TETRAD_HUB_TOKENS_H
#define TETRAD_HUB_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#include "hub/hubdb.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "tetrad/wire.h"

#define TOKENS_TEXT_MAX WIRE_ENROLL_TOKEN_MAX   /* a token as typed, bytes */
#define TOKENS_ENROLL_BODY_MAX WIRE_ENROLL_REQ_MAX   /* POST /v1/enroll body */
#define TOKENS_DEFAULT_TTL (7 * 24 * 3600)

struct tokens_enroll_req {
	char token[TOKENS_TEXT_MAX + 1];
	uint8_t device_pk[KEYS_SIGN_PK_BYTES];
	char label[HUBDB_LABEL_MAX + 1];
	bool have_schools;                      /* false: an old program's request */
	char schools[HUBDB_SCHOOLS_MAX + 1];    /* what the device is set up for */
	bool have_sig;                          /* signed by the device key */
	uint8_t sig[WIRE_ENROLL_SIG_BYTES];
};

/* Parses an enrollment request body (hostile input) with
 * wire_enroll_req_parse; TERR_PARSE/TERR_SCHEMA/TERR_UTF8/TERR_TOO_LARGE/
 * TERR_TRAILING with a Russian message, *req all zero on failure. */
int tokens_parse_enroll(const char *body, size_t len, struct tokens_enroll_req *req,
    struct terr *e);

/* "7d", "12h", "30m", "90s" → seconds; TERR_ARG otherwise. */
int tokens_parse_ttl(const char *s, int64_t *out, struct terr *e);

/*
 * Creates a token for a school (kind "school", schools = its code) or a
 * curator (kind "curator", name, schools = comma list) valid for ttl_s
 * seconds, writes its text to out.
 */
int tokens_create(struct hubdb *db, const char *kind, const char *name,
    const char *schools, int64_t ttl_s, char out[TOKENS_TEXT_MAX + 1],
    struct terr *e);

/*
 * NULL when pk can be a device's key; else why not (Russian): not a valid
 * Ed25519 point (all-zero, the identity, small order, a non-canonical
 * encoding: crypto_core_ed25519_is_valid_point), or the bytes of the hub's
 * own signing or encryption key. enc and sign may be NULL.
 */
const char *tokens_key_unusable(const uint8_t pk[KEYS_SIGN_PK_BYTES],
    const struct keys_enc *enc, const struct keys_sign *sign);

/*
 * Whether every school of device (the comma list a device sends: the
 * schools it is set up for) is one of token's. A school token fits a
 * device set up for its school or for none; a curator's token fits a
 * device set up for any of its schools (a curator's PC records in one
 * school it looks after) or for none.
 */
bool tokens_schools_fit(const char *device, const char *token);

/*
 * Handles POST /v1/enroll: *http is 200 with the enrollment answer in out,
 * or 400/403/409/410 with {"error","message"} (docs/hub-api.md). Every
 * check is made on a read snapshot before the write lock is taken; a
 * refusal spends no token and registers nothing. A key already registered
 * for exactly what a valid token gives is answered 200 as it is (the
 * token stays unspent). A key registered for something else that never
 * sent anything and is not revoked is re-bound to what the token gives
 * (the token is spent) when the request is signed with that key: the
 * recovery of a PC an older program enrolled with another school's token. Returns <0 only on store failure (TERR_FULL/BUSY
 * for 503).
 */
int tokens_enroll(struct hubdb *db, const struct keys_enc *enc,
    const struct keys_sign *sign, const char *body, size_t len, int *http,
    struct tbuf *out, struct terr *e);

#endif
