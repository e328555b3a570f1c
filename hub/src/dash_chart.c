/*
 * dash_chart — the dashboard's charts, drawn by the server as inline SVG
 * from the same report model the tables come from: no chart library, no
 * script, nothing fetched. Each chart must read on paper in black and
 * white: categories differ by shape or by the number written beside them,
 * never by colour alone; colours come from app.css (the CSP allows no
 * style attribute). Every SVG element is closed by its end tag: inside
 * HTML, SVG has no void elements, and a <line> left open would hold the
 * rest of the chart.
 *
 *   identification   ИСБШ × share of low results, the thresholds drawn,
 *                    each school a marker of its cluster's shape, a link to
 *                    its page;
 *   verification     the school × factor matrix (an HTML table, coloured,
 *                    with the decision's short word in each cell) and the
 *                    factors' decisions as stacked bars;
 *   mediation        each dimension (source, kind, programme, …) summed
 *                    over the schools shown, as bars;
 *   surveys          responses per group, as bars; each question's answers
 *                    (dash_chart_answers.c);
 *   passport         the years (dash_chart_trend.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash_chart.h"
#include "dash_chart_answers.h"
#include "dash_chart_trend.h"
#include "report_model.h"

#define CHART_BARS_MAX 24            /* categories drawn; the rest summed as «прочие» */

long
chart_col(const struct report_sect *s, const char *key)
{
	for (size_t i = 0; i < s->ncols; i++)
		if (strcmp(s->cols[i].key, key) == 0)
			return (long)i;
	return -1;
}

static const struct report_cell *
chart_cell(const struct report_sect *s, size_t row, long col)
{
	return col < 0 ? NULL : report_model_at(s, row, (size_t)col);
}

const char *
chart_str(const struct report_sect *s, size_t row, long col)
{
	const struct report_cell *c = chart_cell(s, row, col);

	return c != NULL && c->kind == REPORT_CELL_STR ? c->s : NULL;
}

bool
chart_num(const struct report_sect *s, size_t row, long col, double *v)
{
	const struct report_cell *c = chart_cell(s, row, col);

	if (c == NULL)
		return false;
	if (c->kind == REPORT_CELL_INT)
		*v = (double)c->i;
	else if (c->kind == REPORT_CELL_NUM)
		*v = c->d;
	else
		return false;
	return true;
}

const struct report_sect *
chart_sect(const struct report_out *o, const char *key)
{
	for (size_t i = 0; i < o->nsects; i++)
		if (strcmp(o->sects[i].key, key) == 0)
			return &o->sects[i];
	return NULL;
}

bool
chart_meta(const struct report_out *o, const char *key, double *v)
{
	char *end;

	for (size_t i = 0; i < o->nmeta; i++)
		if (strcmp(o->meta[i].key, key) == 0) {
			*v = strtod(o->meta[i].val, &end);
			return end != o->meta[i].val;
		}
	return false;
}

/* A number for an SVG attribute: one decimal, a point, whatever the locale. */
const char *
chart_f(char buf[24], double v)
{
	long t = lround(v * 10);

	snprintf(buf, 24, "%s%ld.%ld", t < 0 ? "-" : "", labs(t) / 10, labs(t) % 10);
	return buf;
}

/* A number as people read it: a decimal comma, decimals only when needed. */
const char *
chart_ru(char buf[24], double v)
{
	long t = lround(v * 10);

	if (t % 10 == 0)
		snprintf(buf, 24, "%ld", t / 10);
	else
		snprintf(buf, 24, "%s%ld,%ld", t < 0 ? "−" : "", labs(t) / 10, labs(t) % 10);
	return buf;
}

void
chart_svg_open(struct html *h, int w, int hgt, const char *label)
{
	char vb[64];

	snprintf(vb, sizeof(vb), "0 0 %d %d", w, hgt);
	html_open(h, "svg", "xmlns", "http://www.w3.org/2000/svg", "viewbox", vb, "class", "chart",
	    "role", "img", "aria-label", label, NULL);
	html_elem(h, "title", label, NULL);
}

void
chart_text(struct html *h, double x, double y, const char *anchor, const char *cls,
    const char *text)
{
	char xs[24], ys[24];

	html_elem(h, "text", text, "x", chart_f(xs, x), "y", chart_f(ys, y), "text-anchor", anchor,
	    "class", cls, NULL);
}

void
chart_line(struct html *h, double x1, double y1, double x2, double y2, const char *cls)
{
	char a[24], b[24], c[24], d[24];

	html_elem(h, "line", "", "x1", chart_f(a, x1), "y1", chart_f(b, y1), "x2", chart_f(c, x2), "y2",
	    chart_f(d, y2), "class", cls, NULL);
}

void
chart_rect(struct html *h, double x, double y, double w, double hgt, const char *cls)
{
	char a[24], b[24], c[24], d[24];

	html_elem(h, "rect", "", "x", chart_f(a, x), "y", chart_f(b, y), "width", chart_f(c, w),
	    "height", chart_f(d, hgt), "class", cls, NULL);
}

/* ---- bars ---------------------------------------------------------------- */

struct chart_bar {
	const char *label;
	double value;
};

static int
chart_bar_cmp(const void *a, const void *b)
{
	const struct chart_bar *x = a, *y = b;

	return x->value < y->value ? 1 : x->value > y->value ? -1 : strcmp(x->label, y->label);
}

/* Horizontal bars, the longest first, each with its number. */
static void
chart_bars(struct html *h, const char *title, struct chart_bar *bars, size_t n)
{
	const int w = 760, left = 300, bar_h = 18, gap = 6, top = 8;
	double max = 0;
	char num[24];
	int hgt;

	if (n == 0)
		return;
	qsort(bars, n, sizeof(*bars), chart_bar_cmp);
	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	hgt = top * 2 + (int)n * (bar_h + gap);
	html_open(h, "figure", "class", "chart", NULL);
	html_elem(h, "figcaption", title, NULL);
	chart_svg_open(h, w, hgt, title);
	for (size_t i = 0; i < n; i++) {
		double y = top + (double)i * (bar_h + gap);
		double len = max > 0 ? bars[i].value / max * (w - left - 60) : 0;

		chart_text(h, left - 8, y + bar_h - 4, "end", "lbl", bars[i].label);
		chart_rect(h, left, y, len > 0 && len < 1 ? 1 : len, bar_h, "bar");
		chart_text(h, left + len + 6, y + bar_h - 4, "start", "val", chart_ru(num, bars[i].value));
	}
	html_close(h, "svg");
	html_close(h, "figure");
}

/*
 * The rows of section key summed by label_key's text over count_key: one
 * municipality's (or one school's) total per category.
 */
static void
chart_bars_of(struct html *h, const struct report_out *o, const char *key,
    const char *label_key, const char *count_key, const char *title)
{
	const struct report_sect *s = chart_sect(o, key);
	struct chart_bar bars[CHART_BARS_MAX + 1];
	long lc, cc;
	size_t n = 0;
	double other = 0, v;

	if (s == NULL || s->nrows == 0 || (lc = chart_col(s, label_key)) < 0 ||
	    (cc = chart_col(s, count_key)) < 0)
		return;
	for (size_t r = 0; r < s->nrows; r++) {
		const char *label = chart_str(s, r, lc);
		size_t i;

		if (label == NULL || !chart_num(s, r, cc, &v))
			continue;
		for (i = 0; i < n && strcmp(bars[i].label, label) != 0; i++)
			;
		if (i < n)
			bars[i].value += v;
		else if (n < CHART_BARS_MAX)
			bars[n++] = (struct chart_bar){ label, v };
		else
			other += v;
	}
	if (other > 0)
		bars[n++] = (struct chart_bar){ "прочие", other };
	chart_bars(h, title, bars, n);
}

/* ---- verification --------------------------------------------------------- */

/*
 * A factor's label cut to what fits left of its bar (a UTF-8 boundary, «…»),
 * led by its code; the whole label is the text's tooltip.
 */
static void
chart_factor_label(struct html *h, const struct report_sect *s, size_t r, long lc, double x,
    double y)
{
	const char *label = chart_str(s, r, lc), *code = chart_str(s, r, chart_col(s, "factor"));
	char shown[160], xs[24], ys[24];
	size_t chars = 0, i = 0, cut = 0;

	if (label == NULL)
		label = "";
	snprintf(shown, sizeof(shown), "%s %s", code ? code : "", label);
	for (i = 0; shown[i]; i++)
		if (((unsigned char)shown[i] & 0xc0) != 0x80 && ++chars == 42)
			cut = i;
	if (cut > 0 && shown[cut]) {
		shown[cut] = '\0';
		snprintf(shown + cut, sizeof(shown) - cut, "…");
	}
	html_open(h, "text", "x", chart_f(xs, x), "y", chart_f(ys, y), "text-anchor", "end",
	    "class", "lbl", NULL);
	html_elem(h, "title", label, NULL);
	html_text(h, shown);
	html_close(h, "text");
}

/* Each factor's decisions as one bar of three parts, the most confirmed first. */
static void
chart_factor_bars(struct html *h, const struct report_out *o)
{
	const struct report_sect *s = chart_sect(o, "summary");
	static const char *const parts[3][3] = {
		{ "confirmed", "подтверждён", "part-yes" },
		{ "not_confirmed", "не подтверждён", "part-no" },
		{ "needs_clarification", "требует уточнения", "part-maybe" },
	};
	const int w = 760, left = 300, bar_h = 18, gap = 6, top = 30;
	long col[3], lc;
	double max = 0, v;
	char num[24];
	int hgt;

	if (s == NULL || s->nrows == 0 || (lc = chart_col(s, "factor_label")) < 0)
		return;
	for (size_t p = 0; p < 3; p++)
		if ((col[p] = chart_col(s, parts[p][0])) < 0)
			return;
	for (size_t r = 0; r < s->nrows; r++) {
		double sum = 0;

		for (size_t p = 0; p < 3; p++)
			sum += chart_num(s, r, col[p], &v) ? v : 0;
		if (sum > max)
			max = sum;
	}
	hgt = top + 8 + (int)s->nrows * (bar_h + gap);
	html_open(h, "figure", "class", "chart", NULL);
	html_elem(h, "figcaption", "Решения кураторов по факторам (последний визит каждой школы)",
	    NULL);
	chart_svg_open(h, w, hgt, "Решения кураторов по факторам");
	for (size_t p = 0; p < 3; p++) {
		chart_rect(h, left + (double)p * 150, 6, 14, 14, parts[p][2]);
		chart_text(h, left + (double)p * 150 + 20, 18, "start", "lbl", parts[p][1]);
	}
	for (size_t r = 0; r < s->nrows; r++) {
		double y = top + (double)r * (bar_h + gap), x = left;

		chart_factor_label(h, s, r, lc, left - 8, y + bar_h - 4);
		for (size_t p = 0; p < 3; p++) {
			double len;

			if (!chart_num(s, r, col[p], &v) || v <= 0 || max <= 0)
				continue;
			len = v / max * (w - left - 20);
			chart_rect(h, x, y, len, bar_h, parts[p][2]);
			/* the number inside its part: the parts read without colour */
			if (len >= 16)
				chart_text(h, x + len / 2, y + bar_h - 4, "middle", "in", chart_ru(num, v));
			x += len;
		}
	}
	html_close(h, "svg");
	html_close(h, "figure");
}

struct chart_matrix_cell {
	const char *decision;     /* code */
	const char *level;        /* the issued level's label */
};

/* Schools × factors: each cell the curator's decision (a word, coloured). */
static void
chart_matrix(struct html *h, const struct report_out *o)
{
	const struct report_sect *s = chart_sect(o, "factors");
	const char *factors[32];
	size_t nf = 0;
	long cs, cn, cf, cd, cl;

	if (s == NULL || s->nrows == 0 || (cs = chart_col(s, "school")) < 0 ||
	    (cn = chart_col(s, "school_name")) < 0 || (cf = chart_col(s, "factor")) < 0 ||
	    (cd = chart_col(s, "decision")) < 0 || (cl = chart_col(s, "profile_level_label")) < 0)
		return;
	for (size_t r = 0; r < s->nrows; r++) {
		const char *f = chart_str(s, r, cf);
		size_t i;

		if (f == NULL)
			continue;
		for (i = 0; i < nf && strcmp(factors[i], f) != 0; i++)
			;
		if (i == nf && nf < sizeof(factors) / sizeof(factors[0]))
			factors[nf++] = f;
	}
	/* R01 … R11 in order, whatever order the rows came in */
	for (size_t i = 1; i < nf; i++)
		for (size_t j = i; j > 0 && strcmp(factors[j - 1], factors[j]) > 0; j--) {
			const char *t = factors[j];

			factors[j] = factors[j - 1];
			factors[j - 1] = t;
		}
	html_open(h, "figure", "class", "chart matrix", NULL);
	html_elem(h, "figcaption", "Школы × факторы: решение куратора (в скобках — уровень в "
	    "выданном РПШ)", NULL);
	html_open(h, "div", "class", "tablewrap", NULL);
	html_open(h, "table", "class", "grid matrix", NULL);
	html_open(h, "thead", NULL);
	html_open(h, "tr", NULL);
	html_elem(h, "th", "Школа", NULL);
	for (size_t i = 0; i < nf; i++)
		html_elem(h, "th", factors[i], NULL);
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody", NULL);
	/* rows come by school, one per factor: a school's row ends at a new code */
	for (size_t r = 0; r < s->nrows && r < 500 * 11; ) {
		const char *school = chart_str(s, r, cs), *name = chart_str(s, r, cn);
		char href[64];
		size_t end = r;

		while (end < s->nrows && school && chart_str(s, end, cs) &&
		    strcmp(chart_str(s, end, cs), school) == 0)
			end++;
		if (end == r)
			end = r + 1;
		html_open(h, "tr", NULL);
		html_open(h, "th", NULL);
		snprintf(href, sizeof(href), "/school/%s", school ? school : "");
		html_elem(h, "a", name ? name : school ? school : "—", "href", href, NULL);
		html_close(h, "th");
		for (size_t i = 0; i < nf; i++) {
			const char *d = NULL, *lv = NULL;

			for (size_t k = r; k < end; k++)
				if (chart_str(s, k, cf) && strcmp(chart_str(s, k, cf), factors[i]) == 0) {
					d = chart_str(s, k, cd);
					lv = chart_str(s, k, cl);
				}
			if (d == NULL) {
				html_elem(h, "td", "—", "class", "muted", NULL);
				continue;
			}
			html_open(h, "td", "class", strcmp(d, "confirmed") == 0 ? "part-yes" :
			    strcmp(d, "not_confirmed") == 0 ? "part-no" : "part-maybe", NULL);
			html_text(h, strcmp(d, "confirmed") == 0 ? "да" : strcmp(d, "not_confirmed") == 0 ?
			    "нет" : "?");
			if (lv != NULL && lv[0]) {
				html_open(h, "small", NULL);
				html_textf(h, " (%s)", lv);
				html_close(h, "small");
			}
			html_close(h, "td");
		}
		html_close(h, "tr");
		r = end;
	}
	html_close(h, "tbody");
	html_close(h, "table");
	html_close(h, "div");
	html_elem(h, "p", "«да» — фактор подтверждён, «нет» — не подтверждён, «?» — требует "
	    "уточнения, «—» — решения нет.", "class", "muted small", NULL);
	html_close(h, "figure");
}

/* ---- identification --------------------------------------------------------- */

static const struct {
	const char *code, *label, *shape;
} chart_clusters[] = {
	{ "crisis", "кризисная ситуация", "square" },
	{ "risk_zone", "зона риска", "triangle" },
	{ "resilient", "резильентные", "circle" },
	{ "none", "вне кластеров", "ring" },
};

static void
chart_marker(struct html *h, double x, double y, const char *shape)
{
	char a[24], b[24], pts[160], c[24], d[24], e2[24], f[24];

	if (strcmp(shape, "square") == 0)
		chart_rect(h, x - 5, y - 5, 10, 10, "mk mk-square");
	else if (strcmp(shape, "triangle") == 0) {
		snprintf(pts, sizeof(pts), "%s,%s %s,%s %s,%s", chart_f(a, x), chart_f(b, y - 6),
		    chart_f(c, x - 6), chart_f(d, y + 5), chart_f(e2, x + 6), chart_f(f, y + 5));
		html_elem(h, "polygon", "", "points", pts, "class", "mk mk-triangle", NULL);
	} else
		html_elem(h, "circle", "", "cx", chart_f(a, x), "cy", chart_f(b, y), "r", "5", "class",
		    strcmp(shape, "ring") == 0 ? "mk mk-ring" : "mk mk-circle", NULL);
}

/* The schools on one ИСБШ scale: x its range, y the share of low results. */
static void
chart_scatter_scale(struct html *h, const struct report_out *o, const struct report_sect *s,
    const char *scale, double x0, double x1, const char *meta_lo, const char *meta_hi)
{
	const int w = 760, hgt = 440, l = 70, r = 30, t = 20, b = 60;
	long cs, cn, ci, cl, cc, csc;
	double lo_thr = 0, hi_thr = 0, fav_lo = 0, fav_hi = 0, v, share;
	bool has_lo, has_hi, has_f1, has_f2;
	char num[24], label[160], href[64];
	size_t shown = 0;

	cs = chart_col(s, "school");
	cn = chart_col(s, "school_name");
	ci = chart_col(s, "isbsh");
	cl = chart_col(s, "low_share");
	cc = chart_col(s, "cluster");
	csc = chart_col(s, "isbsh_scale");
	if (cs < 0 || ci < 0 || cl < 0 || cc < 0 || csc < 0)
		return;
	for (size_t row = 0; row < s->nrows; row++)
		if (chart_str(s, row, csc) && strcmp(chart_str(s, row, csc), scale) == 0 &&
		    chart_num(s, row, ci, &v) && chart_num(s, row, cl, &share))
			shown++;
	if (shown == 0)
		return;
	has_lo = chart_meta(o, "identification.low_threshold", &lo_thr);
	has_hi = chart_meta(o, "identification.high_threshold", &hi_thr);
	has_f1 = chart_meta(o, meta_lo, &fav_lo);
	has_f2 = chart_meta(o, meta_hi, &fav_hi);
#define SX(x) (l + ((x) - x0) / (x1 - x0) * (w - l - r))
#define SY(y) (t + (1 - (y) / 100.0) * (hgt - t - b))
	snprintf(label, sizeof(label), "Выявление: ИСБШ (шкала %s) и доля низких результатов",
	    strcmp(scale, "0..100") == 0 ? "0–100" : "−8…+8");
	html_open(h, "figure", "class", "chart scatter", NULL);
	html_elem(h, "figcaption", label, NULL);
	chart_svg_open(h, w, hgt, label);
	/* axes and their ticks */
	chart_line(h, l, hgt - b, w - r, hgt - b, "axis");
	chart_line(h, l, t, l, hgt - b, "axis");
	for (int p = 0; p <= 100; p += 20) {
		chart_line(h, l - 4, SY(p), l, SY(p), "axis");
		chart_text(h, l - 8, SY(p) + 4, "end", "tick", chart_ru(num, p));
	}
	for (int k = 0; k <= 4; k++) {
		double xv = x0 + (x1 - x0) * k / 4;

		chart_line(h, SX(xv), hgt - b, SX(xv), hgt - b + 4, "axis");
		chart_text(h, SX(xv), hgt - b + 18, "middle", "tick", chart_ru(num, xv));
	}
	chart_text(h, (l + w - r) / 2.0, hgt - 18, "middle", "lbl",
	    "ИСБШ: левее — неблагоприятный социальный статус, правее — благоприятный");
	chart_text(h, 16, t + 8, "start", "lbl", "%");
	chart_text(h, l + 6, t + 8, "start", "lbl", "доля низких результатов");
	/* the thresholds, dashed, named where they meet the frame */
	if (has_lo && lo_thr > 0 && lo_thr < 100) {
		chart_line(h, l, SY(lo_thr), w - r, SY(lo_thr), "thr");
		chart_text(h, w - r - 4, SY(lo_thr) - 4, "end", "thr-lbl", "порог низких результатов");
	}
	if (has_hi && hi_thr > 0 && hi_thr < 100) {
		chart_line(h, l, SY(hi_thr), w - r, SY(hi_thr), "thr");
		chart_text(h, w - r - 4, SY(hi_thr) - 4, "end", "thr-lbl", "порог высоких результатов");
	}
	if (has_f1 && fav_lo > x0 && fav_lo < x1)
		chart_line(h, SX(fav_lo), t, SX(fav_lo), hgt - b, "thr");
	if (has_f2 && fav_hi > x0 && fav_hi < x1)
		chart_line(h, SX(fav_hi), t, SX(fav_hi), hgt - b, "thr");
	for (size_t row = 0; row < s->nrows; row++) {
		const char *cl_code = chart_str(s, row, cc), *code = chart_str(s, row, cs);
		const char *shape = "ring", *cl_label = "вне кластеров";
		double xv;

		if (!chart_str(s, row, csc) || strcmp(chart_str(s, row, csc), scale) != 0 ||
		    !chart_num(s, row, ci, &xv) || !chart_num(s, row, cl, &share) || code == NULL)
			continue;
		for (size_t k = 0; cl_code && k < sizeof(chart_clusters) / sizeof(chart_clusters[0]);
		    k++)
			if (strcmp(cl_code, chart_clusters[k].code) == 0) {
				shape = chart_clusters[k].shape;
				cl_label = chart_clusters[k].label;
			}
		snprintf(href, sizeof(href), "/school/%s", code);
		html_open(h, "a", "href", href, NULL);
		{
			char tip[320], xs[24], ys[24];

			snprintf(tip, sizeof(tip), "%s %s: ИСБШ %s, низких результатов %s %%, %s", code,
			    cn >= 0 && chart_str(s, row, cn) ? chart_str(s, row, cn) : "",
			    chart_ru(xs, xv), chart_ru(ys, share), cl_label);
			html_elem(h, "title", tip, NULL);
		}
		chart_marker(h, SX(xv < x0 ? x0 : xv > x1 ? x1 : xv), SY(share < 0 ? 0 : share > 100 ?
		    100 : share), shape);
		html_close(h, "a");
	}
#undef SX
#undef SY
	html_close(h, "svg");
	/* the legend: shapes, so it reads in black and white */
	html_open(h, "p", "class", "legend", NULL);
	for (size_t k = 0; k < sizeof(chart_clusters) / sizeof(chart_clusters[0]); k++) {
		html_open(h, "span", "class", "key", NULL);
		chart_svg_open(h, 16, 16, chart_clusters[k].label);
		chart_marker(h, 8, 8, chart_clusters[k].shape);
		html_close(h, "svg");
		html_text(h, chart_clusters[k].label);
		html_close(h, "span");
	}
	html_close(h, "p");
	html_elem(h, "p", "Пунктир — пороги из настроек отчёта. Наведите указатель на точку, чтобы "
	    "увидеть школу; щелчок открывает её страницу.", "class", "muted small", NULL);
	html_close(h, "figure");
}

static void
chart_identification(struct html *h, const struct report_out *o)
{
	const struct report_sect *s = chart_sect(o, "schools");

	if (s == NULL || s->nrows == 0)
		return;
	chart_scatter_scale(h, o, s, "-8..8", -8, 8, "isbsh.unfavourable_max",
	    "isbsh.favourable_min");
	chart_scatter_scale(h, o, s, "0..100", 0, 100, "isbsh_100.unfavourable_max",
	    "isbsh_100.favourable_min");
}

void
dash_charts(struct html *h, const struct report_out *o)
{
	if (o->name == NULL)
		return;
	html_open(h, "div", "class", "charts", NULL);
	if (strcmp(o->name, "identification") == 0)
		chart_identification(h, o);
	else if (strcmp(o->name, "verification") == 0) {
		chart_matrix(h, o);
		chart_factor_bars(h, o);
	} else if (strcmp(o->name, "mediation") == 0) {
		chart_bars_of(h, o, "by_source", "label", "count", "Случаи по источнику обращения");
		chart_bars_of(h, o, "by_conflict_type", "label", "count", "Случаи по типу конфликта");
		chart_bars_of(h, o, "by_programme", "label", "count", "Проведённые программы");
		chart_bars_of(h, o, "by_follow_up", "label", "count", "Выполнение договоров");
	} else if (strcmp(o->name, "passport") == 0)
		dash_chart_trend(h, o);
	else if (strcmp(o->name, "surveys") == 0) {
		chart_bars_of(h, o, "responses", "group_label", "responses", "Ответов по группам");
		dash_chart_answers(h, o);
	}
	html_close(h, "div");
}
