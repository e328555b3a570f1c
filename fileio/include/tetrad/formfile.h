/*
 * formfile — form definitions and their dictionaries from files: reads
 * them with fileio_read_all (bounded by FORM_MAX_BYTES) and hands the
 * buffers to the protocol's form_parse.
 *
 * Library code: 0 or a negative TERR_* code with a Russian message in e.
 */
#ifndef TETRAD_FORMFILE_H
#define TETRAD_FORMFILE_H

#include <stddef.h>

#include "tetrad/form.h"
#include "tetrad/terr.h"

/*
 * Parses the definition json (len bytes), reading the dictionaries it names
 * but does not embed from dicts_dir as NAME.json (NULL: they must be
 * embedded). *out is NULL on failure.
 */
int formfile_parse(const char *json, size_t len, const char *dicts_dir,
    struct form **out, struct terr *e);

/* Reads the definition at path and parses it as formfile_parse does; messages name path. */
int formfile_load(const char *path, const char *dicts_dir, struct form **out,
    struct terr *e);

#endif
