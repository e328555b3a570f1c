/*
 * pull — newer form bundles from the hub: list, fetch, verify the hub's
 * signature, install atomically into <db path>.forms/.
 *
 * A bundle (SIGBLOB_FORM_BUNDLE) carries {"form": {...}, "dictionaries":
 * {"<name>": {...}}}. Files are <id>-v<version>.json and dict/<name>.json,
 * each written to a temporary file, fsynced, renamed, and the directory
 * fsynced; dictionaries go first so a form never appears before what it
 * refers to. Ids and names are checked ([a-z0-9_-], 1 … 64) before they
 * become part of a path. Forms already present (pulled or built in with the
 * same id and version) are not fetched again.
 */
#ifndef TETRAD_SYNCD_PULL_H
#define TETRAD_SYNCD_PULL_H

#include <stddef.h>
#include <stdint.h>

#include "syncd/net.h"
#include "tetrad/keys.h"
#include "tetrad/terr.h"

#define PULL_LIST_MAX (1u << 20)      /* GET /v1/forms body */
#define PULL_MAX_FORMS 1000           /* entries considered from the list */

/* 0 if name is a safe form id / dictionary name, TERR_ARG otherwise. */
int pull_check_name(const char *name, struct terr *e);

/*
 * Installs one verified bundle payload (JSON) for id/version into forms_dir
 * (created 0700 if missing). TERR_SCHEMA when the payload does not describe
 * form id version.
 */
int pull_install(const char *forms_dir, const char *id, uint32_t version,
    const uint8_t *payload, size_t len, struct terr *e);

/* The whole pull; *installed counts new form versions. */
int pull_run(struct net *n, const uint8_t hub_sign_pk[KEYS_SIGN_PK_BYTES],
    const char *db_path, const char *builtin_dir, int64_t *installed,
    struct terr *e);

#endif
