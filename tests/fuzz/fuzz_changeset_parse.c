/*
 * fuzz_changeset_parse — hostile bytes into changeset_parse. Whatever it
 * accepts must re-encode to exactly the input (one set, one encoding), each
 * put's fields_text must be exactly its fields' canonical encoding (the hub
 * stores it as is), the canonical reader must have found it canonical on its
 * own (or the hub encodes every set twice), and whatever it refuses must
 * leave *out NULL with a message.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/vectors/vectors.h"
#include "protocol/src/changeset_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct changeset *cs = NULL;
	struct terr e;
	struct tbuf *b;
	size_t *fields_at;
	int r;

	terr_clear(&e);
	r = changeset_parse(data, size, &cs, &e);
	if (r != 0) {
		if (cs != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (cs == NULL || (b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES)) == NULL)
		abort();
	if (changeset_encode(cs, b, &e) != 0 || tbuf_len(b) != size ||
	    memcmp(tbuf_ptr(b), data, size) != 0)
		abort();
	if ((fields_at = calloc(2 * cs->n_ops, sizeof(*fields_at))) == NULL ||
	    changeset_rd_set(cs, data, size, fields_at) != 0)
		abort();
	for (size_t i = 0; i < cs->n_ops; i++) {
		const struct op *op = &cs->ops[i];

		if (op->kind != OP_PUT) {
			if (op->fields_text != NULL)
				abort();
			continue;
		}
		tbuf_reset(b);
		if (op->fields_text == NULL || changeset_encode_fields(op, b, &e) != 0 ||
		    tbuf_len(b) != op->fields_len || memcmp(tbuf_ptr(b), op->fields_text, op->fields_len) != 0 ||
		    fields_at[2 * i] != (size_t)((const uint8_t *)op->fields_text - cs->text) ||
		    fields_at[2 * i + 1] != op->fields_len)
			abort();
	}
	free(fields_at);
	tbuf_free(b);
	changeset_free(cs);
	return 0;
}
