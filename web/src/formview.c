/*
 * formview — a form definition as an HTML form (formview_render; reading
 * the post back is formview_read.c, a record for reading formview_show.c).
 *
 * The markup, which web/assets/form.js and form.css (and the browser
 * tests) rely on; the look is app.css's (field, required, invalid, local,
 * req, lock, hint, error, problems, group, item, factors):
 *   <div class="tform">            the whole form; form.js adds "tf-js".
 *                                  First a hidden «Обновить» button
 *                                  (_act=""): Enter in a text box presses
 *                                  it, not «Убрать: …»
 *   .problems                      every problem at the top, each a link
 *                                  to its field ("#w-<path>")
 *   .field#w-<path>                one field: label (a fieldset's legend
 *                                  for radios and boxes), .hint, the
 *                                  control(s) named <path> (id f-<path>),
 *                                  its .error(s); .invalid when it has
 *                                  some; .tf-off when it does not apply
 *                                  now (dimmed, .tf-cond saying when it
 *                                  applies; hidden once form.js runs)
 *   data-rel="<path>" data-rel-in='["a","b"]' [data-rel-num]
 *                                  applies when that field's answer is one
 *                                  of these (numbers compared as numbers)
 *   data-reqif… (the same three)   required when that holds: form.js shows
 *                                  the field's .tf-reqif mark then
 *   .group#w-<path>[data-min][data-max]  a repeat group: hidden
 *                                  "_n.<path>" (the count), .tf-items
 *                                  #i-<path> holding .item#w-<path>[k]
 *                                  (legend «…, запись <span.tf-num>»,
 *                                  .item-actions > «Убрать: …, запись
 *                                  <span.tf-num>» _act=del:<path>[k]);
 *                                  at least min_items, empty), <template
 *                                  class="tf-tpl" data-group="<path>"> (an
 *                                  empty item whose index is "*"), then
 *                                  «Добавить: <label>» (_act=add:<path>)
 *   .group.tf-dict                 a per-dictionary group: table.factors,
 *                                  a row #w-<path>[i] per dictionary entry
 *                                  (the entry's code and label, the cells
 *                                  #w-<path>[i].<member>)
 * Controls: text and numbers are text inputs (no browser checks: a draft
 * must save whatever is typed; the forms engine judges), dates
 * type="date", booleans radios "1" / "0", choices radios (a <select> past
 * FV_RADIO_MAX choices and in table cells), multiple choices checkboxes,
 * scales radios (FV_NO_ANSWER for «затрудняюсь ответить»), read-only
 * fields text only (their values come from the stored record).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formview_int.h"
#include "web/formview.h"

static void fv_group(struct fv *v, const struct form_field *g, size_t depth);
static void fv_fields(struct fv *v, const struct form_field *fs, size_t n,
    size_t depth, const char *skip);

const cJSON *
fv_typed(const struct fv *v, const char *path)
{
	const cJSON *t;

	if (v->tpl || v->typed == NULL)
		return NULL;
	t = cJSON_GetObjectItemCaseSensitive(v->typed, path);
	return cJSON_IsString(t) ? t : NULL;
}

size_t
fv_problem_count(const struct fv *v, const char *ppath)
{
	size_t n = 0;

	if (v->tpl || v->pr == NULL)
		return 0;
	for (size_t i = 0; i < v->pr->n; i++)
		if (v->pr->items[i].path && strcmp(v->pr->items[i].path, ppath) == 0)
			n++;
	return n;
}

static void
fv_errors(struct fv *v, const char *ppath, const char *name)
{
	char id[FV_PATH_MAX + 8];

	if (v->tpl || v->pr == NULL || fv_problem_count(v, ppath) == 0)
		return;
	snprintf(id, sizeof(id), "e-%s", name);
	/* one element per field, so its id (aria-describedby names it) stays
	 * unique however many problems the field has: a line for each */
	html_open(v->h, "p", "class", "error", "id", id, NULL);
	for (size_t i = 0; i < v->pr->n; i++) {
		const struct form_problem *p = &v->pr->items[i];

		if (p->path && strcmp(p->path, ppath) == 0)
			html_elem(v->h, "span", p->message ? p->message : "",
			    "class", "tf-errline", NULL);
	}
	html_close(v->h, "p");
}

/* The condition's values as a JSON list of what the controls post. */
static char *
fv_cond_values(const struct form_cond *c)
{
	cJSON *arr = cJSON_CreateArray();
	char num[64], *s;

	if (arr == NULL)
		return NULL;
	for (const cJSON *x = c->values ? c->values->child : NULL; x; x = x->next) {
		const char *t = num;

		if (cJSON_IsString(x))
			t = x->valuestring;
		else if (cJSON_IsBool(x))
			t = cJSON_IsTrue(x) ? "1" : "0";
		else if (cJSON_IsNumber(x))
			fv_number(x->valuedouble, false, num, sizeof(num));
		else
			continue;
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(t))) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return s;
}

/* The path of the field a condition tests, as the inputs name it. */
static bool
fv_cond_path(const struct fv *v, const struct form_cond *c, char *out)
{
	if (c->field == NULL || c->target == NULL || c->depth >= FV_SCOPES)
		return false;
	return fv_path_child(out, v->name[c->depth], c->target->id);
}

static bool
fv_numeric(const struct form_field *t)
{
	return t && (t->type == FORM_INTEGER || t->type == FORM_DECIMAL ||
	    t->type == FORM_SCALE);
}

/*
 * Opens a field's wrapper: tag with its classes and the data-* form.js
 * reads. The attribute list is fixed; absent ones are NULL (skipped).
 */
static void
fv_wrap_open(struct fv *v, const char *tag, const struct form_field *fd,
    const char *cls, const char *name, bool off, size_t nerr)
{
	char dmin[24], dmax[24];
	bool rep = fd->type == FORM_GROUP && fd->per_dictionary == NULL;

	char id[FV_PATH_MAX + 8], rel[FV_PATH_MAX], req[FV_PATH_MAX];
	char klass[256];
	char *relin = NULL, *reqin = NULL;
	bool has_rel = fv_cond_path(v, &fd->relevant, rel);
	bool has_req = fv_cond_path(v, &fd->required_if, req);

	snprintf(id, sizeof(id), "w-%s", name);
	/* field, required, invalid, local: app.css's look; tf-*: form.js's hooks */
	snprintf(klass, sizeof(klass), "%s%s%s%s%s%s", cls, off ? " tf-off" : "",
	    nerr ? " invalid" : "", fd->sync == FORM_SYNC_LOCAL ? " local" : "",
	    fd->readonly ? " tf-ro" : "", fd->required ? " required" : "");
	if (has_rel && (relin = fv_cond_values(&fd->relevant)) == NULL)
		v->err = TERR_NOMEM;
	if (has_req && (reqin = fv_cond_values(&fd->required_if)) == NULL)
		v->err = TERR_NOMEM;
	snprintf(dmin, sizeof(dmin), "%zu", fd->min_items);
	snprintf(dmax, sizeof(dmax), "%zu", fd->max_items ? fd->max_items :
	    (size_t)FORM_MAX_REPEAT);
	html_open(v->h, tag, "class", klass, "id", id,
	    "data-min", rep ? dmin : NULL, "data-max", rep ? dmax : NULL,
	    "data-rel", has_rel ? rel : NULL,
	    "data-rel-in", relin,
	    "data-rel-num", has_rel && fv_numeric(fd->relevant.target) ? "" : NULL,
	    "data-reqif", has_req ? req : NULL,
	    "data-reqif-in", reqin,
	    "data-reqif-num", has_req && fv_numeric(fd->required_if.target) ? "" : NULL,
	    NULL);
	free(relin);
	free(reqin);
}

/* The marks after a label: required (or required when …), `local`. */
static void
fv_marks(struct fv *v, const struct form_field *fd, bool reqif_now)
{
	if (fd->required)
		html_elem(v->h, "span", "*", "class", "req",
		    "title", "обязательное поле", NULL);
	else if (fd->required_if.field != NULL)
		html_elem(v->h, "span", "*", "class", "req tf-reqif",
		    "title", "обязательное поле при этом ответе",
		    "hidden", reqif_now ? NULL : "", NULL);
	if (fd->sync == FORM_SYNC_LOCAL)
		html_elem(v->h, "span", "только на этом устройстве",
		    "class", "lock",
		    "title", "Это поле хранится только на этом устройстве и "
		    "никогда не отправляется", NULL);
}

/* Appends "; part" (or "Part" first) to buf. */
static void
fv_part(char *buf, size_t cap, const char *part)
{
	size_t l = strlen(buf);

	snprintf(buf + l, cap - l, "%s%s", l ? "; " : "", part);
	/* the first letter capital: Cyrillic а-п (0xd0 0xb0-0xbf) -> А-П */
	if (l == 0 && (unsigned char)buf[0] == 0xd0 && (unsigned char)buf[1] >= 0xb0 &&
	    (unsigned char)buf[1] <= 0xbf)
		buf[1] = (char)((unsigned char)buf[1] - 0x20);
}

/* The value's bounds in words: its range, the fields it is compared with. */
static void
fv_bounds(struct fv *v, const struct form_field *fd)
{
	char buf[2 * FORM_LABEL_MAX + 256], a[64], b[64], part[FORM_LABEL_MAX + 64];
	bool date = fd->type == FORM_DATE;

	buf[0] = '\0';
	if (fd->type == FORM_INTEGER || fd->type == FORM_DECIMAL) {
		fv_number(fd->min, fd->type == FORM_INTEGER, a, sizeof(a));
		fv_number(fd->max, fd->type == FORM_INTEGER, b, sizeof(b));
		if (fd->has_min && fd->has_max)
			snprintf(part, sizeof(part), "от %s до %s", a, b);
		else
			snprintf(part, sizeof(part), fd->has_min ? "не меньше %s" :
			    "не больше %s", fd->has_min ? a : b);
		if (fd->has_min || fd->has_max)
			fv_part(buf, sizeof(buf), part);
	}
	if (date && fd->has_min) {
		char iso[11];

		form_date_format((long)fd->min, iso);
		if (form_date_ru(iso, a)) {
			snprintf(part, sizeof(part), "не раньше %s", a);
			fv_part(buf, sizeof(buf), part);
		}
	}
	if (date && fd->has_max) {
		char iso[11];

		form_date_format((long)fd->max, iso);
		if (form_date_ru(iso, b)) {
			snprintf(part, sizeof(part), "не позже %s", b);
			fv_part(buf, sizeof(buf), part);
		}
	}
	if (fd->min_field.target) {
		snprintf(part, sizeof(part), "%s, чем «%s»", date ? "не раньше" :
		    "не меньше", fd->min_field.target->label);
		fv_part(buf, sizeof(buf), part);
	}
	if (fd->max_field.target) {
		snprintf(part, sizeof(part), "%s, чем «%s»", date ? "не позже" :
		    "не больше", fd->max_field.target->label);
		fv_part(buf, sizeof(buf), part);
	}
	if (buf[0])
		html_elem(v->h, "p", buf, "class", "hint tf-range", NULL);
}

/* Hint, the mask and the range, and when the field applies. */
static void
fv_notes(struct fv *v, const struct form_field *fd, const char *name)
{
	char id[FV_PATH_MAX + 8];
	char *cond;

	snprintf(id, sizeof(id), "h-%s", name);
	if (fd->hint)
		html_elem(v->h, "p", fd->hint, "class", "hint", "id", id, NULL);
	if (fd->sync == FORM_SYNC_LOCAL && fd->depth == 0)
		html_elem(v->h, "p", "Хранится только на этом устройстве и никогда не "
		    "отправляется.", "class", "local-note", NULL);
	if (fd->mask) {
		html_open(v->h, "p", "class", "hint tf-mask", NULL);
		html_textf(v->h, "В виде «%s», где 9 — цифра", fd->mask);
		html_close(v->h, "p");
	}
	fv_bounds(v, fd);
	if (fd->relevant.field && (cond = form_cond_describe(&fd->relevant))) {
		html_open(v->h, "p", "class", "hint tf-cond", NULL);
		html_textf(v->h, "Заполняется, только если %s", cond);
		html_close(v->h, "p");
		free(cond);
	}
}

static void
fv_field(struct fv *v, const struct form_field *fd, size_t depth)
{
	char name[FV_PATH_MAX], ppath[FV_PATH_MAX], cls[64], fid[FV_PATH_MAX + 8];
	const cJSON *const *sc = v->scopes;
	bool off, set, reqif;
	size_t nerr;

	if (!fv_path_child(name, v->name[depth], fd->id) ||
	    !fv_path_child(ppath, v->ppath[depth], fd->id)) {
		v->err = TERR_TOO_LARGE;
		return;
	}
	off = !form_relevant_in(fd, sc, depth + 1);
	reqif = form_required_if_in(fd, sc, depth + 1);
	nerr = fv_problem_count(v, ppath);
	set = fv_is_set(v, fd);
	snprintf(cls, sizeof(cls), "field tf-field tf-t%d", (int)fd->type);
	fv_wrap_open(v, set ? "fieldset" : "div", fd, cls, name, off, nerr);
	snprintf(fid, sizeof(fid), "f-%s", name);
	html_open(v->h, set ? "legend" : "label", "class", "tf-label",
	    "for", set || fd->readonly ? NULL : fid, NULL);
	html_text(v->h, fd->label);
	fv_marks(v, fd, reqif);
	html_close(v->h, set ? "legend" : "label");
	fv_notes(v, fd, name);
	fv_control(v, fd, name, ppath, sc[depth], false, NULL);
	fv_errors(v, ppath, name);
	html_close(v->h, set ? "fieldset" : "div");
}

/* ---------- groups ---------- */

static void
fv_item(struct fv *v, const struct form_field *g, size_t depth, size_t k,
    const cJSON *item, const char *gname, const char *gppath, size_t count)
{
	char id[FV_PATH_MAX + 8], act[FV_PATH_MAX + 8], num[24];
	size_t d = depth + 1;

	if (d >= FV_SCOPES || !fv_path_item(v->name[d], gname, k, v->tpl) ||
	    !fv_path_item(v->ppath[d], gppath, k, v->tpl)) {
		v->err = TERR_TOO_LARGE;
		return;
	}
	v->scopes[d] = cJSON_IsObject(item) ? item : v->empty;
	snprintf(id, sizeof(id), "w-%s", v->name[d]);
	html_open(v->h, "fieldset", "class", fv_problem_count(v, v->ppath[d]) ?
	    "item tf-item invalid" : "item tf-item", "id", id, NULL);
	html_open(v->h, "legend", "class", "tf-label", NULL);
	html_text(v->h, g->label);
	html_text(v->h, ", запись ");
	snprintf(num, sizeof(num), "%zu", k + 1);
	html_elem(v->h, "span", v->tpl ? "" : num, "class", "tf-num", NULL);
	html_close(v->h, "legend");
	snprintf(act, sizeof(act), "del:%s", v->name[d]);
	html_open(v->h, "div", "class", "item-actions", NULL);
	/* says which list the item leaves, so it is not read as deleting the
	 * whole record; the number follows the legend's (form.js renumbers) */
	html_open(v->h, "button", "type", "submit", "name", "_act",
	    "value", act, "class", "btn quiet tf-del", "formnovalidate", "",
	    "disabled", count <= g->min_items ? "" : NULL, NULL);
	html_textf(v->h, "Убрать: %s, запись ", g->label);
	html_elem(v->h, "span", v->tpl ? "" : num, "class", "tf-num", NULL);
	html_close(v->h, "button");
	html_close(v->h, "div");
	fv_errors(v, v->ppath[d], v->name[d]);
	fv_fields(v, g->children, g->n_children, d, NULL);
	html_close(v->h, "fieldset");
}

static void
fv_repeat(struct fv *v, const struct form_field *g, size_t depth,
    const cJSON *arr, const char *name, const char *ppath)
{
	char cnt[FV_PATH_MAX + 8], num[24], id[FV_PATH_MAX + 8], act[FV_PATH_MAX + 8];
	size_t max = g->max_items ? g->max_items : FORM_MAX_REPEAT;
	size_t got = v->tpl || !cJSON_IsArray(arr) ? 0 : (size_t)cJSON_GetArraySize(arr);
	/* a new record shows the items it must have, empty: formview_read
	 * reads them back untouched as no answer */
	size_t n = got < g->min_items && !v->tpl ? g->min_items : got;
	bool was_tpl = v->tpl;
	size_t k = 0;
	const cJSON *it = got ? arr->child : NULL;

	snprintf(cnt, sizeof(cnt), FV_COUNT_PREFIX "%s", name);
	snprintf(num, sizeof(num), "%zu", n);
	html_void(v->h, "input", "type", "hidden", "name", cnt, "value", num, NULL);
	snprintf(id, sizeof(id), "i-%s", name);
	html_open(v->h, "div", "class", "tf-items", "id", id, NULL);
	for (; k < n && v->err == 0; k++) {
		fv_item(v, g, depth, k, it, name, ppath, n);
		it = it ? it->next : NULL;
	}
	html_close(v->h, "div");
	/* one empty item for form.js to copy: adding needs no round trip */
	html_open(v->h, "template", "class", "tf-tpl", "data-group", name, NULL);
	v->tpl = true;
	fv_item(v, g, depth, 0, NULL, name, ppath, g->min_items + 1);
	v->tpl = was_tpl;
	html_close(v->h, "template");
	snprintf(act, sizeof(act), "add:%s", name);
	html_open(v->h, "button", "type", "submit", "name", "_act", "value", act,
	    "class", "btn tf-add", "formnovalidate", "",
	    "disabled", n >= max ? "" : NULL, NULL);
	html_textf(v->h, "Добавить: %s", g->label);
	html_close(v->h, "button");
}

/* A per-dictionary group: a table, one row per entry of the dictionary. */
static void
fv_dict(struct fv *v, const struct form_field *g, size_t depth,
    const cJSON *arr, const char *name, const char *ppath)
{
	const struct form_dictionary *dict = fv_dict_of(v->f, g);
	size_t d = depth + 1;

	if (dict == NULL || d >= FV_SCOPES) {
		v->err = terr_set(v->e, TERR_FORM, "Справочник «%s» формы «%s» не "
		    "найден.", g->per_dictionary, form_title(v->f));
		return;
	}
	html_open(v->h, "div", "class", "tablewrap", NULL);
	html_open(v->h, "table", "class", "factors tf-table", NULL);
	html_open(v->h, "thead", NULL);
	html_open(v->h, "tr", NULL);
	for (size_t c = 0; c < g->n_children; c++) {
		const struct form_field *ch = &g->children[c];

		html_open(v->h, "th", "scope", "col", NULL);
		html_text(v->h, ch->label);
		if (strcmp(ch->id, g->item_key) != 0 && ch->required)
			html_elem(v->h, "span", "*", "class", "req",
			    "title", "обязательное поле", NULL);
		html_close(v->h, "th");
	}
	html_close(v->h, "tr");
	html_close(v->h, "thead");
	html_open(v->h, "tbody", NULL);
	for (size_t i = 0; i < dict->n_entries && v->err == 0; i++) {
		const struct form_choice *en = &dict->entries[i];
		size_t j = i;
		const cJSON *item = v->tpl ? NULL :
		    fv_item_by_key(arr, g->item_key, en->code, &j);
		char id[FV_PATH_MAX + 8];

		if (!fv_path_item(v->name[d], name, i, false) ||
		    !fv_path_item(v->ppath[d], ppath, item ? j : i, false)) {
			v->err = TERR_TOO_LARGE;
			return;
		}
		v->scopes[d] = item ? item : v->empty;
		snprintf(id, sizeof(id), "w-%s", v->name[d]);
		html_open(v->h, "tr", "id", id, "class",
		    fv_problem_count(v, v->ppath[d]) ? "tf-row invalid" : "tf-row", NULL);
		for (size_t c = 0; c < g->n_children; c++) {
			const struct form_field *ch = &g->children[c];
			char cname[FV_PATH_MAX], cp[FV_PATH_MAX], aria[2 * FORM_LABEL_MAX];

			if (strcmp(ch->id, g->item_key) == 0) {
				html_open(v->h, "th", "scope", "row", NULL);
				html_elem(v->h, "span", en->code, "class", "tf-code", NULL);
				html_text(v->h, " ");
				html_text(v->h, en->label);
				fv_errors(v, v->ppath[d], v->name[d]);
				html_close(v->h, "th");
				continue;
			}
			if (!fv_path_child(cname, v->name[d], ch->id) ||
			    !fv_path_child(cp, v->ppath[d], ch->id)) {
				v->err = TERR_TOO_LARGE;
				return;
			}
			snprintf(aria, sizeof(aria), "%s: %s", ch->label, en->label);
			fv_wrap_open(v, "td", ch, ch->readonly ? "tf-field level" : "tf-field",
			    cname,
			    !form_relevant_in(ch, v->scopes, d + 1), fv_problem_count(v, cp));
			if (ch->type == FORM_GROUP) {
				/* a group inside an entry's row: drawn in its cell */
				fv_group(v, ch, d);
				html_close(v->h, "td");
				continue;
			}
			if (!ch->required && ch->required_if.field)
				fv_marks(v, ch, form_required_if_in(ch, v->scopes, d + 1));
			fv_control(v, ch, cname, cp, v->scopes[d], true, aria);
			fv_errors(v, cp, cname);
			html_close(v->h, "td");
		}
		html_close(v->h, "tr");
	}
	html_close(v->h, "tbody");
	html_close(v->h, "table");
	html_close(v->h, "div");
}

static void
fv_group(struct fv *v, const struct form_field *g, size_t depth)
{
	char name[FV_PATH_MAX], ppath[FV_PATH_MAX];
	const cJSON *obj = v->scopes[depth];
	const cJSON *arr = obj ? cJSON_GetObjectItemCaseSensitive(obj, g->id) : NULL;
	bool off = !form_relevant_in(g, v->scopes, depth + 1);
	size_t nerr;

	if (!fv_path_child(name, v->name[depth], g->id) ||
	    !fv_path_child(ppath, v->ppath[depth], g->id)) {
		v->err = TERR_TOO_LARGE;
		return;
	}
	nerr = fv_problem_count(v, ppath);
	fv_wrap_open(v, "fieldset", g, g->per_dictionary ? "group tf-group tf-dict" :
	    "group tf-group", name, off, nerr);
	html_open(v->h, "legend", "class", "tf-label", NULL);
	html_text(v->h, g->label);
	fv_marks(v, g, form_required_if_in(g, v->scopes, depth + 1));
	html_close(v->h, "legend");
	fv_notes(v, g, name);
	fv_errors(v, ppath, name);
	if (v->o && v->o->local_hidden && g->sync == FORM_SYNC_LOCAL)
		html_elem(v->h, "p", "скрыто: откройте хранилище паролем",
		    "class", "tf-static empty", NULL);
	else if (g->per_dictionary && g->item_key)
		fv_dict(v, g, depth, arr, name, ppath);
	else
		fv_repeat(v, g, depth, arr, name, ppath);
	html_close(v->h, "fieldset");
}

static void
fv_fields(struct fv *v, const struct form_field *fs, size_t n, size_t depth,
    const char *skip)
{
	for (size_t i = 0; i < n && v->err == 0; i++) {
		if (skip && strcmp(fs[i].id, skip) == 0)
			continue;
		if (fs[i].type == FORM_GROUP)
			fv_group(v, &fs[i], depth);
		else
			fv_field(v, &fs[i], depth);
	}
}

/* Every problem at the top, each a link to its field when it has one. */
static void
fv_summary(struct fv *v)
{
	const struct form_problems *pr = v->pr;
	size_t n = pr ? pr->n : 0, m = n % 100;

	if (n == 0)
		return;
	html_open(v->h, "div", "class", "problems tf-problems", "role", "alert", NULL);
	html_open(v->h, "p", "class", "tf-problems-title", NULL);
	html_textf(v->h, "Проверьте ответы: %zu %s. Они отмечены рядом с полями.",
	    n, m % 10 == 1 && m != 11 ? "ошибка" : m % 10 >= 2 && m % 10 <= 4 &&
	    (m < 12 || m > 14) ? "ошибки" : "ошибок");
	html_close(v->h, "p");
	html_open(v->h, "ul", NULL);
	for (size_t i = 0; i < n; i++) {
		const struct form_problem *p = &pr->items[i];
		char href[FV_PATH_MAX + 8];

		html_open(v->h, "li", NULL);
		if (p->path && p->path[0] && strlen(p->path) < FV_PATH_MAX &&
		    form_field_find_path(v->f, p->path) != NULL) {
			snprintf(href, sizeof(href), "#w-%s", p->path);
			html_elem(v->h, "a", p->message ? p->message : "", "href", href, NULL);
		} else
			html_text(v->h, p->message ? p->message : "");
		html_close(v->h, "li");
	}
	html_close(v->h, "ul");
	html_close(v->h, "div");
}

int
formview_render(struct html *h, const struct form *f, const cJSON *values,
    const cJSON *typed, const struct form_problems *problems,
    const struct formview_opts *o, struct terr *e)
{
	struct fv *v;
	int r;

	if (h == NULL || f == NULL)
		return terr_set(e, TERR_ARG, "formview_render: нет формы");
	if (values != NULL && !cJSON_IsObject(values))
		return terr_set(e, TERR_ARG, "formview_render: значения записи — не объект");
	if ((v = calloc(1, sizeof(*v))) == NULL || (v->empty = cJSON_CreateObject()) == NULL) {
		free(v);
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	}
	v->h = h;
	v->f = f;
	v->typed = cJSON_IsObject(typed) ? typed : NULL;
	v->pr = problems;
	v->o = o;
	v->e = e;
	v->scopes[0] = values ? values : v->empty;
	html_open(h, "div", "class", "tform", "data-form", form_id(f), NULL);
	/* Enter in a text box presses a form's first submit button: this one,
	 * which only redraws the page, not «Убрать: …» */
	html_elem(h, "button", "Обновить", "type", "submit", "name", "_act",
	    "value", "", "class", "tf-default", "tabindex", "-1",
	    "aria-hidden", "true", NULL);
	fv_summary(v);
	for (size_t i = 0; i < form_n_fields(f) && v->err == 0; i++) {
		const struct form_field *fd = form_field_at(f, i);

		if (fd->type == FORM_GROUP)
			fv_group(v, fd, 0);
		else
			fv_field(v, fd, 0);
	}
	html_close(h, "div");
	r = v->err;
	if (r == TERR_NOMEM)
		terr_set(e, r, "Недостаточно памяти.");
	else if (r == TERR_TOO_LARGE)
		terr_set(e, r, "Форма «%s»: слишком длинный путь к полю.", form_title(f));
	else if (r == 0)
		r = html_status(h, e);
	cJSON_Delete(v->empty);
	free(v);
	return r;
}
