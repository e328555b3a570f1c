/*
 * dash_chart_trend — the passports year over year (dash_chart_trend.h).
 * Readable in black and white: every bar has its number and its status in
 * words beside it; colours only repeat them.
 */
#include <stdio.h>
#include <string.h>

#include "dash_chart.h"
#include "dash_chart_stack.h"
#include "dash_chart_trend.h"

#define TREND_ROWS_MAX 16            /* years drawn (the report gives at most 16) */

/* The class of a status code's bar. */
static const char *
trend_cls(const char *status)
{
	if (status == NULL)
		return "st-none";
	return strcmp(status, "unfavourable") == 0 ? "part-no" : strcmp(status, "favourable") == 0 ?
	    "part-yes" : "part-maybe";
}

/* One school: its ИСБШ each year as a bar from 0 on the −8…+8 scale. */
static void
trend_school(struct html *h, const struct report_out *o, const struct report_sect *s)
{
	const int left = 90, axis_w = 380, top = 12, bar_h = 22, gap = 14;
	const double x0 = left + axis_w / 2.0, unit = axis_w / 16.0;
	long cy = chart_col(s, "academic_year"), ci = chart_col(s, "isbsh");
	long cl = chart_col(s, "status_label"), cs = chart_col(s, "status");
	long cr = chart_col(s, "records"), cn = chart_col(s, "students");
	size_t n = s->nrows < TREND_ROWS_MAX ? s->nrows : TREND_ROWS_MAX;
	char num[24], text[200], more[120], cap[240];
	double thr, v, recs, students;
	int hgt = top + (int)n * (bar_h + gap) + 24;

	snprintf(cap, sizeof(cap), "ИСБШ школы по учебным годам (%s)",
	    chart_str(s, 0, chart_col(s, "school_name")) ? chart_str(s, 0,
	    chart_col(s, "school_name")) : "");
	html_open(h, "figure", "class", "chart trend", "data-chart", "passport-school", NULL);
	html_elem(h, "figcaption", cap, NULL);
	chart_svg_open(h, CHART_W, hgt, cap);
	chart_line(h, x0, top - 6, x0, hgt - 20, "axis");
	for (int k = -8; k <= 8; k += 4) {
		chart_line(h, x0 + k * unit, hgt - 22, x0 + k * unit, hgt - 18, "axis");
		chart_text(h, x0 + k * unit, hgt - 4, "middle", "tick", chart_ru(num, k));
	}
	/* the status bands' edges, dashed */
	if (chart_meta(o, "isbsh.unfavourable_max", &thr) && thr > -8 && thr < 8)
		chart_line(h, x0 + thr * unit, top - 6, x0 + thr * unit, hgt - 20, "thr");
	if (chart_meta(o, "isbsh.favourable_min", &thr) && thr > -8 && thr < 8)
		chart_line(h, x0 + thr * unit, top - 6, x0 + thr * unit, hgt - 20, "thr");
	for (size_t r = 0; r < n; r++) {
		const char *year = chart_str(s, r, cy), *label = chart_str(s, r, cl);
		double y = top + (double)r * (bar_h + gap);
		bool has = chart_num(s, r, ci, &v);

		if (!chart_num(s, r, cr, &recs))
			recs = 0;
		if (!chart_num(s, r, cn, &students))
			students = 0;
		html_open(h, "g", "class", "yr", "data-key", year ? year : "", "data-value",
		    has ? chart_f(num, v) : "", NULL);
		chart_text(h, left - 8, y + bar_h - 5, "end", "lbl", year ? year : "—");
		if (has) {
			double w;

			v = v < -8 ? -8 : v > 8 ? 8 : v;
			w = v * unit;
			chart_rect(h, w < 0 ? x0 + w : x0, y, w < 0 ? -w : w > 0 ? w : 2, bar_h,
			    trend_cls(chart_str(s, r, cs)));
			snprintf(text, sizeof(text), "ИСБШ %s%s — %s", v > 0 ? "+" : "", chart_ru(num, v),
			    label ? label : "");
		} else
			snprintf(text, sizeof(text), "нет ИСБШ: меньше 4 школ в году");
		snprintf(more, sizeof(more), "паспортов %.0f, обучающихся %.0f", recs, students);
		chart_text(h, left + axis_w + 16, y + 9, "start", "lbl head", text);
		chart_text(h, left + axis_w + 16, y + 23, "start", "val", more);
		html_close(h, "g");
	}
	html_close(h, "svg");
	html_elem(h, "p", "ИСБШ по методу isbsh-v1 относительно школ того же учебного года; "
	    "пунктир — границы статусов из настроек отчёта.", "class", "muted small", NULL);
	html_close(h, "figure");
}

/* Several schools: each year the schools in each status, stacked. */
static void
trend_municipal(struct html *h, const struct report_sect *m)
{
	static const struct {
		const char *key, *label, *cls;
	} st[] = {
		{ "unfavourable", "неблагоприятный", "part-no" },
		{ "neutral", "нейтральный", "part-maybe" },
		{ "favourable", "благоприятный", "part-yes" },
	};
	long cy = chart_col(m, "academic_year"), cs = chart_col(m, "schools");
	long cr = chart_col(m, "records"), ci = chart_col(m, "isbsh_schools");
	long cm = chart_col(m, "isbsh_mean"), cst[3];
	size_t n = m->nrows < TREND_ROWS_MAX ? m->nrows : TREND_ROWS_MAX;
	struct chart_part parts[TREND_ROWS_MAX][4];
	char shown[TREND_ROWS_MAX][4][24], head[TREND_ROWS_MAX][200], mean[32], mv[24];
	size_t np[TREND_ROWS_MAX];
	double hgt = 8, y = 4;

	for (size_t k = 0; k < 3; k++)
		cst[k] = chart_col(m, st[k].key);
	for (size_t r = 0; r < n; r++) {
		double schools = 0, recs = 0, indexed = 0, v;

		chart_num(m, r, cs, &schools);
		chart_num(m, r, cr, &recs);
		chart_num(m, r, ci, &indexed);
		np[r] = 0;
		for (size_t k = 0; k < 3; k++) {
			if (!chart_num(m, r, cst[k], &v))
				v = 0;
			snprintf(shown[r][k], sizeof(shown[r][k]), "%.0f", v);
			parts[r][np[r]++] = (struct chart_part){ st[k].label, v, shown[r][k], st[k].cls };
		}
		if (schools - indexed > 0) {
			snprintf(shown[r][3], sizeof(shown[r][3]), "%.0f", schools - indexed);
			parts[r][np[r]++] = (struct chart_part){ "без индекса", schools - indexed,
			    shown[r][3], "st-none" };
		}
		snprintf(mean, sizeof(mean), "нет");
		if (chart_num(m, r, cm, &v))
			snprintf(mean, sizeof(mean), "%s%s", v > 0 ? "+" : "", chart_ru(mv, v));
		snprintf(head[r], sizeof(head[r]), "%s: школ с паспортом %.0f, паспортов %.0f, "
		    "средний ИСБШ %s", chart_str(m, r, cy) ? chart_str(m, r, cy) : "—", schools, recs,
		    mean);
		hgt += chart_stack_height(parts[r], np[r]);
	}
	html_open(h, "figure", "class", "chart trend", "data-chart", "passport-years", NULL);
	html_elem(h, "figcaption", "Социальный статус школ по учебным годам (число школ)", NULL);
	chart_svg_open(h, CHART_W, (int)hgt, "Социальный статус школ по учебным годам");
	for (size_t r = 0; r < n; r++)
		y += chart_stack_row(h, y, head[r], chart_str(m, r, cy), parts[r], np[r]);
	html_close(h, "svg");
	html_elem(h, "p", "Статус — по ИСБШ (isbsh-v1), посчитанному относительно школ того же "
	    "учебного года; «без индекса» — в году меньше 4 школ с паспортом.", "class",
	    "muted small", NULL);
	html_close(h, "figure");
}

void
dash_chart_trend(struct html *h, const struct report_out *o)
{
	const struct report_sect *s = chart_sect(o, "years"), *m = chart_sect(o, "municipal_years");
	long cs;
	bool one = true;

	if (s == NULL || s->nrows == 0 || (cs = chart_col(s, "school")) < 0)
		return;
	for (size_t r = 1; r < s->nrows && one; r++)
		one = chart_str(s, r, cs) && chart_str(s, 0, cs) &&
		    strcmp(chart_str(s, r, cs), chart_str(s, 0, cs)) == 0;
	if (one)
		trend_school(h, o, s);
	else if (m != NULL && m->nrows > 0)
		trend_municipal(h, m);
}
