/*
 * hubdb_calendar — the store's part of the programmes' calendar (same
 * contract as hubdb.h, whose implementation it belongs to): each school's
 * programmes by year and the issued risk profile (РПШ) per school, project
 * year and factor. Kept in a header of its own so the rest of hubdb.h does
 * not grow with every report; a second store implements these too.
 */
#ifndef TETRAD_HUB_HUBDB_CALENDAR_H
#define TETRAD_HUB_HUBDB_CALENDAR_H

#include "hub/hubdb.h"

/* A school's programme in a year; codes are programmes.h's (shnor, ...). */
struct hubdb_programme {
	const char *school;
	int year;
	const char *programme;
};
typedef int (*hubdb_programme_cb)(void *ctx, const struct hubdb_programme *p);
/* Every stored row, by school, year, programme. */
int hubdb_programmes_each(struct hubdb *db, hubdb_programme_cb cb, void *ctx,
    struct terr *e);
/* Adds the row (on) or removes it (!on); registers the school on add. */
int hubdb_programme_put(struct hubdb *db, const char *school, int year,
    const char *programme, bool on, struct terr *e);
/* Removes every school's `programme` of `year` (an import replaces a list). */
int hubdb_programme_clear(struct hubdb *db, int year, const char *programme,
    struct terr *e);

/* One factor's level in a school's issued profile of a project year. */
struct hubdb_profile {
	const char *school;
	int year;
	const char *factor;               /* R01 ... */
	const char *level;                /* high | medium | low | not_found */
};
typedef int (*hubdb_profile_cb)(void *ctx, const struct hubdb_profile *p);
/* Every stored row, by school, year, factor. */
int hubdb_profile_each(struct hubdb *db, hubdb_profile_cb cb, void *ctx, struct terr *e);
/* Removes the school's profile of the year (an import replaces a profile whole). */
int hubdb_profile_clear(struct hubdb *db, const char *school, int year, struct terr *e);
/* Stores one level, replacing the same (school, year, factor); registers the school. */
int hubdb_profile_put(struct hubdb *db, const struct hubdb_profile *p, struct terr *e);

#endif
