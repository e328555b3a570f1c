/*
 * keyfile — secret key files on disk: the protocol's key-file format
 * (keys_secret_seal / keys_secret_open, tetrad/keys.h) written and read
 * with fileio's private write and secret read.
 *
 * Files are created 0600 and never overwritten; a file that group or others
 * may read is refused on load. Library code: 0 or a negative TERR_* code
 * with a Russian message in e.
 */
#ifndef TETRAD_KEYFILE_H
#define TETRAD_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/keys.h"
#include "tetrad/terr.h"

/*
 * Writes the secret key sk (len bytes) of kind to path atomically (temporary
 * file, fsync, link) with mode 0600. passphrase may be NULL or "" for an
 * unprotected file. Never overwrites an existing file (TERR_IO).
 */
int keyfile_save(const char *path, enum keys_kind kind, const uint8_t *sk,
    size_t len, const char *passphrase, struct terr *e);
/*
 * Loads a secret key of kind into sk (exactly len bytes). TERR_PASSPHRASE if
 * the file is protected and passphrase is NULL or wrong; TERR_KEYFILE if the
 * file is of another kind, damaged, or readable by group or others.
 */
int keyfile_load(const char *path, enum keys_kind kind, uint8_t *sk,
    size_t len, const char *passphrase, struct terr *e);
/* 1 if the key file at path needs a passphrase, 0 if not, <0 on error. */
int keyfile_protected(const char *path, struct terr *e);

#endif
