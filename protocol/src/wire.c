/*
 * wire — the JSON messages between syncd and the hub (wire.h).
 *
 * Parsing goes through cJSON after checks cJSON does not make: the bytes
 * are UTF-8 without NUL, no string holds the escape \u0000 (cJSON would
 * cut the string there and we could not tell), nothing follows the object,
 * no member repeats. The acknowledgement and the error body are written by
 * hand, byte for byte as the hub always wrote them (acknowledgements are
 * signed and stored); the enrollment messages go through cJSON's printer,
 * as they always did.
 */
#include "tetrad/wire.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

static const char *const wire_ack_statuses[] = {
	[WIRE_ACK_APPLIED] = "applied", [WIRE_ACK_REFUSED] = "refused",
	[WIRE_ACK_GAP] = "gap", [WIRE_ACK_FORK] = "fork", [WIRE_ACK_REVOKED] = "revoked",
	[WIRE_ACK_UNKNOWN_DEVICE] = "unknown_device", [WIRE_ACK_FUTURE_HLC] = "future_hlc",
	[WIRE_ACK_BUSY] = "busy",
};
#define WIRE_N_STATUSES (sizeof(wire_ack_statuses) / sizeof(wire_ack_statuses[0]))

const char *
wire_ack_status_name(enum wire_ack_status st)
{
	if ((size_t)st >= WIRE_N_STATUSES || st < WIRE_ACK_APPLIED)
		return NULL;
	return wire_ack_statuses[st];
}

enum wire_ack_status
wire_ack_status_of(const char *name)
{
	for (size_t i = WIRE_ACK_APPLIED; name != NULL && i < WIRE_N_STATUSES; i++)
		if (strcmp(name, wire_ack_statuses[i]) == 0)
			return (enum wire_ack_status)i;
	return 0;
}

/* Length of the UTF-8 character at s (n bytes left), 0 if it is not one. */
static size_t
wire_utf8_char(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t l = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
	    (c & 0xf8) == 0xf0 ? 4 : 0;

	if (l == 0 || l > n || changeset_check_utf8(s, l) != 0)
		return 0;
	return l;
}

void
wire_text_copy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0, i = 0, o = 0;

	if (cap == 0)
		return;
	while (i < n) {
		size_t l = wire_utf8_char(src + i, n - i);

		if (o + (l ? l : 1) >= cap)
			break;
		if (l == 0) {
			dst[o++] = '?';
			i++;
		} else {
			memcpy(dst + o, src + i, l);
			o += l;
			i += l;
		}
	}
	dst[o] = '\0';
}

/* ---- writing ---- */

/* A JSON string the way the hub always wrote it: " and \ escaped, every
 * control character as \u00XX, everything else as it is. */
static int
wire_put_str(struct tbuf *out, const char *s)
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

static int
wire_write_fail(struct terr *e, int r, const char *what)
{
	if (r == TERR_NOMEM)
		return terr_set(e, r, "недостаточно памяти");
	return terr_set(e, r, "%s не помещается в буфер ответа", what);
}

/* Whether s (of at most max bytes) is UTF-8 fit to write. */
static bool
wire_text_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n <= max && changeset_check_utf8(s, n) == 0;
}

static bool
wire_hex_ok(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A text member with no control characters (names, tokens, codes). */
static bool
wire_plain_ok(const char *s, size_t max)
{
	if (!wire_text_ok(s, max))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int
wire_ack_write(struct tbuf *out, const struct wire_ack *a, struct terr *e)
{
	const char *st = wire_ack_status_name(a->status);
	char hex[2 * CHANGESET_HASH_BYTES + 1];
	int r;

	if (st == NULL || !wire_hex_ok(a->device_id, WIRE_DEVICE_ID_HEXLEN) ||
	    a->first > WIRE_SEQ_MAX || a->last > WIRE_SEQ_MAX || a->expected_seq > WIRE_SEQ_MAX ||
	    a->applied > WIRE_SEQ_MAX || a->conflicts > WIRE_SEQ_MAX ||
	    !wire_text_ok(a->reason, WIRE_ACK_REASON_MAX))
		return terr_set(e, TERR_ARG, "подтверждение не записано: недопустимое значение поля");
	if ((r = tbuf_putf(out, "{\"device_id\":\"%s\",\"first\":%" PRIu64 ",\"last\":%" PRIu64
	    ",\"status\":\"%s\",\"set_hash\":", a->device_id, a->first, a->last, st)) != 0)
		goto out;
	if (a->have_hash) {
		keys_hex(a->set_hash, sizeof(a->set_hash), hex);
		r = tbuf_putf(out, "\"%s\"", hex);
	} else
		r = tbuf_putf(out, "null");
	if (r != 0 || (r = tbuf_putf(out, ",\"expected_seq\":%" PRIu64 ",\"applied\":%" PRIu64
	    ",\"conflicts\":%" PRIu64 ",", a->expected_seq, a->applied, a->conflicts)) != 0)
		goto out;
	if (a->have_enc_pk) {
		keys_hex(a->hub_enc_pk, sizeof(a->hub_enc_pk), hex);
		if ((r = tbuf_putf(out, "\"hub_enc_pk\":\"%s\",", hex)) != 0)
			goto out;
	}
	if ((r = tbuf_putf(out, "\"reason\":")) != 0 || (r = wire_put_str(out, a->reason)) != 0)
		goto out;
	r = tbuf_put_u8(out, '}');
 out:
	return r ? wire_write_fail(e, r, "подтверждение") : 0;
}

void
wire_error_set(struct wire_error *w, const char *code, const char *message)
{
	memset(w, 0, sizeof(*w));
	wire_text_copy(w->error, sizeof(w->error), code);
	wire_text_copy(w->message, sizeof(w->message), message);
}

static bool
wire_code_ok(const char *s)
{
	size_t n = strnlen(s, WIRE_ERROR_CODE_MAX + 1);

	if (n == 0 || n > WIRE_ERROR_CODE_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

int
wire_error_write(struct tbuf *out, const struct wire_error *w, struct terr *e)
{
	int r;

	if (!wire_code_ok(w->error) || !wire_text_ok(w->message, WIRE_ERROR_MESSAGE_MAX))
		return terr_set(e, TERR_ARG, "ответ об ошибке не записан: недопустимый код или текст");
	if ((r = tbuf_putf(out, "{\"error\":")) != 0 || (r = wire_put_str(out, w->error)) != 0 ||
	    (r = tbuf_putf(out, ",\"message\":")) != 0 || (r = wire_put_str(out, w->message)) != 0 ||
	    (r = tbuf_put(out, "}\n", 2)) != 0)
		return wire_write_fail(e, r, "ответ об ошибке");
	return 0;
}

/* cJSON's printing, as the enrollment messages were always printed, plus nl. */
static int
wire_print(struct tbuf *out, cJSON *o, bool nl, const char *what, struct terr *e)
{
	char *text = cJSON_PrintUnformatted(o);
	int r;

	if (text == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	r = tbuf_put(out, text, strlen(text));
	if (r == 0 && nl)
		r = tbuf_put_u8(out, '\n');
	/* the request carries the enrollment token */
	memset(text, 0, strlen(text));
	cJSON_free(text);
	return r ? wire_write_fail(e, r, what) : 0;
}

int
wire_enroll_req_write(struct tbuf *out, const struct wire_enroll_req *q, struct terr *e)
{
	char pk[2 * KEYS_SIGN_PK_BYTES + 1];
	cJSON *o = NULL;
	int r;

	if (q->token[0] == '\0' || !wire_plain_ok(q->token, WIRE_ENROLL_TOKEN_MAX))
		return terr_set(e, TERR_ARG, "код регистрации пуст, длиннее %d байт или содержит "
		    "недопустимые символы", WIRE_ENROLL_TOKEN_MAX);
	if (!wire_plain_ok(q->label, WIRE_ENROLL_LABEL_MAX))
		return terr_set(e, TERR_ARG, "название устройства длиннее %d байт или содержит "
		    "недопустимые символы", WIRE_ENROLL_LABEL_MAX);
	keys_hex(q->device_pk, sizeof(q->device_pk), pk);
	if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddStringToObject(o, "token", q->token) ||
	    !cJSON_AddStringToObject(o, "device_pk", pk) ||
	    (q->label[0] && !cJSON_AddStringToObject(o, "label", q->label))) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	r = wire_print(out, o, false, "запрос регистрации", e);
 out:
	cJSON_Delete(o);
	return r;
}

/* Calls fn for each code of a comma list (empty items skipped). */
static int
wire_schools_each(const char *list, int (*fn)(void *, const char *, size_t), void *ctx)
{
	const char *p = list;
	int r;

	while (*p) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);

		if (l > 0 && (r = fn(ctx, p, l)) != 0)
			return r;
		if (c == NULL)
			break;
		p = c + 1;
	}
	return 0;
}

static int
wire_school_check(void *ctx, const char *s, size_t l)
{
	size_t *n = ctx;

	(*n)++;
	if (l > CHANGESET_SCHOOL_MAX || *n > WIRE_ENROLL_NSCHOOLS_MAX)
		return -1;
	for (size_t i = 0; i < l; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	return changeset_check_utf8(s, l) == 0 ? 0 : -1;
}

static int
wire_school_add(void *ctx, const char *s, size_t l)
{
	char code[CHANGESET_SCHOOL_MAX + 1];
	cJSON *item;

	memcpy(code, s, l);
	code[l] = '\0';
	if ((item = cJSON_CreateString(code)) == NULL)
		return -1;
	if (!cJSON_AddItemToArray(ctx, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

static bool
wire_kind_ok(const char *kind)
{
	return strcmp(kind, "school") == 0 || strcmp(kind, "curator") == 0;
}

int
wire_enroll_ans_write(struct tbuf *out, const struct wire_enroll_ans *a, struct terr *e)
{
	char hex[2 * KEYS_ENC_PK_BYTES + 1];
	cJSON *o = NULL, *arr;
	size_t n = 0;
	int r;

	if (!wire_hex_ok(a->device_id, WIRE_DEVICE_ID_HEXLEN) ||
	    strnlen(a->kind, sizeof(a->kind)) >= sizeof(a->kind) || !wire_kind_ok(a->kind) ||
	    strnlen(a->schools, sizeof(a->schools)) >= sizeof(a->schools) ||
	    wire_schools_each(a->schools, wire_school_check, &n) != 0 ||
	    (strcmp(a->kind, "school") == 0 && n != 1) ||
	    (a->hub_key_id[0] && !wire_hex_ok(a->hub_key_id, WIRE_DEVICE_ID_HEXLEN)) ||
	    !wire_text_ok(a->name, WIRE_ENROLL_NAME_MAX))
		return terr_set(e, TERR_ARG, "ответ на регистрацию не записан: недопустимое значение поля");
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddStringToObject(o, "device_id", a->device_id) ||
	    !cJSON_AddStringToObject(o, "kind", a->kind) ||
	    (arr = cJSON_AddArrayToObject(o, "schools")) == NULL ||
	    wire_schools_each(a->schools, wire_school_add, arr) != 0)
		goto nomem;
	keys_hex(a->hub_enc_pk, sizeof(a->hub_enc_pk), hex);
	if (!cJSON_AddStringToObject(o, "hub_enc_pk", hex))
		goto nomem;
	keys_hex(a->hub_sign_pk, sizeof(a->hub_sign_pk), hex);
	if (!cJSON_AddStringToObject(o, "hub_sign_pk", hex) ||
	    (a->hub_key_id[0] && !cJSON_AddStringToObject(o, "hub_key_id", a->hub_key_id)) ||
	    !cJSON_AddStringToObject(o, "name", a->name))
		goto nomem;
	r = wire_print(out, o, true, "ответ на регистрацию", e);
	goto out;
 nomem:
	r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
 out:
	cJSON_Delete(o);
	return r;
}

/* ---- parsing ---- */

/* Whether a JSON string in s[0..n) holds the escape \u0000. */
static bool
wire_has_nul_escape(const char *s, size_t n)
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

/*
 * The object in buf: checked as the file comment says, *out the cJSON tree
 * (the caller deletes it). what names the message in Russian messages.
 */
static int
wire_open(const void *buf, size_t len, size_t max, const char *what, cJSON **out,
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
	if (wire_has_nul_escape(s, len))
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
				    wire_plain_ok(it->string, 64) ? it->string : "?");
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

/*
 * A string member into out (cap bytes with the NUL). 0 when it is there,
 * 1 when it is absent and not required, < 0 when refused. plain: no
 * control characters.
 */
static int
wire_get_str(const cJSON *o, const char *name, bool required, bool plain, char *out,
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
	if (plain && !wire_plain_ok(x->valuestring, cap - 1))
		return terr_set(e, TERR_SCHEMA, "%s: поле «%s» содержит управляющие символы", what,
		    name);
	memcpy(out, x->valuestring, n + 1);
	return 0;
}

/* n bytes given as 2n lowercase or uppercase hex digits. */
static int
wire_get_hex(const cJSON *o, const char *name, uint8_t *out, size_t n, const char *what,
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

/* An integer 0..2^53; absent and not required: 0. */
static int
wire_get_u64(const cJSON *o, const char *name, bool required, uint64_t *v, const char *what,
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

int
wire_ack_parse(const void *buf, size_t len, struct wire_ack *a, struct terr *e)
{
	static const char what[] = "подтверждение хаба";
	char st[32];
	const cJSON *x;
	cJSON *o = NULL;
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = wire_open(buf, len, WIRE_ACK_MAX, what, &o, e)) != 0)
		goto out;
	if ((r = wire_get_str(o, "device_id", true, true, a->device_id, sizeof(a->device_id),
	    what, e)) != 0)
		goto out;
	if (!wire_hex_ok(a->device_id, WIRE_DEVICE_ID_HEXLEN)) {
		r = terr_set(e, TERR_SCHEMA, "%s: device_id должен состоять из %d строчных "
		    "шестнадцатеричных цифр", what, WIRE_DEVICE_ID_HEXLEN);
		goto out;
	}
	if ((r = wire_get_str(o, "status", true, true, st, sizeof(st), what, e)) == TERR_TOO_LARGE ||
	    (r == 0 && (a->status = wire_ack_status_of(st)) == 0)) {
		r = terr_set(e, TERR_SCHEMA, "%s: неизвестное состояние «%.40s»", what, st);
		goto out;
	}
	if (r != 0 ||
	    (r = wire_get_u64(o, "first", true, &a->first, what, e)) != 0 ||
	    (r = wire_get_u64(o, "last", true, &a->last, what, e)) != 0 ||
	    (r = wire_get_u64(o, "expected_seq", false, &a->expected_seq, what, e)) != 0 ||
	    (r = wire_get_u64(o, "applied", false, &a->applied, what, e)) != 0 ||
	    (r = wire_get_u64(o, "conflicts", false, &a->conflicts, what, e)) != 0)
		goto out;
	x = cJSON_GetObjectItemCaseSensitive(o, "set_hash");
	if (x != NULL && !cJSON_IsNull(x)) {
		if ((r = wire_get_hex(o, "set_hash", a->set_hash, sizeof(a->set_hash), what, e)) != 0)
			goto out;
		a->have_hash = true;
	}
	if (cJSON_GetObjectItemCaseSensitive(o, "hub_enc_pk") != NULL) {
		if ((r = wire_get_hex(o, "hub_enc_pk", a->hub_enc_pk, sizeof(a->hub_enc_pk), what,
		    e)) != 0)
			goto out;
		a->have_enc_pk = true;
	}
	if ((r = wire_get_str(o, "reason", false, false, a->reason, sizeof(a->reason), what,
	    e)) < 0)
		goto out;
	r = 0;
 out:
	cJSON_Delete(o);
	if (r != 0)
		memset(a, 0, sizeof(*a));
	return r;
}

int
wire_enroll_req_parse(const void *buf, size_t len, struct wire_enroll_req *q,
    struct terr *e)
{
	static const char what[] = "запрос регистрации";
	const cJSON *it;
	cJSON *o = NULL;
	int r;

	memset(q, 0, sizeof(*q));
	if ((r = wire_open(buf, len, WIRE_ENROLL_REQ_MAX, what, &o, e)) != 0)
		goto out;
	cJSON_ArrayForEach(it, o) {
		if (strcmp(it->string, "token") != 0 && strcmp(it->string, "device_pk") != 0 &&
		    strcmp(it->string, "label") != 0) {
			r = terr_set(e, TERR_SCHEMA, "лишнее поле «%.64s» в запросе регистрации",
			    wire_plain_ok(it->string, 64) ? it->string : "?");
			goto out;
		}
	}
	if ((r = wire_get_str(o, "token", true, true, q->token, sizeof(q->token), what, e)) != 0 ||
	    (r = wire_get_hex(o, "device_pk", q->device_pk, sizeof(q->device_pk), what, e)) != 0 ||
	    (r = wire_get_str(o, "label", false, true, q->label, sizeof(q->label), what, e)) < 0)
		goto out;
	if (q->token[0] == '\0') {
		r = terr_set(e, TERR_SCHEMA, "%s: код регистрации (token) пуст", what);
		goto out;
	}
	r = 0;
 out:
	cJSON_Delete(o);
	if (r != 0)
		memset(q, 0, sizeof(*q));
	return r;
}

int
wire_enroll_ans_parse(const void *buf, size_t len, struct wire_enroll_ans *a,
    struct terr *e)
{
	static const char what[] = "ответ хаба на регистрацию";
	const cJSON *x, *s;
	cJSON *o = NULL;
	size_t used = 0;
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = wire_open(buf, len, WIRE_ENROLL_ANS_MAX, what, &o, e)) != 0)
		goto out;
	if ((r = wire_get_str(o, "device_id", true, true, a->device_id, sizeof(a->device_id),
	    what, e)) != 0)
		goto out;
	if (!wire_hex_ok(a->device_id, WIRE_DEVICE_ID_HEXLEN)) {
		r = terr_set(e, TERR_SCHEMA, "%s: неверный идентификатор устройства", what);
		goto out;
	}
	if ((r = wire_get_str(o, "kind", true, true, a->kind, sizeof(a->kind), what, e)) < 0 ||
	    !wire_kind_ok(a->kind)) {
		r = terr_set(e, TERR_SCHEMA, "%s: неизвестный вид устройства", what);
		goto out;
	}
	x = cJSON_GetObjectItemCaseSensitive(o, "schools");
	if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) > WIRE_ENROLL_NSCHOOLS_MAX ||
	    (strcmp(a->kind, "school") == 0 && cJSON_GetArraySize(x) != 1)) {
		r = terr_set(e, TERR_SCHEMA, "%s: неверный список школ", what);
		goto out;
	}
	cJSON_ArrayForEach(s, x) {
		size_t l = cJSON_IsString(s) ? strlen(s->valuestring) : 0;

		if (l == 0 || strchr(s->valuestring, ',') != NULL ||
		    wire_school_check(&a->nschools, s->valuestring, l) != 0) {
			r = terr_set(e, TERR_SCHEMA, "%s: неверный код школы", what);
			goto out;
		}
		if (used + (used ? 1 : 0) + l > WIRE_ENROLL_SCHOOLS_MAX) {
			r = terr_set(e, TERR_TOO_LARGE, "%s: список школ длиннее %d байт", what,
			    WIRE_ENROLL_SCHOOLS_MAX);
			goto out;
		}
		if (used)
			a->schools[used++] = ',';
		memcpy(a->schools + used, s->valuestring, l);
		used += l;
	}
	if ((r = wire_get_hex(o, "hub_enc_pk", a->hub_enc_pk, sizeof(a->hub_enc_pk), what, e)) != 0 ||
	    (r = wire_get_hex(o, "hub_sign_pk", a->hub_sign_pk, sizeof(a->hub_sign_pk), what,
	    e)) != 0 ||
	    (r = wire_get_str(o, "hub_key_id", false, true, a->hub_key_id, sizeof(a->hub_key_id),
	    what, e)) < 0 ||
	    (r = wire_get_str(o, "name", false, false, a->name, sizeof(a->name), what, e)) < 0)
		goto out;
	if (a->hub_key_id[0] && !wire_hex_ok(a->hub_key_id, WIRE_DEVICE_ID_HEXLEN)) {
		r = terr_set(e, TERR_SCHEMA, "%s: неверный hub_key_id", what);
		goto out;
	}
	r = 0;
 out:
	cJSON_Delete(o);
	if (r != 0)
		memset(a, 0, sizeof(*a));
	return r;
}

int
wire_error_parse(const void *buf, size_t len, struct wire_error *w, struct terr *e)
{
	static const char what[] = "ответ хаба об ошибке";
	cJSON *o = NULL;
	int r;

	memset(w, 0, sizeof(*w));
	if ((r = wire_open(buf, len, WIRE_ERROR_MAX, what, &o, e)) != 0 ||
	    (r = wire_get_str(o, "error", true, true, w->error, sizeof(w->error), what, e)) != 0 ||
	    (r = wire_get_str(o, "message", false, false, w->message, sizeof(w->message), what,
	    e)) < 0)
		goto out;
	if (!wire_code_ok(w->error)) {
		r = terr_set(e, TERR_SCHEMA, "%s: недопустимый код ошибки", what);
		goto out;
	}
	r = 0;
 out:
	cJSON_Delete(o);
	if (r != 0)
		memset(w, 0, sizeof(*w));
	return r;
}
