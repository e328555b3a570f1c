/*
 * formset — local fields of the forms a device knows (see formset.h).
 */
#include "syncd/formset.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/form.h"
#include "tetrad/formfile.h"

#define FORMSET_MAX 512     /* definitions read, at most */

struct formset {
	struct form **forms;
	size_t n;
};

static int
formset_scan(struct formset *fs, const char *dir, struct terr *e)
{
	char dicts[PATH_MAX], path[PATH_MAX];
	DIR *d;
	struct dirent *de;

	if (dir == NULL || *dir == '\0' || (d = opendir(dir)) == NULL)
		return 0;
	snprintf(dicts, sizeof(dicts), "%s/dict", dir);
	while (fs->n < FORMSET_MAX && (de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		struct form *f = NULL;

		if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0 || de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		/* not a form (a stray file), or one this program cannot read: it
		 * cannot have been used to enter the records either */
		if (formfile_load(path, dicts, &f, NULL) != 0)
			continue;
		fs->forms[fs->n++] = f;
	}
	closedir(d);
	(void)e;
	return 0;
}

int
formset_new(const char *builtin_dir, const char *pulled_dir, struct formset **out,
    struct terr *e)
{
	struct formset *fs;
	int r;

	*out = NULL;
	if ((fs = calloc(1, sizeof(*fs))) == NULL ||
	    (fs->forms = calloc(FORMSET_MAX, sizeof(*fs->forms))) == NULL) {
		free(fs);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	if ((r = formset_scan(fs, builtin_dir, e)) != 0 ||
	    (r = formset_scan(fs, pulled_dir, e)) != 0) {
		formset_free(fs);
		return r;
	}
	*out = fs;
	return 0;
}

void
formset_free(struct formset *fs)
{
	if (fs == NULL)
		return;
	for (size_t i = 0; i < fs->n; i++)
		form_free(fs->forms[i]);
	free(fs->forms);
	free(fs);
}

size_t
formset_count(const struct formset *fs)
{
	return fs ? fs->n : 0;
}

bool
formset_is_local(const struct formset *fs, const char *fid, const char *field)
{
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct form_field *fl;

		if (strcmp(form_id(fs->forms[i]), fid) != 0)
			continue;
		if ((fl = form_find(fs->forms[i], field)) != NULL && fl->sync == FORM_SYNC_LOCAL)
			return true;
	}
	return false;
}

static int formset_graft_items(const struct form_field *fl, cJSON *nv,
    const cJSON *ov, struct terr *e);

/* Copies old's local members into obj, recursing into groups (item to its
 * own item: formset_graft_items). */
static int
formset_graft_obj(const struct form_field *fs, size_t n, cJSON *obj, const cJSON *old,
    struct terr *e)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fl = &fs[i];
		const cJSON *ov = cJSON_GetObjectItemCaseSensitive(old, fl->id);
		cJSON *nv = cJSON_GetObjectItemCaseSensitive(obj, fl->id), *dup;
		int r;

		if (!form_field_has_local(fl))
			continue;
		if (fl->sync == FORM_SYNC_LOCAL) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, fl->id);
			if (ov == NULL)
				continue;
			if ((dup = cJSON_Duplicate(ov, 1)) == NULL || !cJSON_AddItemToObject(obj, fl->id, dup)) {
				cJSON_Delete(dup);
				return terr_set(e, TERR_NOMEM, "недостаточно памяти");
			}
			continue;
		}
		if (fl->type != FORM_GROUP || !cJSON_IsArray(nv) || !cJSON_IsArray(ov) || nv == ov)
			continue;
		if ((r = formset_graft_items(fl, nv, ov, e)) != 0)
			return r;
	}
	return 0;
}

/*
 * The items of a group now (nv, from the hub: no local fields) each take
 * the local values of the item they were (ov, stored): paired by the
 * fingerprint of the hub part (form_pair_items), never by position alone,
 * so a party another device removed does not leave its name on the next.
 */
static int
formset_graft_items(const struct form_field *fl, cJSON *nv, const cJSON *ov,
    struct terr *e)
{
	size_t na = (size_t)cJSON_GetArraySize(nv), nb = (size_t)cJSON_GetArraySize(ov);
	char (*fp)[FORM_FP_LEN + 1] = calloc(na + nb + 1, sizeof(*fp));
	const char **a = calloc(na + 1, sizeof(*a)), **b = calloc(nb + 1, sizeof(*b));
	const cJSON **old = calloc(nb + 1, sizeof(*old));
	long *pair = calloc(na + 1, sizeof(*pair));
	size_t i = 0, j = 0;
	int r = 0;

	if (fp == NULL || a == NULL || b == NULL || old == NULL || pair == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	for (const cJSON *x = nv->child; x != NULL && r == 0; x = x->next, i++)
		if (cJSON_IsObject(x) && (r = form_item_hub_fp(fl->children,
		    fl->n_children, x, fp[i])) == 0)
			a[i] = fp[i];
	for (const cJSON *y = ov->child; y != NULL && r == 0; y = y->next, j++) {
		old[j] = y;
		if (cJSON_IsObject(y) && (r = form_item_hub_fp(fl->children,
		    fl->n_children, y, fp[na + j])) == 0)
			b[j] = fp[na + j];
	}
	if (r != 0) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	form_pair_items(a, na, b, nb, pair);
	i = 0;
	for (cJSON *x = nv->child; x != NULL && r == 0; x = x->next, i++)
		if (pair[i] >= 0 && cJSON_IsObject(x) && cJSON_IsObject(old[pair[i]]))
			r = formset_graft_obj(fl->children, fl->n_children, x,
			    old[pair[i]], e);
 out:
	free(fp);
	free(a);
	free(b);
	free(old);
	free(pair);
	return r;
}

int
formset_graft_local(const struct formset *fs, const char *fid, cJSON *data,
    const cJSON *old, struct terr *e)
{
	int r;

	if (!cJSON_IsObject(data) || !cJSON_IsObject(old))
		return 0;
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct form *f = fs->forms[i];
		size_t n = form_n_fields(f);

		if (strcmp(form_id(f), fid) != 0 || n == 0)
			continue;
		if ((r = formset_graft_obj(form_field_at(f, 0), n, data, old, e)) != 0)
			return r;
	}
	return 0;
}
