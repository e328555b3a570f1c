/*
 * pull — fetching and installing signed form bundles (see pull.h).
 */
#include "syncd/pull.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "syncd/syncdb.h"
#include "tetrad/fileio.h"
#include "tetrad/form.h"
#include "tetrad/localdb.h"
#include "tetrad/sigblob.h"
#include "tetrad/tbuf.h"
#include "tetrad/wire.h"

#define PULL_NAME_MAX 64
#define PULL_BUILTIN_MAX 256
#define PULL_FILE_MAX (4u << 20)

int
pull_check_name(const char *name, struct terr *e)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > PULL_NAME_MAX)
		return terr_set(e, TERR_ARG, "недопустимое имя формы или справочника");
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		    (ch >= 'A' && ch <= 'Z')))
			return terr_set(e, TERR_ARG, "недопустимое имя формы или справочника «%.64s»", name);
	}
	if (name[0] == '-')
		return terr_set(e, TERR_ARG, "недопустимое имя формы или справочника «%.64s»", name);
	return 0;
}

/*
 * Writes text to dir/name whole: fileio's private path (beside it, fsync,
 * rename); 0640 beside a shared database, whose group's members read the
 * forms with the client (localdb_shared), else 0600.
 */
static int
pull_write_atomic(const char *dir, const char *name, const char *text, bool shared,
    struct terr *e)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return terr_set(e, TERR_ARG, "слишком длинный путь к каталогу форм");
	return shared ? fileio_write_shared(path, text, strlen(text), e) :
	    fileio_write_private(path, text, strlen(text), e);
}

/*
 * The forms folder: 0700, or beside a shared database 0750 — its group
 * reads the forms but cannot plant one (only syncd, the folder's owner,
 * writes here).
 */
static int
pull_mkdir(const char *dir, bool shared, struct terr *e)
{
	struct stat sb;

	if (mkdir(dir, shared ? 0750 : 0700) != 0 && errno != EEXIST)
		return terr_set(e, TERR_IO, "не удалось создать каталог %s: %s", dir, terr_strerror(errno));
	if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return terr_set(e, TERR_IO, "%s не является каталогом", dir);
	/* the umask (a service's 0077) took the group's rights, or an older
	 * version made it 0700: the owner gives them. The setgid bit the folder
	 * inherited is kept when allowed; under systemd's RestrictSUIDSGID= a
	 * mode with it is refused (EPERM), and without it the files syncd makes
	 * get its own group — the shared folder's in the documented set-up. */
	if (shared && sb.st_uid == geteuid() && (sb.st_mode & 0077) != 0050 &&
	    chmod(dir, (sb.st_mode & S_ISGID) | 0750) != 0 && chmod(dir, 0750) != 0)
		return terr_set(e, TERR_IO, "не удалось открыть каталог %s группе: %s", dir,
		    terr_strerror(errno));
	return 0;
}

int
pull_install(const char *forms_dir, const char *id, uint32_t version,
    const uint8_t *payload, size_t len, struct terr *e)
{
	char dictdir[PATH_MAX], name[PULL_NAME_MAX + 32];
	const bool shared = localdb_shared(forms_dir);   /* beside the database */
	cJSON *j = NULL;
	struct form *parsed = NULL;
	const cJSON *form, *dicts, *x, *d;
	char *text = NULL;
	int r;

	if ((r = pull_check_name(id, e)) != 0)
		return r;
	if ((j = cJSON_ParseWithLength((const char *)payload, len)) == NULL || !cJSON_IsObject(j)) {
		r = terr_set(e, TERR_PARSE, "пакет формы %s v%u: неверный JSON", id, version);
		goto out;
	}
	form = cJSON_GetObjectItemCaseSensitive(j, "form");
	dicts = cJSON_GetObjectItemCaseSensitive(j, "dictionaries");
	if (!cJSON_IsObject(form) || (dicts && !cJSON_IsObject(dicts) && !cJSON_IsNull(dicts))) {
		r = terr_set(e, TERR_SCHEMA, "пакет формы %s v%u: нет описания формы", id, version);
		goto out;
	}
	x = cJSON_GetObjectItemCaseSensitive(form, "id");
	if (!cJSON_IsString(x) || strcmp(x->valuestring, id) != 0) {
		r = terr_set(e, TERR_SCHEMA, "пакет формы %s v%u содержит другую форму", id, version);
		goto out;
	}
	x = cJSON_GetObjectItemCaseSensitive(form, "version");
	if (!cJSON_IsNumber(x) || x->valuedouble != (double)version) {
		r = terr_set(e, TERR_SCHEMA, "пакет формы %s v%u содержит другую версию", id, version);
		goto out;
	}
	if ((r = pull_mkdir(forms_dir, shared, e)) != 0)
		goto out;
	if (snprintf(dictdir, sizeof(dictdir), "%s/dict", forms_dir) >= (int)sizeof(dictdir)) {
		r = terr_set(e, TERR_ARG, "слишком длинный путь к каталогу форм");
		goto out;
	}
	if (!cJSON_IsObject(dicts))
		dicts = NULL;
	cJSON_ArrayForEach(d, dicts) {
		if ((r = pull_check_name(d->string, e)) != 0)
			goto out;
		if (!cJSON_IsObject(d)) {
			r = terr_set(e, TERR_SCHEMA, "справочник %s в пакете формы %s неверен", d->string, id);
			goto out;
		}
	}
	/* The whole bundle must parse as the client will parse it (fields,
	 * rules, dictionaries) before anything lands in the forms directory:
	 * one bad bundle must not break data entry on the device. */
	if ((r = form_bundle_parse((const char *)payload, len, &parsed, e)) != 0)
		goto out;
	/* Dictionaries first: a form must never appear before what it names. */
	cJSON_ArrayForEach(d, dicts) {
		if ((r = pull_mkdir(dictdir, shared, e)) != 0)
			goto out;
		if ((text = cJSON_PrintUnformatted(d)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
		snprintf(name, sizeof(name), "%s.json", d->string);
		if ((r = pull_write_atomic(dictdir, name, text, shared, e)) != 0)
			goto out;
		cJSON_free(text);
		text = NULL;
	}
	if ((text = cJSON_PrintUnformatted(form)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	snprintf(name, sizeof(name), "%s-v%u.json", id, version);
	r = pull_write_atomic(forms_dir, name, text, shared, e);
 out:
	form_free(parsed);
	cJSON_free(text);
	cJSON_Delete(j);
	return r;
}

struct pull_known {
	char id[PULL_NAME_MAX + 1];
	uint32_t version;
};

/* Reads id/version of every built-in form (*.json directly in dir). */
static size_t
pull_scan_builtin(const char *dir, struct pull_known *k, size_t cap)
{
	DIR *d;
	struct dirent *de;
	size_t n = 0;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return 0;
	while (n < cap && (de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		uint8_t *buf = NULL;
		size_t nl = strlen(de->d_name), sz = 0;
		cJSON *j;
		const cJSON *id, *ver;

		if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (fileio_read_all(path, PULL_FILE_MAX, &buf, &sz, NULL) == 0 && sz > 0) {
			j = cJSON_ParseWithLength((const char *)buf, sz);
			id = cJSON_GetObjectItemCaseSensitive(j, "id");
			ver = cJSON_GetObjectItemCaseSensitive(j, "version");
			if (cJSON_IsString(id) && strlen(id->valuestring) <= PULL_NAME_MAX && cJSON_IsNumber(ver) &&
			    ver->valuedouble >= 0 && ver->valuedouble <= UINT32_MAX) {
				strcpy(k[n].id, id->valuestring);
				k[n].version = (uint32_t)ver->valuedouble;
				n++;
			}
			cJSON_Delete(j);
		}
		free(buf);
	}
	closedir(d);
	return n;
}

int
pull_run(struct net *n, const uint8_t hub_sign_pk[KEYS_SIGN_PK_BYTES],
    const char *db_path, const char *builtin_dir, int64_t *installed,
    struct terr *e)
{
	struct pull_known *known = NULL;
	struct net_resp resp;
	cJSON *list = NULL;
	const cJSON *it;
	char forms_dir[PATH_MAX];
	size_t nknown, seen = 0;
	int r, first_err = 0;

	*installed = 0;
	memset(&resp, 0, sizeof(resp));
	if (snprintf(forms_dir, sizeof(forms_dir), "%s.forms", db_path) >= (int)sizeof(forms_dir))
		return terr_set(e, TERR_ARG, "слишком длинный путь к базе данных");
	if ((r = net_request(n, "GET", WIRE_PATH_FORMS, NULL, NULL, 0, PULL_LIST_MAX, &resp, e)) != 0)
		goto out;
	if (resp.status != 200) {
		r = terr_set(e, TERR_IO, "хаб не отдал список форм (HTTP %ld)", resp.status);
		goto out;
	}
	list = cJSON_ParseWithLength((const char *)tbuf_ptr(resp.body), tbuf_len(resp.body));
	net_resp_free(&resp);
	if (!cJSON_IsArray(list)) {
		r = terr_set(e, TERR_PARSE, "список форм хаба: неверный JSON");
		goto out;
	}
	if ((known = calloc(PULL_BUILTIN_MAX, sizeof(*known))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	nknown = pull_scan_builtin(builtin_dir, known, PULL_BUILTIN_MAX);
	cJSON_ArrayForEach(it, list) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		const cJSON *ver = cJSON_GetObjectItemCaseSensitive(it, "version");
		char path[PATH_MAX + 128], url[256];
		const uint8_t *payload;
		size_t plen, i;
		uint32_t v;
		struct stat sb;
		struct terr ie;

		if (++seen > PULL_MAX_FORMS)
			break;
		if (!cJSON_IsString(id) || pull_check_name(id->valuestring, NULL) != 0 ||
		    !cJSON_IsNumber(ver) || ver->valuedouble < 1 || ver->valuedouble > UINT32_MAX ||
		    ver->valuedouble != (double)(uint32_t)ver->valuedouble)
			continue;
		v = (uint32_t)ver->valuedouble;
		for (i = 0; i < nknown; i++)
			if (known[i].version == v && strcmp(known[i].id, id->valuestring) == 0)
				break;
		if (i < nknown)
			continue;
		snprintf(path, sizeof(path), "%s/%s-v%u.json", forms_dir, id->valuestring, v);
		if (stat(path, &sb) == 0)
			continue;
		snprintf(url, sizeof(url), WIRE_PATH_FORMS_PREFIX "%s/%u", id->valuestring, v);
		terr_clear(&ie);
		if ((r = net_request(n, "GET", url, NULL, NULL, 0,
		    SIGBLOB_HEADER_BYTES + SIGBLOB_MAX_PAYLOAD + 64, &resp, &ie)) != 0) {
			terr_set(e, r, "%s", ie.msg);
			goto out;
		}
		if (resp.status != 200) {
			r = terr_set(&ie, TERR_IO, "форма %s v%u: хаб ответил HTTP %ld", id->valuestring, v, resp.status);
		} else if ((r = sigblob_open(tbuf_ptr(resp.body), tbuf_len(resp.body), SIGBLOB_FORM_BUNDLE,
		    hub_sign_pk, &payload, &plen, &ie)) == 0) {
			r = pull_install(forms_dir, id->valuestring, v, payload, plen, &ie);
		}
		net_resp_free(&resp);
		if (r == 0) {
			(*installed)++;
		} else if (first_err == 0) {
			/* One bad bundle must not keep the others out: report it at the end. */
			first_err = terr_set(e, r, "%s", ie.msg);
		}
	}
	r = first_err;
 out:
	net_resp_free(&resp);
	cJSON_Delete(list);
	free(known);
	return r;
}
