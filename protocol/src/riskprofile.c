/*
 * riskprofile — the issued risk profile's CSV (see tetrad/riskprofile.h):
 * levels, factor codes, the rows read by csvtab.c.
 */
#include "tetrad/riskprofile.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/csvtab.h"

struct level_def {
	const char *code, *label;
	const char *names[4];             /* other spellings, lower case */
};

/* The codes and labels of the risk_visit form's factors.profile_level. */
static const struct level_def level_defs[RISKPROFILE_LEVELS] = {
	{ "high", "высокий", { "высокий", "в", NULL } },
	{ "medium", "средний", { "средний", "с", NULL } },
	{ "low", "низкий", { "низкий", "н", NULL } },
	{ "not_found", "не выявлен", { "не выявлен", "нет", "-", NULL } },
};

const char *
riskprofile_level_at(size_t i)
{
	return i < RISKPROFILE_LEVELS ? level_defs[i].code : NULL;
}

int
riskprofile_level_index(const char *code)
{
	for (size_t i = 0; code && i < RISKPROFILE_LEVELS; i++)
		if (strcmp(code, level_defs[i].code) == 0)
			return (int)i;
	return -1;
}

const char *
riskprofile_level_label(const char *code)
{
	int i = riskprofile_level_index(code);

	return i < 0 ? NULL : level_defs[i].label;
}

const char *
riskprofile_level_of(const char *text)
{
	char low[64];

	if (text == NULL || strlen(text) > 30)
		return NULL;
	csvtab_lower(text, low, sizeof(low));
	for (size_t i = 0; i < RISKPROFILE_LEVELS; i++) {
		if (strcmp(low, level_defs[i].code) == 0)
			return level_defs[i].code;
		for (size_t j = 0; j < 4 && level_defs[i].names[j]; j++)
			if (strcmp(low, level_defs[i].names[j]) == 0)
				return level_defs[i].code;
	}
	return NULL;
}

/* A factor code: a Latin letter and 1–15 digits or letters (R01); upper-cased into out. */
static bool
riskprofile_factor_ok(const char *s, char out[RISKPROFILE_FACTOR_MAX + 1])
{
	size_t n = strlen(s);

	if (n < 2 || n > RISKPROFILE_FACTOR_MAX || !((s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return true;
}

struct riskprofile_set {
	struct riskprofile_row *rows;
	size_t n, cap;
	struct csvtab t;
};

void
riskprofile_set_free(struct riskprofile_set *s)
{
	if (s == NULL)
		return;
	csvtab_clear(&s->t);
	free(s->rows);
	free(s);
}

size_t
riskprofile_set_n_rows(const struct riskprofile_set *s)
{
	return s ? s->n : 0;
}

const struct riskprofile_row *
riskprofile_set_row(const struct riskprofile_set *s, size_t i)
{
	return s && i < s->n ? &s->rows[i] : NULL;
}

size_t
riskprofile_set_n_bad(const struct riskprofile_set *s)
{
	return s ? s->t.nbad : 0;
}

size_t
riskprofile_set_n_bad_kept(const struct riskprofile_set *s)
{
	return s ? s->t.nbad_kept : 0;
}

const char *
riskprofile_set_bad(const struct riskprofile_set *s, size_t i)
{
	return s && i < s->t.nbad_kept ? s->t.bad[i] : NULL;
}

char *
riskprofile_set_report(const struct riskprofile_set *s)
{
	static const struct csvtab none;

	return csvtab_report(s ? &s->t : &none);
}

static const struct csvtab_col riskprofile_cols[4] = {
	{ { "код оо", "код", "код школы", "school", "school_code", "code", NULL }, "Код ОО" },
	{ { "год", "year", "год проекта", NULL }, "Год" },
	{ { "фактор", "фактор риска", "код фактора", "factor", NULL }, "Фактор" },
	{ { "уровень", "уровень риска", "level", NULL }, "Уровень" },
};

static int
riskprofile_row_check(void *arg, struct csvtab *t, size_t line, char **cells, struct terr *e)
{
	struct riskprofile_set *s = arg;
	char msg[500], q[64], what[200], factor[RISKPROFILE_FACTOR_MAX + 1];
	const char *level = riskprofile_level_of(cells[3]);
	int year;
	struct riskprofile_row *w;

	msg[0] = '\0';
	csvtab_check_school(cells[0], msg, sizeof(msg));
	year = csvtab_check_year(cells[1], msg, sizeof(msg));
	if (!riskprofile_factor_ok(cells[2], factor)) {
		csvtab_quote(cells[2], q, sizeof(q));
		snprintf(what, sizeof(what), "фактор «%s» — нужен код фактора, например R01", q);
		csvtab_msg_add(msg, sizeof(msg), what);
	}
	if (level == NULL) {
		csvtab_quote(cells[3], q, sizeof(q));
		snprintf(what, sizeof(what), "уровень «%s» неизвестен (допустимы: высокий, "
		    "средний, низкий, не выявлен)", q);
		csvtab_msg_add(msg, sizeof(msg), what);
	}
	if (msg[0])
		return csvtab_bad(t, line, msg) ? terr_set(e, TERR_NOMEM, "недостаточно памяти") : 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct riskprofile_row *nr = realloc(s->rows, cap * sizeof(*nr));

		if (nr == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		s->rows = nr;
		s->cap = cap;
	}
	w = &s->rows[s->n++];
	snprintf(w->school, sizeof(w->school), "%s", cells[0]);
	w->year = year;
	memcpy(w->factor, factor, sizeof(factor));
	snprintf(w->level, sizeof(w->level), "%s", level);
	w->line = line;
	return 0;
}

static int
riskprofile_row_cmp(const void *a, const void *b)
{
	const struct riskprofile_row *x = *(const struct riskprofile_row *const *)a;
	const struct riskprofile_row *y = *(const struct riskprofile_row *const *)b;
	int c;

	if ((c = strcmp(x->school, y->school)) != 0)
		return c;
	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	if ((c = strcmp(x->factor, y->factor)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * A factor given twice for one school and year is a mistake (which level
 * holds?). The rows are left sorted by school, year and factor: the store
 * replaces each (school, year) once.
 */
static int
riskprofile_dups(struct riskprofile_set *s, const struct riskprofile_row ***idxp)
{
	const struct riskprofile_row **idx;
	int r = 0;

	*idxp = NULL;
	if ((idx = calloc(s->n + 1, sizeof(*idx))) == NULL)
		return TERR_NOMEM;
	for (size_t i = 0; i < s->n; i++)
		idx[i] = &s->rows[i];
	qsort(idx, s->n, sizeof(*idx), riskprofile_row_cmp);
	for (size_t i = 1; i < s->n && r == 0; i++) {
		char msg[200];

		if (strcmp(idx[i - 1]->school, idx[i]->school) || idx[i - 1]->year != idx[i]->year ||
		    strcmp(idx[i - 1]->factor, idx[i]->factor))
			continue;
		snprintf(msg, sizeof(msg), "повторяет строку %zu (код ОО %s, год %d, фактор %s)",
		    idx[i - 1]->line, idx[i]->school, idx[i]->year, idx[i]->factor);
		r = csvtab_bad(&s->t, idx[i]->line, msg);
	}
	*idxp = idx;
	return r;
}

int
riskprofile_parse(const char *buf, size_t len, struct riskprofile_set **out, struct terr *e)
{
	const struct riskprofile_row **idx = NULL;
	struct riskprofile_set *s;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if ((r = csvtab_read(&s->t, buf, len, riskprofile_cols, 4, "файл рискового профиля",
	    riskprofile_row_check, s, e)) != 0)
		goto out;
	if (riskprofile_dups(s, &idx) != 0) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	{
		/* the rows in key order from here on */
		struct riskprofile_row *sorted = malloc((s->n + 1) * sizeof(*sorted));

		if (sorted == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
		for (size_t i = 0; i < s->n; i++)
			sorted[i] = *idx[i];
		free(s->rows);
		s->rows = sorted;
		s->cap = s->n + 1;
	}
	*out = s;
	s = NULL;
	r = 0;
 out:
	free(idx);
	riskprofile_set_free(s);
	return r;
}

