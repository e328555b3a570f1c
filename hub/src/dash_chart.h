/*
 * dash_chart — the charts of a report's page (dash_chart.c): SVG drawn by
 * the server from the report's model, readable printed in black and white.
 * dash_chart_stack.c, dash_chart_trend.c (the passports year over year) and
 * dash_chart_answers.c (the surveys' answers) draw with the helpers below.
 */
#ifndef TETRAD_HUB_DASH_CHART_H
#define TETRAD_HUB_DASH_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "report_model.h"
#include "web/html.h"

#define CHART_W 760                  /* every chart's width in SVG units */

/* The charts of report o (by its name; none for a report without charts). */
void dash_charts(struct html *h, const struct report_out *o);

/* ---- for the chart modules ---- */
/* A section of o by key, a column by key (-1: none), a cell's text or number. */
const struct report_sect *chart_sect(const struct report_out *o, const char *key);
long chart_col(const struct report_sect *s, const char *key);
const char *chart_str(const struct report_sect *s, size_t row, long col);
bool chart_num(const struct report_sect *s, size_t row, long col, double *v);
/* A meta value of o as a number; false when absent. */
bool chart_meta(const struct report_out *o, const char *key, double *v);
/* A number for an attribute (one decimal, a point) and for people (a comma). */
const char *chart_f(char buf[24], double v);
const char *chart_ru(char buf[24], double v);
/* <svg> with its title (close with html_close(h, "svg")), and its shapes. */
void chart_svg_open(struct html *h, int w, int hgt, const char *label);
void chart_text(struct html *h, double x, double y, const char *anchor, const char *cls,
    const char *text);
void chart_line(struct html *h, double x1, double y1, double x2, double y2, const char *cls);
void chart_rect(struct html *h, double x, double y, double w, double hgt, const char *cls);

#endif
