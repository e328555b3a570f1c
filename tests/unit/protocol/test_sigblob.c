/*
 * test_sigblob — hub-signed blobs: golden vector, round trip, and each
 * refusal with its own code (every flipped byte, every truncation).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vectors.h"

static struct vec_keys K;

static int
open_code(const uint8_t *b, size_t n, enum sigblob_kind kind, const uint8_t *pk, struct terr *e)
{
	const uint8_t *p = (const uint8_t *)1;
	size_t pl = 99;
	int r;

	terr_clear(e);
	r = sigblob_open(b, n, kind, pk, &p, &pl, e);
	if (r != 0) {
		CHECK(p == NULL);
		CHECK_INT_EQ(pl, 0);
		CHECK_INT_EQ(e->code, r);
		CHECK(e->msg[0] != '\0');
	}
	return r;
}

static void
test_vector(void)
{
	char path[1024], *hex, idhex[KEYS_ID_HEXLEN + 1], want[256];
	struct tbuf *b = tbuf_new(1 << 20);
	struct terr e;
	const uint8_t *p;
	size_t pl;
	char *mine;

	keys_id_hex(K.device.pk, idhex);
	snprintf(want, sizeof(want), VEC_ACK_PAYLOAD, idhex);
	CHECK_INT_EQ(sigblob_sign(SIGBLOB_ACK, (const uint8_t *)want, strlen(want), &K.hub_sign, b, &e), 0);
	/* Ed25519 is deterministic: the blob is the committed one, byte for byte. */
	mine = vec_hex_lines(tbuf_ptr(b), tbuf_len(b));
	snprintf(path, sizeof(path), "%s/tests/vectors/sigblob_ack.hex", TETRAD_SOURCE_DIR);
	hex = vec_read_file(path, NULL);
	CHECK(hex != NULL);
	CHECK_STR_EQ(mine, hex);
	CHECK_INT_EQ(tbuf_len(b), SIGBLOB_HEADER_BYTES + strlen(want) + 64);
	CHECK_MEM_EQ(tbuf_ptr(b), "TTSB\x01\x01\x00\x00", 8);
	CHECK_INT_EQ(sigblob_open(tbuf_ptr(b), tbuf_len(b), SIGBLOB_ACK, K.hub_sign.pk, &p, &pl, &e), 0);
	CHECK_INT_EQ(pl, strlen(want));
	CHECK(p == tbuf_ptr(b) + SIGBLOB_HEADER_BYTES);
	CHECK_MEM_EQ(p, want, pl);
	free(mine);
	free(hex);
	tbuf_free(b);
}

static void
test_refusals(void)
{
	static const char payload[] = "{\"id\":\"social_passport\",\"version\":3}";
	struct tbuf *b = tbuf_new(SIGBLOB_HEADER_BYTES + SIGBLOB_MAX_PAYLOAD + 64);
	struct keys_sign other;
	struct terr e;
	uint8_t seed[32], *c;
	size_t n;
	unsigned refused = 0;

	memset(seed, 0x77, sizeof(seed));
	CHECK_INT_EQ(keys_sign_from_seed(&other, seed), 0);
	CHECK_INT_EQ(sigblob_sign(SIGBLOB_FORM_BUNDLE, (const uint8_t *)payload, strlen(payload),
	    &K.hub_sign, b, &e), 0);
	n = tbuf_len(b);
	CHECK_INT_EQ(open_code(tbuf_ptr(b), n, SIGBLOB_FORM_BUNDLE, K.hub_sign.pk, &e), 0);
	/* Of another kind: only after the signature verifies. */
	CHECK_INT_EQ(open_code(tbuf_ptr(b), n, SIGBLOB_ACK, K.hub_sign.pk, &e), TERR_KIND);
	CHECK_CONTAINS(e.msg, "подтверждение");
	/* Another hub's key. */
	CHECK_INT_EQ(open_code(tbuf_ptr(b), n, SIGBLOB_FORM_BUNDLE, other.pk, &e), TERR_HUB_KEY);
	c = malloc(n + 10);
	/* A forged signer id: the signature still does not verify. */
	memcpy(c, tbuf_ptr(b), n);
	keys_id(other.pk, c + 8);
	CHECK_INT_EQ(open_code(c, n, SIGBLOB_FORM_BUNDLE, other.pk, &e), TERR_SIGNATURE);
	/* Every byte flipped. */
	for (size_t i = 0; i < n; i++) {
		memcpy(c, tbuf_ptr(b), n);
		c[i] ^= 0x01;
		if (open_code(c, n, SIGBLOB_FORM_BUNDLE, K.hub_sign.pk, &e) != 0)
			refused++;
		else
			fprintf(stderr, "flip of byte %zu accepted\n", i);
	}
	CHECK_INT_EQ(refused, n);
	/* Every truncation. */
	refused = 0;
	for (size_t len = 0; len < n; len++)
		if (open_code(tbuf_ptr(b), len, SIGBLOB_FORM_BUNDLE, K.hub_sign.pk, &e) == TERR_TRUNCATED)
			refused++;
	CHECK_INT_EQ(refused, n);
	memcpy(c, tbuf_ptr(b), n);
	c[n] = 0;
	CHECK_INT_EQ(open_code(c, n + 1, SIGBLOB_FORM_BUNDLE, K.hub_sign.pk, &e), TERR_TRAILING);
	memcpy(c, tbuf_ptr(b), n);
	c[0] = 'X';
	CHECK_INT_EQ(open_code(c, n, SIGBLOB_FORM_BUNDLE, K.hub_sign.pk, &e), TERR_MAGIC);
	memcpy(c, tbuf_ptr(b), n);
	c[4] = 9;
	CHECK_INT_EQ(open_code(c, n, SIGBLOB_FORM_BUNDLE, K.hub_sign.pk, &e), TERR_VERSION);
	memcpy(c, tbuf_ptr(b), n);
	c[6] = 1;
	CHECK_INT_EQ(open_code(c, n, SIGBLOB_FORM_BUNDLE, K.hub_sign.pk, &e), TERR_HEADER);
	memcpy(c, tbuf_ptr(b), n);
	c[16] = 0x01; /* declared payload 16 MiB + … */
	CHECK_INT_EQ(open_code(c, n, SIGBLOB_FORM_BUNDLE, K.hub_sign.pk, &e), TERR_TOO_LARGE);
	free(c);
	/* Caps at signing; empty payloads are fine. */
	{
		uint8_t *big = calloc(1, SIGBLOB_MAX_PAYLOAD + 1);

		tbuf_reset(b);
		CHECK_INT_EQ(sigblob_sign(SIGBLOB_ACK, big, SIGBLOB_MAX_PAYLOAD + 1, &K.hub_sign, b, &e),
		    TERR_TOO_LARGE);
		CHECK_INT_EQ(sigblob_sign(SIGBLOB_ACK, big, SIGBLOB_MAX_PAYLOAD, &K.hub_sign, b, &e), 0);
		CHECK_INT_EQ(open_code(tbuf_ptr(b), tbuf_len(b), SIGBLOB_ACK, K.hub_sign.pk, &e), 0);
		free(big);
		tbuf_reset(b);
		CHECK_INT_EQ(sigblob_sign(SIGBLOB_ENROLL, NULL, 0, &K.hub_sign, b, &e), 0);
		CHECK_INT_EQ(open_code(tbuf_ptr(b), tbuf_len(b), SIGBLOB_ENROLL, K.hub_sign.pk, &e), 0);
		CHECK_INT_EQ(sigblob_sign((enum sigblob_kind)9, NULL, 0, &K.hub_sign, b, &e), TERR_ARG);
	}
	keys_sign_wipe(&other);
	tbuf_free(b);
}

int
main(void)
{
	struct terr e;

	CHECK_INT_EQ(keys_init(&e), 0);
	CHECK_INT_EQ(vec_keys(&K), 0);
	test_vector();
	test_refusals();
	keys_sign_wipe(&K.device);
	keys_sign_wipe(&K.hub_sign);
	keys_enc_wipe(&K.hub_enc);
	return check_summary();
}
