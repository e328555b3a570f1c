/*
 * report_verification — verification of the schools' risk profiles: the curators'
 * decisions on each risk factor (the latest visit decides), visits per
 * school against the deadline, schools not visited, and the factors most
 * often confirmed (docs/reports.md, «verification»).
 */
#ifndef TETRAD_HUB_REPORT_VERIFICATION_H
#define TETRAD_HUB_REPORT_VERIFICATION_H

#include "report_ctx.h"
#include "report_model.h"

int report_verification_run(struct report_ctx *c, struct report_out *o, struct terr *e);

#endif
