/*
 * formview_show — a record's values for reading: the review page before
 * finalizing, a record's page, the hub's dashboard. Labels not codes, dates
 * ДД.ММ.ГГГГ, decimal commas, groups as tables, «—» for no answer; what
 * does not apply is left out. Also the helpers formview*.c share
 * (formview_int.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formview_int.h"
#include "web/formview.h"

#define FS_SCOPES (FORM_MAX_DEPTH + 2)
#define FS_HIDDEN "скрыто"

/* ---------- shared helpers ---------- */

bool
fv_path_child(char *out, const char *parent, const char *id)
{
	int n = parent[0] ? snprintf(out, FV_PATH_MAX, "%s.%s", parent, id) :
	    snprintf(out, FV_PATH_MAX, "%s", id);

	return n > 0 && n < FV_PATH_MAX;
}

bool
fv_path_item(char *out, const char *parent, size_t k, bool tpl)
{
	int n = tpl ? snprintf(out, FV_PATH_MAX, "%s[" FV_TPL_INDEX "]", parent) :
	    snprintf(out, FV_PATH_MAX, "%s[%zu]", parent, k);

	return n > 0 && n < FV_PATH_MAX;
}

const struct form_dictionary *
fv_dict_of(const struct form *f, const struct form_field *g)
{
	if (g->type != FORM_GROUP || g->per_dictionary == NULL || g->item_key == NULL)
		return NULL;
	return form_dictionary_find(f, g->per_dictionary);
}

const cJSON *
fv_item_by_key(const cJSON *arr, const char *key, const char *code, size_t *idx)
{
	size_t i = 0;

	if (!cJSON_IsArray(arr))
		return NULL;
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, key);

		if (cJSON_IsObject(it) && cJSON_IsString(k) &&
		    strcmp(k->valuestring, code) == 0) {
			if (idx)
				*idx = i;
			return it;
		}
	}
	return NULL;
}

void
fv_number(double x, bool integral, char *out, size_t cap)
{
	if (!isfinite(x)) {
		snprintf(out, cap, "?");
		return;
	}
	if (integral || (x == floor(x) && fabs(x) < 1e15))
		snprintf(out, cap, "%.0f", x);
	else
		snprintf(out, cap, "%.15g", x);
	/* whatever LC_NUMERIC says: people here write a comma */
	for (char *p = out; *p; p++)
		if (*p == '.')
			*p = ',';
	if (strcmp(out, "-0") == 0)
		snprintf(out, cap, "0");
}

const char *
fv_choice_label(const struct form_field *fd, const char *code)
{
	const struct form_choice *c = form_choice_find(fd, code);

	return c ? c->label : code;
}

/* ---------- the view ---------- */

struct fs {
	struct html *h;
	const struct form *f;
	const struct formview_opts *o;
	const cJSON *scopes[FS_SCOPES];
	int err;
};

/* A school code with its name, when the options know it. */
static const char *
fs_school_name(const struct fs *s, const char *code)
{
	if (s->o == NULL || s->o->school_names == NULL || s->o->school_codes == NULL)
		return NULL;
	for (size_t i = 0; i < s->o->n_schools; i++)
		if (strcmp(s->o->school_codes[i], code) == 0)
			return s->o->school_names[i];
	return NULL;
}

/* One value of a field that is not a group, as people read it. */
static void
fs_value(struct fs *s, const struct form_field *fd, const cJSON *obj)
{
	const cJSON *val = obj ? cJSON_GetObjectItemCaseSensitive(obj, fd->id) : NULL;
	char buf[64];

	if (s->o && s->o->local_hidden && fd->sync == FORM_SYNC_LOCAL) {
		html_elem(s->h, "span", FS_HIDDEN, "class", "empty", NULL);
		return;
	}
	if (cJSON_IsNull(val) && fd->type == FORM_SCALE && fd->no_answer) {
		html_text(s->h, fd->no_answer_label);
		return;
	}
	if (cJSON_IsString(val) && val->valuestring[0]) {
		const char *t = val->valuestring;

		if (fd->type == FORM_CHOICE)
			t = fv_choice_label(fd, t);
		else if (fd->type == FORM_DATE && form_date_ru(t, buf))
			t = buf;
		html_text(s->h, t);
		if (fd == form_school_field(s->f) && (t = fs_school_name(s, t))) {
			html_text(s->h, " — ");
			html_text(s->h, t);
		}
		return;
	}
	if (cJSON_IsNumber(val)) {
		fv_number(val->valuedouble, fd->type != FORM_DECIMAL, buf, sizeof(buf));
		html_text(s->h, buf);
		return;
	}
	if (cJSON_IsBool(val)) {
		html_text(s->h, cJSON_IsTrue(val) ? "да" : "нет");
		return;
	}
	if (cJSON_IsArray(val) && cJSON_GetArraySize(val) > 0 && fd->type == FORM_MULTI) {
		bool first = true;

		for (const cJSON *m = val->child; m; m = m->next) {
			if (!cJSON_IsString(m))
				continue;
			if (!first)
				html_text(s->h, "; ");
			html_text(s->h, fv_choice_label(fd, m->valuestring));
			first = false;
		}
		return;
	}
	html_elem(s->h, "span", "—", "class", "empty", NULL);
}

static void
fs_lock(struct fs *s, const struct form_field *fd)
{
	if (fd->sync == FORM_SYNC_LOCAL)
		html_elem(s->h, "span", "только на этом устройстве", "class", "lock",
		    "title", "Хранится только на этом устройстве", NULL);
}

/* A group as a table: a column per member, a row per item. */
static void
fs_group(struct fs *s, const struct form_field *g, size_t depth)
{
	const cJSON *obj = s->scopes[depth];
	const cJSON *arr = obj ? cJSON_GetObjectItemCaseSensitive(obj, g->id) : NULL;
	const struct form_dictionary *dict = fv_dict_of(s->f, g);
	size_t d = depth + 1, k = 0;

	if (d >= FS_SCOPES) {
		s->err = TERR_DEPTH;
		return;
	}
	html_open(s->h, "section", "class", "ts-group", NULL);
	html_open(s->h, "h3", NULL);
	html_text(s->h, g->label);
	fs_lock(s, g);
	html_close(s->h, "h3");
	if (s->o && s->o->local_hidden && g->sync == FORM_SYNC_LOCAL) {
		html_elem(s->h, "p", FS_HIDDEN, "class", "empty", NULL);
		goto out;
	}
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
		html_elem(s->h, "p", "Нет записей", "class", "empty", NULL);
		goto out;
	}
	html_open(s->h, "div", "class", "tablewrap", NULL);
	html_open(s->h, "table", "class", dict ? "factors ts-table" : "grid ts-table",
	    NULL);
	html_open(s->h, "thead", NULL);
	html_open(s->h, "tr", NULL);
	if (dict == NULL)
		html_elem(s->h, "th", "№", "scope", "col", NULL);
	for (size_t c = 0; c < g->n_children; c++) {
		html_open(s->h, "th", "scope", "col", NULL);
		html_text(s->h, g->children[c].label);
		fs_lock(s, &g->children[c]);
		html_close(s->h, "th");
	}
	html_close(s->h, "tr");
	html_close(s->h, "thead");
	html_open(s->h, "tbody", NULL);
	for (const cJSON *it = arr->child; it && s->err == 0; it = it->next, k++) {
		char num[24];

		if (!cJSON_IsObject(it))
			continue;
		s->scopes[d] = it;
		html_open(s->h, "tr", NULL);
		if (dict == NULL) {
			snprintf(num, sizeof(num), "%zu", k + 1);
			html_elem(s->h, "td", num, "class", "num", NULL);
		}
		for (size_t c = 0; c < g->n_children; c++) {
			const struct form_field *ch = &g->children[c];
			bool key = dict && strcmp(ch->id, g->item_key) == 0;

			html_open(s->h, key ? "th" : "td", "scope", key ? "row" : NULL, NULL);
			if (!form_relevant_in(ch, s->scopes, d + 1))
				html_elem(s->h, "span", "не относится", "class", "empty", NULL);
			else if (ch->type == FORM_GROUP)
				fs_group(s, ch, d);
			else if (key) {
				const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, ch->id);
				const struct form_choice *en = NULL;

				for (size_t i = 0; cJSON_IsString(code) && i < dict->n_entries; i++)
					if (strcmp(dict->entries[i].code, code->valuestring) == 0)
						en = &dict->entries[i];
				if (en) {
					html_elem(s->h, "span", en->code, "class", "tf-code", NULL);
					html_text(s->h, " ");
					html_text(s->h, en->label);
				} else
					fs_value(s, ch, it);
			} else
				fs_value(s, ch, it);
			html_close(s->h, key ? "th" : "td");
		}
		html_close(s->h, "tr");
	}
	html_close(s->h, "tbody");
	html_close(s->h, "table");
	html_close(s->h, "div");
 out:
	html_close(s->h, "section");
}

/* The fields of one object: runs of plain fields as a list, groups apart. */
static void
fs_object(struct fs *s, const struct form_field *fs, size_t n, size_t depth)
{
	bool open = false;

	for (size_t i = 0; i < n && s->err == 0; i++) {
		const struct form_field *fd = &fs[i];

		if (!form_relevant_in(fd, s->scopes, depth + 1))
			continue;
		if (fd->type == FORM_GROUP) {
			if (open)
				html_close(s->h, "dl");
			open = false;
			fs_group(s, fd, depth);
			continue;
		}
		if (!open)
			html_open(s->h, "dl", "class", "show", NULL);
		open = true;
		html_open(s->h, "dt", NULL);
		html_text(s->h, fd->label);
		fs_lock(s, fd);
		html_close(s->h, "dt");
		html_open(s->h, "dd", NULL);
		fs_value(s, fd, s->scopes[depth]);
		html_close(s->h, "dd");
	}
	if (open)
		html_close(s->h, "dl");
}

int
formview_show(struct html *h, const struct form *f, const cJSON *values,
    const struct formview_opts *o, struct terr *e)
{
	struct fs s = { .h = h, .f = f, .o = o };
	int r;

	if (h == NULL || f == NULL || !cJSON_IsObject(values))
		return terr_set(e, TERR_ARG, "formview_show: нет формы или значений");
	s.scopes[0] = values;
	html_open(h, "div", "class", "tshow", "data-form", form_id(f), NULL);
	/* the top-level fields are one array, as a group's members are */
	if (form_n_fields(f) > 0)
		fs_object(&s, form_field_at(f, 0), form_n_fields(f), 0);
	html_close(h, "div");
	if (s.err != 0)
		return terr_set(e, s.err, "Форма «%s»: слишком глубокая вложенность групп.",
		    form_title(f));
	r = html_status(h, e);
	return r;
}
