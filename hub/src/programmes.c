/*
 * programmes — the schools' programmes by year (see programmes.h): codes
 * and labels, the CSV import (read by csvtab.c) and set/unset (the listing
 * is hubdb_list and the hub CLI's cmd_list.c).
 */
#include "hub/programmes.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/csvtab.h"
#include "hub/hubdb_calendar.h"
#include "tetrad/fileio.h"
#include "tetrad/school.h"

struct programme_def {
	const char *code, *label;
	const char *names[6];             /* other spellings, lower case */
};

/* The order is the one listings print. */
static const struct programme_def programme_defs[PROGRAMMES_N] = {
	{ "shnor", "ШНОР", { "шнор", "нор", "школа с низкими результатами", NULL } },
	{ "shnsu", "ШНСУ", { "шнсу", "нсу", NULL } },
	{ "p500", "500+", { "500+", "«500+»", "500", "проект 500+", "проект «500+»", NULL } },
	{ "shans", "ШАНС", { "шанс", NULL } },
	{ "partner", "школа-партнёр", { "школа-партнёр", "школа-партнер", "партнёр", "партнер",
	    "школа партнёр", NULL } },
};

const char *
programmes_code_at(size_t i)
{
	return i < PROGRAMMES_N ? programme_defs[i].code : NULL;
}

int
programmes_index(const char *code)
{
	for (size_t i = 0; code && i < PROGRAMMES_N; i++)
		if (strcmp(code, programme_defs[i].code) == 0)
			return (int)i;
	return -1;
}

const char *
programmes_label(const char *code)
{
	int i = programmes_index(code);

	return i < 0 ? NULL : programme_defs[i].label;
}

const char *
programmes_code_of(const char *text)
{
	char low[128];

	if (text == NULL || strlen(text) > 64)
		return NULL;
	csvtab_lower(text, low, sizeof(low));
	for (size_t i = 0; i < PROGRAMMES_N; i++) {
		if (strcmp(low, programme_defs[i].code) == 0)
			return programme_defs[i].code;
		for (size_t j = 0; j < 6 && programme_defs[i].names[j]; j++)
			if (strcmp(low, programme_defs[i].names[j]) == 0)
				return programme_defs[i].code;
	}
	return NULL;
}

struct programmes_set {
	struct programmes_row *rows;
	size_t n, cap;
	struct csvtab t;
};

void
programmes_set_free(struct programmes_set *s)
{
	if (s == NULL)
		return;
	csvtab_clear(&s->t);
	free(s->rows);
	free(s);
}

size_t
programmes_set_n_rows(const struct programmes_set *s)
{
	return s ? s->n : 0;
}

const struct programmes_row *
programmes_set_row(const struct programmes_set *s, size_t i)
{
	return s && i < s->n ? &s->rows[i] : NULL;
}

size_t
programmes_set_n_bad(const struct programmes_set *s)
{
	return s ? s->t.nbad : 0;
}

size_t
programmes_set_n_bad_kept(const struct programmes_set *s)
{
	return s ? s->t.nbad_kept : 0;
}

const char *
programmes_set_bad(const struct programmes_set *s, size_t i)
{
	return s && i < s->t.nbad_kept ? s->t.bad[i] : NULL;
}

static const struct csvtab_col programme_cols[3] = {
	{ { "код оо", "код", "код школы", "school", "school_code", "code", NULL }, "Код ОО" },
	{ { "год", "year", "учебный год проекта", NULL }, "Год" },
	{ { "программа", "programme", "program", "проект", NULL }, "Программа" },
};

static int
programmes_row_check(void *arg, struct csvtab *t, size_t line, char **cells, struct terr *e)
{
	struct programmes_set *s = arg;
	char msg[400], q[64], what[200];
	const char *prog = programmes_code_of(cells[2]);
	int year;

	msg[0] = '\0';
	csvtab_check_school(cells[0], msg, sizeof(msg));
	year = csvtab_check_year(cells[1], msg, sizeof(msg));
	if (prog == NULL) {
		csvtab_quote(cells[2], q, sizeof(q));
		snprintf(what, sizeof(what), "программа «%s» неизвестна (допустимы: ШНОР, ШНСУ, "
		    "500+, ШАНС, школа-партнёр)", q);
		csvtab_msg_add(msg, sizeof(msg), what);
	}
	if (msg[0])
		return csvtab_bad(t, line, msg) ? terr_set(e, TERR_NOMEM, "недостаточно памяти") : 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct programmes_row *nr = realloc(s->rows, cap * sizeof(*nr));

		if (nr == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		s->rows = nr;
		s->cap = cap;
	}
	snprintf(s->rows[s->n].school, sizeof(s->rows[s->n].school), "%s", cells[0]);
	s->rows[s->n].year = year;
	snprintf(s->rows[s->n].programme, sizeof(s->rows[s->n].programme), "%s", prog);
	s->rows[s->n].line = line;
	s->n++;
	return 0;
}

static int
programmes_row_cmp(const void *a, const void *b)
{
	const struct programmes_row *x = *(const struct programmes_row *const *)a;
	const struct programmes_row *y = *(const struct programmes_row *const *)b;
	int c;

	if ((c = strcmp(x->school, y->school)) != 0)
		return c;
	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	if ((c = strcmp(x->programme, y->programme)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The same school, year and programme twice is a mistake of the list. */
static int
programmes_dups(struct programmes_set *s)
{
	const struct programmes_row **idx;
	int r = 0;

	if (s->n < 2)
		return 0;
	if ((idx = calloc(s->n, sizeof(*idx))) == NULL)
		return TERR_NOMEM;
	for (size_t i = 0; i < s->n; i++)
		idx[i] = &s->rows[i];
	qsort(idx, s->n, sizeof(*idx), programmes_row_cmp);
	for (size_t i = 1; i < s->n && r == 0; i++) {
		char msg[200];

		if (strcmp(idx[i - 1]->school, idx[i]->school) || idx[i - 1]->year != idx[i]->year ||
		    strcmp(idx[i - 1]->programme, idx[i]->programme))
			continue;
		snprintf(msg, sizeof(msg), "повторяет строку %zu (код ОО %s, год %d, %s)",
		    idx[i - 1]->line, idx[i]->school, idx[i]->year,
		    programmes_label(idx[i]->programme));
		r = csvtab_bad(&s->t, idx[i]->line, msg);
	}
	free(idx);
	return r;
}

int
programmes_parse(const char *buf, size_t len, struct programmes_set **out, struct terr *e)
{
	struct programmes_set *s;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if ((r = csvtab_read(&s->t, buf, len, programme_cols, 3, "файл программ",
	    programmes_row_check, s, e)) != 0)
		goto out;
	if (programmes_dups(s) != 0) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	*out = s;
	s = NULL;
	r = 0;
 out:
	programmes_set_free(s);
	return r;
}

/* Replaces each (year, programme) list the file names, in one transaction. */
static int
programmes_store(struct hubdb *db, const struct programmes_set *s, struct terr *e)
{
	bool cleared[2100 - 2000 + 1][PROGRAMMES_N];
	int r;

	memset(cleared, 0, sizeof(cleared));
	if ((r = hubdb_begin(db, e)) != 0)
		return r;
	for (size_t i = 0; i < s->n; i++) {
		bool *c = &cleared[s->rows[i].year - 2000][programmes_index(s->rows[i].programme)];

		if (!*c && (r = hubdb_programme_clear(db, s->rows[i].year, s->rows[i].programme,
		    e)) != 0)
			goto fail;
		*c = true;
	}
	for (size_t i = 0; i < s->n; i++)
		if ((r = hubdb_programme_put(db, s->rows[i].school, s->rows[i].year,
		    s->rows[i].programme, true, e)) != 0)
			goto fail;
	return hubdb_commit(db, e);
 fail:
	hubdb_rollback(db);
	return r;
}

int
programmes_import(struct hubdb *db, const char *path, char **report, size_t *imported,
    struct terr *e)
{
	struct programmes_set *s = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	*imported = 0;
	if (report != NULL)
		*report = NULL;
	if ((r = fileio_read_all(path, PROGRAMMES_MAX_BYTES, &buf, &len, e)) != 0)
		goto out;
	if ((r = programmes_parse((const char *)buf, len, &s, e)) != 0)
		goto out;
	if (s->t.nbad > 0) {
		if (report != NULL && (*report = csvtab_report(&s->t)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
		r = terr_set(e, TERR_INVALID, "строк с ошибками: %zu; ничего не загружено",
		    s->t.nbad);
		goto out;
	}
	if (s->n == 0) {
		r = terr_set(e, TERR_INVALID, "в файле %.200s нет строк с данными, только "
		    "заголовок", path);
		goto out;
	}
	if ((r = programmes_store(db, s, e)) != 0)
		goto out;
	*imported = s->n;
 out:
	programmes_set_free(s);
	free(buf);
	return r;
}

int
programmes_set(struct hubdb *db, const char *school, const char *year,
    const char *programme, bool on, struct terr *e)
{
	const char *code = programmes_code_of(programme);
	int y = csvtab_year(year);

	if (!school_code_ok(school))
		return terr_set(e, TERR_ARG, "код школы «%.40s» недопустим: латинские буквы, "
		    "цифры, «-» и «_», не длиннее 32", school);
	if (y < 0)
		return terr_set(e, TERR_ARG, "год «%.16s» — нужно число от 2000 до 2100", year);
	if (code == NULL)
		return terr_set(e, TERR_ARG, "программа «%.40s» неизвестна (допустимы: ШНОР, "
		    "ШНСУ, 500+, ШАНС, школа-партнёр)", programme);
	return hubdb_programme_put(db, school, y, code, on, e);
}

