/*
 * boxkey — the device's X25519 box key, `<db>.box.key` beside
 * `<db>.device.key`: the hub encrypts its pull answers to it (pullmsg.h).
 * Made at enrollment; a device enrolled before issue 18 gets one the first
 * time it pulls, without re-enrollment (the hub registers it at first
 * sight). Protected by the same passphrase as the device key, if any.
 */
#ifndef TETRAD_SYNCD_BOXKEY_H
#define TETRAD_SYNCD_BOXKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "tetrad/keys.h"
#include "tetrad/terr.h"

/* "<db_path>.box.key" into out (cap bytes); TERR_ARG when it does not fit. */
int boxkey_path(const char *db_path, char *out, size_t cap, struct terr *e);

/*
 * Loads the box key of the database at db_path into k, or, when the file
 * does not exist and create is true, makes a new pair and saves it first
 * (0600, never over an existing file). passphrase: NULL or "" for an
 * unprotected file. *created (may be NULL) says a new pair was made.
 * TERR_NOTFOUND when it is missing and create is false.
 */
int boxkey_load(const char *db_path, const char *passphrase, bool create,
    struct keys_enc *k, bool *created, struct terr *e);

#endif
