/*
 * tokens — enrollment tokens and device enrollment (tokens.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "hub/ingest.h"
#include "tetrad/school.h"
#include "hub/tokens.h"
#include "tetrad/wire.h"

static const char tokens_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Uppercase, no separators, O→0 and I/L→1 (people misread them). */
static int
tokens_normalise(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (; *in; in++) {
		int c = toupper((unsigned char)*in);

		if (c == '-' || c == ' ')
			continue;
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (strchr(tokens_alphabet, c) == NULL || c == '\0' || n + 1 >= cap)
			return TERR_PARSE;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n == 20 ? 0 : TERR_PARSE;
}

static void
tokens_hash(const char *norm, uint8_t out[32])
{
	crypto_generichash(out, 32, (const uint8_t *)norm, strlen(norm), NULL, 0);
}

int
tokens_parse_ttl(const char *s, int64_t *out, struct terr *e)
{
	char *end = NULL;
	long long v;
	int64_t mult;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		goto bad;
	v = strtoll(s, &end, 10);
	if (end == NULL || end[0] == '\0' || end[1] != '\0' || v < 0 || v > 3650LL * 86400)
		goto bad;
	switch (end[0]) {
	case 'd': mult = 86400; break;
	case 'h': mult = 3600; break;
	case 'm': mult = 60; break;
	case 's': mult = 1; break;
	default: goto bad;
	}
	if (v * mult > 3650LL * 86400)
		goto bad;
	*out = v * mult;
	return 0;
 bad:
	return terr_set(e, TERR_ARG, "срок действия «%s» не понят: укажите число и единицу, "
	    "например 7d (дни), 12h (часы), 30m (минуты)", s ? s : "");
}

int
tokens_create(struct hubdb *db, const char *kind, const char *name,
    const char *schools, int64_t ttl_s, char out[TOKENS_TEXT_MAX + 1],
    struct terr *e)
{
	struct hubdb_token t;
	uint8_t rnd[20];
	char norm[21];
	size_t k = 0;
	int r;

	memset(&t, 0, sizeof(t));
	randombytes_buf(rnd, sizeof(rnd));
	for (size_t i = 0; i < 20; i++)
		norm[i] = tokens_alphabet[rnd[i] & 31];
	norm[20] = '\0';
	for (size_t i = 0; i < 20; i++) {
		if (i > 0 && i % 4 == 0)
			out[k++] = '-';
		out[k++] = norm[i];
	}
	out[k] = '\0';
	tokens_hash(norm, t.hash);
	snprintf(t.kind, sizeof(t.kind), "%s", kind);
	snprintf(t.name, sizeof(t.name), "%s", name ? name : "");
	snprintf(t.schools, sizeof(t.schools), "%s", schools);
	t.expires_at = (int64_t)time(NULL) + ttl_s;
	if ((r = hubdb_begin(db, e)) != 0)
		goto out;
	if ((r = hubdb_token_add(db, &t, e)) != 0)
		goto fail;
	{
		/* every school named becomes known to the reports */
		char buf[HUBDB_SCHOOLS_MAX + 1], *save = NULL, *p;

		snprintf(buf, sizeof(buf), "%s", schools);
		for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
			if ((r = hubdb_school_put(db, p, strcmp(kind, "school") == 0 ?
			    name : NULL, e)) != 0)
				goto fail;
	}
	r = hubdb_commit(db, e);
	goto out;
 fail:
	hubdb_rollback(db);
 out:
	sodium_memzero(rnd, sizeof(rnd));
	sodium_memzero(norm, sizeof(norm));
	return r;
}

/* The store's columns hold what the wire carries. */
_Static_assert(HUBDB_LABEL_MAX == WIRE_ENROLL_LABEL_MAX, "label bound");
_Static_assert(HUBDB_LABEL_MAX == WIRE_ENROLL_NAME_MAX, "name bound");
_Static_assert(HUBDB_SCHOOLS_MAX == WIRE_ENROLL_SCHOOLS_MAX, "schools bound");

int
tokens_parse_enroll(const char *body, size_t len, struct tokens_enroll_req *req,
    struct terr *e)
{
	struct wire_enroll_req q;
	int r;

	memset(req, 0, sizeof(*req));
	if ((r = wire_enroll_req_parse(body, len, &q, e)) != 0)
		return r;
	memcpy(req->token, q.token, sizeof(req->token));
	memcpy(req->device_pk, q.device_pk, sizeof(req->device_pk));
	memcpy(req->label, q.label, sizeof(req->label));
	req->have_schools = q.have_schools;
	memcpy(req->schools, q.schools, sizeof(req->schools));
	req->have_sig = q.have_sig;
	memcpy(req->sig, q.sig, sizeof(req->sig));
	sodium_memzero(&q, sizeof(q));
	return 0;
}

const char *
tokens_key_unusable(const uint8_t pk[KEYS_SIGN_PK_BYTES], const struct keys_enc *enc,
    const struct keys_sign *sign)
{
	_Static_assert(KEYS_ENC_PK_BYTES == KEYS_SIGN_PK_BYTES, "key sizes");
	if (sign != NULL && sodium_memcmp(pk, sign->pk, KEYS_SIGN_PK_BYTES) == 0)
		return "это открытый ключ подписи самого хаба";
	if (enc != NULL && sodium_memcmp(pk, enc->pk, KEYS_ENC_PK_BYTES) == 0)
		return "это открытый ключ шифрования самого хаба";
	/* canonical, not of small order (all-zero, the identity), in the main
	 * subgroup: the only keys whose signatures mean one signer */
	if (crypto_core_ed25519_is_valid_point(pk) != 1)
		return "это не допустимый открытый ключ Ed25519 (нулевой, нейтральная точка, "
		    "точка малого порядка или неканоническая запись): им нельзя подписать";
	return NULL;
}

bool
tokens_schools_fit(const char *device, const char *token)
{
	char code[SCHOOL_CODE_MAX + 1];
	const char *cur = device;

	while (school_list_next(&cur, code))
		if (!school_list_has(token, code))
			return false;
	return true;
}

/* Whether the request's signature is the device key's (wire.h). */
static bool
tokens_sig_ok(const struct tokens_enroll_req *req)
{
	struct wire_enroll_req q;
	bool ok;

	memset(&q, 0, sizeof(q));
	memcpy(q.token, req->token, sizeof(q.token));
	memcpy(q.device_pk, req->device_pk, sizeof(q.device_pk));
	memcpy(q.schools, req->schools, sizeof(q.schools));
	q.have_sig = req->have_sig;
	memcpy(q.sig, req->sig, sizeof(q.sig));
	ok = wire_enroll_req_sig_ok(&q);
	sodium_memzero(&q, sizeof(q));
	return ok;
}

/* The enrollment answer (wire.h) of device d. */
static int
tokens_answer(const struct hubdb_device *d, const char *name,
    const struct keys_enc *enc, const struct keys_sign *sign, struct tbuf *out,
    struct terr *e)
{
	struct wire_enroll_ans a;

	memset(&a, 0, sizeof(a));
	if (strlen(d->kind) >= sizeof(a.kind))
		return terr_set(e, TERR_INTERNAL, "неизвестный вид устройства «%s»", d->kind);
	memcpy(a.kind, d->kind, strlen(d->kind) + 1);
	snprintf(a.device_id, sizeof(a.device_id), "%s", d->id);
	snprintf(a.schools, sizeof(a.schools), "%s", d->schools);
	memcpy(a.hub_enc_pk, enc->pk, sizeof(a.hub_enc_pk));
	memcpy(a.hub_sign_pk, sign->pk, sizeof(a.hub_sign_pk));
	keys_id_hex(enc->pk, a.hub_key_id);
	snprintf(a.name, sizeof(a.name), "%s", name);
	tbuf_reset(out);
	return wire_enroll_ans_write(out, &a, e);
}

/* An error answer whose message is built with a format. */
static int
tokens_refuse(struct tbuf *out, int *http, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
tokens_refuse(struct tbuf *out, int *http, int status, const char *code, const char *fmt, ...)
{
	char msg[WIRE_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	terr_utf8_trim(msg);
	*http = status;
	tbuf_reset(out);
	return ingest_json_error(out, code, msg);
}

/* Why device schools (the request's) do not fit token t: the message. */
static int
tokens_refuse_school(const struct hubdb_token *t, const char *device, struct tbuf *out,
    int *http)
{
	if (strcmp(t->kind, "school") == 0)
		return tokens_refuse(out, http, 409, "school_mismatch", "код регистрации выдан для "
		    "школы %s, а это устройство подготовлено для школы %s. Код не израсходован: "
		    "введите его на компьютере школы %s, а для этого устройства попросите у "
		    "координатора код школы %s", t->schools, device, t->schools, device);
	return tokens_refuse(out, http, 409, "school_mismatch", "код куратора даёт доступ к "
	    "школам %s, а это устройство подготовлено для школы %s, которой среди них нет. Код "
	    "не израсходован: попросите координатора код куратора, в котором есть школа %s, "
	    "или код этой школы", t->schools, device, device);
}

/*
 * The checks that need no write, on a read snapshot: the token is known,
 * unused, unexpired; the key can sign and is not the hub's; the device's
 * schools are the token's; the key is not registered yet. *done says the
 * answer is in out (a refusal, or the answer to a device already enrolled
 * that asks again), *t the token when the caller is to register.
 */

/* A key the hub revoked: no registration with it, and the person is told why. */
static int
tokens_refuse_revoked(const struct hubdb_device *d, struct tbuf *out, int *http)
{
	return tokens_refuse(out, http, 403, "device_revoked", "это устройство (%s) отозвано на "
	    "хабе %s: с прежним ключом его зарегистрировать нельзя. Код не израсходован. Если на "
	    "устройстве ещё ничего не записано, tetrad-syncd сам создаст новый ключ и повторит "
	    "регистрацию; иначе обратитесь к координатору", d->id, d->revoked_at);
}

static int
tokens_enroll_check(struct hubdb *db, const struct keys_enc *enc,
    const struct keys_sign *sign, const struct tokens_enroll_req *req, const uint8_t hash[32],
    const char *id, struct hubdb_token *t, bool *done, bool *rebind, int *http,
    struct tbuf *out, struct terr *e)
{
	struct hubdb_device d;
	const char *why;
	bool found;
	int r;

	*done = true;
	*rebind = false;
	if ((r = hubdb_token_get(db, hash, t, &found, e)) != 0)
		return r;
	if (!found)
		return tokens_refuse(out, http, 403, "token_unknown", "такого кода регистрации нет: "
		    "проверьте, что он введён без ошибок, или попросите новый у координатора");
	if (t->used && strcmp(t->used_by, id) != 0)
		return tokens_refuse(out, http, 410, "token_used", "этот код регистрации уже "
		    "использован другим устройством; попросите новый код у координатора");
	if (t->used) {
		/* the same device asking again: its earlier answer was lost */
		if ((r = hubdb_device_get(db, id, &d, &found, e)) != 0)
			return r;
		if (found && d.revoked)
			return tokens_refuse_revoked(&d, out, http);
		if (!found)
			return tokens_refuse(out, http, 410, "token_used", "этот код регистрации уже "
			    "использован; попросите новый код у координатора");
		*http = 200;
		return tokens_answer(&d, t->name, enc, sign, out, e);
	}
	if ((int64_t)time(NULL) > t->expires_at)
		return tokens_refuse(out, http, 410, "token_expired", "срок действия кода "
		    "регистрации истёк; попросите новый код у координатора");
	if (!req->have_schools)
		/* without them the hub cannot tell a token of another school before
		 * spending it (the mistake this field exists for): not served */
		return tokens_refuse(out, http, 400, "bad_request", "запрос регистрации не называет "
		    "школу устройства (поле schools): программа на устройстве устарела. Обновите "
		    "tetrad и повторите регистрацию; код не израсходован");
	if ((why = tokens_key_unusable(req->device_pk, enc, sign)) != NULL)
		return tokens_refuse(out, http, 400, "key_unusable", "ключ устройства не принят: %s. "
		    "Код не израсходован; создайте на устройстве новый ключ (tetrad init в новой "
		    "базе) и повторите", why);
	if (req->have_sig && !tokens_sig_ok(req))
		return tokens_refuse(out, http, 400, "bad_request", "подпись запроса регистрации "
		    "не сходится с ключом устройства; код не израсходован");
	if (!tokens_schools_fit(req->schools, t->schools))
		return tokens_refuse_school(t, req->schools, out, http);
	if ((r = hubdb_device_get(db, id, &d, &found, e)) != 0)
		return r;
	/* said as it is: "already registered" sent people to revoke it again */
	if (found && d.revoked)
		return tokens_refuse_revoked(&d, out, http);
	if (found && !d.revoked && strcmp(d.kind, t->kind) == 0 &&
	    strcmp(d.schools, t->schools) == 0) {
		/* enrolled already, for what this token gives (an answer lost and a
		 * new code asked for): the same answer, and the code stays unspent */
		*http = 200;
		return tokens_answer(&d, t->name, enc, sign, out, e);
	}
	if (found && !d.revoked && d.watermark == 0 && req->have_sig) {
		/* bound to something else and never used, and the sender holds
		 * the key: the token's binding replaces the old one (the store
		 * checks again that nothing was ever sent) */
		*rebind = true;
		*done = false;
		return 0;
	}
	if (found)
		return tokens_refuse(out, http, 409, "key_registered", "ключ этого устройства (%s) "
		    "уже зарегистрирован на хабе для школ %s%s. Код не израсходован. Если на "
		    "устройстве ещё ничего не записано, tetrad-syncd сам создаст новый ключ и "
		    "повторит регистрацию; иначе обратитесь к координатору. Прежнюю регистрацию "
		    "координатор может отозвать: tetrad-hub device revoke %s", id, d.schools,
		    d.revoked ? " и отозван" : "", id);
	*done = false;
	return 0;
}

int
tokens_enroll(struct hubdb *db, const struct keys_enc *enc,
    const struct keys_sign *sign, const char *body, size_t len, int *http,
    struct tbuf *out, struct terr *e)
{
	struct tokens_enroll_req req;
	struct hubdb_token t;
	struct hubdb_device d;
	struct terr le;
	char norm[TOKENS_TEXT_MAX + 1], id[KEYS_ID_HEXLEN + 1];
	uint8_t hash[32];
	bool done, rebind;
	int r;

	tbuf_reset(out);
	terr_clear(&le);
	if (tokens_parse_enroll(body, len, &req, &le) != 0) {
		*http = 400;
		return ingest_json_error(out, "bad_request", le.msg);
	}
	if (tokens_normalise(req.token, norm, sizeof(norm)) != 0) {
		r = tokens_refuse(out, http, 403, "token_unknown", "такого кода регистрации нет: "
		    "проверьте, что он введён без ошибок");
		goto out;
	}
	tokens_hash(norm, hash);
	keys_id_hex(req.device_pk, id);
	/* every check on a read snapshot first: a wrong token, key or school
	 * never takes the store's write lock */
	if ((r = hubdb_begin_read(db, e)) != 0)
		goto out;
	r = tokens_enroll_check(db, enc, sign, &req, hash, id, &t, &done, &rebind, http, out, e);
	hubdb_rollback(db);
	if (r != 0 || done)
		goto out;
	if ((r = hubdb_begin(db, e)) != 0)
		goto out;
	/* again under the write lock: another request may have won meanwhile */
	if ((r = tokens_enroll_check(db, enc, sign, &req, hash, id, &t, &done, &rebind, http,
	    out, e)) != 0 || done)
		goto fail;
	memset(&d, 0, sizeof(d));
	snprintf(d.id, sizeof(d.id), "%s", id);
	memcpy(d.pk, req.device_pk, sizeof(d.pk));
	snprintf(d.kind, sizeof(d.kind), "%s", t.kind);
	snprintf(d.label, sizeof(d.label), "%s", req.label[0] ? req.label : t.name);
	snprintf(d.schools, sizeof(d.schools), "%s", t.schools);
	r = rebind ? hubdb_device_rebind(db, &d, e) : hubdb_device_add(db, &d, e);
	if (rebind && r == TERR_ARG) {
		r = tokens_refuse(out, http, 409, "key_registered", "ключ этого устройства (%s) "
		    "уже зарегистрирован на хабе и им уже отправлялись данные. Код не "
		    "израсходован; обратитесь к координатору (tetrad-hub device revoke %s)", id, id);
		goto fail;
	}
	if (r != 0 || (r = hubdb_token_use(db, hash, id, e)) != 0)
		goto fail;
	if ((r = hubdb_commit(db, e)) != 0)
		goto out;
	*http = 200;
	r = tokens_answer(&d, t.name, enc, sign, out, e);
	goto out;
 fail:
	hubdb_rollback(db);
 out:
	sodium_memzero(&req, sizeof(req));
	sodium_memzero(norm, sizeof(norm));
	return r;
}
