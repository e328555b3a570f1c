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

static bool
formset_has_local(const struct form_field *fl)
{
	if (fl->sync == FORM_SYNC_LOCAL)
		return true;
	for (size_t i = 0; i < fl->n_children; i++)
		if (formset_has_local(&fl->children[i]))
			return true;
	return false;
}

/* Copies old's local members into obj, recursing into groups by position. */
static int
formset_graft_obj(const struct form_field *fs, size_t n, cJSON *obj, const cJSON *old,
    struct terr *e)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fl = &fs[i];
		const cJSON *ov = cJSON_GetObjectItemCaseSensitive(old, fl->id);
		cJSON *nv = cJSON_GetObjectItemCaseSensitive(obj, fl->id), *dup;

		if (!formset_has_local(fl))
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
		for (cJSON *a = nv->child, *b = ov->child; a && b; a = a->next, b = b->next) {
			int r;

			if (cJSON_IsObject(a) && cJSON_IsObject(b) &&
			    (r = formset_graft_obj(fl->children, fl->n_children, a, b, e)) != 0)
				return r;
		}
	}
	return 0;
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
