/*
 * hubkeys — rotation of the hub's encryption key.
 *
 * Devices seal change sets to the hub's X25519 key and name it by key id in
 * the envelope header. Rotation makes a new current key (DIR/hub.enc.key)
 * and keeps the previous ones in DIR/keys/hub.enc.<id>.key, so change sets
 * sealed before a device heard of the new key (kept in its outbox, carried
 * on a USB stick) still open. Devices learn the new key from the signed
 * acknowledgements. A retired key is deleted only on the operator's word
 * (`tetrad-hub keys retire ID`), once every device has moved on.
 *
 * The signing key does not rotate this way: devices trust it from
 * enrollment (docs/operations.md says what to do if it is lost).
 */
#ifndef TETRAD_HUB_HUBKEYS_H
#define TETRAD_HUB_HUBKEYS_H

#include <stddef.h>

#include "tetrad/keys.h"
#include "tetrad/terr.h"

#define HUBKEYS_OLD_MAX 16 /* previous encryption keys kept at once */

struct hubkeys_old {
	size_t n;
	struct keys_enc key[HUBKEYS_OLD_MAX];
};

/*
 * Loads every previous encryption key in dir/keys (none is fine). passphrase
 * as for the current key (NULL: unprotected). TERR_KEYFILE/TERR_PASSPHRASE
 * name the file that failed.
 */
int hubkeys_load_old(const char *dir, const char *passphrase, struct hubkeys_old *old,
    struct terr *e);
void hubkeys_wipe(struct hubkeys_old *old);

/*
 * Makes a new current encryption key: current (the loaded current key pair)
 * is first saved under dir/keys, then the new key replaces dir/hub.enc.key
 * by rename, so a crash leaves either the old or the new key current and the
 * old one always kept. fresh receives the new pair. Refuses when
 * HUBKEYS_OLD_MAX previous keys are kept already.
 */
int hubkeys_rotate(const char *dir, const char *passphrase,
    const struct keys_enc *current, struct keys_enc *fresh, struct terr *e);

/* Deletes the previous key with this id (16 hex). TERR_ARG for an id that is
 * not 16 hex digits, TERR_NOTFOUND if there is no such key. */
int hubkeys_retire(const char *dir, const char *id_hex, struct terr *e);

/* The key matching id among current and old, or NULL. */
const struct keys_enc *hubkeys_find(const struct keys_enc *current,
    const struct keys_enc *old, size_t n_old, const uint8_t id[KEYS_ID_BYTES]);

#endif
