/*
 * pull_vectors — the inputs of the pull test vectors (docs/protocol.md,
 * "Pull"), shared by their generator (gen_pull_vectors.c), test_pullmsg and
 * the pullmsg fuzz targets. Keys are those of vectors.h; the new seeds are
 * counting bytes too:
 *   device box X25519 seed   e0 e1 … ff
 *   request nonce            50 51 … 6f
 *   ack nonce                70 71 … 8f
 *   answer ephemeral seed    90 91 … af,  answer nonce  b0 b1 … c7
 *   file answer eph. seed    08 09 … 27,  file nonce    28 29 … 3f
 * The device's clock in the request is VEC_WALL_MS, counter 0, its own node.
 */
#ifndef TETRAD_PULL_VECTORS_H
#define TETRAD_PULL_VECTORS_H

#include "vectors.h"
#include "tetrad/pullmsg.h"
#include "tetrad/pullmsg_testing.h"

#define PVEC_RECORD_ID "01933a6b-2c00-7000-8000-000000000001"
#define PVEC_DATA "{\"fio\":\"Иванова Анна\",\"grade\":7,\"notes\":\"строка 1\\nстрока 2\"}"
#define PVEC_CLOCKS_FMT "{\"f\":{\"grade\":[\"%s\",\"%s\"]},\"p\":[\"%s\",\"%s\"],\"x\":[\"%s\",\"%s\",0]}"
#define PVEC_YEARS "{\"2026\":{\"R01\":\"high\",\"R02\":\"not_found\"}}"
#define PVEC_SCHOOL "7701"
#define PVEC_SCHOOL_NAME "ГБОУ «Школа № 1» (корпус \"А\")"

struct pvec {
	struct vec_keys k;
	struct keys_enc box;
	struct envelope_det det, det_file;
	struct pullmsg_request rq, ack;
	uint8_t req[PULLMSG_REQ_BYTES], ack_buf[PULLMSG_REQ_BYTES];
	struct tbuf *answer, *file;         /* answer to rq; USB file of one answer */
	struct tbuf *plain;                 /* the answer's plaintext */
	char clocks[256];
};

static inline int
pvec_file_write(void *ctx, const uint8_t *buf, size_t len, struct terr *e)
{
	return tbuf_put((struct tbuf *)ctx, buf, len) == 0 ? 0 :
	    terr_set(e, TERR_TOO_LARGE, "pull vectors: file buffer full");
}

/* The answer of the vectors: one record, one profile, one school; upto 5. */
static inline int
pvec_answer(struct pvec *v, const uint8_t req_nonce[PULLMSG_NONCE_BYTES],
    const struct envelope_det *det, struct tbuf *out, struct tbuf *plain, struct terr *e)
{
	struct pullmsg_builder *b;
	uint8_t id[KEYS_ID_BYTES], rid[UUID7_BYTES];
	int r;

	keys_id(v->k.device.pk, id);
	if (uuid7_parse(PVEC_RECORD_ID, rid) != 0 || (b = pullmsg_builder_new(id, 0, 0)) == NULL)
		return terr_set(e, TERR_NOMEM, "pull vectors: no builder");
	if ((r = pullmsg_add_record(b, 1, rid, "social_passport", 2, PVEC_SCHOOL, PVEC_DATA,
	    strlen(PVEC_DATA), v->clocks, strlen(v->clocks), e)) == 0 &&
	    (r = pullmsg_add_profile(b, 2, PVEC_SCHOOL, PVEC_YEARS, strlen(PVEC_YEARS), e)) == 0 &&
	    (r = pullmsg_add_school(b, 4, PVEC_SCHOOL, PVEC_SCHOOL_NAME, e)) == 0 &&
	    (plain == NULL || (r = pullmsg_builder_plaintext(b, 5, false, plain, e)) == 0))
		r = pullmsg_seal(b, 5, false, req_nonce, &v->k.hub_sign, v->box.pk, det, out, e);
	pullmsg_builder_free(b);
	return r;
}

static inline void
pvec_free(struct pvec *v)
{
	tbuf_free(v->answer);
	tbuf_free(v->file);
	tbuf_free(v->plain);
	v->answer = v->file = v->plain = NULL;
	keys_enc_wipe(&v->box);
	keys_sign_wipe(&v->k.device);
	keys_sign_wipe(&v->k.hub_sign);
	keys_enc_wipe(&v->k.hub_enc);
}

/* Everything the vectors hold, computed afresh. */
static inline int
pvec_make(struct pvec *v, struct terr *e)
{
	uint8_t seed[32], id[KEYS_ID_BYTES];
	char hlc[HLC_STRLEN + 1], dev[KEYS_ID_HEXLEN + 1];
	struct hlc_ts t;
	struct usbfile_sink sink;
	int r;

	memset(v, 0, sizeof(*v));
	if (vec_keys(&v->k) != 0)
		return terr_set(e, TERR_CRYPTO, "pull vectors: keys");
	vec_fill(seed, 32, 0xe0);
	if (keys_enc_from_seed(&v->box, seed) != 0)
		return terr_set(e, TERR_CRYPTO, "pull vectors: box key");
	vec_fill(v->det.eph_seed, 32, 0x90);
	vec_fill(v->det.nonce, ENVELOPE_NONCE_BYTES, 0xb0);
	vec_fill(v->det_file.eph_seed, 32, 0x08);
	vec_fill(v->det_file.nonce, ENVELOPE_NONCE_BYTES, 0x28);
	keys_id(v->k.device.pk, id);
	keys_hex(id, KEYS_ID_BYTES, dev);
	t.wall_ms = VEC_WALL_MS;
	t.counter = 0;
	t.node = keys_id_u64(id);
	hlc_encode(&t, hlc);
	snprintf(v->clocks, sizeof(v->clocks), PVEC_CLOCKS_FMT, hlc, dev, hlc, dev, hlc, dev);

	pullmsg_request_init(&v->rq, PULLMSG_REQUEST, 0, v->box.pk, 500, &t);
	vec_fill(v->rq.nonce, PULLMSG_NONCE_BYTES, 0x50);
	pullmsg_request_init(&v->ack, PULLMSG_ACK, 5, v->box.pk, 0, &t);
	vec_fill(v->ack.nonce, PULLMSG_NONCE_BYTES, 0x70);
	if ((r = pullmsg_request_sign(&v->rq, &v->k.device, v->req, e)) != 0 ||
	    (r = pullmsg_request_sign(&v->ack, &v->k.device, v->ack_buf, e)) != 0)
		return r;
	if ((v->answer = tbuf_new(PULLMSG_MAX_BYTES)) == NULL ||
	    (v->file = tbuf_new(PULLMSG_MAX_BYTES)) == NULL ||
	    (v->plain = tbuf_new(PULLMSG_MAX_PLAIN)) == NULL)
		return terr_set(e, TERR_NOMEM, "pull vectors: no memory");
	if ((r = pvec_answer(v, v->rq.nonce, &v->det, v->answer, v->plain, e)) != 0)
		return r;
	{
		struct tbuf *fa = tbuf_new(PULLMSG_MAX_BYTES);

		if (fa == NULL)
			return terr_set(e, TERR_NOMEM, "pull vectors: no memory");
		sink.write = pvec_file_write;
		sink.ctx = v->file;
		if ((r = pvec_answer(v, NULL, &v->det_file, fa, NULL, e)) == 0 &&
		    (r = pullmsg_file_write_header(&sink, id, 1, e)) == 0)
			r = pullmsg_file_write_answer(&sink, id, tbuf_ptr(fa), tbuf_len(fa), e);
		tbuf_free(fa);
	}
	return r;
}

#endif
