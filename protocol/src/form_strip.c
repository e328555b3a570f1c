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

bool
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

/* o, the mirror of a group item whose hub part is it, gets its fingerprint. */
static int
form_split_bind(const cJSON *it, cJSON *o)
{
	char fp[FORM_FP_LEN + 1];

	if (form_item_fp(it, fp) != 0 || cJSON_AddStringToObject(o, FORM_FP_KEY, fp) == NULL)
		return TERR_NOMEM;
	return 0;
}

/*
 * Moves the local members of hub (an object, edited in place) into local;
 * recurses into the items of groups that hold local fields, adding one
 * object per item to local, bound to its item by FORM_FP_KEY. A key repeated in hub (a
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
			/* it is now the item's hub part: what finds it again */
			if (o != NULL && r == 0 && cJSON_IsObject(it))
				r = form_split_bind(it, o);
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

int
form_item_hub_fp(const struct form_field *fs, size_t n, const cJSON *item,
    char out[FORM_FP_LEN + 1])
{
	cJSON *h = NULL, *l = NULL;
	bool valued = false;
	int r = TERR_NOMEM;

	out[0] = '\0';
	if (!cJSON_IsObject(item))
		return form_item_fp(item, out);
	if ((h = cJSON_Duplicate(item, 1)) != NULL && (l = cJSON_CreateObject()) != NULL &&
	    (r = form_split_object(fs, n, h, l, &valued)) == 0)
		r = form_item_fp(h, out);
	cJSON_Delete(h);
	cJSON_Delete(l);
	return r;
}

/* ---- grafting them back ---- */

static int form_graft_array(cJSON *data, const cJSON *local);
static int form_graft_obj(cJSON *data, const cJSON *local, size_t *unpaired);

/* Whether a is the local part of a group: items bound by FORM_FP_KEY. */
static bool
form_graft_is_mirror(const cJSON *a)
{
	if (!cJSON_IsArray(a))
		return false;
	for (const cJSON *c = a->child; c != NULL; c = c->next)
		if (cJSON_IsObject(c) && cJSON_GetObjectItemCaseSensitive(c, FORM_FP_KEY))
			return true;
	return false;
}

/* Mirror items that hold a value (a member besides FORM_FP_KEY). */
static size_t
form_graft_valued(const cJSON *m)
{
	size_t n = 0;

	for (const cJSON *c = m->child; c != NULL; c = c->next)
		for (const cJSON *k = cJSON_IsObject(c) ? c->child : NULL; k; k = k->next)
			if (k->string != NULL && strcmp(k->string, FORM_FP_KEY) != 0) {
				n++;
				break;
			}
	return n;
}

/* dst takes src's value: merged when both are objects or both arrays,
 * replaced by a copy otherwise (an empty object changes nothing). */
static int
form_graft_item(cJSON *parent, cJSON *dst, const cJSON *src, size_t *unpaired)
{
	cJSON *c;

	if (cJSON_IsObject(dst) && cJSON_IsObject(src))
		return form_graft_obj(dst, src, unpaired);
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

	/* a plain array (a local field's own value): item by item */
	for (const cJSON *s = local->child; s != NULL && d != NULL; s = s->next) {
		cJSON *next = d->next;
		int r;

		if ((r = form_graft_item(data, d, s, NULL)) != 0)
			return r;
		d = next;
	}
	return 0;
}

/* The mirror m into the items of data, each to the item it was split from. */
static int
form_graft_mirror(cJSON *data, const cJSON *m, size_t *unpaired)
{
	size_t na = (size_t)cJSON_GetArraySize(data), nb = (size_t)cJSON_GetArraySize(m);
	char (*fp)[FORM_FP_LEN + 1] = NULL;
	const char **a = NULL, **b = NULL;
	const cJSON **mi = NULL;
	bool *got = NULL;
	long *pair = NULL;
	size_t i = 0, j = 0, left = 0;
	int r = TERR_NOMEM;

	if ((fp = calloc(na + 1, sizeof(*fp))) == NULL ||
	    (a = calloc(na + 1, sizeof(*a))) == NULL ||
	    (pair = calloc(na + 1, sizeof(*pair))) == NULL ||
	    (b = calloc(nb + 1, sizeof(*b))) == NULL ||
	    (mi = calloc(nb + 1, sizeof(*mi))) == NULL ||
	    (got = calloc(nb + 1, sizeof(*got))) == NULL)
		goto out;
	for (const cJSON *d = data->child; d != NULL; d = d->next, i++)
		if (cJSON_IsObject(d)) {
			if (form_item_fp(d, fp[i]) != 0)
				goto out;
			a[i] = fp[i];
		}
	for (const cJSON *c = m->child; c != NULL; c = c->next, j++) {
		const cJSON *h = cJSON_IsObject(c) ?
		    cJSON_GetObjectItemCaseSensitive(c, FORM_FP_KEY) : NULL;

		mi[j] = c;
		b[j] = cJSON_IsString(h) ? h->valuestring : NULL;
	}
	form_pair_items(a, na, b, nb, pair);
	i = 0;
	for (cJSON *d = data->child; d != NULL; d = d->next, i++) {
		if (pair[i] < 0)
			continue;
		got[pair[i]] = true;
		if (cJSON_IsObject(d) && cJSON_IsObject(mi[pair[i]]) &&
		    (r = form_graft_obj(d, mi[pair[i]], unpaired)) != 0)
			goto out;
	}
	/* left out: stay sealed until the record is written next */
	for (j = 0; j < nb; j++)
		if (!got[j] && cJSON_IsObject(mi[j]))
			for (const cJSON *k = mi[j]->child; k != NULL; k = k->next)
				if (k->string != NULL && strcmp(k->string, FORM_FP_KEY) != 0) {
					left++;
					break;
				}
	if (unpaired != NULL)
		*unpaired += left;
	r = 0;
 out:
	free(fp);
	free(a);
	free(b);
	free(mi);
	free(got);
	free(pair);
	return r;
}

static int
form_graft_obj(cJSON *data, const cJSON *local, size_t *unpaired)
{
	for (const cJSON *s = local->child; s != NULL; s = s->next) {
		cJSON *d, *c;
		int r;

		if (s->string == NULL || strcmp(s->string, FORM_FP_KEY) == 0)
			continue;
		d = cJSON_GetObjectItemCaseSensitive(data, s->string);
		if (form_graft_is_mirror(s)) {
			/* never invented: a pull removed the group, or nulled it */
			if (!cJSON_IsArray(d)) {
				if (unpaired != NULL)
					*unpaired += form_graft_valued(s);
				continue;
			}
			if ((r = form_graft_mirror(d, s, unpaired)) != 0)
				return r;
			continue;
		}
		if (d != NULL) {
			if ((r = form_graft_item(data, d, s, unpaired)) != 0)
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

int
form_graft_local(cJSON *data, const cJSON *local, size_t *unpaired)
{
	if (unpaired != NULL)
		*unpaired = 0;
	if (!cJSON_IsObject(data) || !cJSON_IsObject(local))
		return TERR_ARG;
	return form_graft_obj(data, local, unpaired);
}
