/*
 * dash_chart — the charts of a report's page (dash_chart.c): SVG drawn by
 * the server from the report's model, readable printed in black and white.
 */
#ifndef TETRAD_HUB_DASH_CHART_H
#define TETRAD_HUB_DASH_CHART_H

#include "report_model.h"
#include "web/html.h"

/* The charts of report o (by its name; none for a report without charts). */
void dash_charts(struct html *h, const struct report_out *o);

#endif
