/*
 * boxkey — the device's box key file (see boxkey.h).
 */
#include "syncd/boxkey.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include <sodium.h>

#include "tetrad/keyfile.h"

int
boxkey_path(const char *db_path, char *out, size_t cap, struct terr *e)
{
	if (snprintf(out, cap, "%s.box.key", db_path) >= (int)cap)
		return terr_set(e, TERR_ARG, "слишком длинный путь к базе данных");
	return 0;
}

int
boxkey_load(const char *db_path, const char *passphrase, bool create,
    struct keys_enc *k, bool *created, struct terr *e)
{
	char path[4096 + 16];
	struct stat sb;
	int r;

	if (created)
		*created = false;
	if ((r = boxkey_path(db_path, path, sizeof(path), e)) != 0)
		return r;
	if (passphrase && *passphrase == '\0')
		passphrase = NULL;
	if (lstat(path, &sb) != 0 && errno == ENOENT) {
		if (!create)
			return terr_set(e, TERR_NOTFOUND, "нет ключа шифрования устройства %s", path);
		if (keys_enc_generate(k) != 0)
			return terr_set(e, TERR_CRYPTO, "не удалось создать ключ шифрования устройства");
		if ((r = keyfile_save(path, KEYS_DEVICE_BOX, k->sk, KEYS_ENC_SK_BYTES, passphrase, e)) != 0) {
			keys_enc_wipe(k);
			return r;
		}
		if (created)
			*created = true;
		return 0;
	}
	if ((r = keyfile_load(path, KEYS_DEVICE_BOX, k->sk, KEYS_ENC_SK_BYTES, passphrase, e)) != 0) {
		sodium_memzero(k, sizeof(*k));
		return r;
	}
	keys_enc_pk_from_sk(k->sk, k->pk);
	return 0;
}
