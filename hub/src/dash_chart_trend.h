/*
 * dash_chart_trend — the passport report year over year (sections years
 * and municipal_years, report_passport_years.h): one school's ИСБШ per
 * academic year, or for several schools how many fall in each social status
 * each year, with the passports and the mean index.
 */
#ifndef TETRAD_HUB_DASH_CHART_TREND_H
#define TETRAD_HUB_DASH_CHART_TREND_H

#include "report_model.h"
#include "web/html.h"

void dash_chart_trend(struct html *h, const struct report_out *o);

#endif
