/*
 * csvio_hidden — «скрыто» (VAULT_HIDDEN), what a locked vault shows in
 * place of a local value (a name, a phone, the summary of a conflict):
 * marking a record's values so for an export or a listing, and reading such
 * a cell back in an import (the stored value kept, never the word itself).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"

#include "client/csvio.h"
#include "client/vault.h"

#include "csvio_private.h"

static int
csvio_hidden_mark(const struct form_field *fields, size_t n, cJSON *obj)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = &fields[i];
		cJSON *s, *item;
		int r;

		if (fd->type == FORM_GROUP) {
			cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(obj,
			    fd->id))
				if (cJSON_IsObject(item) && (r = csvio_hidden_mark(
				    fd->children, fd->n_children, item)) != 0)
					return r;
			continue;
		}
		if (fd->sync != FORM_SYNC_LOCAL)
			continue;
		if ((s = cJSON_CreateString(VAULT_HIDDEN)) == NULL)
			return TERR_NOMEM;
		if (cJSON_HasObjectItem(obj, fd->id)) {
			if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, fd->id, s)) {
				cJSON_Delete(s);
				return TERR_NOMEM;
			}
		} else if (!cJSON_AddItemToObject(obj, fd->id, s)) {
			cJSON_Delete(s);
			return TERR_NOMEM;
		}
	}
	return 0;
}

int
csvio_mark_hidden(const struct form *f, cJSON *data)
{
	int r;

	if (f == NULL || !cJSON_IsObject(data))
		return 0;
	for (size_t i = 0; i < form_n_fields(f); i++)
		if ((r = csvio_hidden_mark(form_field_at(f, i), 1, data)) != 0)
			return r;
	return 0;
}

bool
csvio_hidden_cells(const cJSON *obj)
{
	for (const cJSON *m = obj ? obj->child : NULL; m != NULL; m = m->next)
		if (cJSON_IsString(m) && strcmp(m->valuestring, VAULT_HIDDEN) == 0)
			return true;
	return false;
}

/* Whether obj holds VAULT_HIDDEN as a local value of fields (any depth). */
static bool
csvio_hidden_in(const struct form_field *fields, size_t n, const cJSON *obj)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = &fields[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fd->id), *item;

		if (fd->sync == FORM_SYNC_LOCAL && cJSON_IsString(v) &&
		    strcmp(v->valuestring, VAULT_HIDDEN) == 0)
			return true;
		if (fd->type == FORM_GROUP)
			cJSON_ArrayForEach(item, v)
				if (cJSON_IsObject(item) && csvio_hidden_in(fd->children,
				    fd->n_children, item))
					return true;
	}
	return false;
}

static int csvio_hidden_keep(const struct form_field *fields, size_t n, cJSON *obj,
    const cJSON *old, struct terr *e);

/*
 * The items of group fd now (v) and stored (ov, may be NULL): each item's
 * «скрыто» is the value of the stored item it is — found as the store's
 * graft finds it (form_pair_items over the hub parts), and, for a CSV row,
 * that must be the item its «№» cell names (CSVIO_ITEM_NUM). Never the
 * item at the same place by chance: a row deleted in the spreadsheet would
 * give the next child the name of the one deleted.
 */
static int
csvio_hidden_items(const struct form_field *fd, cJSON *v, const cJSON *ov,
    struct terr *e)
{
	size_t na = (size_t)cJSON_GetArraySize(v), nb = (size_t)cJSON_GetArraySize(ov);
	char (*fp)[FORM_FP_LEN + 1] = calloc(na + nb + 1, sizeof(*fp));
	const char **a = calloc(na + 1, sizeof(*a)), **b = calloc(nb + 1, sizeof(*b));
	long *pair = calloc(na + 1, sizeof(*pair)), *num = calloc(na + 1, sizeof(*num));
	size_t i = 0, j = 0;
	cJSON *item;
	int r = TERR_NOMEM;

	if (fp == NULL || a == NULL || b == NULL || pair == NULL || num == NULL)
		goto out;
	cJSON_ArrayForEach(item, v) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(item, CSVIO_ITEM_NUM);

		/* a CSV row's «№» (1, 2, …), off the item before its fingerprint */
		num[i] = cJSON_IsNumber(n) ? (long)n->valuedouble : 0;
		cJSON_DeleteItemFromObjectCaseSensitive(item, CSVIO_ITEM_NUM);
		if (cJSON_IsObject(item)) {
			if (form_item_hub_fp(fd->children, fd->n_children, item, fp[i]) != 0)
				goto out;
			a[i] = fp[i];
		}
		i++;
	}
	cJSON_ArrayForEach(item, ov) {
		if (cJSON_IsObject(item)) {
			if (form_item_hub_fp(fd->children, fd->n_children, item,
			    fp[na + j]) != 0)
				goto out;
			b[j] = fp[na + j];
		}
		j++;
	}
	form_pair_items(a, na, b, nb, pair);
	i = 0;
	r = 0;
	cJSON_ArrayForEach(item, v) {
		long k = pair[i], want = num[i];

		i++;
		if (!cJSON_IsObject(item))
			continue;
		/* a CSV row: the stored item its «№» names, or none */
		if (want > 0 && k >= 0 && want != k + 1)
			k = -1;
		if (k < 0 && ov != NULL && csvio_hidden_in(fd->children, fd->n_children,
		    item)) {
			r = terr_set(e, TERR_INVALID, "«%s», элемент %zu: вместо скрытого "
			    "значения стоит «%s», а сам элемент не совпадает ни с одним "
			    "сохранённым (строки удалены, добавлены, переставлены или "
			    "изменены). Выгрузите данные заново, введя пароль, "
			    "или впишите значения вместо «%s».", fd->label, i,
			    VAULT_HIDDEN, VAULT_HIDDEN);
			break;
		}
		if ((r = csvio_hidden_keep(fd->children, fd->n_children, item,
		    k >= 0 ? cJSON_GetArrayItem(ov, (int)k) : NULL, e)) != 0)
			break;
	}
 out:
	if (r == TERR_NOMEM)
		terr_set(e, r, "Недостаточно памяти.");
	free(fp);
	free(a);
	free(b);
	free(pair);
	free(num);
	return r;
}

static int
csvio_hidden_keep(const struct form_field *fields, size_t n, cJSON *obj,
    const cJSON *old, struct terr *e)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = &fields[i];
		cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fd->id);
		const cJSON *ov = cJSON_IsObject(old) ?
		    cJSON_GetObjectItemCaseSensitive(old, fd->id) : NULL;
		cJSON *d;
		int r;

		if (fd->type == FORM_GROUP && fd->sync != FORM_SYNC_LOCAL) {
			if (cJSON_IsArray(v) && (r = csvio_hidden_items(fd, v,
			    cJSON_IsArray(ov) ? ov : NULL, e)) != 0)
				return r;
			continue;
		}
		if (fd->sync != FORM_SYNC_LOCAL || !cJSON_IsString(v) ||
		    strcmp(v->valuestring, VAULT_HIDDEN) != 0)
			continue;
		if (ov == NULL) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
			continue;
		}
		if ((d = cJSON_Duplicate(ov, true)) == NULL ||
		    !cJSON_ReplaceItemInObjectCaseSensitive(obj, fd->id, d)) {
			cJSON_Delete(d);
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		}
	}
	return 0;
}

int
csvio_hidden_keep_stored(const struct form *f, cJSON *values, const cJSON *stored,
    struct terr *e)
{
	size_t n = f ? form_n_fields(f) : 0;

	if (f == NULL || !cJSON_IsObject(values) || n == 0)
		return 0;
	return csvio_hidden_keep(form_field_at(f, 0), n, values, stored, e);
}
