/*
 * csvio_hidden — «скрыто» (VAULT_HIDDEN), what a locked vault shows in
 * place of a local value (a name, a phone, the summary of a conflict):
 * marking a record's values so for an export or a listing, and reading such
 * a cell back in an import (the stored value kept, never the word itself).
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"

#include "client/csvio.h"
#include "client/vault.h"

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

static int
csvio_hidden_keep(const struct form_field *fields, size_t n, cJSON *obj,
    const cJSON *old)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = &fields[i];
		cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fd->id);
		const cJSON *ov = cJSON_IsObject(old) ?
		    cJSON_GetObjectItemCaseSensitive(old, fd->id) : NULL;
		cJSON *item, *d;
		int k = 0, r;

		if (fd->type == FORM_GROUP) {
			/* items by position, as the sealed values line up */
			cJSON_ArrayForEach(item, v)
				if (cJSON_IsObject(item) && (r = csvio_hidden_keep(
				    fd->children, fd->n_children, item,
				    cJSON_IsArray(ov) ? cJSON_GetArrayItem(ov, k++) :
				    NULL)) != 0)
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
			return TERR_NOMEM;
		}
	}
	return 0;
}

int
csvio_hidden_keep_stored(const struct form *f, cJSON *values, const cJSON *stored)
{
	int r;

	if (f == NULL || !cJSON_IsObject(values))
		return 0;
	for (size_t i = 0; i < form_n_fields(f); i++)
		if ((r = csvio_hidden_keep(form_field_at(f, i), 1, values, stored)) != 0)
			return r;
	return 0;
}
