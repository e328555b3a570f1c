/*
 * test_changeset_edit — op "edit" in change sets: encoded as a put is but for
 * its "op", read back the same by the canonical reader and the full parser,
 * fields given as text taken as they stand, and an edit without fields
 * refused everywhere (adding, encoding, both readers). Vector set 3 (a put
 * and an edit of the same record) is compared byte for byte with its file.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vectors.h"
#include "tetrad/changeset_internal.h"

static void
edit_op(struct op *op, uint64_t seq)
{
	memset(op, 0, sizeof(*op));
	op->seq = seq;
	snprintf(op->form_id, sizeof(op->form_id), "social_passport");
	op->form_version = 2;
	snprintf(op->school, sizeof(op->school), "170103");
	op->kind = OP_EDIT;
	op->hlc = (struct hlc_ts){ 0x19a3e6e3000ULL, 7, 0x9d24e2eeaf27c2a0ULL };
	uuid7_parse("019a3eb5-0c00-7000-8000-000000000003", op->record_id);
}

/* Parses text both ways; each must give the same verdict, and r of parse. */
static int
parse_both(const char *text, struct changeset **out)
{
	struct changeset *rd = NULL, *tree = NULL;
	struct terr e;
	int r1, r2, r;

	r1 = changeset_rd_parse((const uint8_t *)text, strlen(text), &rd);
	r2 = changeset_parse_tree((const uint8_t *)text, strlen(text), &tree, &e);
	CHECK_INT_EQ(r1 == 0, r2 == 0);
	if (r1 == 0 && r2 == 0) {
		CHECK_INT_EQ(rd->n_ops, tree->n_ops);
		for (size_t i = 0; i < rd->n_ops && i < tree->n_ops; i++) {
			CHECK_INT_EQ(rd->ops[i].kind, tree->ops[i].kind);
			CHECK(cJSON_Compare(rd->ops[i].fields, tree->ops[i].fields, 1) ||
			    (rd->ops[i].fields == NULL && tree->ops[i].fields == NULL));
		}
	}
	changeset_free(rd);
	changeset_free(tree);
	r = changeset_parse((const uint8_t *)text, strlen(text), out, &e);
	if (r != 0)
		CHECK(e.msg[0] != '\0');
	return r;
}

static void
test_roundtrip(void)
{
	struct changeset *cs = changeset_new(), *p = NULL;
	struct tbuf *b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES), *f = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	struct terr e;
	struct op op;
	const char *text;

	edit_op(&op, 1);
	op.fields = cJSON_Parse("{\"note\":null,\"low_income\":4}");
	CHECK_INT_EQ(changeset_add(cs, &op, &e), 0);
	cJSON_Delete(op.fields);
	/* the same edit with its fields given as canonical text */
	edit_op(&op, 2);
	op.fields_text = "{\"low_income\":5}";
	op.fields_len = strlen(op.fields_text);
	CHECK_INT_EQ(changeset_add(cs, &op, &e), 0);
	cs->first_seq = 1;
	cs->last_seq = 2;
	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	CHECK_INT_EQ(tbuf_terminate(b), 0);
	text = (const char *)tbuf_ptr(b);
	CHECK_CONTAINS(text, "\"school\":\"170103\",\"op\":\"edit\",\"hlc\":\"019a3e6e3000-0007-"
	    "9d24e2eeaf27c2a0\",\"fields\":{\"low_income\":4,\"note\":null}}");
	CHECK_CONTAINS(text, "\"op\":\"edit\",\"hlc\":\"019a3e6e3000-0007-9d24e2eeaf27c2a0\","
	    "\"fields\":{\"low_income\":5}}]}");
	CHECK_INT_EQ(parse_both(text, &p), 0);
	if (p != NULL) {
		CHECK_INT_EQ(p->ops[0].kind, OP_EDIT);
		CHECK_INT_EQ(p->ops[1].kind, OP_EDIT);
		CHECK(cJSON_IsNull(cJSON_GetObjectItem(p->ops[0].fields, "note")));
		/* an edit's fields as they stand in the set, like a put's */
		CHECK(p->ops[0].fields_text != NULL);
		CHECK_INT_EQ(changeset_encode_fields(&p->ops[0], f, &e), 0);
		CHECK_INT_EQ(tbuf_len(f), p->ops[0].fields_len);
		CHECK_MEM_EQ(tbuf_ptr(f), p->ops[0].fields_text, tbuf_len(f));
	}
	changeset_free(p);
	tbuf_free(f);
	tbuf_free(b);
	changeset_free(cs);
}

/* s with the first from replaced by to (malloc'd) */
static char *
subst(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t a, fl = strlen(from), tl = strlen(to);
	char *r;

	if (at == NULL)
		abort();
	a = (size_t)(at - s);
	r = malloc(strlen(s) - fl + tl + 1);
	memcpy(r, s, a);
	memcpy(r + a, to, tl);
	strcpy(r + a + tl, at + fl);
	return r;
}

static void
test_refusals(void)
{
	struct changeset *cs = changeset_new(), *p = NULL;
	struct tbuf *b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	struct terr e;
	struct op op;
	char *m;
	const char *text;

	/* no fields, empty fields, as a tree or as text */
	edit_op(&op, 1);
	CHECK_INT_EQ(changeset_add(cs, &op, &e), TERR_ARG);
	op.fields = cJSON_CreateObject();
	CHECK_INT_EQ(changeset_add(cs, &op, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "правка без полей");
	cJSON_Delete(op.fields);
	op.fields = NULL;
	op.fields_text = "{}";
	op.fields_len = 2;
	CHECK_INT_EQ(changeset_add(cs, &op, &e), TERR_ARG);
	CHECK_INT_EQ(cs->n_ops, 0);
	/* an op of an unknown kind is never added or encoded */
	op.kind = (enum op_kind)4;
	op.fields_text = NULL;
	op.fields = cJSON_Parse("{\"a\":1}");
	CHECK_INT_EQ(changeset_add(cs, &op, &e), TERR_ARG);
	op.kind = OP_EDIT;
	CHECK_INT_EQ(changeset_add(cs, &op, &e), 0);
	cJSON_Delete(op.fields);
	cs->first_seq = cs->last_seq = 1;
	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	/* emptied behind changeset_add's back: the encoder refuses it too */
	cJSON_Delete(cJSON_DetachItemFromObject(cs->ops[0].fields, "a"));
	tbuf_reset(b);
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_SCHEMA);
	cJSON_AddNumberToObject(cs->ops[0].fields, "a", 1);
	tbuf_reset(b);
	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	CHECK_INT_EQ(tbuf_terminate(b), 0);
	text = (const char *)tbuf_ptr(b);
	CHECK_INT_EQ(parse_both(text, &p), 0);
	changeset_free(p);
	/* both readers refuse, the parser with its reason */
	m = subst(text, "\"fields\":{\"a\":1}", "\"fields\":{}");
	CHECK_INT_EQ(parse_both(m, &p), TERR_SCHEMA);
	free(m);
	m = subst(text, ",\"fields\":{\"a\":1}", "");
	CHECK_INT_EQ(parse_both(m, &p), TERR_SCHEMA);
	free(m);
	m = subst(text, "\"op\":\"edit\"", "\"op\":\"patch\"");
	CHECK_INT_EQ(parse_both(m, &p), TERR_SCHEMA);
	free(m);
	m = subst(text, "\"op\":\"edit\"", "\"op\":\"Edit\"");
	CHECK_INT_EQ(parse_both(m, &p), TERR_SCHEMA);
	free(m);
	/* a delete never carries fields, an edit always does */
	m = subst(text, "\"op\":\"edit\"", "\"op\":\"delete\"");
	CHECK_INT_EQ(parse_both(m, &p), TERR_SCHEMA);
	free(m);
	tbuf_free(b);
	changeset_free(cs);
}

/* Vector set 3 (test_envelope compares its file with the library's bytes):
 * read back, by both readers, and printed in docs/protocol.md. */
static void
test_vector(void)
{
	struct vec_files f;
	struct changeset *p = NULL;
	struct terr e;
	char path[1024], *doc;
	const char *text;

	CHECK_INT_EQ(vec_generate(&f, &e), 0);
	if (f.plain3 == NULL)
		return;
	CHECK_INT_EQ(tbuf_terminate(f.plain3), 0);
	text = (const char *)tbuf_ptr(f.plain3);
	CHECK_INT_EQ(parse_both(text, &p), 0);
	if (p != NULL) {
		CHECK_INT_EQ(p->n_ops, 2);
		CHECK_INT_EQ(p->ops[0].kind, OP_PUT);
		CHECK_INT_EQ(p->ops[1].kind, OP_EDIT);
		CHECK_MEM_EQ(p->ops[0].record_id, p->ops[1].record_id, UUID7_BYTES);
	}
	CHECK_CONTAINS(text, ",\"op\":\"edit\",\"hlc\":\"");
	CHECK_CONTAINS(text, "\"fields\":{\"low_income\":3,\"note\":null}}]}");
	snprintf(path, sizeof(path), "%s/docs/protocol.md", TETRAD_SOURCE_DIR);
	doc = vec_read_file(path, NULL);
	CHECK_CONTAINS(doc, text);
	free(doc);
	changeset_free(p);
	vec_files_free(&f);
}

int
main(void)
{
	struct terr e;

	CHECK_INT_EQ(keys_init(&e), 0);
	test_roundtrip();
	test_refusals();
	test_vector();
	return check_summary();
}
