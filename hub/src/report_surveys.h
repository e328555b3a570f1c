/*
 * report_surveys — responses, answer distributions and scale averages of
 * the survey_* forms (docs/reports.md, «surveys»).
 */
#ifndef TETRAD_HUB_REPORT_SURVEYS_H
#define TETRAD_HUB_REPORT_SURVEYS_H

#include "report_ctx.h"
#include "report_model.h"

int report_surveys_run(struct report_ctx *c, struct report_out *o, struct terr *e);

#endif
