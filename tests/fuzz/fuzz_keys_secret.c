/*
 * fuzz_keys_secret — a key file's bytes (tetrad/keys.h keys_secret_open,
 * keys_secret_protected) as a damaged disk or a hostile copy may hold them:
 * header, kind, flags and lengths. No passphrase is given (Argon2id with
 * the file's own limits would make each run take seconds); a protected
 * file must then be refused before any key derivation. An unprotected key
 * sealed again must open to the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum keys_kind kinds[] = { KEYS_DEVICE_SIGN, KEYS_HUB_ENC, KEYS_HUB_SIGN };
	static const size_t lens[] = { KEYS_SIGN_SK_BYTES, KEYS_ENC_SK_BYTES, KEYS_SIGN_SK_BYTES };
	uint8_t sk[64], again[64], file[KEYS_FILE_MAX];
	struct terr e;

	if (size > 2 * KEYS_FILE_MAX)
		return 0;
	(void)keys_secret_protected(data, size, "fuzz", &e);
	for (size_t k = 0; k < 3; k++) {
		size_t n = 0;

		if (keys_secret_open(data, size, kinds[k], sk, lens[k], NULL, "fuzz", &e) != 0)
			continue;
		if (keys_secret_protected(data, size, "fuzz", &e) != 0)
			abort();        /* opened without a passphrase: must be unprotected */
		if (keys_secret_seal(kinds[k], sk, lens[k], NULL, file, &n, &e) != 0 ||
		    keys_secret_open(file, n, kinds[k], again, lens[k], NULL, "fuzz", &e) != 0 ||
		    memcmp(sk, again, lens[k]) != 0)
			abort();
	}
	return 0;
}
