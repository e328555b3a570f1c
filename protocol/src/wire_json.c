/*
 * wire_json — what the wire messages share (wire_json.h): the checks cJSON
 * does not make before a message is parsed (UTF-8 without NUL, no \u0000
 * escape, nothing after the object, no repeated member, a bounded number of
 * members), bounded readers of one member, and the string writer of the
 * hub's hand-written messages.
 */
#include "wire_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tetrad/changeset.h"
#include "tetrad/keys.h"
#include "tetrad/wire.h"

int
wire_json_put_str(struct tbuf *out, const char *s)
{
	size_t run = 0, i;
	int r;

	if ((r = tbuf_put_u8(out, '"')) != 0)
		return r;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if ((r = tbuf_put(out, s + run, i - run)) != 0)
			return r;
		run = i + 1;
		if (c < 0x20)
			r = tbuf_putf(out, "\\u%04x", c);
		else
			r = tbuf_putf(out, "\\%c", c);
		if (r != 0)
			return r;
	}
	if ((r = tbuf_put(out, s + run, i - run)) != 0)
		return r;
	return tbuf_put_u8(out, '"');
}

int
wire_json_write_fail(struct terr *e, int r, const char *what)
{
	if (r == TERR_NOMEM)
		return terr_set(e, r, "недостаточно памяти");
	return terr_set(e, r, "%s не помещается в буфер ответа", what);
}

bool
wire_json_text_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n <= max && changeset_check_utf8(s, n) == 0;
}

bool
wire_json_hex_ok(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool
wire_json_plain_ok(const char *s, size_t max)
{
	if (!wire_json_text_ok(s, max))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Whether a JSON string in s[0..n) holds the escape \u0000. */
static bool
wire_json_has_nul_escape(const char *s, size_t n)
{
	bool in = false;

	for (size_t i = 0; i < n; i++) {
		if (!in) {
			in = s[i] == '"';
			continue;
		}
		if (s[i] == '"') {
			in = false;
		} else if (s[i] == '\\' && i + 1 < n) {
			if (s[i + 1] == 'u' && i + 5 < n && memcmp(s + i + 2, "0000", 4) == 0)
				return true;
			i++;
		}
	}
	return false;
}

int
wire_json_open(const void *buf, size_t len, size_t max, const char *what, cJSON **out,
    struct terr *e)
{
	const char *s = buf, *end = NULL;
	const cJSON *it, *jt;
	cJSON *root = NULL;
	int n = 0, r;

	*out = NULL;
	if (len > max)
		return terr_set(e, TERR_TOO_LARGE, "%s длиннее %zu байт", what, max);
	if (s == NULL || changeset_check_utf8(s, len) != 0)
		return terr_set(e, TERR_UTF8, "%s не в кодировке UTF-8 (или содержит байт NUL)", what);
	if (wire_json_has_nul_escape(s, len))
		return terr_set(e, TERR_PARSE, "%s: строка содержит символ NUL (\\u0000)", what);
	root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (root == NULL || !cJSON_IsObject(root)) {
		r = terr_set(e, TERR_PARSE, "%s не является объектом JSON", what);
		goto out;
	}
	for (; end != NULL && end < s + len; end++)
		if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') {
			r = terr_set(e, TERR_TRAILING, "%s: после объекта JSON лишний текст", what);
			goto out;
		}
	cJSON_ArrayForEach(it, root) {
		if (++n > WIRE_MEMBERS_MAX) {
			r = terr_set(e, TERR_TOO_LARGE, "%s: больше %d полей", what, WIRE_MEMBERS_MAX);
			goto out;
		}
		for (jt = it->next; jt != NULL; jt = jt->next)
			if (strcmp(it->string, jt->string) == 0) {
				r = terr_set(e, TERR_SCHEMA, "%s: поле «%.64s» повторяется", what,
				    wire_json_plain_ok(it->string, 64) ? it->string : "?");
				goto out;
			}
	}
	*out = root;
	root = NULL;
	r = 0;
 out:
	cJSON_Delete(root);
	return r;
}

int
wire_json_get_str(const cJSON *o, const char *name, bool required, bool plain, char *out,
    size_t cap, const char *what, struct terr *e)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);
	size_t n;

	out[0] = '\0';
	if (x == NULL && !required)
		return 1;
	if (x == NULL)
		return terr_set(e, TERR_SCHEMA, "%s: нет поля «%s»", what, name);
	if (!cJSON_IsString(x))
		return terr_set(e, TERR_SCHEMA, "%s: поле «%s» должно быть строкой", what, name);
	if ((n = strlen(x->valuestring)) >= cap)
		return terr_set(e, TERR_TOO_LARGE, "%s: поле «%s» длиннее %zu байт", what, name,
		    cap - 1);
	if (plain && !wire_json_plain_ok(x->valuestring, cap - 1))
		return terr_set(e, TERR_SCHEMA, "%s: поле «%s» содержит управляющие символы", what,
		    name);
	memcpy(out, x->valuestring, n + 1);
	return 0;
}

int
wire_json_get_hex(const cJSON *o, const char *name, uint8_t *out, size_t n, const char *what,
    struct terr *e)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);

	if (x == NULL)
		return terr_set(e, TERR_SCHEMA, "%s: нет поля «%s»", what, name);
	if (!cJSON_IsString(x) || strlen(x->valuestring) != 2 * n ||
	    keys_unhex(x->valuestring, out, n) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: поле «%s» должно состоять из %zu "
		    "шестнадцатеричных цифр", what, name, 2 * n);
	return 0;
}

int
wire_json_get_u64(const cJSON *o, const char *name, bool required, uint64_t *v, const char *what,
    struct terr *e)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);

	*v = 0;
	if (x == NULL && !required)
		return 0;
	if (x == NULL)
		return terr_set(e, TERR_SCHEMA, "%s: нет поля «%s»", what, name);
	if (!cJSON_IsNumber(x) || !(x->valuedouble >= 0) ||
	    x->valuedouble > (double)WIRE_SEQ_MAX || floor(x->valuedouble) != x->valuedouble)
		return terr_set(e, TERR_SCHEMA, "%s: поле «%s» должно быть целым числом от 0 до 2^53",
		    what, name);
	*v = (uint64_t)x->valuedouble;
	return 0;
}
