/*
 * rec_unique — the form's "unique" rule (tetrad/form.h, form_unique) checked
 * when a final record is saved: the device refuses a second record with the
 * same key at the same school (and year), naming the first one.
 */
#ifndef TETRAD_CLIENT_REC_UNIQUE_H
#define TETRAD_CLIENT_REC_UNIQUE_H

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/terr.h"

#include "client/store.h"

/*
 * 0 when no other final record of f's form (any version) at r's school
 * shares the key of values; TERR_INVALID with a Russian message naming the
 * first such record (its id and the date of year_of) otherwise. A record
 * missing a key value is never a repeat (the form's own rules say whether
 * it may miss it). r gives the school and the id to leave out (a record
 * not yet stored: any id not in the store), so an interactive entry can
 * ask early, as soon as the key's answers are in. rec.c calls it inside
 * the writing transaction, so the check and the write see the same records.
 */
int rec_unique_check(struct store *s, const struct form *f, const struct localdb_record *r,
    const cJSON *values, struct terr *e);

#endif
