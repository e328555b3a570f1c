/*
 * schools — register of schools (see schools.h): checks and
 * the all-or-nothing CSV import; the rows live in the store (hubdb.h).
 */
#include "hub/schools.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/changeset.h"
#include "tetrad/csv.h"
#include "tetrad/fileio.h"
#include "tetrad/school.h"
#include "tetrad/termsafe.h"

/* NULL when the name is acceptable, else why not (Russian). */
static const char *
schools_name_problem(const char *name)
{
	if (name[0] == '\0')
		return "пустое наименование";
	if (strlen(name) > SCHOOLS_NAME_MAX)
		return "наименование длиннее 200 байт";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			return "наименование содержит управляющие символы";
	return NULL;
}

int
schools_add(struct hubdb *db, const char *code, const char *name, struct terr *e)
{
	const char *why;

	if (!school_code_ok(code))
		return terr_set(e, TERR_ARG, "код школы «%.40s» недопустим: латинские буквы, цифры, "
		    "«-» и «_», не длиннее %d", code, CHANGESET_SCHOOL_MAX);
	if ((why = schools_name_problem(name)) != NULL)
		return terr_set(e, TERR_ARG, "школа %s: %s", code, why);
	return hubdb_school_put(db, code, name, e);
}

struct schools_row {
	char code[CHANGESET_SCHOOL_MAX + 1];
	char *name;
	size_t line;
};

struct schools_import_ctx {
	int code_col, name_col;
	struct schools_row *rows;
	size_t n;
	size_t bad;
	FILE *report;
	struct terr *e;
};

/* Header names, compared as written and with the first letter in lower case. */
static int
schools_column(const char *cell)
{
	static const char *const code_names[] = { "code", "school_code", "school", "Код ОО",
	    "код ОО", "Код", "код", "Код школы", "код школы" };
	static const char *const name_names[] = { "name", "Наименование", "наименование",
	    "Название", "название", "Школа", "школа", "Наименование ОО", "наименование ОО" };
	char low[64];
	size_t n = strlen(cell);

	while (n > 0 && cell[n - 1] == ' ')
		n--;
	if (n >= sizeof(low))
		return -1;
	for (size_t i = 0; i < n; i++)
		low[i] = (cell[i] >= 'A' && cell[i] <= 'Z') ? (char)(cell[i] + 32) : cell[i];
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(code_names) / sizeof(code_names[0]); i++)
		if (strcmp(low, code_names[i]) == 0 || strncmp(cell, code_names[i], n + 1) == 0)
			return 0;
	for (size_t i = 0; i < sizeof(name_names) / sizeof(name_names[0]); i++)
		if (strcmp(low, name_names[i]) == 0 || strncmp(cell, name_names[i], n + 1) == 0)
			return 1;
	return -1;
}

static void
schools_bad(struct schools_import_ctx *x, size_t line, const char *msg)
{
	x->bad++;
	if (x->report != NULL && x->bad <= SCHOOLS_REPORT_MAX)
		fprintf(x->report, "строка %zu: %s\n", line, msg);
}

static char *
schools_trim(char *s)
{
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

static int
schools_row(size_t line, size_t n, char *const *cells, void *arg)
{
	struct schools_import_ctx *x = arg;
	char *code, *name, msg[160];
	const char *why;

	if (x->code_col < 0) {   /* the header */
		x->code_col = x->name_col = -2;
		for (size_t i = 0; i < n; i++) {
			int c = schools_column(cells[i]);

			if (c == 0 && x->code_col == -2)
				x->code_col = (int)i;
			else if (c == 1 && x->name_col == -2)
				x->name_col = (int)i;
		}
		if (x->code_col < 0 || x->name_col < 0)
			return terr_set(x->e, TERR_INVALID, "в первой строке нет столбцов «Код ОО» и "
			    "«Наименование» (допустимы также code, name, Код, Название, Школа)");
		return 0;
	}
	if (n == 1 && cells[0][0] == '\0')
		return 0;   /* a blank line */
	if (x->n >= SCHOOLS_ROWS_MAX)
		return terr_set(x->e, TERR_TOO_LARGE, "в файле больше %u школ", SCHOOLS_ROWS_MAX);
	if ((size_t)x->code_col >= n || (size_t)x->name_col >= n) {
		schools_bad(x, line, "не хватает столбцов");
		return 0;
	}
	code = schools_trim(cells[x->code_col]);
	name = schools_trim(cells[x->name_col]);
	if (!school_code_ok(code)) {
		snprintf(msg, sizeof(msg), "код «%.40s» недопустим: латинские буквы, цифры, «-» и "
		    "«_», не длиннее 32", code);
		terr_utf8_trim(msg);
		schools_bad(x, line, msg);
		return 0;
	}
	if ((why = schools_name_problem(name)) != NULL) {
		schools_bad(x, line, why);
		return 0;
	}
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->rows[i].code, code) == 0) {
			snprintf(msg, sizeof(msg), "код %s уже встречался в строке %zu", code,
			    x->rows[i].line);
			schools_bad(x, line, msg);
			return 0;
		}
	{
		struct schools_row *nr = realloc(x->rows, (x->n + 1) * sizeof(*nr));

		if (nr == NULL)
			return terr_set(x->e, TERR_NOMEM, "недостаточно памяти");
		x->rows = nr;
		if ((nr[x->n].name = strdup(name)) == NULL)
			return terr_set(x->e, TERR_NOMEM, "недостаточно памяти");
		snprintf(nr[x->n].code, sizeof(nr[x->n].code), "%s", code);
		nr[x->n].line = line;
		x->n++;
	}
	return 0;
}

int
schools_import(struct hubdb *db, const char *path, FILE *report, size_t *imported,
    struct terr *e)
{
	struct schools_import_ctx x;
	uint8_t *buf = NULL;
	size_t len;
	int r;

	*imported = 0;
	memset(&x, 0, sizeof(x));
	x.code_col = x.name_col = -1;
	x.report = report;
	x.e = e;
	if ((r = fileio_read_all(path, SCHOOLS_FILE_MAX, &buf, &len, e)) != 0)
		goto out;
	if ((r = csv_parse((const char *)buf, len, csv_guess_delim((const char *)buf, len),
	    schools_row, &x, e)) != 0)
		goto out;
	if (x.code_col < 0) {
		r = terr_set(e, TERR_INVALID, "%s пуст", path);
		goto out;
	}
	if (x.bad > 0) {
		if (report != NULL && x.bad > SCHOOLS_REPORT_MAX)
			fprintf(report, "… и ещё строк с ошибками: %zu\n", x.bad - SCHOOLS_REPORT_MAX);
		r = terr_set(e, TERR_INVALID, "строк с ошибками: %zu; ничего не загружено", x.bad);
		goto out;
	}
	if ((r = hubdb_begin(db, e)) != 0)
		goto out;
	for (size_t i = 0; i < x.n; i++)
		if ((r = hubdb_school_put(db, x.rows[i].code, x.rows[i].name, e)) != 0) {
			hubdb_rollback(db);
			goto out;
		}
	if ((r = hubdb_commit(db, e)) != 0)
		goto out;
	*imported = x.n;
 out:
	for (size_t i = 0; i < x.n; i++)
		free(x.rows[i].name);
	free(x.rows);
	free(buf);
	return r;
}
