/*
 * form_dict — dictionaries (versioned lists of code + label) and the choice
 * lists they share with fields: a dictionary file by itself, and the ones a
 * form embeds, gets in its bundle or from its form_dict_source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/form.h"
#include "form_parse.h"

int
form_dict_choices(struct fp *p, const cJSON *arr, size_t max,
    const char *what, struct form_choice **outp, size_t *np)
{
	static const char *const keys[] = { "code", "label", NULL };
	struct form_choice *c = NULL;
	size_t n, i = 0;
	int r;

	*outp = NULL;
	*np = 0;
	if (!cJSON_IsArray(arr))
		return form_parse_fail(p, "«%s» должен быть списком", what, NULL);
	n = (size_t)cJSON_GetArraySize(arr);
	if (n == 0)
		return form_parse_fail(p, "список «%s» пуст", what, NULL);
	if (n > max)
		return form_parse_fail(p, "в списке «%s» слишком много элементов", what,
		    NULL);
	if ((c = calloc(n, sizeof(*c))) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	for (const cJSON *it = arr->child; it != NULL; it = it->next, i++) {
		if (!cJSON_IsObject(it)) {
			r = form_parse_fail(p, "элемент списка «%s» должен быть объектом",
			    what, NULL);
			goto out;
		}
		if ((r = form_parse_keys(p, it, keys, "варианте ответа")) != 0 ||
		    (r = form_parse_str(p, it, "code", FORM_ID_MAX, 1,
		    &c[i].code)) != 0 ||
		    (r = form_parse_str(p, it, "label", FORM_LABEL_MAX, 1,
		    &c[i].label)) != 0)
			goto out;
		if (!form_parse_code_ok(c[i].code)) {
			r = form_parse_fail(p, "недопустимый код «%s» (латинские буквы, "
			    "цифры, _ - .)", c[i].code, NULL);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(c[j].code, c[i].code) == 0) {
				r = form_parse_fail(p, "код «%s» повторяется в «%s»",
				    c[i].code, what);
				goto out;
			}
	}
	*outp = c;
	*np = n;
	c = NULL;
	r = 0;
 out:
	form_choices_free(c, n);
	return r;
}

/* Parses a dictionary object; name_expected (if not NULL) must match. */
static int
form_dict_fill(struct fp *p, const cJSON *obj, const char *name_expected,
    struct form_dictionary *d)
{
	static const char *const keys[] = { "name", "version", "title",
	    "entries", "description", NULL };
	bool has;
	double v = 0;
	int r;

	if (!cJSON_IsObject(obj))
		return form_parse_fail(p, "словарь должен быть объектом", NULL, NULL);
	if ((r = form_parse_keys(p, obj, keys, "словаре")) != 0 ||
	    (r = form_parse_str(p, obj, "name", FORM_ID_MAX, name_expected == NULL,
	    &d->name)) != 0 ||
	    (r = form_parse_str(p, obj, "title", FORM_LABEL_MAX, 0, &d->title)) != 0 ||
	    (r = form_parse_num(p, obj, "version", 1, 1, FORM_VERSION_MAX, &has,
	    &v)) != 0)
		return r;
	if (d->name == NULL && (d->name = strdup(name_expected)) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	if (!form_ident_ok(d->name))
		return form_parse_fail(p, "недопустимое имя словаря «%s»", d->name, NULL);
	if (name_expected != NULL && strcmp(d->name, name_expected) != 0)
		return form_parse_fail(p, "словарь называется «%s», а ожидался «%s»",
		    d->name, name_expected);
	if (!has)
		return form_parse_fail(p, "у словаря «%s» нет ключа «version»", d->name,
		    NULL);
	d->version = (uint32_t)v;
	if (d->title == NULL && (d->title = strdup(d->name)) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	return form_dict_choices(p, cJSON_GetObjectItemCaseSensitive(obj,
	    "entries"), FORM_MAX_DICT_ENTRIES, "entries", &d->entries,
	    &d->n_entries);
}

int
form_dictionary_parse(const char *json, size_t len,
    struct form_dictionary **out, struct terr *e)
{
	struct fp p;
	struct form_dictionary *d = NULL;
	cJSON *doc = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	p.e = e;
	if (out == NULL)
		return terr_set(e, TERR_ARG, "form_dictionary_parse: out is NULL");
	*out = NULL;
	if ((r = form_parse_json(json, len, "Словарь", &doc, e)) != 0)
		return r;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	snprintf(p.where, sizeof(p.where), "словарь");
	if ((r = form_dict_fill(&p, doc, NULL, d)) != 0)
		goto out;
	if (form_index_dictionary(d) != 0) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	*out = d;
	d = NULL;
	r = 0;
 out:
	form_dictionary_free(d);
	cJSON_Delete(doc);
	return r;
}

int
form_dict_need(struct fp *p, const char *name, struct form_dictionary **outp)
{
	struct form *f = p->f;
	struct form_dictionary *d;
	const cJSON *obj = NULL;
	cJSON *doc = NULL;
	char *buf = NULL, what[4096], saved[sizeof(p->where)];
	size_t len = 0;
	int r;

	for (size_t i = 0; i < f->n_dicts; i++)
		if (strcmp(f->dicts[i].name, name) == 0) {
			*outp = &f->dicts[i];
			return 0;
		}
	if (!form_ident_ok(name))
		return form_parse_fail(p, "недопустимое имя словаря «%s»", name, NULL);
	if (f->n_dicts >= FORM_MAX_DICTS)
		return form_parse_fail(p, "слишком много словарей", NULL, NULL);
	if (p->embedded != NULL)
		obj = cJSON_GetObjectItemCaseSensitive(p->embedded, name);
	if (obj == NULL && p->bundled != NULL)
		obj = cJSON_GetObjectItemCaseSensitive(p->bundled, name);
	if (obj == NULL) {
		if (p->source == NULL || p->source->load == NULL)
			return form_parse_fail(p, "словарь «%s» не найден: он не встроен в "
			    "описание формы", name, NULL);
		snprintf(what, sizeof(what), "словарь «%s»", name);
		if ((r = p->source->load(p->source->ctx, name, &buf, &len, what, sizeof(what),
		    p->e)) != 0) {
			char m[TERR_MSG_MAX];

			snprintf(m, sizeof(m), "%s", p->e ? p->e->msg : "");
			if (f->id != NULL)
				return terr_set(p->e, r, "Форма «%s»: словарь «%s» не "
				    "загружен: %s", f->id, name, m);
			return terr_set(p->e, r, "Словарь «%s» не загружен: %s",
			    name, m);
		}
		r = form_parse_json(buf, len, what, &doc, p->e);
		free(buf);
		if (r != 0)
			return r;
		obj = doc;
	}
	d = &f->dicts[f->n_dicts];
	memset(d, 0, sizeof(*d));
	memcpy(saved, p->where, sizeof(saved));
	snprintf(p->where, sizeof(p->where), "словарь «%s»", name);
	r = form_dict_fill(p, obj, name, d);
	memcpy(p->where, saved, sizeof(saved));
	cJSON_Delete(doc);
	if (r != 0) {
		form_dictionary_clear(d);
		memset(d, 0, sizeof(*d));
		return r;
	}
	f->n_dicts++;
	*outp = d;
	return 0;
}
