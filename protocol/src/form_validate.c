/*
 * form_validate — judging record values by a form: every problem at once,
 * each named by the field's Russian label (one value by itself is judged in
 * form_value.c).
 * Values are typed JSON: what a person typed is converted by the client.
 *
 * The same code runs on the device (draft/final) and at the hub (FORM_HUB),
 * so a record the device accepted is accepted at the hub and vice versa.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/form.h"
#include "form_parse.h"
#include "form_value.h"

#define FORM_CTX_MAX 768
#define FORM_PATH_MAX 256
/* Messages about a record's members (unknown, too many) have always been
 * cut at this many bytes, context included: they still are. */
#define FORM_MEMBER_MSG_MAX (FORM_LABEL_MAX + 256)

struct fv {
	const struct form *f;
	enum form_mode mode;
	struct form_problems *pr;
	size_t cap;
	int nomem;
	int full;
	const cJSON *scopes[FORM_MAX_DEPTH + 1];
	/* the values of scopes[d]'s fields as matched (NULL: not known), the
	 * group whose item it is (NULL: the record): see form_scope_member */
	const cJSON *const *vals[FORM_MAX_DEPTH + 1];
	const struct form_field *owner[FORM_MAX_DEPTH + 1];
	const struct form_field *lists[FORM_MAX_DEPTH + 1];
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

/*
 * Where an object sits, for messages: " (Группа, запись 3)", " (Группа:
 * «entry»)", nested " (Внешняя: «x»; Внутренняя, запись 2)". The text used
 * to be printed for every item before it was checked, a tenth of the
 * validator's time on a valid record; now the pieces are kept and printed
 * by form_ctx_print only for a message, the same text (NULL: the record).
 */
struct fctx {
	const struct fctx *outer;
	const struct form_field *g;          /* the repeat group */
	const struct form_choice *entry;     /* the item's dictionary entry or NULL */
	size_t i;                            /* the item's index */
};

/* out has FORM_CTX_MAX bytes */
static void
form_ctx_print(const struct fctx *c, char *out)
{
	char outer[FORM_CTX_MAX];
	const char *inner;
	size_t il, keep;

	out[0] = '\0';
	if (c == NULL)
		return;
	form_ctx_print(c->outer, outer);
	/*
	 * inner is " (…)" of the outer level without " (" and ")". An outer
	 * text cut for length has no ")" to drop: it ends in a whole letter
	 * (terr_utf8_trim), and dropping its last byte would split that letter.
	 */
	inner = outer[0] == '\0' ? "" : outer + 2;
	il = strlen(inner);
	keep = il > 0 && inner[il - 1] == ')' ? il - 1 : il;
	if (c->entry != NULL)
		snprintf(out, FORM_CTX_MAX, " (%.*s%s%s: «%s»)",
		    (int)keep, inner, il ? "; " : "", c->g->label,
		    c->entry->label);
	else
		snprintf(out, FORM_CTX_MAX, " (%.*s%s%s, запись %zu)",
		    (int)keep, inner, il ? "; " : "", c->g->label,
		    c->i + 1);
	/* long labels may not fit: never end inside a letter */
	terr_utf8_trim(out);
}

/* "<label><ctx>: <text>" */
static void
form_problem_field(struct fv *v, const struct form_field *fl,
    const struct fctx *ctx, const char *path, const char *text)
{
	char c[FORM_CTX_MAX], msg[FORM_LABEL_MAX + FORM_CTX_MAX + 512];

	/* form_problem_add would drop it: spare the printing */
	if (v->nomem || v->full)
		return;
	form_ctx_print(ctx, c);
	snprintf(msg, sizeof(msg), "%s%s: %s", fl->label, c, text);
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

/*
 * The member of the object at depth named like target, as
 * cJSON_GetObjectItemCaseSensitive finds it (the first of that name). When
 * target is a field of that object's list its value was found by the match
 * (the first member too): no walk over the members. vals[depth] is left
 * NULL for an object with an unnamed member, where cJSON's walk stops.
 */
static const cJSON *
form_scope_member(const struct fv *v, unsigned depth,
    const struct form_field *target)
{
	if (v->vals[depth] != NULL && target->depth == depth &&
	    target->parent == v->owner[depth])
		return v->vals[depth][target - v->lists[depth]];
	return cJSON_GetObjectItemCaseSensitive(v->scopes[depth], target->id);
}

/* form_cond_eval for the field at depth, through form_scope_member */
static int
form_validate_cond(const struct fv *v, const struct form_cond *c,
    unsigned depth)
{
	if (c->field == NULL || c->target == NULL)
		return 0;
	if (c->depth > depth || v->scopes[c->depth] == NULL ||
	    !cJSON_IsObject(v->scopes[c->depth]))
		return -1;
	return form_cond_holds(c, form_scope_member(v, c->depth, c->target));
}

/* ---------- one value ---------- */
/* ---------- objects and groups ---------- */

/* Fields up to this many per list get their values on the stack. */
#define FORM_SMALL_LIST 32

/*
 * One object being checked: each member matched to its field (vals[i] the
 * value of fs[i], dups[i] set for two values of one field) before any of
 * its problems is told, so that an item's dictionary entry, which its
 * messages name, comes from the match (form_validate_group).
 */
struct fobj {
	const cJSON *small_vals[FORM_SMALL_LIST];
	unsigned char small_dups[FORM_SMALL_LIST];
	const cJSON **vals, **heap;
	unsigned char *dups;
	size_t unknown;        /* members of no field */
	int unnamed;           /* a member without a name (only built by hand) */
	int too_many;
};

static int form_object_begin(struct fv *v, const struct form_field *owner,
    const struct form_field *fs, const uint16_t *ord, size_t n,
    const cJSON *obj, unsigned depth, struct fobj *o);
static void form_object_end(struct fv *v, const struct form_field *fs,
    const uint16_t *ord, size_t n, const cJSON *obj, unsigned depth,
    const char *path, const struct fctx *ctx, struct fobj *o);

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

/* "path[i]" cut to sz - 1 bytes, as snprintf cuts it; made for every item */
static void
form_path_item(char *out, size_t sz, const char *path, size_t i)
{
	char tail[32];
	size_t t = sizeof(tail), pl = strlen(path), at, tl;

	if (sz == 0)
		return;
	tail[--t] = ']';
	do {
		tail[--t] = (char)('0' + i % 10);
		i /= 10;
	} while (i > 0);
	tail[--t] = '[';
	at = pl < sz - 1 ? pl : sz - 1;
	memcpy(out, path, at);
	tl = sizeof(tail) - t;
	if (tl > sz - 1 - at)
		tl = sz - 1 - at;
	memcpy(out + at, tail + t, tl);
	out[at + tl] = '\0';
}

/* The path of field fl of the object at path, into buf (FORM_PATH_MAX):
 * made only for a message or a group, not for every field. */
static const char *
form_fpath(char *buf, const char *path, const struct form_field *fl)
{
	form_path(buf, FORM_PATH_MAX, path, fl->id);
	return buf;
}

/* value compared with the field it may not exceed / fall below */
static void
form_check_ref(struct fv *v, const struct form_field *fl, const cJSON *val,
    const struct form_ref *ref, int is_max, const struct fctx *ctx,
    const char *path, unsigned depth)
{
	const cJSON *other;
	double a, b;
	char text[FORM_LABEL_MAX + 128], fpath[FORM_PATH_MAX];

	if (ref->field == NULL || ref->target == NULL || ref->depth > depth ||
	    v->scopes[ref->depth] == NULL)
		return;
	other = form_scope_member(v, ref->depth, ref->target);
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
	form_problem_field(v, fl, ctx, form_fpath(fpath, path, fl), text);
}

/*
 * Position of the entry with this code in a per-dictionary group's
 * dictionary, or d->n_entries. Devices write one item per entry in the
 * dictionary's order, so entry guess (the item's index) is tried first;
 * codes are unique, so whatever matches is the one entry.
 */
static size_t
form_dict_entry(const struct form_dictionary *d, const char *code, size_t guess)
{
	if (code == NULL)
		return d->n_entries;
	if (guess < d->n_entries && form_strcmp(d->entries[guess].code, code) == 0)
		return guess;
	return form_index_choice(d->entries, d->entry_hash, d->n_entries, code);
}

/* The per-dictionary problems, after the items': a text key's unknown codes,
 * then for each entry (seen[k] items name it) a repeat or, final, none. */
static void
form_validate_dict(struct fv *v, const struct form_field *g,
    const struct form_field *key, const struct form_dictionary *dict,
    const cJSON *arr, const uint16_t *seen, const char *path,
    const struct fctx *ctx)
{
	char text[FORM_LABEL_MAX + 256];
	size_t i = 0;

	if (key->type == FORM_TEXT) {
		/* a text key is not checked by its own field: check the code */
		for (const cJSON *it = arr->child; it != NULL && i < g->max_items;
		    it = it->next, i++) {
			const cJSON *kv = cJSON_GetObjectItemCaseSensitive(it, key->id);
			/* this context names the group alone, as it always has */
			struct fctx kctx = { NULL, g, NULL, i };
			char ipath[FORM_PATH_MAX];

			if (!cJSON_IsString(kv) || (dict != NULL &&
			    form_dict_entry(dict, kv->valuestring, i) < dict->n_entries))
				continue;
			snprintf(ipath, sizeof(ipath), "%s[%zu].%s", path, i, key->id);
			snprintf(text, sizeof(text), "такого кода нет в словаре "
			    "«%s»", dict ? dict->title : g->per_dictionary);
			form_problem_field(v, key, &kctx, ipath, text);
		}
	}
	for (size_t k = 0; dict != NULL && k < dict->n_entries; k++) {
		const struct form_choice *en = &dict->entries[k];

		if (seen[k] > 1) {
			snprintf(text, sizeof(text), "запись для «%s» повторяется "
			    "(%u %s)", en->label, (unsigned)seen[k],
			    form_value_plural(seen[k], "запись", "записи", "записей"));
			form_problem_field(v, g, ctx, path, text);
		} else if (seen[k] == 0 && v->mode != FORM_DRAFT) {
			snprintf(text, sizeof(text), "нет записи для «%s» (%s)",
			    en->label, en->code);
			form_problem_field(v, g, ctx, path, text);
		}
	}
}

static void
form_validate_group(struct fv *v, const struct form_field *g, const cJSON *arr,
    unsigned depth, const char *path, const struct fctx *ctx)
{
	const struct form_field *key = NULL;
	const struct form_dictionary *dict = NULL;
	uint16_t seen[FORM_MAX_DICT_ENTRIES];
	size_t n = 0, i = 0;
	char text[FORM_LABEL_MAX + 256];

	if (!cJSON_IsArray(arr)) {
		form_problem_field(v, g, ctx, path, "нужен список записей");
		return;
	}
	for (const cJSON *it = arr->child; it != NULL; it = it->next)
		n++;
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
	/* the items naming each entry are counted on the way, in one pass
	 * (max_items ≤ FORM_MAX_REPEAT: a count fits in uint16_t) */
	if (dict != NULL)
		memset(seen, 0, dict->n_entries * sizeof(seen[0]));
	for (const cJSON *it = arr->child; it != NULL && i < g->max_items &&
	    i < FORM_MAX_REPEAT; it = it->next, i++) {
		char ipath[FORM_PATH_MAX];
		struct fctx ictx = { ctx, g, NULL, i };
		struct fobj o;
		const cJSON *kv;
		size_t k;

		form_path_item(ipath, sizeof(ipath), path, i);
		if (!cJSON_IsObject(it)) {
			form_problem_field(v, g, &ictx, ipath, "запись должна быть "
			    "объектом");
			continue;
		}
		if (form_object_begin(v, g, g->children, g->child_order,
		    g->n_children, it, depth + 1, &o) != 0)
			continue;
		/* the key's value as matched: the first member of its name,
		 * what cJSON_GetObjectItemCaseSensitive gives when the match
		 * was not made or cannot tell */
		if (key != NULL && dict != NULL) {
			kv = o.too_many || o.unnamed ?
			    cJSON_GetObjectItemCaseSensitive(it, key->id) :
			    o.vals[key - g->children];
			if (cJSON_IsString(kv) && (k = form_dict_entry(dict,
			    kv->valuestring, i)) < dict->n_entries) {
				ictx.entry = &dict->entries[k];
				seen[k]++;
			}
		}
		form_object_end(v, g->children, g->child_order, g->n_children, it,
		    depth + 1, ipath, &ictx, &o);
	}
	if (key != NULL)
		form_validate_dict(v, g, key, dict, arr, seen, path, ctx);
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
 * Records come with their members in canonical order, sorted as ord sorts
 * the fields, so a merge walk pairs them at about one comparison a member.
 * A member the walk does not find where it stands is searched among all
 * the fields: it is unknown, a second value of a field, or out of order (a
 * record built by hand or imported) — never wrongly unknown, and an
 * unsorted record costs a binary search a member. -1: too many members.
 */
static int
form_object_match(const struct form_field *fs, const uint16_t *ord, size_t n,
    const cJSON *obj, struct fobj *o)
{
	size_t j = 0, members = 0;

	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		const char *name = m->string ? m->string : "";
		size_t i;
		int cmp = -1;

		/* a record holds at most one member per field: far more is an
		 * attack on our time, not a typo (the match is then dropped) */
		if (++members > 4 * (size_t)FORM_MAX_FIELDS)
			return -1;
		if (m->string == NULL)
			o->unnamed = 1;
		while (ord != NULL && j < n &&
		    (cmp = form_strcmp(fs[ord[j]].id, name)) < 0)
			j++;
		if (ord != NULL && j < n && cmp == 0)
			i = ord[j++];
		else
			i = form_index_field(fs, ord, n, name);
		if (i == n)
			o->unknown++;
		else if (o->vals[i] != NULL)
			o->dups[i] = 1;
		else
			o->vals[i] = m;
	}
	return 0;
}

/*
 * Starts checking obj at depth by fields fs (n, ord as built; items of
 * group owner, NULL for the record): scopes and the match. -1 on no memory.
 */
static int
form_object_begin(struct fv *v, const struct form_field *owner,
    const struct form_field *fs, const uint16_t *ord, size_t n,
    const cJSON *obj, unsigned depth, struct fobj *o)
{
	o->vals = o->small_vals;
	o->dups = o->small_dups;
	o->heap = NULL;
	o->unknown = 0;
	o->unnamed = 0;
	o->too_many = 0;
	v->scopes[depth] = obj;
	v->vals[depth] = NULL;
	for (size_t k = depth + 1; k <= FORM_MAX_DEPTH; k++) {
		v->scopes[k] = NULL;
		v->vals[k] = NULL;
	}
	if (n > FORM_SMALL_LIST) {
		if ((o->heap = calloc(n, sizeof(*o->vals) + 1)) == NULL) {
			v->nomem = 1;
			return -1;
		}
		o->vals = o->heap;
		o->dups = (unsigned char *)(o->vals + n);
	} else {
		memset(o->small_vals, 0, n * sizeof(o->small_vals[0]));
		memset(o->small_dups, 0, n);
	}
	if (form_object_match(fs, ord, n, obj, o) != 0) {
		o->too_many = 1;
		free(o->heap);
		o->heap = NULL;
		return 0;
	}
	if (!o->unnamed) {
		v->vals[depth] = o->vals;
		v->owner[depth] = owner;
		v->lists[depth] = fs;
	}
	return 0;
}

/* The unknown members, in their order: they usually explain the rest. */
static void
form_object_unknown(struct fv *v, const struct form_field *fs,
    const uint16_t *ord, size_t n, const cJSON *obj, const char *path,
    const struct fctx *ctx)
{
	char fpath[FORM_PATH_MAX], c[FORM_CTX_MAX];
	char text[FORM_CTX_MAX + FORM_MEMBER_MSG_MAX];

	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		const char *name = m->string ? m->string : "";

		if (v->full || v->nomem)
			return;
		if (form_index_field(fs, ord, n, name) < n)
			continue;
		form_ctx_print(ctx, c);
		if (form_key_printable(name)) {
			form_path(fpath, sizeof(fpath), path, name);
			snprintf(text, sizeof(text), "Неизвестное поле «%s»%s: в форме "
			    "его нет", name, c);
		} else {
			form_path(fpath, sizeof(fpath), path, "?");
			snprintf(text, sizeof(text), "Неизвестное поле с недопустимым "
			    "именем%s: в форме его нет", c);
		}
		text[FORM_MEMBER_MSG_MAX - 1] = '\0';
		form_problem_add(v, fpath, text);
	}
}

/*
 * A relevant field without an answer (val absent, null, "" or []): required,
 * required_if, and a group that must still have its items. -1 on no memory.
 */
static int
form_validate_absent(struct fv *v, const struct form_field *fl, const cJSON *val,
    unsigned depth, const char *path, const struct fctx *ctx)
{
	char text[FORM_LABEL_MAX + 256], fpath[FORM_PATH_MAX];
	int req = fl->required || (fl->required_if.field != NULL &&
	    form_validate_cond(v, &fl->required_if, depth) == 1);

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
		form_validate_group(v, fl, empty, depth, form_fpath(fpath, path, fl),
		    ctx);
		cJSON_Delete(empty);
		return 0;
	}
	if (!req || v->mode == FORM_DRAFT)
		return 0;
	if (fl->required)
		form_problem_field(v, fl, ctx, form_fpath(fpath, path, fl),
		    "обязательное поле");
	else {
		char *cd = form_cond_describe(&fl->required_if);

		snprintf(text, sizeof(text), "обязательное поле, если %s",
		    cd ? cd : "выполнено условие формы");
		free(cd);
		form_problem_field(v, fl, ctx, form_fpath(fpath, path, fl), text);
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

/* One field of an object with its value (NULL: absent); -1 to stop (no memory). */
static int
form_validate_field(struct fv *v, const struct form_field *fl, const cJSON *val,
    const cJSON *obj, unsigned depth, const char *path, const struct fctx *ctx)
{
	char fpath[FORM_PATH_MAX], text[FORM_LABEL_MAX + 256];

	if (v->mode == FORM_HUB && fl->sync == FORM_SYNC_LOCAL) {
		if (val != NULL)
			form_problem_field(v, fl, ctx, form_fpath(fpath, path, fl),
			    "локальное поле не должно покидать устройство");
		return 0;
	}
	/* with part of the picture missing, show the field rather than hide it */
	/* a draft keeps an answer that does not apply, checked for storing
	 * only: finalizing asks about it (FORM_DRAFT) */
	if (fl->relevant.field != NULL &&
	    !(v->mode == FORM_DRAFT && form_validate_present(fl, val)) &&
	    form_validate_cond(v, &fl->relevant, depth) == 0) {
		if (form_validate_present(fl, val)) {
			char *cd = form_cond_describe(&fl->relevant);

			snprintf(text, sizeof(text), "заполняется, только если %s",
			    cd ? cd : "выполнено условие формы");
			free(cd);
			form_problem_field(v, fl, ctx, form_fpath(fpath, path, fl),
			    text);
		}
		return 0;
	}
	if (!form_validate_present(fl, val))
		return form_validate_absent(v, fl, val, depth, path, ctx);
	if (fl->type == FORM_GROUP) {
		form_validate_group(v, fl, val, depth, form_fpath(fpath, path, fl),
		    ctx);
		/* the group walk reused deeper scopes: restore ours */
		v->scopes[depth] = obj;
		return 0;
	}
	if (form_value_check(fl, val, text, sizeof(text)) != 0) {
		form_problem_field(v, fl, ctx, form_fpath(fpath, path, fl), text);
		return 0;
	}
	/* rules between fields are not for drafts: a draft is always savable */
	if (v->mode == FORM_DRAFT)
		return 0;
	form_check_ref(v, fl, val, &fl->max_field, 1, ctx, path, depth);
	form_check_ref(v, fl, val, &fl->min_field, 0, ctx, path, depth);
	return 0;
}

/* Tells obj's problems, begun by form_object_begin, and frees o. */
static void
form_object_end(struct fv *v, const struct form_field *fs, const uint16_t *ord,
    size_t n, const cJSON *obj, unsigned depth, const char *path,
    const struct fctx *ctx, struct fobj *o)
{
	char fpath[FORM_PATH_MAX];

	if (o->too_many) {
		char c[FORM_CTX_MAX], msg[FORM_CTX_MAX + FORM_MEMBER_MSG_MAX];

		form_ctx_print(ctx, c);
		snprintf(msg, sizeof(msg), "Слишком много полей в "
		    "записи%s: больше %d", c, 4 * FORM_MAX_FIELDS);
		msg[FORM_MEMBER_MSG_MAX - 1] = '\0';
		form_problem_add(v, path, msg);
		return;
	}
	if (o->unknown > 0)
		form_object_unknown(v, fs, ord, n, obj, path, ctx);
	for (size_t i = 0; i < n; i++) {
		if (o->dups[i]) {
			form_problem_field(v, &fs[i], ctx, form_fpath(fpath, path,
			    &fs[i]), "значение указано дважды");
			continue;
		}
		if (form_validate_field(v, &fs[i], o->vals[i], obj, depth, path,
		    ctx) != 0)
			break;
	}
	/* o goes out of scope: nothing may read its values any more */
	v->vals[depth] = NULL;
	free(o->heap);
}

static void
form_validate_object(struct fv *v, const struct form_field *owner,
    const struct form_field *fs, const uint16_t *ord, size_t n,
    const cJSON *obj, unsigned depth, const char *path, const struct fctx *ctx)
{
	struct fobj o;

	if (form_object_begin(v, owner, fs, ord, n, obj, depth, &o) == 0)
		form_object_end(v, fs, ord, n, obj, depth, path, ctx, &o);
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
		form_validate_object(&v, NULL, n ? form_field_at(f, 0) : NULL,
		    f->field_order, n, values, 0, "", NULL);
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
