/*
 * rec_school — the school a record belongs to, and the schools a device may
 * write for (rec.h files records through it).
 */
#ifndef TETRAD_CLIENT_REC_SCHOOL_H
#define TETRAD_CLIENT_REC_SCHOOL_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/school.h"
#include "tetrad/terr.h"

#include "client/store.h"

/*
 * The record's school. A form may name a school field (form_school_field():
 * the visit's «Код ОО»); its value is the record's school everywhere
 * (records.school, the outbox, the change set, the hub). Other forms take
 * --school or the device's own school. Every school must be one of the
 * device's (meta device_schools: a school device's own school, a curator's
 * from the enrollment token).
 *
 * rec_school_choices: *list the comma list of the device's schools (meta
 * device_schools; "" for a curator not enrolled yet), *curator whether the
 * device is a curator's (meta device_kind). The caller frees *list. An
 * interactive `new` on a curator device offers these for the school field.
 */
int rec_school_choices(struct store *s, char **list, bool *curator, struct terr *e);

/* TERR_INVALID with a Russian message naming the device's schools when
 * school is not one of them. */
int rec_school_check(struct store *s, const char *school, struct terr *e);

/*
 * Before validation, for a form with a school field: an empty field gets
 * school (--school; may be NULL) or, on a school device, the device's own
 * school (a school device never asks for it); a value that differs from
 * school, or is not one of the device's schools, is refused (TERR_INVALID,
 * Russian). A curator's empty field with no school stays empty (a draft
 * may wait; a final record is then refused by the form's checks). Forms
 * without a school field: nothing.
 */
int rec_school_fill(struct store *s, const struct form *f, const char *school,
    cJSON *values, struct terr *e);

/*
 * The school a record of f with values is filed under (outbox, change set,
 * hub): the value of the form's school field when it has one, else school
 * (checked) or the device's own school. A draft of a curator without the
 * field yet keeps the device's own school, or none: it never leaves the
 * device.
 */
int rec_school_of(struct store *s, const struct form *f, const cJSON *values,
    const char *school, bool draft, char out[SCHOOL_CODE_MAX + 1], struct terr *e);

#endif
