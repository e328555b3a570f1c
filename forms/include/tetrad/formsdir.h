/*
 * formsdir — where the built-in forms are, the one lookup the client, syncd
 * and the hub share: $TETRAD_FORMS_DIR if set, else the install dir if it
 * exists, else the forms/ folder of the source tree the program was built
 * from if it exists (so a program run from a build tree needs no setup).
 */
#ifndef TETRAD_FORMSDIR_H
#define TETRAD_FORMSDIR_H

#include "tetrad/terr.h"

#define FORMSDIR_ENV "TETRAD_FORMS_DIR"

/*
 * Sets *dir to the built-in forms directory and returns 0. The string is
 * the environment's or a compiled-in constant: do not free it. When none is
 * found, returns TERR_IO with a Russian message naming TETRAD_FORMS_DIR and
 * sets *dir to the install dir all the same (for callers that go on
 * without built-in forms).
 */
int formsdir_builtin(const char **dir, struct terr *e);

/*
 * The same choice over given candidates (env_value may be NULL or empty;
 * install_dir and source_dir may be NULL): what formsdir_builtin does with
 * getenv and the compiled-in paths. For tests.
 */
int formsdir_pick(const char *env_value, const char *install_dir,
    const char *source_dir, const char **dir, struct terr *e);

#endif
