/*
 * rec — what happens to a record: new, edit, finalize, delete. Validation
 * by the record's own form version, and for final records the record and
 * exactly one outbox row (fields without `local` ones) in one transaction.
 * Drafts never reach the outbox.
 */
#ifndef TETRAD_CLIENT_REC_H
#define TETRAD_CLIENT_REC_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/terr.h"
#include "tetrad/uuid7.h"

#include "client/catalog.h"
#include "client/store.h"

/* Largest JSON values file accepted by rec_read_json. */
#define REC_JSON_MAX (4u << 20)

/*
 * Applies one "path=value" assignment (path: field, or group[N].member;
 * an empty value removes the answer) to values, converting the text with
 * the field's type. TERR_INVALID / TERR_ARG with a Russian message.
 */
int rec_apply_set(const struct form *f, cJSON *values, const char *assignment,
    struct terr *e);

/* Merges a JSON object of values into values: members replace; a null is
 * kept, and rec_new/rec_edit drop it unless it answers a scale with
 * «затрудняюсь ответить». */
int rec_merge(cJSON *values, const cJSON *changes, struct terr *e);

/* Reads a JSON object from path ("-" = stdin), bounded by REC_JSON_MAX. */
int rec_read_json(const char *path, cJSON **out, struct terr *e);

/*
 * Creates a record of the newest version of form_id for school (NULL: the
 * device's school). draft: validated as a draft and kept out of the outbox.
 * On invalid values returns TERR_INVALID with *problems set (caller frees)
 * and writes nothing.
 */
int rec_new(struct store *s, const struct catalog *c, const char *form_id,
    const char *school, const cJSON *values, bool draft,
    uint8_t id_out[UUID7_BYTES], struct form_problems **problems,
    struct terr *e);

/* Stores an already validated record of f (no validation here); with
 * in_tx the caller holds the transaction (bulk import). */
int rec_create(struct store *s, const struct form *f, const char *school,
    const cJSON *values, bool draft, bool in_tx, uint8_t id_out[UUID7_BYTES],
    struct terr *e);

/* Merges changes into a record (validated with its form_version, as a
 * draft or final according to its status). */
int rec_edit(struct store *s, const struct catalog *c,
    const uint8_t id[UUID7_BYTES], const cJSON *changes,
    struct form_problems **problems, struct terr *e);

/* Makes a draft final (full validation) and queues it. A final record is
 * left as it is (returns 1). */
int rec_finalize(struct store *s, const struct catalog *c,
    const uint8_t id[UUID7_BYTES], struct form_problems **problems,
    struct terr *e);

/* Deletes a record: a final one becomes a tombstone queued as "delete". */
int rec_delete(struct store *s, const uint8_t id[UUID7_BYTES], struct terr *e);

#endif
