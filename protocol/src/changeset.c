/*
 * changeset — operations, change sets and their canonical JSON encoding.
 *
 * The encoder is our own (not cJSON_Print): the chain hash and the test
 * vectors need the same set to give the same bytes on every machine. The
 * parser runs a bounded pre-scan (size, depth, UTF-8, escapes) before cJSON
 * sees a byte, validates the schema strictly, and finally insists that the
 * input is exactly the set's encoding: one set has exactly one encoding. A
 * canonical reader checks that in one pass over the text; only what it
 * refuses is encoded again and compared, for the verdict and the reason.
 */
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* changeset.h names struct tbuf without declaring it: tbuf.h goes first. */
#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"
#include "tetrad/changeset_internal.h"

/*
 * JSON values (containers, strings, numbers, literals) in one set. Bounds the
 * memory cJSON may take for a 32 MiB plaintext of "0,0,0,…" (each value is a
 * 64-byte node); 10,000 ops of a large form need well under this.
 */
#define CHANGESET_MAX_VALUES 2000000u
/* Field names, bytes. */
#define CHANGESET_KEY_MAX 64
/* Integers in the top-level members must be exact in a double. */
#define CHANGESET_INT_MAX 9007199254740992.0 /* 2^53 */

/* Depth of a field value object ("fields") inside the set. */
#define CHANGESET_FIELDS_DEPTH 4

struct changeset *
changeset_new(void)
{
	struct changeset *cs = calloc(1, sizeof(*cs));

	if (cs != NULL)
		cs->format_version = CHANGESET_FORMAT_VERSION;
	return cs;
}

/* cJSON_Delete does not wipe: field values are personal data. */
static void
changeset_wipe_json(cJSON *j)
{
	for (; j != NULL; j = j->next) {
		if (j->child != NULL)
			changeset_wipe_json(j->child);
		if (j->valuestring != NULL)
			sodium_memzero(j->valuestring, strlen(j->valuestring));
		if (j->string != NULL)
			sodium_memzero(j->string, strlen(j->string));
		j->valuedouble = 0;
		j->valueint = 0;
	}
}

static void
changeset_free_json(cJSON *j)
{
	if (j == NULL)
		return;
	changeset_wipe_json(j);
	cJSON_Delete(j);
}

/*
 * Memory that never moves and is wiped with the set: copies of fields given
 * to changeset_add as text, and the fields trees of a set the canonical
 * reader read.
 */
struct changeset_chunk {
	struct changeset_chunk *next;
	size_t cap, used;
	_Alignas(max_align_t) char data[];
};

#define CHANGESET_CHUNK_BYTES (32u << 10)

/* size bytes aligned for any type, or NULL on no memory */
static void *
changeset_chunk_take(struct changeset *cs, size_t size)
{
	struct changeset_chunk *c = cs->chunks;
	size_t at = 0;

	if (c != NULL)
		at = (c->used + _Alignof(max_align_t) - 1) & ~(size_t)(_Alignof(max_align_t) - 1);
	if (c == NULL || at > c->cap || c->cap - at < size) {
		size_t cap = size > CHANGESET_CHUNK_BYTES ? size : CHANGESET_CHUNK_BYTES;

		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->next = cs->chunks;
		c->cap = cap;
		c->used = 0;
		cs->chunks = c;
		at = 0;
	}
	c->used = at + size;
	return c->data + at;
}

static const char *
changeset_keep_text(struct changeset *cs, const char *text, size_t len)
{
	char *copy = changeset_chunk_take(cs, len);

	if (copy != NULL)
		memcpy(copy, text, len);
	return copy;
}

void
changeset_free(struct changeset *cs)
{
	struct changeset_chunk *c, *next;

	if (cs == NULL)
		return;
	/* fields trees in chunks go with them */
	for (size_t i = 0; i < cs->n_ops && !cs->fields_in_chunks; i++)
		changeset_free_json(cs->ops[i].fields);
	for (c = cs->chunks; c != NULL; c = next) {
		next = c->next;
		sodium_memzero(c->data, c->used);
		free(c);
	}
	if (cs->text != NULL) {
		sodium_memzero(cs->text, cs->text_len);
		free(cs->text);
	}
	free(cs->ops);
	free(cs);
}

/*
 * ops grows in powers of two from 8; the capacity is implied by n_ops so the
 * public struct needs no extra member.
 */
static size_t
changeset_capacity(size_t n)
{
	size_t c = 8;

	while (c < n)
		c *= 2;
	return c;
}

static int
changeset_bounded_str(const char *s, size_t max, size_t *lenp)
{
	size_t n = 0;

	while (n <= max && s[n] != '\0')
		n++;
	if (n > max)
		return -1;
	*lenp = n;
	return 0;
}

int
changeset_add(struct changeset *cs, const struct op *op, struct terr *e)
{
	struct op *slot;
	cJSON *fields = NULL;
	size_t n;

	if (cs == NULL || op == NULL)
		return terr_set(e, TERR_ARG, "набор изменений: не передана операция");
	if (cs->n_ops >= CHANGESET_MAX_OPS)
		return terr_set(e, TERR_COUNT,
		    "набор изменений: больше %d операций в одном наборе", CHANGESET_MAX_OPS);
	if (changeset_bounded_str(op->form_id, CHANGESET_ID_MAX, &n) != 0 || n == 0)
		return terr_set(e, TERR_ARG, "операция %" PRIu64 ": идентификатор формы пуст или длиннее %d байт",
		    op->seq, CHANGESET_ID_MAX);
	if (changeset_bounded_str(op->school, CHANGESET_SCHOOL_MAX, &n) != 0 || n == 0)
		return terr_set(e, TERR_ARG, "операция %" PRIu64 ": код школы пуст или длиннее %d байт",
		    op->seq, CHANGESET_SCHOOL_MAX);
	if (op->kind == OP_PUT && op->fields == NULL && op->fields_text != NULL) {
		if (changeset_fields_canonical(op->fields_text, op->fields_len) != 0)
			return terr_set(e, TERR_PARSE, "операция %" PRIu64 ": поля не в канонической записи",
			    op->seq);
	} else if (op->kind == OP_PUT) {
		if (!cJSON_IsObject(op->fields))
			return terr_set(e, TERR_ARG, "операция %" PRIu64 ": у записи нет объекта полей", op->seq);
		if (cJSON_GetArraySize(op->fields) > CHANGESET_MAX_FIELDS)
			return terr_set(e, TERR_TOO_LARGE, "операция %" PRIu64 ": больше %d полей",
			    op->seq, CHANGESET_MAX_FIELDS);
		if ((fields = cJSON_Duplicate(op->fields, 1)) == NULL)
			return terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
	} else if (op->kind == OP_DELETE) {
		if (op->fields != NULL)
			return terr_set(e, TERR_ARG, "операция %" PRIu64 ": у удаления не бывает полей", op->seq);
	} else {
		return terr_set(e, TERR_ARG, "операция %" PRIu64 ": неизвестный вид операции %d",
		    op->seq, (int)op->kind);
	}
	if (cs->n_ops == 0 || (cs->n_ops >= 8 && (cs->n_ops & (cs->n_ops - 1)) == 0)) {
		size_t cap = changeset_capacity(cs->n_ops + 1);
		struct op *n_ops = realloc(cs->ops, cap * sizeof(*n_ops));

		if (n_ops == NULL) {
			changeset_free_json(fields);
			return terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
		}
		cs->ops = n_ops;
	}
	slot = &cs->ops[cs->n_ops];
	*slot = *op;
	slot->fields = fields;
	if (fields == NULL && op->kind == OP_PUT) {
		if ((slot->fields_text = changeset_keep_text(cs, op->fields_text, op->fields_len)) == NULL)
			return terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
	} else {
		slot->fields_text = NULL;
		slot->fields_len = 0;
	}
	cs->n_ops++;
	return 0;
}

void
changeset_hash(const uint8_t *canon, size_t len, uint8_t out[CHANGESET_HASH_BYTES])
{
	crypto_generichash(out, CHANGESET_HASH_BYTES, canon, len, NULL, 0);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t
changeset_utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0; /* continuation byte, 0xc0/0xc1 overlongs, 0xf5.. */
}

/* Offset of the first invalid byte, or len if s is valid UTF-8 without NUL. */
static size_t
changeset_utf8_bad(const uint8_t *s, size_t len)
{
	size_t i = 0, k;

	while (i < len) {
		if (s[i] >= 0x01 && s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = changeset_utf8_seq(s + i, len - i)) == 0)
			return i;
		i += k;
	}
	return len;
}

int
changeset_check_utf8(const char *s, size_t len)
{
	if (s == NULL && len > 0)
		return TERR_UTF8;
	return changeset_utf8_bad((const uint8_t *)s, len) == len ? 0 : TERR_UTF8;
}

/* ---- canonical encoder ---- */

static int
changeset_emit_string(struct tbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	int r;

	if ((r = tbuf_put_u8(b, '"')) != 0)
		return r;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];
		char esc[6];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if ((r = tbuf_put(b, s + run, i - run)) != 0)
			return r;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		if ((r = tbuf_put(b, esc, n)) != 0)
			return r;
	}
	if ((r = tbuf_put(b, s + run, len - run)) != 0)
		return r;
	return tbuf_put_u8(b, '"');
}

/*
 * Integral values up to 2^53 print as integers; anything else prints with the
 * fewest significant digits (1..17, "%.*g") that read back to the same
 * double, with '.' as the decimal point whatever the locale. Writes out
 * (CHANGESET_NUM_MAX bytes, NUL-terminated) and returns the length, or 0 for
 * NaN and the infinities.
 */
#define CHANGESET_NUM_MAX 40

static size_t
changeset_number_text(double d, char out[CHANGESET_NUM_MAX])
{
	const char *dp;

	if (!isfinite(d))
		return 0;
	/* No floor(): the library does not link libm. */
	if (d >= -CHANGESET_INT_MAX && d <= CHANGESET_INT_MAX && (double)(int64_t)d == d) {
		char digits[24], *p = digits + sizeof(digits);
		uint64_t m = d < 0 ? (uint64_t)(-(int64_t)d) : (uint64_t)d;
		size_t n;

		do {
			*--p = (char)('0' + m % 10);
			m /= 10;
		} while (m != 0);
		if (d < 0)
			*--p = '-';
		n = (size_t)(digits + sizeof(digits) - p);
		memcpy(out, p, n);
		out[n] = '\0';
		return n;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(out, CHANGESET_NUM_MAX, "%.*g", p, d);
		if (strtod(out, NULL) == d)
			break;
	}
	dp = localeconv()->decimal_point;
	if (dp != NULL && strcmp(dp, ".") != 0 && dp[0] != '\0') {
		char *at = strstr(out, dp);

		if (at != NULL) {
			size_t dl = strlen(dp);

			*at = '.';
			memmove(at + 1, at + dl, strlen(at + dl) + 1);
		}
	}
	return strlen(out);
}

static int
changeset_emit_number(struct tbuf *b, double d)
{
	char tmp[CHANGESET_NUM_MAX];
	size_t n = changeset_number_text(d, tmp);

	return n == 0 ? TERR_SCHEMA : tbuf_put(b, tmp, n);
}

static int
changeset_key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

struct changeset_emit_err {
	int code;
	char what[128];
};

static int
changeset_emit_fail(struct changeset_emit_err *ee, int code, const char *what)
{
	ee->code = code;
	snprintf(ee->what, sizeof(ee->what), "%s", what);
	return code;
}

/*
 * Emits a field value canonically. depth is the nesting of v's container
 * (the fields object is CHANGESET_FIELDS_DEPTH).
 */
static int
changeset_emit_value(struct tbuf *b, const cJSON *v, int depth,
    struct changeset_emit_err *ee)
{
	const cJSON *c;
	const cJSON **kids = NULL;
	size_t n = 0, i;
	int r = 0;

	if (cJSON_IsNull(v))
		return tbuf_put(b, "null", 4);
	if (cJSON_IsTrue(v))
		return tbuf_put(b, "true", 4);
	if (cJSON_IsFalse(v))
		return tbuf_put(b, "false", 5);
	if (cJSON_IsNumber(v)) {
		if ((r = changeset_emit_number(b, v->valuedouble)) == TERR_SCHEMA)
			return changeset_emit_fail(ee, r, "число не конечно (NaN или бесконечность)");
		return r;
	}
	if (cJSON_IsString(v)) {
		size_t len;

		if (v->valuestring == NULL)
			return changeset_emit_fail(ee, TERR_SCHEMA, "пустой указатель строки");
		len = strlen(v->valuestring);
		if (changeset_check_utf8(v->valuestring, len) != 0)
			return changeset_emit_fail(ee, TERR_UTF8, "строка не в UTF-8");
		return changeset_emit_string(b, v->valuestring, len);
	}
	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return changeset_emit_fail(ee, TERR_SCHEMA, "значение недопустимого типа");
	if (depth + 1 > CHANGESET_MAX_DEPTH)
		return changeset_emit_fail(ee, TERR_DEPTH, "слишком глубокая вложенность значения");
	if (cJSON_IsArray(v)) {
		if ((r = tbuf_put_u8(b, '[')) != 0)
			return r;
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child && (r = tbuf_put_u8(b, ',')) != 0)
				return r;
			if ((r = changeset_emit_value(b, c, depth + 1, ee)) != 0)
				return r;
		}
		return tbuf_put_u8(b, ']');
	}
	for (c = v->child; c != NULL; c = c->next)
		n++;
	if (n > 0 && (kids = malloc(n * sizeof(*kids))) == NULL)
		return TERR_NOMEM;
	for (i = 0, c = v->child; c != NULL; c = c->next) {
		if (c->string == NULL) {
			r = changeset_emit_fail(ee, TERR_SCHEMA, "член объекта без имени");
			goto out;
		}
		if (changeset_check_utf8(c->string, strlen(c->string)) != 0) {
			r = changeset_emit_fail(ee, TERR_UTF8, "имя члена объекта не в UTF-8");
			goto out;
		}
		kids[i++] = c;
	}
	if (n > 1)
		qsort(kids, n, sizeof(*kids), changeset_key_cmp);
	if ((r = tbuf_put_u8(b, '{')) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(kids[i - 1]->string, kids[i]->string) == 0) {
			r = changeset_emit_fail(ee, TERR_SCHEMA, "имя члена объекта повторяется");
			goto out;
		}
		if (i > 0 && (r = tbuf_put_u8(b, ',')) != 0)
			goto out;
		if ((r = changeset_emit_string(b, kids[i]->string, strlen(kids[i]->string))) != 0 ||
		    (r = tbuf_put_u8(b, ':')) != 0 ||
		    (r = changeset_emit_value(b, kids[i], depth + 1, ee)) != 0)
			goto out;
	}
	r = tbuf_put_u8(b, '}');
 out:
	free(kids);
	return r;
}

static int
changeset_check_hlc(const struct hlc_ts *t)
{
	return t->wall_ms <= HLC_WALL_MAX && t->counter <= HLC_COUNTER_MAX ? 0 : TERR_CLOCK;
}

/* Caps and ranges that can be checked without encoding anything. */
static int
changeset_check(const struct changeset *cs, struct terr *e)
{
	size_t n;

	if (cs->format_version != CHANGESET_FORMAT_VERSION)
		return terr_set(e, TERR_VERSION, "набор изменений: версия формата %" PRIu32
		    " не поддерживается (ожидается %d)", cs->format_version, CHANGESET_FORMAT_VERSION);
	if (changeset_bounded_str(cs->school, CHANGESET_SCHOOL_MAX, &n) != 0 ||
	    changeset_check_utf8(cs->school, n) != 0)
		return terr_set(e, TERR_SCHEMA, "набор изменений: код школы длиннее %d байт или не в UTF-8",
		    CHANGESET_SCHOOL_MAX);
	if (cs->n_ops == 0 || cs->ops == NULL)
		return terr_set(e, TERR_COUNT, "набор изменений пуст");
	if (cs->n_ops > CHANGESET_MAX_OPS)
		return terr_set(e, TERR_COUNT, "набор изменений: %zu операций, допустимо не больше %d",
		    cs->n_ops, CHANGESET_MAX_OPS);
	if (cs->first_seq == 0 || cs->last_seq < cs->first_seq ||
	    cs->last_seq > (uint64_t)CHANGESET_INT_MAX)
		return terr_set(e, TERR_COUNT, "набор изменений: недопустимый диапазон номеров %" PRIu64
		    "–%" PRIu64, cs->first_seq, cs->last_seq);
	if (cs->last_seq - cs->first_seq + 1 != cs->n_ops)
		return terr_set(e, TERR_COUNT, "набор изменений %" PRIu64 "–%" PRIu64
		    ": %zu операций вместо %" PRIu64, cs->first_seq, cs->last_seq, cs->n_ops,
		    cs->last_seq - cs->first_seq + 1);
	if (changeset_check_hlc(&cs->created) != 0)
		return terr_set(e, TERR_CLOCK, "набор изменений: недопустимая метка времени создания");
	for (size_t i = 0; i < cs->n_ops; i++) {
		const struct op *op = &cs->ops[i];

		if (op->seq != cs->first_seq + i)
			return terr_set(e, TERR_COUNT, "набор изменений %" PRIu64 "–%" PRIu64
			    ": операция %zu имеет номер %" PRIu64 " вместо %" PRIu64,
			    cs->first_seq, cs->last_seq, i + 1, op->seq, cs->first_seq + i);
		if (changeset_bounded_str(op->form_id, CHANGESET_ID_MAX, &n) != 0 || n == 0 ||
		    changeset_check_utf8(op->form_id, n) != 0)
			return terr_set(e, TERR_SCHEMA, "операция %" PRIu64
			    ": идентификатор формы пуст, длиннее %d байт или не в UTF-8",
			    op->seq, CHANGESET_ID_MAX);
		if (changeset_bounded_str(op->school, CHANGESET_SCHOOL_MAX, &n) != 0 || n == 0 ||
		    changeset_check_utf8(op->school, n) != 0)
			return terr_set(e, TERR_SCHEMA, "операция %" PRIu64
			    ": код школы пуст, длиннее %d байт или не в UTF-8", op->seq, CHANGESET_SCHOOL_MAX);
		if (changeset_check_hlc(&op->hlc) != 0)
			return terr_set(e, TERR_CLOCK, "операция %" PRIu64 ": недопустимая метка времени", op->seq);
		if (op->kind == OP_PUT && op->fields == NULL) {
			if (op->fields_text == NULL)
				return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": у записи нет объекта полей",
				    op->seq);
		} else if (op->kind == OP_PUT) {
			if (!cJSON_IsObject(op->fields))
				return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": у записи нет объекта полей",
				    op->seq);
			if (cJSON_GetArraySize(op->fields) > CHANGESET_MAX_FIELDS)
				return terr_set(e, TERR_TOO_LARGE, "операция %" PRIu64 ": больше %d полей",
				    op->seq, CHANGESET_MAX_FIELDS);
		} else if (op->kind == OP_DELETE) {
			if (op->fields != NULL)
				return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": у удаления не бывает полей",
				    op->seq);
		} else {
			return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": неизвестный вид операции",
			    op->seq);
		}
	}
	return 0;
}

/* The "fields" object: keys sorted, each value capped in encoded size. */
static int
changeset_emit_fields(struct tbuf *b, const struct op *op, struct terr *e)
{
	struct changeset_emit_err ee = { 0, "" };
	const cJSON **kids = NULL;
	const cJSON *c;
	size_t n = 0, i;
	int r = 0;

	/* given as text, which changeset_add found canonical */
	if (op->fields == NULL) {
		r = tbuf_put(b, op->fields_text, op->fields_len);
		goto fail;
	}
	for (c = op->fields->child; c != NULL; c = c->next)
		n++;
	if (n > 0 && (kids = malloc(n * sizeof(*kids))) == NULL)
		return terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
	for (i = 0, c = op->fields->child; c != NULL; c = c->next) {
		size_t kl = 0;

		if (c->string == NULL || (kl = strlen(c->string)) == 0 || kl > CHANGESET_KEY_MAX ||
		    changeset_check_utf8(c->string, kl) != 0) {
			r = terr_set(e, kl > 0 && kl <= CHANGESET_KEY_MAX ? TERR_UTF8 : TERR_SCHEMA,
			    "операция %" PRIu64 ": имя поля пусто, длиннее %d байт или не в UTF-8",
			    op->seq, CHANGESET_KEY_MAX);
			goto out;
		}
		kids[i++] = c;
	}
	if (n > 1)
		qsort(kids, n, sizeof(*kids), changeset_key_cmp);
	if ((r = tbuf_put_u8(b, '{')) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		size_t at;

		if (i > 0 && strcmp(kids[i - 1]->string, kids[i]->string) == 0) {
			r = terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": поле «%s» повторяется",
			    op->seq, kids[i]->string);
			goto out;
		}
		if (i > 0 && (r = tbuf_put_u8(b, ',')) != 0)
			goto fail;
		if ((r = changeset_emit_string(b, kids[i]->string, strlen(kids[i]->string))) != 0 ||
		    (r = tbuf_put_u8(b, ':')) != 0)
			goto fail;
		at = tbuf_len(b);
		if ((r = changeset_emit_value(b, kids[i], CHANGESET_FIELDS_DEPTH, &ee)) != 0) {
			if (ee.code != 0) {
				r = terr_set(e, ee.code, "операция %" PRIu64 ", поле «%s»: %s",
				    op->seq, kids[i]->string, ee.what);
				goto out;
			}
			goto fail;
		}
		if (tbuf_len(b) - at > CHANGESET_MAX_FIELD_BYTES) {
			r = terr_set(e, TERR_TOO_LARGE, "операция %" PRIu64
			    ": поле «%s» занимает %zu байт, допустимо не больше %u",
			    op->seq, kids[i]->string, tbuf_len(b) - at, CHANGESET_MAX_FIELD_BYTES);
			goto out;
		}
	}
	r = tbuf_put_u8(b, '}');
 fail:
	if (r == TERR_NOMEM)
		terr_set(e, r, "набор изменений: недостаточно памяти");
	else if (r != 0)
		terr_set(e, r, "набор изменений длиннее %u байт", CHANGESET_MAX_PLAIN_BYTES);
 out:
	free(kids);
	return r;
}

int
changeset_encode_fields(const struct op *op, struct tbuf *out, struct terr *e)
{
	if (op == NULL || out == NULL || op->kind != OP_PUT || !cJSON_IsObject(op->fields))
		return terr_set(e, TERR_ARG, "набор изменений: поля есть только у записи");
	return changeset_emit_fields(out, op, e);
}

/* changeset_encode; with fields_at, where each put's fields begin and their length. */
static int
changeset_encode_at(const struct changeset *cs, struct tbuf *out, size_t *fields_at,
    struct terr *e)
{
	char hex[CHANGESET_HASH_BYTES * 2 + 1], t[HLC_STRLEN + 1], id[UUID7_STRLEN + 1];
	size_t start;
	int r;

	if (cs == NULL || out == NULL)
		return terr_set(e, TERR_ARG, "набор изменений: не передан набор или буфер");
	if ((r = changeset_check(cs, e)) != 0)
		return r;
	start = tbuf_len(out);

	keys_hex(cs->device_id, KEYS_ID_BYTES, hex);
	if ((r = tbuf_putf(out, "{\"v\":%d,\"device\":\"%s\",\"school\":", CHANGESET_FORMAT_VERSION, hex)) != 0 ||
	    (r = changeset_emit_string(out, cs->school, strlen(cs->school))) != 0)
		goto fail;
	keys_hex(cs->prev_hash, CHANGESET_HASH_BYTES, hex);
	hlc_encode(&cs->created, t);
	if ((r = tbuf_putf(out, ",\"first\":%" PRIu64 ",\"last\":%" PRIu64
	    ",\"prev\":\"%s\",\"created\":\"%s\",\"ops\":[", cs->first_seq, cs->last_seq, hex, t)) != 0)
		goto fail;
	for (size_t i = 0; i < cs->n_ops; i++) {
		const struct op *op = &cs->ops[i];

		uuid7_format(op->record_id, id);
		hlc_encode(&op->hlc, t);
		/* no printf here: it was a third of the encoding's cost */
		if ((i > 0 && (r = tbuf_put_u8(out, ',')) != 0) ||
		    (r = tbuf_put_str(out, "{\"seq\":")) != 0 ||
		    (r = tbuf_put_dec(out, (int64_t)op->seq)) != 0 ||
		    (r = tbuf_put_str(out, ",\"id\":\"")) != 0 ||
		    (r = tbuf_put_str(out, id)) != 0 ||
		    (r = tbuf_put_str(out, "\",\"form\":")) != 0 ||
		    (r = changeset_emit_string(out, op->form_id, strlen(op->form_id))) != 0 ||
		    (r = tbuf_put_str(out, ",\"fv\":")) != 0 ||
		    (r = tbuf_put_dec(out, op->form_version)) != 0 ||
		    (r = tbuf_put_str(out, ",\"school\":")) != 0 ||
		    (r = changeset_emit_string(out, op->school, strlen(op->school))) != 0 ||
		    (r = tbuf_put_str(out, op->kind == OP_PUT ? ",\"op\":\"put\",\"hlc\":\"" :
		    ",\"op\":\"delete\",\"hlc\":\"")) != 0 ||
		    (r = tbuf_put_str(out, t)) != 0 || (r = tbuf_put_u8(out, '"')) != 0)
			goto fail;
		if (op->kind == OP_PUT) {
			if ((r = tbuf_put(out, ",\"fields\":", 10)) != 0)
				goto fail;
			if (fields_at != NULL)
				fields_at[2 * i] = tbuf_len(out);
			if ((r = changeset_emit_fields(out, op, e)) != 0) {
				tbuf_truncate(out, start);
				return r;
			}
			if (fields_at != NULL)
				fields_at[2 * i + 1] = tbuf_len(out) - fields_at[2 * i];
		}
		if ((r = tbuf_put_u8(out, '}')) != 0)
			goto fail;
	}
	if ((r = tbuf_put(out, "]}", 2)) != 0)
		goto fail;
	return 0;
 fail:
	tbuf_truncate(out, start);
	if (r == TERR_NOMEM)
		return terr_set(e, r, "набор изменений: недостаточно памяти");
	return terr_set(e, r, "набор изменений %" PRIu64 "–%" PRIu64 " длиннее %u байт",
	    cs->first_seq, cs->last_seq, CHANGESET_MAX_PLAIN_BYTES);
}

int
changeset_encode(const struct changeset *cs, struct tbuf *out, struct terr *e)
{
	return changeset_encode_at(cs, out, NULL, e);
}

/* ---- parser ---- */

static int
changeset_hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads the 4 hex digits of a \u escape at p (n bytes left); -1 if bad. */
static long
changeset_u4(const uint8_t *p, size_t n)
{
	long v = 0;

	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = changeset_hexval(p[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* ---- canonical reader ---- */

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
	/* what changeset_prescan counts against CHANGESET_MAX_VALUES: brackets
	 * and braces opened, and commas */
	size_t values;
	/* what a fields tree read takes: cJSON nodes, and bytes of its strings
	 * unescaped with their NULs */
	size_t nodes, bytes;
};

static int
changeset_rd_lit(struct changeset_rd *rd, const char *s, size_t n)
{
	if ((size_t)(rd->end - rd->p) < n || memcmp(rd->p, s, n) != 0)
		return -1;
	rd->p += n;
	return 0;
}

/* A string as changeset_emit_string writes it; *decoded is its length unescaped. */
static int
changeset_rd_string(struct changeset_rd *rd, size_t *decoded)
{
	const uint8_t *p = rd->p, *end = rd->end;
	size_t n = 0, k;

	if (p >= end || *p++ != '"')
		return -1;
	for (;;) {
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
				break;
			default:
				return -1;
			}
			n++;
		} else if (*p < 0x20) {
			return -1;
		} else if (*p < 0x80) {
			p++;
			n++;
		} else {
			if ((k = changeset_utf8_seq(p, (size_t)(end - p))) == 0)
				return -1;
			p += k;
			n += k;
		}
	}
	rd->p = p + 1;
	if (decoded != NULL)
		*decoded = n;
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
changeset_number_span(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *s = p;

	while (p < end && ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.' ||
	    *p == 'e' || *p == 'E'))
		p++;
	return (size_t)(p - s);
}

/* The token s..s+n read as cJSON reads it, or -1 if strtod stops short. */
static int
changeset_number_strtod(const uint8_t *s, size_t n, double *out)
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
 * A number as changeset_emit_number writes it. Anything but a short integer
 * is read back and printed again.
 */
static int
changeset_rd_number(struct changeset_rd *rd)
{
	const uint8_t *s = rd->p;
	char want[CHANGESET_NUM_MAX];
	size_t n = changeset_number_span(s, rd->end), neg, i;
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
	if (changeset_number_strtod(s, n, &d) != 0 || changeset_number_text(d, want) != n ||
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
 * object changeset_emit_fields writes) with fields set.
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

/* A value at rd; depth is the nesting of its container, as in changeset_emit_value. */
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
struct changeset_tree {
	cJSON *node, *node_end;
	char *str, *str_end;
	const uint8_t *end;         /* of the fields text */
};

/* The accepted string at *pp, unescaped into the tree's strings. */
static char *
changeset_tree_string(struct changeset_tree *t, const uint8_t **pp)
{
	const uint8_t *p = *pp + 1;
	char *out = t->str;
	int c;

	while ((c = changeset_rd_next(&p)) >= 0) {
		if (t->str >= t->str_end)
			return NULL;
		*t->str++ = (char)c;
	}
	if (t->str >= t->str_end)
		return NULL;
	*t->str++ = '\0';
	*pp = p + 1;
	return out;
}

/* The accepted number at *pp, as cJSON_Parse reads it. */
static int
changeset_tree_number(struct changeset_tree *t, cJSON *item, const uint8_t **pp)
{
	const uint8_t *s = *pp;
	size_t n = changeset_number_span(s, t->end), neg = s[0] == '-', i;
	int64_t v = 0;
	double d;

	/* up to 15 digits: exact in a double, as strtod would give it */
	for (i = neg; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	if (i == n && n > neg && n - neg <= 15)
		d = neg ? -(double)v : (double)v;
	else if (changeset_number_strtod(s, n, &d) != 0)
		return -1;
	item->type = cJSON_Number;
	cJSON_SetNumberHelper(item, d);
	*pp = s + n;
	return 0;
}

/* The accepted value at *pp (depth bounded by the reader), or NULL. */
static cJSON *
changeset_tree_value(struct changeset_tree *t, const uint8_t **pp)
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
		if ((item->valuestring = changeset_tree_string(t, &p)) == NULL)
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
				if ((key = changeset_tree_string(t, &p)) == NULL)
					return NULL;
				p++;        /* ':' */
			}
			if ((c = changeset_tree_value(t, &p)) == NULL)
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
		if (changeset_tree_number(t, item, &p) != 0)
			return NULL;
		break;
	}
	*pp = p;
	return item;
}

/* The fields object text..text+len, which the reader counted into rd, as a tree in cs. */
static cJSON *
changeset_tree_read(struct changeset *cs, const struct changeset_rd *rd, const uint8_t *text,
    size_t len)
{
	struct changeset_tree t;
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
	root = changeset_tree_value(&t, &p);
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
	else if (changeset_rd_lit(rd, "delete\",\"hlc\":", 14) == 0)
		op->kind = OP_DELETE;
	else
		return -1;
	if (changeset_rd_hlc(rd, &op->hlc) != 0)
		return -1;
	if (op->kind == OP_PUT) {
		if (changeset_rd_lit(rd, ",\"fields\":", 10) != 0)
			return -1;
		at = rd->p;
		rd->nodes = 1;      /* the object itself */
		rd->bytes = 0;
		if (changeset_rd_object(rd, CHANGESET_FIELDS_DEPTH - 1, 1) != 0)
			return -1;
		op->fields_text = (const char *)at;
		op->fields_len = (size_t)(rd->p - at);
		if ((op->fields = changeset_tree_read(cs, rd, at, op->fields_len)) == NULL)
			return -1;
	}
	return changeset_rd_lit(rd, "}", 1);
}

int
changeset_rd_parse(const uint8_t *buf, size_t len, struct changeset **out)
{
	struct changeset_rd rd = { buf, buf + len, 0, 0, 0 };
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
	/* the values changeset_prescan counts outside the fields: the opening
	 * brace and 7 commas of the set, "ops", each op's brace and commas */
	rd.values = 1 + 1 + 7 + 1 + (size_t)n - 1;
	while (cs->n_ops < n) {
		/* n_ops counts read ops so changeset_free releases their fields */
		struct op *op = &cs->ops[cs->n_ops++];

		if ((cs->n_ops > 1 && changeset_rd_lit(&rd, ",", 1) != 0) || changeset_rd_op(&rd, cs, op) != 0)
			goto fail;
		rd.values += op->kind == OP_PUT ? 1 + 7 : 1 + 6;
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

/*
 * Runs before cJSON: a bounded single pass that refuses what cJSON would
 * either accept silently (lone surrogates, \u0000 that truncates a string,
 * raw control characters) or pay for dearly (depth bombs, millions of values).
 */
static int
changeset_prescan(const uint8_t *buf, size_t len, struct terr *e)
{
	size_t bad, values = 1;
	int depth = 0, in_str = 0;

	if (len == 0)
		return terr_set(e, TERR_PARSE, "набор изменений пуст (0 байт)");
	if (len > CHANGESET_MAX_PLAIN_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "набор изменений занимает %zu байт, допустимо не больше %u",
		    len, CHANGESET_MAX_PLAIN_BYTES);
	if ((bad = changeset_utf8_bad(buf, len)) != len)
		return terr_set(e, TERR_UTF8, "набор изменений: байт %zu не в кодировке UTF-8 (0x%02x)",
		    bad, buf[bad]);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (in_str) {
			if (c == '"') {
				in_str = 0;
			} else if (c < 0x20) {
				return terr_set(e, TERR_PARSE,
				    "набор изменений: управляющий символ 0x%02x внутри строки (байт %zu)", c, i);
			} else if (c == '\\') {
				long u, lo;

				if (i + 1 >= len)
					return terr_set(e, TERR_PARSE, "набор изменений: строка обрывается");
				c = buf[++i];
				if (strchr("\"\\/bfnrt", c) != NULL && c != '\0')
					continue;
				if (c != 'u')
					return terr_set(e, TERR_PARSE,
					    "набор изменений: недопустимая escape-последовательность (байт %zu)", i);
				if ((u = changeset_u4(buf + i + 1, len - i - 1)) < 0)
					return terr_set(e, TERR_PARSE,
					    "набор изменений: неверная последовательность \\u (байт %zu)", i);
				i += 4;
				if (u == 0)
					return terr_set(e, TERR_UTF8,
					    "набор изменений: символ NUL (\\u0000) в строке (байт %zu)", i);
				if (u >= 0xdc00 && u <= 0xdfff)
					return terr_set(e, TERR_UTF8,
					    "набор изменений: одиночный суррогат \\u%04lx (байт %zu)", u, i);
				if (u >= 0xd800 && u <= 0xdbff) {
					if (i + 2 >= len || buf[i + 1] != '\\' || buf[i + 2] != 'u' ||
					    (lo = changeset_u4(buf + i + 3, len - i - 3)) < 0xdc00 || lo > 0xdfff)
						return terr_set(e, TERR_UTF8,
						    "набор изменений: одиночный суррогат \\u%04lx (байт %zu)", u, i);
					i += 6;
				}
			}
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			break;
		case '{':
		case '[':
			if (++depth > CHANGESET_MAX_DEPTH)
				return terr_set(e, TERR_DEPTH, "набор изменений: вложенность больше %d (байт %zu)",
				    CHANGESET_MAX_DEPTH, i);
			values++;
			break;
		case '}':
		case ']':
			if (--depth < 0)
				return terr_set(e, TERR_PARSE, "набор изменений: лишняя закрывающая скобка (байт %zu)", i);
			break;
		case ',':
			values++;
			break;
		default:
			break;
		}
		if (values > CHANGESET_MAX_VALUES)
			return terr_set(e, TERR_TOO_LARGE, "набор изменений: больше %u значений",
			    CHANGESET_MAX_VALUES);
	}
	if (in_str || depth != 0)
		return terr_set(e, TERR_PARSE, "набор изменений обрывается: не закрыта строка или скобка");
	return 0;
}

/* A non-negative integer exactly representable in a double, or -1. */
static int
changeset_get_uint(const cJSON *j, uint64_t max, uint64_t *out)
{
	double d;

	if (!cJSON_IsNumber(j))
		return -1;
	d = j->valuedouble;
	if (!isfinite(d) || d < 0 || d > CHANGESET_INT_MAX || d > (double)max ||
	    (double)(uint64_t)d != d)
		return -1;
	*out = (uint64_t)d;
	return 0;
}

static int
changeset_get_str(const cJSON *j, size_t min, size_t max, const char **s)
{
	size_t n;

	if (!cJSON_IsString(j) || j->valuestring == NULL)
		return -1;
	n = strlen(j->valuestring);
	if (n < min || n > max)
		return -1;
	*s = j->valuestring;
	return 0;
}

/*
 * Matches the members of obj against names (at most 16): refuses unknown and
 * repeated members; found[i] is the member for names[i] or NULL.
 */
static int
changeset_members(const cJSON *obj, const char *const *names, size_t n,
    cJSON **found, const char *where, struct terr *e)
{
	for (size_t i = 0; i < n; i++)
		found[i] = NULL;
	for (cJSON *c = obj->child; c != NULL; c = c->next) {
		size_t i;

		for (i = 0; i < n; i++)
			if (c->string != NULL && strcmp(c->string, names[i]) == 0)
				break;
		if (i == n)
			return terr_set(e, TERR_SCHEMA, "%s: неизвестный член «%.64s»", where,
			    c->string ? c->string : "");
		if (found[i] != NULL)
			return terr_set(e, TERR_SCHEMA, "%s: член «%s» повторяется", where, names[i]);
		found[i] = c;
	}
	return 0;
}

static int
changeset_parse_op(cJSON *j, struct changeset *cs, size_t idx, struct terr *e)
{
	static const char *const names[] = { "seq", "id", "form", "fv", "school", "op", "hlc", "fields" };
	cJSON *m[8];
	struct op *op = &cs->ops[idx];
	const char *s;
	char where[64];
	uint64_t v;
	int r;

	snprintf(where, sizeof(where), "операция %zu", idx + 1);
	if (!cJSON_IsObject(j))
		return terr_set(e, TERR_SCHEMA, "%s: ожидался объект", where);
	if ((r = changeset_members(j, names, 8, m, where, e)) != 0)
		return r;
	for (int i = 0; i < 7; i++)
		if (m[i] == NULL)
			return terr_set(e, TERR_SCHEMA, "%s: нет члена «%s»", where, names[i]);
	if (changeset_get_uint(m[0], UINT64_MAX, &v) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «seq» должен быть целым неотрицательным числом", where);
	if (v != cs->first_seq + idx)
		return terr_set(e, TERR_COUNT, "набор %" PRIu64 "–%" PRIu64 ": %s имеет номер %" PRIu64
		    " вместо %" PRIu64, cs->first_seq, cs->last_seq, where, v, cs->first_seq + idx);
	op->seq = v;
	snprintf(where, sizeof(where), "операция %" PRIu64, op->seq);
	if (changeset_get_str(m[1], UUID7_STRLEN, UUID7_STRLEN, &s) != 0 ||
	    uuid7_parse(s, op->record_id) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «id» не является UUID записи", where);
	if (changeset_get_str(m[2], 1, CHANGESET_ID_MAX, &s) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «form» должен быть строкой от 1 до %d байт",
		    where, CHANGESET_ID_MAX);
	memcpy(op->form_id, s, strlen(s) + 1);
	if (changeset_get_uint(m[3], UINT32_MAX, &v) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «fv» должен быть целым числом от 0 до %" PRIu32,
		    where, UINT32_MAX);
	op->form_version = (uint32_t)v;
	if (changeset_get_str(m[4], 1, CHANGESET_SCHOOL_MAX, &s) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «school» должен быть строкой от 1 до %d байт",
		    where, CHANGESET_SCHOOL_MAX);
	memcpy(op->school, s, strlen(s) + 1);
	if (changeset_get_str(m[5], 1, 6, &s) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «op» должен быть \"put\" или \"delete\"", where);
	if (strcmp(s, "put") == 0)
		op->kind = OP_PUT;
	else if (strcmp(s, "delete") == 0)
		op->kind = OP_DELETE;
	else
		return terr_set(e, TERR_SCHEMA, "%s: «op» должен быть \"put\" или \"delete\"", where);
	if (changeset_get_str(m[6], HLC_STRLEN, HLC_STRLEN, &s) != 0 || hlc_decode(s, &op->hlc) != 0)
		return terr_set(e, TERR_CLOCK, "%s: недопустимая метка времени «hlc»", where);
	if (op->kind == OP_DELETE) {
		if (m[7] != NULL)
			return terr_set(e, TERR_SCHEMA, "%s: у удаления не бывает полей", where);
		return 0;
	}
	if (m[7] == NULL || !cJSON_IsObject(m[7]))
		return terr_set(e, TERR_SCHEMA, "%s: у записи нет объекта «fields»", where);
	if (cJSON_GetArraySize(m[7]) > CHANGESET_MAX_FIELDS)
		return terr_set(e, TERR_TOO_LARGE, "%s: больше %d полей", where, CHANGESET_MAX_FIELDS);
	/* Field values themselves are checked by the canonical re-encoding. */
	op->fields = cJSON_DetachItemViaPointer(j, m[7]);
	return 0;
}

int
changeset_parse_tree(const uint8_t *buf, size_t len, struct changeset **out, struct terr *e)
{
	static const char *const names[] = { "v", "device", "school", "first", "last", "prev",
		"created", "ops" };
	cJSON *m[8];
	struct changeset *cs = NULL;
	struct tbuf *re = NULL;
	size_t *fields_at = NULL;
	cJSON *doc = NULL, *opj;
	const char *end = NULL, *s;
	uint64_t v, nops;
	size_t n;
	int r;

	*out = NULL;
	if ((r = changeset_prescan(buf, len, e)) != 0)
		goto out;
	doc = cJSON_ParseWithLengthOpts((const char *)buf, len, &end, 0);
	if (doc == NULL) {
		size_t at = end != NULL && end >= (const char *)buf ? (size_t)(end - (const char *)buf) : 0;

		r = terr_set(e, TERR_PARSE, "набор изменений: ошибка разбора JSON около байта %zu", at);
		goto out;
	}
	if (end != (const char *)buf + len) {
		r = terr_set(e, TERR_TRAILING, "набор изменений: лишние данные после JSON (байт %zu)",
		    (size_t)(end - (const char *)buf));
		goto out;
	}
	if (!cJSON_IsObject(doc)) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: ожидался объект JSON");
		goto out;
	}
	if ((r = changeset_members(doc, names, 8, m, "набор изменений", e)) != 0)
		goto out;
	if (m[0] == NULL || changeset_get_uint(m[0], UINT32_MAX, &v) != 0) {
		r = terr_set(e, m[0] == NULL ? TERR_SCHEMA : TERR_VERSION,
		    "набор изменений: нет номера версии формата «v» или он не целое число");
		goto out;
	}
	if (v != CHANGESET_FORMAT_VERSION) {
		r = terr_set(e, TERR_VERSION, "набор изменений: версия формата %" PRIu64
		    " не поддерживается (ожидается %d)", v, CHANGESET_FORMAT_VERSION);
		goto out;
	}
	for (int i = 1; i < 8; i++)
		if (m[i] == NULL) {
			r = terr_set(e, TERR_SCHEMA, "набор изменений: нет члена «%s»", names[i]);
			goto out;
		}
	if ((cs = changeset_new()) == NULL) {
		r = terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
		goto out;
	}
	if (changeset_get_str(m[1], KEYS_ID_HEXLEN, KEYS_ID_HEXLEN, &s) != 0 ||
	    keys_unhex(s, cs->device_id, KEYS_ID_BYTES) != 0) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: «device» должен быть из %d шестнадцатеричных цифр",
		    KEYS_ID_HEXLEN);
		goto out;
	}
	if (changeset_get_str(m[2], 0, CHANGESET_SCHOOL_MAX, &s) != 0) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: «school» должен быть строкой до %d байт",
		    CHANGESET_SCHOOL_MAX);
		goto out;
	}
	memcpy(cs->school, s, strlen(s) + 1);
	if (changeset_get_uint(m[3], UINT64_MAX, &cs->first_seq) != 0 ||
	    changeset_get_uint(m[4], UINT64_MAX, &cs->last_seq) != 0) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: «first» и «last» должны быть целыми числами до 2^53");
		goto out;
	}
	if (cs->first_seq == 0 || cs->last_seq < cs->first_seq) {
		r = terr_set(e, TERR_COUNT, "набор изменений: недопустимый диапазон номеров %" PRIu64 "–%" PRIu64,
		    cs->first_seq, cs->last_seq);
		goto out;
	}
	if (changeset_get_str(m[5], CHANGESET_HASH_BYTES * 2, CHANGESET_HASH_BYTES * 2, &s) != 0 ||
	    keys_unhex(s, cs->prev_hash, CHANGESET_HASH_BYTES) != 0) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: «prev» должен быть из %d шестнадцатеричных цифр",
		    CHANGESET_HASH_BYTES * 2);
		goto out;
	}
	if (changeset_get_str(m[6], HLC_STRLEN, HLC_STRLEN, &s) != 0 || hlc_decode(s, &cs->created) != 0) {
		r = terr_set(e, TERR_CLOCK, "набор изменений: недопустимая метка времени «created»");
		goto out;
	}
	if (!cJSON_IsArray(m[7])) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: «ops» должен быть массивом");
		goto out;
	}
	n = 0;
	for (opj = m[7]->child; opj != NULL && n <= CHANGESET_MAX_OPS; opj = opj->next)
		n++;
	nops = cs->last_seq - cs->first_seq + 1;
	if (n > CHANGESET_MAX_OPS || n == 0 || nops != n) {
		r = terr_set(e, TERR_COUNT, "набор изменений %" PRIu64 "–%" PRIu64
		    ": %s%zu операций, а должно быть %" PRIu64 " (не больше %d)", cs->first_seq, cs->last_seq,
		    n > CHANGESET_MAX_OPS ? "больше " : "", n, nops, CHANGESET_MAX_OPS);
		goto out;
	}
	if ((cs->ops = calloc(changeset_capacity(n), sizeof(*cs->ops))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
		goto out;
	}
	for (opj = m[7]->child; opj != NULL; opj = opj->next) {
		/* n_ops counts parsed ops so changeset_free releases their fields. */
		r = changeset_parse_op(opj, cs, cs->n_ops, e);
		cs->n_ops++;
		if (r != 0)
			goto out;
	}
	if ((fields_at = calloc(2 * n, sizeof(*fields_at))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
		goto out;
	}
	/*
	 * One set, one encoding: anything else would give two chain hashes. Only
	 * what the canonical reader refused comes here, so the set is encoded
	 * again and compared, which also finds where it differs.
	 */
	if ((re = tbuf_new(CHANGESET_MAX_PLAIN_BYTES)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
		goto out;
	}
	if ((r = changeset_encode_at(cs, re, fields_at, e)) != 0)
		goto out;
	if (tbuf_len(re) != len || memcmp(tbuf_ptr(re), buf, len) != 0) {
		size_t at = 0, rl = tbuf_len(re);

		while (at < len && at < rl && tbuf_ptr(re)[at] == buf[at])
			at++;
		r = terr_set(e, TERR_PARSE, "набор изменений %" PRIu64 "–%" PRIu64
		    ": запись не каноническая (отличие с байта %zu)", cs->first_seq, cs->last_seq, at);
		goto out;
	}
	/* The fields as they stand in the set are canonical: a hub storing a
	 * record takes them from here instead of encoding again. */
	for (size_t i = 0; i < cs->n_ops; i++)
		if (cs->ops[i].kind == OP_PUT) {
			cs->ops[i].fields_text = (const char *)buf + fields_at[2 * i];
			cs->ops[i].fields_len = fields_at[2 * i + 1];
		}
	*out = cs;
	cs = NULL;
	r = 0;
 out:
	free(fields_at);
	tbuf_free(re);
	changeset_free(cs);
	changeset_free_json(doc);
	return r;
}

int
changeset_parse_take(uint8_t *buf, size_t len, struct changeset **out, struct terr *e)
{
	int r;

	if (buf == NULL)
		return terr_set(e, TERR_ARG, "набор изменений: нет данных");
	if (out == NULL) {
		r = terr_set(e, TERR_ARG, "набор изменений: некуда вернуть результат");
	} else if ((r = changeset_rd_parse(buf, len, out)) != 0) {
		/* not read as canonical: the full parser gives the verdict and the reason */
		r = changeset_parse_tree(buf, len, out, e);
	}
	if (r != 0) {
		sodium_memzero(buf, len);
		free(buf);
		return r;
	}
	(*out)->text = buf;
	(*out)->text_len = len;
	return 0;
}

int
changeset_parse(const uint8_t *buf, size_t len, struct changeset **out, struct terr *e)
{
	uint8_t *copy;

	if (out == NULL)
		return terr_set(e, TERR_ARG, "набор изменений: некуда вернуть результат");
	*out = NULL;
	if (buf == NULL)
		return terr_set(e, TERR_ARG, "набор изменений: нет данных");
	if (len > CHANGESET_MAX_PLAIN_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "набор изменений занимает %zu байт, допустимо не больше %u",
		    len, CHANGESET_MAX_PLAIN_BYTES);
	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
	memcpy(copy, buf, len);
	return changeset_parse_take(copy, len, out, e);
}
