/*
 * school — the one rule for a school code and for a list of them, shared by
 * the client (its school, a curator's schools), syncd and the hub (tokens,
 * devices, the school register, ingest).
 *
 * A code is 1 … SCHOOL_CODE_MAX bytes of [0-9A-Za-z_-]. A list is codes
 * separated by commas; spaces around a comma are allowed when a person
 * types the list ("170103, 170104"), and the stored form has none.
 */
#ifndef TETRAD_SCHOOL_H
#define TETRAD_SCHOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "tetrad/terr.h"

#define SCHOOL_CODE_MAX 32
#define SCHOOL_LIST_MAX 4096   /* bytes of a stored list */

/* Whether code is a valid school code. */
bool school_code_ok(const char *code);

/*
 * Checks a typed list and writes its stored form ("a,b,c": no spaces) to
 * out (cap bytes). Refuses an empty list, an empty item, an invalid or
 * repeated code and a list that does not fit, with a Russian message.
 */
int school_list_normalize(const char *list, char *out, size_t cap, struct terr *e);

/* Whether code is one of list's codes (stored or typed form). */
bool school_list_has(const char *list, const char *code);

/*
 * The list's next code: *cursor starts at the list and moves past the code.
 * Copies it (cut to SCHOOL_CODE_MAX) into code and returns true; false at
 * the end.
 */
bool school_list_next(const char **cursor, char code[SCHOOL_CODE_MAX + 1]);

#endif
