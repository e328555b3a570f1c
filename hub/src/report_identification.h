/*
 * report_identification — social status × results level per school, the
 * NOR/NSU flags and the cluster (docs/reports.md, «identification»).
 */
#ifndef TETRAD_HUB_REPORT_IDENTIFICATION_H
#define TETRAD_HUB_REPORT_IDENTIFICATION_H

#include "report_ctx.h"
#include "report_model.h"

int report_identification_run(struct report_ctx *c, struct report_out *o, struct terr *e);

#endif
