/*
 * formview_read — a posted form back into a record's values (formview_read)
 * and the add / remove buttons of repeat groups (formview_act). The post is
 * outside input: names are looked up, never trusted to be the form's, item
 * counts are bounded by the form, every text goes through textin as the
 * CLI's does (fuzz_formview_read).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formview_int.h"
#include "tetrad/textin.h"
#include "web/formview.h"

#define FR_SCOPES (FORM_MAX_DEPTH + 2)
/* Items read from one post, all groups together: a form allows at most
 * FORM_MAX_REPEAT per group; nesting must not multiply that. */
#define FR_MAX_ITEMS (4 * FORM_MAX_REPEAT)
#define FR_CTX_MAX 512
#define FR_PRUNE_ROUNDS 64

struct fr_name {
	const char *name;
	size_t i;                   /* position in the post */
};

struct fr {
	const struct form *f;
	const struct webform *post;
	struct fr_name *names;      /* the post's names, sorted */
	size_t n;
	cJSON *typed;
	struct form_problems *pr;
	size_t items;
	struct terr *e;
	int err;
};

static int
fr_name_cmp(const void *a, const void *b)
{
	const struct fr_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The first sorted position whose name is >= key. */
static size_t
fr_lower(const struct fr *r, const char *key)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(r->names[mid].name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first value posted under name, or NULL. */
static const char *
fr_get(const struct fr *r, const char *name)
{
	size_t k = fr_lower(r, name);

	if (k < r->n && strcmp(r->names[k].name, name) == 0)
		return webform_at(r->post, r->names[k].i)->value;
	return NULL;
}

static void
fr_nomem(struct fr *r)
{
	if (r->err == 0)
		r->err = terr_set(r->e, TERR_NOMEM, "Недостаточно памяти.");
}

static void
fr_problem(struct fr *r, const char *path, const char *msg)
{
	struct form_problem *p;

	if (r->err)
		return;
	if (r->pr == NULL && (r->pr = calloc(1, sizeof(*r->pr))) == NULL) {
		fr_nomem(r);
		return;
	}
	if (r->pr->n >= FORM_MAX_PROBLEMS)
		return;
	if ((p = realloc(r->pr->items, (r->pr->n + 1) * sizeof(*p))) == NULL) {
		fr_nomem(r);
		return;
	}
	r->pr->items = p;
	p = &p[r->pr->n];
	p->path = strdup(path);
	p->message = strdup(msg);
	if (p->path == NULL || p->message == NULL) {
		free(p->path);
		free(p->message);
		fr_nomem(r);
		return;
	}
	r->pr->n++;
}

/* A message of textin ("<label>: …") with where the item sits put after the
 * label, as form_validate words it: "Возраст (Стороны конфликта, запись 2): …". */
static void
fr_problem_ctx(struct fr *r, const struct form_field *fd, const char *path,
    const char *ctx, const char *msg)
{
	char buf[TERR_MSG_MAX + FR_CTX_MAX];
	size_t l = strlen(fd->label);

	if (ctx[0] && strncmp(msg, fd->label, l) == 0 && msg[l] == ':') {
		snprintf(buf, sizeof(buf), "%s%s%s", fd->label, ctx, msg + l);
		terr_utf8_trim(buf);
		fr_problem(r, path, buf);
	} else
		fr_problem(r, path, msg);
}

static void
fr_typed(struct fr *r, const char *path, const char *text)
{
	if (r->typed == NULL && (r->typed = cJSON_CreateObject()) == NULL) {
		fr_nomem(r);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(r->typed, path);
	if (cJSON_AddStringToObject(r->typed, path, text) == NULL)
		fr_nomem(r);
}

static void
fr_add(struct fr *r, cJSON *obj, const char *id, cJSON *val)
{
	if (val == NULL || !cJSON_AddItemToObject(obj, id, val)) {
		cJSON_Delete(val);
		fr_nomem(r);
	}
}

/* Every box ticked under path, in the order posted. */
static void
fr_multi(struct fr *r, const struct form_field *fd, const char *path,
    const char *ctx, cJSON *obj)
{
	size_t k = fr_lower(r, path);
	cJSON *arr = NULL;

	for (; k < r->n && strcmp(r->names[k].name, path) == 0 && !r->err; k++) {
		const char *code = webform_at(r->post, r->names[k].i)->value;
		const struct form_choice *c;
		char msg[FORM_LABEL_MAX + FR_CTX_MAX + 128], echo[FORM_ECHO_MAX + 8];

		if (code[0] == '\0')
			continue;
		if ((c = form_choice_find(fd, code)) == NULL) {
			form_value_echo(code, echo, sizeof(echo));
			snprintf(msg, sizeof(msg), "%s%s: нет такого варианта «%s»",
			    fd->label, ctx, echo);
			terr_utf8_trim(msg);
			fr_problem(r, path, msg);
			continue;
		}
		if (arr == NULL && (arr = cJSON_CreateArray()) == NULL) {
			fr_nomem(r);
			return;
		}
		bool dup = false;
		for (const cJSON *m = arr->child; m; m = m->next)
			dup |= strcmp(m->valuestring, c->code) == 0;
		if (!dup && !cJSON_AddItemToArray(arr, cJSON_CreateString(c->code)))
			fr_nomem(r);
	}
	if (arr && !r->err)
		fr_add(r, obj, fd->id, arr);
	else
		cJSON_Delete(arr);
}

/* One field that is not a group: its posted text through textin. */
static void
fr_value(struct fr *r, const struct form_field *fd, const char *path,
    const char *ctx, cJSON *obj)
{
	const char *text;
	cJSON *val = NULL;
	struct terr te = { 0 };
	int rc;

	if (fd->type == FORM_MULTI) {
		fr_multi(r, fd, path, ctx, obj);
		return;
	}
	if ((text = fr_get(r, path)) == NULL)
		return;
	if (fd->type == FORM_SCALE && strcmp(text, FV_NO_ANSWER) == 0 && fd->no_answer) {
		/* an explicit null: «затрудняюсь ответить» answers the question */
		fr_add(r, obj, fd->id, cJSON_CreateNull());
		return;
	}
	if (strchr(text, '\r') != NULL) {
		/* a <textarea> posts CRLF: stored text has plain line ends, as
		 * the CLI and a CSV give it */
		char *lf = strdup(text), *w = lf;

		if (lf == NULL) {
			fr_nomem(r);
			return;
		}
		for (const char *c = text; *c; c++)
			if (*c != '\r')
				*w++ = *c;
			else if (c[1] != '\n')
				*w++ = '\n';
		*w = '\0';
		rc = textin_value(fd, lf, &val, &te);
		free(lf);
	} else
		rc = textin_value(fd, text, &val, &te);
	if (rc == 0 && cJSON_IsNull(val)) {
		/* empty: no answer (a scale's «затрудняюсь» is its own button) */
		cJSON_Delete(val);
		return;
	}
	if (rc == 0) {
		fr_add(r, obj, fd->id, val);
		return;
	}
	if (rc == TERR_NOMEM) {
		fr_nomem(r);
		return;
	}
	/* kept as typed, next to the message, so nothing typed is lost */
	fr_typed(r, path, text);
	fr_problem_ctx(r, fd, path, ctx, te.msg[0] ? te.msg : "нельзя прочитать ответ");
}

/* The read-only members of a stored object copied as they are. */
static void
fr_readonly(struct fr *r, const struct form_field *fd, const cJSON *stored,
    cJSON *obj)
{
	const cJSON *v = cJSON_IsObject(stored) ?
	    cJSON_GetObjectItemCaseSensitive(stored, fd->id) : NULL;

	if (v != NULL)
		fr_add(r, obj, fd->id, cJSON_Duplicate(v, true));
}

static void fr_object(struct fr *r, const struct form_field *fs, size_t n,
    const char *prefix, const char *ctx, const cJSON *stored, cJSON *obj,
    const char *skip);

/* " (Группа, запись 2)", nested " (Внешняя, запись 1; Группа, запись 2)". */
static void
fr_ctx(char *out, const char *outer, const struct form_field *g, size_t k,
    const char *entry)
{
	const char *inner = "";
	size_t il = 0;

	/* outer is " (…)": its inside, the last ")" dropped unless a cut
	 * for length already took it */
	if (strlen(outer) >= 2) {
		inner = outer + 2;
		il = strlen(inner);
		if (il && inner[il - 1] == ')')
			il--;
	}
	if (entry)
		snprintf(out, FR_CTX_MAX, " (%.*s%s%s: «%s»)", (int)il, inner,
		    il ? "; " : "", g->label, entry);
	else
		snprintf(out, FR_CTX_MAX, " (%.*s%s%s, запись %zu)", (int)il, inner,
		    il ? "; " : "", g->label, k + 1);
	terr_utf8_trim(out);
}

/* Whether path s is path or lies under it. */
static bool
fr_under(const char *s, const char *path)
{
	size_t l = strlen(path);

	return strncmp(s, path, l) == 0 && (s[l] == '\0' || s[l] == '.' || s[l] == '[');
}

/* Whether every item of arr is empty, with nothing typed and no problem
 * under path. */
static bool
fr_untouched(const struct fr *r, const cJSON *arr, const char *path)
{
	for (const cJSON *it = arr->child; it; it = it->next)
		if (it->child != NULL)
			return false;
	for (const cJSON *t = r->typed ? r->typed->child : NULL; t; t = t->next)
		if (t->string && fr_under(t->string, path))
			return false;
	for (size_t i = 0; r->pr && i < r->pr->n; i++)
		if (r->pr->items[i].path && fr_under(r->pr->items[i].path, path))
			return false;
	return true;
}

/* How many items of a repeat group were posted: "_n.<path>", or, when a
 * page did not send it, one past the highest index named. */
static size_t
fr_count(const struct fr *r, const char *path)
{
	char key[FV_PATH_MAX + 8];
	const char *s;
	size_t n = 0, pl, k;

	snprintf(key, sizeof(key), FV_COUNT_PREFIX "%s", path);
	if ((s = fr_get(r, key)) != NULL) {
		for (size_t i = 0; s[i]; i++) {
			if (!isdigit((unsigned char)s[i]) || i >= 7)
				return 0;
			n = n * 10 + (size_t)(s[i] - '0');
		}
		return n;
	}
	snprintf(key, sizeof(key), "%s[", path);
	pl = strlen(key);
	for (k = fr_lower(r, key); k < r->n && strncmp(r->names[k].name, key, pl) == 0; k++) {
		const char *p = r->names[k].name + pl;
		size_t i = 0, x = 0;

		for (; isdigit((unsigned char)p[i]) && i < 7; i++)
			x = x * 10 + (size_t)(p[i] - '0');
		if (i > 0 && p[i] == ']' && x + 1 > n)
			n = x + 1;
	}
	return n;
}

static void
fr_group(struct fr *r, const struct form_field *g, const char *path,
    const char *ctx, const cJSON *stored, cJSON *obj)
{
	const struct form_dictionary *dict = fv_dict_of(r->f, g);
	const cJSON *sarr = cJSON_IsObject(stored) ?
	    cJSON_GetObjectItemCaseSensitive(stored, g->id) : NULL;
	size_t max = g->max_items ? g->max_items : FORM_MAX_REPEAT;
	size_t n = dict ? dict->n_entries : fr_count(r, path);
	cJSON *arr;

	if (n > max)
		n = max;
	if (n == 0)
		return;
	if ((r->items += n) > FR_MAX_ITEMS) {
		r->err = terr_set(r->e, TERR_TOO_LARGE, "В форме слишком много записей "
		    "в группах (больше %d).", FR_MAX_ITEMS);
		return;
	}
	if ((arr = cJSON_AddArrayToObject(obj, g->id)) == NULL) {
		fr_nomem(r);
		return;
	}
	for (size_t k = 0; k < n && !r->err; k++) {
		char ipath[FV_PATH_MAX], ictx[FR_CTX_MAX];
		const cJSON *sitem = NULL;
		cJSON *item = cJSON_CreateObject();

		if (item == NULL || !cJSON_AddItemToArray(arr, item)) {
			cJSON_Delete(item);
			fr_nomem(r);
			return;
		}
		if (!fv_path_item(ipath, path, k, false)) {
			r->err = terr_set(r->e, TERR_TOO_LARGE, "Слишком длинный путь к полю.");
			return;
		}
		if (dict) {
			/* the entry is the row's, not the page's to say */
			const char *code = dict->entries[k].code;

			sitem = fv_item_by_key(sarr, g->item_key, code, NULL);
			fr_ctx(ictx, ctx, g, k, dict->entries[k].label);
			fr_add(r, item, g->item_key, cJSON_CreateString(code));
		} else {
			sitem = cJSON_IsArray(sarr) ? cJSON_GetArrayItem(sarr, (int)k) : NULL;
			fr_ctx(ictx, ctx, g, k, NULL);
		}
		fr_object(r, g->children, g->n_children, ipath, ictx, sitem, item,
		    dict ? g->item_key : NULL);
	}
	if (!dict && !r->err && n <= g->min_items && fr_untouched(r, arr, path))
		/* the empty items a new record is drawn with, posted as drawn:
		 * no answer yet, as before they were drawn (a draft keeps no
		 * item of nothing; formview_act pads them back) */
		cJSON_DeleteItemFromObjectCaseSensitive(obj, g->id);
}

static void
fr_object(struct fr *r, const struct form_field *fs, size_t n, const char *prefix,
    const char *ctx, const cJSON *stored, cJSON *obj, const char *skip)
{
	for (size_t i = 0; i < n && !r->err; i++) {
		const struct form_field *fd = &fs[i];
		char path[FV_PATH_MAX];

		if (skip && strcmp(fd->id, skip) == 0)
			continue;
		if (!fv_path_child(path, prefix, fd->id)) {
			r->err = terr_set(r->e, TERR_TOO_LARGE, "Слишком длинный путь к полю.");
			return;
		}
		if (fd->type == FORM_GROUP)
			fr_group(r, fd, path, ctx, stored, obj);
		else if (fd->readonly)
			fr_readonly(r, fd, stored, obj);
		else
			fr_value(r, fd, path, ctx, obj);
	}
}

/* ---------- what does not apply is dropped ---------- */

/* Typed text and problems of a dropped field go with it. */
static void
fr_forget(struct fr *r, const char *path)
{
	cJSON *t = r->typed ? r->typed->child : NULL;
	size_t k = 0;

	while (t) {
		cJSON *next = t->next;

		if (fr_under(t->string, path))
			cJSON_Delete(cJSON_DetachItemViaPointer(r->typed, t));
		t = next;
	}
	for (size_t i = 0; r->pr && i < r->pr->n; i++) {
		if (fr_under(r->pr->items[i].path, path)) {
			free(r->pr->items[i].path);
			free(r->pr->items[i].message);
		} else
			r->pr->items[k++] = r->pr->items[i];
	}
	if (r->pr)
		r->pr->n = k;
}

/* Whether the field a condition tests holds text that did not convert:
 * then the condition cannot be judged, and what depends on it is kept. */
static bool
fr_cond_typed(const struct fr *r, const struct form_cond *c,
    char prefix[][FV_PATH_MAX])
{
	char p[FV_PATH_MAX];

	if (r->typed == NULL || c->field == NULL || c->target == NULL ||
	    c->depth >= FR_SCOPES || !fv_path_child(p, prefix[c->depth], c->target->id))
		return false;
	return cJSON_GetObjectItemCaseSensitive(r->typed, p) != NULL;
}

/*
 * scopes: the objects from the record down to this one, as form_relevant_in
 * reads them; objs: the same objects, to change.
 */
static bool
fr_prune(struct fr *r, const struct form_field *fs, size_t n, const cJSON **scopes,
    cJSON **objs, char prefix[][FV_PATH_MAX], size_t depth)
{
	cJSON *obj = objs[depth];
	bool changed = false;

	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = &fs[i];
		cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, fd->id);
		char path[FV_PATH_MAX];

		if (!fv_path_child(path, prefix[depth], fd->id))
			continue;
		if (!form_relevant_in(fd, scopes, depth + 1) &&
		    !fr_cond_typed(r, &fd->relevant, prefix)) {
			if (m)
				cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
			changed |= m != NULL;
			fr_forget(r, path);
			continue;
		}
		if (fd->type != FORM_GROUP || !cJSON_IsArray(m) || depth + 1 >= FR_SCOPES)
			continue;
		size_t k = 0;
		for (cJSON *it = m->child; it; it = it->next, k++) {
			if (!cJSON_IsObject(it) || !fv_path_item(prefix[depth + 1], path, k, false))
				continue;
			scopes[depth + 1] = objs[depth + 1] = it;
			changed |= fr_prune(r, fd->children, fd->n_children, scopes, objs,
			    prefix, depth + 1);
		}
	}
	return changed;
}

int
formview_read(const struct form *f, const struct webform *post,
    const cJSON *stored, cJSON **values, cJSON **typed,
    struct form_problems **problems, struct terr *e)
{
	struct fr r = { .f = f, .post = post, .e = e };
	const cJSON *scopes[FR_SCOPES] = { NULL };
	cJSON *objs[FR_SCOPES] = { NULL };
	char prefix[FR_SCOPES][FV_PATH_MAX];
	cJSON *obj = NULL;
	int rounds = 0;

	if (values)
		*values = NULL;
	if (typed)
		*typed = NULL;
	if (problems)
		*problems = NULL;
	if (f == NULL || post == NULL || values == NULL || typed == NULL ||
	    problems == NULL)
		return terr_set(e, TERR_ARG, "formview_read: нет формы или ответов");
	r.n = webform_count(post);
	if (r.n > 0 && (r.names = calloc(r.n, sizeof(*r.names))) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	for (size_t i = 0; i < r.n; i++) {
		r.names[i].name = webform_at(post, i)->name;
		r.names[i].i = i;
	}
	if (r.n > 1)
		qsort(r.names, r.n, sizeof(*r.names), fr_name_cmp);
	if ((obj = cJSON_CreateObject()) == NULL) {
		fr_nomem(&r);
		goto out;
	}
	if (form_n_fields(f) > 0)
		fr_object(&r, form_field_at(f, 0), form_n_fields(f), "", "", stored, obj,
		    NULL);
	if (r.err)
		goto out;
	/* dropping one answer may make another not apply: again until none */
	prefix[0][0] = '\0';
	scopes[0] = objs[0] = obj;
	while (rounds++ < FR_PRUNE_ROUNDS && form_n_fields(f) > 0 &&
	    fr_prune(&r, form_field_at(f, 0), form_n_fields(f), scopes, objs, prefix, 0))
		;
	if (r.typed && r.typed->child == NULL) {
		cJSON_Delete(r.typed);
		r.typed = NULL;
	}
	if (r.pr && r.pr->n == 0) {
		form_problems_free(r.pr);
		r.pr = NULL;
	}
	*values = obj;
	*typed = r.typed;
	*problems = r.pr;
	obj = NULL;
	r.typed = NULL;
	r.pr = NULL;
 out:
	cJSON_Delete(obj);
	cJSON_Delete(r.typed);
	form_problems_free(r.pr);
	free(r.names);
	return r.err;
}

/* ---------- the add / remove buttons ---------- */

/*
 * Walks path ("a", "a[1].b", "a[1].b[2]") through values: *obj the object
 * holding the last segment's member, *fd its field, *idx the last
 * segment's index (-1: none). Every index but the last must name an item
 * that exists. false when the path names nothing of f.
 */
static bool
fr_walk(const struct form *f, cJSON *values, const char *path, cJSON **obj,
    const struct form_field **fd, long *idx)
{
	const struct form_field *g = NULL;
	cJSON *o = values;
	const char *p = path;
	size_t segs = 0;

	*idx = -1;
	for (;;) {
		char id[FORM_ID_MAX + 1];
		size_t l = strcspn(p, ".[");
		long k = -1;

		if (l == 0 || l > FORM_ID_MAX || ++segs > FORM_MAX_DEPTH + 1)
			return false;
		memcpy(id, p, l);
		id[l] = '\0';
		p += l;
		*fd = g ? form_field_child(g, id) : form_find(f, id);
		if (*fd == NULL)
			return false;
		if (*p == '[') {
			char *end;

			if (!isdigit((unsigned char)p[1]))
				return false;
			k = strtol(p + 1, &end, 10);
			if (*end != ']' || k < 0 || k >= FORM_MAX_REPEAT || end - p > 6)
				return false;
			p = end + 1;
		}
		if (*p == '\0') {
			*obj = o;
			*idx = k;
			return true;
		}
		/* not the last segment: an existing item of a group */
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, (*fd)->id);

		if (*p != '.' || k < 0 || (*fd)->type != FORM_GROUP || !cJSON_IsArray(arr) ||
		    (o = cJSON_GetArrayItem(arr, (int)k)) == NULL || !cJSON_IsObject(o))
			return false;
		g = *fd;
		p++;
	}
}

/* Typed text of the removed item goes; that of the items after it moves up. */
static int
fr_typed_shift(cJSON *typed, const char *gpath, long k)
{
	size_t gl = strlen(gpath);
	cJSON *t = typed ? typed->child : NULL, *moved = NULL;
	int r = 0;

	while (t) {
		cJSON *next = t->next, *item;
		const char *s = t->string;
		char *end, key[FV_PATH_MAX + 16];
		long j;

		if (strncmp(s, gpath, gl) != 0 || s[gl] != '[' ||
		    !isdigit((unsigned char)s[gl + 1]) ||
		    (j = strtol(s + gl + 1, &end, 10)) < k || *end != ']') {
			t = next;
			continue;
		}
		item = cJSON_DetachItemViaPointer(typed, t);
		t = next;
		if (j == k) {
			cJSON_Delete(item);
			continue;
		}
		/* put back only after the walk, or it would be met again */
		snprintf(key, sizeof(key), "%s[%ld]%s", gpath, j - 1, end + 1);
		if ((moved == NULL && (moved = cJSON_CreateObject()) == NULL) ||
		    !cJSON_AddItemToObject(moved, key, item)) {
			cJSON_Delete(item);
			r = TERR_NOMEM;
			break;
		}
	}
	while (moved && moved->child) {
		cJSON *item = moved->child;
		char key[FV_PATH_MAX + 16];

		snprintf(key, sizeof(key), "%s", item->string);
		cJSON_DetachItemViaPointer(moved, item);
		/* cJSON copies the key and frees the item's old one */
		if (r != 0 || !cJSON_AddItemToObject(typed, key, item)) {
			cJSON_Delete(item);
			r = TERR_NOMEM;
		}
	}
	cJSON_Delete(moved);
	return r;
}

int
formview_act_typed(const struct form *f, cJSON *values, cJSON *typed,
    const char *act, struct terr *e)
{
	const struct form_field *g = NULL;
	bool add;
	cJSON *obj, *arr;
	long k;
	size_t n, max;
	char gpath[FV_PATH_MAX];

	if (act == NULL || act[0] == '\0')
		return 0;
	if (f == NULL || !cJSON_IsObject(values))
		return terr_set(e, TERR_ARG, "formview_act: нет формы или значений");
	add = strncmp(act, "add:", 4) == 0;
	if ((!add && strncmp(act, "del:", 4) != 0) || strlen(act + 4) >= FV_PATH_MAX ||
	    !fr_walk(f, values, act + 4, &obj, &g, &k) || g->type != FORM_GROUP ||
	    g->per_dictionary != NULL || (add ? k >= 0 : k < 0))
		return terr_set(e, TERR_ARG, "Такого действия с формой нет: "
		    "обновите страницу.");
	arr = cJSON_GetObjectItemCaseSensitive(obj, g->id);
	n = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
	max = g->max_items ? g->max_items : FORM_MAX_REPEAT;
	if (add) {
		cJSON *item;

		if (n >= max)
			return terr_set(e, TERR_INVALID, "%s: не больше %zu %s.", g->label,
			    max, max % 10 == 1 && max % 100 != 11 ? "записи" : "записей");
		if (!cJSON_IsArray(arr)) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, g->id);
			if ((arr = cJSON_AddArrayToObject(obj, g->id)) == NULL)
				return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		}
		/* the page showed at least min_items (empty ones read back as
		 * no group): those first, then the one asked for */
		do {
			if ((item = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(arr, item)) {
				cJSON_Delete(item);
				return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			}
		} while (++n <= g->min_items && n < max);
		return 1;
	}
	if ((size_t)k >= n)
		return terr_set(e, TERR_ARG, "Такой записи уже нет: обновите страницу.");
	if (n - 1 < g->min_items)
		return terr_set(e, TERR_INVALID, "%s: нужна хотя бы %zu %s, удалить "
		    "последнюю нельзя.", g->label, g->min_items,
		    g->min_items % 10 == 1 && g->min_items % 100 != 11 ? "запись" : "записи");
	cJSON_DeleteItemFromArray(arr, (int)k);
	/* the group's own path: act + 4 without its "[k]" */
	snprintf(gpath, sizeof(gpath), "%.*s", (int)(strrchr(act + 4, '[') - (act + 4)),
	    act + 4);
	if (fr_typed_shift(typed, gpath, k) != 0)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	return 1;
}

int
formview_act(const struct form *f, cJSON *values, const char *act, struct terr *e)
{
	return formview_act_typed(f, values, NULL, act, e);
}
