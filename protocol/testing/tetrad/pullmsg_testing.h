/*
 * pullmsg_testing — the raw sealing step behind pullmsg_seal, for tests, fuzz
 * targets and test tools only (not part of the public contract).
 *
 * It seals payload bytes exactly as given under a header whose fields the
 * caller chooses, so a test can build answers that are authentic (the hub's
 * signature, encrypted to the right box key) yet lie: a plaintext whose
 * positions, device or count disagree with the header, a bad deflate
 * stream, JSON that is not an answer.
 */
#ifndef TETRAD_PULLMSG_TESTING_H
#define TETRAD_PULLMSG_TESTING_H

#include "tetrad/pullmsg.h"

/*
 * Seals payload (already deflated if h->flags says so) with every header
 * field taken from h except eph_pk, nonce and cipher_len, which come from
 * the key exchange, det (or randomness) and payload_len. Appends to out.
 */
int pullmsg_seal_raw(const struct pullmsg_header *h, const uint8_t *payload,
    size_t payload_len, const struct keys_sign *hub, const uint8_t box_pk[KEYS_ENC_PK_BYTES],
    const struct envelope_det *det, struct tbuf *out, struct terr *e);

/* The plaintext pullmsg_seal would seal for b, appended to out. */
int pullmsg_builder_plaintext(const struct pullmsg_builder *b, uint64_t upto, bool more,
    struct tbuf *out, struct terr *e);

#endif
