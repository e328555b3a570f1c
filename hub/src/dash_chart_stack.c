/*
 * dash_chart_stack — a row of a stacked bar chart (dash_chart_stack.h).
 */
#include <stdio.h>
#include <string.h>

#include "dash_chart.h"
#include "dash_chart_stack.h"

/* text cut to at most max characters (a UTF-8 boundary) with «…»; into buf. */
static const char *
chart_cut(char *buf, size_t cap, const char *text, size_t max)
{
	size_t chars = 0, i;

	snprintf(buf, cap, "%s", text);
	for (i = 0; buf[i]; i++)
		if (((unsigned char)buf[i] & 0xc0) != 0x80 && chars++ == max) {
			if (i + sizeof("…") <= cap)
				memcpy(buf + i, "…", sizeof("…"));
			else
				buf[i] = '\0';
			break;
		}
	return buf;
}

/* UTF-8 characters of s. */
static size_t
chart_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

#define CHART_LEGEND_LINE 118        /* characters of a legend's line */

/*
 * The legend of parts in two lines at most: line[0] the parts that fit,
 * line[1] the rest (cut with «…»); whether there is a second line.
 */
static bool
chart_legend(const struct chart_part *parts, size_t n, char line[2][512])
{
	char item[300];
	size_t chars[2] = { 0, 0 }, k = 0;

	line[0][0] = line[1][0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t len, c;

		snprintf(item, sizeof(item), "%s%s %s", chars[k] ? " · " : "", parts[i].label,
		    parts[i].shown);
		c = chart_chars(item);
		if (k == 0 && chars[0] > 0 && chars[0] + c > CHART_LEGEND_LINE) {
			k = 1;
			snprintf(item, sizeof(item), "%s %s", parts[i].label, parts[i].shown);
			c = chart_chars(item);
		}
		len = strlen(line[k]);
		snprintf(line[k] + len, sizeof(line[k]) - len, "%s", item);
		chars[k] += c;
	}
	if (chars[1] > CHART_LEGEND_LINE) {
		char cut[512];

		snprintf(line[1], sizeof(line[1]), "%s", chart_cut(cut, sizeof(cut), line[1],
		    CHART_LEGEND_LINE));
	}
	return line[1][0] != '\0';
}

double
chart_stack_height(const struct chart_part *parts, size_t n)
{
	char line[2][512];

	return chart_legend(parts, n, line) ? CHART_STACK_ROW_H + 16 : CHART_STACK_ROW_H;
}

double
chart_stack_row(struct html *h, double y, const char *heading, const char *data,
    const struct chart_part *parts, size_t n)
{
	/* dark and light in turn: the number inside is white on dark, black on light */
	static const char *const shade[] = { "st0", "st1", "st2", "st3", "st4", "st5" };
	char line[2][512], cut[400], tip[600], num[24];
	double sum = 0, x = 0;
	bool two = chart_legend(parts, n, line);

	for (size_t i = 0; i < n; i++)
		sum += parts[i].value > 0 ? parts[i].value : 0;
	html_open(h, "g", "class", "stack", "data-key", data ? data : "", NULL);
	html_elem(h, "title", heading, NULL);
	chart_text(h, 0, y + 13, "start", "lbl head", chart_cut(cut, sizeof(cut), heading, 110));
	for (size_t i = 0; i < n; i++) {
		const char *cls = parts[i].cls ? parts[i].cls : shade[i % 6];
		bool light = parts[i].cls ? strcmp(cls, "st-none") == 0 : i % 2 == 1;
		double len = sum > 0 && parts[i].value > 0 ? parts[i].value / sum * CHART_W : 0;

		if (len <= 0)
			continue;
		html_open(h, "g", "class", "part", "data-value", chart_f(num, parts[i].value), NULL);
		snprintf(tip, sizeof(tip), "%s: %s", parts[i].label, parts[i].shown);
		html_elem(h, "title", tip, NULL);
		chart_rect(h, x, y + 18, len, 22, cls);
		/* about 7 units a character at the chart's 12 px */
		if (len >= 7.0 * (double)chart_chars(parts[i].shown) + 8)
			chart_text(h, x + len / 2, y + 34, "middle", light ? "in-dark" : "in",
			    parts[i].shown);
		html_close(h, "g");
		x += len;
	}
	chart_text(h, 0, y + 56, "start", "val legend", line[0]);
	if (two)
		chart_text(h, 0, y + 72, "start", "val legend", line[1]);
	html_close(h, "g");
	return two ? CHART_STACK_ROW_H + 16 : CHART_STACK_ROW_H;
}
