/*
 * formset — the form definitions a device knows (the built-in forms dir and
 * the pulled `<db>.forms/`, as pull.c finds them), read once per pull, for
 * the one question the inbox asks: which fields of a form never leave the
 * device (sync "local"), so a pulled record never touches them.
 *
 * Every version of a form id counts: a field that is local in any version
 * the device knows is left alone.
 */
#ifndef TETRAD_SYNCD_FORMSET_H
#define TETRAD_SYNCD_FORMSET_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "tetrad/terr.h"

struct formset;

/* Reads every form definition in builtin_dir and pulled_dir (either may be
 * NULL or missing); a file that does not parse is passed over. */
int formset_new(const char *builtin_dir, const char *pulled_dir, struct formset **out,
    struct terr *e);
void formset_free(struct formset *fs);

/* Number of form definitions read (for tests and logs). */
size_t formset_count(const struct formset *fs);

/* true when top-level field of form_id is local in a version known here. */
bool formset_is_local(const struct formset *fs, const char *fid, const char *field);

/*
 * After a merge replaced values of groups whose items have local members
 * (a mediation case's parties: names and phones), puts the device's own
 * local members back from old into data, item by item by position (the
 * hub never has them). Local top-level fields are copied back too. Returns
 * 0, or TERR_NOMEM.
 */
int formset_graft_local(const struct formset *fs, const char *fid, cJSON *data,
    const cJSON *old, struct terr *e);

#endif
