/*
 * form_strip — a record's values without the fields that must stay on the
 * device (sync "local"), recursing into repeat groups: what may leave it.
 */
#include <stdlib.h>

#include "tetrad/form.h"

static cJSON *
form_strip_object(const struct form_field *fs, size_t n, const cJSON *obj)
{
	cJSON *o = cJSON_CreateObject(), *ret = NULL;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fl = &fs[i];
		const cJSON *val;
		cJSON *c;

		if (fl->sync == FORM_SYNC_LOCAL)
			continue;
		val = cJSON_GetObjectItemCaseSensitive(obj, fl->id);
		if (val == NULL)
			continue;
		if (fl->type == FORM_GROUP && cJSON_IsArray(val)) {
			if ((c = cJSON_CreateArray()) == NULL)
				goto out;
			for (const cJSON *it = val->child; it; it = it->next) {
				cJSON *s = cJSON_IsObject(it) ?
				    form_strip_object(fl->children, fl->n_children, it) :
				    cJSON_Duplicate(it, 1);

				if (s == NULL || !cJSON_AddItemToArray(c, s)) {
					cJSON_Delete(s);
					cJSON_Delete(c);
					goto out;
				}
			}
		} else if ((c = cJSON_Duplicate(val, 1)) == NULL)
			goto out;
		if (!cJSON_AddItemToObject(o, fl->id, c)) {
			cJSON_Delete(c);
			goto out;
		}
	}
	ret = o;
	o = NULL;
 out:
	cJSON_Delete(o);
	return ret;
}

cJSON *
form_strip_local(const struct form *f, const cJSON *values)
{
	size_t n = form_n_fields(f);

	if (f == NULL)
		return NULL;
	if (!cJSON_IsObject(values))
		return cJSON_CreateObject();
	return form_strip_object(n ? form_field_at(f, 0) : NULL, n, values);
}
