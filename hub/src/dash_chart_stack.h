/*
 * dash_chart_stack — one row of a stacked bar chart: the surveys' answers
 * (dash_chart_answers.c) and the schools per status by year
 * (dash_chart_trend.c).
 */
#ifndef TETRAD_HUB_DASH_CHART_STACK_H
#define TETRAD_HUB_DASH_CHART_STACK_H

#include <stddef.h>

#include "web/html.h"

/* One part of a stacked bar. */
struct chart_part {
	const char *label;           /* the legend's words */
	double value;                /* its length: a share of the parts' sum */
	const char *shown;           /* the number written in it and in the legend */
	const char *cls;             /* its fill; NULL: the row's next shade */
};

#define CHART_STACK_ROW_H 66         /* a stacked row with a legend of one line */

/*
 * One row of a stacked bar chart at y, CHART_W wide: the heading above (cut
 * to fit, whole in its tooltip), the parts left to right over the whole
 * width (each a tooltip; its number inside when it fits) and, under the
 * bar, the legend in the same order, «label shown · …», on one line or two.
 * In black and white the order and the numbers tell the parts apart; the
 * shades alternate dark and light so neighbours differ. data: the row's
 * data-key attribute. Returns the height taken, as chart_stack_height says
 * beforehand (for the <svg>'s size).
 */
double chart_stack_row(struct html *h, double y, const char *heading, const char *data,
    const struct chart_part *parts, size_t n);
double chart_stack_height(const struct chart_part *parts, size_t n);

#endif
