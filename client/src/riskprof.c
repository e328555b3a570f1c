/*
 * riskprof — the issued risk profile on a device (see client/riskprof.h).
 */
#include "client/riskprof.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/fileio.h"
#include "tetrad/riskprofile.h"

/* The stored profile (an empty object when there is none); NULL on failure (e set). */
static cJSON *
riskprof_load(struct store *s, struct terr *e)
{
	char *text = NULL;
	cJSON *j;

	if (store_meta_get(s, RISKPROF_META_KEY, &text, e) != 0)
		return NULL;
	j = text ? cJSON_Parse(text) : cJSON_CreateObject();
	free(text);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		/* a broken copy is replaced by the next import, not trusted */
		j = cJSON_CreateObject();
	}
	if (j == NULL)
		terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	return j;
}

/* obj[key] as an object, made when missing; NULL on no memory. */
static cJSON *
riskprof_child(cJSON *obj, const char *key)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsObject(c))
		return c;
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	return cJSON_AddObjectToObject(obj, key);
}

int
riskprof_import(struct store *s, const char *path, char **report, size_t *imported,
    struct terr *e)
{
	struct riskprofile_set *set = NULL;
	uint8_t *buf = NULL;
	cJSON *prof = NULL;
	char *text = NULL;
	size_t len = 0, n, bad;
	int r;

	*imported = 0;
	if (report != NULL)
		*report = NULL;
	if ((r = fileio_read_all(path, RISKPROFILE_MAX_BYTES, &buf, &len, e)) != 0 ||
	    (r = riskprofile_parse((const char *)buf, len, &set, e)) != 0)
		goto out;
	if ((bad = riskprofile_set_n_bad(set)) > 0) {
		if (report != NULL && (*report = riskprofile_set_report(set)) == NULL)
			goto nomem;
		r = terr_set(e, TERR_INVALID, "Строк с ошибками: %zu; ничего не загружено.", bad);
		goto out;
	}
	if ((n = riskprofile_set_n_rows(set)) == 0) {
		r = terr_set(e, TERR_INVALID, "В файле %.200s нет строк с данными, только "
		    "заголовок.", path);
		goto out;
	}
	if ((prof = riskprof_load(s, e)) == NULL) {
		r = e->code ? e->code : TERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct riskprofile_row *w = riskprofile_set_row(set, i);
		const struct riskprofile_row *p = i ? riskprofile_set_row(set, i - 1) : NULL;
		char year[8];
		cJSON *sch, *yr;

		snprintf(year, sizeof(year), "%d", w->year);
		if ((sch = riskprof_child(prof, w->school)) == NULL)
			goto nomem;
		/* rows are sorted: the first of each (school, year) replaces its profile */
		if (p == NULL || strcmp(p->school, w->school) != 0 || p->year != w->year)
			cJSON_DeleteItemFromObjectCaseSensitive(sch, year);
		if ((yr = riskprof_child(sch, year)) == NULL ||
		    cJSON_AddStringToObject(yr, w->factor, w->level) == NULL)
			goto nomem;
	}
	if ((text = cJSON_PrintUnformatted(prof)) == NULL)
		goto nomem;
	if (strlen(text) > RISKPROF_META_MAX) {
		r = terr_set(e, TERR_TOO_LARGE, "Рисковый профиль на устройстве больше %u КБ: "
		    "загрузите профиль только своих школ.", RISKPROF_META_MAX >> 10);
		goto out;
	}
	if ((r = store_meta_set(s, RISKPROF_META_KEY, text, e)) != 0)
		goto out;
	*imported = n;
	r = 0;
	goto out;
 nomem:
	r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
 out:
	cJSON_free(text);
	cJSON_Delete(prof);
	riskprofile_set_free(set);
	free(buf);
	return r;
}

int
riskprof_fill(struct store *s, const char *school, const struct form *f, cJSON *values,
    size_t *filled, struct terr *e)
{
	const struct form_field *g = form_find(f, "factors"), *lv;
	const cJSON *py = cJSON_GetObjectItemCaseSensitive(values, "project_year");
	cJSON *items = cJSON_GetObjectItemCaseSensitive(values, "factors"), *it, *prof = NULL;
	const cJSON *levels;
	char *own = NULL, year[8];
	size_t n = 0;
	int r = 0;

	if (filled)
		*filled = 0;
	lv = g && g->type == FORM_GROUP ? form_field_child(g, "profile_level") : NULL;
	/* values are not validated yet (--json, a CSV): a year out of int's
	 * range must not reach the cast below */
	if (lv == NULL || !lv->readonly || !cJSON_IsArray(items) || !cJSON_IsNumber(py) ||
	    !(py->valuedouble >= 2000 && py->valuedouble <= 2100))
		return 0;
	if (school == NULL) {
		if ((r = store_meta_get(s, "school", &own, e)) != 0 || own == NULL)
			goto out;
		school = own;
	}
	if ((prof = riskprof_load(s, e)) == NULL) {
		r = e->code ? e->code : TERR_NOMEM;
		goto out;
	}
	snprintf(year, sizeof(year), "%d", (int)py->valuedouble);
	levels = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(prof, school),
	    year);
	cJSON_ArrayForEach(it, items) {
		const cJSON *fac = cJSON_GetObjectItemCaseSensitive(it, "factor"), *l;

		if (!cJSON_IsObject(it) || !cJSON_IsString(fac))
			continue;
		l = cJSON_GetObjectItemCaseSensitive(levels, fac->valuestring);
		/* only a level the form knows: a hand-edited copy must not make a record invalid */
		if (!cJSON_IsString(l) || form_choice_find(lv, l->valuestring) == NULL)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(it, "profile_level");
		if (cJSON_AddStringToObject(it, "profile_level", l->valuestring) == NULL) {
			r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
		n++;
	}
	if (filled)
		*filled = n;
 out:
	cJSON_Delete(prof);
	free(own);
	return r;
}
