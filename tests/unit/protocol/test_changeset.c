/*
 * test_changeset — canonical encoding (golden bytes, escaping, numbers,
 * ordering), strict parsing, and each refusal with its own error code.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "vectors.h"
#include "tetrad/changeset_internal.h"

/* A put of seq 1, form "f", school "1"; the caller gives its fields. */
static void
put_op(struct op *op)
{
	memset(op, 0, sizeof(*op));
	op->seq = 1;
	snprintf(op->form_id, sizeof(op->form_id), "f");
	snprintf(op->school, sizeof(op->school), "1");
	op->kind = OP_PUT;
}

/* s with the first occurrence of from replaced by to (malloc'd). */
static char *
subst(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t a, fl = strlen(from), tl = strlen(to);
	char *r;

	if (at == NULL) {
		fprintf(stderr, "subst: \"%s\" not found\n", from);
		abort();
	}
	a = (size_t)(at - s);
	r = malloc(strlen(s) - fl + tl + 1);
	memcpy(r, s, a);
	memcpy(r + a, to, tl);
	strcpy(r + a + tl, at + fl);
	return r;
}

static int
parse_code(const char *s, size_t len, struct terr *e)
{
	struct changeset *cs = (struct changeset *)1;
	int r;

	terr_clear(e);
	r = changeset_parse((const uint8_t *)s, len, &cs, e);
	if (r != 0) {
		CHECK(cs == NULL);
		CHECK(e->msg[0] != '\0');
		CHECK_INT_EQ(e->code, r);
	}
	changeset_free(cs);
	return r;
}

/* Parses s after replacing from by to; returns the code. */
static int
parse_mut(const char *canon, const char *from, const char *to)
{
	struct terr e;
	char *m = subst(canon, from, to);
	int r = parse_code(m, strlen(m), &e);

	free(m);
	return r;
}

static char *
encode_str(const struct changeset *cs, int *rp)
{
	struct tbuf *b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	struct terr e;
	char *s = NULL;

	*rp = changeset_encode(cs, b, &e);
	if (*rp == 0 && tbuf_terminate(b) == 0)
		s = vec_strdup((const char *)tbuf_ptr(b));
	tbuf_free(b);
	return s;
}

/* Canonical text of one field value, via a one-op set. */
static char *
field_canon(cJSON *value)
{
	struct changeset *cs = changeset_new();
	struct op op;
	char *s, *out = NULL, *at;
	int r;

	put_op(&op);
	op.fields = cJSON_CreateObject();
	cJSON_AddItemToObject(op.fields, "x", value);
	CHECK_INT_EQ(changeset_add(cs, &op, NULL), 0);
	cJSON_Delete(op.fields);
	cs->first_seq = cs->last_seq = 1;
	s = encode_str(cs, &r);
	if (s != NULL && (at = strstr(s, "\"fields\":{\"x\":")) != NULL) {
		at += strlen("\"fields\":{\"x\":");
		out = vec_strdup(at);
		out[strlen(out) - 4] = '\0'; /* drop "}}]}" */
	}
	free(s);
	changeset_free(cs);
	return out;
}

static void
test_golden(const struct changeset *cs)
{
	char path[1024], *want;
	size_t wlen = 0;
	struct tbuf *b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	struct terr e;

	snprintf(path, sizeof(path), "%s/tests/vectors/changeset1.json", TETRAD_SOURCE_DIR);
	want = vec_read_file(path, &wlen);
	CHECK(want != NULL);
	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	CHECK_INT_EQ(tbuf_len(b), wlen);
	if (want != NULL && tbuf_len(b) == wlen)
		CHECK_MEM_EQ(tbuf_ptr(b), want, wlen);
	/* Spot checks that do not depend on the committed file. */
	tbuf_terminate(b);
	CHECK(strncmp((const char *)tbuf_ptr(b), "{\"v\":1,\"device\":\"", 17) == 0);
	CHECK_CONTAINS((const char *)tbuf_ptr(b), "\"school\":\"170103\",\"first\":1,\"last\":2,\"prev\":\""
	    "0000000000000000000000000000000000000000000000000000000000000000\",\"created\":\"");
	CHECK_CONTAINS((const char *)tbuf_ptr(b), "{\"seq\":1,\"id\":\"019a3eb5-0c00-7000-8000-000000000001\","
	    "\"form\":\"social_passport\",\"fv\":1,\"school\":\"170103\",\"op\":\"put\",\"hlc\":\"");
	CHECK_CONTAINS((const char *)tbuf_ptr(b), "\"fields\":{\"academic_year\":\"2025/2026\",\"class\":\"5А\","
	    "\"languages\":[\"русский\",\"татарский\"],\"large_families\":4,\"low_income\":3,"
	    "\"note\":\"Семья «Ивановых» переехала;\\n\\\"уточнить\\\"\",\"ovz\":0,"
	    "\"share_low_income\":0.1111,\"single_parent\":5,\"snapshot_date\":\"2025-10-01\","
	    "\"students\":27,\"verified\":true}}");
	CHECK_CONTAINS((const char *)tbuf_ptr(b), ",\"op\":\"delete\",\"hlc\":\"");
	CHECK_CONTAINS((const char *)tbuf_ptr(b), "\"op\":\"delete\",\"hlc\":\"019a3e6e3000-0001-");
	CHECK_STR_EQ((const char *)tbuf_ptr(b) + tbuf_len(b) - 4, "\"}]}");
	free(want);
	tbuf_free(b);
}

static void
test_roundtrip(const struct changeset *cs)
{
	struct tbuf *b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES), *b2 = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	struct changeset *p = NULL;
	struct terr e;
	uint8_t h1[32], h2[32];
	size_t fields_at;

	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	CHECK_INT_EQ(changeset_parse(tbuf_ptr(b), tbuf_len(b), &p, &e), 0);
	CHECK(p != NULL);
	if (p == NULL)
		goto out;
	CHECK_INT_EQ(p->n_ops, 2);
	CHECK_INT_EQ(p->first_seq, 1);
	CHECK_INT_EQ(p->last_seq, 2);
	CHECK_MEM_EQ(p->device_id, cs->device_id, KEYS_ID_BYTES);
	CHECK_STR_EQ(p->school, "170103");
	CHECK_INT_EQ(hlc_compare(&p->created, &cs->created), 0);
	CHECK_INT_EQ(p->ops[0].kind, OP_PUT);
	CHECK_INT_EQ(p->ops[1].kind, OP_DELETE);
	CHECK(p->ops[1].fields == NULL);
	CHECK_STR_EQ(p->ops[0].form_id, "social_passport");
	CHECK_INT_EQ(p->ops[0].form_version, 1);
	CHECK_MEM_EQ(p->ops[1].record_id, cs->ops[1].record_id, UUID7_BYTES);
	CHECK_INT_EQ(hlc_compare(&p->ops[1].hlc, &cs->ops[1].hlc), 0);
	CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(p->ops[0].fields, "class")->valuestring, "5А");
	CHECK_INT_EQ(cJSON_GetObjectItemCaseSensitive(p->ops[0].fields, "students")->valuedouble, 27);
	/* a put's fields as they stand in the set: the text encode_fields makes */
	CHECK(p->ops[1].fields_text == NULL);
	CHECK(p->ops[0].fields_text != NULL);
	CHECK_INT_EQ(changeset_encode_fields(&p->ops[0], b2, &e), 0);
	CHECK_INT_EQ(p->ops[0].fields_len, tbuf_len(b2));
	if (p->ops[0].fields_text != NULL && p->ops[0].fields_len == tbuf_len(b2))
		CHECK_MEM_EQ(p->ops[0].fields_text, tbuf_ptr(b2), tbuf_len(b2));
	tbuf_reset(b2);
	CHECK_INT_EQ(changeset_encode(p, b2, &e), 0);
	CHECK_INT_EQ(tbuf_len(b2), tbuf_len(b));
	CHECK_MEM_EQ(tbuf_ptr(b2), tbuf_ptr(b), tbuf_len(b));
	/* the fields' text lies inside the set's own text, where the encoding put it */
	fields_at = (size_t)((const uint8_t *)p->ops[0].fields_text - p->text);
	CHECK(fields_at + p->ops[0].fields_len <= tbuf_len(b));
	CHECK_MEM_EQ(p->text + fields_at, tbuf_ptr(b) + fields_at, p->ops[0].fields_len);
	/* the canonical reader alone reads the same set, cJSON only for fields */
	{
		struct changeset *f = NULL;

		CHECK_INT_EQ(changeset_rd_parse(tbuf_ptr(b), tbuf_len(b), &f), 0);
		CHECK(f != NULL);
		if (f != NULL) {
			CHECK_INT_EQ(f->n_ops, 2);
			CHECK_INT_EQ(f->ops[1].kind, OP_DELETE);
			CHECK_STR_EQ(f->ops[0].form_id, "social_passport");
			CHECK_MEM_EQ(f->prev_hash, p->prev_hash, CHANGESET_HASH_BYTES);
			CHECK(cJSON_Compare(f->ops[0].fields, p->ops[0].fields, 1));
			CHECK_INT_EQ(f->ops[0].fields_len, p->ops[0].fields_len);
			CHECK((const uint8_t *)f->ops[0].fields_text == tbuf_ptr(b) + fields_at);
		}
		changeset_free(f);
		f = (struct changeset *)1;
		CHECK(changeset_rd_parse(tbuf_ptr(b), tbuf_len(b) - 1, &f) != 0);
		CHECK(f == NULL);
	}
	changeset_hash(tbuf_ptr(b), tbuf_len(b), h1);
	changeset_hash(tbuf_ptr(b2), tbuf_len(b2), h2);
	CHECK_MEM_EQ(h1, h2, 32);
	crypto_generichash(h2, 32, tbuf_ptr(b), tbuf_len(b), NULL, 0);
	CHECK_MEM_EQ(h1, h2, 32);
 out:
	changeset_free(p);
	tbuf_free(b);
	tbuf_free(b2);
}

static int
reader_takes(const char *fields)
{
	return changeset_fields_canonical(fields, strlen(fields));
}

/* v encodes as want, and the canonical reader takes want as it stands. */
static void
check_field(cJSON *v, const char *want)
{
	char *got = field_canon(v), obj[256];

	CHECK_STR_EQ(got, want);
	snprintf(obj, sizeof(obj), "{\"x\":%s}", want);
	CHECK_INT_EQ(reader_takes(obj), 0);
	free(got);
}

static void
test_canonical_values(void)
{
	cJSON *o, *a;

	/* Strings: only " \ and control characters are escaped; / and UTF-8 stay. */
	check_field(cJSON_CreateString("a\"b\\c/d\n\r\t\b\f\x01\x1f\x7f Ё€😀"),
	    "\"a\\\"b\\\\c/d\\n\\r\\t\\b\\f\\u0001\\u001f\x7f Ё€😀\"");
	check_field(cJSON_CreateString(""), "\"\"");
	/* Numbers: integers as integers, fractions in the shortest round trip. */
	check_field(cJSON_CreateNumber(0), "0");
	check_field(cJSON_CreateNumber(-0.0), "0");
	check_field(cJSON_CreateNumber(-5), "-5");
	check_field(cJSON_CreateNumber(9007199254740992.0), "9007199254740992");
	check_field(cJSON_CreateNumber(9007199254740994.0), "9007199254740994");
	check_field(cJSON_CreateNumber(1e17), "1e+17");
	check_field(cJSON_CreateNumber(0.1), "0.1");
	check_field(cJSON_CreateNumber(2.5), "2.5");
	check_field(cJSON_CreateNumber(1.0 / 3.0), "0.3333333333333333");
	check_field(cJSON_CreateNumber(1e20), "1e+20");
	check_field(cJSON_CreateNumber(-1.5e-7), "-1.5e-07");
	check_field(cJSON_CreateNull(), "null");
	check_field(cJSON_CreateTrue(), "true");
	check_field(cJSON_CreateFalse(), "false");
	/* Objects sorted by key bytes (ASCII before Cyrillic), arrays in order. */
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "z9", 1);
	cJSON_AddNumberToObject(o, "b", 2);
	cJSON_AddNumberToObject(o, "a_", 3);
	cJSON_AddNumberToObject(o, "aa", 4);
	cJSON_AddNumberToObject(o, "a", 5);
	a = cJSON_AddArrayToObject(o, "arr");
	cJSON_AddItemToArray(a, cJSON_CreateNumber(3));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(1));
	cJSON_AddItemToArray(a, cJSON_CreateObject());
	cJSON_AddItemToArray(a, cJSON_CreateArray());
	check_field(o, "{\"a\":5,\"a_\":3,\"aa\":4,\"arr\":[3,1,{},[]],\"b\":2,\"z9\":1}");
}

/*
 * The canonical reader: the encoder's own texts go through as they stand;
 * every way of writing the same object differently, and everything over a
 * cap, is refused; fields given as text go into a set unchanged.
 */
static void
test_canonical_reader(void)
{
	static const char *const refused[] = {
		"", "{", "}", "[]", "null", "{ }", "{\"a\": 1}", "{\"a\":1 }", " {\"a\":1}", "{\"a\":1}x",
		"{\"b\":1,\"a\":2}",                /* unsorted */
		"{\"a\":1,\"a\":2}",                /* repeated */
		"{\"B\":1,\"A\":2}",
		"{\"\":1}",                        /* empty field name */
		"{\"a\":1.0}", "{\"a\":-0}", "{\"a\":01}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":1e2}",
		"{\"a\":1E+17}", "{\"a\":1e400}", "{\"a\":0.10}", "{\"a\":9007199254740993}",
		"{\"a\":\"\\/\"}", "{\"a\":\"\\u0041\"}", "{\"a\":\"\\u001F\"}", "{\"a\":\"\\u000a\"}",
		"{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\x01\"}", "{\"a\":\"\xc3\"}",
		"{\"a\":\"\xed\xa0\x80\"}", "{\"a\":tru}", "{\"a\":True}", "{\"a\":[1,]}", "{\"a\":[,1]}",
		"{\"a\":{\"y\":1,\"x\":2}}", "{\"a\":[[[[[]]]]]}", /* nested five deep: past the cap of 8 */
	};
	char big[700], *p;
	struct changeset *cs;
	struct tbuf *b;
	struct terr e;
	struct op op;
	const char *good = "{\"a\":[[[[]]]],\"b\":{\"c\":null,\"k\":[true,false]},\"yo\":\"\\n\\u001f\"}";

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (reader_takes(refused[i]) == 0) {
			fprintf(stderr, "canonical reader took %s\n", refused[i]);
			CHECK(0);
		}
	CHECK_INT_EQ(reader_takes("{}"), 0);
	CHECK_INT_EQ(reader_takes("{\"a\":[[[[]]]]}"), 0);
	CHECK_INT_EQ(reader_takes(good), 0);
	CHECK_INT_EQ(changeset_fields_canonical(good, strlen(good) - 1), TERR_PARSE);
	/* a field name of 64 bytes is taken, of 65 not */
	p = big;
	p += sprintf(p, "{\"%064d\":1}", 0);
	CHECK_INT_EQ(reader_takes(big), 0);
	sprintf(big, "{\"%065d\":1}", 0);
	CHECK(reader_takes(big) != 0);

	/* fields given as text: copied, encoded unchanged; refused if not canonical */
	cs = changeset_new();
	b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	put_op(&op);
	op.fields_text = "{\"b\":1, \"a\":2}";
	op.fields_len = strlen(op.fields_text);
	CHECK_INT_EQ(changeset_add(cs, &op, &e), TERR_PARSE);
	CHECK_INT_EQ(cs->n_ops, 0);
	snprintf(big, sizeof(big), "%s", good);
	op.fields_text = big;
	op.fields_len = strlen(big);
	CHECK_INT_EQ(changeset_add(cs, &op, &e), 0);
	memset(big, 'x', strlen(good));     /* the set keeps its own copy */
	cs->first_seq = cs->last_seq = 1;
	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	CHECK_INT_EQ(tbuf_terminate(b), 0);
	CHECK(strstr((const char *)tbuf_ptr(b), good) != NULL);
	tbuf_free(b);
	changeset_free(cs);
}

/*
 * The canonical reader builds each put's fields tree itself, in the set's
 * memory: it must be the tree cJSON_Parse makes of the same text, to the
 * bit, and serve cJSON_Duplicate (the hub copies fields from it).
 */
static void
test_reader_tree(void)
{
	static const char *const texts[] = {
		"{}",
		"{\"a\":[[[[]]]],\"b\":{\"c\":null,\"k\":[true,false]},\"yo\":\"\\n\\u001f\"}",
		"{\"a\":0,\"b\":-5,\"c\":0.1,\"d\":-1.5e-07,\"e\":1e+20,\"f\":9007199254740994,"
		"\"g\":2147483648,\"h\":-2147483649,\"i\":999999999999999,\"j\":1000000000000000}",
		"{\"class\":\"5А \\\"Б\\\"\\t😀\",\"list\":[{\"n\":1},{\"n\":2,\"x\":\"\"}],\"s\":\"\\\\/\"}",
	};
	struct tbuf *b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	struct changeset *cs, *rd;
	struct terr e;
	struct op op;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cJSON *want = cJSON_Parse(texts[i]), *copy;

		cs = changeset_new();
		put_op(&op);
		op.fields_text = texts[i];
		op.fields_len = strlen(texts[i]);
		CHECK_INT_EQ(changeset_add(cs, &op, &e), 0);
		cs->first_seq = cs->last_seq = 1;
		tbuf_reset(b);
		CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
		changeset_free(cs);
		rd = NULL;
		CHECK_INT_EQ(changeset_rd_parse(tbuf_ptr(b), tbuf_len(b), &rd), 0);
		CHECK(want != NULL && rd != NULL);
		if (want != NULL && rd != NULL) {
			CHECK(rd->fields_in_chunks);
			if (!vec_same_tree(want, rd->ops[0].fields)) {
				fprintf(stderr, "reader's tree differs from cJSON's for %s\n", texts[i]);
				CHECK(0);
			}
			copy = cJSON_Duplicate(rd->ops[0].fields, 1);
			CHECK(vec_same_tree(want, copy));
			cJSON_Delete(copy);
		}
		changeset_free(rd);
		cJSON_Delete(want);
	}
	tbuf_free(b);
}

static struct changeset *
one_op_set(cJSON *fields_owned)
{
	struct changeset *cs = changeset_new();
	struct op op;

	put_op(&op);
	op.fields = fields_owned;
	CHECK_INT_EQ(changeset_add(cs, &op, NULL), 0);
	cJSON_Delete(fields_owned);
	cs->first_seq = cs->last_seq = 1;
	return cs;
}

static void
test_encode_refusals(const struct changeset *good)
{
	struct changeset *cs;
	struct tbuf *b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	struct terr e;
	cJSON *f, *deep;
	char *big;
	struct op op;

	/* Failure leaves out as it was. */
	tbuf_put(b, "keep", 4);

	cs = one_op_set(cJSON_CreateObject());
	cs->last_seq = 2;
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_COUNT);
	CHECK_CONTAINS(e.msg, "операций");
	cs->last_seq = 1;
	cs->ops[0].seq = 5;
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_COUNT);
	cs->ops[0].seq = 1;
	cs->first_seq = 0;
	cs->last_seq = 0;
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_COUNT);
	cs->first_seq = cs->last_seq = 1;
	cs->format_version = 2;
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_VERSION);
	cs->format_version = 1;
	cs->created.counter = 0x10000;
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_CLOCK);
	cs->created.counter = 0;
	cJSON_AddItemToObject(cs->ops[0].fields, "n", cJSON_CreateNumber(NAN));
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_SCHEMA);
	CHECK_CONTAINS(e.msg, "«n»");
	cJSON_DeleteItemFromObject(cs->ops[0].fields, "n");
	cJSON_AddItemToObject(cs->ops[0].fields, "s", cJSON_CreateString("\xc0\x80"));
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_UTF8);
	cJSON_DeleteItemFromObject(cs->ops[0].fields, "s");
	/* a name outside the field-id rule (this one not even UTF-8) is refused by the rule */
	cJSON_AddItemToObject(cs->ops[0].fields, "\xff", cJSON_CreateNull());
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_SCHEMA);
	CHECK_CONTAINS(e.msg, "имя поля не по правилу");
	cJSON_DeleteItemFromObject(cs->ops[0].fields, "\xff");
	cJSON_AddItemToObject(cs->ops[0].fields, "d", cJSON_CreateNull());
	cJSON_AddItemToObject(cs->ops[0].fields, "d", cJSON_CreateNull());
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_SCHEMA);
	CHECK_CONTAINS(e.msg, "повторяется");
	cJSON_DeleteItemFromObject(cs->ops[0].fields, "d");
	cJSON_DeleteItemFromObject(cs->ops[0].fields, "d");
	/* Fields may nest four more levels: depth 8 in all. */
	deep = cJSON_CreateArray();
	f = deep;
	for (int i = 0; i < 3; i++) {
		cJSON *n = cJSON_CreateArray();

		cJSON_AddItemToArray(f, n);
		f = n;
	}
	cJSON_AddItemToObject(cs->ops[0].fields, "deep", deep);
	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	tbuf_truncate(b, 4);
	cJSON_AddItemToArray(f, cJSON_CreateArray());
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_DEPTH);
	cJSON_DeleteItemFromObject(cs->ops[0].fields, "deep");
	/* A field of exactly the cap passes (2 quotes + 65534), one more byte does not. */
	big = malloc(CHANGESET_MAX_FIELD_BYTES + 1);
	memset(big, 'x', CHANGESET_MAX_FIELD_BYTES - 2);
	big[CHANGESET_MAX_FIELD_BYTES - 2] = '\0';
	cJSON_AddItemToObject(cs->ops[0].fields, "big", cJSON_CreateString(big));
	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	tbuf_truncate(b, 4);
	cJSON_DeleteItemFromObject(cs->ops[0].fields, "big");
	big[CHANGESET_MAX_FIELD_BYTES - 2] = 'x';
	big[CHANGESET_MAX_FIELD_BYTES - 1] = '\0';
	cJSON_AddItemToObject(cs->ops[0].fields, "big", cJSON_CreateString(big));
	CHECK_INT_EQ(changeset_encode(cs, b, &e), TERR_TOO_LARGE);
	CHECK_CONTAINS(e.msg, "«big»");
	free(big);
	CHECK_INT_EQ(tbuf_len(b), 4);
	CHECK_MEM_EQ(tbuf_ptr(b), "keep", 4);
	changeset_free(cs);

	/* Too many fields in one op: refused by changeset_add already. */
	f = cJSON_CreateObject();
	for (int i = 0; i <= CHANGESET_MAX_FIELDS; i++) {
		char k[16];

		snprintf(k, sizeof(k), "f%d", i);
		cJSON_AddItemToObject(f, k, cJSON_CreateNumber(i));
	}
	put_op(&op);
	op.fields = f;
	cs = changeset_new();
	CHECK_INT_EQ(changeset_add(cs, &op, &e), TERR_TOO_LARGE);
	cJSON_DeleteItemFromArray(f, 0);
	CHECK_INT_EQ(changeset_add(cs, &op, &e), 0);
	/* changeset_add copies: changing the caller's object changes nothing. */
	cJSON_AddItemToObject(f, "extra", cJSON_CreateNumber(1));
	CHECK_INT_EQ(cJSON_GetArraySize(cs->ops[0].fields), CHANGESET_MAX_FIELDS);
	op.kind = OP_DELETE;
	CHECK_INT_EQ(changeset_add(cs, &op, &e), TERR_ARG); /* delete with fields */
	op.fields = NULL;
	op.form_id[0] = '\0';
	CHECK_INT_EQ(changeset_add(cs, &op, &e), TERR_ARG);
	cJSON_Delete(f);
	changeset_free(cs);

	/* More than CHANGESET_MAX_OPS ops. */
	cs = changeset_new();
	memset(&op, 0, sizeof(op));
	snprintf(op.form_id, sizeof(op.form_id), "f");
	snprintf(op.school, sizeof(op.school), "1");
	op.kind = OP_DELETE;
	for (int i = 0; i < CHANGESET_MAX_OPS; i++) {
		op.seq = (uint64_t)i + 1;
		if (changeset_add(cs, &op, &e) != 0)
			break;
	}
	CHECK_INT_EQ(cs->n_ops, CHANGESET_MAX_OPS);
	op.seq++;
	CHECK_INT_EQ(changeset_add(cs, &op, &e), TERR_COUNT);
	cs->first_seq = 1;
	cs->last_seq = CHANGESET_MAX_OPS;
	tbuf_reset(b);
	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	{
		struct changeset *p = NULL;

		CHECK_INT_EQ(changeset_parse(tbuf_ptr(b), tbuf_len(b), &p, &e), 0);
		CHECK(p != NULL && p->n_ops == CHANGESET_MAX_OPS);
		changeset_free(p);
	}
	changeset_free(cs);
	(void)good;
	tbuf_free(b);
}

static void
test_parse_refusals(const char *canon)
{
	struct terr e;
	char *s, *bomb;
	size_t n;

	CHECK_INT_EQ(parse_code(canon, strlen(canon), &e), 0);
	/* Syntax, canonical form, trailing bytes. */
	CHECK_INT_EQ(parse_code(canon, strlen(canon) - 1, &e), TERR_PARSE);
	CHECK_INT_EQ(parse_code("", 0, &e), TERR_PARSE);
	CHECK_INT_EQ(parse_mut(canon, "\"v\":1,", "\"v\":1 ,"), TERR_PARSE); /* whitespace */
	CHECK_INT_EQ(parse_mut(canon, "\"students\":27", "\"students\":27.0"), TERR_PARSE);
	CHECK_INT_EQ(parse_mut(canon, "\"academic_year\"", "\"\\u0061cademic_year\""), TERR_PARSE);
	CHECK_INT_EQ(parse_mut(canon, "\"academic_year\":\"2025/2026\",\"class\":\"5А\"",
	    "\"class\":\"5А\",\"academic_year\":\"2025/2026\""), TERR_PARSE); /* unsorted */
	CHECK_INT_EQ(parse_mut(canon, "\"verified\":true", "\"verified\":true,\"students\":27"),
	    TERR_SCHEMA); /* repeated field */
	CHECK_INT_EQ(parse_mut(canon, "\"v\":1,", "\"v\":01,"), TERR_PARSE);
	CHECK_INT_EQ(parse_mut(canon, "\"v\":1,", "\"v\":\"1\\q\","), TERR_PARSE);
	CHECK_INT_EQ(parse_mut(canon, "2025-10-01", "2025\t10-01"), TERR_PARSE); /* raw control */
	s = malloc(strlen(canon) + 2);
	strcpy(s, canon);
	strcat(s, "x");
	CHECK_INT_EQ(parse_code(s, strlen(s), &e), TERR_TRAILING);
	strcpy(s, canon);
	strcat(s, "{");
	CHECK_INT_EQ(parse_code(s, strlen(s), &e), TERR_PARSE);
	free(s);
	/* Version and schema. */
	CHECK_INT_EQ(parse_mut(canon, "\"v\":1,", "\"v\":2,"), TERR_VERSION);
	CHECK_INT_EQ(parse_mut(canon, "\"v\":1,", "\"v\":\"1\","), TERR_VERSION);
	CHECK_INT_EQ(parse_mut(canon, "\"v\":1,", ""), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"v\":1,", "\"v\":1,\"zzz\":1,"), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"v\":1,", "\"v\":1,\"v\":1,"), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"school\":\"170103\",", ""), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"first\":1", "\"first\":-1"), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"first\":1", "\"first\":1.5"), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"last\":2", "\"last\":18014398509481984"), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"prev\":\"0", "\"prev\":\"g"), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"fv\":1,", "\"fv\":4294967296,"), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"op\":\"put\"", "\"op\":\"upsert\""), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"id\":\"019a3eb5", "\"id\":\"x19a3eb5"), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"form\":\"social_passport\"", "\"form\":\"\""), TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"op\":\"delete\",", "\"op\":\"delete\",\"fields\":{},"),
	    TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"op\":\"delete\",", "\"op\":\"delete\",\"colour\":1,"),
	    TERR_SCHEMA);
	CHECK_INT_EQ(parse_mut(canon, "\"ops\":[", "\"ops\":{\"a\":"), TERR_PARSE);
	CHECK_INT_EQ(parse_mut(canon, "\"school\":\"170103\",\"first\"",
	    "\"school\":\"123456789012345678901234567890123\",\"first\""), TERR_SCHEMA);
	/* Counts and ranges. */
	CHECK_INT_EQ(parse_mut(canon, "\"last\":2", "\"last\":3"), TERR_COUNT);
	CHECK_INT_EQ(parse_mut(canon, "\"first\":1", "\"first\":0"), TERR_COUNT);
	CHECK_INT_EQ(parse_mut(canon, "{\"seq\":2", "{\"seq\":3"), TERR_COUNT);
	CHECK_INT_EQ(parse_mut(canon, "\"ops\":[", "\"ops\":[],\"x\":["), TERR_SCHEMA);
	/* Clock. */
	CHECK_INT_EQ(parse_mut(canon, "\"created\":\"0", "\"created\":\"Z"), TERR_CLOCK);
	/* UTF-8: raw and escaped, each refused as TERR_UTF8. */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\xc0\x80"), TERR_UTF8);         /* overlong */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\xe0\x80\xaf"), TERR_UTF8);     /* overlong */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\xed\xa0\x80"), TERR_UTF8);     /* surrogate */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\xf4\x90\x80\x80"), TERR_UTF8); /* > U+10FFFF */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\xd0"), TERR_UTF8);             /* cut */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\x80"), TERR_UTF8);             /* stray */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\xff"), TERR_UTF8);
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\\ud800"), TERR_UTF8);          /* lone high */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\\udc00"), TERR_UTF8);          /* lone low */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\\ud800\\u0041"), TERR_UTF8);
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\\u0000"), TERR_UTF8);          /* NUL */
	s = vec_strdup(canon);
	n = strlen(s);
	strstr(s, "5А")[1] = '\0'; /* a raw NUL in place of the first byte of "А" */
	CHECK_INT_EQ(parse_code(s, n, &e), TERR_UTF8);
	free(s);
	/* A valid surrogate pair is fine for the scan; canonical form wants raw UTF-8. */
	CHECK_INT_EQ(parse_mut(canon, "5А", "5\\ud83d\\ude00"), TERR_PARSE);
	CHECK_INT_EQ(parse_mut(canon, "5А", "5😀"), 0);
	/* Depth: a bomb of a million brackets, and one level too deep in a field. */
	n = 1000000;
	bomb = malloc(2 * n);
	memset(bomb, '[', n);
	memset(bomb + n, ']', n);
	CHECK_INT_EQ(parse_code(bomb, 2 * n, &e), TERR_DEPTH);
	memset(bomb, '{', n);
	CHECK_INT_EQ(parse_code(bomb, n, &e), TERR_DEPTH);
	free(bomb);
	CHECK_INT_EQ(parse_mut(canon, "\"ovz\":0", "\"ovz\":[[[[]]]]"), 0);
	CHECK_INT_EQ(parse_mut(canon, "\"ovz\":0", "\"ovz\":[[[[[]]]]]"), TERR_DEPTH);
	/* Sizes. */
	{
		size_t big = CHANGESET_MAX_PLAIN_BYTES + 1;
		char *p = malloc(big);

		memset(p, ' ', big);
		CHECK_INT_EQ(parse_code(p, big, &e), TERR_TOO_LARGE);
		free(p);
	}
	{
		/* 2M+ values in a small-ish buffer: refused before cJSON builds them. */
		size_t cnt = 2100000, len = 2 * cnt + 1;
		char *p = malloc(len + 1);

		p[0] = '[';
		for (size_t i = 0; i < cnt; i++) {
			p[1 + 2 * i] = '0';
			p[2 + 2 * i] = i + 1 < cnt ? ',' : ']';
		}
		CHECK_INT_EQ(parse_code(p, len, &e), TERR_TOO_LARGE);
		free(p);
	}
	{
		char *big = malloc(CHANGESET_MAX_FIELD_BYTES + 16), *m;

		memset(big, 'x', CHANGESET_MAX_FIELD_BYTES);
		big[0] = '"';
		big[CHANGESET_MAX_FIELD_BYTES - 1] = '"';
		big[CHANGESET_MAX_FIELD_BYTES] = '\0';
		m = subst(canon, "\"2025-10-01\"", big);
		CHECK_INT_EQ(parse_code(m, strlen(m), &e), 0);
		free(m);
		big[CHANGESET_MAX_FIELD_BYTES - 1] = 'x';
		big[CHANGESET_MAX_FIELD_BYTES] = '"';
		big[CHANGESET_MAX_FIELD_BYTES + 1] = '\0';
		m = subst(canon, "\"2025-10-01\"", big);
		CHECK_INT_EQ(parse_code(m, strlen(m), &e), TERR_TOO_LARGE);
		CHECK_CONTAINS(e.msg, "snapshot_date");
		free(m);
		free(big);
	}
	/* Messages are Russian and name the problem. */
	parse_mut(canon, "\"v\":1,", "\"v\":7,");
	s = subst(canon, "\"v\":1,", "\"v\":7,");
	parse_code(s, strlen(s), &e);
	CHECK_CONTAINS(e.msg, "версия формата 7 не поддерживается");
	free(s);
}

static void
test_utf8(void)
{
	CHECK_INT_EQ(changeset_check_utf8("", 0), 0);
	CHECK_INT_EQ(changeset_check_utf8("abc", 3), 0);
	CHECK_INT_EQ(changeset_check_utf8("Ёлка €😀", strlen("Ёлка €😀")), 0);
	CHECK_INT_EQ(changeset_check_utf8("\xf4\x8f\xbf\xbf", 4), 0);   /* U+10FFFF */
	CHECK_INT_EQ(changeset_check_utf8("\xee\x80\x80", 3), 0);       /* U+E000 */
	CHECK_INT_EQ(changeset_check_utf8("a\0b", 3), TERR_UTF8);
	CHECK_INT_EQ(changeset_check_utf8("\xc1\xbf", 2), TERR_UTF8);
	CHECK_INT_EQ(changeset_check_utf8("\xf0\x8f\xbf\xbf", 4), TERR_UTF8);
	CHECK_INT_EQ(changeset_check_utf8("\xed\xbf\xbf", 3), TERR_UTF8);
	CHECK_INT_EQ(changeset_check_utf8("\xf5\x80\x80\x80", 4), TERR_UTF8);
	CHECK_INT_EQ(changeset_check_utf8("\xe2\x82", 2), TERR_UTF8);
	CHECK_INT_EQ(changeset_check_utf8("\xe2\x82\x41", 3), TERR_UTF8);
}

/*
 * Identifiers a device sends are printed and stored: a form id, a school
 * code or a field name outside its rule makes the set malformed, by either
 * reader, and the reason does not repeat it.
 */
static void
test_ident_refusals(const char *canon)
{
	static const char *const muts[][2] = {
		{ "\"form\":\"social_passport\"", "\"form\":\"social\\u001b]0;x\\u0007passport\"" },
		{ "\"form\":\"social_passport\"", "\"form\":\"social\xe2\x80\xaepassport\"" },
		{ "\"form\":\"social_passport\"", "\"form\":\"Social_passport\"" },
		{ "\"form\":\"social_passport\"", "\"form\":\"social-passport\"" },
		{ "\"fv\":1,\"school\":\"170103\"", "\"fv\":1,\"school\":\"1701\\u001b[2J\"" },
		{ "\"fv\":1,\"school\":\"170103\"", "\"fv\":1,\"school\":\"17 0103\"" },
		{ "\"device\":\"9d24e2eeaf27c2a0\",\"school\":\"170103\"",
		  "\"device\":\"9d24e2eeaf27c2a0\",\"school\":\"170103\\u0007\"" },
		{ "\"academic_year\"", "\"\\u001b_year\"" },
		{ "\"academic_year\"", "\"Academic_year\"" },
	};
	struct terr e;

	for (size_t i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		char *m = subst(canon, muts[i][0], muts[i][1]);
		struct changeset *f = NULL;

		CHECK_INT_EQ(changeset_rd_parse((const uint8_t *)m, strlen(m), &f), -1);
		CHECK_INT_EQ(parse_code(m, strlen(m), &e), TERR_SCHEMA);
		CHECK_CONTAINS(e.msg, "не по правилу");
		CHECK(strchr(e.msg, 0x1b) == NULL && strstr(e.msg, "\xe2\x80\xae") == NULL);
		free(m);
	}
}

int
main(void)
{
	struct vec_keys k;
	struct changeset *cs;
	struct tbuf *b;
	struct terr e;

	CHECK_INT_EQ(keys_init(&e), 0);
	CHECK_INT_EQ(vec_keys(&k), 0);
	cs = vec_changeset(&k.device);
	CHECK(cs != NULL);
	if (cs == NULL)
		return check_summary();
	test_golden(cs);
	test_roundtrip(cs);
	test_canonical_values();
	test_canonical_reader();
	test_reader_tree();
	test_encode_refusals(cs);
	b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	CHECK_INT_EQ(changeset_encode(cs, b, &e), 0);
	tbuf_terminate(b);
	test_parse_refusals((const char *)tbuf_ptr(b));
	test_ident_refusals((const char *)tbuf_ptr(b));
	test_utf8();
	tbuf_free(b);
	changeset_free(cs);
	keys_sign_wipe(&k.device);
	return check_summary();
}
