/*
 * report_passport — social passports, ИСБШ and social status (see
 * report_passport.h). Category labels are the social_passport form's
 * field labels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/results.h"
#include "report_passport.h"
#include "report_passport_years.h"

/* What a category's share is taken of. */
enum share_base { BASE_NONE, BASE_STUDENTS, BASE_FAMILIES };

struct category {
	const char *id;          /* a field of social_passport, its label there */
	enum share_base base;    /* families_total is a count, not a share */
};

/*
 * A count of families is a share of the families, not of the students
 * (form version 2 bounds them by families_total); every other count is of
 * children. «Дети из семей мигрантов» counts children, despite its id.
 */
static const struct category categories[] = {
	{ "families_total", BASE_NONE },
	{ "large_families", BASE_FAMILIES },
	{ "low_income_families", BASE_FAMILIES },
	{ "single_parent_families", BASE_FAMILIES },
	{ "foster_children", BASE_STUDENTS },
	{ "orphans", BASE_STUDENTS },
	{ "disabled_children", BASE_STUDENTS },
	{ "special_needs", BASE_STUDENTS },
	{ "sop_families", BASE_FAMILIES },
	{ "tjs_families", BASE_FAMILIES },
	{ "kdn_registered", BASE_STUDENTS },
	{ "pdn_registered", BASE_STUDENTS },
	{ "school_registered", BASE_STUDENTS },
	{ "unemployed_parents", BASE_STUDENTS },
	{ "parents_higher_education", BASE_STUDENTS },
	{ "non_native_russian", BASE_STUDENTS },
	{ "migrant_families", BASE_STUDENTS },
};

_Static_assert(REPORT_NCOLS(categories) == REPORT_PASSPORT_N_CAT, "categories");

/*
 * What passport_rec reads, in the form's order (the picker tries the next
 * member first). A passport is nearly all counts: what picking saves is
 * cJSON's strtod for each (report_pick.c makes plain counts itself).
 */
static const struct report_pick p_pick[] = {
	{ "snapshot_date", NULL }, { "academic_year", NULL }, { "level", NULL },
	{ "class_name", NULL }, { "students_total", NULL }, { "students_4_11", NULL },
	{ "families_total", NULL }, { "large_families", NULL },
	{ "low_income_families", NULL }, { "single_parent_families", NULL },
	{ "foster_children", NULL }, { "orphans", NULL }, { "disabled_children", NULL },
	{ "special_needs", NULL }, { "sop_families", NULL }, { "tjs_families", NULL },
	{ "kdn_registered", NULL }, { "pdn_registered", NULL },
	{ "school_registered", NULL }, { "unemployed_parents", NULL },
	{ "parents_higher_education", NULL }, { "non_native_russian", NULL },
	{ "migrant_families", NULL }, { NULL, NULL },
};
_Static_assert(REPORT_NCOLS(p_pick) == REPORT_PASSPORT_N_CAT + 7, "p_pick");
/* What the surveys' coverage reads (report_passport_build_students). */
static const struct report_pick p_students_pick[] = {
	{ "snapshot_date", NULL }, { "academic_year", NULL }, { "level", NULL },
	{ "class_name", NULL }, { "students_total", NULL }, { "students_4_11", NULL },
	{ "families_total", NULL }, { NULL, NULL },
};
#define N_CAT REPORT_PASSPORT_N_CAT

/*
 * isbsh-v1: eight shares; a high share of an adverse one lowers the index.
 * Every share is of the students, family counts too: that is the method as
 * published under this identifier (the passport's own shares of family
 * counts are of the families).
 */
struct isbsh_ind {
	const char *id;
	int sign;     /* -1 adverse, +1 favourable */
};

static const struct isbsh_ind isbsh_v1[] = {
	{ "low_income_families", -1 },
	{ "single_parent_families", -1 },
	{ "sop_families", -1 },
	{ "tjs_families", -1 },
	{ "unemployed_parents", -1 },
	{ "non_native_russian", -1 },
	{ "special_needs", -1 },
	{ "parents_higher_education", +1 },
};

_Static_assert(REPORT_NCOLS(isbsh_v1) == REPORT_PASSPORT_N_ISBSH, "isbsh-v1");
#define N_ISBSH REPORT_PASSPORT_N_ISBSH

/* One passport record as read. */
struct report_prec {
	size_t school;
	char year[24];
	bool school_level;
	char cls[REPORT_PASSPORT_CLASS_MAX + 1];
	char date[11];
	size_t seq;                      /* HLC order */
	long long students;
	long long students_4_11;         /* -1: not given (form version 1) */
	long long n[N_CAT];
};

int
report_passport_category(const char *id)
{
	for (size_t k = 0; k < N_CAT; k++)
		if (strcmp(categories[k].id, id) == 0)
			return (int)k;
	return -1;
}

static bool
year_ok(const char *y)
{
	/* "2025/2026" */
	if (strlen(y) != 9 || y[4] != '/')
		return false;
	for (int i = 0; i < 9; i++)
		if (i != 4 && (y[i] < '0' || y[i] > '9'))
			return false;
	return true;
}

/*
 * Each category's count (0 when missing or not a count), the first member
 * of its name as cJSON_GetObjectItemCaseSensitive finds it. One walk of the
 * record trying the category after the last one found first (the form's
 * order is the categories'): looking each up by name walked the record 17
 * times, most of what the passports cost surveys and identification.
 */
static void
passport_counts(const cJSON *d, long long n[N_CAT])
{
	const cJSON *v[N_CAT] = { 0 }, *it;
	size_t next = 0;

	cJSON_ArrayForEach(it, d) {
		if (it->string == NULL)
			continue;
		for (size_t j = 0; j < N_CAT; j++) {
			size_t k = (next + j) % N_CAT;

			if (strcmp(categories[k].id, it->string) == 0) {
				if (v[k] == NULL)
					v[k] = it;
				next = k + 1;
				break;
			}
		}
	}
	for (size_t k = 0; k < N_CAT; k++)
		if ((n[k] = report_ctx_jcount_of(v[k])) < 0)
			n[k] = 0;
}

static int
passport_rec(struct report_ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct report_passport *p = arg;
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(d, "academic_year");
	const cJSON *cls = cJSON_GetObjectItemCaseSensitive(d, "class_name");
	const char *lvl = report_ctx_jcode(d, "level");
	struct report_prec *x;

	(void)c;
	(void)fid;
	(void)hlc;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct report_prec *n = realloc(p->v, cap * sizeof(*n));

		if (n == NULL)
			return REPORT_NOMEM(e);
		p->v = n;
		p->cap = cap;
	}
	x = &p->v[p->n];
	memset(x, 0, sizeof(*x));
	x->school = si;
	x->seq = p->n;
	memcpy(x->date, date, 11);
	if (cJSON_IsString(y) && year_ok(y->valuestring)) {
		memcpy(x->year, y->valuestring, 10);
	} else if (date[0]) {
		/* no academic year: September starts one */
		int yy = atoi(date), mm = atoi(date + 5);

		if (mm < 9)
			yy--;
		snprintf(x->year, sizeof(x->year), "%04d/%04d", yy, yy + 1);
	}
	x->school_level = lvl == NULL || strcmp(lvl, "class") != 0;
	/* The class name is only a key for "the same class sent again". */
	if (!x->school_level && cJSON_IsString(cls))
		snprintf(x->cls, sizeof(x->cls), "%s", cls->valuestring);
	if ((x->students = report_ctx_jcount(d, "students_total")) < 0)
		x->students = 0;
	x->students_4_11 = report_ctx_jcount(d, "students_4_11");
	passport_counts(d, x->n);
	p->n++;
	return 0;
}

/* a is superseded by b: same class, later snapshot (or same day, later record). */
static bool
prec_newer(const struct report_prec *b, const struct report_prec *a)
{
	int dc = strcmp(b->date, a->date);

	return dc > 0 || (dc == 0 && b->seq > a->seq);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile of sorted v[n] by linear interpolation (R type 7, Excel QUARTILE). */
static double
quantile(const double *v, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)h;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

struct passport_import {
	struct report_ctx *c;
	struct report_passport *p;
};

static int
passport_import_row(void *arg, const struct hubdb_result *res)
{
	struct passport_import *pi = arg;
	long si = report_ctx_school_find(pi->c, res->school);

	if (si >= 0) {
		pi->p->s[si].imported = true;
		pi->p->s[si].import_year = res->year;
		pi->p->s[si].isbsh_import = res->value;
		pi->p->s[si].import_scale = strcmp(res->indicator, RESULTS_ISBSH_100) == 0 ?
		    REPORT_ISBSH_SCALE_100 : REPORT_ISBSH_SCALE_8;
	}
	return 0;
}

/* Imported ИСБШ: the latest year in the period (rows come oldest first). */
static int
passport_imports(struct report_ctx *c, struct report_passport *p, struct terr *e)
{
	struct passport_import pi = { c, p };

	return hubdb_results_each(c->db, HUBDB_RESULTS_ISBSH, c->from_year, c->to_year,
	    passport_import_row, &pi, e);
}

/*
 * Order of the passports that count: by school, whole-school ones first,
 * then by class, each group oldest first (prec_newer's order), so the one
 * that counts in a group is its last.
 */
static int
prec_group_cmp(const void *x, const void *y)
{
	const struct report_prec *a = *(const struct report_prec *const *)x;
	const struct report_prec *b = *(const struct report_prec *const *)y;
	int c;

	if (a->school != b->school)
		return a->school < b->school ? -1 : 1;
	if (a->school_level != b->school_level)
		return a->school_level ? -1 : 1;
	if ((c = strcmp(a->cls, b->cls)) != 0)
		return c;
	if (prec_newer(b, a))
		return -1;
	return prec_newer(a, b) ? 1 : 0;
}

static void
passport_add(struct report_pschool *s, const struct report_prec *a)
{
	/* one passport without the grades 4–11 count leaves the sum unknown */
	s->has_4_11 = (s->records == 0 || s->has_4_11) && a->students_4_11 >= 0;
	if (s->has_4_11)
		s->students_4_11 += a->students_4_11;
	s->records++;
	s->students += a->students;
	for (size_t k = 0; k < N_CAT; k++)
		s->n[k] += a->n[k];
}

/*
 * Sums each school's passports of its latest year: a whole-school passport
 * wins over class ones (the latest of them, if several), a class sent twice
 * counts once (its latest snapshot), a class passport without a class name
 * always counts. The passports are grouped by a sort: comparing each with
 * every other was quadratic in all the schools' passports (over 200 s at
 * 2,000 schools).
 */
static int
passport_sum(struct report_passport *p, struct terr *e)
{
	const struct report_prec **g;
	size_t n = 0;

	if ((g = calloc(p->n + 1, sizeof(*g))) == NULL)
		return REPORT_NOMEM(e);
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].year, p->s[p->v[i].school].year) == 0)
			g[n++] = &p->v[i];
	qsort(g, n, sizeof(*g), prec_group_cmp);
	for (size_t i = 0, first = 0; i < n; i++) {
		const struct report_prec *a = g[i];
		const struct report_prec *next = i + 1 < n ? g[i + 1] : NULL;
		bool same_school = next && next->school == a->school;

		if (g[first]->school != a->school)
			first = i;
		if (a->school_level) {
			/* the latest whole-school passport: the last before the classes */
			if (!same_school || !next->school_level)
				passport_add(&p->s[a->school], a);
			continue;
		}
		if (g[first]->school_level)
			continue;       /* the school has a whole-school passport */
		if (a->cls[0] && same_school && strcmp(next->cls, a->cls) == 0)
			continue;       /* a later snapshot of the same class follows */
		passport_add(&p->s[a->school], a);
	}
	free(g);
	return 0;
}

/*
 * Each school's passports of its latest year summed, read with pick: of
 * every school (all), or with --school of that one alone. The ИСБШ
 * distribution is municipal, so for it --school only narrows what is
 * printed, not what is compared with; a school's own sums are of its own
 * passports.
 */
static int
passport_schools(struct report_ctx *c, struct report_passport *p,
    const struct report_pick *pick, bool all, struct terr *e)
{
	int r;

	if ((p->s = calloc(c->nschools + 1, sizeof(*p->s))) == NULL)
		return REPORT_NOMEM(e);
	if ((r = all ? report_ctx_each_record(c, "social_passport", false, "snapshot_date",
	    pick, passport_rec, p, e) : report_ctx_each_school_record(c, "social_passport",
	    "snapshot_date", pick, passport_rec, p, e)) != 0)
		return r;
	for (size_t i = 0; i < p->n; i++) {
		struct report_pschool *s = &p->s[p->v[i].school];

		if (!s->has || strcmp(p->v[i].year, s->year) > 0) {
			s->has = true;
			memcpy(s->year, p->v[i].year, sizeof(s->year));
		}
	}
	return passport_sum(p, e);
}

int
report_passport_build_students(struct report_ctx *c, struct report_passport *p,
    struct terr *e)
{
	return passport_schools(c, p, p_students_pick, false, e);
}

/* isbsh-v1: scores each school's shares against the municipal quartiles. */
static int
passport_score(struct report_ctx *c, struct report_passport *p, struct terr *e)
{
	double *dist;

	if ((dist = calloc(c->nschools + 1, sizeof(*dist))) == NULL)
		return REPORT_NOMEM(e);
	for (size_t i = 0; i < c->nschools; i++) {
		struct report_pschool *s = &p->s[i];

		if (!s->has || s->students <= 0)
			continue;
		p->n_dist++;
		for (size_t k = 0; k < N_ISBSH; k++)
			s->share[k] = report_model_pct(
			    s->n[report_passport_category(isbsh_v1[k].id)], s->students);
	}
	if (p->n_dist >= REPORT_PASSPORT_MIN_SCHOOLS) {
		for (size_t k = 0; k < N_ISBSH; k++) {
			size_t n = 0;

			for (size_t i = 0; i < c->nschools; i++)
				if (p->s[i].has && p->s[i].students > 0)
					dist[n++] = p->s[i].share[k];
			qsort(dist, n, sizeof(*dist), dbl_cmp);
			p->q1[k] = quantile(dist, n, 0.25);
			p->q3[k] = quantile(dist, n, 0.75);
		}
		for (size_t i = 0; i < c->nschools; i++) {
			struct report_pschool *s = &p->s[i];
			int sum = 0;

			if (!s->has || s->students <= 0)
				continue;
			for (size_t k = 0; k < N_ISBSH; k++) {
				int sc = 0;

				if (s->share[k] > p->q3[k])
					sc = -1;
				else if (s->share[k] < p->q1[k])
					sc = 1;
				/* adverse: above Q3 -> -1; favourable: above Q3 -> +1 */
				s->score[k] = isbsh_v1[k].sign < 0 ? sc : -sc;
				sum += s->score[k];
			}
			s->computed = true;
			s->isbsh = sum;
		}
	}
	free(dist);
	return 0;
}

static int
passport_build(struct report_ctx *c, struct report_passport *p, struct terr *e)
{
	int r;

	if ((r = passport_schools(c, p, p_pick, true, e)) != 0 ||
	    (r = passport_score(c, p, e)) != 0)
		return r;
	return passport_imports(c, p, e);
}

/* A copy of what a build gives its reports: the passports read, the schools'
 * sums and quartiles. */
static struct report_passport *
passport_copy(const struct report_passport *from, size_t nschools)
{
	struct report_passport *to = calloc(1, sizeof(*to));

	if (to == NULL)
		return NULL;
	*to = *from;
	to->v = NULL;
	to->cap = from->n;
	to->s = malloc((nschools + 1) * sizeof(*to->s));
	if (from->n > 0)
		to->v = malloc(from->n * sizeof(*to->v));
	if (to->s == NULL || (from->n > 0 && to->v == NULL)) {
		free(to->s);
		free(to->v);
		free(to);
		return NULL;
	}
	memcpy(to->s, from->s, (nschools + 1) * sizeof(*to->s));
	if (from->n > 0)
		memcpy(to->v, from->v, from->n * sizeof(*to->v));
	return to;
}

static void
passport_memo_free(void *memo)
{
	report_passport_free(memo);
	free(memo);
}

int
report_passport_build(struct report_ctx *c, struct report_passport *p, struct terr *e)
{
	struct report_passport *m;
	int r;

	/*
	 * A school's page builds passport and identification in one reading
	 * (report_build_many): the second takes the first's sums, not a second
	 * pass over every school's passports.
	 */
	if (c->memo != NULL && c->memo_free == passport_memo_free) {
		if ((m = passport_copy(c->memo, c->nschools)) == NULL)
			return REPORT_NOMEM(e);
		*p = *m;
		free(m);
		return 0;
	}
	if ((r = passport_build(c, p, e)) != 0)
		return r;
	if (c->memo == NULL && (m = passport_copy(p, c->nschools)) != NULL) {
		c->memo = m;
		c->memo_free = passport_memo_free;
	}
	return 0;
}

static int
year_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

size_t
report_passport_years(const struct report_passport *p, char years[][24], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++) {
		size_t k;

		if (p->v[i].year[0] == '\0')
			continue;
		for (k = 0; k < n && strcmp(years[k], p->v[i].year) != 0; k++)
			;
		if (k < n)
			continue;
		if (n == max) {
			/* full: the oldest gives way to a later year */
			qsort(years, n, sizeof(years[0]), year_cmp);
			if (strcmp(p->v[i].year, years[0]) < 0)
				continue;
			k = 0;
		} else
			k = n++;
		memcpy(years[k], p->v[i].year, sizeof(years[0]));
	}
	qsort(years, n, sizeof(years[0]), year_cmp);
	return n;
}

int
report_passport_build_year(struct report_ctx *c, const struct report_passport *p,
    const char *year, struct report_passport *y, struct terr *e)
{
	int r;

	memset(y, 0, sizeof(*y));
	if ((y->s = calloc(c->nschools + 1, sizeof(*y->s))) == NULL)
		return REPORT_NOMEM(e);
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].year, year) == 0) {
			y->s[p->v[i].school].has = true;
			snprintf(y->s[p->v[i].school].year, sizeof(y->s[0].year), "%s", year);
		}
	/* passport_sum only reads the records: y borrows p's */
	y->v = p->v;
	y->n = p->n;
	if ((r = passport_sum(y, e)) != 0)
		return r;
	return passport_score(c, y, e);
}

void
report_passport_year_free(struct report_passport *y)
{
	free(y->s);
	memset(y, 0, sizeof(*y));
}

void
report_passport_free(struct report_passport *p)
{
	free(p->v);
	free(p->s);
}

bool
report_passport_index(const struct report_pschool *s, double *v)
{
	if (s->imported) {
		*v = s->isbsh_import;
		return true;
	}
	if (s->computed) {
		*v = s->isbsh;
		return true;
	}
	return false;
}

enum report_isbsh_scale
report_passport_scale(const struct report_pschool *s)
{
	return s->imported ? s->import_scale : REPORT_ISBSH_SCALE_8;
}

const char *
report_passport_status(const struct report_pschool *s, const struct report_settings *set)
{
	enum report_isbsh_scale k = report_passport_scale(s);
	double v;

	if (!report_passport_index(s, &v))
		return NULL;
	if (v <= set->isbsh_unfav_max[k])
		return "unfavourable";
	if (v >= set->isbsh_fav_min[k])
		return "favourable";
	return "neutral";
}

/* The scale's code (JSON) and how a person reads it. */
static const char *const scale_code[REPORT_ISBSH_SCALES] = { "-8..8", "0..100" };
static const char *const scale_label[REPORT_ISBSH_SCALES] = { "−8…+8", "0–100" };

const char *
report_passport_scale_code(enum report_isbsh_scale k)
{
	return scale_code[k];
}

const char *
report_passport_scale_label(enum report_isbsh_scale k)
{
	return scale_label[k];
}

static const struct report_col p_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "academic_year", "Учебный год", 0, 0 },
	{ "records", "Паспортов", 0, 0 },
	{ "students", "Обучающихся", 0, 0 },
	{ "students_4_11", "Обучающихся 4–11 классов", 0, 0 },
	{ "isbsh", "ИСБШ", 1, 0 },
	{ "isbsh_method", "Метод ИСБШ", 0, 0 },
	{ "isbsh_scale", "", 0, REPORT_COL_JSON_ONLY },
	{ "isbsh_scale_label", "Шкала ИСБШ", 0, 0 },
	{ "isbsh_computed", "", 1, REPORT_COL_JSON_ONLY },
	{ "status", "", 0, REPORT_COL_JSON_ONLY },
	{ "status_label", "Социальный статус", 0, 0 },
};
static const struct report_col p_share_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "category", "", 0, REPORT_COL_JSON_ONLY },
	{ "category_label", "Категория", 0, 0 },
	{ "count", "Число", 0, 0 },
	{ "base", "", 0, REPORT_COL_JSON_ONLY },
	{ "base_label", "Доля от", 0, 0 },
	{ "share", "Доля, %", 1, 0 },
};
static const struct report_col p_score_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "indicator", "", 0, REPORT_COL_JSON_ONLY },
	{ "indicator_label", "Показатель", 0, 0 },
	{ "share", "Доля от обучающихся, %", 1, 0 },
	{ "q1", "Нижний квартиль, %", 2, 0 },
	{ "q3", "Верхний квартиль, %", 2, 0 },
	{ "score", "Балл", 0, 0 },
};

/* The shares of one school's categories, each over its base. */
static int
passport_shares(struct report_ctx *c, struct report_sect *sh, size_t i,
    const struct report_pschool *s, struct terr *e)
{
	long long fam = s->n[report_passport_category("families_total")];

	for (size_t k = 0; k < N_CAT; k++) {
		enum share_base b = categories[k].base;
		long long base = b == BASE_FAMILIES ? fam : s->students;
		long row;

		if ((row = report_ctx_school_row(sh, c, i, e)) < 0)
			return TERR_NOMEM;
		if (report_model_str(sh, row, 2, categories[k].id) ||
		    report_model_str(sh, row, 3, report_labels_field(c->labels,
		    "social_passport", categories[k].id)))
			return REPORT_NOMEM(e);
		report_model_int(sh, row, 4, s->n[k]);
		if (b == BASE_NONE)
			continue;
		if (report_model_str(sh, row, 5, b == BASE_FAMILIES ? "families" : "students") ||
		    report_model_str(sh, row, 6, b == BASE_FAMILIES ? "семей" : "обучающихся"))
			return REPORT_NOMEM(e);
		if (base > 0)
			report_model_num(sh, row, 7, report_model_pct(s->n[k], base));
	}
	return 0;
}

int
report_passport_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	struct report_passport p = { 0 };
	struct report_settings set;
	struct report_sect *ss, *sh, *sc;
	char buf[32];
	int r;

	o->title = "Социальный паспорт, ИСБШ и социальный статус школ";
	if ((r = report_settings_load(c->db, &set, e)) != 0)
		goto out;
	report_model_meta(o, "isbsh_method", "Метод ИСБШ по умолчанию", false,
	    REPORT_ISBSH_METHOD);
	report_settings_meta_isbsh(o, &set);
	ss = report_model_sect(o, "schools", "Школы", p_cols, REPORT_NCOLS(p_cols));
	sh = report_model_sect(o, "shares", "Доли категорий", p_share_cols,
	    REPORT_NCOLS(p_share_cols));
	sc = report_model_sect(o, "isbsh_scores", "Расчёт ИСБШ (" REPORT_ISBSH_METHOD
	    "): баллы по показателям", p_score_cols, REPORT_NCOLS(p_score_cols));
	if ((r = report_passport_build(c, &p, e)) != 0)
		goto out;
	snprintf(buf, sizeof(buf), "%zu", p.n_dist);
	report_model_meta(o, "isbsh_schools", "Школ в муниципальном распределении", true, buf);
	for (size_t i = 0; i < c->nschools; i++) {
		struct report_pschool *s = &p.s[i];
		const char *status = report_passport_status(s, &set);
		enum report_isbsh_scale k = report_passport_scale(s);
		double v;
		long row;

		if (!report_ctx_school_shown(c, i) || (!s->has && !s->imported))
			continue;
		if ((row = report_ctx_school_row(ss, c, i, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (s->has) {
			if (report_model_str(ss, row, 2, s->year[0] ? s->year : NULL))
				goto nomem;
			report_model_int(ss, row, 3, (long long)s->records);
			report_model_int(ss, row, 4, s->students);
			if (s->has_4_11)
				report_model_int(ss, row, 5, s->students_4_11);
		}
		if (s->computed)
			report_model_num(ss, row, 10, s->isbsh);
		if (report_passport_index(s, &v)) {
			report_model_num(ss, row, 6, v);
			if (s->imported)
				snprintf(buf, sizeof(buf), "импорт %d", s->import_year);
			else
				snprintf(buf, sizeof(buf), "%s", REPORT_ISBSH_METHOD);
			if (report_model_str(ss, row, 7, buf) ||
			    report_model_str(ss, row, 8, scale_code[k]) ||
			    report_model_str(ss, row, 9, scale_label[k]) ||
			    report_model_str(ss, row, 11, status) ||
			    report_model_str(ss, row, 12, report_labels_of(report_labels_status,
			    status)))
				goto nomem;
		}
		if (!s->has)
			continue;
		if ((r = passport_shares(c, sh, i, s, e)) != 0)
			goto out;
		if (!s->computed)
			continue;
		for (size_t k8 = 0; k8 < N_ISBSH; k8++) {
			int ci = report_passport_category(isbsh_v1[k8].id);

			if ((row = report_ctx_school_row(sc, c, i, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			if (report_model_str(sc, row, 2, isbsh_v1[k8].id) ||
			    report_model_str(sc, row, 3, report_labels_field(c->labels,
			    "social_passport", categories[ci].id)))
				goto nomem;
			report_model_num(sc, row, 4, s->share[k8]);
			report_model_num(sc, row, 5, p.q1[k8]);
			report_model_num(sc, row, 6, p.q3[k8]);
			report_model_int(sc, row, 7, s->score[k8]);
		}
	}
	r = report_passport_years_run(c, o, &p, &set, e);
	goto out;
 nomem:
	r = REPORT_NOMEM(e);
 out:
	report_passport_free(&p);
	return r;
}
