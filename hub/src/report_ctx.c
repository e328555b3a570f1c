/*
 * report_ctx — the context every report works from (see report_ctx.h).
 */
#include <stdlib.h>
#include <string.h>

#include "report_ctx.h"
#include "tetrad/form.h"
#include "tetrad/school.h"

#define REPORT_CTX_NAME_MAX 512   /* a school name longer than this is not shown */

/* State of report_ctx_load_schools while the store hands it rows. */
struct report_ctx_loader {
	struct report_ctx *c;
	size_t cap;
	struct terr *e;
};

static int
report_ctx_school_add(void *arg, const struct hubdb_report_school *row)
{
	struct report_ctx_loader *ld = arg;
	struct report_ctx *c = ld->c;
	struct report_school *s;

	if (!school_code_ok(row->code))
		return 0;
	if (c->nschools == ld->cap) {
		size_t ncap = ld->cap ? ld->cap * 2 : 32;
		struct report_school *n = realloc(c->schools, ncap * sizeof(*n));

		if (n == NULL)
			goto nomem;
		c->schools = n;
		ld->cap = ncap;
	}
	s = &c->schools[c->nschools];
	s->code = strdup(row->code);
	s->name = row->name && strlen(row->name) < REPORT_CTX_NAME_MAX ? strdup(row->name) :
	    NULL;
	if (s->code == NULL) {
		free(s->name);
		goto nomem;
	}
	c->nschools++;
	return 0;
 nomem:
	return terr_set(ld->e, TERR_NOMEM, "недостаточно памяти для списка школ");
}

static int
report_ctx_period(struct report_ctx *c, const struct report_opts *o, struct terr *e)
{
	c->from_year = 0;
	c->to_year = 9999;
	if (o->from) {
		if (form_date_days(o->from, &c->from_days) != 0)
			return terr_set(e, TERR_ARG, "дата --from «%.32s» неверна: нужна "
			    "ДД.ММ.ГГГГ или ГГГГ-ММ-ДД", o->from);
		c->has_from = true;
		c->from_year = atoi(o->from);
	}
	if (o->to) {
		if (form_date_days(o->to, &c->to_days) != 0)
			return terr_set(e, TERR_ARG, "дата --to «%.32s» неверна: нужна "
			    "ДД.ММ.ГГГГ или ГГГГ-ММ-ДД", o->to);
		c->has_to = true;
		c->to_year = atoi(o->to);
	}
	if (c->has_from && c->has_to && c->from_days > c->to_days)
		return terr_set(e, TERR_ARG, "период задан наоборот: --from %s позже "
		    "--to %s", o->from, o->to);
	return 0;
}

int
report_ctx_open(struct report_ctx *c, struct hubdb *db, const struct report_opts *o,
    struct terr *e)
{
	struct report_ctx_loader ld;
	int r;

	memset(c, 0, sizeof(*c));
	c->db = db;
	c->o = o;
	if (o->school && !school_code_ok(o->school))
		return terr_set(e, TERR_ARG, "код школы «%.40s» неверен", o->school);
	if ((r = report_ctx_period(c, o, e)) != 0)
		return r;
	if ((c->labels = report_labels_new(o->forms_dir)) == NULL)
		return REPORT_NOMEM(e);
	/* every school code known to the hub: register, records, results */
	ld.c = c;
	ld.cap = 0;
	ld.e = e;
	return hubdb_report_schools(db, report_ctx_school_add, &ld, e);
}

void
report_ctx_clear(struct report_ctx *c)
{
	report_labels_free(c->labels);
	if (c->memo != NULL)
		c->memo_free(c->memo);
	for (size_t i = 0; i < c->nschools; i++) {
		free(c->schools[i].code);
		free(c->schools[i].name);
	}
	free(c->schools);
	memset(c, 0, sizeof(*c));
}

static int
school_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct report_school *)elem)->code);
}

long
report_ctx_school_find(const struct report_ctx *c, const char *code)
{
	const struct report_school *s;

	if (code == NULL || c->nschools == 0)
		return -1;
	s = bsearch(code, c->schools, c->nschools, sizeof(*s), school_cmp);
	return s ? (long)(s - c->schools) : -1;
}

bool
report_ctx_school_shown(const struct report_ctx *c, size_t i)
{
	return c->o->school == NULL || strcmp(c->o->school, c->schools[i].code) == 0;
}

/* Whether a "YYYY-MM-DD" text lies in --from/--to; date gets a copy. */
static bool
date_in(const struct report_ctx *c, const char *v, char date[11])
{
	long d;

	date[0] = '\0';
	if (v == NULL || strlen(v) < 10 || form_date_days(v, &d) != 0) {
		/* no usable date: counted only when no period is asked for */
		return !c->has_from && !c->has_to;
	}
	memcpy(date, v, 10);
	date[10] = '\0';
	if (c->has_from && d < c->from_days)
		return false;
	if (c->has_to && d > c->to_days)
		return false;
	return true;
}

/* State of report_ctx_each_record while the store hands it records. */
struct report_ctx_walk {
	struct report_ctx *c;
	const char *date_field;
	const struct report_pick *pick;
	report_rec_fn fn;
	void *arg;
	struct terr *e;
};

static int
report_ctx_record(void *arg, const struct hubdb_report_record *rec)
{
	struct report_ctx_walk *w = arg;
	const cJSON *dv;
	long si = report_ctx_school_find(w->c, rec->school);
	cJSON *j;
	char date[11];
	int r;

	if (si < 0)
		return 0;
	if ((j = report_pick_parse(rec->data, rec->data_len, w->pick)) == NULL)
		return 0;   /* the store only holds validated JSON */
	dv = w->date_field ? cJSON_GetObjectItemCaseSensitive(j, w->date_field) : NULL;
	if (!cJSON_IsObject(j) || !date_in(w->c, w->date_field ?
	    (cJSON_IsString(dv) ? dv->valuestring : NULL) : rec->received_date, date)) {
		cJSON_Delete(j);
		return 0;
	}
	r = w->fn(w->c, (size_t)si, rec->form_id, j, date, rec->hlc, w->arg, w->e);
	cJSON_Delete(j);
	return r;
}

int
report_ctx_each_record(struct report_ctx *c, const char *form_id, bool prefix,
    const char *date_field, const struct report_pick *pick, report_rec_fn fn, void *arg,
    struct terr *e)
{
	struct report_ctx_walk w = { c, date_field, pick, fn, arg, e };

	return hubdb_report_records(c->db, form_id, prefix, report_ctx_record, &w, e);
}

int
report_ctx_each_school_record(struct report_ctx *c, const char *form_id,
    const char *date_field, const struct report_pick *pick, report_rec_fn fn, void *arg,
    struct terr *e)
{
	struct report_ctx_walk w = { c, date_field, pick, fn, arg, e };

	return report_ctx_records(c, form_id, report_ctx_record, &w, e);
}

int
report_ctx_records(struct report_ctx *c, const char *form_id, hubdb_report_record_cb cb,
    void *arg, struct terr *e)
{
	return c->o->school ? hubdb_report_school_records(c->db, form_id, c->o->school, cb, arg,
	    e) : hubdb_report_records(c->db, form_id, false, cb, arg, e);
}

const char *
report_ctx_jcode(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && report_labels_code_ok(v->valuestring) ? v->valuestring : NULL;
}

long long
report_ctx_jcount(const cJSON *o, const char *key)
{
	return report_ctx_jcount_of(cJSON_GetObjectItemCaseSensitive(o, key));
}

long long
report_ctx_jcount_of(const cJSON *v)
{
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9 ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return -1;
	return (long long)v->valuedouble;
}

long
report_ctx_school_row(struct report_sect *s, const struct report_ctx *c, size_t si, struct terr *e)
{
	long row = report_model_row(s);

	if (row < 0 || report_model_str(s, row, 0, c->schools[si].code) != 0 ||
	    report_model_str(s, row, 1, c->schools[si].name) != 0) {
		REPORT_NOMEM(e);
		return -1;
	}
	return row;
}

