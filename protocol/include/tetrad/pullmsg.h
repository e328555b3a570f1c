/*
 * pullmsg — the messages of a pull: a device asks the hub for what changed
 * in its scope since its cursor, the hub answers with a sealed batch, the
 * device acknowledges what it applied. docs/protocol.md ("Pull") has every
 * byte; the design is docs/architecture.md's two-way sync.
 *
 *   request / ack (device → hub; POST /v1/pull, POST /v1/pull/ack, or an ack
 *   file on a USB stick): fixed PULLMSG_REQ_BYTES, signed by the device's
 *   Ed25519 key, not encrypted (it carries no personal data):
 *     "TTPQ" | version u8 | kind u8 | 2 zero bytes | device key id (8) |
 *     after u64 | nonce (32) | device box pk (32) | max items u32 |
 *     device HLC text (34) | Ed25519 signature (64) over all before.
 *
 *   answer (hub → device): signed by the hub's Ed25519 key, encrypted to the
 *   device's X25519 box key with a fresh ephemeral key (XChaCha20-Poly1305,
 *   AD = header), deflated when that helps:
 *     "TTPL" | version u8 | flags u8 | 2 zero bytes | recipient device key
 *     id (8) | hub signing key id (8) | after u64 | upto u64 | item count
 *     u32 | plain_len u32 | request nonce (32; zeros in a USB file) |
 *     eph_pk (32) | nonce (24) | cipher_len u32 || ciphertext || signature
 *     (64) over header ‖ ciphertext.
 *   Its plaintext is JSON: {"v":1,"device":"<16 hex>","after":N,"upto":M,
 *   "more":bool,"records":[…],"profiles":[…],"schools":[…]}, positions
 *   strictly increasing over all items, each in (after, upto].
 *
 *   USB file of changes (hub → device): the usbfile framing (usbfile.h) with
 *   magic "TTPF": header, count × (u32 length ‖ answer with zero nonce).
 *
 * Integers are big-endian. Everything read here is hostile until checked:
 * sizes before allocation, signature before decryption, plaintext bounded
 * before it is parsed; nothing is returned from a refused message.
 */
#ifndef TETRAD_PULLMSG_H
#define TETRAD_PULLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "tetrad/changeset.h"
#include "tetrad/envelope.h"
#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"
#include "tetrad/usbfile.h"
#include "tetrad/uuid7.h"

#define PULLMSG_VERSION 1
#define PULLMSG_NONCE_BYTES 32                  /* request nonce, echoed in the answer */
#define PULLMSG_SIG_BYTES 64

/* Request and ack. */
#define PULLMSG_REQ_MAGIC "TTPQ"
#define PULLMSG_REQ_BYTES 190                   /* the whole signed request */

enum pullmsg_req_kind {
	PULLMSG_REQUEST = 1,     /* "send me what is after `after`" */
	PULLMSG_ACK = 2,         /* "I applied everything up to `after`" */
};

/* Answer. */
#define PULLMSG_ANS_MAGIC "TTPL"
#define PULLMSG_HEADER_BYTES 140
#define PULLMSG_FLAG_DEFLATE 0x01
#define PULLMSG_MAX_ITEMS 2000u                 /* items in one answer */
#define PULLMSG_MAX_PLAIN (16u << 20)           /* plaintext JSON */
#define PULLMSG_MAX_BYTES (8u << 20)            /* whole answer on the wire */
/*
 * What a builder holds by default: a batch that does not compress still fits
 * PULLMSG_MAX_BYTES once sealed, and the device opening it stays small — 2,000
 * records of 20 fields (3.4 MB of plaintext) peaked at 18 MiB RSS sealing and
 * opening them in one process.
 */
#define PULLMSG_BUILD_PLAIN_DEFAULT (4u << 20)
#define PULLMSG_NAME_MAX 512                    /* a school's name, bytes */
#define PULLMSG_POS_MAX 9007199254740992ULL     /* 2^53: exact in JSON */

/* USB file of changes. */
#define PULLMSG_FILE_MAGIC "TTPF"

/* ------------------------------------------------------------------ */
/* Request and ack                                                      */

struct pullmsg_request {
	uint8_t kind;                                   /* enum pullmsg_req_kind */
	uint8_t device_id[KEYS_ID_BYTES];               /* set by pullmsg_request_sign */
	uint64_t after;                                 /* request: cursor; ack: upto applied */
	uint8_t nonce[PULLMSG_NONCE_BYTES];
	uint8_t box_pk[KEYS_ENC_PK_BYTES];              /* where the answer is sealed to */
	uint32_t max_items;                             /* request: 1..PULLMSG_MAX_ITEMS; ack: 0 */
	char hlc[HLC_STRLEN + 1];                       /* the device's clock now */
};

/*
 * Fills rq for kind with a fresh random nonce and the clock's text of now.
 * max_items is clamped to 1..PULLMSG_MAX_ITEMS for a request, 0 for an ack.
 */
void pullmsg_request_init(struct pullmsg_request *rq, enum pullmsg_req_kind kind,
    uint64_t after, const uint8_t box_pk[KEYS_ENC_PK_BYTES], uint32_t max_items,
    const struct hlc_ts *now);

/*
 * Writes rq signed by dev into out. rq->device_id is ignored and taken from
 * dev (it is written back into rq). TERR_ARG for a kind, max_items or HLC
 * text a parser would refuse.
 */
int pullmsg_request_sign(struct pullmsg_request *rq, const struct keys_sign *dev,
    uint8_t out[PULLMSG_REQ_BYTES], struct terr *e);

/*
 * Parses a request or ack (no crypto): exact length, magic, version, kind,
 * reserved bytes, max_items for the kind, HLC text (hlc_decode). The caller
 * then looks up the device by rq->device_id and calls pullmsg_request_verify
 * before it trusts anything in rq.
 */
int pullmsg_request_parse(const uint8_t *buf, size_t len, struct pullmsg_request *rq,
    struct terr *e);

/*
 * The signature of buf (already parsed) by device_pk, whose key id must be
 * the one the request names: TERR_DEVICE_KEY, TERR_SIGNATURE.
 */
int pullmsg_request_verify(const uint8_t *buf, size_t len,
    const uint8_t device_pk[KEYS_SIGN_PK_BYTES], struct terr *e)
    __attribute__((warn_unused_result));

/* ------------------------------------------------------------------ */
/* Answer: the hub's side                                               */

/*
 * Collects the items of one answer as text, in the order they will be
 * sent. Positions must strictly increase over all items added, whatever
 * their kind: the hub adds them in feed order.
 */
struct pullmsg_builder;

/*
 * A builder for the answer to device (its key id) whose cursor is after.
 * max_plain bounds the plaintext (0: PULLMSG_BUILD_PLAIN_DEFAULT; at most
 * PULLMSG_MAX_PLAIN). NULL on no memory.
 */
struct pullmsg_builder *pullmsg_builder_new(const uint8_t device_id[KEYS_ID_BYTES],
    uint64_t after, size_t max_plain);
void pullmsg_builder_free(struct pullmsg_builder *b);

/*
 * Adds one record: data and clocks are the hub's stored JSON texts, copied
 * verbatim, never parsed here (the hub wrote them; the device checks them
 * with the caps of pullmsg_open, recmerge_check_clocks for clocks). Each
 * must be exactly one object, '{' first and '}' last (no whitespace around
 * it); a deleted record still sends an object as data ("{}" if the hub
 * keeps none). school and form_id are the record's. pos > every position
 * added before and > after.
 *
 * All three adders: TERR_TOO_LARGE when the item would take the batch past
 * PULLMSG_MAX_ITEMS or its byte bound — the builder is then unchanged, and
 * the hub seals what it has (upto = pullmsg_builder_last) with more = true.
 * An item that alone is over the bound needs a builder with a larger
 * max_plain (up to PULLMSG_MAX_PLAIN; it must still seal within
 * PULLMSG_MAX_BYTES). TERR_ARG for a position out of order, a text that is
 * not UTF-8 or over its cap, data or clocks that do not look like an object.
 */
int pullmsg_add_record(struct pullmsg_builder *b, uint64_t pos,
    const uint8_t id[UUID7_BYTES], const char *form_id, uint32_t form_version,
    const char *school, const char *data, size_t data_len, const char *clocks,
    size_t clocks_len, struct terr *e);
/* years: the school's profile as JSON text {"2026":{"R01":"high",…},…}. */
int pullmsg_add_profile(struct pullmsg_builder *b, uint64_t pos, const char *school,
    const char *years, size_t years_len, struct terr *e);
/* One register entry: a school's code and name. */
int pullmsg_add_school(struct pullmsg_builder *b, uint64_t pos, const char *code,
    const char *name, struct terr *e);

size_t pullmsg_builder_count(const struct pullmsg_builder *b);
/* Plaintext bytes the answer would have now. */
size_t pullmsg_builder_bytes(const struct pullmsg_builder *b);
/* The position of the last item added, or the builder's after if none. */
uint64_t pullmsg_builder_last(const struct pullmsg_builder *b);

/*
 * Seals the builder's items as an answer covering (after, upto]: upto must
 * be >= the last position added (the hub may skip positions outside the
 * device's scope), more says a further answer follows, and requires upto >
 * after. req_nonce is the request's nonce (NULL: zeros, for a USB file).
 * Signed by hub, encrypted to box_pk. det: test vectors only, else NULL.
 * Appends to out (whose cap must allow PULLMSG_MAX_BYTES more).
 */
int pullmsg_seal(const struct pullmsg_builder *b, uint64_t upto, bool more,
    const uint8_t req_nonce[PULLMSG_NONCE_BYTES], const struct keys_sign *hub,
    const uint8_t box_pk[KEYS_ENC_PK_BYTES], const struct envelope_det *det,
    struct tbuf *out, struct terr *e);

/* ------------------------------------------------------------------ */
/* Answer: the device's side                                            */

struct pullmsg_header {
	uint8_t version;
	uint8_t flags;
	uint8_t device_id[KEYS_ID_BYTES];               /* recipient */
	uint8_t hub_key_id[KEYS_ID_BYTES];              /* signer */
	uint64_t after, upto;
	uint32_t count;
	uint32_t plain_len;                             /* before deflate */
	uint8_t req_nonce[PULLMSG_NONCE_BYTES];
	uint8_t eph_pk[KEYS_ENC_PK_BYTES];
	uint8_t nonce[ENVELOPE_NONCE_BYTES];
	uint32_t cipher_len;                            /* includes the AEAD tag */
};

/*
 * Size caps and header parse only, no crypto: TERR_TOO_LARGE, TERR_TRUNCATED,
 * TERR_TRAILING, TERR_MAGIC, TERR_VERSION, TERR_HEADER, TERR_COUNT.
 */
int pullmsg_parse_header(const uint8_t *buf, size_t len, struct pullmsg_header *h,
    struct terr *e);

struct pullmsg_record {
	uint64_t pos;
	uint8_t id[UUID7_BYTES];
	const char *form_id;                 /* ≤ CHANGESET_ID_MAX bytes */
	uint32_t form_version;               /* ≥ 1 */
	const char *school;                  /* ≤ CHANGESET_SCHOOL_MAX bytes */
	cJSON *data;                         /* object: field → value */
	cJSON *clocks;                       /* object: the clock document */
};

struct pullmsg_profile {
	uint64_t pos;
	const char *school;
	cJSON *years;                        /* {"2026":{"R01":"high",…},…} */
};

struct pullmsg_school {
	uint64_t pos;
	const char *code;
	const char *name;
};

/*
 * An opened answer. Strings and trees belong to the batch (they live in
 * root): read them, cJSON_Duplicate them, or detach them from their parent
 * before the batch is freed.
 */
struct pullmsg_batch {
	struct pullmsg_header h;
	uint64_t after, upto;
	bool more;
	size_t n_records, n_profiles, n_schools;
	struct pullmsg_record *records;      /* each array in position order */
	struct pullmsg_profile *profiles;
	struct pullmsg_school *schools;
	cJSON *root;
};
void pullmsg_batch_free(struct pullmsg_batch *b);

/*
 * The whole opening sequence, each refusal with its own code:
 *   size and header               TERR_TOO_LARGE/TRUNCATED/TRAILING/MAGIC/
 *                                 VERSION/HEADER/COUNT
 *   recipient is my_id            TERR_DEVICE_KEY «ответ предназначен
 *                                 другому устройству»
 *   hub key id = hub_sign_pk's    TERR_HUB_KEY
 *   signature                     TERR_SIGNATURE «подпись хаба не сходится:
 *                                 ответ изменён в пути»
 *   nonce = expected_nonce        TERR_REPLAY «это повтор старого ответа»
 *     (online; NULL for a USB file, whose answers carry zeros)
 *   decrypt with box              TERR_DECRYPT
 *   inflate exactly plain_len     TERR_DECOMPRESS
 *   parse and bound every item    TERR_PARSE/UTF8/DEPTH/SCHEMA/TOO_LARGE,
 *                                 TERR_VERSION ("v"); a clock document that
 *                                 recmerge_check_clocks refuses: TERR_SCHEMA
 *   header vs plaintext, position order and range   TERR_MISMATCH
 * Then the caller checks the batch's after against its cursor
 * (pullmsg_check_after). On failure *out is NULL and no plaintext is left.
 */
int pullmsg_open(const uint8_t *buf, size_t len,
    const uint8_t hub_sign_pk[KEYS_SIGN_PK_BYTES], const struct keys_enc *box,
    const uint8_t my_id[KEYS_ID_BYTES], const uint8_t expected_nonce[PULLMSG_NONCE_BYTES],
    struct pullmsg_batch **out, struct terr *e) __attribute__((warn_unused_result));

/* TERR_ORDER «ответы пришли не по порядку» unless b->after == cursor. */
int pullmsg_check_after(const struct pullmsg_batch *b, uint64_t cursor, struct terr *e);

/* ------------------------------------------------------------------ */
/* USB file of changes ("TTPF")                                        */

/* Writes the file's header: for device, count answers follow. */
int pullmsg_file_write_header(const struct usbfile_sink *dst,
    const uint8_t device_id[KEYS_ID_BYTES], uint32_t count, struct terr *e);
/* Writes one answer (checked: a well-formed answer to the file's device with
 * a zero request nonce, else TERR_ARG). */
int pullmsg_file_write_answer(const struct usbfile_sink *dst,
    const uint8_t device_id[KEYS_ID_BYTES], const uint8_t *ans, size_t len,
    struct terr *e);
/* Reads the header (TERR_MAGIC for another kind of file). */
int pullmsg_file_read_header(const struct usbfile_src *src, struct usbfile_header *h,
    struct terr *e);
/* Reads the next answer into buf (PULLMSG_MAX_BYTES); open it with
 * pullmsg_open(…, expected_nonce NULL, …). */
int pullmsg_file_read_answer(const struct usbfile_src *src,
    uint8_t buf[PULLMSG_MAX_BYTES], size_t *len, struct terr *e);
/* After the last answer: TERR_TRAILING if anything follows. */
int pullmsg_file_read_end(const struct usbfile_src *src, struct terr *e);

#endif
