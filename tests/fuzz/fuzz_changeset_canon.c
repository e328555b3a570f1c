/*
 * fuzz_changeset_canon — the canonical reader against cJSON and the encoder.
 * changeset_fields_canonical must accept a text exactly when cJSON reads it
 * as an object within the caps and changeset_encode_fields writes it back
 * byte for byte. Accepting more would let syncd send fields the hub refuses;
 * accepting less only costs time, but is a disagreement all the same. An
 * accepted text, given to changeset_add as a put's fields, must come out of
 * changeset_encode exactly as it went in, and the canonical reader must read
 * that set's fields as the very tree cJSON_Parse makes of the text: same
 * types, names, strings, numbers to the bit, and links — when every member
 * name is a field id by the form rule; otherwise the reader refuses the set
 * (names are stored and printed, so nothing else gets in).
 */
#include <stdlib.h>
#include <string.h>

#include "vectors.h"
#include "tetrad/changeset_internal.h"
#include "tetrad/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_encoder_says_canonical(const uint8_t *data, size_t size, struct tbuf *b)
{
	const char *end = NULL;
	struct op op;
	cJSON *doc;
	int yes = 0;

	doc = cJSON_ParseWithLengthOpts((const char *)data, size, &end, 0);
	if (doc != NULL && end == (const char *)data + size && cJSON_IsObject(doc) &&
	    cJSON_GetArraySize(doc) <= CHANGESET_MAX_FIELDS) {
		memset(&op, 0, sizeof(op));
		op.kind = OP_PUT;
		op.fields = doc;
		yes = changeset_encode_fields(&op, b, NULL) == 0 && tbuf_len(b) == size &&
		    memcmp(tbuf_ptr(b), data, size) == 0;
	}
	cJSON_Delete(doc);
	return yes;
}

/* Every member name, at any depth, a field id by the form rule (form.h). */
static int
fuzz_names_ok(const cJSON *j)
{
	for (const cJSON *c = j->child; c != NULL; c = c->next) {
		if (cJSON_IsObject(j) && !form_ident_ok(c->string))
			return 0;
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && !fuzz_names_ok(c))
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char inside[] = "\"fields\":";
	struct changeset *cs;
	struct tbuf *b;
	struct op op;
	const uint8_t *at;
	cJSON *doc;
	int fast, slow;

	if ((b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES)) == NULL)
		abort();
	fast = changeset_fields_canonical((const char *)data, size) == 0;
	slow = fuzz_encoder_says_canonical(data, size, b);
	if (fast != slow)
		abort();
	if (fast) {
		if ((cs = changeset_new()) == NULL)
			abort();
		memset(&op, 0, sizeof(op));
		op.seq = 1;
		op.kind = OP_PUT;
		strcpy(op.form_id, "f");
		strcpy(op.school, "s");
		op.fields_text = (const char *)data;
		op.fields_len = size;
		cs->first_seq = cs->last_seq = 1;
		tbuf_reset(b);
		if (changeset_add(cs, &op, NULL) != 0 || changeset_encode(cs, b, NULL) != 0)
			abort();
		/* the set ends with the put's fields and "}]}" */
		if (tbuf_len(b) < sizeof(inside) - 1 + size + 3)
			abort();
		at = tbuf_ptr(b) + tbuf_len(b) - 3 - size;
		if (memcmp(at - (sizeof(inside) - 1), inside, sizeof(inside) - 1) != 0 ||
		    memcmp(at, data, size) != 0 || memcmp(at + size, "}]}", 3) != 0)
			abort();
		changeset_free(cs);
		if ((doc = cJSON_ParseWithLength((const char *)data, size)) == NULL)
			abort();
		/* a name outside the field-id rule: the reader refuses the set */
		if (!fuzz_names_ok(doc)) {
			if (changeset_rd_parse(tbuf_ptr(b), tbuf_len(b), &cs) == 0)
				abort();
			cJSON_Delete(doc);
			tbuf_free(b);
			return 0;
		}
		if (changeset_rd_parse(tbuf_ptr(b), tbuf_len(b), &cs) != 0)
			abort();
		if (!vec_same_tree(doc, cs->ops[0].fields))
			abort();
		cJSON_Delete(doc);
		changeset_free(cs);
	}
	tbuf_free(b);
	return 0;
}
