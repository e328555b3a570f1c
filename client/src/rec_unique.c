/*
 * rec_unique — a form's "unique" rule at the device (see rec_unique.h).
 *
 * Generic on purpose: which fields make the key, and whether the year of a
 * date is part of it, is the form's word (docs/forms.md, «unique»); this
 * file knows no form. The hub lists the repeats that still reach it from
 * two devices (the mediation report), since one device cannot see
 * another's records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/rec_unique.h"

/* The key of a record: its values of the rule's fields and its year. */
struct ru_key {
	const struct form_unique *u;
	const cJSON *v[FORM_UNIQUE_MAX_FIELDS];
	char year[5];                     /* "" when the rule has no year */
};

/* Fills k from values; false when a part is missing (never a repeat). */
static bool
ru_key_of(const struct form_unique *u, const cJSON *values, struct ru_key *k)
{
	k->u = u;
	k->year[0] = '\0';
	for (size_t i = 0; i < u->n_fields; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, u->fields[i]->id);

		if (v == NULL || cJSON_IsNull(v) ||
		    (cJSON_IsString(v) && v->valuestring[0] == '\0'))
			return false;
		k->v[i] = v;
	}
	if (u->year_of != NULL) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(values, u->year_of->id);

		/* dates are stored as YYYY-MM-DD */
		if (!cJSON_IsString(d) || strlen(d->valuestring) < 4)
			return false;
		memcpy(k->year, d->valuestring, 4);
		k->year[4] = '\0';
	}
	return true;
}

struct ru_walk {
	const struct localdb_record *self;
	struct ru_key key;
	uint8_t found_id[UUID7_BYTES];
	char found_date[16];              /* ДД.ММ.ГГГГ of year_of, or "" */
	bool found;
};

static int
ru_each(const struct localdb_record *r, void *arg)
{
	struct ru_walk *w = arg;
	struct ru_key k;
	cJSON *values;
	bool same;

	if (memcmp(r->id, w->self->id, UUID7_BYTES) == 0 ||
	    strcmp(r->school, w->self->school) != 0 || r->data == NULL)
		return 0;
	if ((values = cJSON_Parse(r->data)) == NULL)
		return 0;   /* a damaged record is reported where it is read */
	same = ru_key_of(w->key.u, values, &k) && strcmp(k.year, w->key.year) == 0;
	for (size_t i = 0; same && i < w->key.u->n_fields; i++)
		same = cJSON_Compare(k.v[i], w->key.v[i], true);
	if (same) {
		const cJSON *d = w->key.u->year_of ? cJSON_GetObjectItemCaseSensitive(values,
		    w->key.u->year_of->id) : NULL;
		const char *t = cJSON_IsString(d) ? d->valuestring : "";

		memcpy(w->found_id, r->id, UUID7_BYTES);
		form_date_ru(t, w->found_date);
		w->found = true;
	}
	cJSON_Delete(values);
	return same ? 1 : 0;   /* the oldest repeat is the one to name */
}

/* «Номер случая» «2021-07», … into buf (values are short: ids, numbers). */
static void
ru_describe(const struct ru_key *k, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < k->u->n_fields && n < cap; i++) {
		const cJSON *v = k->v[i];
		char *txt = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
		int w = snprintf(buf + n, cap - n, "%s«%s» «%.64s»", i ? ", " : "",
		    k->u->fields[i]->label, cJSON_IsString(v) ? v->valuestring :
		    txt ? txt : "?");

		cJSON_free(txt);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

int
rec_unique_check(struct store *s, const struct form *f, const struct localdb_record *r,
    const cJSON *values, struct terr *e)
{
	const struct form_unique *u = form_unique(f);
	struct ru_walk w;
	char what[512], idtext[UUID7_STRLEN + 1];
	int rv;

	if (u == NULL || values == NULL)
		return 0;
	memset(&w, 0, sizeof(w));
	w.self = r;
	if (!ru_key_of(u, values, &w.key))
		return 0;
	/* the rule names no local field (form_unique.c): the rows as stored
	 * will do, and nothing sealed is decrypted for it */
	rv = localdb_record_each(store_localdb(s), form_id(f), "final", ru_each, &w, e);
	if (rv < 0)
		return rv;
	if (!w.found)
		return 0;
	ru_describe(&w.key, what, sizeof(what));
	uuid7_format(w.found_id, idtext);
	if (u->year_of != NULL)
		return terr_set(e, TERR_INVALID, "Запись не сохранена: %s уже есть в школе "
		    "%s за %s год — запись %s («%s» %s). Повтор в пределах школы и года "
		    "не допускается.", what, r->school, w.key.year, idtext,
		    u->year_of->label, w.found_date[0] ? w.found_date : "—");
	return terr_set(e, TERR_INVALID, "Запись не сохранена: %s уже есть в школе %s — "
	    "запись %s. Повтор в пределах школы не допускается.", what, r->school, idtext);
}
