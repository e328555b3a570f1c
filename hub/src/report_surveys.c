/*
 * report_surveys — the questionnaires: responses per school and group with
 * their coverage (students and families from the passport, teachers from
 * the director's answer), the distribution of coded answers and the
 * averages of scales (docs/reports.md, «surveys»). Question and answer
 * labels come from the survey forms; a free-text answer is never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_passport.h"
#include "report_surveys.h"

enum { S_RESP = 0, S_DIST, S_QANS, S_SCALE, S_STAFF };

/* Keys: S_RESP "<group>"; S_DIST "<group>\x1f<question>\x1f<answer>";
 * S_QANS/S_SCALE "<group>\x1f<question>". */
static int
survey_key(char *out, size_t cap, const char *g, const char *q, const char *a)
{
	int n = snprintf(out, cap, "%s%s%s%s%s", g, q ? "\x1f" : "", q ? q : "",
	    a ? "\x1f" : "", a ? a : "");

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Survey keys are longer than one code: their own table. */
struct skey {
	size_t school;
	int dim;
	char key[3 * REPORT_LABELS_CODE_MAX + 3];
	long long n;
	double sum;
};

struct skeys {
	struct skey *v;
	size_t n, cap;
};

/* The entry for the key; created zeroed if new and create, else NULL. */
static struct skey *
skey_get(struct skeys *t, size_t school, int dim, const char *key, bool create)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct skey *x = &t->v[mid];
		int c = school != x->school ? (school < x->school ? -1 : 1) :
		    dim != x->dim ? (dim < x->dim ? -1 : 1) : strcmp(key, x->key);

		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (!create)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct skey *n = realloc(t->v, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		t->v = n;
		t->cap = cap;
	}
	memmove(&t->v[lo + 1], &t->v[lo], (t->n - lo) * sizeof(*t->v));
	memset(&t->v[lo], 0, sizeof(*t->v));
	t->v[lo].school = school;
	t->v[lo].dim = dim;
	snprintf(t->v[lo].key, sizeof(t->v[lo].key), "%s", key);
	t->n++;
	return &t->v[lo];
}

/* Fields of a survey record that are not answers. */
static bool
survey_meta_field(const char *id)
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
survey_count(struct skeys *t, size_t si, int dim, const char *g, const char *q,
    const char *a, double num, struct terr *e)
{
	char key[3 * REPORT_LABELS_CODE_MAX + 3];
	struct skey *x;

	if (survey_key(key, sizeof(key), g, q, a) != 0)
		return 0;
	if ((x = skey_get(t, si, dim, key, true)) == NULL)
		return REPORT_NOMEM(e);
	x->n++;
	x->sum += num;
	return 0;
}

/*
 * Answers are judged by their JSON type, so a free-text answer is never
 * printed: a string counts only if it is a code ([A-Za-z0-9_]), an array
 * only if all its members are codes; numbers go to averages (a scale's
 * «затрудняюсь ответить» is null and so left out), booleans to да/нет.
 */
static int
survey_rec(struct report_ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct skeys *t = arg;
	const struct form *sf = report_labels_form(c->labels, fid);
	const cJSON *f;
	int r;

	(void)date;
	(void)hlc;
	if (!report_labels_code_ok(fid))
		return 0;
	if ((r = survey_count(t, si, S_RESP, fid, NULL, NULL, 0, e)) != 0)
		return r;
	/* teachers on staff, for the teachers' coverage: the latest director's word */
	if (strcmp(fid, "survey_director") == 0 && report_ctx_jcount(d, "teachers_total") >= 0) {
		struct skey *x = skey_get(t, si, S_STAFF, "teachers", true);

		if (x == NULL)
			return REPORT_NOMEM(e);
		x->n = report_ctx_jcount(d, "teachers_total");
	}
	cJSON_ArrayForEach(f, d) {
		const char *q = f->string;

		const struct form_field *ff = sf ? form_find(sf, q) : NULL;

		if (!report_labels_code_ok(q) || survey_meta_field(q))
			continue;
		if (ff && (ff->type == FORM_TEXT || ff->type == FORM_DATE ||
		    ff->type == FORM_GROUP || ff->sync == FORM_SYNC_LOCAL))
			continue;
		if (cJSON_IsString(f) && report_labels_code_ok(f->valuestring)) {
			if ((r = survey_count(t, si, S_DIST, fid, q, f->valuestring, 0, e)) ||
			    (r = survey_count(t, si, S_QANS, fid, q, NULL, 0, e)))
				return r;
		} else if (cJSON_IsBool(f)) {
			if ((r = survey_count(t, si, S_DIST, fid, q,
			    cJSON_IsTrue(f) ? "true" : "false", 0, e)) ||
			    (r = survey_count(t, si, S_QANS, fid, q, NULL, 0, e)))
				return r;
		} else if (cJSON_IsNumber(f)) {
			if ((r = survey_count(t, si, S_SCALE, fid, q, NULL,
			    f->valuedouble, e)))
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
				if ((r = survey_count(t, si, S_DIST, fid, q, a->valuestring,
				    0, e)))
					return r;
			if ((r = survey_count(t, si, S_QANS, fid, q, NULL, 0, e)))
				return r;
		}
	}
	return 0;
}

static const struct report_col s_resp_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "group", "", 0, REPORT_COL_JSON_ONLY }, { "group_label", "Группа", 0, 0 },
	{ "responses", "Ответов", 0, 0 },
	{ "base", "Контингент", 0, 0 },
	{ "coverage", "Охват, %", 1, 0 },
};
static const struct report_col s_dist_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "group", "", 0, REPORT_COL_JSON_ONLY }, { "group_label", "Группа", 0, 0 },
	{ "question", "", 0, REPORT_COL_JSON_ONLY }, { "question_label", "Вопрос", 0, 0 },
	{ "answer", "", 0, REPORT_COL_JSON_ONLY }, { "answer_label", "Ответ", 0, 0 },
	{ "count", "Число", 0, 0 },
	{ "share", "Доля ответивших, %", 1, 0 },
};
static const struct report_col s_scale_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "group", "", 0, REPORT_COL_JSON_ONLY }, { "group_label", "Группа", 0, 0 },
	{ "question", "", 0, REPORT_COL_JSON_ONLY }, { "question_label", "Вопрос", 0, 0 },
	{ "answered", "Ответили", 0, 0 },
	{ "average", "Среднее", 2, 0 },
};

/* The question's label from its form, else its code. */
static const char *
question_label(struct report_ctx *c, const char *g, const char *q)
{
	const struct form *f = report_labels_form(c->labels, g);
	const struct form_field *ff = f ? form_find(f, q) : NULL;

	return ff && ff->label ? ff->label : q;
}

/* The answer's label: да/нет, the choice's label from the form, else the code. */
static const char *
answer_label(struct report_ctx *c, const char *g, const char *q, const char *a)
{
	const struct form *f = report_labels_form(c->labels, g);
	const struct form_field *ff = f ? form_find(f, q) : NULL;
	const struct form_choice *ch;

	if (strcmp(a, "true") == 0)
		return "да";
	if (strcmp(a, "false") == 0)
		return "нет";
	ch = ff ? form_choice_find(ff, a) : NULL;
	return ch && ch->label ? ch->label : a;
}

/* Splits "a\x1fb\x1fc" in place. */
static void
key_split(char *k, char **g, char **q, char **a)
{
	*g = k;
	*q = *a = NULL;
	if ((k = strchr(k, '\x1f')) != NULL) {
		*k++ = '\0';
		*q = k;
		if ((k = strchr(k, '\x1f')) != NULL) {
			*k++ = '\0';
			*a = k;
		}
	}
}

int
report_surveys_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	struct skeys t = { 0 };
	struct report_passport p = { 0 };
	struct report_sect *sr, *sd, *sv;
	int r;

	o->title = "Анкетирование: ответы, распределения, средние по шкалам";
	sr = report_model_sect(o, "responses", "Ответы по школам и группам", s_resp_cols,
	    REPORT_NCOLS(s_resp_cols));
	sd = report_model_sect(o, "distribution", "Распределение ответов", s_dist_cols,
	    REPORT_NCOLS(s_dist_cols));
	sv = report_model_sect(o, "scales", "Средние по шкалам и числовым вопросам "
	    "(без «затрудняюсь ответить»)", s_scale_cols, REPORT_NCOLS(s_scale_cols));
	if ((r = report_ctx_each_record(c, "survey_", true, NULL, survey_rec, &t,
	    e)) != 0)
		goto out;
	/* Coverage: students and families from the latest passport. */
	if ((r = report_passport_build(c, &p, e)) != 0)
		goto out;
	for (size_t i = 0; i < t.n; i++) {
		struct skey *x = &t.v[i];
		char key[sizeof(x->key)], *g, *q, *a;
		long row;

		if (!report_ctx_school_shown(c, x->school))
			continue;
		memcpy(key, x->key, sizeof(key));
		key_split(key, &g, &q, &a);
		if (x->dim == S_QANS || x->dim == S_STAFF)
			continue;
		if (x->dim == S_RESP) {
			const struct report_pschool *ps = &p.s[x->school];
			long long base = -1;

			if ((row = report_ctx_school_row(sr, c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			if (report_model_str(sr, row, 2, g) ||
			    report_model_str(sr, row, 3, report_labels_of(report_labels_group, g)))
				goto nomem;
			report_model_int(sr, row, 4, x->n);
			if (ps->has && strcmp(g, "survey_student") == 0)
				base = ps->students;
			else if (ps->has && strcmp(g, "survey_parent") == 0)
				base = ps->n[report_passport_category("families_total")];
			else if (strcmp(g, "survey_director") == 0)
				base = 1;
			else if (strcmp(g, "survey_teacher") == 0) {
				const struct skey *st = skey_get(&t, x->school, S_STAFF,
				    "teachers", false);

				base = st ? st->n : -1;
			}
			if (base >= 0) {
				report_model_int(sr, row, 5, base);
				if (base > 0)
					report_model_num(sr, row, 6, report_model_pct(x->n, base));
			}
			continue;
		}
		if (x->dim == S_DIST) {
			char qk[sizeof(x->key)];
			struct skey *qa;

			if (survey_key(qk, sizeof(qk), g, q, NULL) != 0 ||
			    (qa = skey_get(&t, x->school, S_QANS, qk, false)) == NULL)
				continue;   /* cannot happen: an answer implies its question */
			if ((row = report_ctx_school_row(sd, c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			if (report_model_str(sd, row, 2, g) ||
			    report_model_str(sd, row, 3, report_labels_of(report_labels_group, g)) ||
			    report_model_str(sd, row, 4, q) ||
			    report_model_str(sd, row, 5, question_label(c, g, q)) ||
			    report_model_str(sd, row, 6, a) ||
			    report_model_str(sd, row, 7, answer_label(c, g, q, a)))
				goto nomem;
			report_model_int(sd, row, 8, x->n);
			report_model_num(sd, row, 9, report_model_pct(x->n, qa->n));
			continue;
		}
		if ((row = report_ctx_school_row(sv, c, x->school, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (report_model_str(sv, row, 2, g) ||
		    report_model_str(sv, row, 3, report_labels_of(report_labels_group, g)) ||
		    report_model_str(sv, row, 4, q) ||
		    report_model_str(sv, row, 5, question_label(c, g, q)))
			goto nomem;
		report_model_int(sv, row, 6, x->n);
		report_model_num(sv, row, 7, x->n > 0 ? x->sum / (double)x->n : 0);
	}
	r = 0;
	goto out;
 nomem:
	r = REPORT_NOMEM(e);
 out:
	report_passport_free(&p);
	free(t.v);
	return r;
}

