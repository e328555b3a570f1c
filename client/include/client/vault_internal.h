/*
 * vault_internal — test-only entries into vault.c (unit tests, the fuzz
 * target tests/fuzz/fuzz_vault.c). Not for the programs: a vault comes from
 * vault_load and is unlocked with a passphrase.
 */
#ifndef TETRAD_CLIENT_VAULT_INTERNAL_H
#define TETRAD_CLIENT_VAULT_INTERNAL_H

#include "client/vault.h"

/* Parses the text of meta "vault" (len bytes, not necessarily
 * NUL-terminated) as vault_load does: a VAULT_LOCKED vault, or TERR_PARSE. */
int vault_parse_meta(const char *text, size_t len, struct vault **out,
    struct terr *e);

/* A VAULT_OPEN vault holding key, with no wraps (nothing to store). */
int vault_from_key(const uint8_t key[VAULT_KEY_BYTES], struct vault **out,
    struct terr *e);

/* The recovery key's text of 20 bytes, and back (vault.c says what the
 * reader forgives). 0, or -1 when text is not a recovery key. */
#define VAULT_RECOVERY_BYTES 20
void vault_recovery_format(const uint8_t b[VAULT_RECOVERY_BYTES],
    char out[VAULT_RECOVERY_TEXT]);
int vault_recovery_parse(const char *text, uint8_t out[VAULT_RECOVERY_BYTES]);

/* The wall clock in milliseconds since 1970: the time of a failure is kept
 * to the millisecond, so a wait of 2 s is 2 s and not anything from 1 to 2
 * (whole seconds truncated on both ends). */
int64_t vault_now_ms(void);
/* Milliseconds to wait after n wrong attempts in a row, the last at time at,
 * when it is now (both ms since 1970). */
unsigned vault_wait_of(unsigned n, int64_t at, int64_t now);

#endif
