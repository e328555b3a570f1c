/*
 * report_completeness — «Полнота сбора по срокам программ»: per programme
 * school and year, what the programmes' calendar asks for by its deadlines
 * (the verification visit and its marks in ИС МЭДК, the questionnaires,
 * the social passport) against what reached the hub, and the list of what
 * is missing or late (docs/reports.md, «completeness»).
 */
#ifndef TETRAD_HUB_REPORT_COMPLETENESS_H
#define TETRAD_HUB_REPORT_COMPLETENESS_H

#include "report_ctx.h"
#include "report_model.h"

int report_completeness_run(struct report_ctx *c, struct report_out *o, struct terr *e);

#endif
