/*
 * profile — the issued risk profile of a school (РПШ, project «500+») at
 * the hub: per school and project year, the level of each risk factor,
 * imported from CSV (Код ОО; Год; Фактор; Уровень — the format and the
 * parser are tetrad/riskprofile.h, shared with the device's copy). The
 * verification report sets it against the curators' decisions.
 */
#ifndef TETRAD_HUB_PROFILE_H
#define TETRAD_HUB_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#include "hub/hubdb.h"
#include "tetrad/riskprofile.h"
#include "tetrad/terr.h"

/*
 * Imports the file all or nothing, in one transaction: the profile of each
 * (school, year) the file names replaces the stored one whole (a factor
 * missing from a corrected file is gone). With bad rows TERR_INVALID is
 * returned and, unless report is NULL, *report gets them as one malloc'd
 * text, «строка N: …» a line, for the caller to show (and free).
 */
int profile_import(struct hubdb *db, const char *path, char **report, size_t *imported,
    struct terr *e);

#endif
