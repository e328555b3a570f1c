/*
 * changeset — operations and change sets, and their canonical encoding.
 *
 * An operation puts or deletes one record; a change set carries the
 * operations with sequence numbers first..last of one device, chained to the
 * previous set by hash. The canonical encoding is compact JSON with members in
 * a fixed order (docs/protocol.md): the same set always encodes to the same
 * bytes, which is what the chain hash and the test vectors rely on.
 *
 * Parsing is for hostile input: every size, count, depth and string is
 * bounded by the CHANGESET_* caps and every string must be valid UTF-8.
 */
#ifndef TETRAD_CHANGESET_H
#define TETRAD_CHANGESET_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"
#include "tetrad/uuid7.h"

#define CHANGESET_FORMAT_VERSION 1
#define CHANGESET_MAX_OPS 10000                  /* ops in one set */
#define CHANGESET_MAX_PLAIN_BYTES (32u << 20)    /* canonical encoding */
#define CHANGESET_MAX_FIELD_BYTES (64u << 10)    /* one field value, encoded */
#define CHANGESET_MAX_FIELDS 512                 /* fields in one op */
#define CHANGESET_MAX_DEPTH 8                    /* JSON nesting of a set */
#define CHANGESET_ID_MAX 64                      /* form id, bytes */
#define CHANGESET_SCHOOL_MAX 32                  /* school code, bytes */
#define CHANGESET_HASH_BYTES 32                  /* BLAKE2b-256 */

/*
 * put: the record's whole synced state (creation, finalisation); edit: only
 * the fields an edit of a final record changed (at least one; null = the
 * answer removed), each at the op's hlc; delete: a tombstone, no fields.
 */
enum op_kind { OP_PUT = 1, OP_DELETE = 2, OP_EDIT = 3 };

/* A put or an edit: an op that carries fields. */
#define OP_HAS_FIELDS(k) ((k) == OP_PUT || (k) == OP_EDIT)

struct op {
	uint64_t seq;                      /* device sequence number */
	uint8_t record_id[UUID7_BYTES];
	char form_id[CHANGESET_ID_MAX + 1];
	uint32_t form_version;
	char school[CHANGESET_SCHOOL_MAX + 1];
	enum op_kind kind;
	struct hlc_ts hlc;
	/*
	 * Object (a put's or an edit's); NULL for a delete. Owned by the set. In a set read by
	 * changeset_parse (or envelope_open) it may live in the set's own
	 * memory: read it or cJSON_Duplicate it, never change or delete it.
	 */
	cJSON *fields;
	/*
	 * The fields' canonical text, not NUL-terminated. In a parsed set: where
	 * they stand in the set's own text. Given to changeset_add with fields
	 * NULL: a put (or edit) whose fields are this text, which the set copies.
	 */
	const char *fields_text;
	size_t fields_len;
};

struct changeset_chunk;

struct changeset {
	uint32_t format_version;
	uint8_t device_id[KEYS_ID_BYTES];
	char school[CHANGESET_SCHOOL_MAX + 1]; /* the device's school or "" for a curator */
	uint64_t first_seq, last_seq;
	uint8_t prev_hash[CHANGESET_HASH_BYTES]; /* zeros for a device's first set */
	struct hlc_ts created;
	size_t n_ops;
	struct op *ops;                    /* n_ops, seq first..last in order */
	uint8_t *text;                     /* parsed sets: their text, for fields_text */
	size_t text_len;
	struct changeset_chunk *chunks;    /* copies of fields given as text, trees read */
	int fields_in_chunks;              /* ops' fields trees are in chunks, not cJSON's */
};

/* An empty set; ops are appended with changeset_add. NULL on no memory. */
struct changeset *changeset_new(void);
void changeset_free(struct changeset *cs);
/*
 * Appends a copy of op (fields are deep-copied); checks the caps. A put or
 * edit with fields NULL and fields_text set is taken as that text, which must already
 * be canonical (changeset_fields_canonical): TERR_PARSE if it is not.
 */
int changeset_add(struct changeset *cs, const struct op *op, struct terr *e);

/*
 * 0 if text is a fields object exactly as changeset_encode_fields writes it,
 * within every cap. It reads the text once without building anything; a
 * refusal (TERR_PARSE) carries no reason, only that the text cannot be used
 * as it stands.
 */
int changeset_fields_canonical(const char *text, size_t len);

/*
 * Canonical encoding into out (which the caller created with a cap of at
 * least CHANGESET_MAX_PLAIN_BYTES). Checks that the ops are contiguous
 * first..last and within every cap before writing anything.
 */
int changeset_encode(const struct changeset *cs, struct tbuf *out, struct terr *e);
/* The canonical JSON of a put's (or edit's) fields alone, exactly as changeset_encode
 * writes it inside the set, appended to out. */
int changeset_encode_fields(const struct op *op, struct tbuf *out, struct terr *e);

/* Parses and validates a canonical encoding; *out is NULL on failure. */
int changeset_parse(const uint8_t *buf, size_t len, struct changeset **out,
    struct terr *e);
/* changeset_parse of a malloc'd buf that the set keeps as its text instead
 * of a copy: buf is the caller's no more, and is wiped and freed with the
 * set, or at once on failure. */
int changeset_parse_take(uint8_t *buf, size_t len, struct changeset **out,
    struct terr *e);

/* BLAKE2b-256 of a canonical encoding: the chain hash of the set. */
void changeset_hash(const uint8_t *canon, size_t len,
    uint8_t out[CHANGESET_HASH_BYTES]);

/* 0 if s is valid UTF-8 of len bytes with no NUL, TERR_UTF8 otherwise. */
int changeset_check_utf8(const char *s, size_t len);

#endif
