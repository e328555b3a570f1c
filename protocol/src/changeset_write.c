/*
 * changeset_write — the canonical encoder.
 *
 * Our own (not cJSON_Print): the chain hash and the test vectors need the
 * same set to give the same bytes on every machine. The canonical reader
 * (changeset_rd.c) accepts exactly what this writes; the full parser
 * (changeset_parse.c) encodes what the reader refused again and compares.
 */
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* changeset.h names struct tbuf without declaring it: tbuf.h goes first. */
#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"
#include "changeset_model.h"
#include "changeset_write.h"

static int
changeset_write_string(struct tbuf *b, const char *s, size_t len)
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

size_t
changeset_write_number_text(double d, char out[CHANGESET_NUM_MAX])
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
changeset_write_number(struct tbuf *b, double d)
{
	char tmp[CHANGESET_NUM_MAX];
	size_t n = changeset_write_number_text(d, tmp);

	return n == 0 ? TERR_SCHEMA : tbuf_put(b, tmp, n);
}

static int
changeset_write_key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

struct changeset_write_err {
	int code;
	char what[128];
};

static int
changeset_write_fail(struct changeset_write_err *ee, int code, const char *what)
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
changeset_write_value(struct tbuf *b, const cJSON *v, int depth,
    struct changeset_write_err *ee)
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
		if ((r = changeset_write_number(b, v->valuedouble)) == TERR_SCHEMA)
			return changeset_write_fail(ee, r, "число не конечно (NaN или бесконечность)");
		return r;
	}
	if (cJSON_IsString(v)) {
		size_t len;

		if (v->valuestring == NULL)
			return changeset_write_fail(ee, TERR_SCHEMA, "пустой указатель строки");
		len = strlen(v->valuestring);
		if (changeset_check_utf8(v->valuestring, len) != 0)
			return changeset_write_fail(ee, TERR_UTF8, "строка не в UTF-8");
		return changeset_write_string(b, v->valuestring, len);
	}
	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return changeset_write_fail(ee, TERR_SCHEMA, "значение недопустимого типа");
	if (depth + 1 > CHANGESET_MAX_DEPTH)
		return changeset_write_fail(ee, TERR_DEPTH, "слишком глубокая вложенность значения");
	if (cJSON_IsArray(v)) {
		if ((r = tbuf_put_u8(b, '[')) != 0)
			return r;
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child && (r = tbuf_put_u8(b, ',')) != 0)
				return r;
			if ((r = changeset_write_value(b, c, depth + 1, ee)) != 0)
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
			r = changeset_write_fail(ee, TERR_SCHEMA, "член объекта без имени");
			goto out;
		}
		if (changeset_check_utf8(c->string, strlen(c->string)) != 0) {
			r = changeset_write_fail(ee, TERR_UTF8, "имя члена объекта не в UTF-8");
			goto out;
		}
		kids[i++] = c;
	}
	if (n > 1)
		qsort(kids, n, sizeof(*kids), changeset_write_key_cmp);
	if ((r = tbuf_put_u8(b, '{')) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(kids[i - 1]->string, kids[i]->string) == 0) {
			r = changeset_write_fail(ee, TERR_SCHEMA, "имя члена объекта повторяется");
			goto out;
		}
		if (i > 0 && (r = tbuf_put_u8(b, ',')) != 0)
			goto out;
		if ((r = changeset_write_string(b, kids[i]->string, strlen(kids[i]->string))) != 0 ||
		    (r = tbuf_put_u8(b, ':')) != 0 ||
		    (r = changeset_write_value(b, kids[i], depth + 1, ee)) != 0)
			goto out;
	}
	r = tbuf_put_u8(b, '}');
 out:
	free(kids);
	return r;
}

/* The "fields" object: keys sorted, each value capped in encoded size. */
static int
changeset_write_fields(struct tbuf *b, const struct op *op, struct terr *e)
{
	struct changeset_write_err ee = { 0, "" };
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
		qsort(kids, n, sizeof(*kids), changeset_write_key_cmp);
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
		if ((r = changeset_write_string(b, kids[i]->string, strlen(kids[i]->string))) != 0 ||
		    (r = tbuf_put_u8(b, ':')) != 0)
			goto fail;
		at = tbuf_len(b);
		if ((r = changeset_write_value(b, kids[i], CHANGESET_FIELDS_DEPTH, &ee)) != 0) {
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
	if (op == NULL || out == NULL || !OP_HAS_FIELDS(op->kind) || !cJSON_IsObject(op->fields))
		return terr_set(e, TERR_ARG, "набор изменений: поля есть только у записи и правки");
	return changeset_write_fields(out, op, e);
}

/* changeset_encode; with fields_at, where each put's fields begin and their length. */
int
changeset_write_at(const struct changeset *cs, struct tbuf *out, size_t *fields_at,
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
	    (r = changeset_write_string(out, cs->school, strlen(cs->school))) != 0)
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
		    (r = changeset_write_string(out, op->form_id, strlen(op->form_id))) != 0 ||
		    (r = tbuf_put_str(out, ",\"fv\":")) != 0 ||
		    (r = tbuf_put_dec(out, op->form_version)) != 0 ||
		    (r = tbuf_put_str(out, ",\"school\":")) != 0 ||
		    (r = changeset_write_string(out, op->school, strlen(op->school))) != 0 ||
		    (r = tbuf_put_str(out, op->kind == OP_PUT ? ",\"op\":\"put\",\"hlc\":\"" :
		    op->kind == OP_EDIT ? ",\"op\":\"edit\",\"hlc\":\"" :
		    ",\"op\":\"delete\",\"hlc\":\"")) != 0 ||
		    (r = tbuf_put_str(out, t)) != 0 || (r = tbuf_put_u8(out, '"')) != 0)
			goto fail;
		if (OP_HAS_FIELDS(op->kind)) {
			if ((r = tbuf_put(out, ",\"fields\":", 10)) != 0)
				goto fail;
			if (fields_at != NULL)
				fields_at[2 * i] = tbuf_len(out);
			if ((r = changeset_write_fields(out, op, e)) != 0) {
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
	return changeset_write_at(cs, out, NULL, e);
}
