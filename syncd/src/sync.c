/*
 * sync — one synchronisation run (see sync.h for the policy).
 */
#include "syncd/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "syncd/boxkey.h"
#include "syncd/devfiles.h"
#include "syncd/fetch.h"
#include "syncd/net.h"
#include "syncd/probe.h"
#include "syncd/pull.h"
#include "syncd/retry.h"
#include "syncd/syncdb.h"
#include "sync_push.h"
#include "tetrad/fileio.h"
#include "tetrad/keyfile.h"
#include "tetrad/envelope.h"
#include "tetrad/formsdir.h"
#include "tetrad/localdb.h"
#include "tetrad/termsafe.h"
#include "tetrad/wire.h"

void
sync_logf(const struct sync_opts *o, enum sync_log_level lvl, const char *fmt, ...)
{
	char buf[1024], safe[TERMSAFE_CAP(1024)];
	va_list ap;

	if (o->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* lines carry the hub's reasons and other outside text: escaped, one line */
	termsafe_write(safe, sizeof(safe), buf, strlen(buf));
	o->log(o->ud, lvl, safe);
}

int64_t
sync_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sync_ctx_free(struct sync_ctx *c)
{
	if (c == NULL)
		return;
	syncdb_close(c->db);
	keys_sign_wipe(&c->dev);
	sodium_memzero(c, sizeof(*c));
	free(c);
}

static int
sync_meta_hex(struct localdb *db, const char *key, uint8_t *out, size_t len, struct terr *e)
{
	char hex[130];
	int r;

	if ((r = syncdb_meta_get(db, key, hex, sizeof(hex), e)) < 0)
		return r;
	if (r == 0 || hex[0] == '\0')
		return terr_set(e, TERR_ARG, "устройство не зарегистрировано на хабе (нет %s): "
		    "выполните «tetrad enroll --hub АДРЕС --token КОД»", key);
	if (strlen(hex) != 2 * len || keys_unhex(hex, out, len) != 0)
		return terr_set(e, TERR_PARSE, "значение %s в базе данных повреждено", key);
	return 0;
}

int
sync_ctx_open(const char *db_path, const char *passphrase_file,
    struct sync_ctx **out, struct terr *e)
{
	struct sync_ctx *c = NULL;
	char keypath[SYNCDB_PATH_MAX], pass[KEYS_PASSPHRASE_MAX + 2], kind[32], id[KEYS_ID_HEXLEN + 8];
	int r;

	*out = NULL;
	pass[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if (strlen(db_path) >= sizeof(c->db_path)) {
		r = terr_set(e, TERR_ARG, "слишком длинный путь к базе данных");
		goto out;
	}
	strcpy(c->db_path, db_path);
	if ((r = syncdb_open(db_path, &c->db, e)) != 0)
		goto out;
	if ((r = syncdb_meta_get(c->db, "hub_url", c->hub_url, sizeof(c->hub_url), e)) < 0)
		goto out;
	if (r == 0 || c->hub_url[0] == '\0') {
		r = terr_set(e, TERR_ARG, "устройство не зарегистрировано на хабе: "
		    "выполните «tetrad enroll --hub АДРЕС --token КОД»");
		goto out;
	}
	if ((r = syncdb_meta_get(c->db, "hub_ca_file", c->ca_file, sizeof(c->ca_file), e)) < 0 ||
	    (r = syncdb_meta_get(c->db, "hub_pin", c->pin, sizeof(c->pin), e)) < 0)
		goto out;
	if ((r = sync_meta_hex(c->db, "hub_enc_pk", c->push.hub_enc_pk, KEYS_ENC_PK_BYTES, e)) != 0 ||
	    (r = sync_meta_hex(c->db, "hub_sign_pk", c->push.hub_sign_pk, KEYS_SIGN_PK_BYTES, e)) != 0)
		goto out;
	if ((r = syncdb_meta_get(c->db, "device_kind", kind, sizeof(kind), e)) < 0)
		goto out;
	if (strcmp(kind, "curator") != 0) {
		if ((r = syncdb_meta_get(c->db, "school", c->push.school, sizeof(c->push.school), e)) < 0)
			goto out;
	}
	if ((r = syncdb_meta_get(c->db, "device_key_path", keypath, sizeof(keypath), e)) < 0)
		goto out;
	if (keypath[0] == '\0' &&
	    snprintf(keypath, sizeof(keypath), "%s.device.key", db_path) >= (int)sizeof(keypath)) {
		r = terr_set(e, TERR_ARG, "слишком длинный путь к базе данных");
		goto out;
	}
	if (passphrase_file && (r = fileio_read_passphrase(passphrase_file, pass, sizeof(pass), e)) != 0)
		goto out;
	if ((r = devfiles_key_check(keypath, e)) != 0)
		goto out;
	if ((r = keyfile_load(keypath, KEYS_DEVICE_SIGN, c->dev.sk, KEYS_SIGN_SK_BYTES,
	    pass[0] ? pass : NULL, e)) != 0)
		goto out;
	keys_sign_pk_from_sk(c->dev.sk, c->dev.pk);
	/* a device enrolled before two-way sync gets its box key here */
	if ((r = boxkey_load(db_path, pass, true, &c->box, NULL, e)) != 0)
		goto out;
	keys_id(c->dev.pk, c->push.device_id);
	keys_id_hex(c->dev.pk, c->push.device_hex);
	if (syncdb_meta_get(c->db, "device_id", id, sizeof(id), NULL) == 1 && id[0] &&
	    strcmp(id, c->push.device_hex) != 0) {
		r = terr_set(e, TERR_DEVICE_KEY, "ключ устройства %s не совпадает с зарегистрированным "
		    "устройством %s", keypath, id);
		goto out;
	}
	c->push.db = c->db;
	c->push.wal = syncdb_wal(c->db);
	c->push.dev = &c->dev;
	*out = c;
	c = NULL;
	r = 0;
 out:
	sodium_memzero(pass, sizeof(pass));
	sync_ctx_free(c);
	return r;
}

static const char *
sync_builtin_dir(const struct sync_opts *o)
{
	const char *d = o->forms_builtin_dir;

	/* none found: d is the (missing) install dir, which the pull reads
	 * as no built-in forms, as before */
	if (d == NULL || *d == '\0')
		(void)formsdir_builtin(&d, NULL);
	return d;
}

int
sync_run(const struct sync_opts *o, struct sync_result *res, struct terr *e)
{
	struct sync_ctx *c = NULL;
	struct net *n = NULL;
	struct net_opts no;
	struct terr pe;
	int64_t t0 = sync_mono_ms();
	char buf[64];
	int r, lockfd = -1;

	memset(res, 0, sizeof(*res));
	if ((r = devfiles_lock(o->db_path, &lockfd, e)) != 0)
		return r;
	if ((r = sync_ctx_open(o->db_path, o->passphrase_file, &c, e)) != 0)
		goto out;
	c->push.max_ops = o->max_ops;
	c->push.max_bytes = o->max_bytes ? o->max_bytes : PUSH_DEFAULT_MAX_BYTES;
	memset(&no, 0, sizeof(no));
	no.base_url = c->hub_url;
	no.ca_file = c->ca_file;
	no.pin = c->pin;
	no.connect_timeout_ms = o->connect_timeout_ms;
	no.timeout_ms = o->timeout_ms;
	if ((r = net_new(&no, &n, e)) != 0)
		goto out;
	if (!o->pull_only && ((r = retry_run(c, n, o, res, e)) != 0 ||
	    (r = sync_push_all(c, n, o, res, e)) != 0))
		goto out;
	/* nothing went: the hub has not said whether it still takes us */
	if (res->sets_sent == 0 && !res->unreachable && !res->stopped && !o->pull_only)
		probe_run(c, n, res);
	if (res->revoked)
		sync_logf(o, SYNC_LOG_ERR, "ВНИМАНИЕ: %s", res->revoked_msg);
	if (!o->no_pull && !res->unreachable && !res->stopped) {
		terr_clear(&pe);
		if (pull_run(n, c->push.hub_sign_pk, c->db_path, sync_builtin_dir(o),
		    &res->forms_installed, &pe) != 0)
			sync_logf(o, SYNC_LOG_WARN, "формы с хаба не получены: %s", pe.msg);
		/* records after forms: a pulled record's form is then known here */
		if (!res->revoked && (r = fetch_sync(c, n, o, sync_builtin_dir(o), res, e)) != 0)
			goto out;
	}
	res->have_skew = net_clock_skew(n, &res->skew_ms);
	if (res->have_skew && (res->skew_ms > SYNC_SKEW_WARN_MS || res->skew_ms < -SYNC_SKEW_WARN_MS))
		sync_logf(o, SYNC_LOG_WARN, "часы этого компьютера %s хаба на %lld мин: проверьте дату, "
		    "время и часовой пояс", res->skew_ms > 0 ? "спешат относительно" : "отстают от",
		    /* to the nearest minute: the hub's Date is to the second */
		    (long long)(((res->skew_ms > 0 ? res->skew_ms : -res->skew_ms) + 30000) / 60000));
	if ((r = push_counts(c->db, &res->left, e)) != 0)
		goto out;
	res->duration_ms = sync_mono_ms() - t0;
	/* what the client's status shows, in one commit */
	if ((r = syncdb_begin(c->db, e)) != 0)
		goto out;
	if (res->have_skew) {
		snprintf(buf, sizeof(buf), "%lld", (long long)res->skew_ms);
		if ((r = syncdb_meta_set(c->db, "clock_skew_ms", buf, e)) != 0)
			goto meta_fail;
	}
	syncdb_now_iso(buf);
	if ((r = syncdb_meta_set(c->db, "last_sync_at", buf, e)) != 0)
		goto meta_fail;
	switch (sync_exit_code(0, res)) {
	case SYNC_EXIT_OK: snprintf(buf, sizeof(buf), "ok"); break;
	case SYNC_EXIT_USAGE: snprintf(buf, sizeof(buf), "revoked"); break;
	case SYNC_EXIT_QUARANTINED: snprintf(buf, sizeof(buf), "quarantined"); break;
	case SYNC_EXIT_UNREACHABLE: snprintf(buf, sizeof(buf), "unreachable"); break;
	default: snprintf(buf, sizeof(buf), "pending"); break;
	}
	if ((r = syncdb_meta_set(c->db, "last_sync_result", buf, e)) != 0)
		goto meta_fail;
	r = syncdb_commit(c->db, e);
	goto out;
 meta_fail:
	syncdb_rollback(c->db);
 out:
	res->duration_ms = sync_mono_ms() - t0;
	net_free(n);
	sync_ctx_free(c);
	devfiles_unlock(lockfd);
	return r;
}

int
sync_exit_code(int r, const struct sync_result *res)
{
	if (r != 0) {
		/* Configuration a person fixes (enroll, passphrase, key file)
		 * versus what is wrong in the database or its entries. */
		switch (r) {
		case TERR_ARG: case TERR_KEYFILE: case TERR_PASSPHRASE: case TERR_DEVICE_KEY:
		case TERR_HUB_KEY: case TERR_MAGIC: case TERR_VERSION:
			return SYNC_EXIT_USAGE;
		default:
			return SYNC_EXIT_STORAGE;
		}
	}
	/* revoked: nothing will go until a person acts (docs/syncd.md) */
	if (res->revoked)
		return SYNC_EXIT_USAGE;
	if (res->unreachable)
		return SYNC_EXIT_UNREACHABLE;
	if (res->left.pending > 0 || res->left.sent > 0 || res->stopped || res->hub_error)
		return SYNC_EXIT_PENDING;
	if (res->sets_quarantined > 0)
		return SYNC_EXIT_QUARANTINED;
	return SYNC_EXIT_OK;
}

enum sync_log_level
sync_exit_level(int code)
{
	switch (code) {
	case SYNC_EXIT_OK:
		return SYNC_LOG_INFO;
	case SYNC_EXIT_PENDING: case SYNC_EXIT_QUARANTINED: case SYNC_EXIT_UNREACHABLE:
		return SYNC_LOG_WARN;
	default:
		return SYNC_LOG_ERR;
	}
}

void
sync_summary(const struct sync_result *res, int code, char *buf, size_t cap)
{
	snprintf(buf, cap, "sync exit=%d sets_sent=%lld sets_acked=%lld sets_quarantined=%lld "
	    "entries_acked=%lld entries_quarantined=%lld retries=%lld bytes=%lld forms=%lld "
	    "pending=%lld quarantined_total=%lld skew_ms=%s%lld duration_ms=%lld requeued=%lld "
	    "pulled=%lld pull_conflicts=%lld%s",
	    code, (long long)res->sets_sent, (long long)res->sets_acked, (long long)res->sets_quarantined,
	    (long long)res->entries_acked, (long long)res->entries_quarantined, (long long)res->retries,
	    (long long)res->bytes_sent, (long long)res->forms_installed,
	    (long long)(res->left.pending + res->left.sent), (long long)res->left.quarantined,
	    res->have_skew ? "" : "?", (long long)(res->have_skew ? res->skew_ms : 0),
	    (long long)res->duration_ms, (long long)res->entries_requeued,
	    (long long)res->pulled.records, (long long)res->pulled.conflicts,
	    res->pull_restarted ? " pull_restarted=1" : "");
}
