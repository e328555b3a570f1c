/*
 * formview_control — the controls of one field (formview.c lays out the
 * form around them): text boxes, dates, radios, boxes, lists, the school,
 * values shown but not asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formview_int.h"
#include "web/formview.h"

/* The text a text-like input shows: what was typed, else the value. */
static const char *
fv_input_text(const struct fv *v, const struct form_field *fd, const char *name,
    const cJSON *val, char *buf, size_t cap)
{
	const cJSON *t = fv_typed(v, name);

	if (t)
		return t->valuestring;
	if (cJSON_IsString(val))
		return val->valuestring;
	if (cJSON_IsNumber(val)) {
		fv_number(val->valuedouble, fd->type != FORM_DECIMAL, buf, cap);
		return buf;
	}
	return "";
}

static bool
fv_iso_date(const char *s)
{
	long d;

	return s[0] == '\0' || (strlen(s) == 10 && form_date_days(s, &d) == 0);
}

/* One option of a radio list or a checkbox. */
static void
fv_option(struct fv *v, const char *type, const char *name, const char *value,
    const char *label, bool checked, const char *cls)
{
	html_open(v->h, "label", "class", cls, NULL);
	html_void(v->h, "input", "type", type, "name", name, "value", value,
	    "checked", checked ? "" : NULL, NULL);
	html_elem(v->h, "span", label, NULL);
	html_close(v->h, "label");
}

static void
fv_select(struct fv *v, const struct form_field *fd, const char *name,
    const char *id, const char *cur, const char *aria)
{
	bool found = cur[0] == '\0';

	html_open(v->h, "select", "name", name, "id", id, "aria-label", aria, NULL);
	html_elem(v->h, "option", "— не выбрано —", "value", "",
	    "selected", cur[0] == '\0' ? "" : NULL, NULL);
	if (fd->type == FORM_SCALE) {
		char num[32];

		for (double x = fd->min; x <= fd->max; x += 1) {
			fv_number(x, true, num, sizeof(num));
			if (strcmp(num, cur) == 0)
				found = true;
			html_elem(v->h, "option", num, "value", num,
			    "selected", strcmp(num, cur) == 0 ? "" : NULL, NULL);
		}
		if (fd->no_answer) {
			found |= strcmp(cur, FV_NO_ANSWER) == 0;
			html_elem(v->h, "option", fd->no_answer_label, "value",
			    FV_NO_ANSWER, "selected", strcmp(cur, FV_NO_ANSWER) == 0 ?
			    "" : NULL, NULL);
		}
	} else {
		for (size_t i = 0; i < fd->n_choices; i++) {
			bool sel = strcmp(fd->choices[i].code, cur) == 0;

			found |= sel;
			html_elem(v->h, "option", fd->choices[i].label, "value",
			    fd->choices[i].code, "selected", sel ? "" : NULL, NULL);
		}
	}
	/* a value the list does not have (a school no longer the device's, an
	 * old code) stays visible and selected rather than silently lost */
	if (!found)
		html_elem(v->h, "option", cur, "value", cur, "selected", "", NULL);
	html_close(v->h, "select");
}

/* The current single value as the controls post it ("" none). */
static const char *
fv_posted_form(const struct form_field *fd, const cJSON *val, bool present,
    char *buf, size_t cap)
{
	if (cJSON_IsString(val))
		return val->valuestring;
	if (cJSON_IsBool(val))
		return cJSON_IsTrue(val) ? "1" : "0";
	if (cJSON_IsNumber(val)) {
		fv_number(val->valuedouble, fd->type != FORM_DECIMAL, buf, cap);
		return buf;
	}
	if (present && cJSON_IsNull(val) && fd->type == FORM_SCALE && fd->no_answer)
		return FV_NO_ANSWER;
	return "";
}

static bool
fv_multi_has(const cJSON *val, const char *code)
{
	if (!cJSON_IsArray(val))
		return false;
	for (const cJSON *m = val->child; m; m = m->next)
		if (cJSON_IsString(m) && strcmp(m->valuestring, code) == 0)
			return true;
	return false;
}

/* A value shown, not asked: read-only fields, a fixed school, hidden ones. */
static void
fv_static_text(struct fv *v, const struct form_field *fd, const cJSON *val)
{
	char buf[64];
	const char *t = "—";

	if (cJSON_IsString(val))
		t = fd->type == FORM_CHOICE ? fv_choice_label(fd, val->valuestring) :
		    val->valuestring;
	else if (cJSON_IsNumber(val)) {
		fv_number(val->valuedouble, fd->type != FORM_DECIMAL, buf, sizeof(buf));
		t = buf;
	} else if (cJSON_IsBool(val))
		t = cJSON_IsTrue(val) ? "да" : "нет";
	else if (cJSON_IsArray(val) && val->child) {
		bool first = true;

		html_open(v->h, "span", "class", "tf-static", NULL);
		for (const cJSON *m = val->child; m; m = m->next) {
			if (!cJSON_IsString(m))
				continue;
			html_text(v->h, first ? "" : "; ");
			html_text(v->h, fv_choice_label(fd, m->valuestring));
			first = false;
		}
		html_close(v->h, "span");
		return;
	}
	if (fd->type == FORM_DATE && cJSON_IsString(val) && form_date_ru(val->valuestring, buf))
		t = buf;
	html_elem(v->h, "span", t, "class", "tf-static", NULL);
}

/* The school field: the device's schools to choose from, or the one fixed. */
static bool
fv_school(struct fv *v, const struct form_field *fd, const char *name,
    const char *id, const cJSON *val, bool cell)
{
	const struct formview_opts *o = v->o;
	const cJSON *t = fv_typed(v, name);
	const char *cur = t ? t->valuestring : cJSON_IsString(val) ? val->valuestring : "";

	if (o == NULL || fd != form_school_field(v->f) || o->n_schools == 0 ||
	    o->school_codes == NULL)
		return false;
	if (o->school_fixed) {
		const char *code = cur[0] ? cur : o->school_codes[0];
		const char *nm = NULL;

		for (size_t i = 0; i < o->n_schools; i++)
			if (o->school_names && strcmp(o->school_codes[i], code) == 0)
				nm = o->school_names[i];
		html_void(v->h, "input", "type", "hidden", "name", name, "id", id,
		    "value", code, NULL);
		html_open(v->h, "span", "class", "tf-static", NULL);
		html_text(v->h, code);
		if (nm) {
			html_text(v->h, " — ");
			html_text(v->h, nm);
		}
		html_close(v->h, "span");
		return true;
	}
	html_open(v->h, "select", "name", name, "id", id, "aria-label",
	    cell ? fd->label : NULL, NULL);
	html_elem(v->h, "option", "— выберите школу —", "value", "", "selected",
	    cur[0] == '\0' ? "" : NULL, NULL);
	bool found = cur[0] == '\0';
	for (size_t i = 0; i < o->n_schools; i++) {
		char label[FORM_LABEL_MAX + 64];
		bool sel = strcmp(o->school_codes[i], cur) == 0;

		found |= sel;
		snprintf(label, sizeof(label), "%s%s%s", o->school_codes[i],
		    o->school_names && o->school_names[i] ? " — " : "",
		    o->school_names && o->school_names[i] ? o->school_names[i] : "");
		html_elem(v->h, "option", label, "value", o->school_codes[i],
		    "selected", sel ? "" : NULL, NULL);
	}
	if (!found)
		html_elem(v->h, "option", cur, "value", cur, "selected", "", NULL);
	html_close(v->h, "select");
	return true;
}

/* The control(s) of one non-group field. */
void
fv_control(struct fv *v, const struct form_field *fd, const char *name,
    const char *ppath, const cJSON *obj, bool cell, const char *aria)
{
	char id[FV_PATH_MAX + 8], descb[2 * FV_PATH_MAX + 16], buf[64];
	const cJSON *val = obj ? cJSON_GetObjectItemCaseSensitive(obj, fd->id) : NULL;
	bool present = val != NULL, err = fv_problem_count(v, ppath) > 0;
	const char *cur, *desc = descb;

	snprintf(id, sizeof(id), "f-%s", name);
	/* the hint and the first error, when there are */
	snprintf(descb, sizeof(descb), "%s%s%s%s%s", fd->hint && !cell ? "h-" : "",
	    fd->hint && !cell ? name : "", fd->hint && !cell && err ? " " : "",
	    err ? "e-" : "", err ? name : "");
	if (descb[0] == '\0')
		desc = NULL;
	if (v->tpl)
		val = NULL, present = false;
	if (fd->readonly) {
		fv_static_text(v, fd, val);
		return;
	}
	if (v->o && v->o->local_hidden && form_field_has_local(fd)) {
		html_elem(v->h, "span", "скрыто: откройте хранилище паролем",
		    "class", "tf-static empty", NULL);
		return;
	}
	if (fv_school(v, fd, name, id, val, cell))
		return;
	switch (fd->type) {
	case FORM_TEXT:
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_DATE:
		cur = fv_input_text(v, fd, name, val, buf, sizeof(buf));
		if (fd->type == FORM_TEXT && fd->max_length > FV_TEXTAREA_FROM) {
			html_open(v->h, "textarea", "name", name, "id", id,
			    "rows", fd->max_length > 1000 ? "4" : "3",
			    "aria-label", aria, "aria-describedby", desc,
			    "aria-invalid", err ? "true" : NULL, NULL);
			html_text(v->h, cur);
			html_close(v->h, "textarea");
			break;
		}
		html_void(v->h, "input",
		    "type", fd->type == FORM_DATE && fv_iso_date(cur) ? "date" : "text",
		    "name", name, "id", id, "value", cur,
		    "inputmode", fd->type == FORM_INTEGER ? "numeric" :
		    fd->type == FORM_DECIMAL ? "decimal" : NULL,
		    "placeholder", fd->type == FORM_DATE ? FORM_DATE_FORMAT_RU : NULL,
		    "class", fd->type == FORM_INTEGER || fd->type == FORM_DECIMAL ?
		    "number" : NULL,
		    "autocomplete", "off", "aria-label", aria,
		    "aria-describedby", desc, "aria-invalid", err ? "true" : NULL, NULL);
		break;
	case FORM_BOOLEAN:
		cur = fv_posted_form(fd, val, present, buf, sizeof(buf));
		if (cell) {
			html_open(v->h, "select", "name", name, "id", id,
			    "aria-label", aria, NULL);
			html_elem(v->h, "option", "—", "value", "", "selected",
			    cur[0] == '\0' ? "" : NULL, NULL);
			html_elem(v->h, "option", "да", "value", "1", "selected",
			    strcmp(cur, "1") == 0 ? "" : NULL, NULL);
			html_elem(v->h, "option", "нет", "value", "0", "selected",
			    strcmp(cur, "0") == 0 ? "" : NULL, NULL);
			html_close(v->h, "select");
			break;
		}
		html_open(v->h, "div", "class", "choices inline", NULL);
		fv_option(v, "radio", name, "1", "да", strcmp(cur, "1") == 0, NULL);
		fv_option(v, "radio", name, "0", "нет", strcmp(cur, "0") == 0, NULL);
		if (!fd->required)
			fv_option(v, "radio", name, "", "не указано", cur[0] == '\0',
			    "tf-none");
		html_close(v->h, "div");
		break;
	case FORM_CHOICE:
		cur = fv_posted_form(fd, val, present, buf, sizeof(buf));
		if (cell || fd->n_choices > FV_RADIO_MAX) {
			fv_select(v, fd, name, id, cur, aria);
			break;
		}
		html_open(v->h, "div", "class", "choices", NULL);
		for (size_t i = 0; i < fd->n_choices; i++)
			fv_option(v, "radio", name, fd->choices[i].code,
			    fd->choices[i].label,
			    strcmp(cur, fd->choices[i].code) == 0, NULL);
		if (!fd->required)
			fv_option(v, "radio", name, "", "не указано", cur[0] == '\0',
			    "tf-none");
		html_close(v->h, "div");
		break;
	case FORM_MULTI:
		html_open(v->h, "div", "class", "choices", NULL);
		for (size_t i = 0; i < fd->n_choices; i++)
			fv_option(v, "checkbox", name, fd->choices[i].code,
			    fd->choices[i].label, fv_multi_has(val, fd->choices[i].code),
			    NULL);
		html_close(v->h, "div");
		break;
	case FORM_SCALE:
		cur = fv_posted_form(fd, val, present, buf, sizeof(buf));
		if (cell || fd->max - fd->min + 1 > FV_SCALE_RADIO_MAX) {
			fv_select(v, fd, name, id, cur, aria);
			break;
		}
		html_open(v->h, "div", "class", "scale", NULL);
		for (double x = fd->min; x <= fd->max; x += 1) {
			char num[32];

			fv_number(x, true, num, sizeof(num));
			fv_option(v, "radio", name, num, num, strcmp(cur, num) == 0,
			    NULL);
		}
		if (fd->no_answer)
			fv_option(v, "radio", name, FV_NO_ANSWER, fd->no_answer_label,
			    strcmp(cur, FV_NO_ANSWER) == 0, "dk");
		else if (!fd->required)
			fv_option(v, "radio", name, "", "не указано", cur[0] == '\0',
			    "tf-none");
		html_close(v->h, "div");
		break;
	case FORM_GROUP:
		break;
	}
}

/* Radios and checkboxes are a fieldset with a legend; the rest a label. */
bool
fv_is_set(const struct fv *v, const struct form_field *fd)
{
	if (fd->readonly || (v->o && v->o->local_hidden && form_field_has_local(fd)))
		return false;
	if (v->o && v->o->n_schools && fd == form_school_field(v->f))
		return false;
	switch (fd->type) {
	case FORM_BOOLEAN:
	case FORM_MULTI:
		return true;
	case FORM_CHOICE:
		return fd->n_choices <= FV_RADIO_MAX;
	case FORM_SCALE:
		return fd->max - fd->min + 1 <= FV_SCALE_RADIO_MAX;
	default:
		return false;
	}
}
