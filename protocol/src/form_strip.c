/*
 * form_strip — a record's values without the fields that must stay on the
 * device (sync "local"), recursing into repeat groups: what may leave it;
 * and the split of a record into its hub part and its local part (sealed
 * at rest by the client's vault) with the graft that puts them together.
 */
#include <stdlib.h>
#include <string.h>

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

/* ---- splitting a record into what may leave and what must stay ---- */

static bool
form_field_has_local(const struct form_field *fl)
{
	if (fl->sync == FORM_SYNC_LOCAL)
		return true;
	for (size_t i = 0; i < fl->n_children; i++)
		if (form_field_has_local(&fl->children[i]))
			return true;
	return false;
}

bool
form_has_local(const struct form *f)
{
	size_t n = f ? form_n_fields(f) : 0;

	for (size_t i = 0; i < n; i++)
		if (form_field_has_local(form_field_at(f, i)))
			return true;
	return false;
}

static const struct form_field *
form_split_find(const struct form_field *fs, size_t n, const char *id)
{
	for (size_t i = 0; i < n && id != NULL; i++)
		if (strcmp(fs[i].id, id) == 0)
			return &fs[i];
	return NULL;
}

static bool
form_split_valued(const cJSON *v)
{
	return v != NULL && !cJSON_IsNull(v);
}

/*
 * Moves the local members of hub (an object, edited in place) into local;
 * recurses into the items of groups that hold local fields, adding one
 * object per item to local so positions line up. A key repeated in hub (a
 * hand-made file) is handled every time it appears: no local value stays
 * behind; local keeps the first, as cJSON's lookups would. *valued is set
 * when a non-null value moved.
 */
static int
form_split_object(const struct form_field *fs, size_t n, cJSON *hub, cJSON *local,
    bool *valued)
{
	cJSON *m = hub->child;

	while (m != NULL) {
		cJSON *next = m->next, *arr;
		const struct form_field *fl = form_split_find(fs, n, m->string);
		bool first;

		if (fl == NULL || !form_field_has_local(fl)) {
			m = next;
			continue;
		}
		first = cJSON_GetObjectItemCaseSensitive(local, fl->id) == NULL;
		if (fl->sync == FORM_SYNC_LOCAL) {
			cJSON_DetachItemViaPointer(hub, m);
			if (form_split_valued(m))
				*valued = true;
			if (!first || !cJSON_AddItemToObject(local, fl->id, m))
				cJSON_Delete(m);
			m = next;
			continue;
		}
		/* a group (not itself local) with local fields inside */
		if (!cJSON_IsArray(m)) {
			m = next;
			continue;
		}
		if ((arr = cJSON_CreateArray()) == NULL)
			return TERR_NOMEM;
		for (cJSON *it = m->child; it != NULL; it = it->next) {
			cJSON *o = cJSON_CreateObject();
			int r = 0;

			if (o != NULL && cJSON_IsObject(it))
				r = form_split_object(fl->children, fl->n_children, it, o,
				    valued);
			if (o == NULL || r != 0 || !cJSON_AddItemToArray(arr, o)) {
				cJSON_Delete(o);
				cJSON_Delete(arr);
				return r ? r : TERR_NOMEM;
			}
		}
		if (!first)
			cJSON_Delete(arr);
		else if (!cJSON_AddItemToObject(local, fl->id, arr)) {
			cJSON_Delete(arr);
			return TERR_NOMEM;
		}
		m = next;
	}
	return 0;
}

int
form_split_local(const struct form *f, const cJSON *values, cJSON **hub,
    cJSON **local)
{
	cJSON *h = NULL, *l = NULL;
	bool valued = false;
	size_t n = f ? form_n_fields(f) : 0;
	int r;

	*hub = NULL;
	*local = NULL;
	if (f == NULL)
		return TERR_ARG;
	h = cJSON_IsObject(values) ? cJSON_Duplicate(values, 1) : cJSON_CreateObject();
	if (h == NULL || (l = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(h);
		return TERR_NOMEM;
	}
	if ((r = form_split_object(n ? form_field_at(f, 0) : NULL, n, h, l,
	    &valued)) != 0) {
		cJSON_Delete(h);
		cJSON_Delete(l);
		return r;
	}
	/* nothing to seal: the mirror of empty items and nulls says nothing */
	if (!valued && l->child != NULL) {
		cJSON_Delete(l);
		if ((l = cJSON_CreateObject()) == NULL) {
			cJSON_Delete(h);
			return TERR_NOMEM;
		}
	}
	*hub = h;
	*local = l;
	return valued ? 1 : 0;
}

/* ---- grafting them back ---- */

static int form_graft_array(cJSON *data, const cJSON *local);

/* dst takes src's value: merged when both are objects or both arrays,
 * replaced by a copy otherwise (an empty object changes nothing). */
static int
form_graft_item(cJSON *parent, cJSON *dst, const cJSON *src)
{
	cJSON *c;

	if (cJSON_IsObject(dst) && cJSON_IsObject(src))
		return form_graft_local(dst, src);
	if (cJSON_IsArray(dst) && cJSON_IsArray(src))
		return form_graft_array(dst, src);
	if (cJSON_IsObject(src) && src->child == NULL)
		return 0;
	if ((c = cJSON_Duplicate(src, 1)) == NULL)
		return TERR_NOMEM;
	if (!cJSON_ReplaceItemViaPointer(parent, dst, c)) {
		cJSON_Delete(c);
		return TERR_NOMEM;
	}
	return 0;
}

static int
form_graft_array(cJSON *data, const cJSON *local)
{
	cJSON *d = data->child;

	/* items of local beyond data's are dropped: the hub's copy (a pull)
	 * has fewer items now, and inventing items would make up answers */
	for (const cJSON *s = local->child; s != NULL && d != NULL; s = s->next) {
		cJSON *next = d->next;
		int r;

		if ((r = form_graft_item(data, d, s)) != 0)
			return r;
		d = next;
	}
	return 0;
}

int
form_graft_local(cJSON *data, const cJSON *local)
{
	if (!cJSON_IsObject(data) || !cJSON_IsObject(local))
		return TERR_ARG;
	for (const cJSON *s = local->child; s != NULL; s = s->next) {
		cJSON *d, *c;
		int r;

		if (s->string == NULL)
			continue;
		d = cJSON_GetObjectItemCaseSensitive(data, s->string);
		if (d != NULL) {
			if ((r = form_graft_item(data, d, s)) != 0)
				return r;
			continue;
		}
		if ((c = cJSON_Duplicate(s, 1)) == NULL)
			return TERR_NOMEM;
		if (!cJSON_AddItemToObject(data, s->string, c)) {
			cJSON_Delete(c);
			return TERR_NOMEM;
		}
	}
	return 0;
}
