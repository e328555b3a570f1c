/*
 * changeset_rd — the canonical reader: takes a set's text as canonical in
 * one pass, and builds each put's fields tree straight from it.
 *
 * This is the hub's hot path: its helpers stay static here (and the UTF-8
 * and hex digit helpers static inline in changeset_model.h) so the compiler
 * can inline them; its hex reading is hand-written for the same reason
 * (changeset_rd_hex checks the digits itself before keys_unhex).
 */
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* changeset.h names struct tbuf without declaring it: tbuf.h goes first. */
#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"
#include "tetrad/changeset_internal.h"
#include "tetrad/form.h"
#include "changeset_model.h"
#include "changeset_write.h"

/*
 * Reads text in place and accepts exactly what the encoder above writes:
 * text it accepts is canonical without being parsed and encoded again. It
 * builds nothing and says nothing: a refusal only means the text cannot be
 * taken as it stands, and the callers fall back to cJSON and the encoder,
 * which give the verdict and its reason. fuzz_changeset_canon holds the two
 * to each other on every input.
 */
struct changeset_rd {
	const uint8_t *p, *end;
	/* what changeset_parse_prescan counts against CHANGESET_MAX_VALUES: brackets
	 * and braces opened, and commas */
	size_t values;
	/* what a fields tree read takes: cJSON nodes, and bytes of its strings
	 * unescaped with their NULs */
	size_t nodes, bytes;
	/* every name inside a put's fields held to form_ident_ok as it is read
	 * (changeset_rd_parse), so changeset_check need not walk the trees */
	int idents;
};

/* form_ident_ok of a name's raw bytes: an escape is never in the rule */
static int
changeset_rd_ident(const uint8_t *s, size_t n)
{
	if (n == 0 || n > FORM_ID_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
changeset_rd_lit(struct changeset_rd *rd, const char *s, size_t n)
{
	if ((size_t)(rd->end - rd->p) < n || memcmp(rd->p, s, n) != 0)
		return -1;
	rd->p += n;
	return 0;
}

/*
 * What changeset_rd_string does with a byte: 0 stands for itself (printable
 * ASCII but the quote and the backslash), 1 leads a two-byte sequence
 * (Cyrillic), 2 anything else. One load a byte instead of four compares:
 * the strings are most of a set's text.
 */
#define RD_X16 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2
static const uint8_t changeset_rd_class[256] = {
	RD_X16, RD_X16,
	0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                 /* 0x20: '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,                 /* 0x5c: '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	RD_X16, RD_X16, RD_X16, RD_X16,
	2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,                 /* 0xc2..0xdf */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	RD_X16, RD_X16,
};
#undef RD_X16

/* A string as changeset_write_string writes it; *decoded is its length unescaped. */
static int
changeset_rd_string(struct changeset_rd *rd, size_t *decoded)
{
	const uint8_t *p = rd->p, *end = rd->end, *s;
	size_t saved = 0, k;
	unsigned c;

	if (p >= end || *p++ != '"')
		return -1;
	s = p;
	for (;;) {
		/* plain bytes and well-formed two-byte sequences: most of the text */
		while (p < end) {
			if ((c = changeset_rd_class[*p]) == 0)
				p++;
			else if (c == 1 && end - p >= 2 && (p[1] & 0xc0) == 0x80)
				p += 2;
			else
				break;
		}
		if (p >= end)
			return -1;
		if (*p == '"')
			break;
		if (*p == '\\') {
			int v;

			if (end - p < 2)
				return -1;
			switch (p[1]) {
			case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
				p += 2;
				saved += 1;
				break;
			case 'u':
				/* only control characters without a short escape, lowercase hex */
				if (end - p < 6 || p[2] != '0' || p[3] != '0' || (p[4] != '0' && p[4] != '1') ||
				    !((p[5] >= '0' && p[5] <= '9') || (p[5] >= 'a' && p[5] <= 'f')))
					return -1;
				v = (p[4] - '0') * 16 + changeset_hexval(p[5]);
				if (v == 0 || v == '\b' || v == '\f' || v == '\n' || v == '\r' || v == '\t')
					return -1;
				p += 6;
				saved += 5;
				break;
			default:
				return -1;
			}
		} else if (*p < 0x20) {
			return -1;
		} else {
			if ((k = changeset_utf8_seq(p, (size_t)(end - p))) == 0)
				return -1;
			p += k;
		}
	}
	rd->p = p + 1;
	if (decoded != NULL)
		*decoded = (size_t)(p - s) - saved;
	return 0;
}

/* The next byte of an accepted string after *pp (advanced), -1 at its end. */
static int
changeset_rd_next(const uint8_t **pp)
{
	const uint8_t *p = *pp;

	if (*p == '"')
		return -1;
	if (*p != '\\') {
		*pp = p + 1;
		return *p;
	}
	*pp = p + 2;
	switch (p[1]) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u':
		*pp = p + 6;
		return changeset_hexval(p[4]) * 16 + changeset_hexval(p[5]);
	default:
		return p[1];
	}
}

/* strcmp of two accepted strings, each given just after its opening quote. */
static int
changeset_rd_str_cmp(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		int x = changeset_rd_next(&a), y = changeset_rd_next(&b);

		if (x != y)
			return x < y ? -1 : 1;
		if (x < 0)
			return 0;
	}
}

/* Bytes of the number token at p: what cJSON would hand to strtod. */
static size_t
changeset_rd_number_span(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *s = p;

	while (p < end && ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.' ||
	    *p == 'e' || *p == 'E'))
		p++;
	return (size_t)(p - s);
}

/* The token s..s+n read as cJSON reads it, or -1 if strtod stops short. */
static int
changeset_rd_strtod(const uint8_t *s, size_t n, double *out)
{
	char tmp[CHANGESET_NUM_MAX], *endp;
	const char *dp;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* cJSON reads '.' as the locale's decimal point; so does this */
	dp = localeconv()->decimal_point;
	if (dp != NULL && dp[0] != '\0' && dp[0] != '.')
		for (size_t i = 0; i < n; i++)
			if (tmp[i] == '.')
				tmp[i] = dp[0];
	*out = strtod(tmp, &endp);
	return endp == tmp + n ? 0 : -1;
}

/*
 * A number as changeset_write_number writes it. Anything but a short integer
 * is read back and printed again.
 */
static int
changeset_rd_number(struct changeset_rd *rd)
{
	const uint8_t *s = rd->p;
	char want[CHANGESET_NUM_MAX];
	size_t n = changeset_rd_number_span(s, rd->end), neg, i;
	double d;

	if (n == 0 || n >= sizeof(want))
		return -1;
	/* up to 15 digits is always below 2^53: the integer prints as itself */
	neg = s[0] == '-';
	for (i = neg; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == n && n - neg >= 1 && n - neg <= 15 && (s[neg] != '0' || n - neg == 1) &&
	    !(neg && s[1] == '0')) {
		rd->p = s + n;
		return 0;
	}
	if (changeset_rd_strtod(s, n, &d) != 0 || changeset_write_number_text(d, want) != n ||
	    memcmp(want, s, n) != 0)
		return -1;
	rd->p = s + n;
	return 0;
}

static int changeset_rd_value(struct changeset_rd *rd, int depth);

/* After an element: 1 past the container's close, 0 past a comma, -1 otherwise. */
static int
changeset_rd_after(struct changeset_rd *rd, uint8_t close)
{
	if (rd->p >= rd->end || (*rd->p != close && *rd->p != ','))
		return -1;
	if (*rd->p++ == close)
		return 1;
	rd->values++;
	return 0;
}

/*
 * An object at rd whose values are at depth + 1; as a put's fields (the
 * object changeset_write_fields writes) with fields set.
 */
static int
changeset_rd_object(struct changeset_rd *rd, int depth, int fields)
{
	const uint8_t *prev = NULL, *key, *val;
	size_t count = 0, klen;
	int r;

	if (changeset_rd_lit(rd, "{", 1) != 0)
		return -1;
	rd->values++;
	if (rd->p < rd->end && *rd->p == '}') {
		rd->p++;
		return 0;
	}
	for (;;) {
		key = rd->p;
		if (changeset_rd_string(rd, &klen) != 0)
			return -1;
		key++;              /* past the quote, now that there is one */
		if (rd->idents && !changeset_rd_ident(key, (size_t)(rd->p - 1 - key)))
			return -1;
		rd->bytes += klen + 1;
		if (fields && (klen == 0 || klen > CHANGESET_KEY_MAX || ++count > CHANGESET_MAX_FIELDS))
			return -1;
		/* sorted and unique, as strcmp sees the names */
		if (prev != NULL && changeset_rd_str_cmp(prev, key) >= 0)
			return -1;
		prev = key;
		if (changeset_rd_lit(rd, ":", 1) != 0)
			return -1;
		val = rd->p;
		if (changeset_rd_value(rd, fields ? CHANGESET_FIELDS_DEPTH : depth + 1) != 0)
			return -1;
		if (fields && (size_t)(rd->p - val) > CHANGESET_MAX_FIELD_BYTES)
			return -1;
		if ((r = changeset_rd_after(rd, '}')) != 0)
			return r > 0 ? 0 : -1;
	}
}

/* A value at rd; depth is the nesting of its container, as in changeset_write_value. */
static int
changeset_rd_value(struct changeset_rd *rd, int depth)
{
	size_t decoded;
	int r;

	if (rd->p >= rd->end || rd->values > CHANGESET_MAX_VALUES)
		return -1;
	rd->nodes++;
	switch (*rd->p) {
	case 'n':
		return changeset_rd_lit(rd, "null", 4);
	case 't':
		return changeset_rd_lit(rd, "true", 4);
	case 'f':
		return changeset_rd_lit(rd, "false", 5);
	case '"':
		if (changeset_rd_string(rd, &decoded) != 0)
			return -1;
		rd->bytes += decoded + 1;
		return 0;
	case '{':
		return depth + 1 > CHANGESET_MAX_DEPTH ? -1 : changeset_rd_object(rd, depth, 0);
	case '[':
		if (depth + 1 > CHANGESET_MAX_DEPTH)
			return -1;
		rd->p++;
		rd->values++;
		if (rd->p < rd->end && *rd->p == ']') {
			rd->p++;
			return 0;
		}
		for (;;) {
			if (changeset_rd_value(rd, depth + 1) != 0)
				return -1;
			if ((r = changeset_rd_after(rd, ']')) != 0)
				return r > 0 ? 0 : -1;
		}
	default:
		return *rd->p == '-' || (*rd->p >= '0' && *rd->p <= '9') ? changeset_rd_number(rd) : -1;
	}
}

int
changeset_fields_canonical(const char *text, size_t len)
{
	struct changeset_rd rd;

	if (text == NULL || len > CHANGESET_MAX_PLAIN_BYTES)
		return TERR_PARSE;
	rd.p = (const uint8_t *)text;
	rd.end = rd.p + len;
	rd.values = rd.nodes = rd.bytes = 0;
	rd.idents = 0;
	if (changeset_rd_object(&rd, CHANGESET_FIELDS_DEPTH - 1, 1) != 0 || rd.p != rd.end)
		return TERR_PARSE;
	return 0;
}

/* A non-negative integer up to max (and 2^53) written as changeset_encode does. */
static int
changeset_rd_uint(struct changeset_rd *rd, uint64_t max, uint64_t *out)
{
	const uint8_t *p = rd->p;
	uint64_t v = 0;
	size_t n = 0;

	while (p + n < rd->end && p[n] >= '0' && p[n] <= '9' && n <= 16)
		v = v * 10 + (uint64_t)(p[n++] - '0');
	if (n == 0 || n > 16 || (n > 1 && p[0] == '0') || v > max ||
	    (double)v > CHANGESET_INT_MAX)
		return -1;
	if (p + n < rd->end && (p[n] == '.' || p[n] == 'e' || p[n] == 'E'))
		return -1;
	rd->p = p + n;
	*out = v;
	return 0;
}

/* A string of min..max bytes (unescaped) into out, NUL-terminated. */
static int
changeset_rd_text(struct changeset_rd *rd, size_t min, size_t max, char *out)
{
	const uint8_t *q = rd->p;
	size_t n;
	int c;

	if (changeset_rd_string(rd, &n) != 0 || n < min || n > max)
		return -1;
	q++;
	while ((c = changeset_rd_next(&q)) >= 0)
		*out++ = (char)c;
	*out = '\0';
	return 0;
}

/* A string of exactly n plain bytes (hex, a clock, an id) into out. */
static int
changeset_rd_token(struct changeset_rd *rd, size_t n, char *out)
{
	if ((size_t)(rd->end - rd->p) < n + 2 || rd->p[0] != '"' || rd->p[n + 1] != '"')
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = rd->p[1 + i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return -1;
		out[i] = (char)c;
	}
	out[n] = '\0';
	rd->p += n + 2;
	return 0;
}

/* Lowercase hex of len bytes, as keys_hex writes it. */
static int
changeset_rd_hex(struct changeset_rd *rd, uint8_t *out, size_t len)
{
	char hex[CHANGESET_HASH_BYTES * 2 + 1];

	if (len * 2 > sizeof(hex) - 1 || changeset_rd_token(rd, len * 2, hex) != 0)
		return -1;
	for (size_t i = 0; i < len * 2; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return -1;
	return keys_unhex(hex, out, len) == 0 ? 0 : -1;
}

/* A clock as hlc_encode writes it. */
static int
changeset_rd_hlc(struct changeset_rd *rd, struct hlc_ts *out)
{
	char t[HLC_STRLEN + 1], again[HLC_STRLEN + 1];

	if (changeset_rd_token(rd, HLC_STRLEN, t) != 0 || hlc_decode(t, out) != 0)
		return -1;
	hlc_encode(out, again);
	return strcmp(t, again) == 0 ? 0 : -1;
}

/*
 * A fields tree built straight from text the reader has just accepted, in
 * memory it counted (struct changeset_rd): one allocation per op instead of
 * cJSON_Parse's one per value and string, and none to free one by one. The
 * nodes are laid out as cJSON_Parse lays them (the first child's prev is the
 * last one), so every cJSON reader, cJSON_Compare and cJSON_Duplicate take
 * them; cJSON_Delete must not (changeset.h).
 */
struct changeset_rd_tree {
	cJSON *node, *node_end;
	char *str, *str_end;
	const uint8_t *end;         /* of the fields text */
};

/* The accepted string at *pp, unescaped into the tree's strings. */
static char *
changeset_rd_tree_string(struct changeset_rd_tree *t, const uint8_t **pp)
{
	const uint8_t *p = *pp + 1, *run;
	char *out = t->str;
	size_t n;

	/*
	 * Copied a run at a time, not byte by byte: the reader accepted this
	 * string, so a closing quote comes before the text ends and every
	 * byte up to it that is not a backslash stands for itself.
	 */
	for (;;) {
		run = p;
		while (*p != '"' && *p != '\\')
			p++;
		n = (size_t)(p - run);
		if (n > (size_t)(t->str_end - t->str))
			return NULL;
		memcpy(t->str, run, n);
		t->str += n;
		if (*p == '"')
			break;
		if (t->str >= t->str_end)
			return NULL;
		*t->str++ = (char)changeset_rd_next(&p);
	}
	if (t->str >= t->str_end)
		return NULL;
	*t->str++ = '\0';
	*pp = p + 1;
	return out;
}

/* The accepted number at *pp, as cJSON_Parse reads it. */
static int
changeset_rd_tree_number(struct changeset_rd_tree *t, cJSON *item, const uint8_t **pp)
{
	const uint8_t *s = *pp;
	size_t n = changeset_rd_number_span(s, t->end), neg = s[0] == '-', i;
	int64_t v = 0;
	double d;

	/* up to 15 digits: exact in a double, as strtod would give it */
	for (i = neg; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	if (i == n && n > neg && n - neg <= 15)
		d = neg ? -(double)v : (double)v;
	else if (changeset_rd_strtod(s, n, &d) != 0)
		return -1;
	item->type = cJSON_Number;
	cJSON_SetNumberHelper(item, d);
	*pp = s + n;
	return 0;
}

/* The accepted value at *pp (depth bounded by the reader), or NULL. */
static cJSON *
changeset_rd_tree_value(struct changeset_rd_tree *t, const uint8_t **pp)
{
	const uint8_t *p = *pp;
	cJSON *item, *c, *tail = NULL;
	char *key = NULL;
	uint8_t close;

	if (t->node >= t->node_end)
		return NULL;
	item = t->node++;
	memset(item, 0, sizeof(*item));
	switch (*p) {
	case 'n':
		item->type = cJSON_NULL;
		p += 4;
		break;
	case 't':
		item->type = cJSON_True;
		item->valueint = 1;
		p += 4;
		break;
	case 'f':
		item->type = cJSON_False;
		p += 5;
		break;
	case '"':
		item->type = cJSON_String;
		if ((item->valuestring = changeset_rd_tree_string(t, &p)) == NULL)
			return NULL;
		break;
	case '{':
	case '[':
		close = *p == '{' ? '}' : ']';
		item->type = close == '}' ? cJSON_Object : cJSON_Array;
		if (*++p == close) {
			p++;
			break;
		}
		for (;;) {
			if (close == '}') {
				if ((key = changeset_rd_tree_string(t, &p)) == NULL)
					return NULL;
				p++;        /* ':' */
			}
			if ((c = changeset_rd_tree_value(t, &p)) == NULL)
				return NULL;
			c->string = key;
			if (tail == NULL)
				item->child = c;
			else {
				tail->next = c;
				c->prev = tail;
			}
			tail = c;
			if (*p++ != ',')
				break;      /* past the close */
		}
		item->child->prev = tail;
		break;
	default:
		if (changeset_rd_tree_number(t, item, &p) != 0)
			return NULL;
		break;
	}
	*pp = p;
	return item;
}

/* The fields object text..text+len, which the reader counted into rd, as a tree in cs. */
static cJSON *
changeset_rd_tree_read(struct changeset *cs, const struct changeset_rd *rd, const uint8_t *text,
    size_t len)
{
	struct changeset_rd_tree t;
	const uint8_t *p = text;
	cJSON *root;
	char *mem;

	if (rd->nodes > SIZE_MAX / sizeof(cJSON) / 2 ||
	    (mem = changeset_chunk_take(cs, rd->nodes * sizeof(cJSON) + rd->bytes)) == NULL)
		return NULL;
	t.node = (cJSON *)(void *)mem;
	t.node_end = t.node + rd->nodes;
	t.str = (char *)t.node_end;
	t.str_end = t.str + rd->bytes;
	t.end = text + len;
	root = changeset_rd_tree_value(&t, &p);
	return root != NULL && p == text + len ? root : NULL;
}

/* One op; fields read from their canonical text (which stays in buf) into cs. */
static int
changeset_rd_op(struct changeset_rd *rd, struct changeset *cs, struct op *op)
{
	char id[UUID7_STRLEN + 1], again[UUID7_STRLEN + 1];
	const uint8_t *at;
	uint64_t fv;

	if (changeset_rd_lit(rd, "{\"seq\":", 7) != 0 || changeset_rd_uint(rd, UINT64_MAX, &op->seq) != 0 ||
	    changeset_rd_lit(rd, ",\"id\":", 6) != 0 || changeset_rd_token(rd, UUID7_STRLEN, id) != 0 ||
	    uuid7_parse(id, op->record_id) != 0 ||
	    changeset_rd_lit(rd, ",\"form\":", 8) != 0 ||
	    changeset_rd_text(rd, 1, CHANGESET_ID_MAX, op->form_id) != 0 ||
	    changeset_rd_lit(rd, ",\"fv\":", 6) != 0 || changeset_rd_uint(rd, UINT32_MAX, &fv) != 0 ||
	    changeset_rd_lit(rd, ",\"school\":", 10) != 0 ||
	    changeset_rd_text(rd, 1, CHANGESET_SCHOOL_MAX, op->school) != 0 ||
	    changeset_rd_lit(rd, ",\"op\":\"", 7) != 0)
		return -1;
	uuid7_format(op->record_id, again);
	if (strcmp(id, again) != 0)
		return -1;
	op->form_version = (uint32_t)fv;
	if (changeset_rd_lit(rd, "put\",\"hlc\":", 11) == 0)
		op->kind = OP_PUT;
	else if (changeset_rd_lit(rd, "edit\",\"hlc\":", 12) == 0)
		op->kind = OP_EDIT;
	else if (changeset_rd_lit(rd, "delete\",\"hlc\":", 14) == 0)
		op->kind = OP_DELETE;
	else
		return -1;
	if (changeset_rd_hlc(rd, &op->hlc) != 0)
		return -1;
	if (OP_HAS_FIELDS(op->kind)) {
		if (changeset_rd_lit(rd, ",\"fields\":", 10) != 0)
			return -1;
		at = rd->p;
		rd->nodes = 1;      /* the object itself */
		rd->bytes = 0;
		if (changeset_rd_object(rd, CHANGESET_FIELDS_DEPTH - 1, 1) != 0)
			return -1;
		op->fields_text = (const char *)at;
		op->fields_len = (size_t)(rd->p - at);
		if ((op->fields = changeset_rd_tree_read(cs, rd, at, op->fields_len)) == NULL)
			return -1;
	}
	return changeset_rd_lit(rd, "}", 1);
}

int
changeset_rd_parse(const uint8_t *buf, size_t len, struct changeset **out)
{
	struct changeset_rd rd = { buf, buf + len, 0, 0, 0, 1 };
	struct changeset *cs;
	uint64_t v, n;

	*out = NULL;
	if (buf == NULL || len > CHANGESET_MAX_PLAIN_BYTES || (cs = changeset_new()) == NULL)
		return -1;
	cs->fields_in_chunks = 1;
	if (changeset_rd_lit(&rd, "{\"v\":", 5) != 0 || changeset_rd_uint(&rd, UINT32_MAX, &v) != 0 ||
	    v != CHANGESET_FORMAT_VERSION ||
	    changeset_rd_lit(&rd, ",\"device\":", 10) != 0 ||
	    changeset_rd_hex(&rd, cs->device_id, KEYS_ID_BYTES) != 0 ||
	    changeset_rd_lit(&rd, ",\"school\":", 10) != 0 ||
	    changeset_rd_text(&rd, 0, CHANGESET_SCHOOL_MAX, cs->school) != 0 ||
	    changeset_rd_lit(&rd, ",\"first\":", 9) != 0 ||
	    changeset_rd_uint(&rd, UINT64_MAX, &cs->first_seq) != 0 ||
	    changeset_rd_lit(&rd, ",\"last\":", 8) != 0 ||
	    changeset_rd_uint(&rd, UINT64_MAX, &cs->last_seq) != 0 ||
	    changeset_rd_lit(&rd, ",\"prev\":", 8) != 0 ||
	    changeset_rd_hex(&rd, cs->prev_hash, CHANGESET_HASH_BYTES) != 0 ||
	    changeset_rd_lit(&rd, ",\"created\":", 11) != 0 || changeset_rd_hlc(&rd, &cs->created) != 0 ||
	    changeset_rd_lit(&rd, ",\"ops\":[", 8) != 0)
		goto fail;
	if (cs->first_seq == 0 || cs->last_seq < cs->first_seq ||
	    (n = cs->last_seq - cs->first_seq + 1) > CHANGESET_MAX_OPS)
		goto fail;
	if ((cs->ops = calloc(changeset_capacity((size_t)n), sizeof(*cs->ops))) == NULL)
		goto fail;
	/* the values changeset_parse_prescan counts outside the fields: the opening
	 * brace and 7 commas of the set, "ops", each op's brace and commas */
	rd.values = 1 + 1 + 7 + 1 + (size_t)n - 1;
	while (cs->n_ops < n) {
		/* n_ops counts read ops so changeset_free releases their fields */
		struct op *op = &cs->ops[cs->n_ops++];

		if ((cs->n_ops > 1 && changeset_rd_lit(&rd, ",", 1) != 0) || changeset_rd_op(&rd, cs, op) != 0)
			goto fail;
		rd.values += OP_HAS_FIELDS(op->kind) ? 1 + 7 : 1 + 6;
	}
	if (changeset_rd_lit(&rd, "]}", 2) != 0 || rd.p != rd.end || rd.values > CHANGESET_MAX_VALUES ||
	    changeset_check(cs, NULL) != 0)
		goto fail;
	*out = cs;
	return 0;
 fail:
	changeset_free(cs);
	return -1;
}
