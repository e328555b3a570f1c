/*
 * form_parse — reading form definitions (docs/forms.md): the document and
 * a hub's bundle, and the reader's small helpers.
 *
 * A definition comes from outside (the hub publishes new versions), so the
 * parser is strict: bounded sizes and counts, every key known for its place
 * and type, ids unique, choices non-empty, every rule pointing at a field
 * that exists and has a fitting type. Anything else is refused with a
 * Russian message that names the form, the field and the key.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/form.h"
#include "form_parse.h"

bool
form_ident_ok(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n == 0 || n > FORM_ID_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_'))
			return false;
	return true;
}

int
form_parse_code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FORM_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' ||
		    s[i] == '.'))
			return 0;
	return 1;
}

int
form_parse_fail(struct fp *p, const char *fmt, const char *a, const char *b)
{
	char msg[TERR_MSG_MAX];

	/* fmt is one of ours, with up to two %s */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "");
#pragma GCC diagnostic pop
	terr_utf8_trim(msg);
	if (p->f != NULL && p->f->id != NULL)
		return terr_set(p->e, TERR_FORM, "Форма «%s»%s%s: %s", p->f->id,
		    p->where[0] ? ", " : "", p->where, msg);
	return terr_set(p->e, TERR_FORM, "Описание формы%s%s: %s",
	    p->where[0] ? ", " : "", p->where, msg);
}

int
form_parse_keys(struct fp *p, const cJSON *obj, const char *const *allowed,
    const char *what)
{
	for (const cJSON *c = obj->child; c != NULL; c = c->next) {
		size_t i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(c->string, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			char key[80];

			snprintf(key, sizeof(key), "%.64s", c->string);
			return form_parse_fail(p, "неизвестный ключ «%s» в %s", key, what);
		}
		for (const cJSON *d = c->next; d != NULL; d = d->next)
			if (strcmp(c->string, d->string) == 0)
				return form_parse_fail(p, "ключ «%s» повторяется в %s",
				    allowed[i], what);
	}
	return 0;
}

int
form_parse_str(struct fp *p, const cJSON *obj, const char *key, size_t max,
    int required, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n;

	*out = NULL;
	if (v == NULL) {
		if (required)
			return form_parse_fail(p, "нет обязательного ключа «%s»", key, NULL);
		return 0;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return form_parse_fail(p, "ключ «%s» должен быть строкой", key, NULL);
	n = strlen(v->valuestring);
	if (n > max)
		return form_parse_fail(p, "ключ «%s»: слишком длинная строка", key, NULL);
	if (form_utf8_chars(v->valuestring, n) == (size_t)-1)
		return form_parse_fail(p, "ключ «%s»: текст не в кодировке UTF-8", key, NULL);
	if (required && n == 0)
		return form_parse_fail(p, "ключ «%s» не может быть пустым", key, NULL);
	if ((*out = strdup(v->valuestring)) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	return 0;
}

int
form_parse_bool(struct fp *p, const cJSON *obj, const char *key, bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v))
		return form_parse_fail(p, "ключ «%s» должен быть true или false", key, NULL);
	*out = cJSON_IsTrue(v);
	return 0;
}

int
form_parse_num(struct fp *p, const cJSON *obj, const char *key, int integral,
    double lo, double hi, bool *has, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*has = false;
	if (v == NULL)
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return form_parse_fail(p, "ключ «%s» должен быть числом", key, NULL);
	if (integral && v->valuedouble != floor(v->valuedouble))
		return form_parse_fail(p, "ключ «%s» должен быть целым числом", key, NULL);
	if (v->valuedouble < lo || v->valuedouble > hi)
		return form_parse_fail(p, "ключ «%s»: число вне допустимых пределов", key,
		    NULL);
	*has = true;
	*out = v->valuedouble;
	return 0;
}


/*
 * Bounded parse of a whole JSON document: size, UTF-8 (cJSON does not check
 * it), nothing but whitespace after the value.
 */
int
form_parse_json(const char *json, size_t len, const char *what, cJSON **out,
    struct terr *e)
{
	const char *end = NULL;
	cJSON *doc;

	*out = NULL;
	if (json == NULL)
		return terr_set(e, TERR_ARG, "%s: нет данных", what);
	if (len > FORM_MAX_BYTES)
		return terr_set(e, TERR_TOO_LARGE,
		    "%s: файл больше допустимого (%zu байт при пределе %u)", what,
		    len, FORM_MAX_BYTES);
	if (form_utf8_chars(json, len) == (size_t)-1)
		return terr_set(e, TERR_UTF8,
		    "%s: текст не в кодировке UTF-8 или содержит нулевой байт",
		    what);
	doc = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (doc == NULL) {
		size_t off = 0;

		/* cJSON leaves the error position in end; its global error
		 * pointer is shared between threads (the hub has several) */
		size_t line = 1, col = 1;

		if (end != NULL && end >= json && end <= json + len)
			off = (size_t)(end - json);
		/* people edit these files by hand: say where, as an editor would */
		for (size_t i = 0; i < off; i++) {
			if (json[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)json[i] & 0xc0) != 0x80)
				col++;
		}
		return terr_set(e, TERR_PARSE, "%s: ошибка в JSON, строка %zu, "
		    "символ %zu", what, line, col);
	}
	if (end != NULL)
		while (end < json + len && (*end == ' ' || *end == '\t' ||
		    *end == '\n' || *end == '\r'))
			end++;
	if (end == NULL || end != json + len) {
		cJSON_Delete(doc);
		return terr_set(e, TERR_PARSE, "%s: лишние данные после JSON", what);
	}
	*out = doc;
	return 0;
}

/* ---------- the form ---------- */

/*
 * "school_field": the top-level field whose value is the record's school (a
 * curator's visit names the school it was made in). It must be a required
 * text field that travels to the hub: the hub files the record by it, so it
 * can be neither optional nor kept on the device.
 */
static int
form_parse_school_field(struct fp *p, const cJSON *doc)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(doc, "school_field");
	const struct form_field *fl;

	if (j == NULL)
		return 0;
	if (!cJSON_IsString(j))
		return form_parse_fail(p, "«school_field» должен быть строкой — id поля формы",
		    NULL, NULL);
	fl = form_find(p->f, j->valuestring);
	if (fl == NULL)
		return form_parse_fail(p, "«school_field»: в форме нет поля верхнего уровня «%.64s»",
		    j->valuestring, NULL);
	if (fl->type != FORM_TEXT || !fl->required || fl->sync != FORM_SYNC_HUB ||
	    fl->relevant.field != NULL)
		return form_parse_fail(p, "«school_field»: поле «%.64s» должно быть обязательным "
		    "текстовым полем, которое передаётся на хаб и не зависит от других",
		    j->valuestring, NULL);
	p->f->school_field = fl;
	return 0;
}

/*
 * "share": who receives a copy of the form's records back from the hub
 * (docs/forms.md): a list of "school" (the school's own devices) and
 * "curators" (the devices of the school's curators). Absent or empty: no
 * one — a record stays on the device that made it and on the hub.
 */
static int
form_parse_share(struct fp *p, const cJSON *doc)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(doc, "share"), *it;
	unsigned bit;

	p->f->share = 0;
	if (j == NULL)
		return 0;
	if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) > 2)
		return form_parse_fail(p, "«share» должен быть списком из \"school\" и/или "
		    "\"curators\"", NULL, NULL);
	cJSON_ArrayForEach(it, j) {
		if (cJSON_IsString(it) && strcmp(it->valuestring, "school") == 0)
			bit = FORM_SHARE_SCHOOL;
		else if (cJSON_IsString(it) && strcmp(it->valuestring, "curators") == 0)
			bit = FORM_SHARE_CURATORS;
		else
			return form_parse_fail(p, "«share»: допустимы только \"school\" и "
			    "\"curators\"", NULL, NULL);
		if (p->f->share & bit)
			return form_parse_fail(p, "«share»: значение повторяется", NULL, NULL);
		p->f->share |= bit;
	}
	return 0;
}

/*
 * The definition object doc (already parsed and bounded); bundled is the
 * bundle's "dictionaries" object or NULL.
 */
static int
form_parse_doc(const cJSON *doc, const cJSON *bundled,
    const struct form_dict_source *source, struct form **out, struct terr *e)
{
	static const char *const keys[] = { "format", "id", "version", "title",
	    "description", "dictionaries", "fields", "school_field", "unique", "share", NULL };
	struct form_field *lists[FORM_MAX_DEPTH + 1];
	size_t ns[FORM_MAX_DEPTH + 1];
	struct fp p;
	struct form *f = NULL;
	const cJSON *dicts;
	bool has;
	double v = 0;
	int r;

	memset(&p, 0, sizeof(p));
	p.e = e;
	p.source = source;
	p.bundled = bundled;
	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->dicts = calloc(FORM_MAX_DICTS, sizeof(*f->dicts))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	p.f = f;
	if (!cJSON_IsObject(doc)) {
		r = form_parse_fail(&p, "описание формы должно быть JSON-объектом", NULL,
		    NULL);
		goto out;
	}
	if ((r = form_parse_str(&p, doc, "id", FORM_ID_MAX, 1, &f->id)) != 0)
		goto out;
	if (!form_ident_ok(f->id)) {
		char bad[80];

		snprintf(bad, sizeof(bad), "%s", f->id);
		free(f->id);
		f->id = NULL;
		r = form_parse_fail(&p, "недопустимый id формы «%s»: латинские строчные "
		    "буквы, цифры и _", bad, NULL);
		goto out;
	}
	if ((r = form_parse_keys(&p, doc, keys, "описании формы")) != 0 ||
	    (r = form_parse_num(&p, doc, "format", 1, 1, FORM_FORMAT, &has,
	    &v)) != 0 ||
	    (r = form_parse_num(&p, doc, "version", 1, 1, FORM_VERSION_MAX, &has,
	    &v)) != 0)
		goto out;
	if (!has) {
		r = form_parse_fail(&p, "нет обязательного ключа «version» (целое ≥ 1)",
		    NULL, NULL);
		goto out;
	}
	f->version = (uint32_t)v;
	if ((r = form_parse_str(&p, doc, "title", FORM_LABEL_MAX, 1,
	    &f->title)) != 0 ||
	    (r = form_parse_str(&p, doc, "description", FORM_HINT_MAX, 0,
	    &f->description)) != 0)
		goto out;
	dicts = cJSON_GetObjectItemCaseSensitive(doc, "dictionaries");
	if (dicts != NULL) {
		if (!cJSON_IsObject(dicts) ||
		    cJSON_GetArraySize(dicts) > FORM_MAX_DICTS) {
			r = form_parse_fail(&p, "«dictionaries» должен быть объектом "
			    "(не больше 16 словарей)", NULL, NULL);
			goto out;
		}
		for (const cJSON *c = dicts->child; c != NULL; c = c->next)
			for (const cJSON *d = c->next; d != NULL; d = d->next)
				if (strcmp(c->string, d->string) == 0) {
					r = form_parse_fail(&p, "словарь «%.64s» встроен дважды",
					    c->string, NULL);
					goto out;
				}
		p.embedded = dicts;
	}
	if ((r = form_field_list(&p, cJSON_GetObjectItemCaseSensitive(doc,
	    "fields"), 0, NULL, &f->fields, &f->n_fields)) != 0)
		goto out;
	/* every embedded dictionary must be valid even if unused */
	if (dicts != NULL)
		for (const cJSON *c = dicts->child; c != NULL; c = c->next) {
			struct form_dictionary *d;

			p.where[0] = '\0';
			if ((r = form_dict_need(&p, c->string, &d)) != 0)
				goto out;
		}
	memset(lists, 0, sizeof(lists));
	memset(ns, 0, sizeof(ns));
	if ((r = form_link_fields(&p, f->fields, f->n_fields, 0, lists, ns)) != 0)
		goto out;
	if (form_index_build(f) != 0) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if ((r = form_parse_school_field(&p, doc)) != 0 ||
	    (r = form_parse_share(&p, doc)) != 0)
		goto out;
	/* after the index: the rule names fields that form_find looks up */
	if ((r = form_unique_parse(&p, doc)) != 0)
		goto out;
	*out = f;
	f = NULL;
	r = 0;
 out:
	form_free(f);
	return r;
}

int
form_parse(const char *json, size_t len, const struct form_dict_source *dicts,
    struct form **out, struct terr *e)
{
	cJSON *doc = NULL;
	int r;

	if (out == NULL)
		return terr_set(e, TERR_ARG, "form_parse: out is NULL");
	*out = NULL;
	if ((r = form_parse_json(json, len, "Описание формы", &doc, e)) != 0)
		return r;
	r = form_parse_doc(doc, NULL, dicts, out, e);
	cJSON_Delete(doc);
	return r;
}

int
form_bundle_parse(const char *json, size_t len, struct form **out,
    struct terr *e)
{
	static const char *const keys[] = { "form", "dictionaries", NULL };
	const cJSON *def, *dicts;
	cJSON *doc = NULL;
	struct fp p;
	int r;

	memset(&p, 0, sizeof(p));
	p.e = e;
	if (out == NULL)
		return terr_set(e, TERR_ARG, "form_bundle_parse: out is NULL");
	*out = NULL;
	if ((r = form_parse_json(json, len, "Пакет формы", &doc, e)) != 0)
		return r;
	snprintf(p.where, sizeof(p.where), "пакет формы");
	if (!cJSON_IsObject(doc)) {
		r = form_parse_fail(&p, "пакет должен быть JSON-объектом", NULL, NULL);
		goto out;
	}
	if ((r = form_parse_keys(&p, doc, keys, "пакете формы")) != 0)
		goto out;
	def = cJSON_GetObjectItemCaseSensitive(doc, "form");
	dicts = cJSON_GetObjectItemCaseSensitive(doc, "dictionaries");
	if (!cJSON_IsObject(def)) {
		r = form_parse_fail(&p, "нет описания формы (ключ «form»)", NULL, NULL);
		goto out;
	}
	if (cJSON_IsNull(dicts))
		dicts = NULL;
	if (dicts != NULL && (!cJSON_IsObject(dicts) ||
	    cJSON_GetArraySize(dicts) > FORM_MAX_DICTS)) {
		r = form_parse_fail(&p, "«dictionaries» должен быть объектом (не больше "
		    "16 словарей)", NULL, NULL);
		goto out;
	}
	for (const cJSON *c = dicts ? dicts->child : NULL; c != NULL; c = c->next)
		for (const cJSON *d = c->next; d != NULL; d = d->next)
			if (strcmp(c->string, d->string) == 0) {
				r = form_parse_fail(&p, "словарь «%.64s» в пакете дважды",
				    c->string, NULL);
				goto out;
			}
	if ((r = form_parse_doc(def, dicts, NULL, out, e)) != 0)
		goto out;
	/* a bundle carries only what its form uses, each one valid */
	for (const cJSON *c = dicts ? dicts->child : NULL; c != NULL; c = c->next)
		if (form_dictionary_find(*out, c->string) == NULL) {
			char name[FORM_ID_MAX + 1];

			snprintf(name, sizeof(name), "%s", c->string);
			form_free(*out);
			*out = NULL;
			r = form_parse_fail(&p, "словарь «%s» не используется формой", name,
			    NULL);
			goto out;
		}
 out:
	cJSON_Delete(doc);
	return r;
}
