/*
 * fuzz_pullmsg_inner — what lies behind the hub's signature: the input
 * becomes the plaintext of an authentic answer (sealed with the test-only
 * pullmsg_seal_raw), so decryption, inflate, the bounded parse of every
 * item and the header/plaintext cross-checks all see hostile bytes.
 *
 * Input: byte 0 bit 0 = deflate the plaintext (exercising the honest
 * inflate path), bits 1..3 = the header's item count; byte 1 = after, byte
 * 2 = upto − after; the rest is the plaintext.
 */
#include <stdlib.h>
#include <string.h>

#include "pull_vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pvec v;
	static struct tbuf *ans, *z;
	static int ready;
	struct pullmsg_batch *b = NULL;
	struct pullmsg_header h;
	const uint8_t *payload;
	size_t plen;
	uint8_t id[KEYS_ID_BYTES];
	struct terr e;
	int r;

	if (!ready) {
		if (keys_init(NULL) != 0 || pvec_make(&v, NULL) != 0 ||
		    (ans = tbuf_new(PULLMSG_MAX_BYTES)) == NULL ||
		    (z = tbuf_new(PULLMSG_MAX_PLAIN)) == NULL)
			abort();
		ready = 1;
	}
	if (size < 4 || size > (1u << 20))
		return 0;
	keys_id(v.k.device.pk, id);
	memset(&h, 0, sizeof(h));
	h.version = PULLMSG_VERSION;
	memcpy(h.device_id, id, KEYS_ID_BYTES);
	keys_id(v.k.hub_sign.pk, h.hub_key_id);
	h.count = (data[0] >> 1) & 7;
	h.after = data[1];
	h.upto = h.after + data[2];
	h.plain_len = (uint32_t)(size - 3);
	memcpy(h.req_nonce, v.rq.nonce, PULLMSG_NONCE_BYTES);
	payload = data + 3;
	plen = size - 3;
	tbuf_reset(z);
	if ((data[0] & 1) && envelope_deflate(payload, plen, z, NULL) == 0 && tbuf_len(z) < plen) {
		h.flags = PULLMSG_FLAG_DEFLATE;
		payload = tbuf_ptr(z);
		plen = tbuf_len(z);
	}
	tbuf_reset(ans);
	if (pullmsg_seal_raw(&h, payload, plen, &v.k.hub_sign, v.box.pk, &v.det, ans, &e) != 0)
		abort();
	r = pullmsg_open(tbuf_ptr(ans), tbuf_len(ans), v.k.hub_sign.pk, &v.box, id, v.rq.nonce, &b,
	    &e);
	if (r != 0) {
		if (b != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (b == NULL || b->after != h.after || b->upto != h.upto ||
	    b->n_records + b->n_profiles + b->n_schools != h.count)
		abort();
	for (size_t i = 0; i < b->n_records; i++)
		if (b->records[i].pos <= h.after || b->records[i].pos > h.upto ||
		    !cJSON_IsObject(b->records[i].data) || !cJSON_IsObject(b->records[i].clocks))
			abort();
	pullmsg_batch_free(b);
	return 0;
}
