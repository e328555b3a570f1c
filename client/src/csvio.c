/*
 * csvio — CSV/JSON export (cells by csv_put_cell) and all-or-nothing import
 * (csv_parse).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/fileio.h"
#include "tetrad/tbuf.h"
#include "tetrad/uuid7.h"

#include "client/csvio.h"
#include "client/rec.h"
#include "client/textin.h"

/* A CSV row is built whole in a buffer, then written: the cap only stops
 * a runaway, rows come from our own store. */
#define CSVIO_ROW_MAX (256u << 20)

/* Appends one cell to row, after the delimiter unless it is the first. */
static int
csvio_cell(struct tbuf *row, const char *text, char delim, bool first)
{
	int r;

	if (!first && (r = tbuf_put_u8(row, (uint8_t)delim)) != 0)
		return r;
	return csv_put_cell(row, text, delim);
}

/* Ends row with CRLF, writes it to out and empties it. */
static int
csvio_row_write(struct tbuf *row, FILE *out)
{
	int r;

	if ((r = tbuf_put(row, "\r\n", 2)) != 0)
		return r;
	if (fwrite(tbuf_ptr(row), 1, tbuf_len(row), out) != tbuf_len(row))
		return TERR_IO;
	tbuf_reset(row);
	return 0;
}

/* A value as a person would type it back: да/нет, codes joined by ','. */
static char *
csvio_value_text(const cJSON *v)
{
	char buf[64];

	if (v == NULL || cJSON_IsNull(v))
		return strdup("");
	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (cJSON_IsBool(v))
		return strdup(cJSON_IsTrue(v) ? "да" : "нет");
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == floor(d) && fabs(d) < 1e15)
			snprintf(buf, sizeof(buf), "%.0f", d);
		else
			snprintf(buf, sizeof(buf), "%.15g", d);
		return strdup(buf);
	}
	if (cJSON_IsArray(v)) {
		const cJSON *m;
		bool strings = true;
		size_t n = 1;
		char *s, *w;

		cJSON_ArrayForEach(m, v) {
			if (!cJSON_IsString(m))
				strings = false;
			else
				n += strlen(m->valuestring) + 1;
		}
		if (strings) {
			if ((s = w = malloc(n)) == NULL)
				return NULL;
			*w = '\0';
			cJSON_ArrayForEach(m, v) {
				size_t l = strlen(m->valuestring);

				if (w != s)
					*w++ = ',';
				memcpy(w, m->valuestring, l + 1);
				w += l;
			}
			return s;
		}
	}
	return cJSON_PrintUnformatted(v);
}

struct csvio_export_ctx {
	const struct form *f;
	enum csvio_format fmt;
	char delim;
	FILE *out;
	struct tbuf *row;   /* CSV only */
	size_t n;
	int err;
};

static int
csvio_export_row(const struct store_record *r, void *arg)
{
	struct csvio_export_ctx *x = arg;
	char idtext[UUID7_STRLEN + 1], ver[16];
	cJSON *data = cJSON_Parse(r->data);
	int rv = 0;

	if (strcmp(r->status, "deleted") == 0)
		goto out;
	uuid7_format(r->id, idtext);
	if (x->fmt == CSVIO_JSON) {
		cJSON *o = cJSON_CreateObject();
		char *txt;

		if (o == NULL || !cJSON_AddStringToObject(o, "id", idtext) ||
		    !cJSON_AddStringToObject(o, "form_id", r->form_id) ||
		    !cJSON_AddNumberToObject(o, "form_version", r->form_version) ||
		    !cJSON_AddStringToObject(o, "school", r->school) ||
		    !cJSON_AddStringToObject(o, "status", r->status) ||
		    !cJSON_AddStringToObject(o, "created_hlc", r->created_hlc) ||
		    !cJSON_AddStringToObject(o, "updated_hlc", r->updated_hlc)) {
			cJSON_Delete(o);
			rv = TERR_NOMEM;
			goto out;
		}
		if (data && cJSON_AddItemToObject(o, "data", data))
			data = NULL;
		if ((txt = cJSON_PrintUnformatted(o)) == NULL) {
			cJSON_Delete(o);
			rv = TERR_NOMEM;
			goto out;
		}
		if (fprintf(x->out, "%s  %s", x->n ? ",\n" : "", txt) < 0)
			rv = TERR_IO;
		cJSON_free(txt);
		cJSON_Delete(o);
		x->n++;
		goto out;
	}
	snprintf(ver, sizeof(ver), "%u", r->form_version);
	if ((rv = csvio_cell(x->row, idtext, x->delim, true)) != 0 ||
	    (rv = csvio_cell(x->row, r->status, x->delim, false)) != 0 ||
	    (rv = csvio_cell(x->row, ver, x->delim, false)) != 0)
		goto out;
	for (size_t i = 0; i < form_n_fields(x->f); i++) {
		const struct form_field *fd = form_field_at(x->f, i);
		char *t = csvio_value_text(data ?
		    cJSON_GetObjectItemCaseSensitive(data, fd->id) : NULL);

		if (t == NULL) {
			rv = TERR_NOMEM;
			goto out;
		}
		rv = csvio_cell(x->row, t, x->delim, false);
		free(t);
		if (rv)
			goto out;
	}
	if ((rv = csvio_row_write(x->row, x->out)) != 0)
		goto out;
	x->n++;
 out:
	cJSON_Delete(data);
	if (rv)
		x->err = rv;
	return rv;
}

int
csvio_export(struct store *s, const struct catalog *c, const char *form_id,
    enum csvio_format fmt, char delim, FILE *out, struct terr *e)
{
	struct csvio_export_ctx x = { 0 };
	int r = 0;

	x.f = catalog_latest(c, form_id);
	x.fmt = fmt;
	x.delim = delim ? delim : ';';
	x.out = out;
	if (x.f == NULL)
		return terr_set(e, STORE_NOTFOUND, "Форма «%s» не найдена. Список "
		    "форм: «tetrad forms».", form_id);
	if (fmt == CSVIO_CSV) {
		if ((x.row = tbuf_new(CSVIO_ROW_MAX)) == NULL)
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		/* the BOM is what makes Excel read the file as UTF-8 */
		if (fputs("\xef\xbb\xbf", out) < 0)
			goto io;
		if ((r = csvio_cell(x.row, "id", x.delim, true)) != 0 ||
		    (r = csvio_cell(x.row, "status", x.delim, false)) != 0 ||
		    (r = csvio_cell(x.row, "form_version", x.delim, false)) != 0)
			goto fail;
		for (size_t i = 0; i < form_n_fields(x.f); i++)
			if ((r = csvio_cell(x.row, form_field_at(x.f, i)->id, x.delim,
			    false)) != 0)
				goto fail;
		if ((r = csvio_row_write(x.row, out)) != 0)
			goto fail;
	} else if (fputs("[\n", out) < 0) {
		goto io;
	}
	if ((r = store_record_each(s, form_id, NULL, csvio_export_row, &x, e)) != 0) {
		if (x.err != 0)
			r = x.err;
		goto fail;
	}
	if (fmt == CSVIO_JSON && fputs(x.n ? "\n]\n" : "]\n", out) < 0)
		goto io;
	if (fflush(out) != 0)
		goto io;
	r = 0;
	goto out;
 fail:
	/* our own failures get a message here; a store error has its own */
	if (r == TERR_IO)
		goto io;
	if (r == TERR_NOMEM)
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	else if (r == TERR_TOO_LARGE)
		r = terr_set(e, TERR_TOO_LARGE, "Строка выгрузки длиннее %u МБ.",
		    CSVIO_ROW_MAX >> 20);
	goto out;
 io:
	r = terr_set(e, TERR_IO, "Не удалось записать выгрузку: %s.",
	    strerror(errno));
 out:
	tbuf_free(x.row);
	return r;
}

/* import */

struct csvio_report {
	char *text;
	size_t len, cap;
	size_t problems;
};

static void
csvio_report_add(struct csvio_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
csvio_report_add(struct csvio_report *rep, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	rep->problems++;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	if (rep->len + (size_t)n + 2 > CSVIO_REPORT_MAX)
		return;
	if (rep->len + (size_t)n + 2 > rep->cap) {
		size_t ncap = rep->cap ? rep->cap * 2 : 4096;
		char *t;

		while (ncap < rep->len + (size_t)n + 2)
			ncap *= 2;
		if ((t = realloc(rep->text, ncap)) == NULL)
			return;
		rep->text = t;
		rep->cap = ncap;
	}
	memcpy(rep->text + rep->len, line, (size_t)n);
	rep->len += (size_t)n;
	rep->text[rep->len++] = '\n';
	rep->text[rep->len] = '\0';
}

struct csvio_import_ctx {
	const struct form *f;
	const struct form_field **cols;  /* NULL: column ignored */
	size_t ncols;
	bool header_done;
	cJSON *rows;                     /* array of [line, values] */
	struct csvio_report rep;
	struct terr *e;
};

static const struct form_field *
csvio_find_column(const struct form *f, const char *name)
{
	const struct form_field *fd = form_find(f, name);

	if (fd)
		return fd;
	for (size_t i = 0; i < form_n_fields(f); i++)
		if (strcmp(form_field_at(f, i)->label, name) == 0)
			return form_field_at(f, i);
	return NULL;
}

static bool
csvio_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

static int
csvio_import_row(size_t line, size_t n, char *const *cells, void *arg)
{
	struct csvio_import_ctx *x = arg;
	cJSON *values = NULL, *pair = NULL;
	struct form_problems *probs = NULL;
	bool bad = false, empty = true;

	if (!x->header_done) {
		x->header_done = true;
		x->ncols = n;
		if ((x->cols = calloc(n ? n : 1, sizeof(*x->cols))) == NULL)
			return terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
		for (size_t i = 0; i < n; i++) {
			const char *h = cells[i];

			if (strcmp(h, "id") == 0 || strcmp(h, "status") == 0 ||
			    strcmp(h, "form_version") == 0 || *h == '\0')
				continue;
			if ((x->cols[i] = csvio_find_column(x->f, h)) == NULL)
				csvio_report_add(&x->rep, "Строка %zu (заголовок), столбец %zu: "
				    "в форме «%s» нет поля «%s».", line, i + 1,
				    form_title(x->f), h);
			for (size_t j = 0; x->cols[i] && j < i; j++)
				if (x->cols[j] == x->cols[i])
					csvio_report_add(&x->rep, "Строка %zu (заголовок): "
					    "поле «%s» указано дважды.", line, h);
		}
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!csvio_blank(cells[i]))
			empty = false;
	if (empty)  /* spreadsheets leave blank lines at the end */
		return 0;
	if (n > x->ncols) {
		csvio_report_add(&x->rep, "Строка %zu: %zu значений, а столбцов в "
		    "заголовке %zu.", line, n, x->ncols);
		return 0;
	}
	if ((values = cJSON_CreateObject()) == NULL)
		return terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = x->cols[i];
		struct terr fe = { 0 };
		cJSON *v = NULL;

		if (fd == NULL || csvio_blank(cells[i]))
			continue;
		if (fd->type == FORM_GROUP) {
			v = cJSON_Parse(cells[i]);
			if (!cJSON_IsArray(v)) {
				cJSON_Delete(v);
				v = NULL;
				csvio_report_add(&x->rep, "Строка %zu: %s: ожидается "
				    "JSON-массив элементов.", line, fd->label);
				bad = true;
				continue;
			}
		} else if (textin_value(fd, cells[i], &v, &fe) != 0) {
			csvio_report_add(&x->rep, "Строка %zu: %s", line, fe.msg);
			bad = true;
			continue;
		}
		if (!cJSON_AddItemToObject(values, fd->id, v)) {
			cJSON_Delete(v);
			cJSON_Delete(values);
			return terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
		}
	}
	if (!bad) {
		int r = form_validate(x->f, values, FORM_FINAL, &probs, x->e);

		if (r == TERR_INVALID) {
			for (size_t i = 0; probs && i < probs->n; i++)
				csvio_report_add(&x->rep, "Строка %zu: %s", line,
				    probs->items[i].message);
			form_problems_free(probs);
			bad = true;
		} else if (r != 0) {
			cJSON_Delete(values);
			return r;
		}
	}
	if (bad) {
		cJSON_Delete(values);
		return 0;
	}
	if ((pair = cJSON_CreateArray()) == NULL ||
	    !cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)line)) ||
	    !cJSON_AddItemToArray(pair, values) ||
	    !cJSON_AddItemToArray(x->rows, pair)) {
		cJSON_Delete(pair);
		return terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
	}
	return 0;
}

/* The whole file through fileio_read_all; a file that cannot be read is the caller's argument. */
static int
csvio_read_file(const char *path, char **out, size_t *len, struct terr *e)
{
	uint8_t *buf = NULL;
	char m[TERR_MSG_MAX];
	int r;

	*out = NULL;
	if ((r = fileio_read_all(path, CSV_MAX_BYTES, &buf, len, e)) == TERR_TOO_LARGE)
		return terr_set(e, r, "Файл «%s» больше %u МБ: разделите его на части.", path,
		    CSV_MAX_BYTES >> 20);
	if (r == TERR_IO) {
		snprintf(m, sizeof(m), "%s", e != NULL ? e->msg : "");
		return terr_set(e, TERR_ARG, "Не удалось прочитать файл «%s»: %s.", path, m);
	}
	if (r != 0)
		return r;
	*out = (char *)buf;
	return 0;
}

int
csvio_import(struct store *s, const struct catalog *c, const char *form_id,
    const char *path, char delim, size_t *imported, char **report,
    struct terr *e)
{
	struct csvio_import_ctx x = { 0 };
	char *buf = NULL;
	size_t len = 0;
	const cJSON *pair;
	int r;

	*imported = 0;
	*report = NULL;
	x.e = e;
	if ((x.f = catalog_latest(c, form_id)) == NULL)
		return terr_set(e, STORE_NOTFOUND, "Форма «%s» не найдена. Список "
		    "форм: «tetrad forms».", form_id);
	if ((x.rows = cJSON_CreateArray()) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	if ((r = csvio_read_file(path, &buf, &len, e)) != 0)
		goto out;
	if (delim == 0)
		delim = csv_guess_delim(buf, len);
	if ((r = csv_parse(buf, len, delim, csvio_import_row, &x, e)) != 0) {
		if (r != TERR_NOMEM && e) {
			char why[TERR_MSG_MAX];

			snprintf(why, sizeof(why), "%s", e->msg);
			r = terr_set(e, TERR_INVALID, "Файл «%s» не прочитан, ничего не "
			    "записано: %s", path, why);
		} else if (r != TERR_NOMEM) {
			r = TERR_INVALID;
		}
		goto out;
	}
	if (!x.header_done) {
		r = terr_set(e, TERR_INVALID, "Файл «%s» пуст: нужна строка "
		    "заголовка с именами полей.", path);
		goto out;
	}
	if (x.rep.problems > 0) {
		r = terr_set(e, TERR_INVALID, "Файл «%s» не загружен, ничего не "
		    "записано: ошибок — %zu.", path, x.rep.problems);
		*report = x.rep.text;
		x.rep.text = NULL;
		goto out;
	}
	if ((r = store_begin(s, e)) != 0)
		goto out;
	cJSON_ArrayForEach(pair, x.rows) {
		uint8_t id[UUID7_BYTES];

		if ((r = rec_create(s, x.f, NULL, cJSON_GetArrayItem(pair, 1), false,
		    true, id, e)) != 0) {
			store_rollback(s);
			goto out;
		}
	}
	if ((r = store_commit(s, e)) != 0)
		goto out;
	*imported = (size_t)cJSON_GetArraySize(x.rows);
 out:
	free(buf);
	free(x.cols);
	free(x.rep.text);
	cJSON_Delete(x.rows);
	return r;
}
