/*
 * hubforms — the forms the hub judges incoming records by: the built-in
 * forms (as on a device) plus the versions published with `tetrad-hub forms
 * publish` (DIR/forms/<id>-v<version>.json). Loaded at start; a version
 * published while the hub runs is loaded the first time a record needs it.
 * Thread-safe.
 */
#ifndef TETRAD_HUB_HUBFORMS_H
#define TETRAD_HUB_HUBFORMS_H

#include <stddef.h>

#include <stdbool.h>
#include <stdint.h>

#include "hub/hubdb.h"
#include "tetrad/changeset.h"
#include "tetrad/keys.h"
#include "tetrad/terr.h"

struct hubforms;

/*
 * Loads every <id>*.json form in builtin_dir and published_dir (either may
 * be NULL or missing), with dictionaries from their dict/ folders. A file
 * that does not parse is an error: the hub must not judge by half a
 * catalogue.
 */
int hubforms_open(const char *builtin_dir, const char *published_dir,
    struct hubforms **out, struct terr *e);
void hubforms_free(struct hubforms *f);
size_t hubforms_count(const struct hubforms *f);

/*
 * The hub's signing key, with which the catalogue opens the bundles the
 * store keeps (hubforms_sync); a catalogue never told loads files only.
 */
void hubforms_trust(struct hubforms *f, const uint8_t sign_pk[KEYS_SIGN_PK_BYTES]);
/*
 * Loads every version published in the store (hub_forms) that the
 * catalogue lacks: from its file in the published folder when there, else
 * from the bundle the store keeps (signed by the hub; a version whose
 * bundle does not verify or parse stays unknown). Several hub processes on
 * one store (issue 20) share no folder: each catches up here — at start,
 * before a pull's scope is made, before a writer tells the store which
 * forms are shared, and before a set is refused for a form the hub does
 * not know.
 */
int hubforms_sync(struct hubforms *f, struct hubdb *db, struct terr *e);

/*
 * Whether records of form id, version can be checked: loaded, or published
 * while the hub runs and loadable now (then it is loaded). A published file
 * that does not load is not known, so a device is never told to send again
 * what hubforms_check_op would refuse again.
 */
bool hubforms_knows(struct hubforms *f, const char *id, uint32_t version);

/*
 * Calls cb(id, version, arg) for every form version the catalogue has
 * loaded; a non-zero return stops and is returned.
 */
int hubforms_each(struct hubforms *f, int (*cb)(const char *id, uint32_t version,
    void *arg), void *arg);

/*
 * Calls cb(id, share, arg) once per form id the catalogue has loaded, with
 * the "share" rule (form.h FORM_SHARE_*) of its newest loaded version: the
 * rule the hub's pulls go by. A non-zero return stops and is returned.
 */
int hubforms_share_each(struct hubforms *f, int (*cb)(const char *id, unsigned share,
    void *arg), void *arg);

/*
 * Tells the store which forms are shared (hubdb_feed_forms: the ids whose
 * newest loaded version has a non-empty "share" rule), when the catalogue
 * changed since it last told this handle; the store numbers the records of
 * a form that became shared. Call it on a writer's handle before it writes
 * records (in its transaction or outside one).
 */
int hubforms_feed_forms(struct hubforms *f, struct hubdb *db, struct terr *e);

/*
 * Checks an op against its form and version: the form must be one the hub
 * knows (a delete too: it leaves a tombstone under that form), and a put's
 * fields must pass in FORM_HUB mode (unknown fields, smuggled local fields,
 * types, bounds, rules), and for a form with a school field
 * (form_school_field) its value must be the op's school. An edit's fields
 * (only the ones it changed) are checked one by one: each value as a draft's
 * (types, bounds, choices, unknown fields), none local, the school field,
 * when listed, the op's school; not "required" nor rules between fields,
 * which need the whole record. Returns 0 if valid,
 * TERR_INVALID with a Russian description in why (field labels and rules,
 * never values), TERR_NOTFOUND with why when the hub does not know the form
 * or version (a cause that goes away when it is published: wire.h
 * WIRE_RETRY_FORMS), another code
 * on error.
 */
int hubforms_check_op(struct hubforms *f, const struct op *op, char *why,
    size_t cap, struct terr *e);

/*
 * `tetrad-hub forms publish FILE`: checks the definition, refuses a version
 * that exists already, builds the bundle {"form": …, "dictionaries": {…}}
 * (dictionaries it names, from published_dir/dict or builtin_dir/dict),
 * signs it (SIGBLOB_FORM_BUNDLE), stores it for GET /v1/forms and copies the
 * definition to published_dir/<id>-v<version>.json.
 */
int hubforms_publish(struct hubdb *db, const struct keys_sign *sign, const char *file,
    const char *builtin_dir, const char *published_dir, char id_out[CHANGESET_ID_MAX + 1],
    uint32_t *version_out, struct terr *e);

#endif
