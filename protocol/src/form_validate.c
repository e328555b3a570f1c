/*
 * form_validate — judging record values by a form: every problem at once,
 * each named by the field's Russian label (one value by itself is judged in
 * form_value.c); stripping the fields that must stay on the device.
 * Values are typed JSON: what a person typed is converted by the client.
 *
 * The same code runs on the device (draft/final) and at the hub (FORM_HUB),
 * so a record the device accepted is accepted at the hub and vice versa.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/form.h"
#include "form_value.h"

#define FORM_CTX_MAX 768
#define FORM_PATH_MAX 256

struct fv {
	const struct form *f;
	enum form_mode mode;
	struct form_problems *pr;
	size_t cap;
	int nomem;
	int full;
	const cJSON *scopes[FORM_MAX_DEPTH + 1];
};


static int
form_problem_add(struct fv *v, const char *path, const char *msg)
{
	struct form_problem *it;

	if (v->nomem || v->full)
		return 0;
	if (v->pr == NULL && (v->pr = calloc(1, sizeof(*v->pr))) == NULL)
		goto out;
	if (v->pr->n + 1 >= FORM_MAX_PROBLEMS) {
		/* the last slot tells that there were more */
		path = "";
		msg = "Ошибок слишком много: показаны только первые";
		v->full = 1;
	}
	if (v->pr->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 8;

		if ((it = realloc(v->pr->items, nc * sizeof(*it))) == NULL)
			goto out;
		v->pr->items = it;
		v->cap = nc;
	}
	it = &v->pr->items[v->pr->n];
	it->path = strdup(path);
	it->message = strdup(msg);
	if (it->message != NULL)
		terr_utf8_trim(it->message);
	if (it->path == NULL || it->message == NULL) {
		free(it->path);
		free(it->message);
		goto out;
	}
	v->pr->n++;
	return 0;
 out:
	/* only failures get here: remember, so the caller reports TERR_NOMEM */
	v->nomem = 1;
	return TERR_NOMEM;
}

/* "<label><ctx>: <text>" */
static void
form_problem_field(struct fv *v, const struct form_field *fl, const char *ctx,
    const char *path, const char *text)
{
	char msg[FORM_LABEL_MAX + FORM_CTX_MAX + 512];

	snprintf(msg, sizeof(msg), "%s%s: %s", fl->label, ctx, text);
	form_problem_add(v, path, msg);
}

void
form_problems_free(struct form_problems *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].path);
		free(p->items[i].message);
	}
	free(p->items);
	free(p);
}

/* ---------- conditions ---------- */

static int
form_scalar_eq(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsString(a) && cJSON_IsString(b))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	return 0;
}

/* -1: cannot tell (scope missing), 0: does not hold, 1: holds */
static int
form_cond_eval(const struct form_cond *c, const cJSON *const *scopes, size_t n)
{
	const cJSON *val, *x;

	if (c->field == NULL || c->target == NULL)
		return 0;
	if (c->depth >= n || scopes[c->depth] == NULL ||
	    !cJSON_IsObject(scopes[c->depth]))
		return -1;
	val = cJSON_GetObjectItemCaseSensitive(scopes[c->depth], c->target->id);
	if (val == NULL || cJSON_IsNull(val))
		return 0;
	for (x = c->values->child; x != NULL; x = x->next) {
		if (cJSON_IsArray(val)) {
			for (const cJSON *m = val->child; m != NULL; m = m->next)
				if (form_scalar_eq(m, x))
					return 1;
		} else if (form_scalar_eq(val, x))
			return 1;
	}
	return 0;
}

bool
form_relevant_in(const struct form_field *field, const cJSON *const *scopes,
    size_t n)
{
	if (field == NULL || field->relevant.field == NULL)
		return true;
	/* with part of the picture missing, show the field rather than hide it */
	return form_cond_eval(&field->relevant, scopes, n) != 0;
}

bool
form_required_if_in(const struct form_field *field, const cJSON *const *scopes,
    size_t n)
{
	if (field == NULL || field->required_if.field == NULL)
		return false;
	return form_cond_eval(&field->required_if, scopes, n) == 1;
}

bool
form_relevant(const struct form *f, const struct form_field *field,
    const cJSON *scope)
{
	const cJSON *scopes[FORM_MAX_DEPTH + 1] = { NULL };

	(void)f;
	if (field == NULL || field->depth > FORM_MAX_DEPTH)
		return true;
	scopes[field->depth] = scope;
	return form_relevant_in(field, scopes, field->depth + 1);
}

/* ---------- one value ---------- */
/* ---------- objects and groups ---------- */

static void form_validate_object(struct fv *v, const struct form_field *fs,
    size_t n, const cJSON *obj, unsigned depth, const char *path,
    const char *ctx);

/* prefix.id, cut to sz; made for every field of every record, so no printf */
static void
form_path(char *out, size_t sz, const char *prefix, const char *id)
{
	size_t pl = strlen(prefix), il = strlen(id), at = 0;

	if (sz == 0)
		return;
	if (pl > 0) {
		at = pl < sz - 1 ? pl : sz - 1;
		memcpy(out, prefix, at);
		if (at < sz - 1)
			out[at++] = '.';
	}
	if (il > sz - 1 - at)
		il = sz - 1 - at;
	memcpy(out + at, id, il);
	out[at + il] = '\0';
}

/* value compared with the field it may not exceed / fall below */
static void
form_check_ref(struct fv *v, const struct form_field *fl, const cJSON *val,
    const struct form_ref *ref, int is_max, const char *ctx, const char *path,
    unsigned depth)
{
	const cJSON *other;
	double a, b;
	char text[FORM_LABEL_MAX + 128];

	if (ref->field == NULL || ref->target == NULL || ref->depth > depth ||
	    v->scopes[ref->depth] == NULL)
		return;
	other = cJSON_GetObjectItemCaseSensitive(v->scopes[ref->depth],
	    ref->target->id);
	if (other == NULL || cJSON_IsNull(other))
		return;
	if (fl->type == FORM_DATE) {
		long da, db;

		if (!cJSON_IsString(val) || !cJSON_IsString(other) ||
		    form_date_days(val->valuestring, &da) != 0 ||
		    form_date_days(other->valuestring, &db) != 0)
			return;
		a = (double)da;
		b = (double)db;
	} else {
		if (!cJSON_IsNumber(val) || !cJSON_IsNumber(other))
			return;
		a = val->valuedouble;
		b = other->valuedouble;
	}
	/* the other field's value stays out: messages name fields and rules only */
	if (is_max && a > b)
		snprintf(text, sizeof(text), "не может быть %s, чем «%s»",
		    fl->type == FORM_DATE ? "позже" : "больше", ref->target->label);
	else if (!is_max && a < b)
		snprintf(text, sizeof(text), "не может быть %s, чем «%s»",
		    fl->type == FORM_DATE ? "раньше" : "меньше", ref->target->label);
	else
		return;
	form_problem_field(v, fl, ctx, path, text);
}

/* The entry of a per-dictionary group's dictionary with this code, or NULL. */
static const struct form_choice *
form_dict_entry(const struct form_dictionary *d, const char *code)
{
	for (size_t i = 0; d != NULL && code != NULL && i < d->n_entries; i++)
		if (strcmp(d->entries[i].code, code) == 0)
			return &d->entries[i];
	return NULL;
}

static void
form_validate_group(struct fv *v, const struct form_field *g, const cJSON *arr,
    unsigned depth, const char *path, const char *ctx)
{
	const struct form_field *key = NULL;
	const struct form_dictionary *dict = NULL;
	size_t n, i = 0;
	char text[FORM_LABEL_MAX + 256];

	if (!cJSON_IsArray(arr)) {
		form_problem_field(v, g, ctx, path, "нужен список записей");
		return;
	}
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > g->max_items) {
		snprintf(text, sizeof(text), "не больше %zu %s (сейчас %zu)",
		    g->max_items, form_value_plural(g->max_items, "записи", "записей",
		    "записей"), n);
		form_problem_field(v, g, ctx, path, text);
	}
	if (n < g->min_items && v->mode != FORM_DRAFT) {
		snprintf(text, sizeof(text), "не меньше %zu %s (сейчас %zu)",
		    g->min_items, form_value_plural(g->min_items, "записи", "записей",
		    "записей"), n);
		form_problem_field(v, g, ctx, path, text);
	}
	if (g->item_key != NULL) {
		key = form_field_child(g, g->item_key);
		dict = form_dictionary_find(v->f, g->per_dictionary);
	}
	for (const cJSON *it = arr->child; it != NULL && i < g->max_items &&
	    i < FORM_MAX_REPEAT; it = it->next, i++) {
		char ipath[FORM_PATH_MAX], ictx[FORM_CTX_MAX];
		const char *inner = ctx[0] == '\0' ? "" : ctx + 2;
		const cJSON *kv = NULL;
		const struct form_choice *entry = NULL;
		size_t il = strlen(inner);

		/* inner is " (…)" of the outer level without " (" and ")" */
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (key != NULL && cJSON_IsObject(it) &&
		    (kv = cJSON_GetObjectItemCaseSensitive(it, key->id)) != NULL &&
		    cJSON_IsString(kv))
			entry = form_dict_entry(dict, kv->valuestring);
		if (entry != NULL)
			snprintf(ictx, sizeof(ictx), " (%.*s%s%s: «%s»)",
			    (int)(il ? il - 1 : 0), inner, il ? "; " : "", g->label,
			    entry->label);
		else
			snprintf(ictx, sizeof(ictx), " (%.*s%s%s, запись %zu)",
			    (int)(il ? il - 1 : 0), inner, il ? "; " : "", g->label,
			    i + 1);
		/* long labels may not fit: never end inside a letter */
		terr_utf8_trim(ictx);
		if (!cJSON_IsObject(it)) {
			form_problem_field(v, g, ictx, ipath, "запись должна быть "
			    "объектом");
			continue;
		}
		form_validate_object(v, g->children, g->n_children, it, depth + 1,
		    ipath, ictx);
	}
	/* per dictionary: each entry once, and in a final record every entry */
	if (key != NULL && key->type == FORM_TEXT) {
		/* a text key is not checked by its own field: check the code */
		i = 0;
		for (const cJSON *it = arr->child; it != NULL && i < g->max_items;
		    it = it->next, i++) {
			const cJSON *kv = cJSON_GetObjectItemCaseSensitive(it, key->id);
			char ipath[FORM_PATH_MAX];

			if (!cJSON_IsString(kv))
				continue;
			snprintf(ipath, sizeof(ipath), "%s[%zu].%s", path, i, key->id);
			if (form_dict_entry(dict, kv->valuestring) == NULL) {
				char ictx[FORM_CTX_MAX];

				snprintf(ictx, sizeof(ictx), " (%s, запись %zu)",
				    g->label, i + 1);
				snprintf(text, sizeof(text), "такого кода нет в словаре "
				    "«%s»", dict ? dict->title : g->per_dictionary);
				form_problem_field(v, key, ictx, ipath, text);
			}
		}
	}
	if (key != NULL && dict != NULL) {
		const struct form_choice *entries = dict->entries;
		size_t ne = dict->n_entries;

		for (size_t k = 0; k < ne; k++) {
			size_t seen = 0;

			i = 0;
			for (const cJSON *it = arr->child; it != NULL &&
			    i < g->max_items; it = it->next, i++) {
				const cJSON *kv = cJSON_IsObject(it) ?
				    cJSON_GetObjectItemCaseSensitive(it, key->id) : NULL;

				if (cJSON_IsString(kv) &&
				    strcmp(kv->valuestring, entries[k].code) == 0)
					seen++;
			}
			if (seen > 1) {
				snprintf(text, sizeof(text), "запись для «%s» повторяется "
				    "(%zu %s)", entries[k].label, seen, form_value_plural(seen,
				    "запись", "записи", "записей"));
				form_problem_field(v, g, ctx, path, text);
			} else if (seen == 0 && v->mode != FORM_DRAFT) {
				snprintf(text, sizeof(text), "нет записи для «%s» (%s)",
				    entries[k].label, entries[k].code);
				form_problem_field(v, g, ctx, path, text);
			}
		}
	}
}

static int
form_key_printable(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FORM_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/*
 * Each member of obj to its field, in one pass (vals[i] the value of fs[i],
 * dups[i] set for two values of one field); the unknown members reported
 * first: they usually explain the rest.
 */
static void
form_validate_match(struct fv *v, const struct form_field *fs, size_t n,
    const cJSON *obj, const char *path, const char *ctx, const cJSON **vals,
    unsigned char *dups)
{
	char fpath[FORM_PATH_MAX], text[FORM_LABEL_MAX + 256];

	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		size_t i;
		const char *name = m->string ? m->string : "";

		for (i = 0; i < n; i++)
			if (strcmp(fs[i].id, name) == 0)
				break;
		if (i < n) {
			if (vals[i] != NULL)
				dups[i] = 1;
			else
				vals[i] = m;
			continue;
		}
		if (v->full || v->nomem)
			continue;
		if (form_key_printable(name)) {
			form_path(fpath, sizeof(fpath), path, name);
			snprintf(text, sizeof(text), "Неизвестное поле «%s»%s: в форме "
			    "его нет", name, ctx);
		} else {
			form_path(fpath, sizeof(fpath), path, "?");
			snprintf(text, sizeof(text), "Неизвестное поле с недопустимым "
			    "именем%s: в форме его нет", ctx);
		}
		form_problem_add(v, fpath, text);
	}
}

/*
 * A relevant field without an answer (val absent, null, "" or []): required,
 * required_if, and a group that must still have its items. -1 on no memory.
 */
static int
form_validate_absent(struct fv *v, const struct form_field *fl, const cJSON *val,
    unsigned depth, const char *fpath, const char *ctx)
{
	char text[FORM_LABEL_MAX + 256];
	int req = fl->required || form_required_if_in(fl, v->scopes, depth + 1);

	/* «затрудняюсь ответить» is an answer */
	if (fl->type == FORM_SCALE && fl->no_answer && val != NULL)
		return 0;
	if (fl->type == FORM_GROUP && v->mode != FORM_DRAFT &&
	    (fl->min_items > 0 || fl->item_key != NULL) &&
	    (req || fl->item_key != NULL || fl->min_items > 0)) {
		cJSON *empty = cJSON_CreateArray();

		if (empty == NULL) {
			v->nomem = 1;
			return -1;
		}
		form_validate_group(v, fl, empty, depth, fpath, ctx);
		cJSON_Delete(empty);
		return 0;
	}
	if (!req || v->mode == FORM_DRAFT)
		return 0;
	if (fl->required)
		form_problem_field(v, fl, ctx, fpath, "обязательное поле");
	else {
		char *cd = form_cond_describe(&fl->required_if);

		snprintf(text, sizeof(text), "обязательное поле, если %s",
		    cd ? cd : "выполнено условие формы");
		free(cd);
		form_problem_field(v, fl, ctx, fpath, text);
	}
	return 0;
}

/* Whether val answers fl: "" and [] answer nothing (a CSV cell or a form left empty). */
static int
form_validate_present(const struct form_field *fl, const cJSON *val)
{
	return val != NULL && !cJSON_IsNull(val) &&
	    !(fl->type == FORM_TEXT && cJSON_IsString(val) &&
	    val->valuestring != NULL && val->valuestring[0] == '\0') &&
	    !((fl->type == FORM_MULTI || fl->type == FORM_GROUP) &&
	    cJSON_IsArray(val) && val->child == NULL);
}

static void
form_validate_object(struct fv *v, const struct form_field *fs, size_t n,
    const cJSON *obj, unsigned depth, const char *path, const char *ctx)
{
	char fpath[FORM_PATH_MAX], text[FORM_LABEL_MAX + 256];
	const cJSON **vals = NULL;
	unsigned char *dups;
	size_t members = 0;

	v->scopes[depth] = obj;
	for (size_t k = depth + 1; k <= FORM_MAX_DEPTH; k++)
		v->scopes[k] = NULL;
	/* a record holds at most one member per field: far more is an
	 * attack on our time (fields × members), not a typo */
	for (const cJSON *m = obj->child; m != NULL; m = m->next)
		if (++members > 4 * (size_t)FORM_MAX_FIELDS) {
			snprintf(text, sizeof(text), "Слишком много полей в "
			    "записи%s: больше %d", ctx, 4 * FORM_MAX_FIELDS);
			form_problem_add(v, path, text);
			return;
		}
	if (n > 0 && (vals = calloc(n, sizeof(*vals) + 1)) == NULL) {
		v->nomem = 1;
		return;
	}
	dups = n > 0 ? (unsigned char *)(vals + n) : NULL;
	form_validate_match(v, fs, n, obj, path, ctx, vals, dups);
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fl = &fs[i];
		const cJSON *val = vals[i];

		form_path(fpath, sizeof(fpath), path, fl->id);
		if (dups[i]) {
			form_problem_field(v, fl, ctx, fpath, "значение указано дважды");
			continue;
		}
		if (v->mode == FORM_HUB && fl->sync == FORM_SYNC_LOCAL) {
			if (val != NULL)
				form_problem_field(v, fl, ctx, fpath, "локальное поле не "
				    "должно покидать устройство");
			continue;
		}
		if (!form_relevant_in(fl, v->scopes, depth + 1)) {
			if (form_validate_present(fl, val)) {
				char *cd = form_cond_describe(&fl->relevant);

				snprintf(text, sizeof(text), "заполняется, только если %s",
				    cd ? cd : "выполнено условие формы");
				free(cd);
				form_problem_field(v, fl, ctx, fpath, text);
			}
			continue;
		}
		if (!form_validate_present(fl, val)) {
			if (form_validate_absent(v, fl, val, depth, fpath, ctx) != 0)
				break;
			continue;
		}
		if (fl->type == FORM_GROUP) {
			form_validate_group(v, fl, val, depth, fpath, ctx);
			/* the group walk reused deeper scopes: restore ours */
			v->scopes[depth] = obj;
			continue;
		}
		if (form_value_check(fl, val, text, sizeof(text)) != 0) {
			form_problem_field(v, fl, ctx, fpath, text);
			continue;
		}
		form_check_ref(v, fl, val, &fl->max_field, 1, ctx, fpath, depth);
		form_check_ref(v, fl, val, &fl->min_field, 0, ctx, fpath, depth);
	}
	free(vals);
}

int
form_validate(const struct form *f, const cJSON *values, enum form_mode mode,
    struct form_problems **out, struct terr *e)
{
	struct fv v;
	size_t n;

	if (out == NULL || f == NULL)
		return terr_set(e, TERR_ARG, "form_validate: NULL argument");
	*out = NULL;
	if (mode != FORM_DRAFT && mode != FORM_FINAL && mode != FORM_HUB)
		return terr_set(e, TERR_ARG, "form_validate: unknown mode");
	memset(&v, 0, sizeof(v));
	v.f = f;
	v.mode = mode;
	if (!cJSON_IsObject(values))
		form_problem_add(&v, "", "Данные записи должны быть JSON-объектом "
		    "с полями формы");
	else {
		/* form_field_at gives the contiguous top-level array */
		n = form_n_fields(f);
		form_validate_object(&v, n ? form_field_at(f, 0) : NULL, n, values,
		    0, "", "");
	}
	if (v.nomem) {
		form_problems_free(v.pr);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	if (v.pr == NULL || v.pr->n == 0) {
		form_problems_free(v.pr);
		return 0;
	}
	*out = v.pr;
	if (v.pr->n == 1)
		return terr_set(e, TERR_INVALID, "Форма «%s»: %s", form_title(f),
		    v.pr->items[0].message);
	return terr_set(e, TERR_INVALID, "Форма «%s»: %zu %s, первая: %s",
	    form_title(f), v.pr->n, form_value_plural(v.pr->n, "ошибка", "ошибки",
	    "ошибок"), v.pr->items[0].message);
}

/* ---------- stripping local fields ---------- */

static cJSON *
form_strip_object(const struct form_field *fs, size_t n, const cJSON *obj)
{
	cJSON *o = cJSON_CreateObject(), *ret = NULL;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fl = &fs[i];
		const cJSON *val;
		cJSON *c;

		if (fl->sync == FORM_SYNC_LOCAL)
			continue;
		val = cJSON_GetObjectItemCaseSensitive(obj, fl->id);
		if (val == NULL)
			continue;
		if (fl->type == FORM_GROUP && cJSON_IsArray(val)) {
			if ((c = cJSON_CreateArray()) == NULL)
				goto out;
			for (const cJSON *it = val->child; it; it = it->next) {
				cJSON *s = cJSON_IsObject(it) ?
				    form_strip_object(fl->children, fl->n_children, it) :
				    cJSON_Duplicate(it, 1);

				if (s == NULL || !cJSON_AddItemToArray(c, s)) {
					cJSON_Delete(s);
					cJSON_Delete(c);
					goto out;
				}
			}
		} else if ((c = cJSON_Duplicate(val, 1)) == NULL)
			goto out;
		if (!cJSON_AddItemToObject(o, fl->id, c)) {
			cJSON_Delete(c);
			goto out;
		}
	}
	ret = o;
	o = NULL;
 out:
	cJSON_Delete(o);
	return ret;
}

cJSON *
form_strip_local(const struct form *f, const cJSON *values)
{
	size_t n = form_n_fields(f);

	if (f == NULL)
		return NULL;
	if (!cJSON_IsObject(values))
		return cJSON_CreateObject();
	return form_strip_object(n ? form_field_at(f, 0) : NULL, n, values);
}
