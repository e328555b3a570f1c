/*
 * report_render — a report model as an aligned table, CSV or JSON (see
 * report_render.h). Only the model's cells are written: the renderers never
 * look at records.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report_render.h"
#include "tetrad/csv.h"
#include "tetrad/decimal.h"
#include "tetrad/tbuf.h"

/* Characters on screen of UTF-8 text (Cyrillic is one column). */
static size_t
text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * n blanks. A column is padded to its widest cell (a question's label:
 * dozens of blanks a row): written a block at a time, not a locked fputc
 * per blank (the surveys table is 49 MB of text at region scale).
 */
static void
put_pad(FILE *f, size_t n)
{
	static const char blanks[] = "                                                                ";

	while (n > 0) {
		size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;

		fwrite(blanks, 1, k, f);
		n -= k;
	}
}

/*
 * A setting's value as a person reads it in the table's header lines (and
 * the workbook's «Параметры»): the two coded settings in words, a number
 * with a decimal comma like the table's cells. JSON keeps the value as
 * stored (report_render_json).
 */
void
report_render_meta_shown(const struct report_meta *m, char *out, size_t cap)
{
	static const struct {
		const char *key, *val, *text;
	} words[] = {
		{ "identification.combine", "mean", "по всем участникам вместе "
		    "(без числа участников — среднее процентов предметов)" },
		{ "identification.combine", "max", "наибольшая из долей предметов" },
		{ "identification.low_comparison", ">=", "не менее порога (>=)" },
		{ "identification.low_comparison", ">", "более порога (>)" },
	};
	char *dot;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (m->key && strcmp(m->key, words[i].key) == 0 &&
		    strcmp(m->val, words[i].val) == 0) {
			snprintf(out, cap, "%s", words[i].text);
			return;
		}
	snprintf(out, cap, "%s", m->val);
	if (m->number && (dot = strchr(out, '.')) != NULL)
		*dot = ',';
}

void
report_render_table(const struct report_out *o, FILE *f)
{
	char buf[64], shown[160];

	fprintf(f, "%s\n", o->title);
	for (size_t m = 0; m < o->nmeta; m++) {
		report_render_meta_shown(&o->meta[m], shown, sizeof(shown));
		fprintf(f, "%s: %s\n", o->meta[m].label, shown);
	}
	for (size_t k = 0; k < o->nsects; k++) {
		const struct report_sect *s = &o->sects[k];
		size_t w[64] = { 0 }, last = 0;

		fprintf(f, "\n%s\n", s->title);
		/* the last shown column gets no padding: no trailing blanks */
		for (size_t c = 0; c < s->ncols && c < 64; c++)
			if (!(s->cols[c].flags & REPORT_COL_JSON_ONLY))
				last = c;
		if (s->nrows == 0) {
			fprintf(f, "  (нет данных)\n");
			continue;
		}
		for (size_t c = 0; c < s->ncols && c < 64; c++) {
			if (s->cols[c].flags & REPORT_COL_JSON_ONLY)
				continue;
			w[c] = text_width(s->cols[c].head);
			for (size_t r = 0; r < s->nrows; r++) {
				const struct report_cell *x = report_model_at(s, r, c);
				size_t tw = text_width(report_model_cell_text(x, s->cols[c].dec, ',',
				    buf, sizeof(buf)));

				if (x->kind == REPORT_CELL_NULL)
					tw = 1;
				if (tw > w[c])
					w[c] = tw;
			}
		}
		for (int pass = 0; pass < 2; pass++) {
			bool first = true;

			for (size_t c = 0; c < s->ncols && c < 64; c++) {
				if (s->cols[c].flags & REPORT_COL_JSON_ONLY)
					continue;
				if (!first)
					fputs("  ", f);
				first = false;
				if (pass == 0) {
					fputs(s->cols[c].head, f);
					if (c != last)
						put_pad(f, w[c] - text_width(s->cols[c].head));
				} else {
					for (size_t i = 0; i < w[c]; i++)
						fputc('-', f);
				}
			}
			fputc('\n', f);
		}
		for (size_t r = 0; r < s->nrows; r++) {
			bool first = true;

			for (size_t c = 0; c < s->ncols && c < 64; c++) {
				const struct report_cell *x = report_model_at(s, r, c);
				const char *t;
				bool num = x->kind == REPORT_CELL_INT || x->kind == REPORT_CELL_NUM;

				if (s->cols[c].flags & REPORT_COL_JSON_ONLY)
					continue;
				t = x->kind == REPORT_CELL_NULL ? "—" :
				    report_model_cell_text(x, s->cols[c].dec, ',', buf, sizeof(buf));
				if (!first)
					fputs("  ", f);
				first = false;
				if (num)
					put_pad(f, w[c] - text_width(t));
				fputs(t, f);
				if (!num && c != last)
					put_pad(f, w[c] - text_width(t));
			}
			fputc('\n', f);
		}
	}
}

/*
 * One section: header row and rows. Several sections: each preceded by a
 * row holding its title, separated by an empty line (docs/reports.md).
 * With ';' (Russian spreadsheets) numbers take a decimal comma.
 */
int
report_render_csv(const struct report_out *o, FILE *f, char delim, struct terr *e)
{
	struct tbuf *b = tbuf_new(REPORT_RENDER_CSV_MAX);
	char buf[64], decsep = delim == ';' ? ',' : '.';
	int r = TERR_NOMEM;

	if (b == NULL || (r = tbuf_put_str(b, "\xef\xbb\xbf")) != 0)
		goto out;
	for (size_t k = 0; k < o->nsects; k++) {
		const struct report_sect *s = &o->sects[k];

		if (o->nsects > 1) {
			if ((k > 0 && (r = tbuf_put_str(b, "\r\n")) != 0) ||
			    (r = csv_put_cell(b, s->title, delim)) != 0 ||
			    (r = tbuf_put_str(b, "\r\n")) != 0)
				goto out;
		}
		for (int header = 1; header >= 0; header--) {
			for (size_t row = 0; row < (header ? 1 : s->nrows); row++) {
				bool first = true;

				for (size_t c = 0; c < s->ncols; c++) {
					const struct report_cell *x = NULL;
					const char *t;

					if (s->cols[c].flags & REPORT_COL_JSON_ONLY)
						continue;
					if (!first && (r = tbuf_put_u8(b, (uint8_t)delim)) != 0)
						goto out;
					first = false;
					if (header) {
						t = s->cols[c].head;
					} else {
						x = report_model_at(s, row, c);
						t = report_model_cell_text(x, s->cols[c].dec, decsep, buf,
						    sizeof(buf));
					}
					/* numbers as numbers (-5 stays minus five); every
					 * text, school names too, guarded against formulas */
					if ((r = x != NULL && (x->kind == REPORT_CELL_INT ||
					    x->kind == REPORT_CELL_NUM) ?
					    csv_put_num(b, t, delim) :
					    csv_put_cell(b, t, delim)) != 0)
						goto out;
				}
				if ((r = tbuf_put_str(b, "\r\n")) != 0)
					goto out;
			}
		}
	}
	fwrite(tbuf_ptr(b), 1, tbuf_len(b), f);
	r = 0;
 out:
	if (r == TERR_TOO_LARGE)
		terr_set(e, r, "отчёт CSV больше %u МБ", REPORT_RENDER_CSV_MAX >> 20);
	else if (r != 0)
		terr_set(e, r, "недостаточно памяти для отчёта");
	tbuf_free(b);
	return r;
}

static cJSON *
cell_json(const struct report_cell *x, int dec)
{
	switch (x->kind) {
	case REPORT_CELL_STR:
		return cJSON_CreateString(x->s);
	case REPORT_CELL_INT:
		return cJSON_CreateNumber((double)x->i);
	case REPORT_CELL_NUM:
		return cJSON_CreateNumber(report_model_round(x->d, dec));
	default:
		return cJSON_CreateNull();
	}
}

int
report_render_json(const struct report_out *o, const struct report_opts *opts, FILE *f,
    struct terr *e)
{
	cJSON *root = cJSON_CreateObject(), *filt, *meta = NULL;
	char *text = NULL;
	int r = TERR_NOMEM;

	if (root == NULL)
		goto out;
	if (!cJSON_AddStringToObject(root, "report", o->name) ||
	    !cJSON_AddStringToObject(root, "title", o->title) ||
	    (filt = cJSON_AddObjectToObject(root, "filters")) == NULL)
		goto out;
	if (!(opts->school ? cJSON_AddStringToObject(filt, "school", opts->school) :
	    cJSON_AddNullToObject(filt, "school")) ||
	    !(opts->from ? cJSON_AddStringToObject(filt, "from", opts->from) :
	    cJSON_AddNullToObject(filt, "from")) ||
	    !(opts->to ? cJSON_AddStringToObject(filt, "to", opts->to) :
	    cJSON_AddNullToObject(filt, "to")))
		goto out;
	if (o->nmeta > 0 && (meta = cJSON_AddObjectToObject(root, "meta")) == NULL)
		goto out;
	for (size_t m = 0; m < o->nmeta; m++) {
		double v = 0;

		if (o->meta[m].number && decimal_parse(o->meta[m].val, false, &v) == 0) {
			if (!cJSON_AddNumberToObject(meta, o->meta[m].key, v))
				goto out;
		} else if (!cJSON_AddStringToObject(meta, o->meta[m].key,
		    o->meta[m].val)) {
			goto out;
		}
	}
	for (size_t k = 0; k < o->nsects; k++) {
		const struct report_sect *s = &o->sects[k];
		cJSON *arr = cJSON_AddArrayToObject(root, s->key);

		if (arr == NULL)
			goto out;
		for (size_t rr = 0; rr < s->nrows; rr++) {
			cJSON *obj = cJSON_CreateObject();

			if (obj == NULL)
				goto out;
			cJSON_AddItemToArray(arr, obj);
			for (size_t c = 0; c < s->ncols; c++) {
				cJSON *v = cell_json(report_model_at(s, rr, c),
				    s->cols[c].dec);

				if (v == NULL)
					goto out;
				cJSON_AddItemToObject(obj, s->cols[c].key, v);
			}
		}
	}
	if ((text = cJSON_Print(root)) == NULL)
		goto out;
	fputs(text, f);
	fputc('\n', f);
	r = 0;
 out:
	if (r != 0)
		terr_set(e, r, "недостаточно памяти для отчёта");
	free(text);
	cJSON_Delete(root);
	return r;
}

