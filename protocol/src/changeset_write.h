/*
 * changeset_write — the canonical encoder's ways in for the reader and the
 * full parser (private to the protocol library).
 */
#ifndef TETRAD_CHANGESET_WRITE_H
#define TETRAD_CHANGESET_WRITE_H

#include <stddef.h>

#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"

#define CHANGESET_NUM_MAX 40

/*
 * Integral values up to 2^53 print as integers; anything else prints with the
 * fewest significant digits (1..17, "%.*g") that read back to the same
 * double, with '.' as the decimal point whatever the locale. Writes out
 * (CHANGESET_NUM_MAX bytes, NUL-terminated) and returns the length, or 0 for
 * NaN and the infinities.
 */
size_t changeset_write_number_text(double d, char out[CHANGESET_NUM_MAX]);

/*
 * changeset_encode; with fields_at (2 * n_ops entries), where each put's
 * fields begin in out and their length.
 */
int changeset_write_at(const struct changeset *cs, struct tbuf *out, size_t *fields_at,
    struct terr *e);

#endif
