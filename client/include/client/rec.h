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
 * form's school field, else the device's school; rec_school_fill applies).
 * draft: validated as a draft and kept out of the outbox.
 * On invalid values returns TERR_INVALID with *problems set (caller frees)
 * and writes nothing.
 */
int rec_new(struct store *s, const struct catalog *c, const char *form_id,
    const char *school, const cJSON *values, bool draft,
    uint8_t id_out[UUID7_BYTES], struct form_problems **problems,
    struct terr *e);

/* Stores an already validated record of f (no validation of the values
 * here, but its school is checked: the school field's value, else school,
 * else the device's own); with in_tx the caller holds the transaction
 * (bulk import). */
int rec_create(struct store *s, const struct form *f, const char *school,
    const cJSON *values, bool draft, bool in_tx, uint8_t id_out[UUID7_BYTES],
    struct terr *e);

/* Merges changes into a record (validated with its form_version, as a
 * draft or final according to its status). A final record's school field
 * cannot change (it was sent as that school's: delete and create anew); a
 * draft follows its field. */
int rec_edit(struct store *s, const struct catalog *c,
    const uint8_t id[UUID7_BYTES], const cJSON *changes,
    struct form_problems **problems, struct terr *e);

/* Replaces a record's values with values (an edited export row, a page's
 * form; a draft becomes final with finalize), validated and filed as
 * rec_edit does; *changed false when nothing differed (nothing written or
 * queued). With in_tx the caller holds the transaction; without, reading
 * and writing are one. expect_hlc (NULL: none) is the record's updated_hlc
 * the values were made from: when the record moved on since (a pull,
 * another tab), nothing is written and 1 is returned. */
int rec_update(struct store *s, const struct catalog *c,
    const uint8_t id[UUID7_BYTES], const cJSON *values, bool finalize,
    bool in_tx, const char *expect_hlc, bool *changed,
    struct form_problems **problems, struct terr *e);

/* Makes a draft final (full validation) and queues it. A final record is
 * left as it is (returns 1). */
int rec_finalize(struct store *s, const struct catalog *c,
    const uint8_t id[UUID7_BYTES], struct form_problems **problems,
    struct terr *e);

/* Deletes a record: a final one becomes a tombstone queued as "delete". */
int rec_delete(struct store *s, const uint8_t id[UUID7_BYTES], struct terr *e);

#endif
