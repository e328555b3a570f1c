/*
 * textin — text a person typed into a form field's value (textin.c): the
 * CLI, the CSV reader and the web interface's forms all read it this way.
 */
#ifndef TETRAD_TEXTIN_H
#define TETRAD_TEXTIN_H

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/terr.h"

/*
 * Converts text a person typed (CLI --set, a prompt, a CSV cell) into the
 * field's value: "да"/"нет", dates as ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, a choice by
 * code or by label, multiple choices separated by ','. TERR_INVALID with a
 * Russian message naming the field if it cannot.
 * Decimals take "3.5" and "3,5" whatever the process locale. Empty text
 * (or a scale's «затрудняюсь ответить») gives a cJSON null: no answer.
 * The single value's own bounds (min/max, length, choices) are checked too
 * (form_value_check); rules involving other fields are not.
 */
int textin_value(const struct form_field *field, const char *text, cJSON **out,
    struct terr *e);

#endif
