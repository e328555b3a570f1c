/*
 * changeset_internal — the canonical reader's check of a whole set, for
 * tests and fuzz targets only (not part of the public contract).
 *
 * changeset_parse takes a set as canonical when this check passes and
 * otherwise encodes it again and compares. The check must never pass for a
 * text that is not canonical, and should pass for every text that is, or
 * the hub does the slow work for nothing; the fuzz targets hold it to both.
 */
#ifndef TETRAD_CHANGESET_INTERNAL_H
#define TETRAD_CHANGESET_INTERNAL_H

#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"

/*
 * 0 if buf is exactly changeset_encode of cs (which was parsed from it);
 * fields_at (2 * n_ops) then holds where each put's fields begin in buf and
 * their length.
 */
int changeset_rd_set(const struct changeset *cs, const uint8_t *buf, size_t len,
    size_t *fields_at);

#endif
