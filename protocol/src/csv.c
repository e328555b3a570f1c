/*
 * csv — bounded RFC 4180 parser (see csv.h).
 */
#include "tetrad/csv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t
csv_utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) { len = 2; cp = p[0] & 0x1f; }
	else if ((p[0] & 0xf0) == 0xe0) { len = 3; cp = p[0] & 0x0f; }
	else if ((p[0] & 0xf8) == 0xf0) { len = 4; cp = p[0] & 0x07; }
	else return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

struct csv_row {
	char **cells;
	size_t n;
	char *cell;     /* cell being built */
	size_t clen;
};

static void
csv_row_clear(struct csv_row *row)
{
	for (size_t i = 0; i < row->n; i++)
		free(row->cells[i]);
	row->n = 0;
}

static int
csv_end_cell(struct csv_row *row, size_t line, struct terr *e)
{
	char *c;

	if (row->n == CSV_MAX_COLS)
		return terr_set(e, TERR_TOO_LARGE, "Строка %zu: больше %d столбцов.",
		    line, CSV_MAX_COLS);
	if ((c = malloc(row->clen + 1)) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	memcpy(c, row->cell, row->clen);
	c[row->clen] = '\0';
	row->cells[row->n++] = c;
	row->clen = 0;
	return 0;
}

int
csv_parse(const char *buf, size_t len, char delim, csv_row_cb cb,
    void *arg, struct terr *e)
{
	const unsigned char *p = (const unsigned char *)buf;
	struct csv_row row = { 0 };
	size_t i = 0, line = 1, row_line = 1, rows = 0;
	bool quoted = false, was_quoted = false, any = false;
	int r = TERR_INTERNAL;

	if (len > CSV_MAX_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "Файл больше %u МБ.",
		    CSV_MAX_BYTES >> 20);
	if (delim == '"' || delim == '\r' || delim == '\n' || delim == '\0')
		return terr_set(e, TERR_ARG, "Недопустимый разделитель столбцов.");
	if ((row.cells = calloc(CSV_MAX_COLS, sizeof(*row.cells))) == NULL ||
	    (row.cell = malloc(CSV_MAX_CELL)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < len) {
		unsigned char ch = p[i];
		size_t ul;

		if (ch == '\0') {
			r = terr_set(e, TERR_PARSE, "Строка %zu: нулевой байт — это не "
			    "текстовый CSV-файл.", line);
			goto out;
		}
		if (quoted) {
			if (ch == '"') {
				if (i + 1 < len && p[i + 1] == '"') {
					ch = '"';
					i++;
				} else {
					quoted = false;
					i++;
					/* after the closing quote only a delimiter or end of line */
					if (i < len && p[i] != (unsigned char)delim &&
					    p[i] != '\r' && p[i] != '\n') {
						r = terr_set(e, TERR_PARSE, "Строка %zu: после "
						    "закрывающей кавычки ожидается разделитель.", line);
						goto out;
					}
					continue;
				}
			}
			if (ch == '\n')
				line++;
		} else if (ch == (unsigned char)delim) {
			if ((r = csv_end_cell(&row, row_line, e)) != 0)
				goto out;
			was_quoted = false;
			any = true;
			i++;
			continue;
		} else if (ch == '\r' || ch == '\n') {
			if ((r = csv_end_cell(&row, row_line, e)) != 0)
				goto out;
			if (ch == '\r' && i + 1 < len && p[i + 1] == '\n')
				i++;
			i++;
			if (++rows > CSV_MAX_ROWS) {
				r = terr_set(e, TERR_TOO_LARGE, "В файле больше %u строк.",
				    CSV_MAX_ROWS);
				goto out;
			}
			if ((r = cb(row_line, row.n, row.cells, arg)) != 0)
				goto out;
			csv_row_clear(&row);
			line++;
			row_line = line;
			was_quoted = false;
			any = false;
			continue;
		} else if (ch == '"') {
			if (row.clen != 0 || was_quoted) {
				r = terr_set(e, TERR_PARSE, "Строка %zu: кавычка внутри "
				    "значения без кавычек (значение с кавычками целиком "
				    "заключают в кавычки, а кавычку удваивают).", line);
				goto out;
			}
			quoted = was_quoted = true;
			any = true;
			i++;
			continue;
		} else if (was_quoted) {
			r = terr_set(e, TERR_PARSE, "Строка %zu: текст после закрывающей "
			    "кавычки.", line);
			goto out;
		}
		ul = csv_utf8_len(p + i, len - i);
		if (ul == 0) {
			r = terr_set(e, TERR_UTF8, "Строка %zu: текст не в кодировке "
			    "UTF-8. Сохраните файл как «CSV UTF-8».", line);
			goto out;
		}
		if (row.clen + ul > CSV_MAX_CELL - 1) {
			r = terr_set(e, TERR_TOO_LARGE, "Строка %zu: значение длиннее "
			    "%u байт.", row_line, CSV_MAX_CELL - 1);
			goto out;
		}
		memcpy(row.cell + row.clen, p + i, ul);
		row.clen += ul;
		any = true;
		i += ul;
	}
	if (quoted) {
		r = terr_set(e, TERR_PARSE, "Строка %zu: не закрыта кавычка.", row_line);
		goto out;
	}
	if (any || row.clen > 0) {
		if ((r = csv_end_cell(&row, row_line, e)) != 0)
			goto out;
		if (++rows > CSV_MAX_ROWS) {
			r = terr_set(e, TERR_TOO_LARGE, "В файле больше %u строк.",
			    CSV_MAX_ROWS);
			goto out;
		}
		if ((r = cb(row_line, row.n, row.cells, arg)) != 0)
			goto out;
	}
	r = 0;
 out:
	if (row.cells)
		csv_row_clear(&row);
	free(row.cells);
	free(row.cell);
	return r;
}

char
csv_guess_delim(const char *buf, size_t len)
{
	size_t semi = 0, comma = 0, tab = 0;
	bool q = false;

	for (size_t i = 0; i < len && (q || (buf[i] != '\n' && buf[i] != '\r')); i++) {
		if (buf[i] == '"')
			q = !q;
		else if (!q && buf[i] == ';')
			semi++;
		else if (!q && buf[i] == ',')
			comma++;
		else if (!q && buf[i] == '\t')
			tab++;
	}
	if (comma > semi && comma >= tab)
		return ',';
	if (tab > semi && tab > comma)
		return '\t';
	return ';';
}


/* The first characters Excel and LibreOffice take for a formula or DDE. */
static bool
csv_formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	    c == '\r';
}

/* guard: prefix the text with a single quote (see csv_put_cell). */
static int
csv_put_quoted(struct tbuf *out, const char *text, bool guard)
{
	int r;

	if ((r = tbuf_put_u8(out, '"')) != 0)
		return r;
	if (guard && (r = tbuf_put_u8(out, '\'')) != 0)
		return r;
	for (const char *p = text; *p; p++) {
		const char *quote = strchr(p, '"');
		size_t run = quote ? (size_t)(quote - p) + 1 : strlen(p);

		if ((r = tbuf_put(out, p, run)) != 0)
			return r;
		if (quote && (r = tbuf_put_u8(out, '"')) != 0)
			return r;
		p += run - 1;
	}
	return tbuf_put_u8(out, '"');
}

static int
csv_put(struct tbuf *out, const char *text, char delim, bool guard)
{
	size_t n = strlen(text);
	bool q = text[0] == ' ' || (n > 0 && text[n - 1] == ' ') ||
	    strncmp(text, "\xEF\xBB\xBF", 3) == 0;

	if (guard)
		guard = csv_formula_start(text[0]) || text[0] == '\'';
	for (const char *p = text; *p && !q; p++)
		if (*p == delim || *p == '"' || *p == '\n' || *p == '\r')
			q = true;
	if (!q && !guard)
		return tbuf_put(out, text, n);
	return csv_put_quoted(out, text, guard);
}

int
csv_put_cell(struct tbuf *out, const char *text, char delim)
{
	return csv_put(out, text, delim, true);
}

bool
csv_is_number(const char *s)
{
	size_t d = 0;

	if (*s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		d++;
	if (d == 0)
		return false;
	if (*s != '.' && *s != ',')
		return *s == '\0';
	s++;
	for (d = 0; *s >= '0' && *s <= '9'; s++)
		d++;
	return d > 0 && *s == '\0';
}

int
csv_put_num(struct tbuf *out, const char *text, char delim)
{
	return csv_put(out, text, delim, !csv_is_number(text));
}

bool
csv_cell_unguard(char *cell)
{
	if (cell[0] != '\'' || !(csv_formula_start(cell[1]) || cell[1] == '\''))
		return false;
	memmove(cell, cell + 1, strlen(cell + 1) + 1);
	return true;
}
