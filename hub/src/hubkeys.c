/*
 * hubkeys — rotation of the hub's encryption key (see hubkeys.h).
 */
#include "hub/hubkeys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tetrad/keyfile.h"

#define HUBKEYS_PATH (PATH_MAX + 64)

static int
hubkeys_hex_ok(const char *s)
{
	if (s == NULL || strlen(s) != KEYS_ID_HEXLEN)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static void
hubkeys_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int
hubkeys_load_old(const char *dir, const char *passphrase, struct hubkeys_old *old,
    struct terr *e)
{
	char kdir[HUBKEYS_PATH], path[HUBKEYS_PATH + 256 + 2], id[KEYS_ID_HEXLEN + 1];
	DIR *d;
	struct dirent *de;
	int r = 0;

	memset(old, 0, sizeof(*old));
	snprintf(kdir, sizeof(kdir), "%s/keys", dir);
	if ((d = opendir(kdir)) == NULL)
		return errno == ENOENT ? 0 : terr_set(e, TERR_IO, "не удалось открыть %s: %s",
		    kdir, terr_strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct keys_enc *k;

		/* hub.enc.<16 hex>.key; anything else (a temporary file) is not a key */
		if (strncmp(de->d_name, "hub.enc.", 8) != 0 || strlen(de->d_name) != 8 +
		    KEYS_ID_HEXLEN + 4 || strcmp(de->d_name + 8 + KEYS_ID_HEXLEN, ".key") != 0)
			continue;
		memcpy(id, de->d_name + 8, KEYS_ID_HEXLEN);
		id[KEYS_ID_HEXLEN] = '\0';
		if (!hubkeys_hex_ok(id))
			continue;
		if (old->n == HUBKEYS_OLD_MAX) {
			r = terr_set(e, TERR_TOO_LARGE, "в %s больше %d прежних ключей: удалите "
			    "ненужные командой «keys retire»", kdir, HUBKEYS_OLD_MAX);
			break;
		}
		k = &old->key[old->n];
		snprintf(path, sizeof(path), "%s/%s", kdir, de->d_name);
		if ((r = keyfile_load(path, KEYS_HUB_ENC, k->sk, KEYS_ENC_SK_BYTES, passphrase,
		    e)) != 0)
			break;
		keys_enc_pk_from_sk(k->sk, k->pk);
		old->n++;
	}
	closedir(d);
	if (r != 0)
		hubkeys_wipe(old);
	return r;
}

void
hubkeys_wipe(struct hubkeys_old *old)
{
	if (old == NULL)
		return;
	for (size_t i = 0; i < HUBKEYS_OLD_MAX; i++)
		keys_enc_wipe(&old->key[i]);
	old->n = 0;
}

int
hubkeys_rotate(const char *dir, const char *passphrase,
    const struct keys_enc *current, struct keys_enc *fresh, struct terr *e)
{
	char kdir[HUBKEYS_PATH], path[HUBKEYS_PATH + 64], cur[HUBKEYS_PATH + 16],
	    next[HUBKEYS_PATH + 16], id[KEYS_ID_HEXLEN + 1];
	struct hubkeys_old old;
	size_t kept;
	int r;

	snprintf(kdir, sizeof(kdir), "%s/keys", dir);
	if (mkdir(kdir, 0700) != 0 && errno != EEXIST)
		return terr_set(e, TERR_IO, "не удалось создать %s: %s", kdir, terr_strerror(errno));
	if ((r = hubkeys_load_old(dir, passphrase, &old, e)) != 0)
		return r;
	kept = old.n;
	hubkeys_wipe(&old);
	if (kept >= HUBKEYS_OLD_MAX)
		return terr_set(e, TERR_TOO_LARGE, "уже хранится %d прежних ключей: удалите "
		    "ненужные командой «keys retire»", HUBKEYS_OLD_MAX);

	/* 1. Keep the current key. A copy left by an interrupted rotation is
	 * the same key and is kept as it is. */
	keys_id_hex(current->pk, id);
	snprintf(path, sizeof(path), "%s/hub.enc.%s.key", kdir, id);
	if (access(path, F_OK) != 0 &&
	    (r = keyfile_save(path, KEYS_HUB_ENC, current->sk, KEYS_ENC_SK_BYTES, passphrase,
	    e)) != 0)
		return r;
	hubkeys_fsync_dir(kdir);

	/* 2. The new key beside the current one; a leftover from an interrupted
	 * rotation was never used by anyone and is replaced. */
	snprintf(cur, sizeof(cur), "%s/hub.enc.key", dir);
	snprintf(next, sizeof(next), "%s/hub.enc.key.new", dir);
	if (unlink(next) != 0 && errno != ENOENT)
		return terr_set(e, TERR_IO, "не удалось удалить %s: %s", next, terr_strerror(errno));
	if (keys_enc_generate(fresh) != 0)
		return terr_set(e, TERR_CRYPTO, "не удалось создать ключ шифрования");
	if ((r = keyfile_save(next, KEYS_HUB_ENC, fresh->sk, KEYS_ENC_SK_BYTES, passphrase,
	    e)) != 0)
		goto fail;

	/* 3. The switch itself: one rename. */
	if (rename(next, cur) != 0) {
		r = terr_set(e, TERR_IO, "не удалось заменить %s: %s", cur, terr_strerror(errno));
		unlink(next);
		goto fail;
	}
	hubkeys_fsync_dir(dir);
	return 0;
 fail:
	keys_enc_wipe(fresh);
	return r;
}

int
hubkeys_retire(const char *dir, const char *id_hex, struct terr *e)
{
	char path[HUBKEYS_PATH + 64], kdir[HUBKEYS_PATH];

	if (!hubkeys_hex_ok(id_hex))
		return terr_set(e, TERR_ARG, "«%.32s» не похоже на код ключа (16 символов 0-9, a-f)",
		    id_hex ? id_hex : "");
	snprintf(kdir, sizeof(kdir), "%s/keys", dir);
	snprintf(path, sizeof(path), "%s/hub.enc.%s.key", kdir, id_hex);
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			return terr_set(e, TERR_NOTFOUND, "прежнего ключа %s нет (список: «tetrad-hub "
			    "keys list»)", id_hex);
		return terr_set(e, TERR_IO, "не удалось удалить ключ %s: %s", path, terr_strerror(errno));
	}
	hubkeys_fsync_dir(kdir);
	return 0;
}

const struct keys_enc *
hubkeys_find(const struct keys_enc *current, const struct keys_enc *old, size_t n_old,
    const uint8_t id[KEYS_ID_BYTES])
{
	uint8_t kid[KEYS_ID_BYTES];

	keys_id(current->pk, kid);
	if (sodium_memcmp(kid, id, KEYS_ID_BYTES) == 0)
		return current;
	for (size_t i = 0; i < n_old; i++) {
		keys_id(old[i].pk, kid);
		if (sodium_memcmp(kid, id, KEYS_ID_BYTES) == 0)
			return &old[i];
	}
	return NULL;
}
