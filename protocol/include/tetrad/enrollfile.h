/*
 * enrollfile — the enrollment file the hub gives for a new device
 * (`tetrad-hub token create … --enroll-file FILE`): the hub's address, the
 * one-time token and the pin of its certificate in one small JSON file,
 * so a school enters one file, not three pieces (`tetrad enroll --file`,
 * the interface's enrollment page). Outside input: bounded, strict, fuzzed.
 *
 *   {"format": 1, "hub": "https://host:port", "token": "XXXX-…",
 *    "pin": "sha256//BASE64", "school": "CODE" | "curator": "NAME",
 *    "schools": ["CODE", …], "expires": "2026-12-10T12:00:00Z"}
 *
 * hub, token and pin are required; the rest informs the person.
 */
#ifndef TETRAD_ENROLLFILE_H
#define TETRAD_ENROLLFILE_H

#include <stddef.h>

#include "tetrad/terr.h"

#define ENROLLFILE_MAX 8192          /* bytes of the file */
#define ENROLLFILE_FORMAT 1
#define ENROLLFILE_URL_MAX 512
#define ENROLLFILE_TOKEN_MAX 64
#define ENROLLFILE_PIN_MAX 128
#define ENROLLFILE_NAME_MAX 256
#define ENROLLFILE_SCHOOLS_MAX 256
#define ENROLLFILE_EXT ".tetrad-enroll"

struct enrollfile {
	char hub[ENROLLFILE_URL_MAX + 1];
	char token[ENROLLFILE_TOKEN_MAX + 1];
	char pin[ENROLLFILE_PIN_MAX + 1];
	char school[64];                 /* "" for a curator's token */
	char curator[ENROLLFILE_NAME_MAX + 1];
	size_t n_schools;
	char schools[ENROLLFILE_SCHOOLS_MAX][64];
	char expires[32];                /* "" if not given */
};

/* Parses text (len bytes). TERR_PARSE / TERR_TOO_LARGE with a Russian
 * message saying what is wrong with the file. */
int enrollfile_parse(const char *text, size_t len, struct enrollfile *out,
    struct terr *e);
/* The file's JSON text (malloc'd, NUL-terminated) for ef. */
int enrollfile_format(const struct enrollfile *ef, char **out, struct terr *e);

#endif
