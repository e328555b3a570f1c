/*
 * fuzz_changeset_parse — hostile bytes into changeset_parse. Whatever it
 * accepts must re-encode to exactly the input (one set, one encoding), each
 * put's fields_text must be exactly its fields' canonical encoding (the hub
 * stores it as is), and whatever it refuses must leave *out NULL with a
 * message. Its two ways in must agree on every input: the canonical reader
 * (changeset_rd_parse) takes exactly what the full parser (pre-scan, cJSON,
 * encode again and compare) takes, and reads the same set from it.
 */
#include <stdlib.h>
#include <string.h>

#include "vectors.h"
#include "tetrad/changeset_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_same_set(const struct changeset *a, const struct changeset *b, const uint8_t *data)
{
	if (a->n_ops != b->n_ops || a->first_seq != b->first_seq || a->last_seq != b->last_seq ||
	    memcmp(a->device_id, b->device_id, KEYS_ID_BYTES) != 0 || strcmp(a->school, b->school) != 0 ||
	    memcmp(a->prev_hash, b->prev_hash, CHANGESET_HASH_BYTES) != 0 ||
	    hlc_compare(&a->created, &b->created) != 0)
		abort();
	for (size_t i = 0; i < a->n_ops; i++) {
		const struct op *x = &a->ops[i], *y = &b->ops[i];

		if (x->seq != y->seq || x->kind != y->kind || x->form_version != y->form_version ||
		    memcmp(x->record_id, y->record_id, UUID7_BYTES) != 0 ||
		    strcmp(x->form_id, y->form_id) != 0 || strcmp(x->school, y->school) != 0 ||
		    hlc_compare(&x->hlc, &y->hlc) != 0 || x->fields_len != y->fields_len ||
		    (x->fields_text == NULL) != (y->fields_text == NULL) ||
		    (x->fields_text != NULL && (x->fields_text != y->fields_text ||
		    (const uint8_t *)x->fields_text < data)) ||
		    (x->fields != NULL) != (y->fields != NULL) ||
		    (x->fields != NULL && !cJSON_Compare(x->fields, y->fields, 1)))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct changeset *cs = NULL, *fast = NULL, *tree = NULL;
	struct terr e;
	struct tbuf *b;
	int r, rf, rt;

	terr_clear(&e);
	rf = changeset_rd_parse(data, size, &fast);
	rt = changeset_parse_tree(data, size, &tree, &e);
	if ((rf == 0) != (rt == 0) || (rf == 0) != (fast != NULL) || (rt == 0) != (tree != NULL))
		abort();
	if (rf == 0)
		fuzz_same_set(fast, tree, data);
	changeset_free(fast);
	changeset_free(tree);

	terr_clear(&e);
	r = changeset_parse(data, size, &cs, &e);
	if (r != 0) {
		if (cs != NULL || e.code != r || e.msg[0] == '\0' || rt != r)
			abort();
		return 0;
	}
	if (cs == NULL || cs->text == NULL || cs->text_len != size ||
	    (b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES)) == NULL)
		abort();
	if (changeset_encode(cs, b, &e) != 0 || tbuf_len(b) != size ||
	    memcmp(tbuf_ptr(b), data, size) != 0)
		abort();
	for (size_t i = 0; i < cs->n_ops; i++) {
		const struct op *op = &cs->ops[i];

		if (!OP_HAS_FIELDS(op->kind)) {
			if (op->fields_text != NULL)
				abort();
			continue;
		}
		tbuf_reset(b);
		if (op->fields_text == NULL || changeset_encode_fields(op, b, &e) != 0 ||
		    tbuf_len(b) != op->fields_len || memcmp(tbuf_ptr(b), op->fields_text, op->fields_len) != 0 ||
		    (const uint8_t *)op->fields_text < cs->text ||
		    (const uint8_t *)op->fields_text + op->fields_len > cs->text + cs->text_len)
			abort();
	}
	tbuf_free(b);
	changeset_free(cs);
	return 0;
}
