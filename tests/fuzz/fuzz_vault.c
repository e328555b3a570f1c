/*
 * fuzz_vault — what a crafted database or a mistyped key may bring to the
 * vault (client/vault.h): the bytes as meta "vault" (the strict parser), as
 * a record's sealed blob opened with a fixed key, and as a typed recovery
 * key. Nothing is unlocked with a passphrase: Argon2id at the row's own
 * limits would make each run take seconds (the unit test covers unlocking
 * damaged rows). The bytes sealed and opened again must come back exactly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/vault_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key and record id the corpus's sealed seeds were made with. */
static const uint8_t fuzz_key[VAULT_KEY_BYTES] = {
	0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
	0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
	0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42
};
static const uint8_t fuzz_id[LOCALDB_ID_BYTES] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vault *key;
	struct vault *v = NULL;
	struct vault_limits l;
	struct terr e;
	uint8_t rec[VAULT_RECOVERY_BYTES], *blob = NULL;
	char *text, *json = NULL;
	size_t n = 0;
	bool has_rec;

	if (size > 65536)
		return 0;
	if (key == NULL && vault_from_key(fuzz_key, &key, &e) != 0)
		abort();

	if (vault_parse_meta((const char *)data, size, &v, &e) == 0) {
		vault_info(v, &l, &has_rec);
		if (vault_state(v) != VAULT_LOCKED || l.ops == 0 || l.ops > 32 ||
		    l.mem == 0 || l.mem > (4ULL << 30))
			abort();
	}
	vault_free(v);

	if (vault_open(key, fuzz_id, data, size, &json, &e) == 0 && json == NULL)
		abort();
	free(json);
	json = NULL;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)vault_recovery_parse(text, rec);

	if (vault_seal(key, fuzz_id, text, size, &blob, &n, &e) != 0 ||
	    vault_open(key, fuzz_id, blob, n, &json, &e) != 0 ||
	    memcmp(json, text, size) != 0 || json[size] != '\0')
		abort();
	free(json);
	free(blob);
	free(text);
	return 0;
}
