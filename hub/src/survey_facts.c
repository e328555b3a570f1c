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
		"comment", "wish", "school_code", "academic_year", NULL,
	};

	for (size_t i = 0; skip[i]; i++)
		if (strcmp(id, skip[i]) == 0)
			return true;
	return false;
}

static int
survey_facts_emit(survey_fact_fn fn, void *arg, const char *kind, const char *q,
    const char *a, double num, struct terr *e)
{
	char key[SURVEY_FACTS_KEY_MAX + 1];
	int n = snprintf(key, sizeof(key), "%s%s%s%s%s", kind, q ? ":" : "", q ? q : "",
	    a ? ":" : "", a ? a : "");

	if (n < 0 || (size_t)n >= sizeof(key))
		return 0;   /* codes are short: cannot happen */
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
	int r;

	if (!report_labels_code_ok(fid))
		return 0;
	if ((r = fn(arg, "resp", 0, e)) != 0)
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
		{ "staff", SURVEY_FACT_STAFF, 1 },
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

/* ------------------------------------------------------------------ */
/* Keeping the tally                                                    */

/* A contribution waiting to be written: the day, the key, its n and total. */
struct sf_item {
	int64_t day;
	long long n;
	double total;
	char key[SURVEY_FACTS_KEY_MAX + 1];
};

struct sf_list {
	struct sf_item *v;
	size_t n, cap;
	int64_t day;        /* of what survey_facts_collect adds */
	int sign;
};

static int
sf_push(void *arg, const char *key, double num, struct terr *e)
{
	struct sf_list *l = arg;
	struct sf_item *it;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct sf_item *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		l->v = v;
		l->cap = cap;
	}
	it = &l->v[l->n++];
	it->day = l->day;
	it->n = l->sign;
	it->total = l->sign * num;
	snprintf(it->key, sizeof(it->key), "%s", key);
	return 0;
}

static int
sf_item_cmp(const void *a, const void *b)
{
	const struct sf_item *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Sorts l and sums the items of one (day, key) into one; drops the ones left at 0. */
static void
sf_combine(struct sf_list *l)
{
	size_t w = 0;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), sf_item_cmp);
	for (size_t i = 0; i < l->n; i++) {
		if (w > 0 && sf_item_cmp(&l->v[w - 1], &l->v[i]) == 0) {
			l->v[w - 1].n += l->v[i].n;
			l->v[w - 1].total += l->v[i].total;
		} else if (w != i)
			l->v[w++] = l->v[i];
		else
			w++;
	}
	l->n = 0;
	for (size_t i = 0; i < w; i++)
		if (l->v[i].n != 0 || l->v[i].total != 0)
			l->v[l->n++] = l->v[i];
}

static int
sf_flush(struct hubdb *db, const char *form_id, const char *school, struct sf_list *l,
    struct terr *e)
{
	int r = 0;

	sf_combine(l);
	for (size_t i = 0; i < l->n && r == 0; i++)
		r = hubdb_tally_add(db, form_id, school, l->v[i].key, l->v[i].day, l->v[i].n,
		    l->v[i].total, e);
	l->n = 0;
	return r;
}

/* Adds the contributions of a response's JSON text to l (none when it is too large to
 * be read, or not an object: the store only holds checked JSON). */
static int
sf_collect(struct sf_list *l, const char *form_id, const char *hlc, const uint8_t *id,
    const char *data, size_t len, struct terr *e)
{
	cJSON *j;
	int r = 0;

	if (len > HUBDB_REPORT_DATA_MAX)
		return 0;
	if ((j = cJSON_ParseWithLength(data, len)) == NULL)
		return 0;
	if (cJSON_IsObject(j))
		r = survey_facts_each(form_id, j, hlc, id, sf_push, l, e);
	cJSON_Delete(j);
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
    const struct hubdb_record *rec, struct terr *e)
{
	struct sf_list l = { 0 };
	char received[HUBDB_TIME_MAX];
	bool stale, found, together;
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
	l.day = survey_facts_day(found ? received : NULL);
	/* one record keeps its form and school (merge refuses a move; an import may not) */
	together = old == NULL || (strcmp(old->form_id, rec->form_id) == 0 &&
	    strcmp(old->school, rec->school) == 0);
	if (sf_counts(old)) {
		l.sign = -1;
		if ((r = sf_collect(&l, old->form_id, old->hlc, old->id, old->data,
		    strlen(old->data), e)) != 0)
			goto out;
		if (!together && (r = sf_flush(db, old->form_id, old->school, &l, e)) != 0)
			goto out;
	}
	if (sf_counts(rec)) {
		l.sign = 1;
		if ((r = sf_collect(&l, rec->form_id, rec->hlc, rec->id, rec->data,
		    strlen(rec->data), e)) != 0)
			goto out;
	}
	/* what is left is rec's (or old's, the same pair); an edit that leaves a key
	 * as it was writes nothing for it */
	r = sf_flush(db, rec->form_id, rec->school, &l, e);
 out:
	free(l.v);
	return r;
}

/* State of a rebuild: the records come by form and school, summed per pair. */
struct sf_rebuild {
	struct hubdb *db;
	struct sf_list l;
	char form_id[CHANGESET_ID_MAX + 1];
	char school[CHANGESET_SCHOOL_MAX + 1];
	struct terr *e;
};

static int
sf_rebuild_rec(void *arg, const struct hubdb_tally_record *rec)
{
	struct sf_rebuild *b = arg;
	int r;

	if (strcmp(rec->form_id, b->form_id) != 0 || strcmp(rec->school, b->school) != 0) {
		if ((r = sf_flush(b->db, b->form_id, b->school, &b->l, b->e)) != 0)
			return r;
		hubdb_copy(b->form_id, sizeof(b->form_id), rec->form_id);
		hubdb_copy(b->school, sizeof(b->school), rec->school);
	}
	b->l.day = survey_facts_day(rec->received_at);
	if ((r = sf_collect(&b->l, rec->form_id, rec->hlc, rec->id, rec->data, rec->data_len,
	    b->e)) != 0)
		return r;
	/* a school's responses fold into a few keys a day: keep the list short */
	if (b->l.n > 65536)
		sf_combine(&b->l);
	return 0;
}

int
survey_facts_rebuild(struct hubdb *db, struct terr *e)
{
	struct sf_rebuild b;
	int r;

	memset(&b, 0, sizeof(b));
	b.db = db;
	b.l.sign = 1;
	b.e = e;
	if ((r = hubdb_tally_reset(db, SURVEY_FACTS_PREFIX, e)) != 0 ||
	    (r = hubdb_tally_records(db, SURVEY_FACTS_PREFIX, sf_rebuild_rec, &b, e)) != 0)
		goto out;
	r = sf_flush(db, b.form_id, b.school, &b.l, e);
 out:
	free(b.l.v);
	return r;
}
