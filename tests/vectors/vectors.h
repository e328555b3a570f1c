/*
 * vectors — the inputs of the protocol test vectors, shared by the generator
 * (gen_vectors.c) and the unit tests that compare against the committed
 * files byte for byte. docs/protocol.md prints all of it.
 *
 * Seeds are counting bytes so another implementation can retype them:
 *   device Ed25519 seed  00 01 … 1f
 *   hub X25519 seed      20 21 … 3f
 *   hub Ed25519 seed     40 41 … 5f
 *   ephemeral kx seed    60 61 … 7f   (envelope 1)
 *   nonce                80 81 … 97   (envelope 1)
 *   ephemeral kx seed    a0 a1 … bf   (envelope 2)
 *   nonce                c0 c1 … d7   (envelope 2)
 * (never one ephemeral key and nonce for two envelopes, even in tests)
 */
#ifndef TETRAD_TEST_VECTORS_H
#define TETRAD_TEST_VECTORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"
#include "tetrad/envelope.h"
#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/sigblob.h"
#include "tetrad/uuid7.h"
#include "tetrad/envelope_internal.h"

#define VEC_WALL_MS 1761984000000ULL /* 2025-11-01T08:00:00Z */

/* The ack payload of the sigblob vector. */
#define VEC_ACK_PAYLOAD "{\"device_id\":\"%s\",\"first\":1,\"last\":2,\"status\":\"applied\"}"

struct vec_keys {
	struct keys_sign device;
	struct keys_enc hub_enc;
	struct keys_sign hub_sign;
	struct envelope_det det, det2;
};

static inline void
vec_fill(uint8_t *p, size_t n, uint8_t start)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
}

static inline int
vec_keys(struct vec_keys *k)
{
	uint8_t seed[32];

	vec_fill(seed, 32, 0x00);
	if (keys_sign_from_seed(&k->device, seed) != 0)
		return -1;
	vec_fill(seed, 32, 0x20);
	if (keys_enc_from_seed(&k->hub_enc, seed) != 0)
		return -1;
	vec_fill(seed, 32, 0x40);
	if (keys_sign_from_seed(&k->hub_sign, seed) != 0)
		return -1;
	vec_fill(k->det.eph_seed, 32, 0x60);
	vec_fill(k->det.nonce, ENVELOPE_NONCE_BYTES, 0x80);
	vec_fill(k->det2.eph_seed, 32, 0xa0);
	vec_fill(k->det2.nonce, ENVELOPE_NONCE_BYTES, 0xc0);
	return 0;
}

/* Reads a whole file into a NUL-terminated malloc'd buffer; NULL on error. */
static inline char *
vec_read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((buf = malloc((size_t)n + 1)) == NULL)
		goto out;
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	if (lenp != NULL)
		*lenp = (size_t)n;
 out:
	fclose(f);
	return buf;
}

/* Lowercase hex of p, 64 digits a line, as the .hex vector files hold it. */
static inline char *
vec_hex_lines(const uint8_t *p, size_t n)
{
	size_t lines = (n + 31) / 32, k = 0;
	char *s = malloc(n * 2 + lines + 1);

	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		k += (size_t)sprintf(s + k, "%02x", p[i]);
		if (i % 32 == 31 || i == n - 1)
			s[k++] = '\n';
	}
	s[k] = '\0';
	return s;
}

/* strdup is POSIX, not C11. */
static inline char *
vec_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/*
 * Whether two cJSON trees are the same to the bit: types, names, strings,
 * valueint, valuedouble's bytes, shape, and each container's first child
 * pointing back to its last (as cJSON_Parse links them and cJSON relies on).
 */
static inline int
vec_same_tree(const cJSON *a, const cJSON *b)
{
	for (; a != NULL || b != NULL; a = a->next, b = b->next) {
		const cJSON *last;

		if (a == NULL || b == NULL || a->type != b->type || a->valueint != b->valueint ||
		    memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0 ||
		    (a->string == NULL) != (b->string == NULL) ||
		    (a->string != NULL && strcmp(a->string, b->string) != 0) ||
		    (a->valuestring == NULL) != (b->valuestring == NULL) ||
		    (a->valuestring != NULL && strcmp(a->valuestring, b->valuestring) != 0) ||
		    (a->child == NULL) != (b->child == NULL))
			return 0;
		if (a->child == NULL)
			continue;
		for (last = b->child; last->next != NULL; last = last->next)
			;
		if (b->child->prev != last || !vec_same_tree(a->child, b->child))
			return 0;
	}
	return 1;
}

/*
 * The vector change set: seq 1 puts a social-passport record of class 5А
 * (Cyrillic text, an escaped quote and newline, integers, a fraction, a
 * nested list), seq 2 deletes another record. NULL on failure.
 */
static inline struct changeset *
vec_changeset(const struct keys_sign *device)
{
	static const char fields_json[] =
	    "{\"students\":27,\"class\":\"5А\",\"large_families\":4,\"low_income\":3,"
	    "\"single_parent\":5,\"snapshot_date\":\"2025-10-01\",\"academic_year\":\"2025/2026\","
	    "\"share_low_income\":0.1111,\"note\":\"Семья «Ивановых» переехала;\\n\\\"уточнить\\\"\","
	    "\"languages\":[\"русский\",\"татарский\"],\"ovz\":0,\"verified\":true}";
	struct changeset *cs = changeset_new();
	struct op op;
	uint8_t id[KEYS_ID_BYTES];
	uint64_t node;
	int ok = 0;

	if (cs == NULL)
		return NULL;
	keys_id(device->pk, id);
	node = keys_id_u64(id);
	memcpy(cs->device_id, id, sizeof(id));
	snprintf(cs->school, sizeof(cs->school), "170103");
	cs->first_seq = 1;
	cs->last_seq = 2;
	memset(cs->prev_hash, 0, sizeof(cs->prev_hash));
	cs->created = (struct hlc_ts){ VEC_WALL_MS + 5000, 0, node };

	memset(&op, 0, sizeof(op));
	op.seq = 1;
	if (uuid7_parse("019a3eb5-0c00-7000-8000-000000000001", op.record_id) != 0)
		goto out;
	snprintf(op.form_id, sizeof(op.form_id), "social_passport");
	op.form_version = 1;
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_PUT;
	op.hlc = (struct hlc_ts){ VEC_WALL_MS, 0, node };
	if ((op.fields = cJSON_Parse(fields_json)) == NULL)
		goto out;
	if (changeset_add(cs, &op, NULL) != 0)
		goto out;
	cJSON_Delete(op.fields);
	op.fields = NULL;

	op.seq = 2;
	if (uuid7_parse("019a3eb5-0c00-7000-8000-000000000002", op.record_id) != 0)
		goto out;
	op.kind = OP_DELETE;
	op.hlc = (struct hlc_ts){ VEC_WALL_MS, 1, node };
	if (changeset_add(cs, &op, NULL) != 0)
		goto out;
	ok = 1;
 out:
	cJSON_Delete(op.fields);
	if (!ok) {
		changeset_free(cs);
		return NULL;
	}
	return cs;
}

/*
 * The second vector: seq 3 of the same device, a lone delete chained to the
 * first set (prev = its hash), sealed uncompressed (flags 0) so the vectors
 * cover both payload forms. envelope_seal would deflate it (any sealer may
 * leave a payload raw; the opener accepts both).
 */
static inline struct changeset *
vec_changeset2(const struct keys_sign *device, const uint8_t prev[CHANGESET_HASH_BYTES])
{
	struct changeset *cs = changeset_new();
	struct op op;
	uint8_t id[KEYS_ID_BYTES];
	uint64_t node;

	if (cs == NULL)
		return NULL;
	keys_id(device->pk, id);
	node = keys_id_u64(id);
	memcpy(cs->device_id, id, sizeof(id));
	snprintf(cs->school, sizeof(cs->school), "170103");
	cs->first_seq = cs->last_seq = 3;
	memcpy(cs->prev_hash, prev, CHANGESET_HASH_BYTES);
	cs->created = (struct hlc_ts){ VEC_WALL_MS + 60000, 0, node };
	memset(&op, 0, sizeof(op));
	op.seq = 3;
	snprintf(op.form_id, sizeof(op.form_id), "social_passport");
	op.form_version = 1;
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_DELETE;
	op.hlc = (struct hlc_ts){ VEC_WALL_MS + 59000, 0, node };
	if (uuid7_parse("019a3eb5-0c00-7000-8000-000000000001", op.record_id) != 0 ||
	    changeset_add(cs, &op, NULL) != 0) {
		changeset_free(cs);
		return NULL;
	}
	return cs;
}

/*
 * The third vector: seq 4 and 5 of the same device, chained to set 2: a put
 * of a new record, then an edit of it that changes one answer and removes
 * another (null). Plaintext only: sealing is the same as for any set.
 */
static inline struct changeset *
vec_changeset3(const struct keys_sign *device, const uint8_t prev[CHANGESET_HASH_BYTES])
{
	struct changeset *cs = changeset_new();
	struct op op;
	uint8_t id[KEYS_ID_BYTES];
	uint64_t node;
	int ok = 0;

	if (cs == NULL)
		return NULL;
	keys_id(device->pk, id);
	node = keys_id_u64(id);
	memcpy(cs->device_id, id, sizeof(id));
	snprintf(cs->school, sizeof(cs->school), "170103");
	cs->first_seq = 4;
	cs->last_seq = 5;
	memcpy(cs->prev_hash, prev, CHANGESET_HASH_BYTES);
	cs->created = (struct hlc_ts){ VEC_WALL_MS + 120000, 0, node };
	memset(&op, 0, sizeof(op));
	op.seq = 4;
	snprintf(op.form_id, sizeof(op.form_id), "social_passport");
	op.form_version = 1;
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_PUT;
	op.hlc = (struct hlc_ts){ VEC_WALL_MS + 100000, 0, node };
	if (uuid7_parse("019a3eb5-0c00-7000-8000-000000000003", op.record_id) != 0 ||
	    (op.fields = cJSON_Parse("{\"academic_year\":\"2025/2026\",\"class\":\"6Б\","
	    "\"low_income\":2,\"note\":\"проверить\",\"students\":25}")) == NULL ||
	    changeset_add(cs, &op, NULL) != 0)
		goto out;
	cJSON_Delete(op.fields);
	op.seq = 5;
	op.kind = OP_EDIT;
	op.hlc = (struct hlc_ts){ VEC_WALL_MS + 110000, 0, node };
	if ((op.fields = cJSON_Parse("{\"note\":null,\"low_income\":3}")) == NULL ||
	    changeset_add(cs, &op, NULL) != 0)
		goto out;
	ok = 1;
 out:
	cJSON_Delete(op.fields);
	if (!ok) {
		changeset_free(cs);
		return NULL;
	}
	return cs;
}

/* Everything the vector files hold, as the code produces it now. */
struct vec_files {
	struct tbuf *plain1, *plain2, *plain3; /* canonical encodings, exact bytes */
	char *env1_hex, *env2_hex, *ack_hex; /* 64 hex digits a line */
	char summary[4096];           /* keys, ids and hashes, "name value" lines */
};

static inline void
vec_files_free(struct vec_files *f)
{
	tbuf_free(f->plain1);
	tbuf_free(f->plain2);
	tbuf_free(f->plain3);
	free(f->env1_hex);
	free(f->env2_hex);
	free(f->ack_hex);
	memset(f, 0, sizeof(*f));
}

static inline void
vec_summary_hex(struct vec_files *f, const char *name, const uint8_t *p, size_t n)
{
	size_t k = strlen(f->summary);
	char hex[2 * 128 + 1];

	keys_hex(p, n, hex);
	snprintf(f->summary + k, sizeof(f->summary) - k, "%s %s\n", name, hex);
}

static inline int
vec_generate(struct vec_files *f, struct terr *e)
{
	struct vec_keys k;
	struct changeset *cs1 = NULL, *cs2 = NULL, *cs3 = NULL;
	struct tbuf *env1 = NULL, *env2 = NULL, *ack = NULL;
	uint8_t h1[CHANGESET_HASH_BYTES], h2[CHANGESET_HASH_BYTES], h3[CHANGESET_HASH_BYTES];
	uint8_t id[KEYS_ID_BYTES];
	char payload[256], idhex[KEYS_ID_HEXLEN + 1];
	int r = -1;

	memset(f, 0, sizeof(*f));
	if (vec_keys(&k) != 0 || (cs1 = vec_changeset(&k.device)) == NULL)
		goto out;
	f->plain1 = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	f->plain2 = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	f->plain3 = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	env1 = tbuf_new(ENVELOPE_MAX_BYTES);
	env2 = tbuf_new(ENVELOPE_MAX_BYTES);
	ack = tbuf_new(SIGBLOB_HEADER_BYTES + SIGBLOB_MAX_PAYLOAD + 64);
	if (!f->plain1 || !f->plain2 || !f->plain3 || !env1 || !env2 || !ack)
		goto out;
	if ((r = changeset_encode(cs1, f->plain1, e)) != 0 ||
	    (r = envelope_seal(cs1, &k.device, k.hub_enc.pk, &k.det, env1, h1, e)) != 0)
		goto out;
	r = -1;
	if ((cs2 = vec_changeset2(&k.device, h1)) == NULL)
		goto out;
	if ((r = changeset_encode(cs2, f->plain2, e)) != 0)
		goto out;
	changeset_hash(tbuf_ptr(f->plain2), tbuf_len(f->plain2), h2);
	r = -1;
	if ((cs3 = vec_changeset3(&k.device, h2)) == NULL)
		goto out;
	if ((r = changeset_encode(cs3, f->plain3, e)) != 0)
		goto out;
	changeset_hash(tbuf_ptr(f->plain3), tbuf_len(f->plain3), h3);
	{
		struct envelope_header h;

		memset(&h, 0, sizeof(h));
		h.version = ENVELOPE_VERSION;
		keys_id(k.device.pk, h.device_id);
		keys_id(k.hub_enc.pk, h.hub_key_id);
		h.first_seq = cs2->first_seq;
		h.last_seq = cs2->last_seq;
		h.op_count = (uint32_t)cs2->n_ops;
		h.plain_len = (uint32_t)tbuf_len(f->plain2);
		memcpy(h.prev_hash, cs2->prev_hash, CHANGESET_HASH_BYTES);
		if ((r = envelope_seal_raw(&h, tbuf_ptr(f->plain2), tbuf_len(f->plain2), &k.device,
		    k.hub_enc.pk, &k.det2, env2, e)) != 0)
			goto out;
	}
	keys_id_hex(k.device.pk, idhex);
	snprintf(payload, sizeof(payload), VEC_ACK_PAYLOAD, idhex);
	if ((r = sigblob_sign(SIGBLOB_ACK, (const uint8_t *)payload, strlen(payload), &k.hub_sign,
	    ack, e)) != 0)
		goto out;
	r = -1;
	f->env1_hex = vec_hex_lines(tbuf_ptr(env1), tbuf_len(env1));
	f->env2_hex = vec_hex_lines(tbuf_ptr(env2), tbuf_len(env2));
	f->ack_hex = vec_hex_lines(tbuf_ptr(ack), tbuf_len(ack));
	if (!f->env1_hex || !f->env2_hex || !f->ack_hex)
		goto out;

	vec_summary_hex(f, "device_sign_seed", k.device.sk, 32);
	vec_summary_hex(f, "device_sign_pk", k.device.pk, 32);
	keys_id(k.device.pk, id);
	vec_summary_hex(f, "device_key_id", id, KEYS_ID_BYTES);
	vec_summary_hex(f, "hub_enc_sk", k.hub_enc.sk, 32);
	vec_summary_hex(f, "hub_enc_pk", k.hub_enc.pk, 32);
	keys_id(k.hub_enc.pk, id);
	vec_summary_hex(f, "hub_enc_key_id", id, KEYS_ID_BYTES);
	vec_summary_hex(f, "hub_sign_seed", k.hub_sign.sk, 32);
	vec_summary_hex(f, "hub_sign_pk", k.hub_sign.pk, 32);
	keys_id(k.hub_sign.pk, id);
	vec_summary_hex(f, "hub_sign_key_id", id, KEYS_ID_BYTES);
	vec_summary_hex(f, "eph1_seed", k.det.eph_seed, 32);
	vec_summary_hex(f, "eph1_pk", tbuf_ptr(env1) + 80, 32);
	vec_summary_hex(f, "nonce1", k.det.nonce, ENVELOPE_NONCE_BYTES);
	vec_summary_hex(f, "eph2_seed", k.det2.eph_seed, 32);
	vec_summary_hex(f, "eph2_pk", tbuf_ptr(env2) + 80, 32);
	vec_summary_hex(f, "nonce2", k.det2.nonce, ENVELOPE_NONCE_BYTES);
	vec_summary_hex(f, "set1_hash", h1, CHANGESET_HASH_BYTES);
	vec_summary_hex(f, "set2_hash", h2, CHANGESET_HASH_BYTES);
	vec_summary_hex(f, "set3_hash", h3, CHANGESET_HASH_BYTES);
	{
		size_t n = strlen(f->summary);

		snprintf(f->summary + n, sizeof(f->summary) - n,
		    "set1_plain_len %zu\nenvelope1_len %zu\nenvelope1_flags %u\n"
		    "set2_plain_len %zu\nenvelope2_len %zu\nenvelope2_flags %u\nack_len %zu\n"
		    "set3_plain_len %zu\n",
		    tbuf_len(f->plain1), tbuf_len(env1), tbuf_ptr(env1)[5],
		    tbuf_len(f->plain2), tbuf_len(env2), tbuf_ptr(env2)[5], tbuf_len(ack),
		    tbuf_len(f->plain3));
	}
	r = 0;
 out:
	if (r != 0)
		vec_files_free(f);
	keys_sign_wipe(&k.device);
	keys_sign_wipe(&k.hub_sign);
	keys_enc_wipe(&k.hub_enc);
	changeset_free(cs1);
	changeset_free(cs2);
	changeset_free(cs3);
	tbuf_free(env1);
	tbuf_free(env2);
	tbuf_free(ack);
	return r;
}

#endif
