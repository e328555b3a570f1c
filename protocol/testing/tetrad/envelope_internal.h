/*
 * envelope_internal — the raw sealing step behind envelope_seal, for tests
 * and the test-vector generator only (not part of the public contract).
 *
 * It seals payload bytes exactly as given under a header whose fields the
 * caller chooses, so tests can build envelopes that are authentic (correct
 * signature, correct encryption) yet lie: a plaintext whose device or range
 * disagrees with the header, a bad deflate stream, invalid JSON inside.
 */
#ifndef TETRAD_ENVELOPE_INTERNAL_H
#define TETRAD_ENVELOPE_INTERNAL_H

#include "tetrad/tbuf.h"
#include "tetrad/envelope.h"

/*
 * Seals payload (already compressed if h->flags says so) with every header
 * field taken from h except eph_pk, nonce and cipher_len, which come from
 * the key exchange, det (or randomness) and payload_len. Appends to out.
 */
int envelope_seal_raw(const struct envelope_header *h, const uint8_t *payload,
    size_t payload_len, const struct keys_sign *dev,
    const uint8_t hub_enc_pk[KEYS_ENC_PK_BYTES], const struct envelope_det *det,
    struct tbuf *out, struct terr *e);

/* zlib (RFC 1950) stream of in at level 3, appended to out. */
int envelope_deflate(const uint8_t *in, size_t len, struct tbuf *out, struct terr *e);

/*
 * Inflates exactly plain_len bytes of in into out, no more and no less
 * (zip-bomb safe), with zlib's memory wiped: 0, TERR_DECOMPRESS or
 * TERR_NOMEM, no message. The pull answer (pullmsg) opens with it too.
 */
int envelope_inflate(const uint8_t *in, size_t len, uint8_t *out, size_t plain_len);

/*
 * The sealed box both a change set's envelope and a pull answer are: a
 * fresh ephemeral X25519 key (or det's), XChaCha20-Poly1305 of the payload
 * with the whole header as associated data, and an Ed25519 signature over
 * header and ciphertext. Only the header's layout differs, so the caller
 * writes it between the two steps:
 *   envelope_box_keys (eph_pk and nonce for the header, the session key) →
 *   write the header at p → envelope_box_close (encrypt after it, sign).
 * Returns TERR_CRYPTO (no message) for a recipient key libsodium refuses.
 */
struct envelope_box {
	uint8_t eph_pk[KEYS_ENC_PK_BYTES];
	uint8_t nonce[ENVELOPE_NONCE_BYTES];
	uint8_t tx[32];                 /* crypto_kx_SESSIONKEYBYTES; wiped by close */
};
int envelope_box_keys(const uint8_t recipient_pk[KEYS_ENC_PK_BYTES],
    const struct envelope_det *det, struct envelope_box *box);
/*
 * Encrypts payload to p + header_len (cipher_len bytes: payload_len + tag)
 * and signs p[0 .. header_len + cipher_len) with signer_sk after it; wipes
 * box. TERR_INTERNAL (no message) if the ciphertext length is not
 * payload_len + ENVELOPE_TAG_BYTES.
 */
int envelope_box_close(uint8_t *p, size_t header_len, const uint8_t *payload,
    size_t payload_len, const uint8_t signer_sk[64], struct envelope_box *box);
/*
 * Decrypts the cipher_len bytes after a header_len-byte header at buf into
 * dec (cipher_len - tag bytes) with the recipient's key pair, the header
 * being the associated data: 0, or TERR_DECRYPT (no message).
 */
int envelope_box_open(const uint8_t *buf, size_t header_len, uint32_t cipher_len,
    const uint8_t eph_pk[KEYS_ENC_PK_BYTES], const uint8_t nonce[ENVELOPE_NONCE_BYTES],
    const struct keys_enc *me, uint8_t *dec);

#endif
