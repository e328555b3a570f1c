/*
 * rec_school — the record's school (rec_school.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/school.h"

#include "client/rec_school.h"

int
rec_school_choices(struct store *s, char **list, bool *curator, struct terr *e)
{
	char *kind = NULL, *schools = NULL, *own = NULL;
	int r;

	*list = NULL;
	*curator = false;
	if ((r = store_meta_get(s, "device_kind", &kind, e)) != 0 ||
	    (r = store_meta_get(s, "device_schools", &schools, e)) != 0 ||
	    (r = store_meta_get(s, "school", &own, e)) != 0)
		goto out;
	*curator = kind != NULL && strcmp(kind, "curator") == 0;
	if (schools != NULL && *schools != '\0') {
		*list = schools;
		schools = NULL;
	} else if (!*curator && own != NULL && *own != '\0') {
		/* a database older than device_schools: its own school */
		*list = own;
		own = NULL;
	} else if ((*list = strdup("")) == NULL)
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
 out:
	free(kind);
	free(schools);
	free(own);
	return r;
}

/* "a,b,c" as people read it: "a, b, c" (cut to fit cap). */
static void
rec_school_list_text(const char *list, char *out, size_t cap)
{
	char code[SCHOOL_CODE_MAX + 1];
	const char *cur = list;
	size_t used = 0;

	out[0] = '\0';
	while (school_list_next(&cur, code) && used + 8 < cap) {
		snprintf(out + used, cap - used, "%s%s", used ? ", " : "", code);
		used = strlen(out);
	}
}

int
rec_school_check(struct store *s, const char *school, struct terr *e)
{
	char text[TERR_MSG_MAX / 2];
	char *list = NULL;
	bool curator;
	int r;

	if ((r = rec_school_choices(s, &list, &curator, e)) != 0)
		return r;
	if (*list == '\0')
		r = terr_set(e, TERR_INVALID, curator ? "Школы этого устройства куратора "
		    "ещё не известны: зарегистрируйте его на хабе («tetrad enroll --hub АДРЕС "
		    "--token КОД»), код регистрации куратора называет его школы." :
		    "У этого устройства нет школы: выполните «tetrad init --school КОД».");
	else if (!school_list_has(list, school)) {
		rec_school_list_text(list, text, sizeof(text));
		r = terr_set(e, TERR_INVALID, "Это устройство не ведёт записи школы «%.40s»: "
		    "%s %s.", school, curator ? "школы куратора —" : "школа устройства —", text);
	}
	free(list);
	return r;
}

int
rec_school_fill(struct store *s, const struct form *f, const char *school,
    cJSON *values, struct terr *e)
{
	const struct form_field *sf = form_school_field(f);
	const cJSON *v;
	char *list = NULL;
	bool curator;
	int r = 0;

	if (sf == NULL)
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(values, sf->id);
	if (v != NULL && !cJSON_IsString(v))
		return 0;           /* not a text: the form's checks name it */
	if (v == NULL) {
		if ((r = rec_school_choices(s, &list, &curator, e)) != 0)
			goto out;
		/* a school device never asks: its one school */
		if (school == NULL && !curator && *list != '\0' && strchr(list, ',') == NULL)
			school = list;
		if (school == NULL)
			goto out;   /* a curator's draft may wait for it */
		if ((r = rec_school_check(s, school, e)) != 0)
			goto out;
		if (!cJSON_AddStringToObject(values, sf->id, school)) {
			r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
		goto out;
	}
	if (school != NULL && strcmp(school, v->valuestring) != 0) {
		r = terr_set(e, TERR_INVALID, "--school %.40s не совпадает с полем «%s» "
		    "(%.40s): школа записи — значение этого поля.", school, sf->label,
		    v->valuestring);
		goto out;
	}
	r = rec_school_check(s, v->valuestring, e);
 out:
	free(list);
	return r;
}

int
rec_school_of(struct store *s, const struct form *f, const cJSON *values,
    const char *school, bool draft, char out[SCHOOL_CODE_MAX + 1], struct terr *e)
{
	const struct form_field *sf = f ? form_school_field(f) : NULL;
	const cJSON *v = sf ? cJSON_GetObjectItemCaseSensitive(values, sf->id) : NULL;
	char *own = NULL, *list = NULL;
	bool curator;
	int r;

	out[0] = '\0';
	if (cJSON_IsString(v)) {
		if (school != NULL && strcmp(school, v->valuestring) != 0)
			return terr_set(e, TERR_INVALID, "--school %.40s не совпадает с полем "
			    "«%s» (%.40s): школа записи — значение этого поля.", school,
			    sf->label, v->valuestring);
		school = v->valuestring;
	} else if (sf != NULL && !draft)
		return terr_set(e, TERR_INVALID, "Не заполнено поле «%s»: это школа записи.",
		    sf->label);
	if (school != NULL) {
		if ((r = rec_school_check(s, school, e)) != 0)
			return r;
		snprintf(out, SCHOOL_CODE_MAX + 1, "%s", school);
		return 0;
	}
	if ((r = store_meta_get(s, "school", &own, e)) != 0)
		goto out;
	if (own != NULL && *own != '\0')
		snprintf(out, SCHOOL_CODE_MAX + 1, "%s", own);
	else if (sf == NULL) {
		char text[TERR_MSG_MAX / 2];

		/* a curator's laptop set up with no school of its own */
		if ((r = rec_school_choices(s, &list, &curator, e)) != 0)
			goto out;
		rec_school_list_text(list, text, sizeof(text));
		r = terr_set(e, TERR_ARG, "Укажите школу записи: --school КОД (школы "
		    "этого устройства: %s).", *text ? text : "ещё не известны — "
		    "зарегистрируйте устройство на хабе");
		goto out;
	}
	r = 0;
 out:
	free(own);
	free(list);
	return r;
}

