/*
 * dash_chart_answers — the surveys' answer distributions (the surveys
 * report's `distribution` section) as stacked bars: a figure per group of
 * respondents, a bar per question summed over the schools shown, each
 * answer's share of those who answered written in its part and in the
 * legend under the bar with its count.
 */
#ifndef TETRAD_HUB_DASH_CHART_ANSWERS_H
#define TETRAD_HUB_DASH_CHART_ANSWERS_H

#include "report_model.h"
#include "web/html.h"

void dash_chart_answers(struct html *h, const struct report_out *o);

#endif
