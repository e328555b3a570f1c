/*
 * report_xlsx — a report model as an Excel workbook (report_xlsx.h), through
 * libxlsxwriter in its constant-memory mode: each row goes to the sheet's
 * spool file as it is written, so the surveys report at region scale (~5 M
 * cells) is not held a second time as libxlsxwriter's cells. The price:
 * nothing of a row can change once the next is begun, so every column's
 * width is measured over the model before the sheet's first row.
 *
 * The client's export of records (client/src/xlsxio.c) makes its workbooks
 * the same way; this one reads a report model, not records.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "report_render.h"
#include "report_xlsx.h"
#include "tetrad/decimal.h"
#include "tetrad/form.h"

#define XL_CELL_MAX 32767u          /* bytes of a text cell (Excel: characters) */
#define XL_CUT "… (обрезано)"
#define XL_WIDTH_MIN 8              /* a column's width, in characters */
#define XL_WIDTH_MAX 60
#define XL_VALUE_WIDTH_MAX 80       /* «Параметры»: the values' column */
#define XL_HEAD_WIDTH 24            /* a longer header wraps (its longest word never) */
#define XL_HEAD_LINES_MAX 6
#define XL_LINE_HEIGHT 15.0         /* points a line of the default 11 pt font takes */
#define XL_DEC_MAX 10
#define XL_COPY_BUF 65536
#define XL_TMP_NAME "tetrad-report-XXXXXX"
#define XL_NAME_WORK 512            /* a title being made a sheet's name */

struct xl {
	lxw_workbook *wb;
	lxw_format *head, *text, *label, *value, *when, *num[XL_DEC_MAX + 1];
	char names[REPORT_MAX_SECTS][REPORT_XLSX_NAME_CAP];   /* the sections' sheets */
	struct terr *e;
};

/* Bytes of the UTF-8 sequence that byte c begins; 0: c begins none. */
static size_t
xl_seq_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
}

/* The length of the whole UTF-8 sequence at p, or 0 when there is none. */
static size_t
xl_seq(const char *p)
{
	size_t n = xl_seq_len((unsigned char)*p);

	for (size_t i = 1; i < n; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Characters of UTF-8 text: a column's width. */
static size_t
xl_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The code point at *p, moved past, in lower case as Excel compares sheet
 * names (Latin and Cyrillic, Ё included); a byte that is not UTF-8 is itself. */
static uint32_t
xl_fold_next(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	size_t n = xl_seq(*p);
	uint32_t c;

	if (n <= 1) {
		(*p)++;
		return s[0] >= 'A' && s[0] <= 'Z' ? s[0] + 32u : s[0];
	}
	c = s[0] & (0x7fu >> n);
	for (size_t i = 1; i < n; i++)
		c = c << 6 | (s[i] & 0x3fu);
	*p += n;
	if (c >= 0x410 && c <= 0x42f)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	return c;
}

static bool
xl_same_name(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0')
		if (xl_fold_next(&a) != xl_fold_next(&b))
			return false;
	return *a == *b;
}

/* title with what a sheet's name cannot hold made blanks, blanks tidied. */
static void
xl_name_clean(const char *title, char out[XL_NAME_WORK])
{
	size_t o = 0, lead = 0;

	for (const char *p = title ? title : ""; *p != '\0';) {
		unsigned char c = (unsigned char)*p;
		size_t n = xl_seq(p);

		if (n == 0) {                   /* not UTF-8: dropped */
			p++;
			continue;
		}
		if (n == 1 && (c <= ' ' || c == 0x7f || strchr("[]:*?/\\", c) != NULL)) {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
		} else if (o + n < XL_NAME_WORK - 1) {
			memcpy(out + o, p, n);
			o += n;
		} else {
			break;                  /* far past the limit: cut below */
		}
		p += n;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\''))
		o--;
	out[o] = '\0';
	while (out[lead] == ' ' || out[lead] == '\'')
		lead++;
	/* only when there is something to drop: a move onto itself is flagged by
	 * valgrind (the fortified call it becomes checks for overlap) */
	if (lead > 0)
		memmove(out, out + lead, o - lead + 1);
}

/*
 * s (clean UTF-8) cut to at most limit UTF-16 units, ending in «…» if cut:
 * after a whole word when one ends in the second half of what is kept
 * («Решения куратора по факторам…», not «… факторам р…»).
 */
static void
xl_name_cut(char s[XL_NAME_WORK], size_t limit)
{
	size_t units = 0, o = 0, word = 0;

	for (const char *p = s; *p != '\0'; p += xl_seq(p))
		units += xl_seq(p) == 4 ? 2 : 1;
	if (units <= limit)
		return;
	units = 0;
	while (s[o] != '\0') {
		size_t n = xl_seq(s + o), u = n == 4 ? 2 : 1;

		if (units + u > limit - 1)
			break;
		if (s[o] == ' ' && units >= limit / 2)
			word = o;
		units += u;
		o += n;
	}
	if (s[o] != ' ' && word > 0)
		o = word;
	while (o > 0 && (s[o - 1] == ' ' || s[o - 1] == '\''))
		o--;
	memcpy(s + o, "…", sizeof("…"));
}

void
report_xlsx_sheet_name(const char *title, const char *const *taken, size_t ntaken,
    char out[REPORT_XLSX_NAME_CAP])
{
	char base[XL_NAME_WORK], name[XL_NAME_WORK], suffix[16];

	xl_name_clean(title, base);
	if (base[0] == '\0')
		snprintf(base, sizeof(base), "Лист");
	for (unsigned n = 1;; n++) {
		bool used;
		size_t len;

		suffix[0] = '\0';
		if (n > 1)
			snprintf(suffix, sizeof(suffix), " (%u)", n);
		memcpy(name, base, sizeof(name));
		xl_name_cut(name, REPORT_XLSX_SHEET_NAME_MAX - strlen(suffix));
		len = strlen(name);
		memcpy(name + len, suffix, strlen(suffix) + 1);
		used = xl_same_name(name, "History");
		for (size_t i = 0; !used && i < ntaken; i++)
			used = taken[i] != NULL && xl_same_name(name, taken[i]);
		/* at most 31 units of 3 bytes, or 2 of 4 */
		if (!used && strlen(name) < REPORT_XLSX_NAME_CAP) {
			memcpy(out, name, strlen(name) + 1);
			return;
		}
	}
}

static int
xl_lxw(struct xl *x, lxw_error le, const char *what)
{
	if (le == LXW_NO_ERROR)
		return 0;
	if (le == LXW_ERROR_MEMORY_MALLOC_FAILED)
		return terr_set(x->e, TERR_NOMEM, "недостаточно памяти для книги Excel");
	return terr_set(x->e, TERR_IO, "не удалось составить книгу Excel (%s): %s", what,
	    lxw_strerror(le));
}

static int
xl_formats(struct xl *x)
{
	if ((x->head = workbook_add_format(x->wb)) == NULL ||
	    (x->text = workbook_add_format(x->wb)) == NULL ||
	    (x->label = workbook_add_format(x->wb)) == NULL ||
	    (x->value = workbook_add_format(x->wb)) == NULL ||
	    (x->when = workbook_add_format(x->wb)) == NULL)
		return xl_lxw(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "форматы");
	format_set_bold(x->head);
	format_set_text_wrap(x->head);
	format_set_align(x->head, LXW_ALIGN_VERTICAL_TOP);
	format_set_bottom(x->head, LXW_BORDER_THIN);
	format_set_bg_color(x->head, 0xEEEEEE);
	/* "@": a code such as 0012 or 1-2 stays text when the cell is edited */
	format_set_num_format(x->text, "@");
	format_set_text_wrap(x->label);
	format_set_align(x->label, LXW_ALIGN_VERTICAL_TOP);
	format_set_align(x->value, LXW_ALIGN_LEFT);
	format_set_align(x->value, LXW_ALIGN_VERTICAL_TOP);
	format_set_num_format(x->when, "DD.MM.YYYY HH:MM");
	format_set_align(x->when, LXW_ALIGN_LEFT);
	format_set_align(x->when, LXW_ALIGN_VERTICAL_TOP);
	return 0;
}

/*
 * The format of a number with dec decimals, "0", "0.0", "0.00"…, made once.
 * A percent column takes it too: its value is the percentage itself.
 */
static lxw_format *
xl_num_format(struct xl *x, int dec)
{
	char fmt[XL_DEC_MAX + 3] = "0.";

	dec = dec < 0 ? 0 : dec > XL_DEC_MAX ? XL_DEC_MAX : dec;
	if (x->num[dec] == NULL && (x->num[dec] = workbook_add_format(x->wb)) != NULL) {
		memset(fmt + 2, '0', (size_t)dec);
		fmt[dec > 0 ? 2 + dec : 1] = '\0';
		format_set_num_format(x->num[dec], fmt);
	}
	return x->num[dec];
}

/*
 * Text t as a text cell (never a formula, whatever it begins with); empty
 * stays empty. What XML cannot hold — a control character, bytes that are
 * not UTF-8 — becomes a blank or «?»; a text longer than a cell holds is
 * cut with a note.
 */
static int
xl_text(struct xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *t,
    lxw_format *f)
{
	size_t len = strlen(t), keep = len;
	bool clean = true;
	char *copy = NULL;
	int r;

	if (len == 0)
		return 0;
	for (size_t i = 0; clean && i < len; i += xl_seq(t + i))
		clean = xl_seq(t + i) != 0 && ((unsigned char)t[i] >= 0x20 || t[i] == '\t' ||
		    t[i] == '\n');
	if (!clean || len > XL_CELL_MAX) {
		if (len > XL_CELL_MAX) {
			keep = XL_CELL_MAX - sizeof(XL_CUT);
			while (keep > 0 && ((unsigned char)t[keep] & 0xc0) == 0x80)
				keep--;
		}
		if ((copy = malloc(keep + sizeof(XL_CUT))) == NULL)
			return xl_lxw(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "ячейка");
		for (size_t i = 0; i < keep;) {
			size_t n = xl_seq(t + i);

			if (n == 0 || i + n > keep) {
				copy[i++] = '?';
			} else if (n == 1 && (unsigned char)t[i] < 0x20 && t[i] != '\t' &&
			    t[i] != '\n') {
				copy[i++] = ' ';
			} else {
				memcpy(copy + i, t + i, n);
				i += n;
			}
		}
		memcpy(copy + keep, len > keep ? XL_CUT : "", len > keep ? sizeof(XL_CUT) : 1);
		t = copy;
	}
	r = xl_lxw(x, worksheet_write_string(ws, row, col, t, f), "ячейка");
	free(copy);
	return r;
}

/* A number cell; one that is not finite (never made by a report) stays empty. */
static int
xl_number(struct xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v,
    lxw_format *f)
{
	if (!isfinite(v))
		return 0;
	return xl_lxw(x, worksheet_write_number(ws, row, col, v, f), "число");
}

/* The longest word of s, in characters: a wrapped header never splits one. */
static size_t
xl_longest_word(const char *s)
{
	size_t best = 0, cur = 0;

	for (; *s; s++) {
		if (*s == ' ') {
			cur = 0;
		} else if (((unsigned char)*s & 0xc0) != 0x80 && ++cur > best) {
			best = cur;
		}
	}
	return best;
}

/* Lines s takes wrapped at its words to a column of width characters. */
static size_t
xl_wrap_lines(const char *s, size_t width)
{
	size_t lines = 1, line = 0, cap = width > 3 ? width - 2 : 1;

	while (*s) {
		size_t w = 0;

		while (*s == ' ')
			s++;
		for (const char *p = s; *p && *p != ' '; p++)
			w += ((unsigned char)*p & 0xc0) != 0x80;
		while (*s && *s != ' ')
			s++;
		if (w == 0)
			break;
		if (line > 0 && line + 1 + w > cap) {
			lines++;
			line = 0;
		}
		line += (line > 0) + w;
		while (line > cap) {            /* a word wider than the column */
			lines++;
			line -= cap;
		}
	}
	return lines;
}

static size_t
xl_clamp(size_t w, size_t max)
{
	return w < XL_WIDTH_MIN ? XL_WIDTH_MIN : w > max ? max : w;
}

/* Row row of «Параметры»: label and a text value. */
static int
xl_param(struct xl *x, lxw_worksheet *ws, lxw_row_t row, const char *label,
    const char *value, size_t label_width)
{
	size_t lines = xl_wrap_lines(label, label_width);
	int r;

	if (lines > 1 && (r = xl_lxw(x, worksheet_set_row(ws, row,
	    XL_LINE_HEIGHT * (double)lines, NULL), "высота строки")) != 0)
		return r;
	if ((r = xl_text(x, ws, row, 0, label, x->label)) != 0)
		return r;
	return value ? xl_text(x, ws, row, 1, value, x->value) : 0;
}

/* The period of opts as people write it. */
static void
xl_period(const struct report_opts *opts, char *out, size_t cap)
{
	char from[11], to[11];

	if (opts->from && !form_date_ru(opts->from, from))
		snprintf(from, sizeof(from), "%.10s", opts->from);
	if (opts->to && !form_date_ru(opts->to, to))
		snprintf(to, sizeof(to), "%.10s", opts->to);
	if (opts->from && opts->to)
		snprintf(out, cap, "с %s по %s", from, to);
	else if (opts->from)
		snprintf(out, cap, "с %s", from);
	else if (opts->to)
		snprintf(out, cap, "по %s", to);
	else
		snprintf(out, cap, "без ограничений");
}

/*
 * «Параметры»: what the report is, its filters and settings, when it was
 * made, and the full title of each section beside its sheet's name.
 */
static int
xl_params(struct xl *x, const struct report_out *o, const struct report_opts *opts)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, REPORT_XLSX_PARAMS);
	size_t wl = xl_chars("Составлен"), wv = o->title ? xl_chars(o->title) : 0;
	char shown[160], period[64];
	lxw_row_t row = 0;
	time_t now = time(NULL);
	struct tm tm;
	int r;

	if (ws == NULL)
		return terr_set(x->e, TERR_IO, "не удалось добавить лист в книгу Excel "
		    "(нет памяти или временного файла)");
	for (size_t m = 0; m < o->nmeta; m++) {
		report_render_meta_shown(&o->meta[m], shown, sizeof(shown));
		wl = xl_chars(o->meta[m].label) > wl ? xl_chars(o->meta[m].label) : wl;
		wv = xl_chars(shown) > wv ? xl_chars(shown) : wv;
	}
	for (size_t k = 0; k < o->nsects; k++) {
		wl = xl_chars(x->names[k]) > wl ? xl_chars(x->names[k]) : wl;
		wv = o->sects[k].title && xl_chars(o->sects[k].title) > wv ?
		    xl_chars(o->sects[k].title) : wv;
	}
	wl = xl_clamp(wl + 2, XL_WIDTH_MAX);
	wv = xl_clamp(wv + 2, XL_VALUE_WIDTH_MAX);
	if ((r = xl_lxw(x, worksheet_set_column(ws, 0, 0, (double)wl, NULL), "ширина")) != 0 ||
	    (r = xl_lxw(x, worksheet_set_column(ws, 1, 1, (double)wv, NULL), "ширина")) != 0 ||
	    (r = xl_text(x, ws, row, 0, "Параметр", x->head)) != 0 ||
	    (r = xl_text(x, ws, row++, 1, "Значение", x->head)) != 0 ||
	    (r = xl_param(x, ws, row++, "Отчёт", o->title, wl)) != 0)
		return r;
	if (opts != NULL) {
		xl_period(opts, period, sizeof(period));
		if ((r = xl_param(x, ws, row++, "Школа", opts->school ? opts->school :
		    "все школы", wl)) != 0 ||
		    (r = xl_param(x, ws, row++, "Период", period, wl)) != 0)
			return r;
	}
	for (size_t m = 0; m < o->nmeta; m++, row++) {
		const struct report_meta *mt = &o->meta[m];
		double v;

		if (mt->number && decimal_parse(mt->val, false, &v) == 0) {
			if ((r = xl_param(x, ws, row, mt->label, NULL, wl)) != 0 ||
			    (r = xl_number(x, ws, row, 1, v, x->value)) != 0)
				return r;
			continue;
		}
		report_render_meta_shown(mt, shown, sizeof(shown));
		if ((r = xl_param(x, ws, row, mt->label, shown, wl)) != 0)
			return r;
	}
	if (localtime_r(&now, &tm) != NULL) {
		lxw_datetime dt = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec };

		if ((r = xl_param(x, ws, row, "Составлен", NULL, wl)) != 0 ||
		    (r = xl_lxw(x, worksheet_write_datetime(ws, row, 1, &dt, x->when),
		    "дата")) != 0)
			return r;
		row++;
	}
	if (o->nsects == 0)
		return 0;
	row++;
	if ((r = xl_text(x, ws, row, 0, "Лист", x->head)) != 0 ||
	    (r = xl_text(x, ws, row++, 1, "Раздел отчёта", x->head)) != 0)
		return r;
	for (size_t k = 0; k < o->nsects; k++)
		if ((r = xl_param(x, ws, row++, x->names[k], o->sects[k].title, wl)) != 0)
			return r;
	return 0;
}

/* One cell of a section's table; REPORT_CELL_NULL stays empty. */
static int
xl_cell(struct xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
    const struct report_cell *c, int dec)
{
	double v;

	switch (c->kind) {
	case REPORT_CELL_STR:
		return xl_text(x, ws, row, col, c->s, x->text);
	case REPORT_CELL_INT:
		return xl_number(x, ws, row, col, (double)c->i, NULL);
	case REPORT_CELL_NUM:
		/* the value the other renderers show: rounded to the column's
		 * decimals, and -0.004 to two is 0, not "-0" */
		v = report_model_round(c->d, dec);
		return xl_number(x, ws, row, col, v == 0 ? 0.0 : v, xl_num_format(x, dec));
	default:
		return 0;
	}
}

/*
 * The sheet of section s: header, rows, widths, the frozen header and the
 * filter. Columns kept for JSON only (REPORT_COL_JSON_ONLY) are left out,
 * as in the table and the CSV.
 */
static int
xl_section(struct xl *x, const struct report_sect *s, const char *name)
{
	lxw_worksheet *ws;
	size_t *shown = NULL, nshown = 0, lines = 1;
	char buf[64];
	int r = 0;

	if ((ws = workbook_add_worksheet(x->wb, name)) == NULL)
		return terr_set(x->e, TERR_IO, "не удалось добавить в книгу Excel лист «%s» "
		    "(нет памяти или временного файла)", name);
	if (s->ncols > 0 && (shown = calloc(s->ncols, sizeof(*shown))) == NULL)
		return xl_lxw(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "лист");
	for (size_t c = 0; c < s->ncols; c++)
		if (!(s->cols[c].flags & REPORT_COL_JSON_ONLY))
			shown[nshown++] = c;
	/* widths before the first row: a row once left is on disk */
	for (size_t j = 0; j < nshown; j++) {
		const struct report_col *col = &s->cols[shown[j]];
		size_t w = xl_chars(col->head), word = xl_longest_word(col->head);

		w = w < XL_HEAD_WIDTH ? w : XL_HEAD_WIDTH;
		w = word > w ? word : w;
		for (size_t i = 0; i < s->nrows; i++) {
			const struct report_cell *c = report_model_at(s, i, shown[j]);
			size_t cw;

			if (c->kind == REPORT_CELL_NULL)
				continue;
			cw = xl_chars(report_model_cell_text(c, col->dec, ',', buf, sizeof(buf)));
			w = cw > w ? cw : w;
		}
		w = xl_clamp(w + 2, XL_WIDTH_MAX);
		if (xl_wrap_lines(col->head, w) > lines)
			lines = xl_wrap_lines(col->head, w);
		if ((r = xl_lxw(x, worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j,
		    (double)w, NULL), "ширина столбца")) != 0)
			goto out;
	}
	lines = lines > XL_HEAD_LINES_MAX ? XL_HEAD_LINES_MAX : lines;
	if (lines > 1 && (r = xl_lxw(x, worksheet_set_row(ws, 0,
	    XL_LINE_HEIGHT * (double)lines, NULL), "высота заголовка")) != 0)
		goto out;
	for (size_t j = 0; j < nshown; j++)
		if ((r = xl_text(x, ws, 0, (lxw_col_t)j, s->cols[shown[j]].head,
		    x->head)) != 0)
			goto out;
	for (size_t i = 0; i < s->nrows; i++)
		for (size_t j = 0; j < nshown; j++)
			if ((r = xl_cell(x, ws, (lxw_row_t)(i + 1), (lxw_col_t)j,
			    report_model_at(s, i, shown[j]), s->cols[shown[j]].dec)) != 0)
				goto out;
	worksheet_freeze_panes(ws, 1, 0);
	if (nshown > 0)
		r = xl_lxw(x, worksheet_autofilter(ws, 0, 0, (lxw_row_t)s->nrows,
		    (lxw_col_t)(nshown - 1)), "фильтр");
 out:
	free(shown);
	return r;
}

/* The finished workbook (fd, at any offset) copied to out. */
static int
xl_copy(int fd, FILE *out, struct terr *e)
{
	unsigned char *buf = NULL;
	size_t total = 0;
	ssize_t n;
	int r = TERR_IO;

	if ((buf = malloc(XL_COPY_BUF)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти для книги Excel");
	if (lseek(fd, 0, SEEK_SET) != 0) {
		terr_set(e, TERR_IO, "не удалось прочитать временный файл книги Excel: %s",
		    terr_strerror(errno));
		goto out;
	}
	while ((n = read(fd, buf, XL_COPY_BUF)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			terr_set(e, TERR_IO, "не удалось прочитать временный файл книги Excel: %s",
			    terr_strerror(errno));
			goto out;
		}
		/* a zip's first local header, or libxlsxwriter wrote no workbook */
		if (total == 0 && (n < 4 || memcmp(buf, "PK\x03\x04", 4) != 0)) {
			terr_set(e, TERR_IO, "книга Excel не составлена: временный файл испорчен");
			goto out;
		}
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n) {
			terr_set(e, TERR_IO, "не удалось записать отчёт");
			goto out;
		}
		total += (size_t)n;
	}
	if (total == 0) {
		terr_set(e, TERR_IO, "книга Excel не составлена: временный файл пуст");
		goto out;
	}
	r = 0;
 out:
	free(buf);
	return r;
}

int
report_render_xlsx(const struct report_out *o, const struct report_opts *opts,
    const char *tmpdir, FILE *out, struct terr *e)
{
	struct xl x;
	lxw_workbook_options wo;
	lxw_doc_properties props;
	const char *taken[REPORT_MAX_SECTS + 1];
	char dir[PATH_MAX], path[PATH_MAX], title[256];
	bool made = false;
	int fd = -1, r;

	memset(&x, 0, sizeof(x));
	x.e = e;
	if (o == NULL || out == NULL)
		return terr_set(e, TERR_ARG, "отчёт: нечего записывать");
	for (size_t k = 0; k < o->nsects; k++)
		if (o->sects[k].nrows > REPORT_XLSX_ROWS_MAX)
			return terr_set(e, TERR_TOO_LARGE, "в разделе «%s» %zu строк, а лист "
			    "Excel вмещает не больше %u: выберите --format csv или сузьте "
			    "отчёт (--school, --from, --to)", o->sects[k].title ?
			    o->sects[k].title : "", o->sects[k].nrows, REPORT_XLSX_ROWS_MAX);
	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = getenv("TMPDIR");
	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	if ((size_t)snprintf(dir, sizeof(dir), "%s", tmpdir) >= sizeof(dir) ||
	    (size_t)snprintf(path, sizeof(path), "%s/" XL_TMP_NAME, tmpdir) >= sizeof(path))
		return terr_set(e, TERR_IO, "слишком длинный путь временной папки для книги Excel");
	/* 0600, a new name; libxlsxwriter opens this same file by name at the close */
	if ((fd = mkstemp(path)) < 0)
		return terr_set(e, TERR_IO, "не удалось создать временный файл книги Excel в "
		    "%s: %s", dir, terr_strerror(errno));
	made = true;
	memset(&wo, 0, sizeof(wo));
	wo.constant_memory = LXW_TRUE;
	wo.tmpdir = dir;
	if ((x.wb = workbook_new_opt(path, &wo)) == NULL) {
		r = xl_lxw(&x, LXW_ERROR_MEMORY_MALLOC_FAILED, "книга");
		goto out;
	}
	memset(&props, 0, sizeof(props));
	snprintf(title, sizeof(title), "%s", o->title ? o->title : "");
	terr_utf8_trim(title);
	props.title = title;
	if ((r = xl_lxw(&x, workbook_set_properties(x.wb, &props), "свойства")) != 0 ||
	    (r = xl_formats(&x)) != 0)
		goto out;
	taken[0] = REPORT_XLSX_PARAMS;
	for (size_t k = 0; k < o->nsects; k++) {
		report_xlsx_sheet_name(o->sects[k].title, taken, k + 1, x.names[k]);
		taken[k + 1] = x.names[k];
	}
	if (!o->bare && (r = xl_params(&x, o, opts)) != 0)
		goto out;
	for (size_t k = 0; k < o->nsects; k++)
		if ((r = xl_section(&x, &o->sects[k], x.names[k])) != 0)
			goto out;
	{
		lxw_error le = workbook_close(x.wb);

		x.wb = NULL;
		if (le != LXW_NO_ERROR) {
			r = terr_set(e, TERR_IO, "не удалось записать книгу Excel во временную "
			    "папку %s: %s", dir, lxw_strerror(le));
			goto out;
		}
	}
	r = xl_copy(fd, out, e);
 out:
	if (x.wb != NULL)
		(void)workbook_close(x.wb);     /* writes the file: removed just below */
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(path);
	return r;
}
