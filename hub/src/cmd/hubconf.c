/*
 * hubconf — the hub's folder, hub.conf, passphrase, keys and store for the
 * commands (hubconf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd_args.h"
#include "hub/server.h"
#include "hub/report.h"
#include "hubconf.h"
#include "tetrad/keyfile.h"
#include "tetrad/formsdir.h"
#include "tetrad/fileio.h"

void
hubconf_path(const struct hubconf *h, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", h->dir, name);
}

const char *
hubconf_get(const struct hubconf *h, const char *key)
{
	for (size_t i = 0; i < h->nconf; i++)
		if (strcmp(h->conf_key[i], key) == 0)
			return h->conf_val[i];
	return NULL;
}

int
hubconf_silent_days(const struct hubconf *h, unsigned *days, struct terr *e)
{
	const char *s = hubconf_get(h, "silent_days");
	char *end = NULL;
	long v;

	*days = SERVER_DEFAULT_SILENT_DAYS;
	if (s == NULL)
		return 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || s[0] == '-' || s[0] == '+' || v < 1 ||
	    v > SERVER_SILENT_DAYS_MAX)
		return cmd_fail(e, CMD_EXIT_INVALID, "hub.conf: silent_days = «%.32s»: нужно целое "
		    "число дней от 1 до %d", s, SERVER_SILENT_DAYS_MAX);
	*days = (unsigned)v;
	return 0;
}

int
hubconf_store(const struct hubconf *h, char *out, size_t cap, struct terr *e)
{
	const char *s = hubconf_get(h, "store");
	struct terr ce;

	if (s == NULL || s[0] == '\0') {
		hubconf_path(h, "hub.db", out, cap);
		return 0;
	}
	/* a file stays hub.db in the folder: `store` names only a database server */
	if (!hubdb_is_pg(s))
		return cmd_fail(e, CMD_EXIT_INVALID, "hub.conf: store = «%.64s»: нужна строка "
		    "подключения к PostgreSQL (postgresql://… или «host=… dbname=…»); для SQLite "
		    "строку store не пишут — база лежит в папке хаба (hub.db)", s);
	if (hubdb_check_name(s, &ce) != 0)
		return cmd_fail(e, CMD_EXIT_INVALID, "hub.conf: store: %s", ce.msg);
	snprintf(out, cap, "%s", s);
	return 0;
}

/* hub.conf: "key = value" lines, '#' comments; optional. */
static int
hubconf_read(struct hubconf *h, struct terr *e)
{
	char path[PATH_MAX + 16], line[PATH_MAX + 80];
	FILE *f;
	int lineno = 0;

	hubconf_path(h, "hub.conf", path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *k = line, *v, *eq, *end;

		lineno++;
		while (*k == ' ' || *k == '\t')
			k++;
		if (*k == '#' || *k == '\n' || *k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL || h->nconf >= HUBCONF_MAX) {
			fclose(f);
			return terr_set(e, TERR_PARSE, "%s, строка %d: ожидается «ключ = значение»",
			    path, lineno);
		}
		*eq = '\0';
		v = eq + 1;
		for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\r\n")] = '\0';
		for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		snprintf(h->conf_key[h->nconf], sizeof(h->conf_key[0]), "%.63s", k);
		snprintf(h->conf_val[h->nconf], sizeof(h->conf_val[0]), "%s", v);
		h->nconf++;
	}
	fclose(f);
	return 0;
}

int
hubconf_read_passphrase(struct hubconf *h, const char *file, struct terr *e)
{
	int r;

	h->have_passphrase = false;
	if ((r = fileio_read_passphrase(file, h->passphrase, sizeof(h->passphrase), e)) != 0)
		return r;
	h->have_passphrase = true;
	return 0;
}

const char *
hub_builtin_forms(void)
{
	struct terr e;
	const char *d;

	/* none found: the hub still runs on the forms published to it */
	if (formsdir_builtin(&d, &e) != 0)
		fprintf(stderr, "tetrad-hub: %s\n", e.msg);
	return d;
}

int
hubconf_dir(struct hubconf *h, struct terr *e)
{
	const char *env;

	/* looked at only now: `--help` never fails on a strange environment */
	if (h->dir[0] == '\0' && (env = getenv("TETRAD_HUB_DATA")) != NULL && env[0] != '\0')
		return cmd_set_dir(h, env, e);
	if (h->dir[0] == '\0')
		return cmd_usage(e, NULL, "укажите папку хаба: --data ПАПКА или переменная "
		    "TETRAD_HUB_DATA");
	return 0;
}

int
hubconf_passphrase(struct hubconf *h, struct terr *e)
{
	int r;

	if (h->passphrase_file == NULL || h->have_passphrase)
		return 0;
	if ((r = hubconf_read_passphrase(h, h->passphrase_file, e)) != 0)
		return r;
	return 0;
}

int
hubconf_open(struct hubconf *h, bool with_forms, struct terr *e)
{
	char path[PATH_MAX + 32];
	const char *pp;
	struct terr pe;
	int r, v = 0;

	if ((r = hubconf_dir(h, e)) != 0)
		return r;
	if ((r = hubconf_passphrase(h, e)) != 0)
		return r;
	if ((r = hubconf_read(h, e)) != 0)
		return r;
	if (!h->have_passphrase && hubconf_get(h, "passphrase_file") != NULL &&
	    (r = hubconf_read_passphrase(h, hubconf_get(h, "passphrase_file"), e)) != 0)
		return r;
	pp = h->have_passphrase ? h->passphrase : NULL;
	hubconf_path(h, "hub.enc.key", path, sizeof(path));
	if (access(path, F_OK) != 0)
		return terr_set(e, TERR_NOTFOUND, "в папке %s нет хаба: сначала выполните "
		    "«tetrad-hub --data %s init»", h->dir, h->dir);
	if ((r = keyfile_load(path, KEYS_HUB_ENC, h->enc.sk, KEYS_ENC_SK_BYTES, pp, e)) != 0)
		return r;
	keys_enc_pk_from_sk(h->enc.sk, h->enc.pk);
	if ((r = hubkeys_load_old(h->dir, pp, &h->old_enc, e)) != 0)
		return r;
	hubconf_path(h, "hub.sign.key", path, sizeof(path));
	if ((r = keyfile_load(path, KEYS_HUB_SIGN, h->sign.sk, KEYS_SIGN_SK_BYTES, pp,
	    e)) != 0)
		return r;
	keys_sign_pk_from_sk(h->sign.sk, h->sign.pk);
	if ((r = hubconf_store(h, path, sizeof(path), e)) != 0)
		return r;
	/* a migration of a large store takes a while: say so before it starts */
	if (hubdb_peek_version(path, &v, &pe) == 0 && v > 0 && v < HUBDB_SCHEMA_VERSION)
		fprintf(stderr, "База данных хаба %s обновляется (схема %d → %d): для большой "
		    "базы это несколько минут. Прерванное обновление ничего не меняет и начнётся "
		    "заново при следующем запуске.\n", path, v, HUBDB_SCHEMA_VERSION);
	if ((r = hubdb_open(path, &h->db, e)) != 0)
		return r;
	if (with_forms) {
		hubconf_path(h, "forms", path, sizeof(path));
		if ((r = hubforms_open(hub_builtin_forms(), path, &h->forms, e)) != 0)
			return r;
		hubforms_trust(h->forms, h->sign.pk);
		/* at start: the records of a form that became shared get positions */
		if ((r = hubforms_feed_forms(h->forms, h->db, e)) != 0)
			return r;
	}
	return 0;
}

void
hubconf_close(struct hubconf *h)
{
	hubforms_free(h->forms);
	hubdb_close(h->db);
	keys_enc_wipe(&h->enc);
	hubkeys_wipe(&h->old_enc);
	keys_sign_wipe(&h->sign);
	sodium_memzero(h->passphrase, sizeof(h->passphrase));
}

void
hubconf_ingest_cfg(const struct hubconf *h, struct ingest_cfg *ic)
{
	memset(ic, 0, sizeof(*ic));
	ic->enc = &h->enc;
	ic->old_enc = h->old_enc.key;
	ic->n_old_enc = h->old_enc.n;
	ic->sign = &h->sign;
	ic->forms = h->forms;
	ic->max_ahead_ms = INGEST_MAX_AHEAD_MS;
}
