/*
 * survey_facts — a response's contributions to the surveys report and the
 * tally of them kept as records arrive (survey_facts.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/survey_facts.h"
#include "report_ctx.h"
#include "report_labels.h"
#include "tetrad/form.h"

_Static_assert(SURVEY_FACTS_KEY_MAX >= 2 * REPORT_LABELS_CODE_MAX + 8 &&
    SURVEY_FACTS_KEY_MAX >= 8 + HLC_STRLEN + 32, "a key of two codes or an HLC and id fits");

/* Fields of a survey record that are not answers. */
static bool
survey_facts_meta_field(const char *id)
{
	/* free-text questions of the built-in forms, never printed */
	static const char *const skip[] = {
		"comment", "wish", "school_code", "academic_year",
		SURVEY_FACTS_DATE_FIELD, NULL,
	};

	for (size_t i = 0; skip[i]; i++)
		if (strcmp(id, skip[i]) == 0)
			return true;
	return false;
}

/* kind[:q[:a]] without printf: a few times per response, on every write */
static int
survey_facts_emit(survey_fact_fn fn, void *arg, const char *kind, const char *q,
    const char *a, double num, struct terr *e)
{
	char key[SURVEY_FACTS_KEY_MAX + 1], *w = key;
	size_t lk = strlen(kind), lq = q ? strlen(q) : 0, la = a ? strlen(a) : 0;

	if (lk + lq + la + 2 > SURVEY_FACTS_KEY_MAX)
		return 0;   /* codes are short: cannot happen */
	memcpy(w, kind, lk);
	w += lk;
	if (q) {
		*w++ = ':';
		memcpy(w, q, lq);
		w += lq;
	}
	if (a) {
		*w++ = ':';
		memcpy(w, a, la);
		w += la;
	}
	*w = '\0';
	return fn(arg, key, num, e);
}

/*
 * Answers are judged by their JSON type, so a free-text answer is never
 * printed: a string counts only if it is a code ([A-Za-z0-9_]), an array
 * only if all its members are codes; numbers go to averages (a scale's
 * «затрудняюсь ответить» is null and so left out), booleans to да/нет.
 */
int
survey_facts_each(const char *fid, const cJSON *d, const char *hlc, const uint8_t *id,
    survey_fact_fn fn, void *arg, struct terr *e)
{
	const cJSON *f;
	int64_t day;
	int r;

	if (!report_labels_code_ok(fid))
		return 0;
	if ((r = fn(arg, "resp", 0, e)) != 0)
		return r;
	/* dated responses (version 2): the day, for the report's deadline check */
	if ((day = survey_facts_response_day(d)) != HUBDB_TALLY_NODAY &&
	    (r = fn(arg, "dated", (double)day, e)) != 0)
		return r;
	/* teachers on staff, for the teachers' coverage: the latest director's word */
	if (strcmp(fid, "survey_director") == 0 && report_ctx_jcount(d, "teachers_total") >= 0) {
		char order[HLC_STRLEN + 1 + 32 + 1];
		size_t n = (size_t)snprintf(order, sizeof(order), "%.*s", HLC_STRLEN,
		    hlc ? hlc : "");

		/* a space sorts before every HLC character: "<hlc> <id>" orders as (hlc, id) */
		if (id != NULL) {
			order[n++] = ' ';
			for (size_t i = 0; i < 16; i++)
				n += (size_t)snprintf(order + n, sizeof(order) - n, "%02x", id[i]);
		}
		if ((r = survey_facts_emit(fn, arg, "staff", order, NULL,
		    (double)report_ctx_jcount(d, "teachers_total"), e)) != 0)
			return r;
	}
	cJSON_ArrayForEach(f, d) {
		const char *q = f->string;

		if (!report_labels_code_ok(q) || survey_facts_meta_field(q))
			continue;
		if (cJSON_IsString(f) && report_labels_code_ok(f->valuestring)) {
			if ((r = survey_facts_emit(fn, arg, "ans", q, f->valuestring, 0, e)) ||
			    (r = survey_facts_emit(fn, arg, "ansq", q, NULL, 0, e)))
				return r;
		} else if (cJSON_IsBool(f)) {
			if ((r = survey_facts_emit(fn, arg, "ans", q,
			    cJSON_IsTrue(f) ? "true" : "false", 0, e)) ||
			    (r = survey_facts_emit(fn, arg, "ansq", q, NULL, 0, e)))
				return r;
		} else if (cJSON_IsNumber(f)) {
			if ((r = survey_facts_emit(fn, arg, "scale", q, NULL, f->valuedouble, e)))
				return r;
		} else if (cJSON_IsArray(f) && cJSON_GetArraySize(f) > 0) {
			const cJSON *a;
			bool codes = true;

			cJSON_ArrayForEach(a, f)
				if (!cJSON_IsString(a) || !report_labels_code_ok(a->valuestring))
					codes = false;
			if (!codes)
				continue;
			cJSON_ArrayForEach(a, f)
				if ((r = survey_facts_emit(fn, arg, "ans", q, a->valuestring, 0, e)))
					return r;
			if ((r = survey_facts_emit(fn, arg, "ansq", q, NULL, 0, e)))
				return r;
		}
	}
	return 0;
}

int
survey_facts_key_parse(const char *key, char buf[SURVEY_FACTS_KEY_MAX + 1],
    enum survey_fact_kind *kind, const char **q, const char **a)
{
	static const struct {
		const char *name;
		enum survey_fact_kind kind;
		int parts;                /* after the kind */
	} kinds[] = {
		{ "resp", SURVEY_FACT_RESP, 0 }, { "ans", SURVEY_FACT_ANSWER, 2 },
		{ "ansq", SURVEY_FACT_ANSWERED, 1 }, { "scale", SURVEY_FACT_SCALE, 1 },
		{ "staff", SURVEY_FACT_STAFF, 1 }, { "dated", SURVEY_FACT_DATED, 0 },
	};
	char *p, *c;

	*q = *a = NULL;
	if (strlen(key) > SURVEY_FACTS_KEY_MAX)
		return -1;
	strcpy(buf, key);
	if ((p = strchr(buf, ':')) != NULL)
		*p++ = '\0';
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(buf, kinds[i].name) != 0)
			continue;
		*kind = kinds[i].kind;
		if (kinds[i].parts == 0)
			return p == NULL ? 0 : -1;
		if (p == NULL)
			return -1;
		*q = p;
		c = kinds[i].kind == SURVEY_FACT_STAFF ? NULL : strchr(p, ':');
		if (kinds[i].parts == 1)
			return c == NULL ? 0 : -1;
		if (c == NULL)
			return -1;
		*c++ = '\0';
		*a = c;
		return 0;
	}
	return -1;
}

int64_t
survey_facts_day(const char *received_at)
{
	char d[11];
	long days;

	/* as the reports read a received date: its first ten characters */
	if (received_at == NULL || strlen(received_at) < 10)
		return HUBDB_TALLY_NODAY;
	memcpy(d, received_at, 10);
	d[10] = '\0';
	return form_date_days(d, &days) == 0 ? (int64_t)days : HUBDB_TALLY_NODAY;
}

int64_t
survey_facts_response_day(const cJSON *d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, SURVEY_FACTS_DATE_FIELD);
	long days;

	if (!cJSON_IsString(v) || strlen(v->valuestring) != 10 ||
	    form_date_days(v->valuestring, &days) != 0)
		return HUBDB_TALLY_NODAY;
	return (int64_t)days;
}

int64_t
survey_facts_record_day(const cJSON *d, int64_t received_day)
{
	int64_t day = d ? survey_facts_response_day(d) : HUBDB_TALLY_NODAY;

	return day != HUBDB_TALLY_NODAY ? day : received_day;
}

/* ------------------------------------------------------------------ */
/* Keeping the tally                                                    */

/* Where a record's contributions go: its row's form, school and day, added with sign. */
struct sf_dest {
	struct hubdb *db;
	const char *form_id, *school;
	int64_t received_day;             /* the day the hub received the record */
	int64_t day;                      /* the response's day (sf_apply) */
	int sign;
	struct terr *e;                   /* for the rebuild's callback */
};

/*
 * The store sums the adds of a transaction before it writes them
 * (hubdb_tally.c), so each contribution goes straight to it: an edit's
 * subtraction and addition of an unchanged key cancel there.
 */
static int
sf_add(void *arg, const char *key, double num, struct terr *e)
{
	const struct sf_dest *d = arg;

	return hubdb_tally_add(d->db, d->form_id, d->school, key, d->day, d->sign,
	    d->sign * num, e);
}

/* Adds a response's contributions with d's sign: from j when the caller has
 * it parsed already, else from its text (nothing when too large to be read
 * or not an object: the store only holds checked JSON). */
static int
sf_apply(struct sf_dest *d, const char *hlc, const uint8_t *id, const cJSON *j,
    const char *data, size_t len, struct terr *e)
{
	cJSON *own = NULL;
	int r = 0;

	if (len > HUBDB_REPORT_DATA_MAX)
		return 0;
	if (j == NULL && (j = own = cJSON_ParseWithLength(data, len)) == NULL)
		return 0;
	/* per record: an edit may move a response to another day */
	if (cJSON_IsObject(j)) {
		d->day = survey_facts_record_day(j, d->received_day);
		r = survey_facts_each(d->form_id, j, hlc, id, sf_add, d, e);
	}
	cJSON_Delete(own);
	return r;
}

static bool
sf_counts(const struct hubdb_record *r)
{
	return r != NULL && !r->deleted && r->data != NULL &&
	    strncmp(r->form_id, SURVEY_FACTS_PREFIX, strlen(SURVEY_FACTS_PREFIX)) == 0;
}

int
survey_facts_update(struct hubdb *db, const struct hubdb_record *old,
    const struct hubdb_record *rec, const cJSON *rec_data, struct terr *e)
{
	struct sf_dest d;
	char received[HUBDB_TIME_MAX];
	bool stale, found;
	int r;

	if (!sf_counts(old) && !sf_counts(rec))
		return 0;
	if ((r = hubdb_tally_stale(db, SURVEY_FACTS_PREFIX, &stale, e)) != 0)
		return r;
	if (stale)
		return survey_facts_rebuild(db, e);   /* rec is written: the rebuild has it */
	/* a put keeps the time the record first came: old and new share the day */
	if ((r = hubdb_record_received(db, rec->id, received, &found, e)) != 0)
		return r;
	d.db = db;
	d.received_day = survey_facts_day(found ? received : NULL);
	if (sf_counts(old)) {
		/* an import may move a record to another school or form; merge may not */
		d.form_id = old->form_id;
		d.school = old->school;
		d.sign = -1;
		if ((r = sf_apply(&d, old->hlc, old->id, NULL, old->data, strlen(old->data),
		    e)) != 0)
			return r;
	}
	if (!sf_counts(rec))
		return 0;
	d.form_id = rec->form_id;
	d.school = rec->school;
	d.sign = 1;
	return sf_apply(&d, rec->hlc, rec->id, rec_data, rec->data, strlen(rec->data), e);
}

static int
sf_rebuild_rec(void *arg, const struct hubdb_tally_record *rec)
{
	struct sf_dest *d = arg;

	d->form_id = rec->form_id;
	d->school = rec->school;
	d->received_day = survey_facts_day(rec->received_at);
	return sf_apply(d, rec->hlc, rec->id, NULL, rec->data, rec->data_len, d->e);
}

int
survey_facts_rebuild(struct hubdb *db, struct terr *e)
{
	struct sf_dest d = { db, NULL, NULL, 0, 0, 1, e };
	int r;

	if ((r = hubdb_tally_reset(db, SURVEY_FACTS_PREFIX, e)) != 0)
		return r;
	return hubdb_tally_records(db, SURVEY_FACTS_PREFIX, sf_rebuild_rec, &d, e);
}
