/*
 * wire_enroll — the enrollment request (device → hub, POST
 * WIRE_PATH_ENROLL) and its answer (wire.h). Both are printed by cJSON, as
 * syncd and the hub always printed them.
 */
#include "tetrad/wire.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "tetrad/school.h"
#include "wire_json.h"

/* cJSON's printing, as the enrollment messages were always printed, plus nl. */
static int
wire_enroll_print(struct tbuf *out, cJSON *o, bool nl, const char *what, struct terr *e)
{
	char *text = cJSON_PrintUnformatted(o);
	int r;

	if (text == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	r = tbuf_put(out, text, strlen(text));
	if (r == 0 && nl)
		r = tbuf_put_u8(out, '\n');
	/* the request carries the enrollment token */
	sodium_memzero(text, strlen(text));
	cJSON_free(text);
	return r ? wire_json_write_fail(e, r, what) : 0;
}

static int wire_enroll_schools_each(const char *list,
    int (*fn)(void *, const char *, size_t), void *ctx);
static int wire_enroll_school_add(void *ctx, const char *s, size_t l);
static int wire_enroll_req_schools_ok(const char *list);

int
wire_enroll_req_write(struct tbuf *out, const struct wire_enroll_req *q, struct terr *e)
{
	char pk[2 * KEYS_SIGN_PK_BYTES + 1];
	cJSON *o = NULL, *arr;
	int r;

	if (q->token[0] == '\0' || !wire_json_plain_ok(q->token, WIRE_ENROLL_TOKEN_MAX))
		return terr_set(e, TERR_ARG, "код регистрации пуст, длиннее %d байт или содержит "
		    "недопустимые символы", WIRE_ENROLL_TOKEN_MAX);
	if (!wire_json_plain_ok(q->label, WIRE_ENROLL_LABEL_MAX))
		return terr_set(e, TERR_ARG, "название устройства длиннее %d байт или содержит "
		    "недопустимые символы", WIRE_ENROLL_LABEL_MAX);
	if (q->have_schools && wire_enroll_req_schools_ok(q->schools) != 0)
		return terr_set(e, TERR_ARG, "список школ устройства «%.64s» недопустим: коды из "
		    "латинских букв, цифр, «-» и «_», не больше %d, без повторов", q->schools,
		    WIRE_ENROLL_REQ_NSCHOOLS_MAX);
	keys_hex(q->device_pk, sizeof(q->device_pk), pk);
	if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddStringToObject(o, "token", q->token) ||
	    !cJSON_AddStringToObject(o, "device_pk", pk) ||
	    (q->label[0] && !cJSON_AddStringToObject(o, "label", q->label)) ||
	    (q->have_schools && ((arr = cJSON_AddArrayToObject(o, "schools")) == NULL ||
	    wire_enroll_schools_each(q->schools, wire_enroll_school_add, arr) != 0))) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if (q->have_sig) {
		char sig[2 * WIRE_ENROLL_SIG_BYTES + 1];

		keys_hex(q->sig, sizeof(q->sig), sig);
		if (!cJSON_AddStringToObject(o, "sig", sig)) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
	}
	r = wire_enroll_print(out, o, false, "запрос регистрации", e);
 out:
	cJSON_Delete(o);
	return r;
}

/* Calls fn for each code of a comma list (empty items skipped). */
static int
wire_enroll_schools_each(const char *list, int (*fn)(void *, const char *, size_t), void *ctx)
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
wire_enroll_school_check(void *ctx, const char *s, size_t l)
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
wire_enroll_school_add(void *ctx, const char *s, size_t l)
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

/*
 * Whether the comma list of a request holds 0..WIRE_ENROLL_REQ_NSCHOOLS_MAX
 * valid codes (school.h), none empty or repeated: the hub compares them
 * with a token's schools, so a code must mean one school only.
 */
static int
wire_enroll_req_schools_ok(const char *list)
{
	char code[SCHOOL_CODE_MAX + 2];
	const char *p = list;
	size_t n = 0;

	if (strlen(list) > WIRE_ENROLL_SCHOOLS_MAX)
		return -1;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);

		if (l == 0 || l > SCHOOL_CODE_MAX || ++n > WIRE_ENROLL_REQ_NSCHOOLS_MAX)
			return -1;
		memcpy(code, p, l);
		code[l] = '\0';
		if (!school_code_ok(code))
			return -1;
		/* a repeat is an earlier item equal to this one */
		for (const char *q = list; q < p;) {
			const char *qc = strchr(q, ',');

			if ((size_t)(qc - q) == l && memcmp(q, p, l) == 0)
				return -1;
			q = qc + 1;
		}
		if (c == NULL)
			break;
		p = c + 1;
		if (*p == '\0')
			return -1;
	}
	return 0;
}

/* The request's "schools" member (absent: have_schools false). */
static int
wire_enroll_req_schools(const cJSON *o, struct wire_enroll_req *q, const char *what,
    struct terr *e)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, "schools"), *s;
	size_t used = 0;

	if (x == NULL)
		return 0;
	if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) > WIRE_ENROLL_REQ_NSCHOOLS_MAX)
		return terr_set(e, TERR_SCHEMA, "%s: поле «schools» должно быть списком не больше "
		    "чем из %d кодов школ", what, WIRE_ENROLL_REQ_NSCHOOLS_MAX);
	cJSON_ArrayForEach(s, x) {
		size_t l;

		if (!cJSON_IsString(s) || !school_code_ok(s->valuestring))
			return terr_set(e, TERR_SCHEMA, "%s: в поле «schools» недопустимый код школы: "
			    "только латинские буквы, цифры, «-» и «_», не длиннее %d знаков", what,
			    SCHOOL_CODE_MAX);
		l = strlen(s->valuestring);
		if (used + 1 + l > WIRE_ENROLL_SCHOOLS_MAX)
			return terr_set(e, TERR_TOO_LARGE, "%s: список школ слишком длинный", what);
		if (used)
			q->schools[used++] = ',';
		memcpy(q->schools + used, s->valuestring, l + 1);
		used += l;
	}
	if (wire_enroll_req_schools_ok(q->schools) != 0)
		return terr_set(e, TERR_SCHEMA, "%s: в поле «schools» код школы повторяется", what);
	q->have_schools = true;
	return 0;
}

static bool
wire_enroll_kind_ok(const char *kind)
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

	if (!wire_json_hex_ok(a->device_id, WIRE_DEVICE_ID_HEXLEN) ||
	    strnlen(a->kind, sizeof(a->kind)) >= sizeof(a->kind) || !wire_enroll_kind_ok(a->kind) ||
	    strnlen(a->schools, sizeof(a->schools)) >= sizeof(a->schools) ||
	    wire_enroll_schools_each(a->schools, wire_enroll_school_check, &n) != 0 ||
	    (strcmp(a->kind, "school") == 0 && n != 1) ||
	    (a->hub_key_id[0] && !wire_json_hex_ok(a->hub_key_id, WIRE_DEVICE_ID_HEXLEN)) ||
	    !wire_json_text_ok(a->name, WIRE_ENROLL_NAME_MAX))
		return terr_set(e, TERR_ARG, "ответ на регистрацию не записан: недопустимое значение поля");
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddStringToObject(o, "device_id", a->device_id) ||
	    !cJSON_AddStringToObject(o, "kind", a->kind) ||
	    (arr = cJSON_AddArrayToObject(o, "schools")) == NULL ||
	    wire_enroll_schools_each(a->schools, wire_enroll_school_add, arr) != 0)
		goto nomem;
	keys_hex(a->hub_enc_pk, sizeof(a->hub_enc_pk), hex);
	if (!cJSON_AddStringToObject(o, "hub_enc_pk", hex))
		goto nomem;
	keys_hex(a->hub_sign_pk, sizeof(a->hub_sign_pk), hex);
	if (!cJSON_AddStringToObject(o, "hub_sign_pk", hex) ||
	    (a->hub_key_id[0] && !cJSON_AddStringToObject(o, "hub_key_id", a->hub_key_id)) ||
	    !cJSON_AddStringToObject(o, "name", a->name))
		goto nomem;
	r = wire_enroll_print(out, o, true, "ответ на регистрацию", e);
	goto out;
 nomem:
	r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
 out:
	cJSON_Delete(o);
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
	if ((r = wire_json_open(buf, len, WIRE_ENROLL_REQ_MAX, what, &o, e)) != 0)
		goto out;
	cJSON_ArrayForEach(it, o) {
		if (strcmp(it->string, "token") != 0 && strcmp(it->string, "device_pk") != 0 &&
		    strcmp(it->string, "label") != 0 && strcmp(it->string, "schools") != 0 &&
		    strcmp(it->string, "sig") != 0) {
			r = terr_set(e, TERR_SCHEMA, "лишнее поле «%.64s» в запросе регистрации",
			    wire_json_plain_ok(it->string, 64) ? it->string : "?");
			goto out;
		}
	}
	if ((r = wire_json_get_str(o, "token", true, true, q->token, sizeof(q->token), what, e)) != 0 ||
	    (r = wire_json_get_hex(o, "device_pk", q->device_pk, sizeof(q->device_pk), what, e)) != 0 ||
	    (r = wire_json_get_str(o, "label", false, true, q->label, sizeof(q->label), what, e)) < 0 ||
	    (r = wire_enroll_req_schools(o, q, what, e)) != 0)
		goto out;
	if (cJSON_GetObjectItemCaseSensitive(o, "sig") != NULL) {
		if ((r = wire_json_get_hex(o, "sig", q->sig, sizeof(q->sig), what, e)) != 0)
			goto out;
		q->have_sig = true;
	}
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
	if ((r = wire_json_open(buf, len, WIRE_ENROLL_ANS_MAX, what, &o, e)) != 0)
		goto out;
	if ((r = wire_json_get_str(o, "device_id", true, true, a->device_id, sizeof(a->device_id),
	    what, e)) != 0)
		goto out;
	if (!wire_json_hex_ok(a->device_id, WIRE_DEVICE_ID_HEXLEN)) {
		r = terr_set(e, TERR_SCHEMA, "%s: неверный идентификатор устройства", what);
		goto out;
	}
	if ((r = wire_json_get_str(o, "kind", true, true, a->kind, sizeof(a->kind), what, e)) < 0 ||
	    !wire_enroll_kind_ok(a->kind)) {
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
		    wire_enroll_school_check(&a->nschools, s->valuestring, l) != 0) {
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
	if ((r = wire_json_get_hex(o, "hub_enc_pk", a->hub_enc_pk, sizeof(a->hub_enc_pk), what, e)) != 0 ||
	    (r = wire_json_get_hex(o, "hub_sign_pk", a->hub_sign_pk, sizeof(a->hub_sign_pk), what,
	    e)) != 0 ||
	    (r = wire_json_get_str(o, "hub_key_id", false, true, a->hub_key_id, sizeof(a->hub_key_id),
	    what, e)) < 0 ||
	    (r = wire_json_get_str(o, "name", false, false, a->name, sizeof(a->name), what, e)) < 0)
		goto out;
	if (a->hub_key_id[0] && !wire_json_hex_ok(a->hub_key_id, WIRE_DEVICE_ID_HEXLEN)) {
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

/* The bytes a request's signature covers (wire.h); their length. */
static size_t
wire_enroll_req_signed(const struct wire_enroll_req *q,
    uint8_t out[sizeof("tetrad-enroll-v1") + WIRE_ENROLL_TOKEN_MAX + 1 + KEYS_SIGN_PK_BYTES +
    WIRE_ENROLL_SCHOOLS_MAX])
{
	static const char dom[] = "tetrad-enroll-v1";
	size_t n = 0, l;

	memcpy(out, dom, sizeof(dom));          /* with its NUL */
	n += sizeof(dom);
	l = strnlen(q->token, WIRE_ENROLL_TOKEN_MAX);
	memcpy(out + n, q->token, l);
	n += l;
	out[n++] = '\0';
	memcpy(out + n, q->device_pk, KEYS_SIGN_PK_BYTES);
	n += KEYS_SIGN_PK_BYTES;
	l = strnlen(q->schools, WIRE_ENROLL_SCHOOLS_MAX);
	memcpy(out + n, q->schools, l);
	return n + l;
}

void
wire_enroll_req_sign(struct wire_enroll_req *q, const uint8_t sk[KEYS_SIGN_SK_BYTES])
{
	uint8_t m[sizeof("tetrad-enroll-v1") + WIRE_ENROLL_TOKEN_MAX + 1 + KEYS_SIGN_PK_BYTES +
	    WIRE_ENROLL_SCHOOLS_MAX];
	size_t n = wire_enroll_req_signed(q, m);

	crypto_sign_detached(q->sig, NULL, m, n, sk);
	q->have_sig = true;
	sodium_memzero(m, n);    /* it holds the token */
}

bool
wire_enroll_req_sig_ok(const struct wire_enroll_req *q)
{
	uint8_t m[sizeof("tetrad-enroll-v1") + WIRE_ENROLL_TOKEN_MAX + 1 + KEYS_SIGN_PK_BYTES +
	    WIRE_ENROLL_SCHOOLS_MAX];
	size_t n;
	bool ok;

	if (!q->have_sig)
		return false;
	n = wire_enroll_req_signed(q, m);
	ok = crypto_sign_verify_detached(q->sig, m, n, q->device_pk) == 0;
	sodium_memzero(m, n);
	return ok;
}
