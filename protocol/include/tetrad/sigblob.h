/*
 * sigblob — small messages from the hub to devices (acknowledgements, form
 * bundles), signed with the hub's Ed25519 key. Not encrypted: they carry no
 * personal data.
 *
 * Layout: "TTSB", version u8, kind u8, 2 reserved zero bytes, signer key id
 * (8), payload length u32 BE, payload, Ed25519 signature (64) over all that
 * precedes it.
 */
#ifndef TETRAD_SIGBLOB_H
#define TETRAD_SIGBLOB_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

#define SIGBLOB_VERSION 1
#define SIGBLOB_HEADER_BYTES 20
#define SIGBLOB_MAX_PAYLOAD (4u << 20)

enum sigblob_kind {
	SIGBLOB_ACK = 1,         /* JSON acknowledgement of a change set */
	SIGBLOB_FORM_BUNDLE = 2, /* JSON form definition or dictionary */
	SIGBLOB_ENROLL = 3,      /* JSON enrollment answer */
};

int sigblob_sign(enum sigblob_kind kind, const uint8_t *payload, size_t len,
    const struct keys_sign *hub, struct tbuf *out, struct terr *e);

/*
 * Verifies blob with the hub's signing public key and that it is of kind;
 * on success *payload points into blob (len *payload_len). Nothing is
 * returned unless the signature verifies.
 */
int sigblob_open(const uint8_t *blob, size_t len, enum sigblob_kind kind,
    const uint8_t hub_pk[KEYS_SIGN_PK_BYTES], const uint8_t **payload,
    size_t *payload_len, struct terr *e) __attribute__((warn_unused_result));

#endif
