/*
 * changeset_parse — the full parser, and changeset_parse itself.
 *
 * changeset_parse tries the canonical reader (changeset_rd.c) first; only
 * what it refuses comes here. A bounded pre-scan (size, depth, UTF-8,
 * escapes) runs before cJSON sees a byte, the schema is checked strictly,
 * and finally the input must be exactly the set's encoding
 * (changeset_write.c): one set has exactly one encoding. This path gives
 * the verdict and the reason for every refusal.
 */
#include <inttypes.h>
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
#include "changeset_model.h"
#include "changeset_write.h"

/* Reads the 4 hex digits of a \u escape at p (n bytes left); -1 if bad. */
static long
changeset_parse_u4(const uint8_t *p, size_t n)
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

/*
 * Runs before cJSON: a bounded single pass that refuses what cJSON would
 * either accept silently (lone surrogates, \u0000 that truncates a string,
 * raw control characters) or pay for dearly (depth bombs, millions of values).
 */
static int
changeset_parse_prescan(const uint8_t *buf, size_t len, struct terr *e)
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
				if ((u = changeset_parse_u4(buf + i + 1, len - i - 1)) < 0)
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
					    (lo = changeset_parse_u4(buf + i + 3, len - i - 3)) < 0xdc00 || lo > 0xdfff)
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

int
changeset_json_uint(const cJSON *j, uint64_t max, uint64_t *out)
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

int
changeset_json_str(const cJSON *j, size_t min, size_t max, const char **s)
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
changeset_parse_members(const cJSON *obj, const char *const *names, size_t n,
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
	if ((r = changeset_parse_members(j, names, 8, m, where, e)) != 0)
		return r;
	for (int i = 0; i < 7; i++)
		if (m[i] == NULL)
			return terr_set(e, TERR_SCHEMA, "%s: нет члена «%s»", where, names[i]);
	if (changeset_json_uint(m[0], UINT64_MAX, &v) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «seq» должен быть целым неотрицательным числом", where);
	if (v != cs->first_seq + idx)
		return terr_set(e, TERR_COUNT, "набор %" PRIu64 "–%" PRIu64 ": %s имеет номер %" PRIu64
		    " вместо %" PRIu64, cs->first_seq, cs->last_seq, where, v, cs->first_seq + idx);
	op->seq = v;
	snprintf(where, sizeof(where), "операция %" PRIu64, op->seq);
	if (changeset_json_str(m[1], UUID7_STRLEN, UUID7_STRLEN, &s) != 0 ||
	    uuid7_parse(s, op->record_id) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «id» не является UUID записи", where);
	if (changeset_json_str(m[2], 1, CHANGESET_ID_MAX, &s) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «form» должен быть строкой от 1 до %d байт",
		    where, CHANGESET_ID_MAX);
	memcpy(op->form_id, s, strlen(s) + 1);
	if (changeset_json_uint(m[3], UINT32_MAX, &v) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «fv» должен быть целым числом от 0 до %" PRIu32,
		    where, UINT32_MAX);
	op->form_version = (uint32_t)v;
	if (changeset_json_str(m[4], 1, CHANGESET_SCHOOL_MAX, &s) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «school» должен быть строкой от 1 до %d байт",
		    where, CHANGESET_SCHOOL_MAX);
	memcpy(op->school, s, strlen(s) + 1);
	if (changeset_json_str(m[5], 1, 6, &s) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: «op» должен быть \"put\", \"edit\" или \"delete\"", where);
	if (strcmp(s, "put") == 0)
		op->kind = OP_PUT;
	else if (strcmp(s, "edit") == 0)
		op->kind = OP_EDIT;
	else if (strcmp(s, "delete") == 0)
		op->kind = OP_DELETE;
	else
		return terr_set(e, TERR_SCHEMA, "%s: «op» должен быть \"put\", \"edit\" или \"delete\"", where);
	if (changeset_json_str(m[6], HLC_STRLEN, HLC_STRLEN, &s) != 0 || hlc_decode(s, &op->hlc) != 0)
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
	if (op->kind == OP_EDIT && m[7]->child == NULL)
		return terr_set(e, TERR_SCHEMA, "%s: правка без полей", where);
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
	if ((r = changeset_parse_prescan(buf, len, e)) != 0)
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
	if ((r = changeset_parse_members(doc, names, 8, m, "набор изменений", e)) != 0)
		goto out;
	if (m[0] == NULL || changeset_json_uint(m[0], UINT32_MAX, &v) != 0) {
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
	if (changeset_json_str(m[1], KEYS_ID_HEXLEN, KEYS_ID_HEXLEN, &s) != 0 ||
	    keys_unhex(s, cs->device_id, KEYS_ID_BYTES) != 0) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: «device» должен быть из %d шестнадцатеричных цифр",
		    KEYS_ID_HEXLEN);
		goto out;
	}
	if (changeset_json_str(m[2], 0, CHANGESET_SCHOOL_MAX, &s) != 0) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: «school» должен быть строкой до %d байт",
		    CHANGESET_SCHOOL_MAX);
		goto out;
	}
	memcpy(cs->school, s, strlen(s) + 1);
	if (changeset_json_uint(m[3], UINT64_MAX, &cs->first_seq) != 0 ||
	    changeset_json_uint(m[4], UINT64_MAX, &cs->last_seq) != 0) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: «first» и «last» должны быть целыми числами до 2^53");
		goto out;
	}
	if (cs->first_seq == 0 || cs->last_seq < cs->first_seq) {
		r = terr_set(e, TERR_COUNT, "набор изменений: недопустимый диапазон номеров %" PRIu64 "–%" PRIu64,
		    cs->first_seq, cs->last_seq);
		goto out;
	}
	if (changeset_json_str(m[5], CHANGESET_HASH_BYTES * 2, CHANGESET_HASH_BYTES * 2, &s) != 0 ||
	    keys_unhex(s, cs->prev_hash, CHANGESET_HASH_BYTES) != 0) {
		r = terr_set(e, TERR_SCHEMA, "набор изменений: «prev» должен быть из %d шестнадцатеричных цифр",
		    CHANGESET_HASH_BYTES * 2);
		goto out;
	}
	if (changeset_json_str(m[6], HLC_STRLEN, HLC_STRLEN, &s) != 0 || hlc_decode(s, &cs->created) != 0) {
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
	if ((r = changeset_write_at(cs, re, fields_at, e)) != 0)
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
		if (OP_HAS_FIELDS(cs->ops[i].kind)) {
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
