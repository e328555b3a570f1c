/*
 * test_envelope — golden sealed envelopes (byte for byte against
 * tests/vectors), round trips, and every refusal with its own error: each
 * flipped byte, each truncation, trailing bytes, wrong keys, header/plaintext
 * mismatch, oversized counts, bad UTF-8 and depth bombs inside an authentic
 * envelope (built with the test-only envelope_seal_raw).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "vectors.h"
#include "tetrad/envelope_internal.h"

static struct vec_keys K;
static struct keys_enc other_hub;
static struct keys_sign other_dev;

/* Opens buf and checks the failure contract: code, *out NULL, a message. */
static int
open_code(const uint8_t *buf, size_t len, const uint8_t *dev_pk, const struct keys_enc *hub,
    struct terr *e)
{
	struct changeset *cs = (struct changeset *)1;
	uint8_t h[32];
	int r;

	terr_clear(e);
	r = envelope_open(buf, len, dev_pk, hub, &cs, h, e);
	if (r != 0) {
		CHECK(cs == NULL);
		CHECK(e->msg[0] != '\0');
		CHECK_INT_EQ(e->code, r);
	}
	changeset_free(cs);
	return r;
}

static int
open_k(const struct tbuf *b, struct terr *e)
{
	return open_code(tbuf_ptr(b), tbuf_len(b), K.device.pk, &K.hub_enc, e);
}

static void
check_file(const char *name, const void *got, size_t n)
{
	char path[1024], *want;
	size_t wlen = 0;

	snprintf(path, sizeof(path), "%s/tests/vectors/%s", TETRAD_SOURCE_DIR, name);
	want = vec_read_file(path, &wlen);
	CHECK(want != NULL);
	CHECK_INT_EQ(wlen, n);
	if (want != NULL && wlen == n)
		CHECK_MEM_EQ(got, want, n);
	else
		fprintf(stderr, "vector %s differs from the code's output\n", name);
	free(want);
}

static uint8_t *
unhex_lines(const char *hex, size_t *lenp)
{
	size_t n = 0, k = 0;
	uint8_t *out = malloc(strlen(hex) / 2 + 1);

	for (const char *p = hex; *p; p++)
		if (*p != '\n')
			n++;
	for (const char *p = hex; *p && k < n / 2; ) {
		char pair[3] = { 0, 0, 0 };

		while (*p == '\n')
			p++;
		pair[0] = *p++;
		while (*p == '\n')
			p++;
		pair[1] = *p++;
		out[k++] = (uint8_t)strtoul(pair, NULL, 16);
	}
	*lenp = k;
	return out;
}

static void
test_vectors(void)
{
	struct vec_files f;
	struct terr e;
	struct changeset *cs = NULL;
	char path[1024], *hex;
	uint8_t *env, h[32], h2[32];
	size_t n;

	CHECK_INT_EQ(vec_generate(&f, &e), 0);
	if (f.plain1 == NULL)
		return;
	check_file("changeset1.json", tbuf_ptr(f.plain1), tbuf_len(f.plain1));
	check_file("changeset2.json", tbuf_ptr(f.plain2), tbuf_len(f.plain2));
	check_file("changeset3.json", tbuf_ptr(f.plain3), tbuf_len(f.plain3));
	check_file("envelope1.hex", f.env1_hex, strlen(f.env1_hex));
	check_file("envelope2.hex", f.env2_hex, strlen(f.env2_hex));
	check_file("sigblob_ack.hex", f.ack_hex, strlen(f.ack_hex));
	check_file("summary.txt", f.summary, strlen(f.summary));

	/* docs/protocol.md prints every vector verbatim. */
	snprintf(path, sizeof(path), "%s/docs/protocol.md", TETRAD_SOURCE_DIR);
	hex = vec_read_file(path, NULL);
	CHECK(hex != NULL);
	if (hex != NULL) {
		char *p1 = malloc(tbuf_len(f.plain1) + 1), *p2 = malloc(tbuf_len(f.plain2) + 1);

		memcpy(p1, tbuf_ptr(f.plain1), tbuf_len(f.plain1));
		p1[tbuf_len(f.plain1)] = '\0';
		memcpy(p2, tbuf_ptr(f.plain2), tbuf_len(f.plain2));
		p2[tbuf_len(f.plain2)] = '\0';
		CHECK_CONTAINS(hex, p1);
		CHECK_CONTAINS(hex, p2);
		CHECK_CONTAINS(hex, f.env1_hex);
		CHECK_CONTAINS(hex, f.env2_hex);
		CHECK_CONTAINS(hex, f.ack_hex);
		CHECK_CONTAINS(hex, f.summary);
		free(p1);
		free(p2);
		free(hex);
	}

	/* The committed envelopes open to the committed plaintexts. */
	snprintf(path, sizeof(path), "%s/tests/vectors/envelope1.hex", TETRAD_SOURCE_DIR);
	hex = vec_read_file(path, NULL);
	CHECK(hex != NULL);
	if (hex != NULL) {
		struct tbuf *re = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);

		env = unhex_lines(hex, &n);
		CHECK_INT_EQ(env[5], ENVELOPE_FLAG_DEFLATE);
		CHECK_INT_EQ(envelope_open(env, n, K.device.pk, &K.hub_enc, &cs, h, &e), 0);
		CHECK(cs != NULL);
		if (cs != NULL) {
			CHECK_INT_EQ(changeset_encode(cs, re, &e), 0);
			CHECK_INT_EQ(tbuf_len(re), tbuf_len(f.plain1));
			CHECK_MEM_EQ(tbuf_ptr(re), tbuf_ptr(f.plain1), tbuf_len(f.plain1));
		}
		changeset_hash(tbuf_ptr(f.plain1), tbuf_len(f.plain1), h2);
		CHECK_MEM_EQ(h, h2, 32);
		changeset_free(cs);
		cs = NULL;
		free(env);
		free(hex);
		tbuf_free(re);
	}
	snprintf(path, sizeof(path), "%s/tests/vectors/envelope2.hex", TETRAD_SOURCE_DIR);
	hex = vec_read_file(path, NULL);
	CHECK(hex != NULL);
	if (hex != NULL) {
		env = unhex_lines(hex, &n);
		CHECK_INT_EQ(env[5], 0); /* too small to gain from deflate */
		CHECK_INT_EQ(envelope_open(env, n, K.device.pk, &K.hub_enc, &cs, h, &e), 0);
		CHECK(cs != NULL && cs->first_seq == 3 && cs->n_ops == 1);
		/* The chain: set 2 names set 1's hash as prev. */
		if (cs != NULL)
			CHECK_MEM_EQ(cs->prev_hash, h2, 32);
		changeset_free(cs);
		cs = NULL;
		free(env);
		free(hex);
	}
	vec_files_free(&f);
}

/* Seals cs with the vector keys into a new buffer. */
static struct tbuf *
seal(const struct changeset *cs, uint8_t hash[32])
{
	struct tbuf *b = tbuf_new(ENVELOPE_MAX_BYTES);
	struct terr e;

	CHECK_INT_EQ(envelope_seal(cs, &K.device, K.hub_enc.pk, NULL, b, hash, &e), 0);
	return b;
}

static struct changeset *
small_set(void)
{
	struct changeset *cs = changeset_new();
	struct op op;
	uint8_t id[KEYS_ID_BYTES];

	keys_id(K.device.pk, id);
	memcpy(cs->device_id, id, KEYS_ID_BYTES);
	snprintf(cs->school, sizeof(cs->school), "170103");
	cs->first_seq = cs->last_seq = 7;
	cs->created = (struct hlc_ts){ VEC_WALL_MS, 0, keys_id_u64(id) };
	memset(&op, 0, sizeof(op));
	op.seq = 7;
	uuid7_new(op.record_id, VEC_WALL_MS);
	snprintf(op.form_id, sizeof(op.form_id), "mediation");
	op.form_version = 2;
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_DELETE;
	op.hlc = cs->created;
	CHECK_INT_EQ(changeset_add(cs, &op, NULL), 0);
	return cs;
}

static void
test_roundtrip_and_flips(void)
{
	struct changeset *cs = small_set(), *got = NULL;
	uint8_t h1[32], h2[32];
	struct tbuf *b = seal(cs, h1), *b2;
	struct envelope_header hd;
	struct terr e;
	uint8_t *copy;
	size_t n = tbuf_len(b);
	unsigned refused = 0, tried = 0;

	CHECK_INT_EQ(envelope_parse_header(tbuf_ptr(b), n, &hd, &e), 0);
	CHECK_INT_EQ(hd.first_seq, 7);
	CHECK_INT_EQ(hd.op_count, 1);
	CHECK_INT_EQ(n, ENVELOPE_HEADER_BYTES + hd.cipher_len + ENVELOPE_SIG_BYTES);
	CHECK_INT_EQ(envelope_verify(tbuf_ptr(b), n, K.device.pk, &e), 0);
	CHECK_INT_EQ(envelope_open(tbuf_ptr(b), n, K.device.pk, &K.hub_enc, &got, h2, &e), 0);
	CHECK(got != NULL && got->n_ops == 1 && got->ops[0].form_version == 2);
	CHECK_MEM_EQ(h1, h2, 32);
	changeset_free(got);
	/* Randomness: sealing twice gives different envelopes that both open. */
	b2 = seal(cs, NULL);
	CHECK(tbuf_len(b2) == n && memcmp(tbuf_ptr(b2), tbuf_ptr(b), n) != 0);
	CHECK_INT_EQ(open_k(b2, &e), 0);
	tbuf_free(b2);

	/* Every single byte flipped, in two ways: always refused. */
	copy = malloc(n);
	for (size_t i = 0; i < n; i++) {
		for (int m = 0; m < 2; m++) {
			memcpy(copy, tbuf_ptr(b), n);
			copy[i] ^= m == 0 ? 0x01 : 0xff;
			tried++;
			if (open_code(copy, n, K.device.pk, &K.hub_enc, &e) != 0)
				refused++;
			else
				fprintf(stderr, "flip of byte %zu (mask %d) accepted\n", i, m);
		}
	}
	CHECK_INT_EQ(refused, tried);
	CHECK_INT_EQ(tried, 2 * n);
	/* Truncated at every length. */
	refused = 0;
	for (size_t len = 0; len < n; len++)
		if (open_code(tbuf_ptr(b), len, K.device.pk, &K.hub_enc, &e) == TERR_TRUNCATED)
			refused++;
	CHECK_INT_EQ(refused, n);
	/* Trailing garbage. */
	copy = realloc(copy, n + 100);
	memcpy(copy, tbuf_ptr(b), n);
	memset(copy + n, 0, 100);
	CHECK_INT_EQ(open_code(copy, n + 1, K.device.pk, &K.hub_enc, &e), TERR_TRAILING);
	CHECK_INT_EQ(open_code(copy, n + 100, K.device.pk, &K.hub_enc, &e), TERR_TRAILING);
	CHECK_CONTAINS(e.msg, "лишних байт");
	/* Header fields, each with its own code (checked before the signature). */
	memcpy(copy, tbuf_ptr(b), n);
	copy[0] = 'X';
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_MAGIC);
	memcpy(copy, tbuf_ptr(b), n);
	copy[4] = 2;
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_VERSION);
	CHECK_CONTAINS(e.msg, "версии 2");
	memcpy(copy, tbuf_ptr(b), n);
	copy[5] = 0x02;
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_HEADER);
	memcpy(copy, tbuf_ptr(b), n);
	copy[7] = 1;
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_HEADER);
	memcpy(copy, tbuf_ptr(b), n);
	copy[43] = 2; /* op_count 2 for the range 7..7 */
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_COUNT);
	memcpy(copy, tbuf_ptr(b), n);
	copy[44] = 0x02; /* plain_len 32 MiB + … */
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_TOO_LARGE);
	memcpy(copy, tbuf_ptr(b), n);
	copy[136] = 0x01; /* cipher_len 16 MiB + … */
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_TOO_LARGE);
	memcpy(copy, tbuf_ptr(b), n);
	copy[100] ^= 1; /* eph_pk: signature covers it */
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_SIGNATURE);
	memcpy(copy, tbuf_ptr(b), n);
	copy[ENVELOPE_HEADER_BYTES + 3] ^= 1; /* ciphertext */
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_SIGNATURE);
	memcpy(copy, tbuf_ptr(b), n);
	copy[n - 1] ^= 1; /* signature */
	CHECK_INT_EQ(open_code(copy, n, K.device.pk, &K.hub_enc, &e), TERR_SIGNATURE);
	CHECK_INT_EQ(envelope_verify(copy, n, K.device.pk, &e), TERR_SIGNATURE);
	/* Over the wire cap before anything else is looked at. */
	{
		size_t big = ENVELOPE_MAX_BYTES + 1;
		uint8_t *p = calloc(1, big);

		memcpy(p, tbuf_ptr(b), n);
		CHECK_INT_EQ(open_code(p, big, K.device.pk, &K.hub_enc, &e), TERR_TOO_LARGE);
		free(p);
	}
	free(copy);
	tbuf_free(b);
	changeset_free(cs);
}

static void
test_keys(void)
{
	struct changeset *cs = small_set();
	struct tbuf *b = seal(cs, NULL), *forged = tbuf_new(ENVELOPE_MAX_BYTES);
	struct envelope_header h;
	struct terr e;
	uint8_t *plain_dev_pk = K.device.pk;

	/* Wrong hub key: the key id says so before any crypto. */
	CHECK_INT_EQ(open_code(tbuf_ptr(b), tbuf_len(b), plain_dev_pk, &other_hub, &e), TERR_HUB_KEY);
	CHECK_CONTAINS(e.msg, "ключа хаба");
	/* Wrong device key. */
	CHECK_INT_EQ(open_code(tbuf_ptr(b), tbuf_len(b), other_dev.pk, &K.hub_enc, &e), TERR_DEVICE_KEY);
	CHECK_INT_EQ(envelope_verify(tbuf_ptr(b), tbuf_len(b), other_dev.pk, &e), TERR_SIGNATURE);
	/* Sealing a set of another device with this key is refused. */
	{
		struct tbuf *x = tbuf_new(ENVELOPE_MAX_BYTES);

		CHECK_INT_EQ(envelope_seal(cs, &other_dev, K.hub_enc.pk, NULL, x, NULL, &e), TERR_DEVICE_KEY);
		CHECK_INT_EQ(tbuf_len(x), 0);
		tbuf_free(x);
	}

	/* Forged hub key id: sealed to hub A but labelled as hub B → B cannot decrypt. */
	CHECK_INT_EQ(envelope_parse_header(tbuf_ptr(b), tbuf_len(b), &h, &e), 0);
	{
		struct tbuf *plain = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);

		CHECK_INT_EQ(changeset_encode(cs, plain, &e), 0);
		keys_id(other_hub.pk, h.hub_key_id);
		h.flags = 0;
		h.plain_len = (uint32_t)tbuf_len(plain);
		CHECK_INT_EQ(envelope_seal_raw(&h, tbuf_ptr(plain), tbuf_len(plain), &K.device,
		    K.hub_enc.pk, NULL, forged, &e), 0);
		CHECK_INT_EQ(open_code(tbuf_ptr(forged), tbuf_len(forged), K.device.pk, &other_hub, &e),
		    TERR_DECRYPT);
		/* Forged device key id: signed by K.device but naming other_dev. */
		tbuf_reset(forged);
		keys_id(K.hub_enc.pk, h.hub_key_id);
		keys_id(other_dev.pk, h.device_id);
		CHECK_INT_EQ(envelope_seal_raw(&h, tbuf_ptr(plain), tbuf_len(plain), &K.device,
		    K.hub_enc.pk, NULL, forged, &e), 0);
		CHECK_INT_EQ(open_code(tbuf_ptr(forged), tbuf_len(forged), other_dev.pk, &K.hub_enc, &e),
		    TERR_SIGNATURE);
		tbuf_free(plain);
	}
	/* A hub key that is not a usable X25519 point is refused at sealing. */
	{
		uint8_t zero[32] = { 0 };
		struct tbuf *x = tbuf_new(ENVELOPE_MAX_BYTES);

		CHECK_INT_EQ(envelope_seal(cs, &K.device, zero, NULL, x, NULL, &e), TERR_CRYPTO);
		tbuf_free(x);
	}
	tbuf_free(forged);
	tbuf_free(b);
	changeset_free(cs);
}

/*
 * Seals payload (plaintext, compressed if deflate) under a header derived
 * from cs, changed by the caller through hdr; returns the open code.
 */
static int
raw_open(const struct changeset *cs, const uint8_t *payload, size_t len, int deflate,
    uint32_t plain_len, void (*tweak)(struct envelope_header *), struct terr *e)
{
	struct envelope_header h;
	struct tbuf *b = tbuf_new(ENVELOPE_MAX_BYTES), *z = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	int r;

	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	keys_id(K.device.pk, h.device_id);
	keys_id(K.hub_enc.pk, h.hub_key_id);
	h.first_seq = cs->first_seq;
	h.last_seq = cs->last_seq;
	h.op_count = (uint32_t)cs->n_ops;
	h.plain_len = plain_len;
	memcpy(h.prev_hash, cs->prev_hash, 32);
	if (deflate) {
		h.flags = ENVELOPE_FLAG_DEFLATE;
		CHECK_INT_EQ(envelope_deflate(payload, len, z, e), 0);
		payload = tbuf_ptr(z);
		len = tbuf_len(z);
	}
	if (tweak != NULL)
		tweak(&h);
	CHECK_INT_EQ(envelope_seal_raw(&h, payload, len, &K.device, K.hub_enc.pk, &K.det, b, e), 0);
	r = open_k(b, e);
	tbuf_free(b);
	tbuf_free(z);
	return r;
}

static void tw_range(struct envelope_header *h) { h->first_seq += 10; h->last_seq += 10; }
static void tw_device(struct envelope_header *h) { (void)h; }
static void tw_prev(struct envelope_header *h) { h->prev_hash[31] ^= 1; }
static void tw_count(struct envelope_header *h) { h->last_seq = 8; h->op_count = 2; }

static void
test_inner(void)
{
	struct changeset *cs = small_set();
	struct tbuf *plain = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	struct terr e;
	char *s, *m, *at;
	uint32_t pl;

	CHECK_INT_EQ(changeset_encode(cs, plain, &e), 0);
	tbuf_terminate(plain);
	s = vec_strdup((const char *)tbuf_ptr(plain));
	pl = (uint32_t)strlen(s);
	/* The raw path itself produces envelopes that open (control). */
	CHECK_INT_EQ(raw_open(cs, (const uint8_t *)s, pl, 0, pl, NULL, &e), 0);
	CHECK_INT_EQ(raw_open(cs, (const uint8_t *)s, pl, 1, pl, NULL, &e), 0);

	/* Header and plaintext disagree: range, device, prev hash. */
	CHECK_INT_EQ(raw_open(cs, (const uint8_t *)s, pl, 0, pl, tw_range, &e), TERR_MISMATCH);
	CHECK_CONTAINS(e.msg, "не совпадает");
	CHECK_INT_EQ(raw_open(cs, (const uint8_t *)s, pl, 0, pl, tw_prev, &e), TERR_MISMATCH);
	{
		struct changeset *c2 = small_set();
		struct tbuf *p2 = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);

		keys_id(other_dev.pk, c2->device_id);
		CHECK_INT_EQ(changeset_encode(c2, p2, &e), 0);
		CHECK_INT_EQ(raw_open(cs, tbuf_ptr(p2), tbuf_len(p2), 1, (uint32_t)tbuf_len(p2),
		    tw_device, &e), TERR_MISMATCH);
		tbuf_free(p2);
		changeset_free(c2);
	}
	/* Decompression: garbage, wrong declared size (short and long), a bomb. */
	{
		uint8_t junk[64];
		struct tbuf *z = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
		struct envelope_header h;
		struct tbuf *b = tbuf_new(ENVELOPE_MAX_BYTES);
		uint8_t *zeros;

		memset(junk, 0xa5, sizeof(junk));
		memset(&h, 0, sizeof(h));
		h.version = 1;
		h.flags = ENVELOPE_FLAG_DEFLATE;
		keys_id(K.device.pk, h.device_id);
		keys_id(K.hub_enc.pk, h.hub_key_id);
		h.first_seq = h.last_seq = 7;
		h.op_count = 1;
		h.plain_len = pl;
		CHECK_INT_EQ(envelope_seal_raw(&h, junk, sizeof(junk), &K.device, K.hub_enc.pk, NULL, b, &e), 0);
		CHECK_INT_EQ(open_k(b, &e), TERR_DECOMPRESS);
		CHECK_INT_EQ(raw_open(cs, (const uint8_t *)s, pl, 1, pl + 1, NULL, &e), TERR_DECOMPRESS);
		CHECK_INT_EQ(raw_open(cs, (const uint8_t *)s, pl, 1, pl - 1, NULL, &e), TERR_DECOMPRESS);
		/* 30 MiB of zeros deflate to ~134 KiB (level 3); declared as 1 MiB:
		 * inflate stops there. */
		zeros = calloc(1, 30u << 20);
		CHECK_INT_EQ(envelope_deflate(zeros, 30u << 20, z, &e), 0);
		CHECK(tbuf_len(z) < 200000);
		tbuf_reset(b);
		h.plain_len = 1u << 20;
		CHECK_INT_EQ(envelope_seal_raw(&h, tbuf_ptr(z), tbuf_len(z), &K.device, K.hub_enc.pk,
		    NULL, b, &e), 0);
		CHECK_INT_EQ(open_k(b, &e), TERR_DECOMPRESS);
		/* Declared smaller than the compressed bytes: the header itself lies. */
		tbuf_reset(b);
		h.plain_len = 1000;
		CHECK_INT_EQ(envelope_seal_raw(&h, tbuf_ptr(z), tbuf_len(z), &K.device, K.hub_enc.pk,
		    NULL, b, &e), 0);
		CHECK_INT_EQ(open_k(b, &e), TERR_HEADER);
		/* Declared honestly, the bomb inflates and is then refused by the parser. */
		tbuf_reset(b);
		h.plain_len = 30u << 20;
		CHECK_INT_EQ(envelope_seal_raw(&h, tbuf_ptr(z), tbuf_len(z), &K.device, K.hub_enc.pk,
		    NULL, b, &e), 0);
		CHECK_INT_EQ(open_k(b, &e), TERR_UTF8); /* NUL bytes are not text */
		/* deflate flag on but not smaller than the plaintext: header lies. */
		tbuf_reset(b);
		h.plain_len = 10;
		CHECK_INT_EQ(envelope_seal_raw(&h, junk, sizeof(junk), &K.device, K.hub_enc.pk, NULL, b,
		    &e), 0);
		CHECK_INT_EQ(open_k(b, &e), TERR_HEADER);
		free(zeros);
		tbuf_free(z);
		tbuf_free(b);
	}
	/* Authentic envelopes with bad content: each its own code. */
	m = malloc(strlen(s) + 64);
	at = strstr(s, "\"form\":\"mediation\"");
	CHECK(at != NULL);
	/* invalid UTF-8 (same length so plain_len stays right) */
	strcpy(m, s);
	memcpy(m + (at - s) + 8, "medi\xc0\x80ion", 10);
	CHECK_INT_EQ(raw_open(cs, (const uint8_t *)m, pl, 1, pl, NULL, &e), TERR_UTF8);
	CHECK_INT_EQ(raw_open(cs, (const uint8_t *)m, pl, 0, pl, NULL, &e), TERR_UTF8);
	/* a depth bomb in place of the plaintext */
	{
		size_t n = 100000;
		char *bomb = malloc(n);

		memset(bomb, '[', n);
		CHECK_INT_EQ(raw_open(cs, (const uint8_t *)bomb, n, 1, (uint32_t)n, NULL, &e), TERR_DEPTH);
		free(bomb);
	}
	/* broken JSON */
	strcpy(m, s);
	m[pl - 1] = ',';
	CHECK_INT_EQ(raw_open(cs, (const uint8_t *)m, pl, 0, pl, NULL, &e), TERR_PARSE);
	/* plaintext range 7..8 with one op under a header 7..8 with op_count 2 */
	strcpy(m, s);
	at = strstr(m, "\"last\":7");
	CHECK(at != NULL);
	at[7] = '8';
	CHECK_INT_EQ(raw_open(cs, (const uint8_t *)m, pl, 0, pl, tw_count, &e), TERR_COUNT);
	/* unknown member inside */
	strcpy(m, s);
	at = strstr(m, "\"school\"");
	memcpy(at, "\"sch00l\"", 8);
	CHECK_INT_EQ(raw_open(cs, (const uint8_t *)m, pl, 0, pl, NULL, &e), TERR_SCHEMA);
	free(m);
	free(s);
	tbuf_free(plain);
	changeset_free(cs);
}

/* The largest set: 10,000 ops with fields, sealed and opened. */
static void
test_max_set(void)
{
	struct changeset *cs = changeset_new(), *got = NULL;
	struct tbuf *b;
	struct envelope_header h;
	struct terr e;
	struct op op;
	uint8_t id[KEYS_ID_BYTES], h1[32], h2[32];

	keys_id(K.device.pk, id);
	memcpy(cs->device_id, id, KEYS_ID_BYTES);
	snprintf(cs->school, sizeof(cs->school), "170103");
	cs->first_seq = 1000;
	cs->last_seq = 1000 + CHANGESET_MAX_OPS - 1;
	memset(&op, 0, sizeof(op));
	snprintf(op.form_id, sizeof(op.form_id), "social_passport");
	op.form_version = 1;
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_PUT;
	for (int i = 0; i < CHANGESET_MAX_OPS; i++) {
		op.seq = 1000 + (uint64_t)i;
		uuid7_new(op.record_id, VEC_WALL_MS + (uint64_t)i);
		op.hlc = (struct hlc_ts){ VEC_WALL_MS + (uint64_t)i, 0, keys_id_u64(id) };
		op.fields = cJSON_CreateObject();
		cJSON_AddStringToObject(op.fields, "class", "5А");
		cJSON_AddNumberToObject(op.fields, "students", i % 31);
		if (changeset_add(cs, &op, &e) != 0) {
			cJSON_Delete(op.fields);
			break;
		}
		cJSON_Delete(op.fields);
	}
	CHECK_INT_EQ(cs->n_ops, CHANGESET_MAX_OPS);
	b = seal(cs, h1);
	CHECK_INT_EQ(envelope_parse_header(tbuf_ptr(b), tbuf_len(b), &h, &e), 0);
	CHECK_INT_EQ(h.flags, ENVELOPE_FLAG_DEFLATE);
	CHECK(h.cipher_len * 4 < h.plain_len); /* deflate pays on batches */
	CHECK_INT_EQ(envelope_open(tbuf_ptr(b), tbuf_len(b), K.device.pk, &K.hub_enc, &got, h2, &e), 0);
	CHECK(got != NULL && got->n_ops == CHANGESET_MAX_OPS);
	CHECK_MEM_EQ(h1, h2, 32);
	changeset_free(got);
	tbuf_free(b);
	changeset_free(cs);
}

int
main(void)
{
	struct terr e;
	uint8_t seed[32];

	CHECK_INT_EQ(keys_init(&e), 0);
	CHECK_INT_EQ(vec_keys(&K), 0);
	memset(seed, 0xee, sizeof(seed));
	CHECK_INT_EQ(keys_enc_from_seed(&other_hub, seed), 0);
	memset(seed, 0xdd, sizeof(seed));
	CHECK_INT_EQ(keys_sign_from_seed(&other_dev, seed), 0);
	test_vectors();
	test_roundtrip_and_flips();
	test_keys();
	test_inner();
	test_max_set();
	keys_sign_wipe(&K.device);
	keys_sign_wipe(&K.hub_sign);
	keys_enc_wipe(&K.hub_enc);
	return check_summary();
}
