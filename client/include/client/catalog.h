/*
 * catalog — the forms a device knows: built-in (shipped with the client)
 * and pulled from the hub (<db>.forms/). Every version is kept so a record
 * is always judged by the version it was made with; new records get the
 * highest version of their form.
 */
#ifndef TETRAD_CLIENT_CATALOG_H
#define TETRAD_CLIENT_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/form.h"
#include "tetrad/terr.h"

struct catalog;

/*
 * Loads every *.json form in builtin_dir (dictionaries from builtin_dir/dict)
 * and in pulled_dir (may be NULL or missing; dictionaries from
 * pulled_dir/dict, else the built-in ones). A broken built-in form is an
 * error; a broken pulled form is skipped and noted (catalog_warnings).
 * For the same id and version a pulled form replaces the built-in one.
 */
int catalog_load(const char *builtin_dir, const char *pulled_dir,
    struct catalog **out, struct terr *e);
void catalog_free(struct catalog *c);

/* Forms sorted by id then version. */
size_t catalog_count(const struct catalog *c);
const struct form *catalog_at(const struct catalog *c, size_t i);
/* Highest version of id, or NULL. */
const struct form *catalog_latest(const struct catalog *c, const char *id);
/* Exact version, or NULL. */
const struct form *catalog_get(const struct catalog *c, const char *id,
    uint32_t version);
/* Russian notes about skipped pulled forms, one per line; "" if none. */
const char *catalog_warnings(const struct catalog *c);

#endif
