/*
 * prompt — field-by-field entry of a record on a terminal, in Russian:
 * shows each relevant field with its label, hint and choices, re-asks until
 * the answer converts, walks repeat groups and per-factor (per-dictionary)
 * items. Reads lines from in and writes questions to out.
 */
#ifndef TETRAD_CLIENT_PROMPT_H
#define TETRAD_CLIENT_PROMPT_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/terr.h"

/* Longest answer line accepted (bytes). */
#define PROMPT_LINE_MAX 8192

/*
 * Asks for every field of f into values (an object, may hold earlier
 * answers which are offered as defaults). TERR_ARG if input ends (EOF)
 * before the form is complete: nothing should be saved then.
 */
int prompt_fill(const struct form *f, cJSON *values, FILE *in, FILE *out,
    struct terr *e);

/* Asks a yes/no question until answered; TERR_ARG on end of input. */
int prompt_yesno(FILE *in, FILE *out, const char *question, bool *answer,
    struct terr *e);

#endif
