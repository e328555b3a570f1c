/*
 * wire — the JSON that crosses the network between syncd and the hub, and
 * the API paths it travels on: one writer and one parser for each message.
 *
 * Messages (docs/hub-api.md shows each one):
 *   acknowledgement     hub → device, the payload of a SIGBLOB_ACK blob
 *   enrollment request  device → hub, POST WIRE_PATH_ENROLL
 *   enrollment answer   hub → device, its 200 answer
 *   error body          hub → device, every JSON error {"error","message"}
 *
 * The writers produce the bytes the hub and syncd sent before this module
 * existed (the hub signs acknowledgements and keeps them for replays, so
 * their bytes must never drift). The parsers take hostile input: every
 * string member has a documented maximum, and they refuse over-long
 * values, invalid UTF-8, NUL (raw or \u0000) inside strings, text after
 * the object, repeated members, more than WIRE_MEMBERS_MAX members and
 * values of the wrong type, with a Russian message. Members a parser does
 * not know are ignored in the hub's answers (an older device must still
 * read a newer hub) and refused in the enrollment request (as always).
 * On failure a parser leaves its struct all zero.
 */
#ifndef TETRAD_WIRE_H
#define TETRAD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/changeset.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

/* API paths (the hub's routes, syncd's URLs). */
#define WIRE_PATH_HEALTH "/v1/health"
#define WIRE_PATH_ENROLL "/v1/enroll"
#define WIRE_PATH_CHANGESETS "/v1/changesets"
#define WIRE_PATH_FORMS "/v1/forms"
#define WIRE_PATH_FORMS_PREFIX "/v1/forms/"     /* + <id>/<version> */
#define WIRE_PATH_PULL "/v1/pull"               /* pullmsg.h request → sealed answer */
#define WIRE_PATH_PULL_ACK "/v1/pull/ack"       /* pullmsg.h ack → the cursor moves */

#define WIRE_MEMBERS_MAX 64          /* members of any one object */
#define WIRE_DEVICE_ID_HEXLEN KEYS_ID_HEXLEN   /* 16 lowercase hex digits */

/* ---- acknowledgement ---- */

#define WIRE_ACK_MAX 16384           /* payload bytes */
#define WIRE_ACK_REASON_MAX 2304     /* reason, bytes of UTF-8 */
#define WIRE_SEQ_MAX 9007199254740992ULL   /* 2^53: numbers exact in a double */

enum wire_ack_status {
	WIRE_ACK_APPLIED = 1, WIRE_ACK_REFUSED, WIRE_ACK_GAP, WIRE_ACK_FORK,
	WIRE_ACK_REVOKED, WIRE_ACK_UNKNOWN_DEVICE, WIRE_ACK_FUTURE_HLC, WIRE_ACK_BUSY,
};

/*
 * Whether a refused set ("refused", "future_hlc") may go again as it is,
 * once its cause is gone (the "retry" member; docs/hub-api.md). Absent
 * means no: a person must correct the records (`tetrad edit`). A value a
 * device does not know reads as WIRE_RETRY_NO, so a newer hub can add one.
 */
enum wire_retry {
	WIRE_RETRY_NO = 0,
	WIRE_RETRY_FORMS,   /* only forms the hub did not know: again once it lists them */
	WIRE_RETRY_CLOCK,   /* only stamps ahead of the hub's clock: again once it has caught up */
};
#define WIRE_PATH_FORMS_KNOWN "/v1/forms/known"   /* every form version the hub judges by */

struct wire_ack {
	char device_id[WIRE_DEVICE_ID_HEXLEN + 1];   /* required */
	uint64_t first, last;                        /* required, ≤ WIRE_SEQ_MAX */
	enum wire_ack_status status;                 /* required */
	bool have_hash;                              /* set_hash null or absent: false */
	uint8_t set_hash[CHANGESET_HASH_BYTES];
	uint64_t expected_seq, applied, conflicts;   /* absent: 0 */
	bool have_enc_pk;                            /* the hub's current encryption key */
	uint8_t hub_enc_pk[KEYS_ENC_PK_BYTES];
	char reason[WIRE_ACK_REASON_MAX + 1];        /* absent: "" */
	enum wire_retry retry;                       /* absent: WIRE_RETRY_NO */
};

/* "applied", "gap" …; NULL for a value outside the enum. */
const char *wire_ack_status_name(enum wire_ack_status st);
/* The status of a name, or 0 when the name is unknown. */
enum wire_ack_status wire_ack_status_of(const char *name);
/* "forms", "clock"; NULL for WIRE_RETRY_NO and values outside the enum. */
const char *wire_retry_name(enum wire_retry r);
/* The class of a name; WIRE_RETRY_NO for NULL, "" and names unknown. */
enum wire_retry wire_retry_of(const char *name);

/*
 * Appends the acknowledgement's JSON (no newline) to out. Every member is
 * written; hub_enc_pk only when have_enc_pk, retry only when not
 * WIRE_RETRY_NO (so acknowledgements stored before it existed replay
 * byte for byte). TERR_ARG for a struct its
 * parser would refuse, TERR_NOMEM/TERR_TOO_LARGE from the buffer.
 */
int wire_ack_write(struct tbuf *out, const struct wire_ack *a, struct terr *e);
int wire_ack_parse(const void *buf, size_t len, struct wire_ack *a, struct terr *e);

/* ---- enrollment request ---- */

#define WIRE_ENROLL_REQ_MAX 4096      /* POST WIRE_PATH_ENROLL body */
#define WIRE_ENROLL_TOKEN_MAX 64      /* token as typed, bytes, no control characters */
#define WIRE_ENROLL_LABEL_MAX 128     /* device label, bytes, no control characters */
#define WIRE_ENROLL_SCHOOLS_MAX 4096  /* a comma list of school codes, bytes */

#define WIRE_ENROLL_REQ_NSCHOOLS_MAX 64   /* codes a device says it is set up for */
#define WIRE_ENROLL_SIG_BYTES 64          /* Ed25519 signature */

struct wire_enroll_req {
	char token[WIRE_ENROLL_TOKEN_MAX + 1];      /* required, not empty */
	uint8_t device_pk[KEYS_SIGN_PK_BYTES];      /* required */
	char label[WIRE_ENROLL_LABEL_MAX + 1];      /* optional; "" is not written */
	/*
	 * The schools this device is set up for (its database's school; none
	 * for a device not yet set up), so that the hub can refuse a token of
	 * another school before it spends the token or registers the key. On
	 * the wire an array of valid school codes (school.h), at most
	 * WIRE_ENROLL_REQ_NSCHOOLS_MAX, no code twice; here joined with ",".
	 * have_schools is false when the member is absent: the request of a
	 * program older than this check, which the hub refuses (docs/hub-api.md).
	 */
	bool have_schools;
	char schools[WIRE_ENROLL_SCHOOLS_MAX + 1];
	/*
	 * Optional ("sig", 128 hex digits): the device key's Ed25519 signature
	 * of the request (wire_enroll_req_sign), proof that the sender holds
	 * the key. The hub asks for it only to re-bind a key already
	 * registered (docs/hub-api.md).
	 */
	bool have_sig;
	uint8_t sig[WIRE_ENROLL_SIG_BYTES];
};

int wire_enroll_req_write(struct tbuf *out, const struct wire_enroll_req *q, struct terr *e);
int wire_enroll_req_parse(const void *buf, size_t len, struct wire_enroll_req *q,
    struct terr *e);
/*
 * Signs q with the device's secret key sk (whose public key is
 * q->device_pk): over "tetrad-enroll-v1", NUL, token, NUL, device_pk (32
 * bytes), schools (the comma list) — so a signature cannot be moved to
 * another token, key or school. Sets have_sig.
 */
void wire_enroll_req_sign(struct wire_enroll_req *q, const uint8_t sk[KEYS_SIGN_SK_BYTES]);
/* Whether q carries a valid signature by q->device_pk. */
bool wire_enroll_req_sig_ok(const struct wire_enroll_req *q);

/* ---- enrollment answer ---- */

#define WIRE_ENROLL_ANS_MAX (64u * 1024)   /* answer bytes */
#define WIRE_ENROLL_KIND_MAX 7             /* "school" or "curator" */
#define WIRE_ENROLL_NSCHOOLS_MAX 2000      /* codes in the list */
#define WIRE_ENROLL_NAME_MAX 128           /* school or curator name, bytes of UTF-8 */

struct wire_enroll_ans {
	char device_id[WIRE_DEVICE_ID_HEXLEN + 1];  /* required */
	char kind[WIRE_ENROLL_KIND_MAX + 1];        /* required: school (one code) or curator */
	/* required: codes of 1..CHANGESET_SCHOOL_MAX bytes without control
	 * characters, joined with "," (on the wire a JSON array); a school
	 * device has exactly one, a curator any number (even none) */
	char schools[WIRE_ENROLL_SCHOOLS_MAX + 1];
	size_t nschools;
	uint8_t hub_enc_pk[KEYS_ENC_PK_BYTES];      /* required */
	uint8_t hub_sign_pk[KEYS_SIGN_PK_BYTES];    /* required */
	char hub_key_id[WIRE_DEVICE_ID_HEXLEN + 1]; /* optional; "" is not written */
	char name[WIRE_ENROLL_NAME_MAX + 1];        /* optional, absent: "" */
};

/* Appends the answer's JSON and a newline. nschools is not read: the
 * codes are those of schools (empty items skipped). */
int wire_enroll_ans_write(struct tbuf *out, const struct wire_enroll_ans *a, struct terr *e);
int wire_enroll_ans_parse(const void *buf, size_t len, struct wire_enroll_ans *a,
    struct terr *e);

/* ---- device state ---- */

/*
 * GET WIRE_PATH_DEVICES_PREFIX <device id> ?sig=<128 hex digits>: whether
 * the hub still takes this device's sets — asked by syncd on a run that
 * had nothing to send, so a revoked device is told on every sync (a push
 * learns it from the acknowledgement). The signature (the device key's,
 * over "tetrad-device-state-v1", NUL, the id) shows the asker holds the
 * key: when a device was revoked is the device's business alone. Answers
 * (docs/hub-api.md): 200 {"status":"active"}; 403 error "revoked" with a
 * message naming the date; 404 error "unknown_device".
 */
#define WIRE_PATH_DEVICES_PREFIX "/v1/devices/"
#define WIRE_DEVICE_SIG_HEXLEN 128
#define WIRE_DEVICE_STATE_MAX 4096    /* answer body bytes */

/* The signature, as hex (WIRE_DEVICE_SIG_HEXLEN + NUL), of device id hex_id. */
void wire_device_state_sign(const char *hex_id, const uint8_t sk[KEYS_SIGN_SK_BYTES],
    char out[WIRE_DEVICE_SIG_HEXLEN + 1]);
/* Whether sig_hex is the device key pk's signature for hex_id. */
bool wire_device_state_sig_ok(const char *hex_id, const char *sig_hex,
    const uint8_t pk[KEYS_SIGN_PK_BYTES]);

/* ---- error body ---- */

#define WIRE_ERROR_MAX 16384          /* body bytes */
#define WIRE_ERROR_CODE_MAX 32        /* [a-z0-9_], not empty */
#define WIRE_ERROR_MESSAGE_MAX 2048   /* bytes of UTF-8 */

struct wire_error {
	char error[WIRE_ERROR_CODE_MAX + 1];        /* required */
	char message[WIRE_ERROR_MESSAGE_MAX + 1];   /* optional, absent: "" */
};

/*
 * Fills w from a code and a message of any length and content: the message
 * is cut at a character boundary and bytes that are not UTF-8 become "?",
 * so that wire_error_write never refuses it.
 */
void wire_error_set(struct wire_error *w, const char *code, const char *message);
/* Appends {"error":…,"message":…} and a newline. */
int wire_error_write(struct tbuf *out, const struct wire_error *w, struct terr *e);
int wire_error_parse(const void *buf, size_t len, struct wire_error *w, struct terr *e);

/*
 * Copies src into dst (cap bytes with the NUL) so that dst is valid UTF-8:
 * cut at a character boundary, bytes that are not UTF-8 replaced by "?".
 * For text that goes onto the wire from places that do not promise UTF-8.
 */
void wire_text_copy(char *dst, size_t cap, const char *src);

#endif
