/*
 * fuzz_envelope_inner — what lies behind the signature: the input becomes
 * the payload of an authentic envelope (sealed with the test-only
 * envelope_seal_raw), so decryption, inflate, parse and the header/plaintext
 * cross-check all see hostile bytes.
 *
 * Input: byte 0 bit 0 = deflate flag (payload is then used as a zlib
 * stream, plain_len from bytes 1..2), bits 1..7 tweak the header range;
 * the rest is the payload.
 */
#include <stdlib.h>
#include <string.h>

#include "vectors.h"
#include "tetrad/envelope_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vec_keys k;
	static struct tbuf *env;
	static int ready;
	struct changeset *cs = NULL;
	struct envelope_header h;
	struct terr e;
	int r;

	if (!ready) {
		if (keys_init(NULL) != 0 || vec_keys(&k) != 0 ||
		    (env = tbuf_new(ENVELOPE_MAX_BYTES)) == NULL)
			abort();
		ready = 1;
	}
	if (size < 4 || size > (1u << 20))
		return 0;
	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	keys_id(k.device.pk, h.device_id);
	keys_id(k.hub_enc.pk, h.hub_key_id);
	h.first_seq = 1 + (data[0] >> 4);
	h.last_seq = h.first_seq + ((data[0] >> 1) & 7);
	h.op_count = (uint32_t)(h.last_seq - h.first_seq + 1);
	if (data[0] & 1) {
		h.flags = ENVELOPE_FLAG_DEFLATE;
		h.plain_len = ((uint32_t)data[1] << 8 | data[2]) * 16u + data[3];
		if (h.plain_len <= size - 4)
			h.plain_len = (uint32_t)size; /* keep the header honest about "smaller" */
	} else {
		h.plain_len = (uint32_t)(size - 4);
	}
	if (h.plain_len == 0)
		return 0;
	tbuf_reset(env);
	if (envelope_seal_raw(&h, data + 4, size - 4, &k.device, k.hub_enc.pk, &k.det, env, &e) != 0)
		abort();
	r = envelope_open(tbuf_ptr(env), tbuf_len(env), k.device.pk, &k.hub_enc, &cs, NULL, &e);
	if (r != 0) {
		if (cs != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (cs == NULL || cs->first_seq != h.first_seq || cs->last_seq != h.last_seq)
		abort();
	changeset_free(cs);
	return 0;
}
