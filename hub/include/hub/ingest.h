/*
 * ingest — takes one envelope from a device and applies it exactly once.
 *
 * Order: size cap → header → known device → hub key → signature (with a
 * revoked device's key too) → not revoked → sequence and chain → decrypt, parse, cross-check → authorise schools,
 * HLC bounds, validate content per form → apply. Applying the ops, moving
 * the device's watermark and chain head, storing the raw envelope and the
 * signed acknowledgement happen in one store transaction (with the server,
 * the writer's transaction shared by the sets that arrived together:
 * groupcommit.h), and the answer waits for its commit; a replay gets the
 * stored acknowledgement byte for byte. The HTTP server and `tetrad-hub
 * import` both call ingest_envelope, so a USB export takes the same path.
 */
#ifndef TETRAD_HUB_INGEST_H
#define TETRAD_HUB_INGEST_H

#include <stdint.h>

#include "hub/hubdb.h"
#include "tetrad/envelope.h"
#include "tetrad/sigblob.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"

#define INGEST_MAX_AHEAD_MS (10u * 60u * 1000u) /* HLC ahead of hub time */
#define INGEST_BODY_MAX (SIGBLOB_MAX_PAYLOAD + 1024)
#define INGEST_RETRY_AFTER 30                   /* seconds, with INGEST_BUSY */
#define INGEST_REASON_MAX 2048

struct hubforms;
struct groupcommit;

struct ingest_cfg {
	const struct keys_enc *enc;     /* hub encryption key pair (current) */
	const struct keys_sign *sign;   /* hub signing key pair */
	struct hubforms *forms;         /* NULL: content is not checked per form */
	uint64_t max_ahead_ms;          /* 0 means INGEST_MAX_AHEAD_MS */
	const struct keys_enc *old_enc; /* previous encryption keys, still opened */
	size_t n_old_enc;               /* (hubkeys.h); 0 with old_enc NULL */
	/*
	 * The writer that applies verified sets in groups (groupcommit.h): the
	 * server's. NULL: each set is written in its own transaction on the
	 * handle given to ingest_envelope (USB import, tools).
	 */
	struct groupcommit *writer;
};

/*
 * What came of a set. Each outcome is answered one way: the HTTP server
 * (server.c) alone turns it into a status code and a content type, and USB
 * import counts it. ingest_outcome_signed says which ones carry the hub's
 * signed acknowledgement in the result's body; the others are plain errors
 * (code in status, message in reason) sent before anything was trusted.
 */
enum ingest_outcome {
	INGEST_APPLIED = 0,     /* signed "applied" (also a replay of one) */
	INGEST_REFUSED,         /* signed "refused"/"future_hlc": quarantined */
	INGEST_UNKNOWN_DEVICE,  /* signed "unknown_device" */
	INGEST_REVOKED,         /* signed "revoked" */
	INGEST_GAP,             /* signed "gap": an earlier set is missing */
	INGEST_FORK,            /* signed "fork": quarantined */
	INGEST_BUSY,            /* signed "busy": store full or locked, retry */
	INGEST_TOO_LARGE,       /* error: over ENVELOPE_MAX_BYTES */
	INGEST_MALFORMED,       /* error: not an envelope, or authentic but unreadable */
	INGEST_HUB_KEY,         /* error: sealed to a key this hub does not hold */
	INGEST_SIGNATURE,       /* error: not signed by the device */
};

struct ingest_result {
	enum ingest_outcome outcome;
	char status[16];                /* ack status, or the error code */
	char reason[INGEST_REASON_MAX + 256]; /* for people: why (also in the ack) */
	char device[KEYS_ID_HEXLEN + 1];
	uint64_t first, last;
	unsigned applied, conflicts;
	bool replay;
	bool dropped;                   /* quarantined, but the device's quarantine was
	                                 * full: only counted (hubdb.h), worth a log line */
	struct tbuf *body;              /* the caller's; receives the signed ack */
};

/*
 * Ingests buf (len bytes) at hub time now_ms (Unix ms). Fills res (its body
 * buffer must be created by the caller with a cap of INGEST_BODY_MAX) with
 * the answer for every outcome the device should hear about, and returns 0.
 * Returns a negative code only when no answer could be produced (no memory,
 * store failure other than a full disk or a lock), with e set.
 */
int ingest_envelope(struct hubdb *db, const struct ingest_cfg *cfg,
    const uint8_t *buf, size_t len, uint64_t now_ms, struct ingest_result *res,
    struct terr *e);

/* Whether res->body holds the hub's signed acknowledgement for outcome o. */
bool ingest_outcome_signed(enum ingest_outcome o);

/* Appends {"error":code,"message":msg} to out (JSON-escaped). */
int ingest_json_error(struct tbuf *out, const char *code, const char *msg);

/*
 * Admission of a body from its first ENVELOPE_HEADER_BYTES bytes alone,
 * before the hub reserves memory for the rest (server.c). content_length is
 * the body length the client declared (0: none, chunked). On 0 with
 * *admitted the body may be read: *total is its exact length (the header's
 * own, at most ENVELOPE_MAX_BYTES). On 0 without *admitted res holds the
 * answer (signed unknown_device, or a plain error: malformed, too_large,
 * hub_key; busy when the store is) and the rest is not worth keeping. A
 * negative code as ingest_envelope. res->body as for ingest_envelope.
 */
int ingest_admit(struct hubdb *db, const struct ingest_cfg *cfg,
    const uint8_t hdr[ENVELOPE_HEADER_BYTES], size_t content_length, size_t *total,
    struct ingest_result *res, bool *admitted, struct terr *e);

#endif
