/*
 * enroll — device enrollment (see enroll.h).
 */
#include "syncd/enroll.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "syncd/boxkey.h"
#include "syncd/net.h"
#include "syncd/sync.h"
#include "syncd/syncdb.h"
#include "tetrad/fileio.h"
#include "tetrad/keyfile.h"
#include "tetrad/changeset.h"
#include "tetrad/localdb.h"
#include "tetrad/wire.h"

const char *
enroll_token_message(const char *code)
{
	if (code && strcmp(code, "token_used") == 0)
		return "этот код регистрации уже использован: каждый код действует один раз. "
		    "Попросите у координатора новый код";
	if (code && strcmp(code, "token_expired") == 0)
		return "срок действия кода регистрации истёк. Попросите у координатора новый код";
	if (code && strcmp(code, "token_unknown") == 0)
		return "хаб не знает такого кода регистрации: проверьте, что код введён без ошибок "
		    "(или попросите у координатора новый)";
	if (code && strcmp(code, "bad_request") == 0)
		return "хаб отклонил запрос регистрации как неверный: проверьте код и версию программы";
	return "хаб отказал в регистрации";
}

static int
enroll_check_token(const char *t, struct terr *e)
{
	size_t n = t ? strlen(t) : 0;

	if (n == 0)
		return terr_set(e, TERR_ARG, "не указан код регистрации (--token)");
	if (n > ENROLL_TOKEN_MAX)
		return terr_set(e, TERR_ARG, "код регистрации слишком длинный");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
			return terr_set(e, TERR_ARG, "код регистрации содержит недопустимые символы (пробелы, кириллицу?)");
	return 0;
}

/*
 * Loads the device key, or creates it when the file does not exist yet.
 * fresh: a new key pair replaces the file (a new file beside it, renamed
 * over it), for a key the hub will not take.
 */
static int
enroll_device_key(struct localdb *db, const char *db_path, const char *pass_file, bool fresh,
    struct keys_sign *k, struct terr *e)
{
	char path[SYNCDB_PATH_MAX], tmp[SYNCDB_PATH_MAX + 8], pass[KEYS_PASSPHRASE_MAX + 2];
	struct stat sb;
	int r;

	pass[0] = '\0';
	if ((r = syncdb_meta_get(db, "device_key_path", path, sizeof(path), e)) < 0)
		return r;
	if (path[0] == '\0' && snprintf(path, sizeof(path), "%s.device.key", db_path) >= (int)sizeof(path))
		return terr_set(e, TERR_ARG, "слишком длинный путь к базе данных");
	if (pass_file && (r = fileio_read_passphrase(pass_file, pass, sizeof(pass), e)) != 0)
		return r;
	if (fresh || (stat(path, &sb) != 0 && errno == ENOENT)) {
		if ((r = keys_sign_generate(k)) != 0) {
			r = terr_set(e, TERR_CRYPTO, "не удалось создать ключ устройства");
			goto out;
		}
		if (!fresh) {
			r = keyfile_save(path, KEYS_DEVICE_SIGN, k->sk, KEYS_SIGN_SK_BYTES,
			    pass[0] ? pass : NULL, e);
			goto out;
		}
		snprintf(tmp, sizeof(tmp), "%s.new", path);
		/* a .new left by an interrupted replacement was never used */
		if (unlink(tmp) != 0 && errno != ENOENT) {
			r = terr_set(e, TERR_IO, "не удалось удалить %s: %s", tmp, terr_strerror(errno));
			goto out;
		}
		if ((r = keyfile_save(tmp, KEYS_DEVICE_SIGN, k->sk, KEYS_SIGN_SK_BYTES,
		    pass[0] ? pass : NULL, e)) != 0)
			goto out;
		if (rename(tmp, path) != 0) {
			r = terr_set(e, TERR_IO, "не удалось заменить ключ устройства %s: %s", path,
			    terr_strerror(errno));
			unlink(tmp);
		}
		goto out;
	}
	if ((r = keyfile_load(path, KEYS_DEVICE_SIGN, k->sk, KEYS_SIGN_SK_BYTES, pass[0] ? pass : NULL, e)) != 0)
		goto out;
	keys_sign_pk_from_sk(k->sk, k->pk);
 out:
	/* the box key the hub seals pull answers to, under the same passphrase */
	if (r == 0) {
		struct keys_enc box;

		r = boxkey_load(db_path, pass, true, &box, NULL, e);
		keys_enc_wipe(&box);
	}
	sodium_memzero(pass, sizeof(pass));
	return r;
}

/*
 * Whether this device's key may be replaced by a new one: it was never
 * confirmed by a hub (no hub key stored) and nothing was ever recorded with
 * it (each change carries the key's id in its time stamp, and the hub
 * refuses a change stamped by another device).
 */
static bool
enroll_key_replaceable(struct localdb *db)
{
	struct localdb_counts c;
	char hub[2 * KEYS_SIGN_PK_BYTES + 1];

	if (syncdb_meta_get(db, "hub_sign_pk", hub, sizeof(hub), NULL) < 0 || hub[0] != '\0')
		return false;
	if (syncdb_meta_int(db, "next_seq", 1) > 1)
		return false;
	if (localdb_counts(db, true, &c, NULL) != 0)
		return false;
	return c.pending + c.sent + c.acked + c.quarantined + c.drafts + c.finals + c.deleted == 0;
}

/* The hub's own message, control characters shown as "?". */
static void
enroll_hub_message(const struct wire_error *we, char *out, size_t cap)
{
	snprintf(out, cap, "%s", we->message);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* One POST of the request; *http the status, the body in resp. */
static int
enroll_post(const struct enroll_opts *o, const char *ca, const struct wire_enroll_req *q,
    struct net_resp *resp, struct enroll_result *res, struct terr *e)
{
	struct net_opts no;
	struct net *n = NULL;
	struct tbuf *body = NULL;
	int r;

	net_resp_free(resp);
	memset(resp, 0, sizeof(*resp));
	if ((body = tbuf_new(WIRE_ENROLL_REQ_MAX)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if ((r = wire_enroll_req_write(body, q, e)) != 0)
		goto out;
	memset(&no, 0, sizeof(no));
	no.base_url = o->hub_url;
	no.ca_file = ca;
	no.pin = o->pin;
	no.connect_timeout_ms = o->connect_timeout_ms;
	no.timeout_ms = o->timeout_ms;
	if ((r = net_new(&no, &n, e)) != 0)
		goto out;
	if ((r = net_request(n, "POST", WIRE_PATH_ENROLL, "application/json",
	    (const char *)tbuf_ptr(body), tbuf_len(body), ENROLL_RESP_MAX, resp, e)) != 0)
		res->unreachable = 1;
 out:
	net_free(n);
	tbuf_free(body);        /* wiped by tbuf_free: it holds the token */
	return r;
}

int
enroll_run(const struct enroll_opts *o, struct enroll_result *res, struct terr *e)
{
	struct localdb *db = NULL;
	struct net_resp resp;
	struct keys_sign k;
	struct wire_enroll_req q;
	struct wire_enroll_ans *ans = NULL;
	struct wire_error we;
	char ca[PATH_MAX], enc[2 * KEYS_ENC_PK_BYTES + 1], sign[2 * KEYS_SIGN_PK_BYTES + 1];
	char existing[NET_URL_MAX + 1], host[256], msg[WIRE_ERROR_MESSAGE_MAX + 1];
	bool fresh = false;
	int r;

	memset(res, 0, sizeof(*res));
	memset(&resp, 0, sizeof(resp));
	memset(&k, 0, sizeof(k));
	memset(&q, 0, sizeof(q));
	ca[0] = '\0';
	if ((r = net_check_url(o->hub_url, e)) != 0 || (r = enroll_check_token(o->token, e)) != 0)
		return r;
	if (o->pin && *o->pin && (r = net_check_pin(o->pin, e)) != 0)
		return r;
	if (o->ca_file && *o->ca_file && realpath(o->ca_file, ca) == NULL)
		return terr_set(e, TERR_ARG, "файл сертификата %s недоступен: %s", o->ca_file, terr_strerror(errno));
	if ((r = syncdb_open(o->db_path, &db, e)) != 0)
		return r;
	if ((r = syncdb_meta_get(db, "hub_sign_pk", existing, sizeof(existing), e)) < 0)
		goto out;
	if (r == 1 && existing[0] && !o->force) {
		syncdb_meta_get(db, "hub_url", existing, sizeof(existing), NULL);
		r = terr_set(e, TERR_ARG, "устройство уже зарегистрировано на хабе %s; чтобы "
		    "зарегистрировать его заново, добавьте --force", existing);
		goto out;
	}
	/* the school this database is set up for: the hub refuses a token of
	 * another school before spending it */
	if ((r = syncdb_meta_get(db, "school", q.schools, sizeof(q.schools), e)) < 0)
		goto out;
	q.have_schools = true;
	snprintf(q.token, sizeof(q.token), "%s", o->token);
	if (o->label && *o->label) {
		if (strlen(o->label) > WIRE_ENROLL_LABEL_MAX) {
			r = terr_set(e, TERR_ARG, "название устройства (--label) длиннее %d байт",
			    WIRE_ENROLL_LABEL_MAX);
			goto out;
		}
		snprintf(q.label, sizeof(q.label), "%s", o->label);
	} else {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "device");
		host[sizeof(host) - 1] = '\0';
		/* a long host name is cut to what the hub keeps */
		wire_text_copy(q.label, sizeof(q.label), host);
	}
 again:
	if ((r = enroll_device_key(db, o->db_path, o->passphrase_file, fresh, &k, e)) != 0)
		goto out;
	keys_id_hex(k.pk, res->device_id);
	memcpy(q.device_pk, k.pk, sizeof(q.device_pk));
	/* proof that this device holds the key: lets the hub re-bind a key an
	 * older program enrolled with another school's token */
	wire_enroll_req_sign(&q, k.sk);
	if ((r = enroll_post(o, ca, &q, &resp, res, e)) != 0)
		goto out;
	if (resp.status != 200) {
		if (wire_error_parse(tbuf_ptr(resp.body), tbuf_len(resp.body), &we, NULL) != 0) {
			res->refused = 1;
			r = terr_set(e, TERR_ARG, "регистрация не выполнена: хаб ответил HTTP %ld", resp.status);
			goto out;
		}
		if (!fresh && (strcmp(we.error, "key_registered") == 0 ||
		    strcmp(we.error, "device_revoked") == 0) && enroll_key_replaceable(db)) {
			res->replaced_revoked = strcmp(we.error, "device_revoked") == 0;
			/* the hub holds this key for something else and will not
			 * re-bind it (revoked, or it has sent data); nothing was
			 * recorded with it here: a new key pair */
			snprintf(res->replaced_id, sizeof(res->replaced_id), "%s", res->device_id);
			keys_sign_wipe(&k);
			fresh = true;
			goto again;
		}
		res->refused = 1;
		if (strncmp(we.error, "token_", 6) == 0 || we.message[0] == '\0')
			r = terr_set(e, TERR_ARG, "регистрация не выполнена: %s", enroll_token_message(we.error));
		else {
			enroll_hub_message(&we, msg, sizeof(msg));
			r = terr_set(e, TERR_ARG, "регистрация не выполнена: %s", msg);
		}
		goto out;
	}
	if ((ans = malloc(sizeof(*ans))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if ((r = wire_enroll_ans_parse(tbuf_ptr(resp.body), tbuf_len(resp.body), ans, e)) != 0)
		goto out;
	if (strcmp(ans->device_id, res->device_id) != 0) {
		r = terr_set(e, TERR_SCHEMA, "хаб вернул чужой идентификатор устройства");
		goto out;
	}
	keys_hex(ans->hub_enc_pk, KEYS_ENC_PK_BYTES, enc);
	keys_hex(ans->hub_sign_pk, KEYS_SIGN_PK_BYTES, sign);
	snprintf(res->kind, sizeof(res->kind), "%s", ans->kind);
	res->nschools = (int)ans->nschools;
	if (strcmp(res->kind, "school") == 0 &&
	    syncdb_meta_get(db, "school", existing, sizeof(existing), NULL) == 1 &&
	    existing[0] && strcmp(existing, ans->schools) != 0) {
		/* Records of one school must never be sent as another's. */
		r = terr_set(e, TERR_ARG, "код регистрации выдан для школы %s, а эта база подготовлена "
		    "для школы %s: попросите у координатора код для школы %s", ans->schools, existing, existing);
		res->refused = 1;
		goto out;
	}
	if ((r = syncdb_begin(db, e)) != 0)
		goto out;
	if ((r = syncdb_meta_set(db, "device_id", res->device_id, e)) != 0 ||
	    (r = syncdb_meta_set(db, "hub_url", o->hub_url, e)) != 0 ||
	    (r = syncdb_meta_set(db, "hub_enc_pk", enc, e)) != 0 ||
	    (r = syncdb_meta_set(db, "hub_sign_pk", sign, e)) != 0 ||
	    (r = syncdb_meta_set(db, "hub_ca_file", ca, e)) != 0 ||
	    (r = syncdb_meta_set(db, "hub_pin", o->pin ? o->pin : "", e)) != 0 ||
	    (r = syncdb_meta_set(db, "device_kind", res->kind, e)) != 0 ||
	    (r = syncdb_meta_set(db, "device_schools", ans->schools, e)) != 0 ||
	    (strcmp(res->kind, "school") == 0 &&
	    (r = syncdb_meta_set(db, "school", ans->schools, e)) != 0)) {
		syncdb_rollback(db);
		goto out;
	}
	r = syncdb_commit(db, e);
 out:
	keys_sign_wipe(&k);
	net_resp_free(&resp);
	sodium_memzero(&q, sizeof(q));
	free(ans);
	syncdb_close(db);
	return r;
}
