/*
 * test_boxkey — the device's box key file: made once (0600) when asked,
 * loaded back as the same pair, never replaced, refused without create
 * when missing; protected by a passphrase that is then needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "syncd/boxkey.h"

int
main(void)
{
	char dir[] = "/tmp/test_boxkey.XXXXXX", db[128], db2[128], path[160], cmd[200];
	struct keys_enc a, b;
	struct stat sb;
	struct terr e;
	bool created;

	CHECK_INT_EQ(keys_init(&e), 0);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(db, sizeof(db), "%s/dev.db", dir);
	snprintf(db2, sizeof(db2), "%s/prot.db", dir);
	CHECK_INT_EQ(boxkey_load(db, NULL, false, &a, &created, &e), TERR_NOTFOUND);
	CHECK_INT_EQ(boxkey_load(db, NULL, true, &a, &created, &e), 0);
	CHECK(created);
	CHECK_INT_EQ(boxkey_path(db, path, sizeof(path), &e), 0);
	CHECK_CONTAINS(path, "dev.db.box.key");
	CHECK_INT_EQ(stat(path, &sb), 0);
	CHECK_INT_EQ(sb.st_mode & 0777, 0600);
	CHECK_INT_EQ(boxkey_load(db, "", true, &b, &created, &e), 0);
	CHECK(!created);
	CHECK_MEM_EQ(a.pk, b.pk, KEYS_ENC_PK_BYTES);
	CHECK_MEM_EQ(a.sk, b.sk, KEYS_ENC_SK_BYTES);
	CHECK_INT_EQ(boxkey_load(db2, "секрет", true, &a, &created, &e), 0);
	CHECK(created);
	CHECK(boxkey_load(db2, NULL, true, &b, &created, &e) == TERR_PASSPHRASE);
	CHECK(!created);
	CHECK_INT_EQ(boxkey_load(db2, "секрет", false, &b, NULL, &e), 0);
	CHECK_MEM_EQ(a.pk, b.pk, KEYS_ENC_PK_BYTES);
	keys_enc_wipe(&a);
	keys_enc_wipe(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
	return check_summary();
}
