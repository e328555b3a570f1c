/*
 * tokens — enrollment tokens and device enrollment (tokens.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "hub/ingest.h"
#include "hub/tokens.h"

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

static bool
tokens_text_ok(const char *s)
{
	if (changeset_check_utf8(s, strlen(s)) != 0)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int
tokens_parse_enroll(const char *body, size_t len, struct tokens_enroll_req *req,
    struct terr *e)
{
	cJSON *root = NULL;
	const cJSON *it;
	char *copy = NULL;
	bool have_token = false, have_pk = false;
	int r = TERR_SCHEMA;

	memset(req, 0, sizeof(*req));
	if (len > TOKENS_ENROLL_BODY_MAX)
		return terr_set(e, TERR_TOO_LARGE, "запрос регистрации длиннее %d байт",
		    TOKENS_ENROLL_BODY_MAX);
	/* the whole body must be UTF-8 without NUL before cJSON sees it */
	if (changeset_check_utf8(body, len) != 0)
		return terr_set(e, TERR_UTF8, "запрос регистрации не в кодировке UTF-8");
	if ((copy = malloc(len + 1)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	memcpy(copy, body, len);
	copy[len] = '\0';
	if ((root = cJSON_ParseWithLength(copy, len)) == NULL || !cJSON_IsObject(root)) {
		r = terr_set(e, TERR_PARSE, "запрос регистрации не является объектом JSON");
		goto out;
	}
	cJSON_ArrayForEach(it, root) {
		if (it->string == NULL || !cJSON_IsString(it)) {
			r = terr_set(e, TERR_SCHEMA, "в запросе регистрации поле «%s» должно быть "
			    "строкой", it->string && tokens_text_ok(it->string) &&
			    strlen(it->string) < 64 ? it->string : "?");
			goto out;
		}
		if (strcmp(it->string, "token") == 0 && !have_token) {
			if (it->valuestring[0] == '\0' || strlen(it->valuestring) > TOKENS_TEXT_MAX ||
			    !tokens_text_ok(it->valuestring)) {
				r = terr_set(e, TERR_SCHEMA, "код регистрации пуст, слишком длинный "
				    "или содержит недопустимые символы");
				goto out;
			}
			snprintf(req->token, sizeof(req->token), "%s", it->valuestring);
			have_token = true;
		} else if (strcmp(it->string, "device_pk") == 0 && !have_pk) {
			if (strlen(it->valuestring) != 2 * KEYS_SIGN_PK_BYTES ||
			    keys_unhex(it->valuestring, req->device_pk, KEYS_SIGN_PK_BYTES) != 0) {
				r = terr_set(e, TERR_SCHEMA, "device_pk должен состоять из 64 "
				    "шестнадцатеричных цифр");
				goto out;
			}
			have_pk = true;
		} else if (strcmp(it->string, "label") == 0 && req->label[0] == '\0') {
			if (strlen(it->valuestring) > HUBDB_LABEL_MAX ||
			    !tokens_text_ok(it->valuestring)) {
				r = terr_set(e, TERR_SCHEMA, "название устройства длиннее %d байт "
				    "или содержит недопустимые символы", HUBDB_LABEL_MAX);
				goto out;
			}
			snprintf(req->label, sizeof(req->label), "%s", it->valuestring);
		} else {
			r = terr_set(e, TERR_SCHEMA, "лишнее или повторное поле в запросе "
			    "регистрации");
			goto out;
		}
	}
	if (!have_token || !have_pk) {
		r = terr_set(e, TERR_SCHEMA, "в запросе регистрации нет %s",
		    have_token ? "device_pk" : "кода регистрации (token)");
		goto out;
	}
	r = 0;
 out:
	cJSON_Delete(root);
	free(copy);
	if (r != 0)
		memset(req, 0, sizeof(*req));
	return r;
}

static int
tokens_answer(const struct hubdb_device *d, const char *name,
    const struct keys_enc *enc, const struct keys_sign *sign, struct tbuf *out)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	char hex[65], id[KEYS_ID_HEXLEN + 1], buf[HUBDB_SCHOOLS_MAX + 1], *save = NULL, *p;
	char *text = NULL;
	int r = TERR_NOMEM;

	if (o == NULL)
		goto out;
	cJSON_AddStringToObject(o, "device_id", d->id);
	cJSON_AddStringToObject(o, "kind", d->kind);
	if ((arr = cJSON_AddArrayToObject(o, "schools")) == NULL)
		goto out;
	snprintf(buf, sizeof(buf), "%s", d->schools);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		cJSON_AddItemToArray(arr, cJSON_CreateString(p));
	keys_hex(enc->pk, KEYS_ENC_PK_BYTES, hex);
	cJSON_AddStringToObject(o, "hub_enc_pk", hex);
	keys_hex(sign->pk, KEYS_SIGN_PK_BYTES, hex);
	cJSON_AddStringToObject(o, "hub_sign_pk", hex);
	keys_id_hex(enc->pk, id);
	cJSON_AddStringToObject(o, "hub_key_id", id);
	cJSON_AddStringToObject(o, "name", name);
	if ((text = cJSON_PrintUnformatted(o)) == NULL)
		goto out;
	tbuf_reset(out);
	r = tbuf_put(out, text, strlen(text));
	if (r == 0)
		r = tbuf_put_u8(out, '\n');
 out:
	cJSON_free(text);
	cJSON_Delete(o);
	return r;
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
	bool found;
	int r;

	tbuf_reset(out);
	terr_clear(&le);
	if (tokens_parse_enroll(body, len, &req, &le) != 0) {
		*http = 400;
		return ingest_json_error(out, "bad_request", le.msg);
	}
	if (tokens_normalise(req.token, norm, sizeof(norm)) != 0) {
		*http = 403;
		r = ingest_json_error(out, "token_unknown", "такого кода регистрации нет: "
		    "проверьте, что он введён без ошибок");
		goto out;
	}
	tokens_hash(norm, hash);
	keys_id_hex(req.device_pk, id);
	if ((r = hubdb_begin(db, e)) != 0)
		goto out;
	if ((r = hubdb_token_get(db, hash, &t, &found, e)) != 0)
		goto fail;
	if (!found) {
		*http = 403;
		r = ingest_json_error(out, "token_unknown", "такого кода регистрации нет: "
		    "проверьте, что он введён без ошибок, или попросите новый у координатора");
		goto fail;
	}
	if (t.used && strcmp(t.used_by, id) != 0) {
		*http = 410;
		r = ingest_json_error(out, "token_used", "этот код регистрации уже использован "
		    "другим устройством; попросите новый код у координатора");
		goto fail;
	}
	if (t.used) {
		/* the same device asking again: its earlier answer was lost */
		if ((r = hubdb_device_get(db, id, &d, &found, e)) != 0)
			goto fail;
		hubdb_rollback(db);
		if (!found || d.revoked) {
			*http = 410;
			return ingest_json_error(out, "token_used", "этот код регистрации уже "
			    "использован; попросите новый код у координатора");
		}
		*http = 200;
		return tokens_answer(&d, t.name, enc, sign, out);
	}
	if ((int64_t)time(NULL) > t.expires_at) {
		*http = 410;
		r = ingest_json_error(out, "token_expired", "срок действия кода регистрации "
		    "истёк; попросите новый код у координатора");
		goto fail;
	}
	if ((r = hubdb_device_get(db, id, &d, &found, e)) != 0)
		goto fail;
	if (found) {
		*http = 400;
		r = ingest_json_error(out, "bad_request", "устройство с этим ключом уже "
		    "зарегистрировано; для повторной регистрации создайте новый ключ");
		goto fail;
	}
	memset(&d, 0, sizeof(d));
	snprintf(d.id, sizeof(d.id), "%s", id);
	memcpy(d.pk, req.device_pk, sizeof(d.pk));
	snprintf(d.kind, sizeof(d.kind), "%s", t.kind);
	snprintf(d.label, sizeof(d.label), "%s", req.label[0] ? req.label : t.name);
	snprintf(d.schools, sizeof(d.schools), "%s", t.schools);
	if ((r = hubdb_device_add(db, &d, e)) != 0 ||
	    (r = hubdb_token_use(db, hash, id, e)) != 0)
		goto fail;
	if ((r = hubdb_commit(db, e)) != 0)
		goto out;
	*http = 200;
	r = tokens_answer(&d, t.name, enc, sign, out);
	goto out;
 fail:
	hubdb_rollback(db);
 out:
	sodium_memzero(&req, sizeof(req));
	sodium_memzero(norm, sizeof(norm));
	return r;
}
