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

#endif
