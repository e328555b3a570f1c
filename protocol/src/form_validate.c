/*
 * form_validate — judging record values by a form: every problem at once,
 * each named by the field's Russian label; converting what a person typed
 * into a value; stripping the fields that must stay on the device.
 *
 * The same code runs on the device (draft/final) and at the hub (FORM_HUB),
 * so a record the device accepted is accepted at the hub and vice versa.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/form.h"

/* Integers must be exact in a double. */
#define FORM_INT_LIMIT 9007199254740992.0
/* Bytes of a typed value echoed back in a message. */
#define FORM_ECHO_MAX 60
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

/* ---------- messages ---------- */


/* Russian plural: 1 ошибка, 2 ошибки, 5 ошибок, 21 ошибка, 11 ошибок. */
static const char *
form_plural(size_t n, const char *one, const char *few, const char *many)
{
	if (n % 100 >= 11 && n % 100 <= 14)
		return many;
	if (n % 10 == 1)
		return one;
	if (n % 10 >= 2 && n % 10 <= 4)
		return few;
	return many;
}

static void
form_fmt_num(double x, char *buf, size_t sz)
{
	if (x == floor(x) && fabs(x) < 1e16)
		snprintf(buf, sz, "%.0f", x);
	else {
		snprintf(buf, sz, "%.15g", x);
		/* printf follows LC_NUMERIC; messages must not */
		for (char *q = buf; *q; q++)
			if (*q == ',')
				*q = '.';
	}
}

/* Copies a value typed by someone into a message: short, valid UTF-8. */
static void
form_echo(const char *s, char *buf, size_t sz)
{
	size_t n = strlen(s), cut = 0;
	const unsigned char *u = (const unsigned char *)s;

	if (sz == 0)
		return;
	if (form_utf8_chars(s, n) == (size_t)-1) {
		snprintf(buf, sz, "(не UTF-8)");
		return;
	}
	if (n <= FORM_ECHO_MAX && n < sz) {
		memcpy(buf, s, n + 1);
		return;
	}
	cut = FORM_ECHO_MAX < sz - 4 ? FORM_ECHO_MAX : sz - 4;
	while (cut > 0 && (u[cut] & 0xc0) == 0x80)
		cut--;
	memcpy(buf, s, cut);
	memcpy(buf + cut, "…", 4);
}

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

/* s has the shape of mask: '9' a digit, anything else itself (bytewise, so
 * a Cyrillic literal compares as its UTF-8 bytes). */
static int
form_mask_ok(const char *mask, const char *s)
{
	for (; *mask != '\0'; mask++, s++) {
		if (*mask == '9') {
			if (!(*s >= '0' && *s <= '9'))
				return 0;
		} else if (*s != *mask)
			return 0;
	}
	return *s == '\0';
}

/*
 * Checks one non-null value of a non-group field by itself: type, bounds,
 * length, choices. 0 if fine, 1 with msg filled (no label) if not.
 */
static int
form_value_check(const struct form_field *fl, const cJSON *val, char *msg,
    size_t sz)
{
	char a[64], b[64], echo[FORM_ECHO_MAX + 8];
	long days;
	size_t chars;
	double x;

	switch (fl->type) {
	case FORM_TEXT:
		if (!cJSON_IsString(val) || val->valuestring == NULL) {
			snprintf(msg, sz, "нужен текст");
			return 1;
		}
		chars = form_utf8_chars(val->valuestring, strlen(val->valuestring));
		if (chars == (size_t)-1) {
			snprintf(msg, sz, "текст не в кодировке UTF-8");
			return 1;
		}
		if (chars > fl->max_length) {
			snprintf(msg, sz, "не длиннее %zu %s (сейчас %zu)",
			    fl->max_length, form_plural(fl->max_length, "символа",
			    "символов", "символов"), chars);
			return 1;
		}
		if (fl->mask != NULL && !form_mask_ok(fl->mask, val->valuestring)) {
			form_echo(val->valuestring, echo, sizeof(echo));
			snprintf(msg, sz, "нужно в виде «%s», где 9 — цифра, а не «%s»",
			    fl->mask, echo);
			return 1;
		}
		if (chars < fl->min_length) {
			snprintf(msg, sz, "не короче %zu %s (сейчас %zu)",
			    fl->min_length, form_plural(fl->min_length, "символа",
			    "символов", "символов"), chars);
			return 1;
		}
		return 0;
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_SCALE:
		if (!cJSON_IsNumber(val) || !isfinite(val->valuedouble)) {
			snprintf(msg, sz, fl->type == FORM_DECIMAL ? "нужно число" :
			    "нужно целое число");
			return 1;
		}
		x = val->valuedouble;
		if (fl->type != FORM_DECIMAL &&
		    (x != floor(x) || fabs(x) > FORM_INT_LIMIT)) {
			form_fmt_num(x, a, sizeof(a));
			snprintf(msg, sz, "нужно целое число, а не %s", a);
			return 1;
		}
		if (fl->type == FORM_SCALE &&
		    ((fl->has_min && x < fl->min) || (fl->has_max && x > fl->max))) {
			form_fmt_num(fl->min, a, sizeof(a));
			form_fmt_num(fl->max, b, sizeof(b));
			snprintf(msg, sz, "нужна оценка от %s до %s", a, b);
			return 1;
		}
		if (fl->has_min && x < fl->min) {
			form_fmt_num(fl->min, a, sizeof(a));
			snprintf(msg, sz, "не может быть меньше %s", a);
			return 1;
		}
		if (fl->has_max && x > fl->max) {
			form_fmt_num(fl->max, a, sizeof(a));
			snprintf(msg, sz, "не может быть больше %s", a);
			return 1;
		}
		return 0;
	case FORM_DATE:
		if (!cJSON_IsString(val) || val->valuestring == NULL ||
		    form_date_days(val->valuestring, &days) != 0) {
			if (cJSON_IsString(val) && val->valuestring != NULL) {
				form_echo(val->valuestring, echo, sizeof(echo));
				snprintf(msg, sz, "нужна дата в виде ГГГГ-ММ-ДД (например, "
				    "2021-03-10), а не «%s»", echo);
			} else
				snprintf(msg, sz, "нужна дата в виде ГГГГ-ММ-ДД");
			return 1;
		}
		if (fl->has_min && (double)days < fl->min) {
			form_date_format((long)fl->min, a);
			snprintf(msg, sz, "не может быть раньше %s", a);
			return 1;
		}
		if (fl->has_max && (double)days > fl->max) {
			form_date_format((long)fl->max, a);
			snprintf(msg, sz, "не может быть позже %s", a);
			return 1;
		}
		return 0;
	case FORM_BOOLEAN:
		if (!cJSON_IsBool(val)) {
			snprintf(msg, sz, "нужно «да» или «нет»");
			return 1;
		}
		return 0;
	case FORM_CHOICE:
		if (!cJSON_IsString(val) || val->valuestring == NULL) {
			snprintf(msg, sz, "нужен код одного из вариантов");
			return 1;
		}
		if (form_choice_find(fl, val->valuestring) == NULL) {
			form_echo(val->valuestring, echo, sizeof(echo));
			snprintf(msg, sz, "нет такого варианта «%s»", echo);
			return 1;
		}
		return 0;
	case FORM_MULTI:
		if (!cJSON_IsArray(val)) {
			snprintf(msg, sz, "нужен список вариантов");
			return 1;
		}
		for (const cJSON *m = val->child; m != NULL; m = m->next) {
			if (!cJSON_IsString(m) || m->valuestring == NULL) {
				snprintf(msg, sz, "в списке вариантов должны быть коды");
				return 1;
			}
			if (form_choice_find(fl, m->valuestring) == NULL) {
				form_echo(m->valuestring, echo, sizeof(echo));
				snprintf(msg, sz, "нет такого варианта «%s»", echo);
				return 1;
			}
			for (const cJSON *o = m->next; o != NULL; o = o->next)
				if (cJSON_IsString(o) &&
				    strcmp(o->valuestring, m->valuestring) == 0) {
					form_echo(m->valuestring, echo, sizeof(echo));
					snprintf(msg, sz, "вариант «%s» указан дважды", echo);
					return 1;
				}
		}
		return 0;
	default:
		snprintf(msg, sz, "группу нельзя задать одним значением");
		return 1;
	}
}

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
	char num[64], text[FORM_LABEL_MAX + 128];

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
		form_date_format(db, num);
	} else {
		if (!cJSON_IsNumber(val) || !cJSON_IsNumber(other))
			return;
		a = val->valuedouble;
		b = other->valuedouble;
		form_fmt_num(b, num, sizeof(num));
	}
	if (is_max && a > b)
		snprintf(text, sizeof(text), "не может быть %s, чем «%s» (%s)",
		    fl->type == FORM_DATE ? "позже" : "больше", ref->target->label,
		    num);
	else if (!is_max && a < b)
		snprintf(text, sizeof(text), "не может быть %s, чем «%s» (%s)",
		    fl->type == FORM_DATE ? "раньше" : "меньше", ref->target->label,
		    num);
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
		    g->max_items, form_plural(g->max_items, "записи", "записей",
		    "записей"), n);
		form_problem_field(v, g, ctx, path, text);
	}
	if (n < g->min_items && v->mode != FORM_DRAFT) {
		snprintf(text, sizeof(text), "не меньше %zu %s (сейчас %zu)",
		    g->min_items, form_plural(g->min_items, "записи", "записей",
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
			char echo[FORM_ECHO_MAX + 8];
			char ipath[FORM_PATH_MAX];

			if (!cJSON_IsString(kv))
				continue;
			snprintf(ipath, sizeof(ipath), "%s[%zu].%s", path, i, key->id);
			if (form_dict_entry(dict, kv->valuestring) == NULL) {
				char ictx[FORM_CTX_MAX];

				snprintf(ictx, sizeof(ictx), " (%s, запись %zu)",
				    g->label, i + 1);
				form_echo(kv->valuestring, echo, sizeof(echo));
				snprintf(text, sizeof(text), "нет кода «%s» в словаре "
				    "«%s»", echo, dict ? dict->title : g->per_dictionary);
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
				    "(%zu %s)", entries[k].label, seen, form_plural(seen,
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

static void
form_validate_object(struct fv *v, const struct form_field *fs, size_t n,
    const cJSON *obj, unsigned depth, const char *path, const char *ctx)
{
	char fpath[FORM_PATH_MAX], text[FORM_LABEL_MAX + 256];
	const cJSON **vals = NULL;
	unsigned char *dups;

	v->scopes[depth] = obj;
	for (size_t k = depth + 1; k <= FORM_MAX_DEPTH; k++)
		v->scopes[k] = NULL;
	{
		/* a record holds at most one member per field: far more is an
		 * attack on our time (fields × members), not a typo */
		size_t members = 0;

		for (const cJSON *m = obj->child; m != NULL; m = m->next)
			if (++members > 4 * (size_t)FORM_MAX_FIELDS) {
				snprintf(text, sizeof(text), "Слишком много полей в "
				    "записи%s: больше %d", ctx, 4 * FORM_MAX_FIELDS);
				form_problem_add(v, path, text);
				return;
			}
	}
	/*
	 * Each member to its field, in one pass (a field's value, or two values
	 * for one field), and the unknown members reported first: they usually
	 * explain the rest.
	 */
	if (n > 0 && (vals = calloc(n, sizeof(*vals) + 1)) == NULL) {
		v->nomem = 1;
		return;
	}
	dups = n > 0 ? (unsigned char *)(vals + n) : NULL;
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
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fl = &fs[i];
		const cJSON *val = vals[i];
		int dup = dups[i], present;

		form_path(fpath, sizeof(fpath), path, fl->id);
		if (dup) {
			form_problem_field(v, fl, ctx, fpath, "значение указано дважды");
			continue;
		}
		if (v->mode == FORM_HUB && fl->sync == FORM_SYNC_LOCAL) {
			if (val != NULL)
				form_problem_field(v, fl, ctx, fpath, "локальное поле не "
				    "должно покидать устройство");
			continue;
		}
		/* "" and [] answer nothing (a CSV cell or a form left empty) */
		present = val != NULL && !cJSON_IsNull(val) &&
		    !(fl->type == FORM_TEXT && cJSON_IsString(val) &&
		    val->valuestring != NULL && val->valuestring[0] == '\0') &&
		    !((fl->type == FORM_MULTI || fl->type == FORM_GROUP) &&
		    cJSON_IsArray(val) && val->child == NULL);
		if (!form_relevant_in(fl, v->scopes, depth + 1)) {
			if (present) {
				char *cd = form_cond_describe(&fl->relevant);

				snprintf(text, sizeof(text), "заполняется, только если %s",
				    cd ? cd : "выполнено условие формы");
				free(cd);
				form_problem_field(v, fl, ctx, fpath, text);
			}
			continue;
		}
		if (!present) {
			int req = fl->required ||
			    form_required_if_in(fl, v->scopes, depth + 1);

			/* «затрудняюсь ответить» is an answer */
			if (fl->type == FORM_SCALE && fl->no_answer && val != NULL)
				continue;
			if (fl->type == FORM_GROUP && v->mode != FORM_DRAFT &&
			    (fl->min_items > 0 || fl->item_key != NULL) &&
			    (req || fl->item_key != NULL || fl->min_items > 0)) {
				cJSON *empty = cJSON_CreateArray();

				if (empty == NULL) {
					v->nomem = 1;
					break;
				}
				form_validate_group(v, fl, empty, depth, fpath, ctx);
				cJSON_Delete(empty);
				continue;
			}
			if (!req || v->mode == FORM_DRAFT)
				continue;
			if (fl->required)
				form_problem_field(v, fl, ctx, fpath, "обязательное поле");
			else {
				char *cd = form_cond_describe(&fl->required_if);

				snprintf(text, sizeof(text), "обязательное поле, если %s",
				    cd ? cd : "выполнено условие формы");
				free(cd);
				form_problem_field(v, fl, ctx, fpath, text);
			}
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
	    form_title(f), v.pr->n, form_plural(v.pr->n, "ошибка", "ошибки",
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

/* ---------- typed text to values ---------- */

/* ASCII and Cyrillic А-Я/Ё to lower case, for matching answers. */
static void
form_fold(const char *s, char *out, size_t sz)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;

	while (*u != '\0' && o + 3 < sz) {
		if (*u >= 'A' && *u <= 'Z') {
			out[o++] = (char)(*u + 32);
			u++;
		} else if (u[0] == 0xd0 && u[1] >= 0x90 && u[1] <= 0x9f) {
			/* А-П → а-п */
			out[o++] = (char)0xd0;
			out[o++] = (char)(u[1] + 0x20);
			u += 2;
		} else if (u[0] == 0xd0 && u[1] >= 0xa0 && u[1] <= 0xaf) {
			/* Р-Я → р-я */
			out[o++] = (char)0xd1;
			out[o++] = (char)(u[1] - 0x20);
			u += 2;
		} else if (u[0] == 0xd0 && u[1] == 0x81) {
			/* Ё → е: people type either */
			out[o++] = (char)0xd0;
			out[o++] = (char)0xb5;
			u += 2;
		} else if (u[0] == 0xd1 && u[1] == 0x91) {
			out[o++] = (char)0xd0;
			out[o++] = (char)0xb5;
			u += 2;
		} else
			out[o++] = (char)*u++;
	}
	out[o] = '\0';
}

static int
form_folded_eq(const char *a, const char *b)
{
	char fa[FORM_LABEL_MAX + 8], fb[FORM_LABEL_MAX + 8];

	form_fold(a, fa, sizeof(fa));
	form_fold(b, fb, sizeof(fb));
	return strcmp(fa, fb) == 0;
}

/* Trimmed copy (spaces, tabs, newlines, NBSP); caller frees. */
static char *
form_trim(const char *s)
{
	const char *b = s, *e = s + strlen(s);
	char *out;

	for (;;) {
		if (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')
			b++;
		else if ((unsigned char)b[0] == 0xc2 && (unsigned char)b[1] == 0xa0)
			b += 2;
		else
			break;
	}
	for (;;) {
		if (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
		    e[-1] == '\n'))
			e--;
		else if (e - b >= 2 && (unsigned char)e[-2] == 0xc2 &&
		    (unsigned char)e[-1] == 0xa0)
			e -= 2;
		else
			break;
	}
	if ((out = malloc((size_t)(e - b) + 1)) == NULL)
		return NULL;
	memcpy(out, b, (size_t)(e - b));
	out[e - b] = '\0';
	return out;
}

/*
 * Decimal number in C notation or with a comma, whatever LC_NUMERIC says:
 * [+-]digits[(.|,)digits]. Up to 15 significant digits, so the result is
 * the correctly rounded double (mantissa and 10^k are exact).
 */
static int
form_parse_decimal(const char *s, int integral, double *out)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16 };
	double mant = 0;
	int neg = 0, digits = 0, frac = 0, seen_sep = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			if (digits > 0 || *s != '0')
				digits++;
			if (digits > 15)
				return -1;
			mant = mant * 10 + (*s - '0');
			if (seen_sep && ++frac > 15)
				return -1;
		} else if ((*s == '.' || *s == ',') && !seen_sep && !integral) {
			seen_sep = 1;
			if (!(s[1] >= '0' && s[1] <= '9'))
				return -1;
		} else
			return -1;
	}
	/* leading separator ",5" is accepted as 0.5: mant/frac hold it */
	*out = (neg ? -mant : mant) / p10[frac];
	if (*out == 0)
		*out = 0;   /* no "-0" */
	return 0;
}

/* Length of a digit-group separator at s (space, NBSP, narrow NBSP), or 0. */
static size_t
form_group_sep(const char *s)
{
	if (s[0] == ' ')
		return 1;
	if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
		return 2;
	if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] == 0xaf)
		return 3;
	return 0;
}

/*
 * Russian Excel writes 1 234 567,5 (NBSP between groups of three): drops a
 * separator only between a digit and exactly three digits, in place, so
 * "1 2" stays invalid.
 */
static void
form_ungroup_digits(char *t)
{
	char *w = t;

	for (char *r = t; *r != '\0';) {
		size_t k = form_group_sep(r);

		if (k > 0 && r > t && r[-1] >= '0' && r[-1] <= '9' &&
		    r[k] >= '0' && r[k] <= '9' && r[k + 1] >= '0' &&
		    r[k + 1] <= '9' && r[k + 2] >= '0' && r[k + 2] <= '9' &&
		    !(r[k + 3] >= '0' && r[k + 3] <= '9')) {
			r += k;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* ДД.ММ.ГГГГ (also Д.М.ГГГГ) → YYYY-MM-DD; -1 if not that shape. */
static int
form_ru_date(const char *s, char out[11])
{
	int d = 0, m = 0, y = 0, nd = 0, nm = 0, ny = 0;

	while (*s >= '0' && *s <= '9' && nd < 2)
		d = d * 10 + (*s++ - '0'), nd++;
	if (nd == 0 || *s++ != '.')
		return -1;
	while (*s >= '0' && *s <= '9' && nm < 2)
		m = m * 10 + (*s++ - '0'), nm++;
	if (nm == 0 || *s++ != '.')
		return -1;
	while (*s >= '0' && *s <= '9' && ny < 4)
		y = y * 10 + (*s++ - '0'), ny++;
	if (ny != 4 || *s != '\0')
		return -1;
	/* by hand; the calendar check comes later, on the result */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return 0;
}

static const struct form_choice *
form_choice_match(const struct form_field *fl, const char *t)
{
	const struct form_choice *c = form_choice_find(fl, t);
	char *end = NULL;
	unsigned long k;

	if (c != NULL)
		return c;
	for (size_t i = 0; i < fl->n_choices; i++)
		if (form_folded_eq(fl->choices[i].code, t) ||
		    form_folded_eq(fl->choices[i].label, t))
			return &fl->choices[i];
	/* a number from a numbered list of the choices */
	if (t[0] >= '1' && t[0] <= '9' && strlen(t) <= 4) {
		k = strtoul(t, &end, 10);
		if (end != NULL && *end == '\0' && k >= 1 && k <= fl->n_choices)
			return &fl->choices[k - 1];
	}
	return NULL;
}

static int
form_bool_word(const char *t)
{
	static const char *const yes[] = { "да", "д", "yes", "y", "true", "1",
	    "+", NULL };
	static const char *const no[] = { "нет", "н", "no", "n", "false", "0",
	    "-", NULL };

	for (size_t i = 0; yes[i] != NULL; i++)
		if (form_folded_eq(t, yes[i]))
			return 1;
	for (size_t i = 0; no[i] != NULL; i++)
		if (form_folded_eq(t, no[i]))
			return 0;
	return -1;
}

int
form_value_from_text(const struct form_field *fl, const char *text,
    cJSON **out, struct terr *e)
{
	char *t = NULL, msg[FORM_LABEL_MAX + 256], echo[FORM_ECHO_MAX + 8];
	char date[11];
	cJSON *val = NULL;
	double x;
	int r, b;

	if (out == NULL || fl == NULL || text == NULL)
		return terr_set(e, TERR_ARG, "form_value_from_text: NULL argument");
	*out = NULL;
	if (strlen(text) > (size_t)FORM_TEXT_MAX * 4)
		return terr_set(e, TERR_INVALID, "%s: слишком длинный текст",
		    fl->label);
	if (form_utf8_chars(text, strlen(text)) == (size_t)-1)
		return terr_set(e, TERR_INVALID, "%s: текст не в кодировке UTF-8",
		    fl->label);
	if ((t = form_trim(text)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	form_echo(t, echo, sizeof(echo));
	if (t[0] == '\0') {
		val = cJSON_CreateNull();
		goto done;
	}
	switch (fl->type) {
	case FORM_TEXT:
		val = cJSON_CreateString(t);
		break;
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_SCALE:
		if (fl->type == FORM_SCALE && fl->no_answer &&
		    (form_folded_eq(t, fl->no_answer_label) ||
		    form_folded_eq(t, "затрудняюсь ответить") ||
		    form_folded_eq(t, "нет ответа"))) {
			val = cJSON_CreateNull();
			break;
		}
		form_ungroup_digits(t);
		if (form_parse_decimal(t, fl->type != FORM_DECIMAL, &x) != 0) {
			r = terr_set(e, TERR_INVALID, "%s: нужно %s, а не «%s»",
			    fl->label, fl->type == FORM_DECIMAL ? "число (например, "
			    "3,5)" : "целое число", echo);
			goto out;
		}
		val = cJSON_CreateNumber(x);
		break;
	case FORM_DATE:
		if (form_ru_date(t, date) == 0)
			val = cJSON_CreateString(date);
		else
			val = cJSON_CreateString(t);
		break;
	case FORM_BOOLEAN:
		if ((b = form_bool_word(t)) < 0) {
			r = terr_set(e, TERR_INVALID, "%s: нужно «да» или «нет», а не "
			    "«%s»", fl->label, echo);
			goto out;
		}
		val = cJSON_CreateBool(b);
		break;
	case FORM_CHOICE: {
		const struct form_choice *c = form_choice_match(fl, t);

		if (c == NULL) {
			r = terr_set(e, TERR_INVALID, "%s: нет такого варианта «%s»",
			    fl->label, echo);
			goto out;
		}
		val = cJSON_CreateString(c->code);
		break;
	}
	case FORM_MULTI: {
		const struct form_choice *whole = form_choice_match(fl, t);

		if ((val = cJSON_CreateArray()) == NULL)
			break;
		if (whole != NULL) {
			/* a label may itself contain commas */
			cJSON *c = cJSON_CreateString(whole->code);

			if (c == NULL || !cJSON_AddItemToArray(val, c)) {
				cJSON_Delete(c);
				r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
				goto out;
			}
			break;
		}
		for (char *save = NULL, *tok = strtok_r(t, ",;", &save);
		    tok != NULL; tok = strtok_r(NULL, ",;", &save)) {
			char *one = form_trim(tok);
			const struct form_choice *c;
			cJSON *item;
			int dup = 0;

			if (one == NULL) {
				r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
				goto out;
			}
			if (one[0] == '\0') {
				free(one);
				continue;
			}
			if ((c = form_choice_match(fl, one)) == NULL) {
				form_echo(one, echo, sizeof(echo));
				free(one);
				r = terr_set(e, TERR_INVALID, "%s: нет такого варианта "
				    "«%s»", fl->label, echo);
				goto out;
			}
			free(one);
			for (const cJSON *m = val->child; m != NULL; m = m->next)
				if (strcmp(m->valuestring, c->code) == 0)
					dup = 1;
			if (dup)
				continue;
			if ((item = cJSON_CreateString(c->code)) == NULL ||
			    !cJSON_AddItemToArray(val, item)) {
				cJSON_Delete(item);
				r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
				goto out;
			}
		}
		break;
	}
	default:
		r = terr_set(e, TERR_INVALID, "%s: группу записей нельзя ввести "
		    "одной строкой", fl->label);
		goto out;
	}
 done:
	if (val == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if (!cJSON_IsNull(val) && form_value_check(fl, val, msg, sizeof(msg))) {
		r = terr_set(e, TERR_INVALID, "%s: %s", fl->label, msg);
		goto out;
	}
	*out = val;
	val = NULL;
	r = 0;
 out:
	cJSON_Delete(val);
	free(t);
	return r;
}
