/*
 * envelope — a change set sealed for the hub: compressed, encrypted to the
 * hub's X25519 key with an ephemeral key, signed by the device.
 *
 * Layout (docs/protocol.md has every byte): a fixed ENVELOPE_HEADER_BYTES
 * header, the XChaCha20-Poly1305 ciphertext (AD = header), and an Ed25519
 * signature over header and ciphertext.
 *
 * Opening order, and why: size caps, header parse (cheap, no crypto) → the
 * caller looks up the device's public key by header.device_id → signature
 * (nothing is decrypted for an unauthenticated sender) → decrypt →
 * decompress → parse → cross-check header against plaintext.
 */
#ifndef TETRAD_ENVELOPE_H
#define TETRAD_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/changeset.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

#define ENVELOPE_VERSION 1
#define ENVELOPE_HEADER_BYTES 140
#define ENVELOPE_SIG_BYTES 64
#define ENVELOPE_TAG_BYTES 16
#define ENVELOPE_NONCE_BYTES 24
#define ENVELOPE_MAX_BYTES (16u << 20)  /* whole envelope on the wire */
#define ENVELOPE_FLAG_DEFLATE 0x01

struct envelope_header {
	uint8_t version;
	uint8_t flags;
	uint8_t device_id[KEYS_ID_BYTES];
	uint8_t hub_key_id[KEYS_ID_BYTES];
	uint64_t first_seq, last_seq;
	uint32_t op_count;
	uint32_t plain_len;                 /* canonical encoding, before deflate */
	uint8_t prev_hash[CHANGESET_HASH_BYTES];
	uint8_t eph_pk[KEYS_ENC_PK_BYTES];
	uint8_t nonce[ENVELOPE_NONCE_BYTES];
	uint32_t cipher_len;                /* includes the AEAD tag */
};

/*
 * Test vectors only: fixes the ephemeral key seed and the nonce so sealing is
 * reproducible. Programs always pass NULL.
 */
struct envelope_det {
	uint8_t eph_seed[32];
	uint8_t nonce[ENVELOPE_NONCE_BYTES];
};

/*
 * Seals cs for the hub whose encryption public key is hub_enc_pk, signed with
 * the device key dev. Appends the envelope to out. If set_hash is not NULL it
 * receives changeset_hash of the canonical encoding.
 */
int envelope_seal(const struct changeset *cs, const struct keys_sign *dev,
    const uint8_t hub_enc_pk[KEYS_ENC_PK_BYTES], const struct envelope_det *det,
    struct tbuf *out, uint8_t set_hash[CHANGESET_HASH_BYTES], struct terr *e);

/* Size caps and header parse only: no crypto. */
int envelope_parse_header(const uint8_t *buf, size_t len,
    struct envelope_header *h, struct terr *e);

/*
 * The header alone, from its first ENVELOPE_HEADER_BYTES bytes, before the
 * rest has arrived: the same checks as envelope_parse_header except the
 * length, which it returns in *total (header + ciphertext + signature, at
 * most ENVELOPE_MAX_BYTES). The hub uses it to decide whether to read the
 * rest of a body at all.
 */
int envelope_parse_header_only(const uint8_t buf[ENVELOPE_HEADER_BYTES],
    struct envelope_header *h, size_t *total, struct terr *e);

/* Signature check only (after envelope_parse_header); TERR_SIGNATURE. */
int envelope_verify(const uint8_t *buf, size_t len,
    const uint8_t device_pk[KEYS_SIGN_PK_BYTES], struct terr *e)
    __attribute__((warn_unused_result));

/*
 * The signature check of envelope_verify for a header h already parsed from
 * buf by envelope_parse_header: no second parse. TERR_SIGNATURE.
 */
int envelope_verify_parsed(const uint8_t *buf, size_t len,
    const struct envelope_header *h, const uint8_t device_pk[KEYS_SIGN_PK_BYTES],
    struct terr *e) __attribute__((warn_unused_result));

/*
 * The whole opening sequence. device_pk is the public key registered for
 * the header's device id; hub is the hub's encryption key pair. On success
 * *out is the parsed set and set_hash (if not NULL) its chain hash; on
 * failure *out is NULL and no plaintext is left in memory.
 */
int envelope_open(const uint8_t *buf, size_t len,
    const uint8_t device_pk[KEYS_SIGN_PK_BYTES], const struct keys_enc *hub,
    struct changeset **out, uint8_t set_hash[CHANGESET_HASH_BYTES],
    struct terr *e) __attribute__((warn_unused_result));

/*
 * The rest of envelope_open once the caller has done its first steps: h
 * parsed from buf by envelope_parse_header and its signature checked by
 * envelope_verify_parsed (the hub does both before it looks at sequence
 * numbers, and must not pay for them twice). Checks that h was sealed to
 * hub, then decrypts, decompresses, parses and cross-checks as
 * envelope_open does; the same results and guarantees.
 */
int envelope_open_verified(const uint8_t *buf, size_t len,
    const struct envelope_header *h, const struct keys_enc *hub,
    struct changeset **out, uint8_t set_hash[CHANGESET_HASH_BYTES],
    struct terr *e) __attribute__((warn_unused_result));

#endif
