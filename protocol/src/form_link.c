/*
 * form_link — the rules that point from one field to another (relevant,
 * required_if, max_field, min_field): each resolved among the field's
 * siblings and then outwards, and checked for a fitting type.
 */
#include <stdio.h>
#include <string.h>

#include "tetrad/form.h"
#include "form_parse.h"

/*
 * Finds id among the siblings of fl, then outwards. siblings[k]/n[k] are the
 * field lists of depth k along the way (k = 0 the record).
 */
static const struct form_field *
form_link_resolve(struct form_field *const *lists, const size_t *ns, unsigned depth,
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
form_link_value_ok(const struct form_field *t, const cJSON *x)
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
	t = form_link_resolve(lists, ns, fl->depth, *name, at);
	if (t == NULL)
		return form_parse_fail(p, "«%s» ссылается на несуществующее поле «%s»",
		    key, *name);
	if (t == fl)
		return form_parse_fail(p, "«%s» ссылается на само поле", key, NULL);
	if (t->type == FORM_GROUP)
		return form_parse_fail(p, "«%s» не может ссылаться на группу «%s»", key,
		    t->id);
	if (fl->sync == FORM_SYNC_HUB && t->sync == FORM_SYNC_LOCAL)
		return form_parse_fail(p, "«%s»: поле, уходящее на хаб, не может зависеть "
		    "от локального поля «%s»", key, t->id);
	*target = t;
	return 0;
}

static int
form_link_numeric(enum form_type t)
{
	return t == FORM_INTEGER || t == FORM_DECIMAL || t == FORM_SCALE;
}

int
form_link_fields(struct fp *p, struct form_field *fs, size_t n, unsigned depth,
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
				if (!form_link_value_ok(cs[k]->target, x))
					return form_parse_fail(p, "«%s»: значение не подходит "
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
			if (!((form_link_numeric(fl->type) && form_link_numeric(t->type)) ||
			    (fl->type == FORM_DATE && t->type == FORM_DATE)))
				return form_parse_fail(p, "«%s»: сравнивать можно только "
				    "числа с числами и даты с датами (поле «%s»)", rk[k],
				    t->id);
			rs[k]->target = t;
		}
		if (fl->type == FORM_GROUP &&
		    (r = form_link_fields(p, fl->children, fl->n_children, depth + 1,
		    lists, ns)) != 0)
			return r;
	}
	return 0;
}
