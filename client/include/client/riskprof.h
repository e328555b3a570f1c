/*
 * riskprof — the issued risk profile (РПШ) on a device: imported from the
 * same CSV the hub takes (tetrad/riskprofile.h) with `tetrad profile
 * import FILE.csv`, kept in the device's meta (key "risk_profile", a JSON
 * object school → year → factor → level), and written into a visit's
 * read-only factors[].profile_level so the visit shows the level next to
 * each factor and carries it to the hub. tetrad-syncd's pull brings
 * the hub's issued profile into the same key (syncd/src/inbox.c).
 */
#ifndef TETRAD_CLIENT_RISKPROF_H
#define TETRAD_CLIENT_RISKPROF_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "client/store.h"
#include "tetrad/localdb.h"
#include "tetrad/form.h"
#include "tetrad/terr.h"

#define RISKPROF_META_KEY LOCALDB_META_RISK_PROFILE      /* tetrad/localdb.h: syncd writes it too */
#define RISKPROF_META_MAX LOCALDB_META_RISK_PROFILE_MAX

/*
 * Imports the file all or nothing: with bad rows TERR_INVALID is returned,
 * nothing is stored and, unless report is NULL, *report gets them as one
 * malloc'd text, one a line in Russian, for the command to show (and free).
 * The profile of each (school, year) in the file replaces the stored one
 * whole. *imported gets the rows stored.
 */
int riskprof_import(struct store *s, const char *path, char **report, size_t *imported,
    struct terr *e);

/*
 * Writes the stored levels into values (a record of form f) for school
 * (NULL: the device's school): when f has a group "factors" whose items
 * have a read-only choice "profile_level", each item's level becomes the
 * stored level of its "factor" for values' "project_year"; an item whose
 * factor the profile does not hold keeps what it had. Anything else is
 * left alone (0, *filled 0). *filled (may be NULL) gets the items set.
 * For the interactive entry call it once project_year is answered and the
 * items exist, before they are shown (prompt.c shows a read-only value
 * «… (из профиля)»).
 */
int riskprof_fill(struct store *s, const char *school, const struct form *f,
    cJSON *values, size_t *filled, struct terr *e);

#endif
