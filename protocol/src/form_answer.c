/*
 * form_answer — one answer judged against the answers given so far, for
 * entry that asks one question at a time (the client's prompt): its own
 * value, its "min_field"/"max_field", and the "min_field"/"max_field" of the
 * fields that name it (a date of the programme asked after «Дата
 * поступления», or «Дата поступления» changed after it). The person is then
 * asked again right at that question, instead of hearing about it from
 * form_validate after the last one. Rules and messages are form_validate's
 * (form_check_ref there): a rule judged here is the rule judged at the end.
 */
#include <stdio.h>
#include <string.h>

#include "tetrad/form.h"
#include "form_value.h"

/* Whether a and b of field fl's type can be compared; their order in *da, *db. */
static int
form_answer_order(const struct form_field *fl, const cJSON *a, const cJSON *b,
    double *da, double *db)
{
	if (a == NULL || b == NULL || cJSON_IsNull(a) || cJSON_IsNull(b))
		return 0;
	if (fl->type == FORM_DATE) {
		long x, y;

		if (!cJSON_IsString(a) || !cJSON_IsString(b) ||
		    form_date_days(a->valuestring, &x) != 0 ||
		    form_date_days(b->valuestring, &y) != 0)
			return 0;
		*da = (double)x;
		*db = (double)y;
		return 1;
	}
	if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b))
		return 0;
	*da = a->valuedouble;
	*db = b->valuedouble;
	return 1;
}

/* fl's value val against ref's field's value other: 1 with msg if broken. */
static int
form_answer_ref(const struct form_field *fl, const cJSON *val,
    const struct form_ref *ref, int is_max, const cJSON *other, char *msg,
    size_t sz)
{
	double a, b;

	if (ref->field == NULL || ref->target == NULL ||
	    !form_answer_order(fl, val, other, &a, &b))
		return 0;
	if (!(is_max ? a > b : a < b))
		return 0;
	/* the values stay out, as in every form message: fields and rules only */
	snprintf(msg, sz, "%s: не может быть %s, чем «%s»", fl->label,
	    fl->type == FORM_DATE ? (is_max ? "позже" : "раньше") :
	    (is_max ? "больше" : "меньше"), ref->target->label);
	return 1;
}

/* g's own rules in the object chain sc[0..g->depth] (g relevant there). */
static int
form_answer_own(const struct form_field *g, const cJSON *const *sc, char *msg,
    size_t sz)
{
	const cJSON *val = cJSON_GetObjectItemCaseSensitive(sc[g->depth], g->id);
	const struct form_ref *refs[2] = { &g->max_field, &g->min_field };

	if (!form_relevant_in(g, sc, g->depth + 1))
		return 0;
	for (int k = 0; k < 2; k++) {
		const struct form_ref *ref = refs[k];
		const cJSON *other;

		if (ref->field == NULL || ref->target == NULL || ref->depth > g->depth ||
		    !cJSON_IsObject(sc[ref->depth]))
			continue;
		other = cJSON_GetObjectItemCaseSensitive(sc[ref->depth],
		    ref->target->id);
		if (form_answer_ref(g, val, ref, k == 0, other, msg, sz))
			return 1;
	}
	return 0;
}

/* The group holding g at depth d (d < g->depth). */
static const struct form_field *
form_answer_ancestor(const struct form_field *g, unsigned d)
{
	const struct form_field *a = g->parent;

	while (a != NULL && a->depth > d)
		a = a->parent;
	return a;
}

/*
 * g's rules (g names the field answered) in every object at g->depth below
 * sc[d]: the items of the groups between, one level at a time.
 */
static int
form_answer_below(const struct form_field *g, const cJSON **sc, unsigned d,
    char *msg, size_t sz)
{
	const struct form_field *grp;
	const cJSON *arr, *it;

	if (d == g->depth)
		return form_answer_own(g, sc, msg, sz);
	if ((grp = form_answer_ancestor(g, d)) == NULL || grp->depth != d)
		return 0;
	arr = cJSON_GetObjectItemCaseSensitive(sc[d], grp->id);
	if (!cJSON_IsArray(arr) || !form_relevant_in(grp, sc, d + 1))
		return 0;
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsObject(it))
			continue;
		sc[d + 1] = it;
		if (form_answer_below(g, sc, d + 1, msg, sz))
			return 1;
	}
	return 0;
}

/* The fields of list fs (n) and below that compare themselves with target. */
static int
form_answer_naming(const struct form_field *fs, size_t n,
    const struct form_field *target, const cJSON **sc, char *msg, size_t sz)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *g = &fs[i];

		if (g->type == FORM_GROUP) {
			if (form_answer_naming(g->children, g->n_children, target, sc,
			    msg, sz))
				return 1;
			continue;
		}
		if (g == target || (g->max_field.target != target &&
		    g->min_field.target != target))
			continue;
		/* a reference is resolved among siblings, then outwards: g is in
		 * target's object or in an item below it */
		if (g->depth < target->depth)
			continue;
		{
			const struct form_field *a = g->depth == target->depth ? g :
			    form_answer_ancestor(g, target->depth);

			if (a == NULL || a->parent != target->parent)
				continue;
		}
		if (form_answer_below(g, sc, target->depth, msg, sz))
			return 1;
	}
	return 0;
}

int
form_answer_check(const struct form *f, const struct form_field *field,
    const cJSON *const *scopes, size_t n, char *msg, size_t sz)
{
	const cJSON *sc[FORM_MAX_DEPTH + 2];
	const cJSON *val;
	char text[FORM_LABEL_MAX + 256];

	if (f == NULL || field == NULL || scopes == NULL || msg == NULL || sz == 0 ||
	    n != (size_t)field->depth + 1 || n > FORM_MAX_DEPTH + 1)
		return TERR_ARG;
	msg[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		if (!cJSON_IsObject(scopes[k]))
			return TERR_ARG;
		sc[k] = scopes[k];
	}
	val = cJSON_GetObjectItemCaseSensitive(sc[field->depth], field->id);
	if (field->type != FORM_GROUP && val != NULL && !cJSON_IsNull(val) &&
	    form_value_check(field, val, text, sizeof(text)) != 0) {
		snprintf(msg, sz, "%s: %s", field->label, text);
		return 1;
	}
	if (field->type != FORM_GROUP && form_answer_own(field, sc, msg, sz))
		return 1;
	return form_answer_naming(form_n_fields(f) ? form_field_at(f, 0) : NULL,
	    form_n_fields(f), field, sc, msg, sz);
}
