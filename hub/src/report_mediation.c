/*
 * report_mediation — the mediation report (see report_mediation.h). Labels
 * of sources, situation kinds, conflict types, programmes, follow-ups and
 * reactions come from the mediation_case form.
 *
 * A case number is unique per school and calendar year of «Дата
 * поступления» (the form's "unique" rule; a device refuses a repeat). Two
 * devices of one school cannot see each other's cases, so a repeat can
 * still reach the hub: the report reads every case of the period first,
 * lists the repeats, and counts each (school, year, number) once — its
 * latest record (the larger HLC, the later edit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_mediation.h"
#include "report_tally.h"

enum { M_TOTAL = 0, M_SOURCE, M_KIND, M_CTYPE, M_PROG, M_FOLLOW, M_REACT, M_NDIM };

/* Codes of the summary counters (dimension M_TOTAL), in the summary's order. */
static const char *const m_totals[] = {
	"cases", "open", "closed", "held", "completed", "agreement", "children", "adults",
	"repeats",
};
#define M_NTOT (sizeof(m_totals) / sizeof(m_totals[0]))

/* A follow-up code for an agreement whose follow-up nobody entered. */
#define M_FOLLOW_NONE "not_given"

/* What mediation_rec reads of a case: not its parties and texts. */
static const struct report_pick m_pick[] = {
	{ "case_number", NULL }, { "received_date", NULL }, { "status", NULL },
	{ "source", NULL }, { "situation_kind", NULL }, { "conflict_type", NULL },
	{ "programme", NULL }, { "agreement", NULL }, { "agreement_follow_up", NULL },
	{ "children_count", NULL }, { "adults_count", NULL }, { "reaction_ways", NULL },
	{ NULL, NULL },
};

#define M_NUMBER_MAX 32   /* the form's max_length of case_number */

/* A case of the period, kept until the repeats are known. */
struct m_case {
	size_t school;
	char year[5];                     /* of received_date; "" when none */
	char number[M_NUMBER_MAX + 1];    /* "" when none: never a repeat */
	char date[11];
	char hlc[HLC_STRLEN + 1];
	cJSON *d;                         /* the picked members */
};

struct m_cases {
	struct m_case *v;
	size_t n, cap;
};

static int
mediation_rec(struct report_ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct m_cases *cs = arg;
	const cJSON *num = cJSON_GetObjectItemCaseSensitive(d, "case_number");
	struct m_case *x;

	(void)c;
	(void)fid;
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 64;
		struct m_case *v = realloc(cs->v, cap * sizeof(*v));

		if (v == NULL)
			return REPORT_NOMEM(e);
		cs->v = v;
		cs->cap = cap;
	}
	x = &cs->v[cs->n];
	memset(x, 0, sizeof(*x));
	x->school = si;
	if (date != NULL && strlen(date) == 10) {
		memcpy(x->year, date, 4);
		memcpy(x->date, date, 10);
	}
	/* a number as the device stored it: the client compares the same text */
	if (x->year[0] != '\0' && cJSON_IsString(num) && num->valuestring[0] != '\0' &&
	    strlen(num->valuestring) <= M_NUMBER_MAX)
		strcpy(x->number, num->valuestring);
	snprintf(x->hlc, sizeof(x->hlc), "%s", hlc ? hlc : "");
	if ((x->d = cJSON_Duplicate(d, true)) == NULL)
		return REPORT_NOMEM(e);
	cs->n++;
	return 0;
}

/* Cases of one school, year and number together, the latest (HLC) last. */
static int
m_case_cmp(const void *a, const void *b)
{
	const struct m_case *x = a, *y = b;
	int r;

	if (x->school != y->school)
		return x->school < y->school ? -1 : 1;
	if ((r = strcmp(x->year, y->year)) != 0 || (r = strcmp(x->number, y->number)) != 0)
		return r;
	return strcmp(x->hlc, y->hlc);
}

static bool
m_closed(const char *status)
{
	/* the form's final states: «завершена», «не завершена» */
	return status && (strcmp(status, "completed") == 0 ||
	    strcmp(status, "not_completed") == 0);
}

/* Counts one case (the one of its number that counts) at school si. */
static int
m_count(struct report_tallies *t, size_t si, const cJSON *d, struct terr *e)
{
	const char *v, *status = report_ctx_jcode(d, "status");
	bool held = status && (strcmp(status, "held") == 0 ||
	    strcmp(status, "completed") == 0);
	bool agreement = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "agreement"));
	const cJSON *rw = cJSON_GetObjectItemCaseSensitive(d, "reaction_ways"), *a;
	static const struct { int dim; const char *field; } dims[] = {
		{ M_SOURCE, "source" }, { M_KIND, "situation_kind" },
		{ M_CTYPE, "conflict_type" },
	};
	long long n;

	if (report_tally_add(t, si, M_TOTAL, "cases", 1) ||
	    report_tally_add(t, si, M_TOTAL, m_closed(status) ? "closed" : "open", 1))
		return REPORT_NOMEM(e);
	for (size_t k = 0; k < sizeof(dims) / sizeof(dims[0]); k++)
		if ((v = report_ctx_jcode(d, dims[k].field)) &&
		    report_tally_add(t, si, dims[k].dim, v, 1))
			return REPORT_NOMEM(e);
	if (held) {
		if (report_tally_add(t, si, M_TOTAL, "held", 1))
			return REPORT_NOMEM(e);
		if ((v = report_ctx_jcode(d, "programme")) && report_tally_add(t, si, M_PROG, v, 1))
			return REPORT_NOMEM(e);
	}
	if (status && strcmp(status, "completed") == 0 &&
	    report_tally_add(t, si, M_TOTAL, "completed", 1))
		return REPORT_NOMEM(e);
	/* the share ending in an agreement is over closed cases, like its base */
	if (agreement && m_closed(status) && report_tally_add(t, si, M_TOTAL, "agreement", 1))
		return REPORT_NOMEM(e);
	/* the follow-up of every agreement made, closed or not */
	if (agreement) {
		v = report_ctx_jcode(d, "agreement_follow_up");
		if (report_tally_add(t, si, M_FOLLOW, v ? v : M_FOLLOW_NONE, 1))
			return REPORT_NOMEM(e);
	}
	/* a list of codes (version 2); version 1's free text is not read */
	if (cJSON_IsArray(rw))
		cJSON_ArrayForEach(a, rw)
			if (cJSON_IsString(a) && report_labels_code_ok(a->valuestring) &&
			    report_tally_add(t, si, M_REACT, a->valuestring, 1))
				return REPORT_NOMEM(e);
	if ((n = report_ctx_jcount(d, "children_count")) > 0 &&
	    report_tally_add(t, si, M_TOTAL, "children", n))
		return REPORT_NOMEM(e);
	if ((n = report_ctx_jcount(d, "adults_count")) > 0 &&
	    report_tally_add(t, si, M_TOTAL, "adults", n))
		return REPORT_NOMEM(e);
	return 0;
}

static const struct report_col m_sum_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "cases", "Случаев", 0, 0 }, { "open", "Ещё не закрыто", 0, 0 },
	{ "closed", "Закрыто (завершена / не завершена)", 0, 0 },
	{ "held", "Проведено программ", 0, 0 },
	{ "completed", "Завершено", 0, 0 },
	{ "completed_share", "Доля завершённых среди закрытых, %", 1, 0 },
	{ "agreement", "Закрыто с примирительным договором", 0, 0 },
	{ "agreement_share", "Доля с договором среди закрытых, %", 1, 0 },
	{ "children", "Участники: дети", 0, 0 },
	{ "adults", "Участники: взрослые", 0, 0 },
	{ "repeats", "Повторных записей номера (не учтены)", 0, 0 },
};
#define M_DIM_COLS(name, head, count) \
static const struct report_col name[] = { \
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 }, \
	{ "code", "", 0, REPORT_COL_JSON_ONLY }, { "label", head, 0, 0 }, \
	{ "count", count, 0, 0 }, \
}
M_DIM_COLS(m_source_cols, "Источник обращения", "Случаев");
M_DIM_COLS(m_kind_cols, "Вид ситуации", "Случаев");
M_DIM_COLS(m_ctype_cols, "Тип конфликта", "Случаев");
M_DIM_COLS(m_prog_cols, "Программа", "Проведено");
M_DIM_COLS(m_follow_cols, "Выполнение договора", "Договоров");
M_DIM_COLS(m_react_cols, "Способ реагирования", "Случаев");
static const struct report_col m_rep_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "year", "Год", 0, 0 }, { "case_number", "Номер случая", 0, 0 },
	{ "records", "Записей", 0, 0 },
	{ "dates", "Даты поступления (учтена последняя изменённая)", 0, 0 },
	{ "counted_date", "Учтена запись от", 0, 0 },
};

static void
mediation_summary_row(struct report_sect *s, long row, const long long v[M_NTOT])
{
	/* v in m_totals' order: cases open closed held completed agreement
	 * children adults repeats */
	for (size_t k = 0; k < 5; k++)
		report_model_int(s, row, 2 + k, v[k]);
	if (v[2] > 0)
		report_model_num(s, row, 7, report_model_pct(v[4], v[2]));
	report_model_int(s, row, 8, v[5]);
	if (v[2] > 0)
		report_model_num(s, row, 9, report_model_pct(v[5], v[2]));
	report_model_int(s, row, 10, v[6]);
	report_model_int(s, row, 11, v[7]);
	report_model_int(s, row, 12, v[8]);
}

/*
 * Whether a case number may be printed: the report prints no free text,
 * and a number is the one text field it must show to point at a repeat.
 * A number has a digit and at most a few letters («2021-07», «М-12»); a
 * name typed into the field by mistake has more, and is withheld.
 */
static bool
m_number_printable(const char *s)
{
	size_t letters = 0;
	bool digit = false;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digit = true;
		else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			letters++;
		else if (*p == 0xd0 || *p == 0xd1)
			letters++;   /* the lead byte of a Cyrillic letter */
		else if (*p < 0x20 || *p == 0x7f)
			return false;
	}
	return digit && letters <= 4;
}

/* "ДД.ММ.ГГГГ" of a stored "YYYY-MM-DD" into out[11]. */
static void
m_date_ru(const char *iso, char out[11])
{
	if (strlen(iso) == 10)
		snprintf(out, 11, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, 11, "—");
}

/* One row of the repeats section for the cases v[0..n) of one number. */
static int
m_repeat_row(struct report_ctx *c, struct report_sect *s, const struct m_case *v, size_t n,
    struct terr *e)
{
	char dates[16 * 12], d[11];
	size_t used = 0;
	long row;

	if ((row = report_ctx_school_row(s, c, v[0].school, e)) < 0)
		return TERR_NOMEM;
	dates[0] = '\0';
	for (size_t i = 0; i < n && used + 14 < sizeof(dates); i++) {
		m_date_ru(v[i].date, d);
		used += (size_t)snprintf(dates + used, sizeof(dates) - used, "%s%s",
		    i ? ", " : "", d);
	}
	if (n > 0 && used + 14 >= sizeof(dates))
		snprintf(dates + used, sizeof(dates) - used, ", …");
	m_date_ru(v[n - 1].date, d);
	if (report_model_str(s, row, 2, v[0].year) ||
	    report_model_str(s, row, 3, m_number_printable(v[0].number) ? v[0].number :
	    "(скрыт: не похож на номер)") ||
	    report_model_str(s, row, 5, dates) || report_model_str(s, row, 6, d))
		return REPORT_NOMEM(e);
	report_model_int(s, row, 4, (long long)n);
	return 0;
}

/* Counts the cases, each number once, and lists the repeats in rep. */
static int
m_count_all(struct report_ctx *c, struct m_cases *cs, struct report_tallies *t,
    struct report_sect *rep, struct terr *e)
{
	size_t i = 0, j;
	int r;

	if (cs->n > 1)
		qsort(cs->v, cs->n, sizeof(cs->v[0]), m_case_cmp);
	for (i = 0; i < cs->n; i = j) {
		const struct m_case *x = &cs->v[i];

		j = i + 1;
		if (x->number[0] != '\0')
			while (j < cs->n && cs->v[j].school == x->school &&
			    strcmp(cs->v[j].year, x->year) == 0 &&
			    strcmp(cs->v[j].number, x->number) == 0)
				j++;
		if (j - i > 1) {
			if (report_ctx_school_shown(c, x->school) &&
			    (r = m_repeat_row(c, rep, x, j - i, e)) != 0)
				return r;
			if (report_tally_add(t, x->school, M_TOTAL, "repeats",
			    (long long)(j - i - 1)))
				return REPORT_NOMEM(e);
		}
		if ((r = m_count(t, x->school, cs->v[j - 1].d, e)) != 0)
			return r;
	}
	return 0;
}

/* The label of a dimension's code: the form's choice label. */
static const char *
m_label(struct report_ctx *c, int dim, const char *code)
{
	/* the mediation_case field each dimension counts, for its labels */
	static const char *const dim_fields[M_NDIM] = {
		NULL, "source", "situation_kind", "conflict_type", "programme",
		"agreement_follow_up", "reaction_ways",
	};

	if (dim == M_FOLLOW && strcmp(code, M_FOLLOW_NONE) == 0)
		return "не указано";
	return report_labels_choice(c->labels, "mediation_case", dim_fields[dim], code);
}

int
report_mediation_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	struct report_tallies t = { 0 };
	struct m_cases cs = { 0 };
	struct report_sect *sect[M_NDIM], *rep;
	long long total[M_NTOT] = { 0 };
	int r;

	o->title = "Службы примирения (медиации): случаи и программы";
	sect[M_TOTAL] = report_model_sect(o, "summary", "Итоги по школам", m_sum_cols,
	    REPORT_NCOLS(m_sum_cols));
	sect[M_SOURCE] = report_model_sect(o, "by_source", "Случаи по источнику обращения",
	    m_source_cols, REPORT_NCOLS(m_source_cols));
	sect[M_KIND] = report_model_sect(o, "by_kind", "Случаи по виду ситуации",
	    m_kind_cols, REPORT_NCOLS(m_kind_cols));
	sect[M_CTYPE] = report_model_sect(o, "by_conflict_type", "Случаи по типу конфликта",
	    m_ctype_cols, REPORT_NCOLS(m_ctype_cols));
	sect[M_PROG] = report_model_sect(o, "by_programme", "Проведённые программы по виду",
	    m_prog_cols, REPORT_NCOLS(m_prog_cols));
	sect[M_FOLLOW] = report_model_sect(o, "by_follow_up",
	    "Выполнение примирительных договоров", m_follow_cols, REPORT_NCOLS(m_follow_cols));
	sect[M_REACT] = report_model_sect(o, "by_reaction", "Способы реагирования школы",
	    m_react_cols, REPORT_NCOLS(m_react_cols));
	rep = report_model_sect(o, "repeats", "Повторы номера случая (школа, год, номер): "
	    "учтены один раз", m_rep_cols, REPORT_NCOLS(m_rep_cols));
	if ((r = report_ctx_each_record(c, "mediation_case", false, "received_date",
	    m_pick, mediation_rec, &cs, e)) != 0)
		goto out;
	if ((r = m_count_all(c, &cs, &t, rep, e)) != 0)
		goto out;
	if (report_tally_sort(&t) != 0) {
		r = REPORT_NOMEM(e);
		goto out;
	}
	/* Tallies are sorted by school, then dimension: one pass fills all. */
	for (size_t i = 0; i < t.n; i++) {
		struct report_tally *x = &t.v[i];
		long row;

		if (!report_ctx_school_shown(c, x->school))
			continue;
		if (x->dim == M_TOTAL) {
			long long v[M_NTOT] = { 0 };

			if (strcmp(x->code, "cases") != 0)
				continue;
			for (size_t k = 0; k < M_NTOT; k++) {
				struct report_tally *y = report_tally_find(&t, x->school, M_TOTAL,
				    m_totals[k]);

				v[k] = y ? y->n : 0;
				total[k] += v[k];
			}
			if ((row = report_ctx_school_row(sect[M_TOTAL], c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			mediation_summary_row(sect[M_TOTAL], row, v);
			continue;
		}
		if ((row = report_ctx_school_row(sect[x->dim], c, x->school, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (report_model_str(sect[x->dim], row, 2, x->code) ||
		    report_model_str(sect[x->dim], row, 3, m_label(c, x->dim, x->code)))
			goto nomem;
		report_model_int(sect[x->dim], row, 4, x->n);
	}
	if (c->o->school == NULL && sect[M_TOTAL]->nrows > 1) {
		long row = report_model_row(sect[M_TOTAL]);

		if (row < 0 || report_model_str(sect[M_TOTAL], row, 1, "Итого по муниципалитету"))
			goto nomem;
		mediation_summary_row(sect[M_TOTAL], row, total);
	}
	r = 0;
	goto out;
 nomem:
	r = REPORT_NOMEM(e);
 out:
	for (size_t i = 0; i < cs.n; i++)
		cJSON_Delete(cs.v[i].d);
	free(cs.v);
	report_tally_free(&t);
	return r;
}
