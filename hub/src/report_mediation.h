/*
 * report_mediation — the school mediation services: cases (each case number
 * once per school and year; repeats listed), open and closed, programmes
 * held, the shares completed and ending in an agreement over closed cases,
 * participants per school; cases by source, situation kind, conflict type,
 * programme and school's reaction; the follow-up of agreements
 * (docs/reports.md, «mediation»).
 */
#ifndef TETRAD_HUB_REPORT_MEDIATION_H
#define TETRAD_HUB_REPORT_MEDIATION_H

#include "report_ctx.h"
#include "report_model.h"

int report_mediation_run(struct report_ctx *c, struct report_out *o, struct terr *e);

#endif
