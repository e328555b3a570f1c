/*
 * csvtab — the calendar imports' table reader (see csvtab.h).
 */
#include "tetrad/csvtab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/csv.h"
#include "tetrad/school.h"

/* State of csvtab_read between the rows tetrad/csv.h hands it. */
struct csvtab_reader {
	struct csvtab *t;
	const struct csvtab_col *cols;
	size_t ncols, hdr_cols;
	int map[CSVTAB_WANT_MAX];
	bool have_header;
	const char *what;
	csvtab_row_fn fn;
	void *arg;
	struct terr *e;
};

void
csvtab_lower(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)in;

	while (*p && o + 3 < cap) {
		if (*p >= 'A' && *p <= 'Z') {
			out[o++] = (char)(*p + 32);
			p++;
		} else if (p[0] == 0xd0 && p[1] >= 0x90 && p[1] <= 0x9f) {
			out[o++] = (char)0xd0;
			out[o++] = (char)(p[1] + 0x20);
			p += 2;
		} else if (p[0] == 0xd0 && p[1] >= 0xa0 && p[1] <= 0xaf) {
			out[o++] = (char)0xd1;
			out[o++] = (char)(p[1] - 0x20);
			p += 2;
		} else if (p[0] == 0xd0 && p[1] == 0x81) {   /* Ё */
			out[o++] = (char)0xd1;
			out[o++] = (char)0x91;
			p += 2;
		} else {
			out[o++] = (char)*p++;
		}
	}
	out[o] = '\0';
}

void
csvtab_quote(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s), lim = cap - 4 < 40 ? cap - 4 : 40;

	if (n > lim) {
		n = lim;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		snprintf(out, cap, "%.*s…", (int)n, s);
	} else {
		snprintf(out, cap, "%s", s);
	}
}

int
csvtab_year(const char *s)
{
	char *end = NULL;
	long y;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	y = strtol(s, &end, 10);
	if (errno || *end || y < 2000 || y > 2100)
		return -1;
	return (int)y;
}

void
csvtab_msg_add(char *msg, size_t cap, const char *what)
{
	size_t n = strlen(msg);

	snprintf(msg + n, cap - n, "%s%s", n ? "; " : "", what);
}

bool
csvtab_check_school(const char *cell, char *msg, size_t cap)
{
	char q[64], what[200];

	if (school_code_ok(cell))
		return true;
	csvtab_quote(cell, q, sizeof(q));
	snprintf(what, sizeof(what), "код ОО «%s» недопустим: латинские буквы, цифры, "
	    "«-» и «_», не длиннее 32", q);
	csvtab_msg_add(msg, cap, what);
	return false;
}

int
csvtab_check_year(const char *cell, char *msg, size_t cap)
{
	char q[64], what[200];
	int y = csvtab_year(cell);

	if (y >= 0)
		return y;
	csvtab_quote(cell, q, sizeof(q));
	snprintf(what, sizeof(what), "год «%s» — нужно число от 2000 до 2100", q);
	csvtab_msg_add(msg, cap, what);
	return -1;
}

char *
csvtab_report(const struct csvtab *t)
{
	char more[96] = "", *text, *w;
	size_t len = 1;

	if (t->nbad > t->nbad_kept)
		snprintf(more, sizeof(more), "… и ещё строк с ошибками: %zu\n",
		    t->nbad - t->nbad_kept);
	for (size_t i = 0; i < t->nbad_kept; i++)
		len += strlen(t->bad[i]) + 1;
	if ((text = w = malloc(len + strlen(more))) == NULL)
		return NULL;
	for (size_t i = 0; i < t->nbad_kept; i++) {
		size_t n = strlen(t->bad[i]);

		memcpy(w, t->bad[i], n);
		w += n;
		*w++ = '\n';
	}
	memcpy(w, more, strlen(more) + 1);
	return text;
}

int
csvtab_bad(struct csvtab *t, size_t line, const char *msg)
{
	char buf[512];

	t->nbad++;
	if (t->nbad_kept >= CSVTAB_BAD_KEEP)
		return 0;
	if (t->bad == NULL && (t->bad = calloc(CSVTAB_BAD_KEEP, sizeof(*t->bad))) == NULL)
		return TERR_NOMEM;
	snprintf(buf, sizeof(buf), "строка %zu: %s", line, msg);
	terr_utf8_trim(buf);
	if ((t->bad[t->nbad_kept] = strdup(buf)) == NULL)
		return TERR_NOMEM;
	t->nbad_kept++;
	return 0;
}

void
csvtab_clear(struct csvtab *t)
{
	for (size_t i = 0; i < t->nbad_kept; i++)
		free(t->bad[i]);
	free(t->bad);
	memset(t, 0, sizeof(*t));
}

static char *
csvtab_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static int
csvtab_header(struct csvtab_reader *rd, size_t line, size_t n, char *const *cells)
{
	char low[CSVTAB_FIELD_MAX * 2 + 4];

	if (n > CSVTAB_MAX_COLS)
		return terr_set(rd->e, TERR_PARSE, "строка %zu: в заголовке больше %d столбцов",
		    line, CSVTAB_MAX_COLS);
	for (size_t k = 0; k < rd->ncols; k++)
		rd->map[k] = -1;
	for (size_t i = 0; i < n; i++) {
		if (strlen(cells[i]) > CSVTAB_FIELD_MAX)
			continue;
		csvtab_lower(csvtab_trim(cells[i]), low, sizeof(low));
		for (size_t k = 0; k < rd->ncols; k++)
			for (size_t j = 0; j < 8 && rd->cols[k].names[j]; j++) {
				if (strcmp(low, rd->cols[k].names[j]) != 0)
					continue;
				if (rd->map[k] >= 0)
					return terr_set(rd->e, TERR_PARSE, "строка %zu: столбец «%s» "
					    "указан в заголовке дважды", line, rd->cols[k].title);
				rd->map[k] = (int)i;
			}
	}
	for (size_t k = 0; k < rd->ncols; k++)
		if (rd->map[k] < 0)
			return terr_set(rd->e, TERR_PARSE, "%s: в первой строке нет столбца «%s»",
			    rd->what, rd->cols[k].title);
	rd->hdr_cols = n;
	rd->have_header = true;
	return 0;
}

static int
csvtab_row(size_t line, size_t n, char *const *cells, void *arg)
{
	struct csvtab_reader *rd = arg;
	char *want[CSVTAB_WANT_MAX], msg[96];

	if (n == 1 && csvtab_trim(cells[0])[0] == '\0')
		return 0;   /* a blank line */
	if (!rd->have_header)
		return csvtab_header(rd, line, n, cells);
	if (rd->t->nrows + rd->t->nbad >= CSVTAB_MAX_ROWS)
		return terr_set(rd->e, TERR_TOO_LARGE, "%s: больше %d строк", rd->what,
		    CSVTAB_MAX_ROWS);
	rd->t->nrows++;
	if (n != rd->hdr_cols) {
		snprintf(msg, sizeof(msg), "столбцов %zu, а в заголовке %zu", n, rd->hdr_cols);
		return csvtab_bad(rd->t, line, msg) ? terr_set(rd->e, TERR_NOMEM,
		    "недостаточно памяти") : 0;
	}
	for (size_t k = 0; k < rd->ncols; k++) {
		if (strlen(cells[rd->map[k]]) > CSVTAB_FIELD_MAX) {
			snprintf(msg, sizeof(msg), "ячейка длиннее %d байт", CSVTAB_FIELD_MAX);
			return csvtab_bad(rd->t, line, msg) ? terr_set(rd->e, TERR_NOMEM,
			    "недостаточно памяти") : 0;
		}
		want[k] = csvtab_trim(cells[rd->map[k]]);
	}
	return rd->fn(rd->arg, rd->t, line, want, rd->e);
}

int
csvtab_read(struct csvtab *t, const char *buf, size_t len, const struct csvtab_col *cols,
    size_t ncols, const char *what, csvtab_row_fn fn, void *arg, struct terr *e)
{
	struct csvtab_reader rd;
	size_t skip = 0;
	int r;

	memset(t, 0, sizeof(*t));
	if (ncols == 0 || ncols > CSVTAB_WANT_MAX)
		return terr_set(e, TERR_ARG, "csvtab: неверное число столбцов");
	if (len > CSVTAB_MAX_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "%s больше %u МБ", what, CSVTAB_MAX_BYTES >> 20);
	memset(&rd, 0, sizeof(rd));
	rd.t = t;
	rd.cols = cols;
	rd.ncols = ncols;
	rd.what = what;
	rd.fn = fn;
	rd.arg = arg;
	rd.e = e;
	/* the separator is the one the header row uses; blank lines before it do not count */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	while (skip < len && (buf[skip] == '\n' || buf[skip] == '\r'))
		skip++;
	if ((r = csv_parse(buf, len, csv_guess_delim(buf + skip, len - skip), csvtab_row, &rd,
	    e)) != 0) {
		csvtab_clear(t);
		return r;
	}
	if (!rd.have_header) {
		csvtab_clear(t);
		return terr_set(e, TERR_PARSE, "%s пуст: нужна строка заголовка", what);
	}
	return 0;
}
