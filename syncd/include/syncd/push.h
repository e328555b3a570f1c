/*
 * push — change sets from the outbox: build, seal, store, and the state
 * transitions of batches and outbox entries.
 *
 * A batch is sealed from pending outbox entries in seq order (a SQLite
 * cursor: at most one set is in memory), chained to meta last_set_hash, and
 * stored in `batches` in the same transaction that assigns the entries to
 * it, BEFORE anything is sent: after a crash the identical bytes are resent
 * and the hub answers with its stored acknowledgement. Entries become
 * 'acked' only on an acknowledgement signed by the hub; nothing is deleted.
 *
 *   outbox:  pending ──(sealed into batch)──▶ pending+batch_id ──▶ sent ──▶ acked
 *                                                            └──▶ quarantined
 *   batches: sealed ──▶ sent ──▶ acked | quarantined
 */
#ifndef TETRAD_SYNCD_PUSH_H
#define TETRAD_SYNCD_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/changeset.h"
#include "tetrad/keys.h"
#include "tetrad/localdb.h"
#include "tetrad/terr.h"
#include "tetrad/wire.h"

#define PUSH_DEFAULT_MAX_OPS 1000
#define PUSH_DEFAULT_MAX_BYTES (4u << 20)   /* estimated plaintext of one set */
#define PUSH_FIELDS_MAX (1u << 20)          /* one outbox entry's fields JSON */
#define PUSH_REASON_MAX 512

struct push_ctx {
	struct localdb *db;
	const struct keys_sign *dev;
	uint8_t hub_enc_pk[KEYS_ENC_PK_BYTES];
	uint8_t hub_sign_pk[KEYS_SIGN_PK_BYTES];
	uint8_t device_id[KEYS_ID_BYTES];
	char device_hex[KEYS_ID_HEXLEN + 1];
	char school[CHANGESET_SCHOOL_MAX + 1];  /* "" for a curator's device */
	size_t max_ops;                         /* 1 … CHANGESET_MAX_OPS */
	size_t max_bytes;
	int wal;                                /* db in WAL mode (syncdb_wal) */
};

struct push_batch {
	int64_t id;
	uint64_t first_seq, last_seq;
	uint8_t prev_hash[CHANGESET_HASH_BYTES];
	uint8_t set_hash[CHANGESET_HASH_BYTES];
	uint8_t *envelope;     /* owned */
	size_t len;
	char state[16];
	int wide;              /* sealed with the page cache widened (push.c): so is its ack */
};

enum push_status {
	PUSH_ST_APPLIED = 1, PUSH_ST_REFUSED, PUSH_ST_GAP, PUSH_ST_FORK,
	PUSH_ST_REVOKED, PUSH_ST_UNKNOWN_DEVICE, PUSH_ST_FUTURE_HLC, PUSH_ST_BUSY,
};

struct push_ack {
	enum push_status status;
	uint64_t first, last, expected_seq;
	int have_hash;
	uint8_t set_hash[CHANGESET_HASH_BYTES];
	int64_t applied, conflicts;
	char reason[PUSH_REASON_MAX];
	int have_enc_pk;                         /* the hub's current encryption key */
	uint8_t hub_enc_pk[KEYS_ENC_PK_BYTES];
	enum wire_retry retry;                   /* may a refused set go again (wire.h) */
};

struct push_counts {
	int64_t pending, sent, acked, quarantined;
};

void push_batch_clear(struct push_batch *b);

/*
 * Seals the next change set from pending entries not yet in a batch and
 * stores it (state 'sealed'). Returns 1 with *b filled, 0 when nothing is
 * pending, negative on error (nothing changed).
 */
int push_build(const struct push_ctx *c, struct push_batch *b, struct terr *e);
/* The same, stored as sent (push_mark_sent): for a batch about to go out. */
int push_build_sent(const struct push_ctx *c, struct push_batch *b, struct terr *e);

/*
 * The unacknowledged (sealed or sent) batch with the lowest first_seq above
 * after_seq. 1 found, 0 none, negative on error.
 */
int push_next(const struct push_ctx *c, uint64_t after_seq, struct push_batch *b,
    struct terr *e);

int push_mark_sent(const struct push_ctx *c, const struct push_batch *b, struct terr *e);
/* Stores the signed acknowledgement and marks the batch and its entries acked. */
int push_mark_acked(const struct push_ctx *c, const struct push_batch *b,
    const uint8_t *ack, size_t ack_len, struct terr *e);
/* Quarantines the batch and its entries with reason (Russian, from the hub)
 * and the hub's retry class (WIRE_RETRY_NO: a person must look). */
int push_quarantine(const struct push_ctx *c, const struct push_batch *b,
    const char *reason, enum wire_retry retry, const uint8_t *ack, size_t ack_len,
    struct terr *e);

/*
 * The hub reported a gap: it expects expected_seq next. Makes the batches
 * from expected_seq on sendable again (same bytes when a stored batch starts
 * there and chains to what the hub holds), or dissolves them so their
 * entries are sealed afresh chained to the hub's last hash (hub_hash, or the
 * hash of our batch ending at expected_seq − 1). TERR_MISMATCH when the
 * chain cannot be resumed from what is known.
 */
int push_rewind(const struct push_ctx *c, uint64_t expected_seq,
    const uint8_t *hub_hash, struct terr *e);

/*
 * Verifies blob as an acknowledgement signed with hub_sign_pk for this device
 * and parses it. TERR_SIGNATURE etc. from sigblob; TERR_SCHEMA when the JSON
 * is not an acknowledgement of this device.
 */
int push_parse_ack(const struct push_ctx *c, const uint8_t *blob, size_t len,
    struct push_ack *a, struct terr *e);

/*
 * Whether a (verified) answers batch b: the same range and, when the hub
 * names the set's hash, the same hash. A signed answer about another set —
 * an old one replayed, or one for the same numbers with other content after
 * a restore — must not mark or quarantine this one.
 */
bool push_ack_answers(const struct push_ack *a, const struct push_batch *b);

int push_counts(struct localdb *db, struct push_counts *n, struct terr *e);

/*
 * 1 when something waits for the hub (a stored set not yet answered, or
 * entries not yet in a set), 0 when nothing does, < 0 on a storage error.
 */
int push_has_work(struct localdb *db, struct terr *e);

/*
 * After a verified acknowledgement: if it names a hub encryption key other
 * than ours (the hub rotated its key), stores it in meta hub_enc_pk and uses
 * it for the sets sealed from now on. *changed = 1 when it did.
 */
int push_adopt_hub_key(struct push_ctx *c, const struct push_ack *a, int *changed,
    struct terr *e);

#endif
