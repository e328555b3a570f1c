/*
 * test_envelope_header — envelope_parse_header_only, the check the hub makes
 * on a body's first ENVELOPE_HEADER_BYTES before it reads the rest: it must
 * agree with envelope_parse_header on every header (same verdict, same
 * fields, the total length the whole-buffer parse wants), so admitting a
 * body by its header never lets through what the full parse refuses.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vectors.h"

static struct vec_keys K;

static struct tbuf *
sealed(void)
{
	struct changeset *cs = changeset_new();
	struct tbuf *b = tbuf_new(ENVELOPE_MAX_BYTES);
	struct terr e;
	struct op op;
	uint8_t id[KEYS_ID_BYTES];

	keys_id(K.device.pk, id);
	memcpy(cs->device_id, id, KEYS_ID_BYTES);
	snprintf(cs->school, sizeof(cs->school), "170103");
	cs->first_seq = cs->last_seq = 3;
	cs->created = (struct hlc_ts){ VEC_WALL_MS, 0, keys_id_u64(id) };
	memset(&op, 0, sizeof(op));
	op.seq = 3;
	uuid7_new(op.record_id, VEC_WALL_MS);
	snprintf(op.form_id, sizeof(op.form_id), "mediation");
	op.form_version = 2;
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_DELETE;
	op.hlc = cs->created;
	CHECK_INT_EQ(changeset_add(cs, &op, NULL), 0);
	CHECK_INT_EQ(envelope_seal(cs, &K.device, K.hub_enc.pk, NULL, b, NULL, &e), 0);
	changeset_free(cs);
	return b;
}

static void
test_agrees(void)
{
	struct tbuf *b = sealed();
	struct envelope_header full, only;
	struct terr e1, e2;
	uint8_t *copy;
	size_t n = tbuf_len(b), total = 0;
	unsigned agreed = 0;

	CHECK_INT_EQ(envelope_parse_header(tbuf_ptr(b), n, &full, &e1), 0);
	CHECK_INT_EQ(envelope_parse_header_only(tbuf_ptr(b), &only, &total, &e2), 0);
	CHECK_INT_EQ(total, n);
	CHECK_MEM_EQ(&full, &only, sizeof(full));
	/* every byte of the header flipped: the same verdict both ways */
	copy = malloc(n);
	for (size_t i = 0; i < ENVELOPE_HEADER_BYTES; i++) {
		int r1, r2;

		memcpy(copy, tbuf_ptr(b), n);
		copy[i] ^= 0x41;
		r1 = envelope_parse_header(copy, n, &full, &e1);
		r2 = envelope_parse_header_only(copy, &only, &total, &e2);
		/* a length the header changed is the whole parse's truncated/trailing */
		if (r2 == 0 && total != n)
			agreed += r1 == TERR_TRUNCATED || r1 == TERR_TRAILING;
		else
			agreed += r1 == r2 && (r1 != 0 || memcmp(&full, &only, sizeof(full)) == 0);
	}
	CHECK_INT_EQ(agreed, ENVELOPE_HEADER_BYTES);
	/* not ours at all; a version from the future */
	memcpy(copy, "HTTP", 4);
	CHECK_INT_EQ(envelope_parse_header_only(copy, &only, &total, &e2), TERR_MAGIC);
	CHECK_INT_EQ(total, 0);
	memcpy(copy, tbuf_ptr(b), n);
	copy[4] = 2;
	CHECK_INT_EQ(envelope_parse_header_only(copy, &only, &total, &e2), TERR_VERSION);
	/* a ciphertext past the cap: refused before anything is reserved */
	memcpy(copy, tbuf_ptr(b), n);
	copy[136] = 0x7f;
	CHECK_INT_EQ(envelope_parse_header_only(copy, &only, &total, &e2), TERR_TOO_LARGE);
	CHECK_INT_EQ(envelope_parse_header_only(NULL, &only, &total, &e2), TERR_ARG);
	free(copy);
	tbuf_free(b);
}

int
main(void)
{
	struct terr e;

	CHECK_INT_EQ(keys_init(&e), 0);
	CHECK_INT_EQ(vec_keys(&K), 0);
	test_agrees();
	return check_summary();
}
