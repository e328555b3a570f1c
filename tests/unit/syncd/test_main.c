/*
 * test_main — the tetrad-syncd program itself (syncd/src/main.c, run as the
 * real binary built beside this test): it finds its database through
 * $TETRAD_DB (--db still wins, a missing file is named, with neither the
 * client's default place under $HOME) and refuses a newer schema with a
 * clear message, exit code 2 and the file untouched. Exit 77 (skipped,
 * saying why) when tetrad-syncd was not built.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "syncd/sync.h"
#include "tetrad/keyfile.h"
#include "tetrad/keys.h"
#include "tetrad/localdb.h"

/* The tetrad-syncd built beside this test (both in the build's bin/). */
static int
syncd_bin(char *out, size_t cap)
{
	char self[1024];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	snprintf(out, cap, "%s/tetrad-syncd", self);
	return access(out, X_OK);
}

/* Runs `env ENV tetrad-syncd ARGS` with HOME in dir; output (both streams)
 * into out; returns the exit code. */
static int
syncd_run(const char *bin, const char *dir, const char *env, const char *args,
    char *out, size_t cap)
{
	char cmd[2048];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "env -u TETRAD_DB -u XDG_DATA_HOME HOME='%s' %s '%s' %s 2>&1",
	    dir, env, bin, args);
	out[0] = '\0';
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
meta_put(struct localdb *db, const char *k, const char *v)
{
	CHECK_INT_EQ(localdb_meta_set(db, k, v, NULL), 0);
}

/* An enrolled client database at path with nothing to send. */
static void
syncd_mkdb(const char *path)
{
	struct keys_sign dev, hub_sign;
	struct keys_enc hub_enc;
	struct localdb *db = NULL;
	struct terr e = { 0 };
	char hex[130], key[600];

	CHECK_INT_EQ(localdb_open(path, LOCALDB_CREATE, &db, &e), 0);
	if (db == NULL)
		return;
	keys_sign_generate(&dev);
	keys_sign_generate(&hub_sign);
	keys_enc_generate(&hub_enc);
	snprintf(key, sizeof(key), "%s.device.key", path);
	CHECK_INT_EQ(keyfile_save(key, KEYS_DEVICE_SIGN, dev.sk, KEYS_SIGN_SK_BYTES, NULL, &e), 0);
	meta_put(db, "hub_url", "https://127.0.0.1:1");
	keys_hex(hub_enc.pk, 32, hex);
	meta_put(db, "hub_enc_pk", hex);
	keys_hex(hub_sign.pk, 32, hex);
	meta_put(db, "hub_sign_pk", hex);
	keys_id_hex(dev.pk, hex);
	meta_put(db, "device_id", hex);
	meta_put(db, "device_kind", "school");
	meta_put(db, "school", "170103");
	localdb_close(db);
	keys_sign_wipe(&dev);
}

static unsigned char *
syncd_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = malloc(1 << 20);

	*n = 0;
	if (f && buf)
		*n = fread(buf, 1, 1 << 20, f);
	if (f)
		fclose(f);
	return buf;
}

static void
test_syncd_db(const char *bin)
{
	char dir[64], db[128], env[256], args[512], out[4096], want[64];
	unsigned char *before, *after;
	size_t nb, na;
	sqlite3 *raw = NULL;

	snprintf(dir, sizeof(dir), "/tmp/test_main.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(db, sizeof(db), "%s/client.db", dir);
	syncd_mkdb(db);

	/* $TETRAD_DB and no --db: the database is found (nothing to export) */
	snprintf(env, sizeof(env), "TETRAD_DB='%s'", db);
	snprintf(args, sizeof(args), "export --out '%s/x.ttex'", dir);
	CHECK_INT_EQ(syncd_run(bin, dir, env, args, out, sizeof(out)), 0);
	CHECK_CONTAINS(out, "Нет неотправленных изменений");
	/* --db wins over $TETRAD_DB */
	snprintf(args, sizeof(args), "export --db '%s' --out '%s/x.ttex'", db, dir);
	CHECK_INT_EQ(syncd_run(bin, dir, "TETRAD_DB=/nonexistent/t.db", args, out, sizeof(out)), 0);
	CHECK_CONTAINS(out, "Нет неотправленных изменений");
	/* a $TETRAD_DB that is not there is named (its folder is: the run
	 * lock is taken beside the database before it is opened) */
	snprintf(env, sizeof(env), "TETRAD_DB='%s/missing.db'", dir);
	snprintf(args, sizeof(args), "export --out '%s/x.ttex'", dir);
	CHECK_INT_EQ(syncd_run(bin, dir, env, args, out, sizeof(out)), SYNC_EXIT_USAGE);
	CHECK_CONTAINS(out, "missing.db");
	CHECK_CONTAINS(out, "tetrad init");
	/* neither: the client's default place under $HOME */
	snprintf(args, sizeof(args), "mkdir -p '%s/.local/share/tetrad'", dir);
	CHECK_INT_EQ(system(args), 0);
	CHECK_INT_EQ(syncd_run(bin, dir, "", "--once --no-pull", out, sizeof(out)), SYNC_EXIT_USAGE);
	CHECK_CONTAINS(out, ".local/share/tetrad/tetrad.db");
	CHECK_CONTAINS(out, "tetrad init");
	snprintf(env, sizeof(env), "TETRAD_DB='%s'", db);

	/* a schema from a newer Tetrad: refused, exit 2, not a byte changed */
	CHECK_INT_EQ(sqlite3_open(db, &raw), SQLITE_OK);
	snprintf(args, sizeof(args), "PRAGMA user_version=%d", LOCALDB_SCHEMA_VERSION + 1);
	CHECK_INT_EQ(sqlite3_exec(raw, args, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	before = syncd_slurp(db, &nb);
	snprintf(want, sizeof(want), "(схема %d", LOCALDB_SCHEMA_VERSION + 1);
	snprintf(args, sizeof(args), "--once --no-pull --db '%s'", db);
	CHECK_INT_EQ(syncd_run(bin, dir, "", args, out, sizeof(out)), SYNC_EXIT_USAGE);
	CHECK_CONTAINS(out, "более новой версией Tetrad");
	CHECK_CONTAINS(out, want);
	CHECK_CONTAINS(out, "обновите tetrad-syncd");
	snprintf(args, sizeof(args), "export --out '%s/x.ttex'", dir);
	CHECK_INT_EQ(syncd_run(bin, dir, env, args, out, sizeof(out)), SYNC_EXIT_USAGE);
	CHECK_CONTAINS(out, "обновите tetrad-syncd");
	after = syncd_slurp(db, &na);
	CHECK(nb > 0);
	CHECK_INT_EQ(na, nb);
	if (before && after && na == nb)
		CHECK_MEM_EQ(after, before, nb);
	free(before);
	free(after);
	snprintf(args, sizeof(args), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(args), 0);
}

int
main(void)
{
	char bin[1100] = "tetrad-syncd";

	if (syncd_bin(bin, sizeof(bin)) != 0) {
		fprintf(stderr, "SKIP: %s is not built (or not executable): "
		    "build tetrad-syncd to run this test\n", bin);
		return 77;
	}
	test_syncd_db(bin);
	return check_summary();
}
