/*
 * form_unique — the form-level "unique" rule (docs/forms.md, «Уникальность»):
 *
 *   "unique": { "fields": ["case_number"], "per": "school", "year_of": "received_date" }
 *
 * No two records of the form at one school may share the values of fields
 * (within one calendar year of the date field year_of, when given). The
 * rule is data, so a checker (the client when a record is saved, the hub
 * when it lists duplicates) knows nothing of the form that declares it.
 * Kept out of form_parse.c so the reader of the whole definition stays a
 * walk over its keys.
 */
#include <string.h>

#include "tetrad/form.h"
#include "form_parse.h"

const struct form_unique *
form_unique(const struct form *f)
{
	return f != NULL && f->unique.n_fields > 0 ? &f->unique : NULL;
}

/* A top-level field the rule may name: one value the hub also sees. */
static int
form_unique_field(struct fp *p, const cJSON *v, bool date,
    const struct form_field **out)
{
	const struct form_field *ff;

	if (!cJSON_IsString(v))
		return form_parse_fail(p, "«unique»: поля указываются строками (id полей)",
		    NULL, NULL);
	if ((ff = form_find(p->f, v->valuestring)) == NULL)
		return form_parse_fail(p, "«unique»: в форме нет поля «%.64s» верхнего уровня",
		    v->valuestring, NULL);
	/* a local field never reaches the hub, which must find the same repeats */
	if (ff->type == FORM_GROUP || ff->type == FORM_MULTI || ff->sync == FORM_SYNC_LOCAL)
		return form_parse_fail(p, "«unique»: поле «%.64s» не может быть частью ключа "
		    "(группа, множественный выбор или поле только для устройства)",
		    v->valuestring, NULL);
	if (date && ff->type != FORM_DATE)
		return form_parse_fail(p, "«unique»: «year_of» должен указывать поле-дату, "
		    "а «%.64s» не дата", v->valuestring, NULL);
	*out = ff;
	return 0;
}

int
form_unique_parse(struct fp *p, const cJSON *doc)
{
	static const char *const keys[] = { "fields", "per", "year_of", NULL };
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(doc, "unique"), *fl, *v;
	struct form_unique *fu = &p->f->unique;
	int r;

	memset(fu, 0, sizeof(*fu));
	p->where[0] = '\0';
	if (u == NULL)
		return 0;
	if (!cJSON_IsObject(u))
		return form_parse_fail(p, "«unique» должен быть объектом {\"fields\": [...], "
		    "\"per\": \"school\"}", NULL, NULL);
	if ((r = form_parse_keys(p, u, keys, "правиле «unique»")) != 0)
		return r;
	/* records are kept per school: the only scope there is, said out loud */
	v = cJSON_GetObjectItemCaseSensitive(u, "per");
	if (v != NULL && !(cJSON_IsString(v) && strcmp(v->valuestring, "school") == 0))
		return form_parse_fail(p, "«unique»: «per» может быть только \"school\"",
		    NULL, NULL);
	fl = cJSON_GetObjectItemCaseSensitive(u, "fields");
	if (!cJSON_IsArray(fl) || cJSON_GetArraySize(fl) < 1 ||
	    cJSON_GetArraySize(fl) > FORM_UNIQUE_MAX_FIELDS)
		return form_parse_fail(p, "«unique»: «fields» — список из 1–4 id полей", NULL,
		    NULL);
	cJSON_ArrayForEach(v, fl) {
		const struct form_field *ff;

		if ((r = form_unique_field(p, v, false, &ff)) != 0)
			return r;
		for (size_t i = 0; i < fu->n_fields; i++)
			if (fu->fields[i] == ff)
				return form_parse_fail(p, "«unique»: поле «%.64s» указано дважды",
				    ff->id, NULL);
		fu->fields[fu->n_fields++] = ff;
	}
	v = cJSON_GetObjectItemCaseSensitive(u, "year_of");
	if (v != NULL && (r = form_unique_field(p, v, true, &fu->year_of)) != 0) {
		fu->n_fields = 0;
		return r;
	}
	return 0;
}
