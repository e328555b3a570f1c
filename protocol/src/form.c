/*
 * form — parsing form definitions and dictionaries (docs/forms.md).
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

struct form {
	char *id;
	uint32_t version;
	char *title;
	char *description;
	size_t n_fields;
	struct form_field *fields;
	size_t n_dicts;
	struct form_dictionary *dicts;
	size_t total_fields;
};

/* Parsing state: where we are, for messages, and what we have counted. */
struct fp {
	struct form *f;
	struct terr *e;
	const cJSON *embedded;      /* "dictionaries" of the definition, or NULL */
	const cJSON *bundled;       /* "dictionaries" of a bundle, or NULL */
	const struct form_dict_source *source; /* dictionaries not embedded, or NULL */
	char where[256];            /* "поле «parties.age»" */
};

#define FORM_NUM_LIMIT 1e15       /* bounds and condition numbers */
#define FORM_VERSION_MAX 2147483647.0

/* ---------- small helpers ---------- */

size_t
form_utf8_chars(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;

		if (c == 0)
			return (size_t)-1;
		if (c < 0x80) {
			i++;
			n++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else
			return (size_t)-1;
		if (len - i <= k)
			return (size_t)-1;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return (size_t)-1;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		/* overlongs, surrogates, past U+10FFFF */
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return (size_t)-1;
		i += k + 1;
		n++;
	}
	return n;
}

static int
form_ident_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FORM_ID_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_'))
			return 0;
	return 1;
}

static int
form_code_ok(const char *s)
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

static int
form_fail(struct fp *p, const char *fmt, const char *a, const char *b)
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

/*
 * Every key of obj must be one of allowed (NULL-terminated) and appear once.
 */
static int
form_keys_check(struct fp *p, const cJSON *obj, const char *const *allowed,
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
			return form_fail(p, "неизвестный ключ «%s» в %s", key, what);
		}
		for (const cJSON *d = c->next; d != NULL; d = d->next)
			if (strcmp(c->string, d->string) == 0)
				return form_fail(p, "ключ «%s» повторяется в %s",
				    allowed[i], what);
	}
	return 0;
}

/* A string member: NULL when absent, error when of another type or too long. */
static int
form_get_str(struct fp *p, const cJSON *obj, const char *key, size_t max,
    int required, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n;

	*out = NULL;
	if (v == NULL) {
		if (required)
			return form_fail(p, "нет обязательного ключа «%s»", key, NULL);
		return 0;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return form_fail(p, "ключ «%s» должен быть строкой", key, NULL);
	n = strlen(v->valuestring);
	if (n > max)
		return form_fail(p, "ключ «%s»: слишком длинная строка", key, NULL);
	if (form_utf8_chars(v->valuestring, n) == (size_t)-1)
		return form_fail(p, "ключ «%s»: текст не в кодировке UTF-8", key, NULL);
	if (required && n == 0)
		return form_fail(p, "ключ «%s» не может быть пустым", key, NULL);
	if ((*out = strdup(v->valuestring)) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	return 0;
}

static int
form_get_bool(struct fp *p, const cJSON *obj, const char *key, bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v))
		return form_fail(p, "ключ «%s» должен быть true или false", key, NULL);
	*out = cJSON_IsTrue(v);
	return 0;
}

/* A number member; integral when integral is set. *has tells if present. */
static int
form_get_num(struct fp *p, const cJSON *obj, const char *key, int integral,
    double lo, double hi, bool *has, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*has = false;
	if (v == NULL)
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return form_fail(p, "ключ «%s» должен быть числом", key, NULL);
	if (integral && v->valuedouble != floor(v->valuedouble))
		return form_fail(p, "ключ «%s» должен быть целым числом", key, NULL);
	if (v->valuedouble < lo || v->valuedouble > hi)
		return form_fail(p, "ключ «%s»: число вне допустимых пределов", key,
		    NULL);
	*has = true;
	*out = v->valuedouble;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long
form_days(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
form_date_format(long z, char out[11])
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999)
		y = 0;
	/* by hand: the compiler cannot see the ranges printf would get */
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
}

/* Parses exactly "YYYY-MM-DD", a real calendar date in 1900..2999. */
int
form_date_days(const char *s, long *days)
{
	int y, m, d, mdays;
	static const int ml[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return -1;
	mdays = ml[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		mdays = 29;
	if (d > mdays)
		return -1;
	*days = form_days(y, m, d);
	return 0;
}

/* ---------- freeing ---------- */

static void
form_cond_clear(struct form_cond *c)
{
	free(c->field);
	cJSON_Delete(c->values);
}

static void
form_choices_free(struct form_choice *c, size_t n)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].code);
		free(c[i].label);
	}
	free(c);
}

static void
form_field_clear(struct form_field *fl)
{
	free(fl->id);
	free(fl->label);
	free(fl->hint);
	form_choices_free(fl->choices, fl->n_choices);
	free(fl->per_dictionary);
	free(fl->item_key);
	if (fl->children != NULL) {
		for (size_t i = 0; i < fl->n_children; i++)
			form_field_clear(&fl->children[i]);
		free(fl->children);
	}
	free(fl->no_answer_label);
	free(fl->dictionary);
	form_cond_clear(&fl->relevant);
	form_cond_clear(&fl->required_if);
	free(fl->max_field.field);
	free(fl->min_field.field);
	free(fl->mask);
}

static void
form_dictionary_clear(struct form_dictionary *d)
{
	free(d->name);
	free(d->title);
	form_choices_free(d->entries, d->n_entries);
}

void
form_dictionary_free(struct form_dictionary *d)
{
	if (d == NULL)
		return;
	form_dictionary_clear(d);
	free(d);
}

void
form_free(struct form *f)
{
	if (f == NULL)
		return;
	free(f->id);
	free(f->title);
	free(f->description);
	if (f->fields != NULL) {
		for (size_t i = 0; i < f->n_fields; i++)
			form_field_clear(&f->fields[i]);
		free(f->fields);
	}
	if (f->dicts != NULL) {
		for (size_t i = 0; i < f->n_dicts; i++)
			form_dictionary_clear(&f->dicts[i]);
		free(f->dicts);
	}
	free(f);
}

/* ---------- JSON intake ---------- */

/*
 * Bounded parse of a whole JSON document: size, UTF-8 (cJSON does not check
 * it), nothing but whitespace after the value.
 */
static int
form_json_parse(const char *json, size_t len, const char *what, cJSON **out,
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

/* ---------- dictionaries ---------- */

static int
form_choices_parse(struct fp *p, const cJSON *arr, size_t max,
    const char *what, struct form_choice **outp, size_t *np)
{
	static const char *const keys[] = { "code", "label", NULL };
	struct form_choice *c = NULL;
	size_t n, i = 0;
	int r;

	*outp = NULL;
	*np = 0;
	if (!cJSON_IsArray(arr))
		return form_fail(p, "«%s» должен быть списком", what, NULL);
	n = (size_t)cJSON_GetArraySize(arr);
	if (n == 0)
		return form_fail(p, "список «%s» пуст", what, NULL);
	if (n > max)
		return form_fail(p, "в списке «%s» слишком много элементов", what,
		    NULL);
	if ((c = calloc(n, sizeof(*c))) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	for (const cJSON *it = arr->child; it != NULL; it = it->next, i++) {
		if (!cJSON_IsObject(it)) {
			r = form_fail(p, "элемент списка «%s» должен быть объектом",
			    what, NULL);
			goto out;
		}
		if ((r = form_keys_check(p, it, keys, "варианте ответа")) != 0 ||
		    (r = form_get_str(p, it, "code", FORM_ID_MAX, 1,
		    &c[i].code)) != 0 ||
		    (r = form_get_str(p, it, "label", FORM_LABEL_MAX, 1,
		    &c[i].label)) != 0)
			goto out;
		if (!form_code_ok(c[i].code)) {
			r = form_fail(p, "недопустимый код «%s» (латинские буквы, "
			    "цифры, _ - .)", c[i].code, NULL);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(c[j].code, c[i].code) == 0) {
				r = form_fail(p, "код «%s» повторяется в «%s»",
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
		return form_fail(p, "словарь должен быть объектом", NULL, NULL);
	if ((r = form_keys_check(p, obj, keys, "словаре")) != 0 ||
	    (r = form_get_str(p, obj, "name", FORM_ID_MAX, name_expected == NULL,
	    &d->name)) != 0 ||
	    (r = form_get_str(p, obj, "title", FORM_LABEL_MAX, 0, &d->title)) != 0 ||
	    (r = form_get_num(p, obj, "version", 1, 1, FORM_VERSION_MAX, &has,
	    &v)) != 0)
		return r;
	if (d->name == NULL && (d->name = strdup(name_expected)) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	if (!form_ident_ok(d->name))
		return form_fail(p, "недопустимое имя словаря «%s»", d->name, NULL);
	if (name_expected != NULL && strcmp(d->name, name_expected) != 0)
		return form_fail(p, "словарь называется «%s», а ожидался «%s»",
		    d->name, name_expected);
	if (!has)
		return form_fail(p, "у словаря «%s» нет ключа «version»", d->name,
		    NULL);
	d->version = (uint32_t)v;
	if (d->title == NULL && (d->title = strdup(d->name)) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	return form_choices_parse(p, cJSON_GetObjectItemCaseSensitive(obj,
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
	if ((r = form_json_parse(json, len, "Словарь", &doc, e)) != 0)
		return r;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	snprintf(p.where, sizeof(p.where), "словарь");
	if ((r = form_dict_fill(&p, doc, NULL, d)) != 0)
		goto out;
	*out = d;
	d = NULL;
	r = 0;
 out:
	form_dictionary_free(d);
	cJSON_Delete(doc);
	return r;
}

/* The dictionary name used by the form, loaded once (embedded, bundled or from the source). */
static int
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
		return form_fail(p, "недопустимое имя словаря «%s»", name, NULL);
	if (f->n_dicts >= FORM_MAX_DICTS)
		return form_fail(p, "слишком много словарей", NULL, NULL);
	if (p->embedded != NULL)
		obj = cJSON_GetObjectItemCaseSensitive(p->embedded, name);
	if (obj == NULL && p->bundled != NULL)
		obj = cJSON_GetObjectItemCaseSensitive(p->bundled, name);
	if (obj == NULL) {
		if (p->source == NULL || p->source->load == NULL)
			return form_fail(p, "словарь «%s» не найден: он не встроен в "
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
		r = form_json_parse(buf, len, what, &doc, p->e);
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

/* ---------- fields ---------- */

static const struct {
	const char *name;
	enum form_type type;
} form_types[] = {
	{ "text", FORM_TEXT }, { "integer", FORM_INTEGER },
	{ "decimal", FORM_DECIMAL }, { "date", FORM_DATE },
	{ "boolean", FORM_BOOLEAN }, { "choice", FORM_CHOICE },
	{ "multi", FORM_MULTI }, { "scale", FORM_SCALE },
	{ "group", FORM_GROUP },
};

/* Keys every field may have, then per type. */
#define FORM_COMMON_KEYS "id", "label", "hint", "type", "required", \
	"readonly", "sync", "relevant", "required_if"
static const char *const form_keys_text[] = { FORM_COMMON_KEYS,
	"min_length", "max_length", "mask", NULL };
static const char *const form_keys_num[] = { FORM_COMMON_KEYS,
	"min", "max", "max_field", "min_field", NULL };
static const char *const form_keys_bool[] = { FORM_COMMON_KEYS, NULL };
static const char *const form_keys_choice[] = { FORM_COMMON_KEYS,
	"choices", "dictionary", NULL };
static const char *const form_keys_scale[] = { FORM_COMMON_KEYS,
	"min", "max", "no_answer", "no_answer_label", "max_field", "min_field",
	NULL };
static const char *const form_keys_group[] = { FORM_COMMON_KEYS,
	"fields", "min_items", "max_items", "per_dictionary", "item_key", NULL };

static int
form_cond_parse(struct fp *p, const cJSON *obj, const char *key,
    struct form_cond *c)
{
	static const char *const keys[] = { "field", "equals", "in", NULL };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON *eq, *in;
	int r;

	if (v == NULL)
		return 0;
	if (!cJSON_IsObject(v))
		return form_fail(p, "«%s» должен быть объектом {\"field\", "
		    "\"equals\" или \"in\"}", key, NULL);
	if ((r = form_keys_check(p, v, keys, key)) != 0 ||
	    (r = form_get_str(p, v, "field", FORM_ID_MAX, 1, &c->field)) != 0)
		return r;
	if (!form_ident_ok(c->field))
		return form_fail(p, "«%s»: недопустимый id поля «%s»", key, c->field);
	eq = cJSON_GetObjectItemCaseSensitive(v, "equals");
	in = cJSON_GetObjectItemCaseSensitive(v, "in");
	if ((eq == NULL) == (in == NULL))
		return form_fail(p, "«%s»: нужен ровно один из ключей «equals» "
		    "или «in»", key, NULL);
	if (eq != NULL) {
		if ((c->values = cJSON_CreateArray()) == NULL ||
		    !cJSON_AddItemToArray(c->values, cJSON_Duplicate(eq, 0)))
			return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	} else {
		if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) < 1 ||
		    cJSON_GetArraySize(in) > FORM_MAX_COND_VALUES)
			return form_fail(p, "«%s»: «in» должен быть непустым списком",
			    key, NULL);
		if ((c->values = cJSON_Duplicate(in, 1)) == NULL)
			return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	}
	for (const cJSON *x = c->values->child; x != NULL; x = x->next) {
		if (cJSON_IsString(x)) {
			if (x->valuestring == NULL ||
			    strlen(x->valuestring) > FORM_LABEL_MAX)
				return form_fail(p, "«%s»: слишком длинное значение",
				    key, NULL);
		} else if (cJSON_IsNumber(x)) {
			if (!isfinite(x->valuedouble) ||
			    fabs(x->valuedouble) > FORM_NUM_LIMIT)
				return form_fail(p, "«%s»: недопустимое число", key,
				    NULL);
		} else if (!cJSON_IsBool(x))
			return form_fail(p, "«%s»: значения условия — строки, "
			    "числа или true/false", key, NULL);
	}
	return 0;
}

static int form_fields_parse(struct fp *p, const cJSON *arr, unsigned depth,
    const struct form_field *parent, struct form_field **outp, size_t *np);

static int
form_field_parse(struct fp *p, const cJSON *obj, unsigned depth,
    struct form_field *fl)
{
	const char *const *keys;
	char *type = NULL, *sync = NULL;
	bool has;
	double v;
	int r;

	if (!cJSON_IsObject(obj))
		return form_fail(p, "описание поля должно быть объектом", NULL, NULL);
	if ((r = form_get_str(p, obj, "id", FORM_ID_MAX, 1, &fl->id)) != 0)
		return r;
	if (!form_ident_ok(fl->id))
		return form_fail(p, "недопустимый id поля «%s»: латинские строчные "
		    "буквы, цифры и _, начиная с буквы", fl->id, NULL);
	{
		size_t n = strlen(p->where);

		if (n == 0)
			snprintf(p->where, sizeof(p->where), "поле «%s»", fl->id);
		else if (n > 2 && n + strlen(fl->id) + 4 < sizeof(p->where)) {
			/* "поле «a»" → "поле «a.b»" */
			p->where[n - 2] = '\0';
			strcat(p->where, ".");
			strcat(p->where, fl->id);
			strcat(p->where, "»");
		}
	}
	fl->depth = depth;
	if ((r = form_get_str(p, obj, "type", 16, 1, &type)) != 0)
		goto out;
	fl->type = 0;
	for (size_t i = 0; i < sizeof(form_types) / sizeof(form_types[0]); i++)
		if (strcmp(type, form_types[i].name) == 0)
			fl->type = form_types[i].type;
	if (fl->type == 0) {
		r = form_fail(p, "неизвестный тип «%s» (допустимы text, integer, "
		    "decimal, date, boolean, choice, multi, scale, group)", type,
		    NULL);
		goto out;
	}
	switch (fl->type) {
	case FORM_TEXT: keys = form_keys_text; break;
	case FORM_INTEGER: case FORM_DECIMAL: case FORM_DATE:
		keys = form_keys_num; break;
	case FORM_BOOLEAN: keys = form_keys_bool; break;
	case FORM_CHOICE: case FORM_MULTI: keys = form_keys_choice; break;
	case FORM_SCALE: keys = form_keys_scale; break;
	default: keys = form_keys_group; break;
	}
	{
		char what[64];

		snprintf(what, sizeof(what), "поле типа %s", type);
		if ((r = form_keys_check(p, obj, keys, what)) != 0)
			goto out;
	}
	if ((r = form_get_str(p, obj, "label", FORM_LABEL_MAX, 1,
	    &fl->label)) != 0 ||
	    (r = form_get_str(p, obj, "hint", FORM_HINT_MAX, 0, &fl->hint)) != 0 ||
	    (r = form_get_bool(p, obj, "required", &fl->required)) != 0 ||
	    (r = form_get_bool(p, obj, "readonly", &fl->readonly)) != 0 ||
	    (r = form_get_str(p, obj, "sync", 8, 0, &sync)) != 0)
		goto out;
	fl->sync = FORM_SYNC_HUB;
	if (sync != NULL) {
		if (strcmp(sync, "local") == 0)
			fl->sync = FORM_SYNC_LOCAL;
		else if (strcmp(sync, "hub") != 0) {
			r = form_fail(p, "«sync» может быть «hub» или «local», а не "
			    "«%s»", sync, NULL);
			goto out;
		}
	}
	/* a member of a local group cannot leave the device either */
	if (fl->parent != NULL && fl->parent->sync == FORM_SYNC_LOCAL)
		fl->sync = FORM_SYNC_LOCAL;
	if ((r = form_cond_parse(p, obj, "relevant", &fl->relevant)) != 0 ||
	    (r = form_cond_parse(p, obj, "required_if", &fl->required_if)) != 0 ||
	    (r = form_get_str(p, obj, "max_field", FORM_ID_MAX, 0,
	    &fl->max_field.field)) != 0 ||
	    (r = form_get_str(p, obj, "min_field", FORM_ID_MAX, 0,
	    &fl->min_field.field)) != 0)
		goto out;

	switch (fl->type) {
	case FORM_TEXT:
		if ((r = form_get_num(p, obj, "max_length", 1, 1, FORM_TEXT_MAX,
		    &has, &v)) != 0)
			goto out;
		fl->max_length = has ? (size_t)v : FORM_TEXT_DEFAULT_MAX;
		if ((r = form_get_num(p, obj, "min_length", 1, 0, FORM_TEXT_MAX,
		    &has, &v)) != 0)
			goto out;
		fl->min_length = has ? (size_t)v : 0;
		if (fl->min_length > fl->max_length) {
			r = form_fail(p, "«min_length» больше «max_length»", NULL,
			    NULL);
			goto out;
		}
		if ((r = form_get_str(p, obj, "mask", FORM_ID_MAX, 0,
		    &fl->mask)) != 0)
			goto out;
		if (fl->mask != NULL && (fl->mask[0] == '\0' ||
		    strchr(fl->mask, '9') == NULL)) {
			r = form_fail(p, "«mask» должен содержать хотя бы одну 9 "
			    "(цифру)", NULL, NULL);
			goto out;
		}
		break;
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_SCALE:
		if ((r = form_get_num(p, obj, "min", fl->type != FORM_DECIMAL,
		    -FORM_NUM_LIMIT, FORM_NUM_LIMIT, &fl->has_min, &fl->min)) != 0 ||
		    (r = form_get_num(p, obj, "max", fl->type != FORM_DECIMAL,
		    -FORM_NUM_LIMIT, FORM_NUM_LIMIT, &fl->has_max, &fl->max)) != 0)
			goto out;
		if (fl->type == FORM_SCALE) {
			if (!fl->has_min || !fl->has_max) {
				r = form_fail(p, "у шкалы должны быть «min» и «max»",
				    NULL, NULL);
				goto out;
			}
			if (fl->max - fl->min > 100) {
				r = form_fail(p, "шкала шире 100 делений", NULL, NULL);
				goto out;
			}
			if ((r = form_get_bool(p, obj, "no_answer",
			    &fl->no_answer)) != 0 ||
			    (r = form_get_str(p, obj, "no_answer_label",
			    FORM_LABEL_MAX, 0, &fl->no_answer_label)) != 0)
				goto out;
			if (fl->no_answer_label != NULL && !fl->no_answer) {
				r = form_fail(p, "«no_answer_label» без «no_answer»: "
				    "true", NULL, NULL);
				goto out;
			}
			if (fl->no_answer && fl->no_answer_label == NULL &&
			    (fl->no_answer_label = strdup("затрудняюсь ответить")) ==
			    NULL) {
				r = terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
				goto out;
			}
		}
		if (fl->has_min && fl->has_max && fl->min > fl->max) {
			r = form_fail(p, "«min» больше «max»", NULL, NULL);
			goto out;
		}
		break;
	case FORM_DATE: {
		const char *bk[] = { "min", "max" };

		for (int i = 0; i < 2; i++) {
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(obj, bk[i]);
			long days;

			if (b == NULL)
				continue;
			if (!cJSON_IsString(b) || b->valuestring == NULL ||
			    form_date_days(b->valuestring, &days) != 0) {
				r = form_fail(p, "«%s» даты должен быть строкой "
				    "ГГГГ-ММ-ДД", bk[i], NULL);
				goto out;
			}
			if (i == 0) {
				fl->has_min = true;
				fl->min = (double)days;
			} else {
				fl->has_max = true;
				fl->max = (double)days;
			}
		}
		if (fl->has_min && fl->has_max && fl->min > fl->max) {
			r = form_fail(p, "«min» позже «max»", NULL, NULL);
			goto out;
		}
		break;
	}
	case FORM_CHOICE:
	case FORM_MULTI: {
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(obj, "choices");

		if ((r = form_get_str(p, obj, "dictionary", FORM_ID_MAX, 0,
		    &fl->dictionary)) != 0)
			goto out;
		if (ch != NULL && fl->dictionary != NULL) {
			r = form_fail(p, "нужен один из ключей «choices» или "
			    "«dictionary», а не оба", NULL, NULL);
			goto out;
		}
		if (ch != NULL) {
			if ((r = form_choices_parse(p, ch, FORM_MAX_CHOICES,
			    "choices", &fl->choices, &fl->n_choices)) != 0)
				goto out;
		} else if (fl->dictionary == NULL) {
			/* a per-dictionary group's key offers the dictionary */
			if (fl->type == FORM_CHOICE && fl->parent != NULL &&
			    fl->parent->item_key != NULL &&
			    strcmp(fl->parent->item_key, fl->id) == 0) {
				if ((fl->dictionary = strdup(fl->parent->per_dictionary)) ==
				    NULL) {
					r = terr_set(p->e, TERR_NOMEM,
					    "недостаточно памяти");
					goto out;
				}
			} else {
				r = form_fail(p, "нет вариантов ответа: нужен «choices» "
				    "или «dictionary»", NULL, NULL);
				goto out;
			}
		}
		break;
	}
	case FORM_GROUP: {
		const cJSON *kids = cJSON_GetObjectItemCaseSensitive(obj, "fields");

		if (depth + 1 >= FORM_MAX_DEPTH + 1) {
			r = form_fail(p, "группы вложены глубже %s уровней", "3", NULL);
			goto out;
		}
		if ((r = form_get_num(p, obj, "min_items", 1, 0, FORM_MAX_REPEAT,
		    &has, &v)) != 0)
			goto out;
		fl->min_items = has ? (size_t)v : 0;
		if ((r = form_get_num(p, obj, "max_items", 1, 1, FORM_MAX_REPEAT,
		    &has, &v)) != 0)
			goto out;
		fl->max_items = has ? (size_t)v : FORM_MAX_REPEAT;
		if (fl->min_items > fl->max_items) {
			r = form_fail(p, "«min_items» больше «max_items»", NULL, NULL);
			goto out;
		}
		if ((r = form_get_str(p, obj, "per_dictionary", FORM_ID_MAX, 0,
		    &fl->per_dictionary)) != 0 ||
		    (r = form_get_str(p, obj, "item_key", FORM_ID_MAX, 0,
		    &fl->item_key)) != 0)
			goto out;
		if ((fl->per_dictionary == NULL) != (fl->item_key == NULL)) {
			r = form_fail(p, "«per_dictionary» и «item_key» задаются "
			    "вместе", NULL, NULL);
			goto out;
		}
		if (kids == NULL) {
			r = form_fail(p, "у группы нет ключа «fields»", NULL, NULL);
			goto out;
		}
		if ((r = form_fields_parse(p, kids, depth + 1, fl, &fl->children,
		    &fl->n_children)) != 0)
			goto out;
		if (fl->item_key != NULL) {
			const struct form_field *k = form_field_child(fl, fl->item_key);
			struct form_dictionary *d;

			if (k == NULL || (k->type != FORM_CHOICE && k->type != FORM_TEXT)) {
				r = form_fail(p, "«item_key» «%s» должен быть полем "
				    "группы типа choice или text", fl->item_key, NULL);
				goto out;
			}
			if ((r = form_dict_need(p, fl->per_dictionary, &d)) != 0)
				goto out;
			if (fl->max_items < d->n_entries || fl->min_items > d->n_entries) {
				r = form_fail(p, "«min_items»/«max_items» не согласуются "
				    "с размером словаря «%s»", d->name, NULL);
				goto out;
			}
			/* the key names the item: always there */
			for (size_t i = 0; i < fl->n_children; i++)
				if (&fl->children[i] == k)
					fl->children[i].required = true;
			if (k->type == FORM_CHOICE &&
			    (k->dictionary == NULL ||
			    strcmp(k->dictionary, d->name) != 0)) {
				r = form_fail(p, "«item_key» «%s» должен брать варианты "
				    "из словаря группы", k->id, NULL);
				goto out;
			}
		}
		break;
	}
	default:
		break;
	}
	if (fl->dictionary != NULL) {
		struct form_dictionary *d;

		if ((r = form_dict_need(p, fl->dictionary, &d)) != 0)
			goto out;
		if ((fl->choices = calloc(d->n_entries, sizeof(*fl->choices))) ==
		    NULL) {
			r = terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
		for (size_t i = 0; i < d->n_entries; i++) {
			fl->n_choices = i + 1;
			if ((fl->choices[i].code = strdup(d->entries[i].code)) == NULL ||
			    (fl->choices[i].label = strdup(d->entries[i].label)) ==
			    NULL) {
				r = terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
				goto out;
			}
		}
	}
	r = 0;
 out:
	free(type);
	free(sync);
	return r;
}

static int
form_fields_parse(struct fp *p, const cJSON *arr, unsigned depth,
    const struct form_field *parent, struct form_field **outp, size_t *np)
{
	struct form_field *fs = NULL;
	char saved[sizeof(p->where)];
	size_t n, i = 0;
	int r = 0;

	*outp = NULL;
	*np = 0;
	if (!cJSON_IsArray(arr))
		return form_fail(p, "«fields» должен быть списком", NULL, NULL);
	n = (size_t)cJSON_GetArraySize(arr);
	if (n == 0)
		return form_fail(p, "список полей «fields» пуст", NULL, NULL);
	if (n > FORM_MAX_FIELDS || p->f->total_fields + n > FORM_MAX_FIELDS)
		return form_fail(p, "в форме больше %s полей", "512", NULL);
	p->f->total_fields += n;
	if ((fs = calloc(n, sizeof(*fs))) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	memcpy(saved, p->where, sizeof(saved));
	for (const cJSON *it = arr->child; it != NULL; it = it->next, i++) {
		fs[i].parent = parent;
		if ((r = form_field_parse(p, it, depth, &fs[i])) != 0)
			goto out;
		for (size_t j = 0; j < i; j++)
			if (strcmp(fs[j].id, fs[i].id) == 0) {
				r = form_fail(p, "id поля «%s» повторяется", fs[i].id,
				    NULL);
				goto out;
			}
		memcpy(p->where, saved, sizeof(saved));
	}
	/* children keep pointers to their parent: hand over only now */
	*outp = fs;
	*np = n;
	fs = NULL;
	r = 0;
 out:
	if (fs != NULL) {
		for (size_t j = 0; j < n; j++)
			form_field_clear(&fs[j]);
		free(fs);
	}
	return r;
}

/* ---------- references ---------- */

/*
 * Finds id among the siblings of fl, then outwards. siblings[k]/n[k] are the
 * field lists of depth k along the way (k = 0 the record).
 */
static const struct form_field *
form_resolve(struct form_field *const *lists, const size_t *ns, unsigned depth,
    const char *id, unsigned *at)
{
	for (unsigned k = depth + 1; k-- > 0;) {
		for (size_t i = 0; i < ns[k]; i++)
			if (strcmp(lists[k][i].id, id) == 0) {
				*at = k;
				return &lists[k][i];
			}
	}
	return NULL;
}

static int
form_cond_value_ok(const struct form_field *t, const cJSON *x)
{
	switch (t->type) {
	case FORM_CHOICE:
	case FORM_MULTI:
		return cJSON_IsString(x) && form_choice_find(t, x->valuestring);
	case FORM_BOOLEAN:
		return cJSON_IsBool(x);
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_SCALE:
		return cJSON_IsNumber(x);
	case FORM_DATE: {
		long d;

		return cJSON_IsString(x) && form_date_days(x->valuestring, &d) == 0;
	}
	case FORM_TEXT:
		return cJSON_IsString(x);
	default:
		return 0;
	}
}

static int
form_link_one(struct fp *p, struct form_field *fl,
    struct form_field *const *lists, const size_t *ns, char **name,
    const struct form_field **target, unsigned *at, const char *key)
{
	const struct form_field *t;

	if (*name == NULL)
		return 0;
	t = form_resolve(lists, ns, fl->depth, *name, at);
	if (t == NULL)
		return form_fail(p, "«%s» ссылается на несуществующее поле «%s»",
		    key, *name);
	if (t == fl)
		return form_fail(p, "«%s» ссылается на само поле", key, NULL);
	if (t->type == FORM_GROUP)
		return form_fail(p, "«%s» не может ссылаться на группу «%s»", key,
		    t->id);
	if (fl->sync == FORM_SYNC_HUB && t->sync == FORM_SYNC_LOCAL)
		return form_fail(p, "«%s»: поле, уходящее на хаб, не может зависеть "
		    "от локального поля «%s»", key, t->id);
	*target = t;
	return 0;
}

static int
form_is_numeric(enum form_type t)
{
	return t == FORM_INTEGER || t == FORM_DECIMAL || t == FORM_SCALE;
}

static int
form_link(struct fp *p, struct form_field *fs, size_t n, unsigned depth,
    struct form_field **lists, size_t *ns)
{
	int r;

	lists[depth] = fs;
	ns[depth] = n;
	for (size_t i = 0; i < n; i++) {
		struct form_field *fl = &fs[i];
		struct form_cond *cs[2] = { &fl->relevant, &fl->required_if };
		const char *ck[2] = { "relevant", "required_if" };
		struct form_ref *rs[2] = { &fl->max_field, &fl->min_field };
		const char *rk[2] = { "max_field", "min_field" };

		snprintf(p->where, sizeof(p->where), "поле «%s»", fl->id);
		for (int k = 0; k < 2; k++) {
			if ((r = form_link_one(p, fl, lists, ns, &cs[k]->field,
			    &cs[k]->target, &cs[k]->depth, ck[k])) != 0)
				return r;
			if (cs[k]->target == NULL)
				continue;
			for (const cJSON *x = cs[k]->values->child; x; x = x->next)
				if (!form_cond_value_ok(cs[k]->target, x))
					return form_fail(p, "«%s»: значение не подходит "
					    "полю «%s» (для выбора — код варианта)", ck[k],
					    cs[k]->target->id);
		}
		for (int k = 0; k < 2; k++) {
			const struct form_field *t = NULL;

			if ((r = form_link_one(p, fl, lists, ns, &rs[k]->field, &t,
			    &rs[k]->depth, rk[k])) != 0)
				return r;
			if (t == NULL)
				continue;
			if (!((form_is_numeric(fl->type) && form_is_numeric(t->type)) ||
			    (fl->type == FORM_DATE && t->type == FORM_DATE)))
				return form_fail(p, "«%s»: сравнивать можно только "
				    "числа с числами и даты с датами (поле «%s»)", rk[k],
				    t->id);
			rs[k]->target = t;
		}
		if (fl->type == FORM_GROUP &&
		    (r = form_link(p, fl->children, fl->n_children, depth + 1,
		    lists, ns)) != 0)
			return r;
	}
	return 0;
}

/* ---------- the form ---------- */

/*
 * The definition object doc (already parsed and bounded); bundled is the
 * bundle's "dictionaries" object or NULL.
 */
static int
form_parse_doc(const cJSON *doc, const cJSON *bundled,
    const struct form_dict_source *source, struct form **out, struct terr *e)
{
	static const char *const keys[] = { "format", "id", "version", "title",
	    "description", "dictionaries", "fields", NULL };
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
		r = form_fail(&p, "описание формы должно быть JSON-объектом", NULL,
		    NULL);
		goto out;
	}
	if ((r = form_get_str(&p, doc, "id", FORM_ID_MAX, 1, &f->id)) != 0)
		goto out;
	if (!form_ident_ok(f->id)) {
		char bad[80];

		snprintf(bad, sizeof(bad), "%s", f->id);
		free(f->id);
		f->id = NULL;
		r = form_fail(&p, "недопустимый id формы «%s»: латинские строчные "
		    "буквы, цифры и _", bad, NULL);
		goto out;
	}
	if ((r = form_keys_check(&p, doc, keys, "описании формы")) != 0 ||
	    (r = form_get_num(&p, doc, "format", 1, 1, FORM_FORMAT, &has,
	    &v)) != 0 ||
	    (r = form_get_num(&p, doc, "version", 1, 1, FORM_VERSION_MAX, &has,
	    &v)) != 0)
		goto out;
	if (!has) {
		r = form_fail(&p, "нет обязательного ключа «version» (целое ≥ 1)",
		    NULL, NULL);
		goto out;
	}
	f->version = (uint32_t)v;
	if ((r = form_get_str(&p, doc, "title", FORM_LABEL_MAX, 1,
	    &f->title)) != 0 ||
	    (r = form_get_str(&p, doc, "description", FORM_HINT_MAX, 0,
	    &f->description)) != 0)
		goto out;
	dicts = cJSON_GetObjectItemCaseSensitive(doc, "dictionaries");
	if (dicts != NULL) {
		if (!cJSON_IsObject(dicts) ||
		    cJSON_GetArraySize(dicts) > FORM_MAX_DICTS) {
			r = form_fail(&p, "«dictionaries» должен быть объектом "
			    "(не больше 16 словарей)", NULL, NULL);
			goto out;
		}
		for (const cJSON *c = dicts->child; c != NULL; c = c->next)
			for (const cJSON *d = c->next; d != NULL; d = d->next)
				if (strcmp(c->string, d->string) == 0) {
					r = form_fail(&p, "словарь «%.64s» встроен дважды",
					    c->string, NULL);
					goto out;
				}
		p.embedded = dicts;
	}
	if ((r = form_fields_parse(&p, cJSON_GetObjectItemCaseSensitive(doc,
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
	if ((r = form_link(&p, f->fields, f->n_fields, 0, lists, ns)) != 0)
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
	if ((r = form_json_parse(json, len, "Описание формы", &doc, e)) != 0)
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
	if ((r = form_json_parse(json, len, "Пакет формы", &doc, e)) != 0)
		return r;
	snprintf(p.where, sizeof(p.where), "пакет формы");
	if (!cJSON_IsObject(doc)) {
		r = form_fail(&p, "пакет должен быть JSON-объектом", NULL, NULL);
		goto out;
	}
	if ((r = form_keys_check(&p, doc, keys, "пакете формы")) != 0)
		goto out;
	def = cJSON_GetObjectItemCaseSensitive(doc, "form");
	dicts = cJSON_GetObjectItemCaseSensitive(doc, "dictionaries");
	if (!cJSON_IsObject(def)) {
		r = form_fail(&p, "нет описания формы (ключ «form»)", NULL, NULL);
		goto out;
	}
	if (cJSON_IsNull(dicts))
		dicts = NULL;
	if (dicts != NULL && (!cJSON_IsObject(dicts) ||
	    cJSON_GetArraySize(dicts) > FORM_MAX_DICTS)) {
		r = form_fail(&p, "«dictionaries» должен быть объектом (не больше "
		    "16 словарей)", NULL, NULL);
		goto out;
	}
	for (const cJSON *c = dicts ? dicts->child : NULL; c != NULL; c = c->next)
		for (const cJSON *d = c->next; d != NULL; d = d->next)
			if (strcmp(c->string, d->string) == 0) {
				r = form_fail(&p, "словарь «%.64s» в пакете дважды",
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
			r = form_fail(&p, "словарь «%s» не используется формой", name,
			    NULL);
			goto out;
		}
 out:
	cJSON_Delete(doc);
	return r;
}

/* ---------- accessors ---------- */

const char *
form_id(const struct form *f)
{
	return f ? f->id : NULL;
}

uint32_t
form_version(const struct form *f)
{
	return f ? f->version : 0;
}

const char *
form_title(const struct form *f)
{
	return f ? f->title : NULL;
}

const char *
form_description(const struct form *f)
{
	return f ? f->description : NULL;
}

size_t
form_n_fields(const struct form *f)
{
	return f ? f->n_fields : 0;
}

const struct form_field *
form_field_at(const struct form *f, size_t i)
{
	return f && i < f->n_fields ? &f->fields[i] : NULL;
}

const struct form_field *
form_find(const struct form *f, const char *id)
{
	if (f == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < f->n_fields; i++)
		if (strcmp(f->fields[i].id, id) == 0)
			return &f->fields[i];
	return NULL;
}

const struct form_field *
form_field_child(const struct form_field *group, const char *id)
{
	if (group == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < group->n_children; i++)
		if (strcmp(group->children[i].id, id) == 0)
			return &group->children[i];
	return NULL;
}

const struct form_field *
form_field_find_path(const struct form *f, const char *path)
{
	const struct form_field *cur = NULL;
	const char *s = path;

	if (f == NULL || path == NULL)
		return NULL;
	while (*s != '\0') {
		char part[FORM_ID_MAX + 1];
		size_t n = 0;

		while (*s != '\0' && *s != '.' && *s != '[') {
			if (n >= FORM_ID_MAX)
				return NULL;
			part[n++] = *s++;
		}
		part[n] = '\0';
		if (*s == '[') {
			while (*s != '\0' && *s != ']')
				s++;
			if (*s != ']')
				return NULL;
			s++;
		}
		if (*s == '.')
			s++;
		else if (*s != '\0')
			return NULL;
		cur = cur == NULL ? form_find(f, part) : form_field_child(cur, part);
		if (cur == NULL)
			return NULL;
	}
	return cur;
}

const struct form_choice *
form_choice_find(const struct form_field *field, const char *code)
{
	if (field == NULL || code == NULL)
		return NULL;
	for (size_t i = 0; i < field->n_choices; i++)
		if (strcmp(field->choices[i].code, code) == 0)
			return &field->choices[i];
	return NULL;
}

size_t
form_n_dictionaries(const struct form *f)
{
	return f ? f->n_dicts : 0;
}

const struct form_dictionary *
form_dictionary_at(const struct form *f, size_t i)
{
	return f && i < f->n_dicts ? &f->dicts[i] : NULL;
}

const struct form_dictionary *
form_dictionary_find(const struct form *f, const char *name)
{
	if (f == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < f->n_dicts; i++)
		if (strcmp(f->dicts[i].name, name) == 0)
			return &f->dicts[i];
	return NULL;
}

/* Appends to a malloc'd string; frees it and returns NULL on no memory. */
static char *
form_cat(char *s, const char *add)
{
	size_t a = s ? strlen(s) : 0, b = strlen(add);
	char *n = realloc(s, a + b + 1);

	if (n == NULL) {
		free(s);
		return NULL;
	}
	memcpy(n + a, add, b + 1);
	return n;
}

char *
form_cond_describe(const struct form_cond *c)
{
	const struct form_field *t;
	char *s;
	size_t i = 0, n;

	if (c == NULL || c->field == NULL || c->target == NULL)
		return NULL;
	t = c->target;
	if ((s = form_cat(NULL, "«")) == NULL || (s = form_cat(s, t->label)) == NULL ||
	    (s = form_cat(s, "» — ")) == NULL)
		return NULL;
	n = (size_t)cJSON_GetArraySize(c->values);
	for (const cJSON *x = c->values->child; x != NULL; x = x->next, i++) {
		char num[64];
		const char *txt = num;

		if (cJSON_IsString(x)) {
			const struct form_choice *ch = form_choice_find(t, x->valuestring);

			txt = ch ? ch->label : x->valuestring;
		} else if (cJSON_IsBool(x))
			txt = cJSON_IsTrue(x) ? "да" : "нет";
		else if (x->valuedouble == floor(x->valuedouble))
			snprintf(num, sizeof(num), "%.0f", x->valuedouble);
		else {
			snprintf(num, sizeof(num), "%.15g", x->valuedouble);
			for (char *q = num; *q; q++)
				if (*q == ',')
					*q = '.';
		}
		if (i > 0 && (s = form_cat(s, i + 1 == n ? " или " : ", ")) == NULL)
			return NULL;
		if ((s = form_cat(s, "«")) == NULL || (s = form_cat(s, txt)) == NULL ||
		    (s = form_cat(s, "»")) == NULL)
			return NULL;
	}
	return s;
}
