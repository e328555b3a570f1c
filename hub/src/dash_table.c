/*
 * dash_table — what the dashboard shows as tables: a report's model (the
 * same cells its JSON, CSV and workbook are written from, so a page never
 * shows another number than the download) and a store listing (devices,
 * tokens, conflicts, ...). A long table shows its first rows and says how
 * many there are: the whole is in the download.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dash_table.h"
#include "report_model.h"
#include "report_render.h"
#include "tetrad/form.h"

/* A listing's callback stops the store's walk with this (any positive code). */
#define DASH_TABLE_MORE 1

/*
 * A stored text as a person reads it: a date (YYYY-MM-DD) as ДД.ММ.ГГГГ,
 * a moment (ISO UTC, as the store keeps them) as ДД.ММ.ГГГГ ЧЧ:ММ in the
 * hub's own time zone; anything else as it is.
 */
char *
dash_table_list_text(const char *key, const char *s)
{
	size_t n = strlen(s), cap = 4 * n + 64, k = 0;
	char *out = malloc(cap), item[64];

	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (const char *p = s; *p && k < cap; ) {
		size_t m = strcspn(p, ",");

		/* an item as a word where it has one (a programme: «ШНОР») */
		snprintf(item, sizeof(item), "%.*s", (int)(m < sizeof(item) ? m : sizeof(item) - 1), p);
		k += (size_t)snprintf(out + k, cap - k, "%s%.*s", k ? ", " : "",
		    m < sizeof(item) ? (int)strlen(hubdb_list_word(key, item)) : (int)m,
		    m < sizeof(item) ? hubdb_list_word(key, item) : p);
		p += m + (p[m] == ',');
	}
	return out;
}

static const char *
dash_table_text(const char *s, char *buf, size_t cap)
{
	struct tm tm;
	const char *end;
	time_t t;

	if (form_date_ru(s, buf) && cap >= 11)
		return buf;
	memset(&tm, 0, sizeof(tm));
	if (strlen(s) == 20 && s[4] == '-' && s[10] == 'T' && s[19] == 'Z' &&
	    isdigit((unsigned char)s[0]) && (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL &&
	    *end == '\0' && (t = timegm(&tm)) != (time_t)-1 && localtime_r(&t, &tm) != NULL &&
	    strftime(buf, cap, "%d.%m.%Y %H:%M", &tm) > 0)
		return buf;
	return s;
}

static void
dash_table_count(struct html *h, size_t shown, size_t total)
{
	if (shown >= total)
		return;
	html_open(h, "p", "class", "muted small", NULL);
	html_textf(h, "Показаны первые %zu строк из %zu; все строки — в выгрузке Excel или CSV.",
	    shown, total);
	html_close(h, "p");
}

void
dash_table_report_section(struct html *h, const struct report_sect *s, size_t max_rows)
{
	char buf[64], count[64];
	size_t shown = s->nrows < max_rows ? s->nrows : max_rows;

	html_open(h, "section", "class", "report-sect", "data-key", s->key, NULL);
	html_elem(h, "h2", s->title, NULL);
	if (s->nrows == 0) {
		html_elem(h, "p", "Нет данных за выбранный период.", "class", "muted", NULL);
		html_close(h, "section");
		return;
	}
	snprintf(count, sizeof(count), "%zu", s->nrows);
	html_open(h, "div", "class", "tablewrap", NULL);
	html_open(h, "table", "class", "list", "data-rows", count, NULL);
	html_open(h, "thead", NULL);
	html_open(h, "tr", NULL);
	for (size_t c = 0; c < s->ncols; c++)
		if (!(s->cols[c].flags & REPORT_COL_JSON_ONLY))
			html_elem(h, "th", s->cols[c].head, "data-key", s->cols[c].key, NULL);
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody", NULL);
	for (size_t r = 0; r < shown; r++) {
		html_open(h, "tr", NULL);
		for (size_t c = 0; c < s->ncols; c++) {
			const struct report_cell *cell = report_model_at(s, r, c);

			if (s->cols[c].flags & REPORT_COL_JSON_ONLY)
				continue;
			if (cell->kind == REPORT_CELL_NULL)
				html_elem(h, "td", "—", "class", "muted", NULL);
			else if (cell->kind == REPORT_CELL_STR)
				html_elem(h, "td", dash_table_text(cell->s, buf, sizeof(buf)), NULL);
			else
				html_elem(h, "td", report_model_cell_text(cell, s->cols[c].dec, ',', buf,
				    sizeof(buf)), "class", "num", NULL);
		}
		html_close(h, "tr");
	}
	html_close(h, "tbody");
	html_close(h, "table");
	html_close(h, "div");
	dash_table_count(h, shown, s->nrows);
	html_close(h, "section");
}

void
dash_table_report_meta(struct html *h, const struct report_out *o)
{
	if (o->nmeta == 0)
		return;
	html_open(h, "table", "class", "show meta", NULL);
	for (size_t i = 0; i < o->nmeta; i++) {
		html_open(h, "tr", NULL);
		html_elem(h, "th", o->meta[i].label, NULL);
		char shown[160];

		/* as the table and the workbook show it: coded settings in words */
		report_render_meta_shown(&o->meta[i], shown, sizeof(shown));
		html_elem(h, "td", shown, "data-key", o->meta[i].key, NULL);
		html_close(h, "tr");
	}
	html_close(h, "table");
}

/* ---- store listings ----------------------------------------------------- */

struct dash_lister {
	struct html *h;
	size_t rows, max;
	const char *const *hide;         /* keys not shown */
};

static bool
dash_hidden(const struct dash_lister *l, const char *key)
{
	for (size_t i = 0; l->hide != NULL && l->hide[i] != NULL; i++)
		if (strcmp(l->hide[i], key) == 0)
			return true;
	return false;
}

static int
dash_list_row(void *ctx, size_t ncols, const struct hubdb_col *cols)
{
	struct dash_lister *l = ctx;
	char num[32];

	/* one row past the page says "more": the rest is never read (the audit log grows) */
	if (l->rows++ >= l->max)
		return DASH_TABLE_MORE;
	if (l->rows == 1) {
		html_open(l->h, "div", "class", "tablewrap", NULL);
		html_open(l->h, "table", "class", "list", NULL);
		html_open(l->h, "thead", NULL);
		html_open(l->h, "tr", NULL);
		for (size_t i = 0; i < ncols; i++)
			if (!dash_hidden(l, cols[i].key))
				html_elem(l->h, "th", cols[i].header, "data-key", cols[i].key, NULL);
		html_close(l->h, "tr");
		html_close(l->h, "thead");
		html_open(l->h, "tbody", NULL);
	}
	html_open(l->h, "tr", NULL);
	for (size_t i = 0; i < ncols; i++) {
		const struct hubdb_col *c = &cols[i];

		if (dash_hidden(l, c->key))
			continue;
		switch (c->type) {
		case HUBDB_COL_NULL:
			html_elem(l->h, "td", "—", "class", "muted", NULL);
			break;
		case HUBDB_COL_INT:
			snprintf(num, sizeof(num), "%lld", c->i);
			html_elem(l->h, "td", num, "class", "num", NULL);
			break;
		case HUBDB_COL_BOOL:
			html_elem(l->h, "td", c->i ? "да" : "нет", NULL);
			break;
		case HUBDB_COL_TEXT:
			html_elem(l->h, "td", dash_table_text(hubdb_list_word(c->key, c->s), num,
			    sizeof(num)), NULL);
			break;
		case HUBDB_COL_LIST: {
			char *t = dash_table_list_text(c->key, c->s);

			html_elem(l->h, "td", t != NULL ? t : c->s, NULL);
			free(t);
			break;
		}
		}
	}
	html_close(l->h, "tr");
	return 0;
}

int
dash_table_listing(struct html *h, struct hubdb *db, enum hubdb_listing what,
    const char *const *hide, size_t max_rows, const char *empty, struct terr *e)
{
	struct dash_lister l = { h, 0, max_rows, hide };
	int r;

	if ((r = hubdb_list(db, what, dash_list_row, &l, e)) != 0 && r != DASH_TABLE_MORE)
		return r;
	if (l.rows == 0) {
		html_elem(h, "p", empty, "class", "muted", NULL);
		return 0;
	}
	html_close(h, "tbody");
	html_close(h, "table");
	html_close(h, "div");
	if (l.rows > max_rows) {
		html_open(h, "p", "class", "muted small", NULL);
		html_textf(h, "Показаны первые %zu строк; весь список — в выгрузке "
		    ".xlsx или CSV.",
		    max_rows);
		html_close(h, "p");
	}
	return 0;
}
