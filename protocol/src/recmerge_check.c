/*
 * recmerge_check — a clock document from outside (a pull) held to its shape
 * before any join reads it (recmerge.h, recmerge_check_clocks).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tetrad/changeset.h"
#include "tetrad/form.h"
#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/recmerge.h"

static bool
recmerge_hex_id(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == KEYS_ID_HEXLEN;
}

/* One clock array: [hlc, device] or, with_flag, [hlc, device, 0|1]. */
static int
recmerge_check_clock(const cJSON *c, bool with_flag, const char *what, struct terr *e)
{
	const cJSON *h, *d, *f;
	struct hlc_ts ts;

	if (!cJSON_IsArray(c) || cJSON_GetArraySize(c) != (with_flag ? 3 : 2))
		return terr_set(e, TERR_PARSE, "метки записи: %s — не массив из %d членов",
		    what, with_flag ? 3 : 2);
	h = cJSON_GetArrayItem(c, 0);
	d = cJSON_GetArrayItem(c, 1);
	if (!cJSON_IsString(h) || hlc_decode(h->valuestring, &ts) != 0)
		return terr_set(e, TERR_PARSE, "метки записи: %s — недопустимая метка времени", what);
	if (!cJSON_IsString(d) || !recmerge_hex_id(d->valuestring))
		return terr_set(e, TERR_PARSE, "метки записи: %s — недопустимый номер устройства", what);
	if (with_flag) {
		f = cJSON_GetArrayItem(c, 2);
		if (!cJSON_IsNumber(f) || (f->valuedouble != 0 && f->valuedouble != 1))
			return terr_set(e, TERR_PARSE, "метки записи: %s — признак удаления не 0 и не 1", what);
	}
	return 0;
}

int
recmerge_check_clocks(const cJSON *clocks, struct terr *e)
{
	const cJSON *c, *f;
	bool seen_f = false, seen_p = false, seen_x = false;
	char what[FORM_ID_MAX + 32];
	int n = 0, r;

	if (!cJSON_IsObject(clocks))
		return terr_set(e, TERR_PARSE, "метки записи: ожидался объект");
	cJSON_ArrayForEach(c, clocks) {
		bool *seen = c->string == NULL ? NULL : strcmp(c->string, "f") == 0 ? &seen_f :
		    strcmp(c->string, "p") == 0 ? &seen_p : strcmp(c->string, "x") == 0 ? &seen_x : NULL;

		if (seen == NULL)
			return terr_set(e, TERR_PARSE, "метки записи: лишний член");
		if (*seen)
			return terr_set(e, TERR_PARSE, "метки записи: член «%s» повторяется", c->string);
		*seen = true;
	}
	if (!seen_x)
		return terr_set(e, TERR_PARSE, "метки записи: нет метки существования «x»");
	if ((r = recmerge_check_clock(cJSON_GetObjectItemCaseSensitive(clocks, "x"), true, "«x»", e)) != 0)
		return r;
	if (seen_p && (r = recmerge_check_clock(cJSON_GetObjectItemCaseSensitive(clocks, "p"),
	    false, "«p»", e)) != 0)
		return r;
	if (!seen_f)
		return 0;
	f = cJSON_GetObjectItemCaseSensitive(clocks, "f");
	if (!cJSON_IsObject(f))
		return terr_set(e, TERR_PARSE, "метки записи: «f» — не объект");
	cJSON_ArrayForEach(c, f) {
		size_t len = c->string != NULL ? strlen(c->string) : 0;

		if (++n > CHANGESET_MAX_FIELDS)
			return terr_set(e, TERR_PARSE, "метки записи: больше %d полей", CHANGESET_MAX_FIELDS);
		if (len == 0 || len > FORM_ID_MAX || changeset_check_utf8(c->string, len) != 0)
			return terr_set(e, TERR_PARSE, "метки записи: недопустимое имя поля в «f»");
		if (cJSON_GetObjectItemCaseSensitive(f, c->string) != c)
			return terr_set(e, TERR_PARSE, "метки записи: поле «%s» повторяется в «f»", c->string);
		snprintf(what, sizeof(what), "поле «%s»", c->string);
		if ((r = recmerge_check_clock(c, false, what, e)) != 0)
			return r;
	}
	return 0;
}
