/*
 * hubforms — the hub's catalogue of forms and form publishing (hubforms.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "hub/hubforms.h"
#include "tetrad/fileio.h"
#include "tetrad/formfile.h"
#include "tetrad/form.h"
#include "tetrad/school.h"
#include "tetrad/sigblob.h"

#define HUBFORMS_MAX 4096
#define HUBFORMS_PATH 4096

struct hubforms {
	pthread_mutex_t mu;
	bool trusted;                     /* sign_pk set: the store's bundles load */
	uint8_t sign_pk[KEYS_SIGN_PK_BYTES];
	char published[HUBFORMS_PATH];
	char builtin_dicts[HUBFORMS_PATH];
	size_t n;
	struct form *forms[HUBFORMS_MAX];
};

static struct form *
hubforms_find(const struct hubforms *c, const char *id, uint32_t version)
{
	for (size_t i = 0; i < c->n; i++)
		if (form_version(c->forms[i]) == version && strcmp(form_id(c->forms[i]), id) == 0)
			return c->forms[i];
	return NULL;
}

/* Form ids and dictionary names become file names: [a-z0-9_] only. */
static bool
hubforms_ident_ok(const char *s)
{
	if (s[0] == '\0' || strlen(s) > CHANGESET_ID_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int
hubforms_load(const char *path, const char *dicts, const char *fallback_dicts,
    struct form **f, struct terr *e)
{
	struct terr fe;
	int r;

	terr_clear(&fe);
	r = formfile_load(path, dicts, f, &fe);
	if (r != 0 && fallback_dicts != NULL)
		r = formfile_load(path, fallback_dicts, f, &fe);
	if (r != 0)
		return terr_set(e, r, "форма %s не загружена: %s", path, fe.msg);
	return 0;
}

static int
hubforms_dir(struct hubforms *c, const char *dir, const char *fallback_dicts,
    struct terr *e)
{
	char path[HUBFORMS_PATH + 256], dicts[HUBFORMS_PATH + 8];
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return 0;
	snprintf(dicts, sizeof(dicts), "%s/dict", dir);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		struct form *f = NULL;

		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0 || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((r = hubforms_load(path, dicts, fallback_dicts, &f, e)) != 0)
			break;
		if (hubforms_find(c, form_id(f), form_version(f)) || c->n >= HUBFORMS_MAX) {
			form_free(f);
			continue;
		}
		c->forms[c->n++] = f;
	}
	closedir(d);
	return r;
}

int
hubforms_open(const char *builtin_dir, const char *published_dir,
    struct hubforms **out, struct terr *e)
{
	struct hubforms *c;
	int r;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	pthread_mutex_init(&c->mu, NULL);
	snprintf(c->published, sizeof(c->published), "%s", published_dir ? published_dir : "");
	if (builtin_dir != NULL)
		snprintf(c->builtin_dicts, sizeof(c->builtin_dicts), "%s/dict", builtin_dir);
	if ((r = hubforms_dir(c, builtin_dir, NULL, e)) != 0 ||
	    (r = hubforms_dir(c, published_dir, builtin_dir ? c->builtin_dicts : NULL,
	    e)) != 0) {
		hubforms_free(c);
		return r;
	}
	*out = c;
	return 0;
}

void
hubforms_free(struct hubforms *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		form_free(c->forms[i]);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

size_t
hubforms_count(const struct hubforms *c)
{
	return c ? c->n : 0;
}

int
hubforms_each(struct hubforms *c, int (*cb)(const char *id, uint32_t version, void *arg),
    void *arg)
{
	int r = 0;

	if (c == NULL)
		return 0;
	/* the array only grows, under the lock (hubforms_lazy) */
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->n && r == 0; i++)
		r = cb(form_id(c->forms[i]), form_version(c->forms[i]), arg);
	pthread_mutex_unlock(&c->mu);
	return r;
}

int
hubforms_share_each(struct hubforms *c, int (*cb)(const char *id, unsigned share,
    void *arg), void *arg)
{
	int r = 0;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->n && r == 0; i++) {
		bool newest = true;

		for (size_t j = 0; j < c->n && newest; j++)
			newest = j == i || strcmp(form_id(c->forms[j]), form_id(c->forms[i])) != 0 ||
			    form_version(c->forms[j]) < form_version(c->forms[i]);
		if (newest)
			r = cb(form_id(c->forms[i]), form_share(c->forms[i]), arg);
	}
	pthread_mutex_unlock(&c->mu);
	return r;
}

struct hubforms_shared {
	const char *ids[HUBFORMS_MAX];
	size_t n;
};

static int
hubforms_shared_one(const char *id, unsigned share, void *arg)
{
	struct hubforms_shared *s = arg;

	if (share != 0 && s->n < HUBFORMS_MAX)
		s->ids[s->n++] = id;
	return 0;
}

static struct form *hubforms_lazy(struct hubforms *c, const char *id, uint32_t version);

void
hubforms_trust(struct hubforms *c, const uint8_t sign_pk[KEYS_SIGN_PK_BYTES])
{
	memcpy(c->sign_pk, sign_pk, KEYS_SIGN_PK_BYTES);
	c->trusted = true;
}

struct hubforms_sync_ctx {
	struct hubforms *c;
	struct hubdb *db;
	struct tbuf *blob;
	struct terr *e;
};

/* A stored bundle as a form of id and version; NULL when it is not one. */
static struct form *
hubforms_from_store(struct hubforms_sync_ctx *s, const char *id, uint32_t version, int *r)
{
	const uint8_t *payload;
	struct form *f = NULL;
	struct terr fe;
	size_t plen;
	bool found = false;

	tbuf_reset(s->blob);
	if ((*r = hubdb_form_get(s->db, id, version, s->blob, &found, s->e)) != 0 || !found)
		return NULL;
	if (sigblob_open(tbuf_ptr(s->blob), tbuf_len(s->blob), SIGBLOB_FORM_BUNDLE,
	    s->c->sign_pk, &payload, &plen, &fe) != 0 ||
	    form_bundle_parse((const char *)payload, plen, &f, &fe) != 0)
		return NULL;
	if (form_version(f) != version || strcmp(form_id(f), id) != 0) {
		form_free(f);
		return NULL;
	}
	return f;
}

static int
hubforms_sync_one(void *ctx, size_t n, const struct hubdb_col *cols)
{
	struct hubforms_sync_ctx *s = ctx;
	const struct hubdb_col *id = hubdb_col_find(n, cols, "id");
	const struct hubdb_col *ver = hubdb_col_find(n, cols, "version");
	struct form *f;
	bool have;
	int r = 0;

	if (id == NULL || id->type != HUBDB_COL_TEXT || ver == NULL ||
	    ver->type != HUBDB_COL_INT || ver->i < 0 || ver->i > UINT32_MAX)
		return 0;
	pthread_mutex_lock(&s->c->mu);
	have = hubforms_find(s->c, id->s, (uint32_t)ver->i) != NULL ||
	    hubforms_lazy(s->c, id->s, (uint32_t)ver->i) != NULL;
	pthread_mutex_unlock(&s->c->mu);
	if (have || !s->c->trusted)
		return 0;
	/* parsed outside the lock; another thread may have loaded it meanwhile */
	if ((f = hubforms_from_store(s, id->s, (uint32_t)ver->i, &r)) == NULL)
		return r;
	pthread_mutex_lock(&s->c->mu);
	if (hubforms_find(s->c, id->s, (uint32_t)ver->i) == NULL && s->c->n < HUBFORMS_MAX) {
		s->c->forms[s->c->n++] = f;
		f = NULL;
	}
	pthread_mutex_unlock(&s->c->mu);
	form_free(f);
	return 0;
}

int
hubforms_sync(struct hubforms *c, struct hubdb *db, struct terr *e)
{
	struct hubforms_sync_ctx s = { c, db, NULL, e };
	int r;

	if (c == NULL)
		return 0;
	if ((s.blob = tbuf_new(SIGBLOB_MAX_PAYLOAD + 1024)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	r = hubdb_list(db, HUBDB_LIST_FORMS, hubforms_sync_one, &s, e);
	tbuf_free(s.blob);
	return r;
}

int
hubforms_feed_forms(struct hubforms *c, struct hubdb *db, struct terr *e)
{
	struct hubforms_shared *s;
	uint64_t tag;
	int r;

	if (c == NULL)
		return 0;
	/*
	 * Another hub process on the store may have published a version this
	 * one has not loaded: the set this writer tells is the store's, not
	 * only this process's (the forms only grow, so under the write lock a
	 * catalogue caught up here is never behind another's).
	 */
	if (!hubdb_forms_seen(db) && (r = hubforms_sync(c, db, e)) != 0)
		return r;
	/* the catalogue only grows: its size names the set it makes */
	pthread_mutex_lock(&c->mu);
	tag = (uint64_t)c->n + 1;
	pthread_mutex_unlock(&c->mu);
	if (hubdb_feed_forms_tag(db) == tag)
		return 0;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	/* ids stay valid: a loaded form is freed only with the catalogue; a form
	 * loaded between the two locks makes the next call number again */
	(void)hubforms_share_each(c, hubforms_shared_one, s);
	r = hubdb_feed_forms(db, s->ids, s->n, tag, e);
	free(s);
	return r;
}

/* A version published while the hub runs: DIR/forms/<id>-v<version>.json. */
static struct form *
hubforms_lazy(struct hubforms *c, const char *id, uint32_t version)
{
	char path[HUBFORMS_PATH + 128], dicts[HUBFORMS_PATH + 8];
	struct form *f = NULL;
	struct terr e;

	if (c->published[0] == '\0' || !hubforms_ident_ok(id) || c->n >= HUBFORMS_MAX)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s-v%" PRIu32 ".json", c->published, id, version);
	if (access(path, R_OK) != 0)
		return NULL;
	snprintf(dicts, sizeof(dicts), "%s/dict", c->published);
	if (hubforms_load(path, dicts, c->builtin_dicts[0] ? c->builtin_dicts : NULL, &f,
	    &e) != 0)
		return NULL;
	if (form_version(f) != version || strcmp(form_id(f), id) != 0) {
		form_free(f);
		return NULL;
	}
	c->forms[c->n++] = f;
	return f;
}

bool
hubforms_knows(struct hubforms *c, const char *id, uint32_t version)
{
	const struct form *f;

	if (c == NULL)
		return false;
	pthread_mutex_lock(&c->mu);
	if ((f = hubforms_find(c, id, version)) == NULL)
		f = hubforms_lazy(c, id, version);
	pthread_mutex_unlock(&c->mu);
	return f != NULL;
}

/*
 * A form with a school field (form_school_field: a curator's visit names the
 * school visited) files its record by that field: the op must be sent as a
 * record of exactly that school, or a modified client could file a visit to
 * one school under another it is allowed to write. Whether the school is
 * one of the device's is ingest's check, for every op.
 */
static int
hubforms_check_school(const struct form *f, const struct op *op, char *why, size_t cap)
{
	const struct form_field *sf = form_school_field(f);
	const cJSON *v;

	if (sf == NULL)
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(op->fields, sf->id);
	if (cJSON_IsString(v) && strcmp(v->valuestring, op->school) == 0)
		return 0;
	/* the reason is stored at the hub: a value is quoted only when it is a
	 * school code, never free text someone typed into the field */
	if (cJSON_IsString(v) && school_code_ok(v->valuestring))
		snprintf(why, cap, "форма «%s»: поле «%s» называет школу %s, а запись подана "
		    "как запись школы %s; школа записи — значение этого поля", op->form_id,
		    sf->label, v->valuestring, op->school);
	else
		snprintf(why, cap, "форма «%s»: в поле «%s» не код школы, а запись подана как "
		    "запись школы %s; школа записи — значение этого поля", op->form_id,
		    sf->label, op->school);
	return TERR_INVALID;
}

/* form_validate's verdict on values into why: its problems, or a sentence. */
static int
hubforms_validate(const struct form *f, const struct op *op, const cJSON *values,
    enum form_mode mode, char *why, size_t cap, struct terr *e)
{
	struct form_problems *p = NULL;
	size_t used = 0;
	int r = form_validate(f, values, mode, &p, e);

	if (r == TERR_INVALID && p != NULL) {
		snprintf(why, cap, "форма «%s»: ", op->form_id);
		used = strlen(why);
		for (size_t i = 0; i < p->n && used + 8 < cap; i++) {
			snprintf(why + used, cap - used, "%s%s", i ? "; " : "", p->items[i].message);
			used = strlen(why);
		}
	} else if (r == TERR_INVALID)
		snprintf(why, cap, "форма «%s»: данные не прошли проверку", op->form_id);
	form_problems_free(p);
	return r;
}

/*
 * An edit carries only the fields it changed, so it is checked field by
 * field: each value by itself as a draft's would be (types, ranges, lengths,
 * choices, unknown fields; null is an answer removed), nothing local, and a
 * school field, when it is among them, still naming the op's school. Not
 * "required" nor rules between fields: those need the whole record, which
 * the device checked when it finalised the edit.
 */
static int
hubforms_check_edit(const struct form *f, const struct op *op, char *why, size_t cap,
    struct terr *e)
{
	const struct form_field *sf = form_school_field(f);
	cJSON *hub = NULL;
	int r;

	if ((r = hubforms_validate(f, op, op->fields, FORM_DRAFT, why, cap, e)) != 0)
		return r;
	/* what may leave a device, recursing into groups: anything more is local */
	if ((hub = form_strip_local(f, op->fields)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if (!cJSON_Compare(hub, op->fields, 1)) {
		snprintf(why, cap, "форма «%s»: правка несёт локальное поле, а оно не должно "
		    "покидать устройство", op->form_id);
		r = TERR_INVALID;
	}
	cJSON_Delete(hub);
	if (r == 0 && sf != NULL && cJSON_GetObjectItemCaseSensitive(op->fields, sf->id) != NULL)
		r = hubforms_check_school(f, op, why, cap);
	return r;
}

int
hubforms_check_op(struct hubforms *c, const struct op *op, char *why, size_t cap,
    struct terr *e)
{
	const struct form *f;
	int r;

	why[0] = '\0';
	pthread_mutex_lock(&c->mu);
	if ((f = hubforms_find(c, op->form_id, op->form_version)) == NULL)
		f = hubforms_lazy(c, op->form_id, op->form_version);
	pthread_mutex_unlock(&c->mu);
	if (f == NULL) {
		snprintf(why, cap, "форма «%s» версии %" PRIu32 " хабу неизвестна",
		    op->form_id, op->form_version);
		/* not the record's fault: it may go again once the form is here */
		return TERR_NOTFOUND;
	}
	if (op->kind == OP_DELETE)
		return 0;
	/* forms are immutable once loaded: validation needs no lock */
	if (op->kind == OP_EDIT)
		return hubforms_check_edit(f, op, why, cap, e);
	r = hubforms_validate(f, op, op->fields, FORM_HUB, why, cap, e);
	if (r == 0)
		r = hubforms_check_school(f, op, why, cap);
	return r;
}

/* A form or dictionary file as text (fileio_read_all, NUL-terminated). */
static int
hubforms_read(const char *path, char **out, size_t *len, struct terr *e)
{
	uint8_t *buf = NULL;
	int r = fileio_read_all(path, FORM_MAX_BYTES, &buf, len, e);

	*out = (char *)buf;
	return r;
}

/* Collects the dictionary names a definition refers to. */
static void
hubforms_dict_names(const cJSON *node, cJSON *names)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, node) {
		if (it->string != NULL && cJSON_IsString(it) &&
		    (strcmp(it->string, "dictionary") == 0 ||
		    strcmp(it->string, "per_dictionary") == 0) &&
		    cJSON_GetObjectItemCaseSensitive(names, it->valuestring) == NULL)
			cJSON_AddNullToObject(names, it->valuestring);
		if (cJSON_IsObject(it) || cJSON_IsArray(it))
			hubforms_dict_names(it, names);
	}
}


int
hubforms_publish(struct hubdb *db, const struct keys_sign *sign, const char *file,
    const char *builtin_dir, const char *published_dir, char id_out[CHANGESET_ID_MAX + 1],
    uint32_t *version_out, struct terr *e)
{
	struct hubforms *cat = NULL;
	struct form *f = NULL;
	struct tbuf *blob = NULL;
	cJSON *doc = NULL, *bundle = NULL, *dicts = NULL, *names = NULL;
	const cJSON *embedded, *it;
	char *json = NULL, *payload = NULL;
	char pdicts[HUBFORMS_PATH + 8], bdicts[HUBFORMS_PATH + 8], path[HUBFORMS_PATH + 300];
	char sha_hex[crypto_hash_sha256_BYTES * 2 + 1];
	uint8_t sha[crypto_hash_sha256_BYTES];
	size_t len = 0;
	int r;

	snprintf(pdicts, sizeof(pdicts), "%s/dict", published_dir);
	snprintf(bdicts, sizeof(bdicts), "%s/dict", builtin_dir ? builtin_dir : ".");
	if ((r = hubforms_read(file, &json, &len, e)) != 0)
		return r;
	if ((r = hubforms_load(file, pdicts, builtin_dir ? bdicts : NULL, &f, e)) != 0) {
		/* the file itself was read above: what failed to read now is a
		 * dictionary it names, which is the file's fault, not the hub's */
		if (r == TERR_IO && e != NULL)
			r = e->code = TERR_FORM;
		goto out;
	}
	if (!hubforms_ident_ok(form_id(f))) {
		r = terr_set(e, TERR_FORM, "id формы «%s» недопустим для публикации: латинские "
		    "строчные буквы, цифры и _", form_id(f));
		goto out;
	}
	if ((r = hubforms_open(builtin_dir, published_dir, &cat, e)) != 0)
		goto out;
	if (hubforms_find(cat, form_id(f), form_version(f)) != NULL) {
		r = terr_set(e, TERR_FORM, "форма «%s» версии %" PRIu32 " уже есть на хабе: "
		    "увеличьте version в файле", form_id(f), form_version(f));
		goto out;
	}
	r = TERR_NOMEM;
	if ((doc = cJSON_ParseWithLength(json, len)) == NULL ||
	    (bundle = cJSON_CreateObject()) == NULL || (names = cJSON_CreateObject()) == NULL)
		goto nomem;
	hubforms_dict_names(doc, names);
	embedded = cJSON_GetObjectItemCaseSensitive(doc, "dictionaries");
	if ((dicts = cJSON_CreateObject()) == NULL)
		goto nomem;
	cJSON_ArrayForEach(it, names) {
		char *dtext;
		size_t dlen;
		cJSON *d;

		if (cJSON_GetObjectItemCaseSensitive(embedded, it->string) != NULL)
			continue;
		if (!hubforms_ident_ok(it->string)) {
			r = terr_set(e, TERR_FORM, "имя словаря «%.64s» недопустимо", it->string);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s.json", pdicts, it->string);
		if (access(path, R_OK) != 0)
			snprintf(path, sizeof(path), "%s/%s.json", bdicts, it->string);
		if ((r = hubforms_read(path, &dtext, &dlen, e)) != 0) {
			if (r == TERR_IO && e != NULL)
				r = e->code = TERR_FORM;
			goto out;
		}
		d = cJSON_ParseWithLength(dtext, dlen);
		free(dtext);
		if (d == NULL) {
			r = terr_set(e, TERR_FORM, "словарь %s не является JSON", path);
			goto out;
		}
		cJSON_AddItemToObject(dicts, it->string, d);
	}
	cJSON_AddItemToObject(bundle, "form", doc);
	doc = NULL;
	cJSON_AddItemToObject(bundle, "dictionaries", dicts);
	dicts = NULL;
	if ((payload = cJSON_PrintUnformatted(bundle)) == NULL ||
	    (blob = tbuf_new(SIGBLOB_MAX_PAYLOAD + 128)) == NULL)
		goto nomem;
	/* Devices refuse a bundle that does not parse on its own; find out here,
	 * before it is signed, rather than on every device at night. */
	form_free(f);
	f = NULL;
	if ((r = form_bundle_parse(payload, strlen(payload), &f, e)) != 0)
		goto out;
	if ((r = sigblob_sign(SIGBLOB_FORM_BUNDLE, (const uint8_t *)payload, strlen(payload),
	    sign, blob, e)) != 0)
		goto out;
	crypto_hash_sha256(sha, (const uint8_t *)payload, strlen(payload));
	keys_hex(sha, sizeof(sha), sha_hex);
	snprintf(path, sizeof(path), "%s/%s-v%" PRIu32 ".json", published_dir, form_id(f),
	    form_version(f));
	/*
	 * The row first, in a write transaction held until the file is written:
	 * a second publication of this version waits for the lock, then finds
	 * the row and fails before it touches the file.
	 */
	if ((r = hubdb_begin(db, e)) != 0)
		goto out;
	if ((r = hubdb_form_put(db, form_id(f), form_version(f), sha_hex, tbuf_ptr(blob),
	    tbuf_len(blob), e)) != 0 || (r = fileio_write_private(path, json, len, e)) != 0) {
		hubdb_rollback(db);
		goto out;
	}
	if ((r = hubdb_commit(db, e)) != 0) {
		unlink(path);
		goto out;
	}
	snprintf(id_out, CHANGESET_ID_MAX + 1, "%s", form_id(f));
	*version_out = form_version(f);
	r = 0;
	goto out;
 nomem:
	r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
 out:
	cJSON_free(payload);
	cJSON_Delete(doc);
	cJSON_Delete(bundle);
	cJSON_Delete(dicts);
	cJSON_Delete(names);
	tbuf_free(blob);
	hubforms_free(cat);
	form_free(f);
	free(json);
	return r;
}
