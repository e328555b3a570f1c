/*
 * form_field — one field of a definition read from its JSON (id, type and
 * its keys, the common keys, then what the type adds: text bounds and mask,
 * number and date bounds, scales, choices, repeat groups and per-dictionary
 * groups), lists of fields, and finding fields by position, id and path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/form.h"
#include "form_parse.h"

static const struct {
	const char *name;
	enum form_type type;
} form_field_types[] = {
	{ "text", FORM_TEXT }, { "integer", FORM_INTEGER },
	{ "decimal", FORM_DECIMAL }, { "date", FORM_DATE },
	{ "boolean", FORM_BOOLEAN }, { "choice", FORM_CHOICE },
	{ "multi", FORM_MULTI }, { "scale", FORM_SCALE },
	{ "group", FORM_GROUP },
};

/* Keys every field may have, then per type. */
#define FORM_COMMON_KEYS "id", "label", "hint", "type", "required", \
	"readonly", "sync", "relevant", "required_if"
static const char *const form_field_keys_text[] = { FORM_COMMON_KEYS,
	"min_length", "max_length", "mask", NULL };
static const char *const form_field_keys_num[] = { FORM_COMMON_KEYS,
	"min", "max", "max_field", "min_field", NULL };
static const char *const form_field_keys_bool[] = { FORM_COMMON_KEYS, NULL };
static const char *const form_field_keys_choice[] = { FORM_COMMON_KEYS,
	"choices", "dictionary", NULL };
static const char *const form_field_keys_scale[] = { FORM_COMMON_KEYS,
	"min", "max", "no_answer", "no_answer_label", "max_field", "min_field",
	NULL };
static const char *const form_field_keys_group[] = { FORM_COMMON_KEYS,
	"fields", "min_items", "max_items", "per_dictionary", "item_key", NULL };

static int
form_field_cond(struct fp *p, const cJSON *obj, const char *key,
    struct form_cond *c)
{
	static const char *const keys[] = { "field", "equals", "in", NULL };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON *eq, *in;
	int r;

	if (v == NULL)
		return 0;
	if (!cJSON_IsObject(v))
		return form_parse_fail(p, "«%s» должен быть объектом {\"field\", "
		    "\"equals\" или \"in\"}", key, NULL);
	if ((r = form_parse_keys(p, v, keys, key)) != 0 ||
	    (r = form_parse_str(p, v, "field", FORM_ID_MAX, 1, &c->field)) != 0)
		return r;
	if (!form_ident_ok(c->field))
		return form_parse_fail(p, "«%s»: недопустимый id поля «%s»", key, c->field);
	eq = cJSON_GetObjectItemCaseSensitive(v, "equals");
	in = cJSON_GetObjectItemCaseSensitive(v, "in");
	if ((eq == NULL) == (in == NULL))
		return form_parse_fail(p, "«%s»: нужен ровно один из ключей «equals» "
		    "или «in»", key, NULL);
	if (eq != NULL) {
		if ((c->values = cJSON_CreateArray()) == NULL ||
		    !cJSON_AddItemToArray(c->values, cJSON_Duplicate(eq, 0)))
			return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	} else {
		if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) < 1 ||
		    cJSON_GetArraySize(in) > FORM_MAX_COND_VALUES)
			return form_parse_fail(p, "«%s»: «in» должен быть непустым списком",
			    key, NULL);
		if ((c->values = cJSON_Duplicate(in, 1)) == NULL)
			return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	}
	for (const cJSON *x = c->values->child; x != NULL; x = x->next) {
		if (cJSON_IsString(x)) {
			if (x->valuestring == NULL ||
			    strlen(x->valuestring) > FORM_LABEL_MAX)
				return form_parse_fail(p, "«%s»: слишком длинное значение",
				    key, NULL);
		} else if (cJSON_IsNumber(x)) {
			if (!isfinite(x->valuedouble) ||
			    fabs(x->valuedouble) > FORM_NUM_LIMIT)
				return form_parse_fail(p, "«%s»: недопустимое число", key,
				    NULL);
		} else if (!cJSON_IsBool(x))
			return form_parse_fail(p, "«%s»: значения условия — строки, "
			    "числа или true/false", key, NULL);
	}
	return 0;
}

/* id, depth, and where messages say we are ("поле «a.b»"). */
static int
form_field_ident(struct fp *p, const cJSON *obj, unsigned depth, struct form_field *fl)
{
	size_t n;
	int r;

	if ((r = form_parse_str(p, obj, "id", FORM_ID_MAX, 1, &fl->id)) != 0)
		return r;
	if (!form_ident_ok(fl->id))
		return form_parse_fail(p, "недопустимый id поля «%s»: латинские строчные "
		    "буквы, цифры и _, начиная с буквы", fl->id, NULL);
	n = strlen(p->where);
	if (n == 0)
		snprintf(p->where, sizeof(p->where), "поле «%s»", fl->id);
	else if (n > 2 && n + strlen(fl->id) + 4 < sizeof(p->where)) {
		/* "поле «a»" → "поле «a.b»" */
		p->where[n - 2] = '\0';
		strcat(p->where, ".");
		strcat(p->where, fl->id);
		strcat(p->where, "»");
	}
	fl->depth = depth;
	return 0;
}

/* The type, and every key of obj known for it. */
static int
form_field_type(struct fp *p, const cJSON *obj, struct form_field *fl)
{
	const char *const *keys;
	char *type = NULL, what[64];
	int r;

	if ((r = form_parse_str(p, obj, "type", 16, 1, &type)) != 0)
		goto out;
	fl->type = 0;
	for (size_t i = 0; i < sizeof(form_field_types) / sizeof(form_field_types[0]); i++)
		if (strcmp(type, form_field_types[i].name) == 0)
			fl->type = form_field_types[i].type;
	if (fl->type == 0) {
		r = form_parse_fail(p, "неизвестный тип «%s» (допустимы text, integer, "
		    "decimal, date, boolean, choice, multi, scale, group)", type,
		    NULL);
		goto out;
	}
	switch (fl->type) {
	case FORM_TEXT: keys = form_field_keys_text; break;
	case FORM_INTEGER: case FORM_DECIMAL: case FORM_DATE:
		keys = form_field_keys_num; break;
	case FORM_BOOLEAN: keys = form_field_keys_bool; break;
	case FORM_CHOICE: case FORM_MULTI: keys = form_field_keys_choice; break;
	case FORM_SCALE: keys = form_field_keys_scale; break;
	default: keys = form_field_keys_group; break;
	}
	snprintf(what, sizeof(what), "поле типа %s", type);
	r = form_parse_keys(p, obj, keys, what);
 out:
	free(type);
	return r;
}

/* What every field may have: label, hint, flags, sync, conditions, comparisons. */
static int
form_field_common(struct fp *p, const cJSON *obj, struct form_field *fl)
{
	char *sync = NULL;
	int r;

	if ((r = form_parse_str(p, obj, "label", FORM_LABEL_MAX, 1,
	    &fl->label)) != 0 ||
	    (r = form_parse_str(p, obj, "hint", FORM_HINT_MAX, 0, &fl->hint)) != 0 ||
	    (r = form_parse_bool(p, obj, "required", &fl->required)) != 0 ||
	    (r = form_parse_bool(p, obj, "readonly", &fl->readonly)) != 0 ||
	    (r = form_parse_str(p, obj, "sync", 8, 0, &sync)) != 0)
		goto out;
	fl->sync = FORM_SYNC_HUB;
	if (sync != NULL) {
		if (strcmp(sync, "local") == 0)
			fl->sync = FORM_SYNC_LOCAL;
		else if (strcmp(sync, "hub") != 0) {
			r = form_parse_fail(p, "«sync» может быть «hub» или «local», а не "
			    "«%s»", sync, NULL);
			goto out;
		}
	}
	/* a member of a local group cannot leave the device either */
	if (fl->parent != NULL && fl->parent->sync == FORM_SYNC_LOCAL)
		fl->sync = FORM_SYNC_LOCAL;
	if ((r = form_field_cond(p, obj, "relevant", &fl->relevant)) != 0 ||
	    (r = form_field_cond(p, obj, "required_if", &fl->required_if)) != 0 ||
	    (r = form_parse_str(p, obj, "max_field", FORM_ID_MAX, 0,
	    &fl->max_field.field)) != 0 ||
	    (r = form_parse_str(p, obj, "min_field", FORM_ID_MAX, 0,
	    &fl->min_field.field)) != 0)
		goto out;
	r = 0;
 out:
	free(sync);
	return r;
}

/* A text's lengths in characters and its mask. */
static int
form_field_text(struct fp *p, const cJSON *obj, struct form_field *fl)
{
	bool has;
	double v;
	int r;

	if ((r = form_parse_num(p, obj, "max_length", 1, 1, FORM_TEXT_MAX,
	    &has, &v)) != 0)
		return r;
	fl->max_length = has ? (size_t)v : FORM_TEXT_DEFAULT_MAX;
	if ((r = form_parse_num(p, obj, "min_length", 1, 0, FORM_TEXT_MAX,
	    &has, &v)) != 0)
		return r;
	fl->min_length = has ? (size_t)v : 0;
	if (fl->min_length > fl->max_length)
		return form_parse_fail(p, "«min_length» больше «max_length»", NULL,
		    NULL);
	if ((r = form_parse_str(p, obj, "mask", FORM_ID_MAX, 0,
	    &fl->mask)) != 0)
		return r;
	if (fl->mask != NULL && (fl->mask[0] == '\0' ||
	    strchr(fl->mask, '9') == NULL))
		return form_parse_fail(p, "«mask» должен содержать хотя бы одну 9 "
		    "(цифру)", NULL, NULL);
	return 0;
}

/* A scale's own keys: both bounds, at most 100 steps, the «no answer» choice. */
static int
form_field_scale(struct fp *p, const cJSON *obj, struct form_field *fl)
{
	int r;

	if (!fl->has_min || !fl->has_max)
		return form_parse_fail(p, "у шкалы должны быть «min» и «max»",
		    NULL, NULL);
	if (fl->max - fl->min > 100)
		return form_parse_fail(p, "шкала шире 100 делений", NULL, NULL);
	if ((r = form_parse_bool(p, obj, "no_answer",
	    &fl->no_answer)) != 0 ||
	    (r = form_parse_str(p, obj, "no_answer_label",
	    FORM_LABEL_MAX, 0, &fl->no_answer_label)) != 0)
		return r;
	if (fl->no_answer_label != NULL && !fl->no_answer)
		return form_parse_fail(p, "«no_answer_label» без «no_answer»: "
		    "true", NULL, NULL);
	if (fl->no_answer && fl->no_answer_label == NULL &&
	    (fl->no_answer_label = strdup("затрудняюсь ответить")) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	return 0;
}

/* Bounds of an integer, a decimal or a scale. */
static int
form_field_number(struct fp *p, const cJSON *obj, struct form_field *fl)
{
	int r;

	if ((r = form_parse_num(p, obj, "min", fl->type != FORM_DECIMAL,
	    -FORM_NUM_LIMIT, FORM_NUM_LIMIT, &fl->has_min, &fl->min)) != 0 ||
	    (r = form_parse_num(p, obj, "max", fl->type != FORM_DECIMAL,
	    -FORM_NUM_LIMIT, FORM_NUM_LIMIT, &fl->has_max, &fl->max)) != 0)
		return r;
	if (fl->type == FORM_SCALE && (r = form_field_scale(p, obj, fl)) != 0)
		return r;
	if (fl->has_min && fl->has_max && fl->min > fl->max)
		return form_parse_fail(p, "«min» больше «max»", NULL, NULL);
	return 0;
}

/* A date's bounds, "ГГГГ-ММ-ДД", kept as day numbers. */
static int
form_field_date(struct fp *p, const cJSON *obj, struct form_field *fl)
{
	const char *bk[] = { "min", "max" };

	for (int i = 0; i < 2; i++) {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(obj, bk[i]);
		long days;

		if (b == NULL)
			continue;
		if (!cJSON_IsString(b) || b->valuestring == NULL ||
		    form_date_days(b->valuestring, &days) != 0)
			return form_parse_fail(p, "«%s» даты должен быть строкой "
			    "ГГГГ-ММ-ДД", bk[i], NULL);
		if (i == 0) {
			fl->has_min = true;
			fl->min = (double)days;
		} else {
			fl->has_max = true;
			fl->max = (double)days;
		}
	}
	if (fl->has_min && fl->has_max && fl->min > fl->max)
		return form_parse_fail(p, "«min» позже «max»", NULL, NULL);
	return 0;
}

/* A choice's (or multi's) options: listed, or named by a dictionary. */
static int
form_field_choices(struct fp *p, const cJSON *obj, struct form_field *fl)
{
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(obj, "choices");
	int r;

	if ((r = form_parse_str(p, obj, "dictionary", FORM_ID_MAX, 0,
	    &fl->dictionary)) != 0)
		return r;
	if (ch != NULL && fl->dictionary != NULL)
		return form_parse_fail(p, "нужен один из ключей «choices» или "
		    "«dictionary», а не оба", NULL, NULL);
	if (ch != NULL)
		return form_dict_choices(p, ch, FORM_MAX_CHOICES, "choices",
		    &fl->choices, &fl->n_choices);
	if (fl->dictionary != NULL)
		return 0;
	/* a per-dictionary group's key offers the dictionary */
	if (fl->type == FORM_CHOICE && fl->parent != NULL &&
	    fl->parent->item_key != NULL &&
	    strcmp(fl->parent->item_key, fl->id) == 0) {
		if ((fl->dictionary = strdup(fl->parent->per_dictionary)) == NULL)
			return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
		return 0;
	}
	return form_parse_fail(p, "нет вариантов ответа: нужен «choices» "
	    "или «dictionary»", NULL, NULL);
}

/* A per-dictionary group: one item per entry, named by its item_key member. */
static int
form_field_per_dictionary(struct fp *p, struct form_field *fl)
{
	const struct form_field *k = form_field_child(fl, fl->item_key);
	struct form_dictionary *d;
	int r;

	if (k == NULL || (k->type != FORM_CHOICE && k->type != FORM_TEXT))
		return form_parse_fail(p, "«item_key» «%s» должен быть полем "
		    "группы типа choice или text", fl->item_key, NULL);
	if ((r = form_dict_need(p, fl->per_dictionary, &d)) != 0)
		return r;
	if (fl->max_items < d->n_entries || fl->min_items > d->n_entries)
		return form_parse_fail(p, "«min_items»/«max_items» не согласуются "
		    "с размером словаря «%s»", d->name, NULL);
	/* the key names the item: always there */
	for (size_t i = 0; i < fl->n_children; i++)
		if (&fl->children[i] == k)
			fl->children[i].required = true;
	if (k->type == FORM_CHOICE &&
	    (k->dictionary == NULL || strcmp(k->dictionary, d->name) != 0))
		return form_parse_fail(p, "«item_key» «%s» должен брать варианты "
		    "из словаря группы", k->id, NULL);
	return 0;
}

/* A repeat group: depth, item counts, its members, per-dictionary keys. */
static int
form_field_group(struct fp *p, const cJSON *obj, unsigned depth, struct form_field *fl)
{
	const cJSON *kids = cJSON_GetObjectItemCaseSensitive(obj, "fields");
	bool has;
	double v;
	int r;

	if (depth + 1 >= FORM_MAX_DEPTH + 1)
		return form_parse_fail(p, "группы вложены глубже %s уровней", "3", NULL);
	if ((r = form_parse_num(p, obj, "min_items", 1, 0, FORM_MAX_REPEAT,
	    &has, &v)) != 0)
		return r;
	fl->min_items = has ? (size_t)v : 0;
	if ((r = form_parse_num(p, obj, "max_items", 1, 1, FORM_MAX_REPEAT,
	    &has, &v)) != 0)
		return r;
	fl->max_items = has ? (size_t)v : FORM_MAX_REPEAT;
	if (fl->min_items > fl->max_items)
		return form_parse_fail(p, "«min_items» больше «max_items»", NULL, NULL);
	if ((r = form_parse_str(p, obj, "per_dictionary", FORM_ID_MAX, 0,
	    &fl->per_dictionary)) != 0 ||
	    (r = form_parse_str(p, obj, "item_key", FORM_ID_MAX, 0,
	    &fl->item_key)) != 0)
		return r;
	if ((fl->per_dictionary == NULL) != (fl->item_key == NULL))
		return form_parse_fail(p, "«per_dictionary» и «item_key» задаются "
		    "вместе", NULL, NULL);
	if (kids == NULL)
		return form_parse_fail(p, "у группы нет ключа «fields»", NULL, NULL);
	if ((r = form_field_list(p, kids, depth + 1, fl, &fl->children,
	    &fl->n_children)) != 0)
		return r;
	return fl->item_key != NULL ? form_field_per_dictionary(p, fl) : 0;
}

/* A choice that names a dictionary takes its entries as its choices. */
static int
form_field_dictionary(struct fp *p, struct form_field *fl)
{
	struct form_dictionary *d;
	int r;

	if ((r = form_dict_need(p, fl->dictionary, &d)) != 0)
		return r;
	if ((fl->choices = calloc(d->n_entries, sizeof(*fl->choices))) == NULL)
		return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	for (size_t i = 0; i < d->n_entries; i++) {
		fl->n_choices = i + 1;
		if ((fl->choices[i].code = strdup(d->entries[i].code)) == NULL ||
		    (fl->choices[i].label = strdup(d->entries[i].label)) == NULL)
			return terr_set(p->e, TERR_NOMEM, "недостаточно памяти");
	}
	return 0;
}

static int
form_field_parse(struct fp *p, const cJSON *obj, unsigned depth,
    struct form_field *fl)
{
	int r;

	if (!cJSON_IsObject(obj))
		return form_parse_fail(p, "описание поля должно быть объектом", NULL, NULL);
	if ((r = form_field_ident(p, obj, depth, fl)) != 0 ||
	    (r = form_field_type(p, obj, fl)) != 0 ||
	    (r = form_field_common(p, obj, fl)) != 0)
		return r;
	switch (fl->type) {
	case FORM_TEXT:
		r = form_field_text(p, obj, fl);
		break;
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_SCALE:
		r = form_field_number(p, obj, fl);
		break;
	case FORM_DATE:
		r = form_field_date(p, obj, fl);
		break;
	case FORM_CHOICE:
	case FORM_MULTI:
		r = form_field_choices(p, obj, fl);
		break;
	case FORM_GROUP:
		r = form_field_group(p, obj, depth, fl);
		break;
	default:
		break;
	}
	if (r == 0 && fl->dictionary != NULL)
		r = form_field_dictionary(p, fl);
	return r;
}

int
form_field_list(struct fp *p, const cJSON *arr, unsigned depth,
    const struct form_field *parent, struct form_field **outp, size_t *np)
{
	struct form_field *fs = NULL;
	char saved[sizeof(p->where)];
	size_t n, i = 0;
	int r = 0;

	*outp = NULL;
	*np = 0;
	if (!cJSON_IsArray(arr))
		return form_parse_fail(p, "«fields» должен быть списком", NULL, NULL);
	n = (size_t)cJSON_GetArraySize(arr);
	if (n == 0)
		return form_parse_fail(p, "список полей «fields» пуст", NULL, NULL);
	if (n > FORM_MAX_FIELDS || p->f->total_fields + n > FORM_MAX_FIELDS)
		return form_parse_fail(p, "в форме больше %s полей", "512", NULL);
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
				r = form_parse_fail(p, "id поля «%s» повторяется", fs[i].id,
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


const struct form_field *
form_field_at(const struct form *f, size_t i)
{
	return f && i < f->n_fields ? &f->fields[i] : NULL;
}

const struct form_field *
form_field_child(const struct form_field *group, const char *id)
{
	size_t i;

	if (group == NULL || id == NULL)
		return NULL;
	/* while the form is read the positions are not there yet: it scans */
	i = form_index_field(group->children, group->child_order,
	    group->n_children, id);
	return i < group->n_children ? &group->children[i] : NULL;
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
