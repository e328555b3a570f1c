/*
 * test_pullmsg — the pull messages: golden request, ack, answer and USB file
 * (byte for byte against tests/vectors/pull_*), round trips, and every
 * refusal with its own code: each flipped byte, truncation, trailing bytes,
 * another device's answer, an unknown hub key, a tampered answer, a replay,
 * the wrong box key, answers out of order, and authentic answers that lie
 * (built with the test-only pullmsg_seal_raw).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "pull_vectors.h"
#include "tetrad/recmerge.h"

static struct pvec V;
static uint8_t dev_id[KEYS_ID_BYTES];

static void
check_hex_file(const char *name, const uint8_t *got, size_t n)
{
	char path[1024], *want, *hex;
	size_t wlen = 0;

	snprintf(path, sizeof(path), "%s/tests/vectors/%s", TETRAD_SOURCE_DIR, name);
	want = vec_read_file(path, &wlen);
	hex = vec_hex_lines(got, n);
	CHECK(want != NULL && hex != NULL);
	if (want != NULL && hex != NULL) {
		CHECK_INT_EQ(wlen, strlen(hex));
		if (wlen != strlen(hex) || memcmp(want, hex, wlen) != 0) {
			fprintf(stderr, "vector %s differs from the code's output\n", name);
			CHECK(0);
		}
	}
	free(want);
	free(hex);
}

/* Opens buf; on failure checks the contract (code in e, a message, *out NULL). */
static int
open_with(const uint8_t *buf, size_t len, const uint8_t *hub_pk, const struct keys_enc *box,
    const uint8_t *me, const uint8_t *nonce, struct pullmsg_batch **keep, struct terr *e)
{
	struct pullmsg_batch *b = (struct pullmsg_batch *)1;
	int r;

	terr_clear(e);
	r = pullmsg_open(buf, len, hub_pk, box, me, nonce, &b, e);
	if (r != 0) {
		CHECK(b == NULL);
		CHECK_INT_EQ(e->code, r);
		CHECK(e->msg[0] != '\0');
		return r;
	}
	CHECK(b != NULL);
	if (keep != NULL)
		*keep = b;
	else
		pullmsg_batch_free(b);
	return r;
}

static int
open_v(const struct tbuf *t, const uint8_t *nonce, struct terr *e)
{
	return open_with(tbuf_ptr(t), tbuf_len(t), V.k.hub_sign.pk, &V.box, dev_id, nonce, NULL, e);
}

static void
test_vectors(void)
{
	struct pullmsg_batch *b = NULL;
	struct pullmsg_request rq;
	struct terr e;
	char path[1024], *want;
	size_t wlen = 0;

	check_hex_file("pull_request.hex", V.req, PULLMSG_REQ_BYTES);
	check_hex_file("pull_ack.hex", V.ack_buf, PULLMSG_REQ_BYTES);
	check_hex_file("pull_answer.hex", tbuf_ptr(V.answer), tbuf_len(V.answer));
	check_hex_file("pull_file.hex", tbuf_ptr(V.file), tbuf_len(V.file));
	snprintf(path, sizeof(path), "%s/tests/vectors/pull_answer.json", TETRAD_SOURCE_DIR);
	want = vec_read_file(path, &wlen);
	CHECK(want != NULL && wlen == tbuf_len(V.plain) &&
	    memcmp(want, tbuf_ptr(V.plain), wlen) == 0);
	free(want);
	/* docs/protocol.md prints every vector verbatim */
	snprintf(path, sizeof(path), "%s/docs/protocol.md", TETRAD_SOURCE_DIR);
	want = vec_read_file(path, NULL);
	CHECK(want != NULL);
	if (want != NULL) {
		const uint8_t *bufs[] = { V.req, V.ack_buf, tbuf_ptr(V.answer), tbuf_ptr(V.file) };
		size_t lens[] = { PULLMSG_REQ_BYTES, PULLMSG_REQ_BYTES, tbuf_len(V.answer),
			tbuf_len(V.file) };
		char *plain = malloc(tbuf_len(V.plain) + 1);

		for (size_t i = 0; i < 4; i++) {
			char *hex = vec_hex_lines(bufs[i], lens[i]);

			CHECK_CONTAINS(want, hex);
			free(hex);
		}
		memcpy(plain, tbuf_ptr(V.plain), tbuf_len(V.plain));
		plain[tbuf_len(V.plain)] = '\0';
		CHECK_CONTAINS(want, plain);
		free(plain);
		free(want);
	}

	/* the request as the hub reads it */
	CHECK_INT_EQ(pullmsg_request_parse(V.req, PULLMSG_REQ_BYTES, &rq, &e), 0);
	CHECK_INT_EQ(rq.kind, PULLMSG_REQUEST);
	CHECK_MEM_EQ(rq.device_id, dev_id, KEYS_ID_BYTES);
	CHECK_INT_EQ(rq.after, 0);
	CHECK_INT_EQ(rq.max_items, 500);
	CHECK_MEM_EQ(rq.box_pk, V.box.pk, 32);
	CHECK_STR_EQ(rq.hlc, V.rq.hlc);
	CHECK_INT_EQ(pullmsg_request_verify(V.req, PULLMSG_REQ_BYTES, V.k.device.pk, &e), 0);
	CHECK_INT_EQ(pullmsg_request_parse(V.ack_buf, PULLMSG_REQ_BYTES, &rq, &e), 0);
	CHECK_INT_EQ(rq.kind, PULLMSG_ACK);
	CHECK_INT_EQ(rq.after, 5);
	CHECK_INT_EQ(rq.max_items, 0);

	/* the answer as the device reads it */
	CHECK_INT_EQ(open_with(tbuf_ptr(V.answer), tbuf_len(V.answer), V.k.hub_sign.pk, &V.box,
	    dev_id, V.rq.nonce, &b, &e), 0);
	if (b == NULL)
		return;
	CHECK_INT_EQ(b->after, 0);
	CHECK_INT_EQ(b->upto, 5);
	CHECK(!b->more);
	CHECK_INT_EQ(b->n_records, 1);
	CHECK_INT_EQ(b->n_profiles, 1);
	CHECK_INT_EQ(b->n_schools, 1);
	if (b->n_records == 1) {
		char *d = cJSON_PrintUnformatted(b->records[0].data);
		char id[UUID7_STRLEN + 1];

		CHECK_INT_EQ(b->records[0].pos, 1);
		uuid7_format(b->records[0].id, id);
		CHECK_STR_EQ(id, PVEC_RECORD_ID);
		CHECK_STR_EQ(b->records[0].form_id, "social_passport");
		CHECK_INT_EQ(b->records[0].form_version, 2);
		CHECK_STR_EQ(b->records[0].school, PVEC_SCHOOL);
		CHECK_STR_EQ(d, PVEC_DATA);
		CHECK(!recmerge_deleted(b->records[0].clocks));
		free(d);
	}
	if (b->n_profiles == 1) {
		CHECK_INT_EQ(b->profiles[0].pos, 2);
		CHECK_STR_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(b->profiles[0].years, "2026"),
		    "R01")->valuestring, "high");
	}
	if (b->n_schools == 1) {
		CHECK_INT_EQ(b->schools[0].pos, 4);
		CHECK_STR_EQ(b->schools[0].name, PVEC_SCHOOL_NAME);
	}
	CHECK_INT_EQ(pullmsg_check_after(b, 0, &e), 0);
	CHECK_INT_EQ(pullmsg_check_after(b, 3, &e), TERR_ORDER);
	CHECK_CONTAINS(e.msg, "ответы пришли не по порядку");
	pullmsg_batch_free(b);
}

static void
test_request(void)
{
	uint8_t buf[PULLMSG_REQ_BYTES + 1], other_seed[32];
	struct pullmsg_request rq;
	struct keys_sign other;
	struct hlc_ts t = { VEC_WALL_MS, 1, 7 };
	struct terr e;

	/* every flipped byte: refused by the parser or by the signature */
	for (size_t i = 0; i < PULLMSG_REQ_BYTES; i++) {
		int r;

		memcpy(buf, V.req, PULLMSG_REQ_BYTES);
		buf[i] ^= 0x01;
		r = pullmsg_request_parse(buf, PULLMSG_REQ_BYTES, &rq, &e);
		if (r == 0)
			r = pullmsg_request_verify(buf, PULLMSG_REQ_BYTES, V.k.device.pk, &e);
		CHECK(r != 0);
		if (r == 0)
			fprintf(stderr, "request byte %zu flipped was accepted\n", i);
	}
	memcpy(buf, V.req, PULLMSG_REQ_BYTES);
	buf[PULLMSG_REQ_BYTES] = 0;
	CHECK_INT_EQ(pullmsg_request_parse(buf, PULLMSG_REQ_BYTES - 1, &rq, &e), TERR_TRUNCATED);
	CHECK_INT_EQ(pullmsg_request_parse(buf, PULLMSG_REQ_BYTES + 1, &rq, &e), TERR_TRAILING);
	CHECK_INT_EQ(pullmsg_request_parse(tbuf_ptr(V.answer), PULLMSG_REQ_BYTES, &rq, &e), TERR_MAGIC);
	buf[4] = 2;
	CHECK_INT_EQ(pullmsg_request_parse(buf, PULLMSG_REQ_BYTES, &rq, &e), TERR_VERSION);
	memcpy(buf, V.req, PULLMSG_REQ_BYTES);
	buf[5] = 3;
	CHECK_INT_EQ(pullmsg_request_parse(buf, PULLMSG_REQ_BYTES, &rq, &e), TERR_HEADER);
	memcpy(buf, V.req, PULLMSG_REQ_BYTES);
	buf[100] = 'G';                          /* the HLC text */
	CHECK_INT_EQ(pullmsg_request_parse(buf, PULLMSG_REQ_BYTES, &rq, &e), TERR_CLOCK);

	/* another device's key: named, not just "bad signature" */
	memset(other_seed, 0x33, sizeof(other_seed));
	CHECK_INT_EQ(keys_sign_from_seed(&other, other_seed), 0);
	CHECK_INT_EQ(pullmsg_request_verify(V.req, PULLMSG_REQ_BYTES, other.pk, &e), TERR_DEVICE_KEY);
	/* signed by another key but naming ours: the signature */
	rq = V.rq;
	CHECK_INT_EQ(pullmsg_request_sign(&rq, &other, buf, &e), 0);
	memcpy(buf + 8, dev_id, KEYS_ID_BYTES);
	CHECK_INT_EQ(pullmsg_request_verify(buf, PULLMSG_REQ_BYTES, V.k.device.pk, &e), TERR_SIGNATURE);
	CHECK_CONTAINS(e.msg, "подпись");

	/* init clamps; sign refuses what a parser would */
	pullmsg_request_init(&rq, PULLMSG_REQUEST, 9, V.box.pk, 1u << 30, &t);
	CHECK_INT_EQ(rq.max_items, PULLMSG_MAX_ITEMS);
	pullmsg_request_init(&rq, PULLMSG_ACK, 9, V.box.pk, 50, &t);
	CHECK_INT_EQ(rq.max_items, 0);
	rq.max_items = 5;
	CHECK_INT_EQ(pullmsg_request_sign(&rq, &V.k.device, buf, &e), TERR_ARG);
	pullmsg_request_init(&rq, PULLMSG_REQUEST, 9, V.box.pk, 10, &t);
	CHECK_INT_EQ(pullmsg_request_sign(&rq, &V.k.device, buf, &e), 0);
	CHECK_INT_EQ(pullmsg_request_parse(buf, PULLMSG_REQ_BYTES, &rq, &e), 0);
	CHECK_INT_EQ(rq.after, 9);
	CHECK_INT_EQ(pullmsg_request_verify(buf, PULLMSG_REQ_BYTES, V.k.device.pk, &e), 0);
	keys_sign_wipe(&other);
}

static void
test_answer_refusals(void)
{
	struct tbuf *t = tbuf_new(PULLMSG_MAX_BYTES + 16);
	const uint8_t *a = tbuf_ptr(V.answer);
	size_t n = tbuf_len(V.answer);
	uint8_t seed[32], nonce[PULLMSG_NONCE_BYTES], other_id[KEYS_ID_BYTES];
	struct keys_enc other_box;
	struct keys_sign other_hub;
	struct terr e;

	CHECK(t != NULL);
	/* each flipped byte refused; a flip in the signed part is the signature */
	for (size_t i = 0; i < n; i++) {
		int r;

		tbuf_reset(t);
		tbuf_put(t, a, n);
		tbuf_mutable_ptr(t)[i] ^= 0x20;
		r = open_v(t, V.rq.nonce, &e);
		CHECK(r != 0);
		if (i >= PULLMSG_HEADER_BYTES && i < n - PULLMSG_SIG_BYTES)
			CHECK_INT_EQ(r, TERR_SIGNATURE);
	}
	tbuf_reset(t);
	tbuf_put(t, a, n);
	tbuf_mutable_ptr(t)[PULLMSG_HEADER_BYTES + 3] ^= 1;
	CHECK_INT_EQ(open_v(t, V.rq.nonce, &e), TERR_SIGNATURE);
	CHECK_CONTAINS(e.msg, "подпись хаба не сходится: ответ изменён в пути");
	/* truncated at every length, and a byte too many */
	for (size_t i = 0; i < n; i += (i < 200 ? 1 : 37)) {
		int r = open_with(a, i, V.k.hub_sign.pk, &V.box, dev_id, V.rq.nonce, NULL, &e);

		CHECK(r == TERR_TRUNCATED || r == TERR_MAGIC);
	}
	tbuf_reset(t);
	tbuf_put(t, a, n);
	tbuf_put_u8(t, 0);
	CHECK_INT_EQ(open_v(t, V.rq.nonce, &e), TERR_TRAILING);

	/* another device's answer */
	memset(other_id, 0x77, sizeof(other_id));
	CHECK_INT_EQ(open_with(a, n, V.k.hub_sign.pk, &V.box, other_id, V.rq.nonce, NULL, &e),
	    TERR_DEVICE_KEY);
	CHECK_CONTAINS(e.msg, "ответ предназначен другому устройству");
	/* a hub key the device does not know */
	memset(seed, 0x44, sizeof(seed));
	CHECK_INT_EQ(keys_sign_from_seed(&other_hub, seed), 0);
	CHECK_INT_EQ(open_with(a, n, other_hub.pk, &V.box, dev_id, V.rq.nonce, NULL, &e), TERR_HUB_KEY);
	/* a replay: the answer to an earlier request, and a network answer read as a file */
	memset(nonce, 0x55, sizeof(nonce));
	CHECK_INT_EQ(open_with(a, n, V.k.hub_sign.pk, &V.box, dev_id, nonce, NULL, &e), TERR_REPLAY);
	CHECK_CONTAINS(e.msg, "это повтор старого ответа");
	CHECK_INT_EQ(open_with(a, n, V.k.hub_sign.pk, &V.box, dev_id, NULL, NULL, &e), TERR_REPLAY);
	/* sealed to another box key */
	memset(seed, 0x66, sizeof(seed));
	CHECK_INT_EQ(keys_enc_from_seed(&other_box, seed), 0);
	CHECK_INT_EQ(open_with(a, n, V.k.hub_sign.pk, &other_box, dev_id, V.rq.nonce, NULL, &e),
	    TERR_DECRYPT);
	/* signed by another hub key that claims to be the known one: the signature */
	tbuf_reset(t);
	CHECK_INT_EQ(pvec_answer(&V, V.rq.nonce, NULL, t, NULL, &e), 0);
	{
		struct pullmsg_header h;
		struct tbuf *u = tbuf_new(PULLMSG_MAX_BYTES);
		const char *p = "{}";

		CHECK_INT_EQ(pullmsg_parse_header(tbuf_ptr(t), tbuf_len(t), &h, &e), 0);
		h.flags = 0;
		h.plain_len = 2;
		CHECK_INT_EQ(pullmsg_seal_raw(&h, (const uint8_t *)p, 2, &other_hub, V.box.pk, NULL, u,
		    &e), 0);
		CHECK_INT_EQ(open_v(u, V.rq.nonce, &e), TERR_SIGNATURE);
		tbuf_free(u);
	}
	keys_sign_wipe(&other_hub);
	keys_enc_wipe(&other_box);
	tbuf_free(t);
}

/* An authentic answer with plaintext p under a header made from the fields given. */
static int
lie(const char *p, uint64_t after, uint64_t upto, uint32_t count, int deflate, struct terr *e)
{
	struct pullmsg_header h;
	struct tbuf *t = tbuf_new(PULLMSG_MAX_BYTES), *z = tbuf_new(PULLMSG_MAX_PLAIN);
	const uint8_t *payload = (const uint8_t *)p;
	size_t len = strlen(p);
	int r;

	memset(&h, 0, sizeof(h));
	h.version = PULLMSG_VERSION;
	memcpy(h.device_id, dev_id, KEYS_ID_BYTES);
	keys_id(V.k.hub_sign.pk, h.hub_key_id);
	h.after = after;
	h.upto = upto;
	h.count = count;
	h.plain_len = (uint32_t)len;
	memcpy(h.req_nonce, V.rq.nonce, PULLMSG_NONCE_BYTES);
	if (deflate) {
		CHECK_INT_EQ(envelope_deflate(payload, len, z, NULL), 0);
		if (deflate == 2)      /* a stream that claims one byte more */
			h.plain_len++;
		payload = tbuf_ptr(z);
		len = tbuf_len(z);
		h.flags = PULLMSG_FLAG_DEFLATE;
	}
	CHECK_INT_EQ(pullmsg_seal_raw(&h, payload, len, &V.k.hub_sign, V.box.pk, NULL, t, e), 0);
	r = open_v(t, V.rq.nonce, e);
	tbuf_free(t);
	tbuf_free(z);
	return r;
}

#define FRAME(after, upto, more, recs, profs, schools) \
	"{\"v\":1,\"device\":\"9d24e2eeaf27c2a0\",\"after\":" #after ",\"upto\":" #upto \
	",\"more\":" #more ",\"records\":[" recs "],\"profiles\":[" profs "],\"schools\":[" schools "]}"
#define CLK "{\"x\":[\"019a3e6e3000-0000-9d24e2eeaf27c2a0\",\"9d24e2eeaf27c2a0\",0]}"
#define REC(pos) "{\"pos\":" #pos ",\"id\":\"" PVEC_RECORD_ID "\",\"form\":\"f\",\"fv\":1," \
	"\"school\":\"7701\",\"data\":{\"a\":1},\"clocks\":" CLK "}"
#define SCH(pos) "{\"pos\":" #pos ",\"code\":\"7701\",\"name\":\"x\"}"

static void
test_lies(void)
{
	struct terr e;
	char big[8192];

	CHECK_INT_EQ(lie(FRAME(0, 3, false, REC(1) "," REC(3), "", SCH(2)), 0, 3, 3, 0, &e), 0);
	CHECK_INT_EQ(lie(FRAME(0, 3, false, REC(1) "," REC(3), "", SCH(2)), 0, 3, 3, 1, &e), 0);
	CHECK_INT_EQ(lie(FRAME(7, 7, false, "", "", ""), 7, 7, 0, 0, &e), 0);
	/* header vs plaintext */
	CHECK_INT_EQ(lie(FRAME(0, 3, false, REC(1), "", ""), 0, 3, 2, 0, &e), TERR_MISMATCH);
	CHECK_INT_EQ(lie(FRAME(0, 3, false, REC(1), "", ""), 1, 3, 1, 0, &e), TERR_MISMATCH);
	CHECK_INT_EQ(lie(FRAME(0, 3, false, REC(1), "", ""), 0, 4, 1, 0, &e), TERR_MISMATCH);
	CHECK_INT_EQ(lie("{\"v\":1,\"device\":\"0000000000000000\",\"after\":0,\"upto\":1,"
	    "\"more\":false,\"records\":[],\"profiles\":[],\"schools\":[]}", 0, 1, 0, 0, &e),
	    TERR_MISMATCH);
	/* positions: out of order, repeated across kinds, outside (after, upto] */
	CHECK_INT_EQ(lie(FRAME(0, 3, false, REC(2) "," REC(1), "", ""), 0, 3, 2, 0, &e), TERR_MISMATCH);
	CHECK_INT_EQ(lie(FRAME(0, 3, false, REC(2), "", SCH(2)), 0, 3, 2, 0, &e), TERR_MISMATCH);
	CHECK_INT_EQ(lie(FRAME(1, 3, false, REC(1), "", ""), 1, 3, 1, 0, &e), TERR_MISMATCH);
	CHECK_INT_EQ(lie(FRAME(0, 3, false, REC(4), "", ""), 0, 3, 1, 0, &e), TERR_MISMATCH);
	/* "more" without progress would loop the device forever */
	CHECK_INT_EQ(lie(FRAME(3, 3, true, "", "", ""), 3, 3, 0, 0, &e), TERR_MISMATCH);
	/* shape */
	CHECK_INT_EQ(lie("[]", 0, 1, 0, 0, &e), TERR_SCHEMA);
	CHECK_INT_EQ(lie("{\"v\":1}", 0, 1, 0, 0, &e), TERR_SCHEMA);
	CHECK_INT_EQ(lie("{\"v\":1} ", 0, 1, 0, 0, &e), TERR_PARSE);
	CHECK_INT_EQ(lie("{\"v\":1} x", 0, 1, 0, 0, &e), TERR_PARSE);
	CHECK_INT_EQ(lie("{\"v\":", 0, 1, 0, 0, &e), TERR_PARSE);
	CHECK_INT_EQ(lie("{\"v\":2,\"device\":\"9d24e2eeaf27c2a0\",\"after\":0,\"upto\":1,"
	    "\"more\":false,\"records\":[],\"profiles\":[],\"schools\":[]}", 0, 1, 0, 0, &e),
	    TERR_VERSION);
	CHECK_INT_EQ(lie(FRAME(0, 1, false, "", "", "") "", 0, 1, 0, 0, &e), 0);
	CHECK_INT_EQ(lie("{\"v\":1,\"device\":\"9d24e2eeaf27c2a0\",\"after\":0,\"upto\":1,"
	    "\"more\":false,\"records\":[],\"profiles\":[],\"schools\":[],\"x\":1}", 0, 1, 0, 0, &e),
	    TERR_SCHEMA);
	CHECK_INT_EQ(lie(FRAME(0, 1, false, "{\"pos\":1}", "", ""), 0, 1, 1, 0, &e), TERR_SCHEMA);
	CHECK_INT_EQ(lie(FRAME(0, 1, false, "{\"pos\":1,\"id\":\"x\",\"form\":\"f\",\"fv\":1,"
	    "\"school\":\"7701\",\"data\":{},\"clocks\":" CLK "}", "", ""), 0, 1, 1, 0, &e), TERR_SCHEMA);
	CHECK_INT_EQ(lie(FRAME(0, 1, false, "{\"pos\":1,\"id\":\"" PVEC_RECORD_ID "\",\"form\":\"f\","
	    "\"fv\":0,\"school\":\"7701\",\"data\":{},\"clocks\":" CLK "}", "", ""), 0, 1, 1, 0, &e),
	    TERR_SCHEMA);
	CHECK_INT_EQ(lie(FRAME(0, 1, false, "{\"pos\":1,\"id\":\"" PVEC_RECORD_ID "\",\"form\":\"f\","
	    "\"fv\":1,\"school\":\"7701\",\"data\":{\"a\":1,\"a\":2},\"clocks\":" CLK "}", "", ""),
	    0, 1, 1, 0, &e), TERR_SCHEMA);
	CHECK_INT_EQ(lie(FRAME(0, 1, false, "{\"pos\":1,\"id\":\"" PVEC_RECORD_ID "\",\"form\":\"f\","
	    "\"fv\":1,\"school\":\"7701\",\"data\":{},\"clocks\":{\"x\":[\"bad\",\"9d\",0]}}", "", ""),
	    0, 1, 1, 0, &e), TERR_SCHEMA);
	CHECK_CONTAINS(e.msg, "запись 1");
	CHECK_INT_EQ(lie(FRAME(0, 1, false, "", "{\"pos\":1,\"school\":\"7701\",\"years\":{\"2026\":"
	    "{\"R01\":\"very\"}}}", ""), 0, 1, 1, 0, &e), TERR_SCHEMA);
	CHECK_INT_EQ(lie(FRAME(0, 1, false, "", "{\"pos\":1,\"school\":\"7701\",\"years\":{\"26\":{}}}",
	    ""), 0, 1, 1, 0, &e), TERR_SCHEMA);
	CHECK_INT_EQ(lie(FRAME(0, 1, false, "", "", "{\"pos\":1,\"code\":\"\",\"name\":\"x\"}"),
	    0, 1, 1, 0, &e), TERR_SCHEMA);
	/* bounds before cJSON: bad UTF-8, depth */
	CHECK_INT_EQ(lie("{\"v\":\"\xff\"}", 0, 1, 0, 0, &e), TERR_UTF8);
	memset(big, '[', 100);
	memset(big + 100, ']', 100);
	big[200] = '\0';
	CHECK_INT_EQ(lie(big, 0, 1, 0, 0, &e), TERR_DEPTH);
	/* a deflate stream that does not give exactly plain_len bytes */
	CHECK_INT_EQ(lie(FRAME(0, 3, false, REC(1) "," REC(3), "", SCH(2)), 0, 3, 3, 2, &e),
	    TERR_DECOMPRESS);
	/* header checks that need no crypto */
	CHECK_INT_EQ(lie(FRAME(5, 3, false, "", "", ""), 5, 3, 0, 0, &e), TERR_HEADER);
	CHECK_INT_EQ(lie(FRAME(0, 3, false, "", "", ""), 0, 3, 4, 0, &e), TERR_COUNT);
}

static void
test_builder(void)
{
	struct pullmsg_builder *b;
	struct pullmsg_batch *bt = NULL;
	struct tbuf *t = tbuf_new(PULLMSG_MAX_BYTES);
	uint8_t rid[UUID7_BYTES];
	const char *d = "{\"a\":\"x\"}", *c = CLK;
	struct terr e;
	size_t before;
	int r = 0;

	CHECK_INT_EQ(uuid7_parse(PVEC_RECORD_ID, rid), 0);
	b = pullmsg_builder_new(dev_id, 10, 0);
	CHECK(b != NULL);
	CHECK_INT_EQ(pullmsg_builder_last(b), 10);
	CHECK_INT_EQ(pullmsg_add_record(b, 10, rid, "f", 1, "7701", d, strlen(d), c, strlen(c), &e),
	    TERR_ARG);
	CHECK_INT_EQ(pullmsg_add_record(b, 11, rid, "f", 1, "7701", "[]", 2, c, strlen(c), &e), TERR_ARG);
	CHECK_INT_EQ(pullmsg_add_record(b, 11, rid, "f", 1, "7701", d, strlen(d), c, strlen(c), &e), 0);
	CHECK_INT_EQ(pullmsg_add_school(b, 11, "7702", "y", &e), TERR_ARG);
	/* names with every character JSON must escape come back the same */
	CHECK_INT_EQ(pullmsg_add_school(b, 12, "7702", "a\"b\\c\n\t\x01 «ё»", &e), 0);
	CHECK_INT_EQ(pullmsg_add_school(b, 13, "7703", "bad \xff", &e), TERR_ARG);
	CHECK_INT_EQ(pullmsg_builder_count(b), 2);
	CHECK_INT_EQ(pullmsg_seal(b, 11, false, V.rq.nonce, &V.k.hub_sign, V.box.pk, NULL, t, &e),
	    TERR_ARG);
	CHECK_INT_EQ(pullmsg_seal(b, 20, true, V.rq.nonce, &V.k.hub_sign, V.box.pk, NULL, t, &e), 0);
	CHECK_INT_EQ(open_with(tbuf_ptr(t), tbuf_len(t), V.k.hub_sign.pk, &V.box, dev_id, V.rq.nonce,
	    &bt, &e), 0);
	if (bt != NULL) {
		CHECK(bt->more);
		CHECK_INT_EQ(bt->upto, 20);
		CHECK_INT_EQ(bt->n_schools, 1);
		if (bt->n_schools == 1)
			CHECK_STR_EQ(bt->schools[0].name, "a\"b\\c\n\t\x01 «ё»");
		pullmsg_batch_free(bt);
	}
	pullmsg_builder_free(b);

	/* the item cap: the 2,001st is refused and the builder is unchanged */
	b = pullmsg_builder_new(dev_id, 0, PULLMSG_MAX_PLAIN);
	for (uint64_t p = 1; p <= PULLMSG_MAX_ITEMS && r == 0; p++)
		r = pullmsg_add_record(b, p, rid, "social_passport", 1, "7701", d, strlen(d), c,
		    strlen(c), &e);
	CHECK_INT_EQ(r, 0);
	before = pullmsg_builder_bytes(b);
	CHECK_INT_EQ(pullmsg_add_school(b, PULLMSG_MAX_ITEMS + 1, "1", "x", &e), TERR_TOO_LARGE);
	CHECK_INT_EQ(pullmsg_builder_bytes(b), before);
	CHECK_INT_EQ(pullmsg_builder_last(b), PULLMSG_MAX_ITEMS);
	tbuf_reset(t);
	CHECK_INT_EQ(pullmsg_seal(b, PULLMSG_MAX_ITEMS, true, V.rq.nonce, &V.k.hub_sign, V.box.pk,
	    NULL, t, &e), 0);
	CHECK_INT_EQ(open_with(tbuf_ptr(t), tbuf_len(t), V.k.hub_sign.pk, &V.box, dev_id, V.rq.nonce,
	    &bt, &e), 0);
	if (bt != NULL) {
		CHECK_INT_EQ(bt->n_records, PULLMSG_MAX_ITEMS);
		pullmsg_batch_free(bt);
	}
	pullmsg_builder_free(b);

	/* the byte bound: refused, unchanged, and the rest goes in the next batch */
	b = pullmsg_builder_new(dev_id, 0, 450);
	CHECK_INT_EQ(pullmsg_add_record(b, 1, rid, "f", 1, "7701", d, strlen(d), c, strlen(c), &e), 0);
	before = pullmsg_builder_bytes(b);
	CHECK_INT_EQ(pullmsg_add_record(b, 2, rid, "f", 1, "7701", d, strlen(d), c, strlen(c), &e),
	    TERR_TOO_LARGE);
	CHECK_INT_EQ(pullmsg_builder_bytes(b), before);
	CHECK_INT_EQ(pullmsg_builder_count(b), 1);
	CHECK_INT_EQ(pullmsg_builder_last(b), 1);
	pullmsg_builder_free(b);

	/* what does not compress below the wire cap is refused whole, out untouched */
	{
		static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		size_t vlen = 60000;
		char *big = malloc(vlen + 16);
		uint8_t rnd[64];

		CHECK(big != NULL);
		memcpy(big, "{\"a\":\"", 6);
		for (size_t i = 0; i < vlen; i += sizeof(rnd)) {
			randombytes_buf(rnd, sizeof(rnd));
			for (size_t j = 0; j < sizeof(rnd) && i + j < vlen; j++)
				big[6 + i + j] = al[rnd[j] & 63];
		}
		memcpy(big + 6 + vlen, "\"}", 3);
		b = pullmsg_builder_new(dev_id, 0, PULLMSG_MAX_PLAIN);
		r = 0;
		for (uint64_t p = 1; p <= 200 && r == 0; p++)
			r = pullmsg_add_record(b, p, rid, "f", 1, "7701", big, vlen + 8, c, strlen(c), &e);
		CHECK_INT_EQ(r, 0);
		tbuf_reset(t);
		CHECK_INT_EQ(pullmsg_seal(b, 200, false, V.rq.nonce, &V.k.hub_sign, V.box.pk, NULL, t,
		    &e), TERR_TOO_LARGE);
		CHECK_INT_EQ(tbuf_len(t), 0);
		pullmsg_builder_free(b);
		free(big);
	}
	tbuf_free(t);
}

struct mem_src {
	const uint8_t *p;
	size_t len, off;
};

static int
mem_read(void *ctx, uint8_t *buf, size_t len, size_t *got, struct terr *e)
{
	struct mem_src *m = ctx;
	size_t n = m->len - m->off < len ? m->len - m->off : len;

	(void)e;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	*got = n;
	return 0;
}

static void
test_file(void)
{
	struct mem_src m = { tbuf_ptr(V.file), tbuf_len(V.file), 0 };
	struct usbfile_src src = { mem_read, &m };
	struct usbfile_sink sink = { pvec_file_write, NULL };
	struct usbfile_header h;
	struct pullmsg_batch *b = NULL;
	struct tbuf *t = tbuf_new(1 << 20);
	uint8_t *buf = malloc(PULLMSG_MAX_BYTES);
	size_t len = 0;
	struct terr e;

	CHECK(buf != NULL && t != NULL);
	CHECK_INT_EQ(pullmsg_file_read_header(&src, &h, &e), 0);
	CHECK_INT_EQ(h.count, 1);
	CHECK_MEM_EQ(h.device_id, dev_id, KEYS_ID_BYTES);
	CHECK_INT_EQ(pullmsg_file_read_answer(&src, buf, &len, &e), 0);
	CHECK_INT_EQ(pullmsg_file_read_end(&src, &e), 0);
	/* a file's answer carries a zero nonce: opened with none expected, refused with one */
	CHECK_INT_EQ(open_with(buf, len, V.k.hub_sign.pk, &V.box, dev_id, NULL, &b, &e), 0);
	CHECK(b != NULL && b->n_records == 1);
	pullmsg_batch_free(b);
	CHECK_INT_EQ(open_with(buf, len, V.k.hub_sign.pk, &V.box, dev_id, V.rq.nonce, NULL, &e),
	    TERR_REPLAY);
	/* an online answer is not written into a file */
	sink.ctx = t;
	CHECK_INT_EQ(pullmsg_file_write_answer(&sink, dev_id, tbuf_ptr(V.answer), tbuf_len(V.answer),
	    &e), TERR_ARG);
	/* another kind of file, named */
	m.off = 0;
	m.p = (const uint8_t *)"TTEX\x01\0\0\0" "12345678" "\0\0\0\0";
	m.len = 20;
	CHECK_INT_EQ(pullmsg_file_read_header(&src, &h, &e), TERR_MAGIC);
	CHECK_CONTAINS(e.msg, "TTPF");
	free(buf);
	tbuf_free(t);
}

int
main(void)
{
	struct terr e;

	CHECK_INT_EQ(keys_init(&e), 0);
	terr_clear(&e);
	CHECK_INT_EQ(pvec_make(&V, &e), 0);
	if (e.code != 0)
		fprintf(stderr, "%s\n", e.msg);
	keys_id(V.k.device.pk, dev_id);
	test_vectors();
	test_request();
	test_answer_refusals();
	test_lies();
	test_builder();
	test_file();
	pvec_free(&V);
	return check_summary();
}
