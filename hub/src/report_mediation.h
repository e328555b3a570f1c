/*
 * report_mediation — the school mediation services: cases, programmes held and
 * completed, agreements and participants per school, and cases by source,
 * situation kind, conflict type and programme (docs/reports.md,
 * «mediation»).
 */
#ifndef TETRAD_HUB_REPORT_MEDIATION_H
#define TETRAD_HUB_REPORT_MEDIATION_H

#include "report_ctx.h"
#include "report_model.h"

int report_mediation_run(struct report_ctx *c, struct report_out *o, struct terr *e);

#endif
