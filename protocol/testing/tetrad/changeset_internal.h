/*
 * changeset_internal — the canonical reader's ways into a set, for tests
 * and fuzz targets only (not part of the public contract).
 *
 * changeset_parse reads a set with the canonical reader first, and only
 * what the reader refuses goes through cJSON and the encoder. The reader
 * must never take a text that is not canonical, and should take every one
 * that is, or the hub does the slow work for nothing: the fuzz targets hold
 * it to both.
 */
#ifndef TETRAD_CHANGESET_INTERNAL_H
#define TETRAD_CHANGESET_INTERNAL_H

#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"

/*
 * The two ways changeset_parse reads a set, neither keeping buf (fields_text
 * points into it). changeset_rd_parse reads canonical text alone, builds
 * each put's fields tree itself in the set's memory, and says nothing when it
 * refuses; changeset_parse_tree pre-scans, parses the whole set with cJSON,
 * checks the schema and then encodes the set again and compares, with a
 * reason for every refusal: the two share nothing but the encoder's rules,
 * so each checks the other.
 */
int changeset_rd_parse(const uint8_t *buf, size_t len, struct changeset **out);
int changeset_parse_tree(const uint8_t *buf, size_t len, struct changeset **out,
    struct terr *e);

#endif
