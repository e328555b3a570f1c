/* Unit tests for keys: ids, key files with and without a passphrase, refusals. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "tetrad/keyfile.h"
#include "tetrad/keys.h"

static char dir[] = "/tmp/tetrad-keys-XXXXXX";

static void
path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void
test_ids(void)
{
	struct keys_sign a, b;
	uint8_t seed[32] = { 1 }, id[KEYS_ID_BYTES], h[32];
	char hex[KEYS_ID_HEXLEN + 1], hex2[2 * 32 + 1];
	uint8_t back[32];

	CHECK_INT_EQ(keys_sign_from_seed(&a, seed), 0);
	CHECK_INT_EQ(keys_sign_from_seed(&b, seed), 0);
	CHECK_MEM_EQ(a.pk, b.pk, 32);            /* deterministic from a seed */
	seed[0] = 2;
	CHECK_INT_EQ(keys_sign_from_seed(&b, seed), 0);
	CHECK(memcmp(a.pk, b.pk, 32) != 0);
	keys_id(a.pk, id);
	crypto_generichash(h, sizeof(h), a.pk, 32, NULL, 0);
	CHECK_MEM_EQ(id, h, KEYS_ID_BYTES);       /* id = BLAKE2b-256(pk)[0..8] */
	keys_id_hex(a.pk, hex);
	CHECK_INT_EQ(strlen(hex), KEYS_ID_HEXLEN);
	CHECK(keys_id_u64(id) >> 56 == id[0]);
	keys_hex(a.pk, 32, hex2);
	CHECK_INT_EQ(keys_unhex(hex2, back, 32), 0);
	CHECK_MEM_EQ(back, a.pk, 32);
	CHECK_INT_EQ(keys_unhex(hex2, back, 31), TERR_PARSE);
	hex2[5] = 'z';
	CHECK_INT_EQ(keys_unhex(hex2, back, 32), TERR_PARSE);
	/* the public half derived from the secret matches */
	keys_sign_pk_from_sk(a.sk, back);
	CHECK_MEM_EQ(back, a.pk, 32);
	{
		struct keys_enc ek;

		CHECK_INT_EQ(keys_enc_generate(&ek), 0);
		keys_enc_pk_from_sk(ek.sk, back);
		CHECK_MEM_EQ(back, ek.pk, 32);
		keys_enc_wipe(&ek);
		CHECK(sodium_is_zero(ek.sk, sizeof(ek.sk)));
	}
	keys_sign_wipe(&a);
	CHECK(sodium_is_zero(a.sk, sizeof(a.sk)));
}

static void
test_files(void)
{
	struct keys_sign k;
	struct keys_enc ek;
	uint8_t sk[64], esk[32];
	char p1[256], p2[256], p3[256];
	struct stat st;
	struct terr e;

	CHECK_INT_EQ(keys_sign_generate(&k), 0);
	path_of(p1, sizeof(p1), "plain.key");
	path_of(p2, sizeof(p2), "protected.key");
	CHECK_INT_EQ(keyfile_save(p1, KEYS_DEVICE_SIGN, k.sk, 64, NULL, &e), 0);
	CHECK_INT_EQ(stat(p1, &st), 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	CHECK_INT_EQ(keyfile_protected(p1, &e), 0);
	CHECK_INT_EQ(keyfile_load(p1, KEYS_DEVICE_SIGN, sk, 64, NULL, &e), 0);
	CHECK_MEM_EQ(sk, k.sk, 64);
	/* never overwritten */
	CHECK_INT_EQ(keyfile_save(p1, KEYS_DEVICE_SIGN, k.sk, 64, NULL, &e), TERR_IO);
	CHECK_CONTAINS(e.msg, "уже существует");
	/* wrong kind */
	CHECK_INT_EQ(keyfile_load(p1, KEYS_HUB_SIGN, sk, 64, NULL, &e), TERR_KEYFILE);
	/* passphrase */
	CHECK_INT_EQ(keyfile_save(p2, KEYS_DEVICE_SIGN, k.sk, 64, "школа 170103", &e), 0);
	CHECK_INT_EQ(keyfile_protected(p2, &e), 1);
	memset(sk, 0, sizeof(sk));
	CHECK_INT_EQ(keyfile_load(p2, KEYS_DEVICE_SIGN, sk, 64, "школа 170103", &e), 0);
	CHECK_MEM_EQ(sk, k.sk, 64);
	CHECK_INT_EQ(keyfile_load(p2, KEYS_DEVICE_SIGN, sk, 64, "неверно", &e), TERR_PASSPHRASE);
	CHECK(sodium_is_zero(sk, sizeof(sk)));   /* nothing left on failure */
	CHECK_INT_EQ(keyfile_load(p2, KEYS_DEVICE_SIGN, sk, 64, NULL, &e), TERR_PASSPHRASE);
	CHECK_CONTAINS(e.msg, "парольной фразой");
	/* the secret is not in the protected file in the clear */
	{
		FILE *f = fopen(p2, "rb");
		uint8_t buf[512];
		size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
		int found = 0;

		if (f)
			fclose(f);
		for (size_t i = 0; i + 8 <= n; i++)
			found |= memcmp(buf + i, k.sk, 8) == 0;
		CHECK(n > 64 && !found);
	}
	/* readable by others: refused */
	CHECK_INT_EQ(chmod(p1, 0644), 0);
	CHECK_INT_EQ(keyfile_load(p1, KEYS_DEVICE_SIGN, sk, 64, NULL, &e), TERR_KEYFILE);
	CHECK_CONTAINS(e.msg, "chmod 600");
	CHECK_INT_EQ(chmod(p1, 0600), 0);
	/* truncated */
	CHECK_INT_EQ(truncate(p1, 40), 0);
	CHECK_INT_EQ(keyfile_load(p1, KEYS_DEVICE_SIGN, sk, 64, NULL, &e), TERR_KEYFILE);
	/* not a key file */
	path_of(p3, sizeof(p3), "other.key");
	{
		int fd = open(p3, O_WRONLY | O_CREAT, 0600);

		CHECK(fd >= 0 && write(fd, "hello world, not a key", 22) == 22);
		close(fd);
	}
	CHECK_INT_EQ(keyfile_load(p3, KEYS_DEVICE_SIGN, sk, 64, NULL, &e), TERR_MAGIC);
	/* missing */
	path_of(p3, sizeof(p3), "missing.key");
	CHECK(keyfile_load(p3, KEYS_DEVICE_SIGN, sk, 64, NULL, &e) < 0);
	/* hub encryption key round trip */
	CHECK_INT_EQ(keys_enc_generate(&ek), 0);
	path_of(p3, sizeof(p3), "hub-enc.key");
	CHECK_INT_EQ(keyfile_save(p3, KEYS_HUB_ENC, ek.sk, 32, "", &e), 0);
	CHECK_INT_EQ(keyfile_load(p3, KEYS_HUB_ENC, esk, 32, NULL, &e), 0);
	CHECK_MEM_EQ(esk, ek.sk, 32);
	unlink(p1);
	unlink(p2);
	unlink(p3);
	path_of(p3, sizeof(p3), "other.key");
	unlink(p3);
}

int
main(void)
{
	struct terr e;

	if (keys_init(&e) != 0 || mkdtemp(dir) == NULL)
		return 1;
	test_ids();
	test_files();
	rmdir(dir);
	return check_summary();
}
