/*
 * report_mediation — the mediation report (see report_mediation.h). Labels
 * of sources, situation kinds, conflict types, programmes, follow-ups and
 * reactions come from the mediation_case form.
 *
 * A case number is unique per school and calendar year of «Дата
 * поступления» (the form's "unique" rule; a device refuses a repeat). Two
 * devices of one school cannot see each other's cases, so a repeat can
 * still reach the hub: each case is counted as it is read, and what it
 * added to which counter is noted (a few entries a case); once all are
 * read, the records of one (school, year, number) but the latest (the
 * larger HLC, the later edit) take back what they added, and the group is
 * listed as a repeat. Noting costs a few words a case; keeping the cases
 * themselves cost a parsed copy each (region scale: 80,000 of them).
 */
#include <stdint.h>
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

/* A case of the period: its key, and where its contributions are noted. */
struct m_case {
	size_t school;
	char year[5];                     /* of received_date; "" when none */
	char number[M_NUMBER_MAX + 1];    /* "" when none: never a repeat */
	char date[11];
	char hlc[HLC_STRLEN + 1];
	size_t c0, nc;                    /* its entries in m_state.contrib */
};

/* One contribution: n added to the tally entry at index idx (stable until
 * the tally is sorted: entries are only appended). */
struct m_contrib {
	uint32_t idx;
	long long n;
};

struct m_state {
	struct report_tallies *t;
	struct m_case *v;
	size_t n, cap;
	struct m_contrib *contrib;
	size_t ncontrib, capcontrib;
};

/* Adds n to (school, dim, code) and notes it for the case being read. */
static int
m_add(struct m_state *st, size_t si, int dim, const char *code, long long n)
{
	struct report_tally *x = report_tally_get(st->t, si, dim, code);

	if (x == NULL)
		return -1;
	x->n += n;
	if (st->ncontrib == st->capcontrib) {
		size_t cap = st->capcontrib ? 2 * st->capcontrib : 256;
		struct m_contrib *c = realloc(st->contrib, cap * sizeof(*c));

		if (c == NULL)
			return -1;
		st->contrib = c;
		st->capcontrib = cap;
	}
	st->contrib[st->ncontrib].idx = (uint32_t)(x - st->t->v);
	st->contrib[st->ncontrib++].n = n;
	return 0;
}

static bool
m_closed(const char *status)
{
	/* the form's final states: «завершена», «не завершена» */
	return status && (strcmp(status, "completed") == 0 ||
	    strcmp(status, "not_completed") == 0);
}

/* Counts one case at school si, noting each contribution. */
static int
m_count(struct m_state *st, size_t si, const cJSON *d, struct terr *e)
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

	if (m_add(st, si, M_TOTAL, "cases", 1) ||
	    m_add(st, si, M_TOTAL, m_closed(status) ? "closed" : "open", 1))
		return REPORT_NOMEM(e);
	for (size_t k = 0; k < sizeof(dims) / sizeof(dims[0]); k++)
		if ((v = report_ctx_jcode(d, dims[k].field)) && m_add(st, si, dims[k].dim, v, 1))
			return REPORT_NOMEM(e);
	if (held) {
		if (m_add(st, si, M_TOTAL, "held", 1))
			return REPORT_NOMEM(e);
		if ((v = report_ctx_jcode(d, "programme")) && m_add(st, si, M_PROG, v, 1))
			return REPORT_NOMEM(e);
	}
	if (status && strcmp(status, "completed") == 0 && m_add(st, si, M_TOTAL, "completed", 1))
		return REPORT_NOMEM(e);
	/* the share ending in an agreement is over closed cases, like its base */
	if (agreement && m_closed(status) && m_add(st, si, M_TOTAL, "agreement", 1))
		return REPORT_NOMEM(e);
	/* the follow-up of every agreement made, closed or not */
	if (agreement) {
		v = report_ctx_jcode(d, "agreement_follow_up");
		if (m_add(st, si, M_FOLLOW, v ? v : M_FOLLOW_NONE, 1))
			return REPORT_NOMEM(e);
	}
	/* a list of codes (version 2); version 1's free text is not read */
	if (cJSON_IsArray(rw))
		cJSON_ArrayForEach(a, rw)
			if (cJSON_IsString(a) && report_labels_code_ok(a->valuestring) &&
			    m_add(st, si, M_REACT, a->valuestring, 1))
				return REPORT_NOMEM(e);
	if ((n = report_ctx_jcount(d, "children_count")) > 0 &&
	    m_add(st, si, M_TOTAL, "children", n))
		return REPORT_NOMEM(e);
	if ((n = report_ctx_jcount(d, "adults_count")) > 0 &&
	    m_add(st, si, M_TOTAL, "adults", n))
		return REPORT_NOMEM(e);
	return 0;
}

static int
mediation_rec(struct report_ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct m_state *st = arg;
	const cJSON *num = cJSON_GetObjectItemCaseSensitive(d, "case_number");
	struct m_case *x;
	int r;

	(void)c;
	(void)fid;
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		struct m_case *v = realloc(st->v, cap * sizeof(*v));

		if (v == NULL)
			return REPORT_NOMEM(e);
		st->v = v;
		st->cap = cap;
	}
	x = &st->v[st->n];
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
	x->c0 = st->ncontrib;
	if ((r = m_count(st, si, d, e)) != 0)
		return r;
	x->nc = st->ncontrib - x->c0;
	st->n++;
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

/* "ДД.ММ.ГГГГ" of a stored "YYYY-MM-DD" into out[11], else "—". */
static void
m_date_ru(const char *iso, char out[11])
{
	if (!form_date_ru(iso, out))
		snprintf(out, 11, "—");
}

/* One row of the repeats section for the cases v[0..n) of one number. */
static int
m_repeat_row(struct report_ctx *c, struct report_sect *s, const struct m_case *v, size_t n,
    struct terr *e)
{
	char dates[16 * 12], d[11];
	size_t used = 0, i;
	long row;

	if ((row = report_ctx_school_row(s, c, v[0].school, e)) < 0)
		return TERR_NOMEM;
	dates[0] = '\0';
	/* ", ДД.ММ.ГГГГ" is 12 bytes: room for 15 dates and the mark of more */
	for (i = 0; i < n && used + 12 + 6 < sizeof(dates); i++) {
		m_date_ru(v[i].date, d);
		used += (size_t)snprintf(dates + used, sizeof(dates) - used, "%s%s",
		    i ? ", " : "", d);
	}
	if (i < n)
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

/*
 * Lists the repeats in rep and takes back what all but the latest record
 * of each repeated number added: each number counts once.
 */
static int
m_repeats(struct report_ctx *c, struct m_state *st, struct report_sect *rep,
    struct terr *e)
{
	size_t i, j;
	int r;

	if (st->n > 1)
		qsort(st->v, st->n, sizeof(st->v[0]), m_case_cmp);
	for (i = 0; i < st->n; i = j) {
		const struct m_case *x = &st->v[i];

		j = i + 1;
		if (x->number[0] != '\0')
			while (j < st->n && st->v[j].school == x->school &&
			    strcmp(st->v[j].year, x->year) == 0 &&
			    strcmp(st->v[j].number, x->number) == 0)
				j++;
		if (j - i < 2)
			continue;
		if (report_ctx_school_shown(c, x->school) &&
		    (r = m_repeat_row(c, rep, x, j - i, e)) != 0)
			return r;
		for (size_t k = i; k + 1 < j; k++)
			for (size_t q = 0; q < st->v[k].nc; q++) {
				const struct m_contrib *m = &st->contrib[st->v[k].c0 + q];

				st->t->v[m->idx].n -= m->n;
			}
		if (report_tally_add(st->t, x->school, M_TOTAL, "repeats", (long long)(j - i - 1)))
			return REPORT_NOMEM(e);
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
	struct m_state st = { 0 };
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
	st.t = &t;
	/* a school's cases, repeats and counts are of its own records alone */
	if ((r = report_ctx_each_school_record(c, "mediation_case", "received_date",
	    m_pick, mediation_rec, &st, e)) != 0)
		goto out;
	if ((r = m_repeats(c, &st, rep, e)) != 0)
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
		/* a code only a repeat not counted gave */
		if (x->dim != M_TOTAL && x->n == 0)
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
	free(st.v);
	free(st.contrib);
	report_tally_free(&t);
	return r;
}
