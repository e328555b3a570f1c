/*
 * test_sync_misc — syncd's small pure parts: the nightly window and the
 * random moment inside it, URL/pin/name/path validation, the Russian token
 * messages, atomic install of a form bundle (and refusal of hostile names),
 * exit-code mapping; the tetrad-syncd program itself finding its database
 * through $TETRAD_DB (--db still wins) and refusing a newer schema with a
 * clear message, exit code 2 and the file untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "syncd/enroll.h"
#include "syncd/net.h"
#include "syncd/pull.h"
#include "syncd/schedule.h"
#include "syncd/sync.h"
#include "syncd/usb.h"
#include "tetrad/keyfile.h"
#include "tetrad/keys.h"
#include "tetrad/localdb.h"

static void
test_window(void)
{
	struct schedule_window w;
	struct tm tm;
	struct terr e;

	CHECK_INT_EQ(schedule_parse_window("01:00-05:00", &w, &e), 0);
	CHECK_INT_EQ(w.start_min, 60);
	CHECK_INT_EQ(w.end_min, 300);
	CHECK_INT_EQ(schedule_parse_window("23:30-02:00", &w, &e), 0);
	CHECK_INT_EQ(w.end_min, 120);
	CHECK_INT_EQ(schedule_parse_window("25:00-03:00", &w, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "ЧЧ:ММ-ЧЧ:ММ");
	CHECK_INT_EQ(schedule_parse_window("01:00-05:00x", &w, &e), TERR_ARG);
	CHECK_INT_EQ(schedule_parse_window("01:00", &w, &e), TERR_ARG);
	CHECK_INT_EQ(schedule_parse_window("03:00-03:00", &w, &e), TERR_ARG);

	/* 12:00, window 01:00-05:00: between 13 h and 17 h from now. */
	CHECK_INT_EQ(schedule_parse_window("01:00-05:00", &w, &e), 0);
	memset(&tm, 0, sizeof(tm));
	tm.tm_hour = 12;
	CHECK_INT_EQ(schedule_delay_s(&w, &tm, 0, 0), 13 * 3600);
	CHECK_INT_EQ(schedule_delay_s(&w, &tm, 4 * 3600 - 1, 0), 17 * 3600 - 1);
	for (uint32_t r = 1; r < 4000000000u; r += 123456789u) {
		int64_t d = schedule_delay_s(&w, &tm, r, 0);

		CHECK(d >= 13 * 3600 && d < 17 * 3600);
	}
	/* 02:00, inside the window, not yet run: within what is left (3 h). */
	tm.tm_hour = 2;
	for (uint32_t r = 1; r < 4000000000u; r += 223456789u)
		CHECK(schedule_delay_s(&w, &tm, r, 0) < 3 * 3600);
	/* Just ran: the next night's window (23 h … 27 h from now). */
	for (uint32_t r = 1; r < 4000000000u; r += 223456789u) {
		int64_t d = schedule_delay_s(&w, &tm, r, 1);

		CHECK(d >= 23 * 3600 && d < 27 * 3600);
	}
	/* A window across midnight: 23:30-02:00 at 01:00 is inside. */
	CHECK_INT_EQ(schedule_parse_window("23:30-02:00", &w, &e), 0);
	tm.tm_hour = 1;
	CHECK(schedule_delay_s(&w, &tm, 12345, 0) < 3600);
}

static void
test_validation(void)
{
	struct terr e;

	CHECK_INT_EQ(net_check_url("https://hub.example:8443", &e), 0);
	CHECK_INT_EQ(net_check_url("http://hub.example", &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "https://");
	CHECK_INT_EQ(net_check_url("https://a b", &e), TERR_ARG);
	CHECK_INT_EQ(net_check_url("", &e), TERR_ARG);
	CHECK_INT_EQ(net_check_pin("sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=", &e), 0);
	CHECK_INT_EQ(net_check_pin("sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=;"
	    "sha256//t62CeU2tQiqkexU74Gxa2eg7fRbEgoChTociMee9wno=", &e), 0);
	CHECK_INT_EQ(net_check_pin("sha256//short", &e), TERR_ARG);
	CHECK_INT_EQ(net_check_pin("md5//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=", &e), TERR_ARG);
	CHECK_INT_EQ(net_check_pin("sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRM\"E=", &e), TERR_ARG);

	CHECK_INT_EQ(pull_check_name("social_passport", &e), 0);
	CHECK_INT_EQ(pull_check_name("../etc", &e), TERR_ARG);
	CHECK_INT_EQ(pull_check_name("a/b", &e), TERR_ARG);
	CHECK_INT_EQ(pull_check_name("-x", &e), TERR_ARG);
	CHECK_INT_EQ(pull_check_name("", &e), TERR_ARG);
	CHECK_INT_EQ(pull_check_name("форма", &e), TERR_ARG);

	CHECK_CONTAINS(enroll_token_message("token_used"), "уже использован");
	CHECK_CONTAINS(enroll_token_message("token_expired"), "истёк");
	CHECK_CONTAINS(enroll_token_message("token_unknown"), "не знает");
	CHECK(enroll_token_message(NULL) != NULL);
}

static void
test_pull_install_and_paths(void)
{
	char dir[64] = "/tmp/test_sync_misc.XXXXXX", forms[128], path[256], cmd[128];
	const char *good = "{\"form\":{\"id\":\"visits\",\"version\":3,\"title\":\"Визит\","
	    "\"fields\":[{\"id\":\"factor\",\"label\":\"Фактор\",\"type\":\"choice\","
	    "\"dictionary\":\"risk_factors\"}]},"
	    "\"dictionaries\":{\"risk_factors\":{\"name\":\"risk_factors\",\"version\":1,"
	    "\"title\":\"Факторы\",\"entries\":[{\"code\":\"R01\",\"label\":\"Первый\"}]}}}";
	/* Right id and version, valid JSON, but a field of unknown type: the
	 * device must refuse it before writing anything. */
	const char *broken = "{\"form\":{\"id\":\"visits\",\"version\":6,\"title\":\"В\","
	    "\"fields\":[{\"id\":\"a\",\"label\":\"А\",\"type\":\"colour\"}]}}";
	const char *evil = "{\"form\":{\"id\":\"visits\",\"version\":4},"
	    "\"dictionaries\":{\"../../evil\":{\"name\":\"x\"}}}";
	const char *other = "{\"form\":{\"id\":\"other\",\"version\":3}}";
	struct stat sb;
	struct terr e;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(forms, sizeof(forms), "%s/db.forms", dir);
	CHECK_INT_EQ(pull_install(forms, "visits", 3, (const uint8_t *)good, strlen(good), &e), 0);
	snprintf(path, sizeof(path), "%s/visits-v3.json", forms);
	CHECK_INT_EQ(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "%s/dict/risk_factors.json", forms);
	CHECK_INT_EQ(stat(path, &sb), 0);
	CHECK_INT_EQ(pull_install(forms, "visits", 4, (const uint8_t *)evil, strlen(evil), &e), TERR_ARG);
	snprintf(path, sizeof(path), "%s/visits-v4.json", forms);
	CHECK(stat(path, &sb) != 0);
	CHECK_INT_EQ(pull_install(forms, "visits", 3, (const uint8_t *)other, strlen(other), &e), TERR_SCHEMA);
	CHECK_INT_EQ(pull_install(forms, "visits", 5, (const uint8_t *)good, strlen(good), &e), TERR_SCHEMA);
	CHECK_INT_EQ(pull_install(forms, "../x", 3, (const uint8_t *)good, strlen(good), &e), TERR_ARG);
	CHECK_INT_EQ(pull_install(forms, "visits", 3, (const uint8_t *)"{", 1, &e), TERR_PARSE);
	CHECK(pull_install(forms, "visits", 6, (const uint8_t *)broken, strlen(broken), &e) != 0);
	snprintf(path, sizeof(path), "%s/visits-v6.json", forms);
	CHECK(stat(path, &sb) != 0);

	snprintf(path, sizeof(path), "%s/out.ttex", dir);
	CHECK_INT_EQ(usb_check_out_path(path, &e), 0);
	CHECK_INT_EQ(usb_check_out_path(forms, &e), TERR_ARG);          /* exists */
	snprintf(path, sizeof(path), "%s/missing/out.ttex", dir);
	CHECK_INT_EQ(usb_check_out_path(path, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "не существует");
	CHECK_INT_EQ(usb_check_out_path("a\nb", &e), TERR_ARG);
	CHECK_INT_EQ(usb_check_out_path("", &e), TERR_ARG);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
}

static void
test_exit_codes(void)
{
	struct sync_result r;

	memset(&r, 0, sizeof(r));
	CHECK_INT_EQ(sync_exit_code(0, &r), SYNC_EXIT_OK);
	r.sets_quarantined = 1;
	CHECK_INT_EQ(sync_exit_code(0, &r), SYNC_EXIT_QUARANTINED);
	r.left.pending = 3;
	CHECK_INT_EQ(sync_exit_code(0, &r), SYNC_EXIT_PENDING);
	r.unreachable = 1;
	CHECK_INT_EQ(sync_exit_code(0, &r), SYNC_EXIT_UNREACHABLE);
	CHECK_INT_EQ(sync_exit_code(TERR_ARG, &r), SYNC_EXIT_USAGE);
	CHECK_INT_EQ(sync_exit_code(TERR_PASSPHRASE, &r), SYNC_EXIT_USAGE);
	CHECK_INT_EQ(sync_exit_code(TERR_IO, &r), SYNC_EXIT_STORAGE);
	CHECK_INT_EQ(sync_exit_code(TERR_PARSE, &r), SYNC_EXIT_STORAGE);   /* a damaged outbox entry */
	CHECK_INT_EQ(sync_exit_code(TERR_KEYFILE, &r), SYNC_EXIT_USAGE);
}

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
test_syncd_db(void)
{
	char bin[1100], dir[64], db[128], env[256], args[512], out[4096], want[64];
	unsigned char *before, *after;
	size_t nb, na;
	sqlite3 *raw = NULL;

	if (syncd_bin(bin, sizeof(bin)) != 0) {
		fprintf(stderr, "test_syncd_db: %s not built, skipped\n", bin);
		return;
	}
	snprintf(dir, sizeof(dir), "/tmp/test_sync_misc.XXXXXX");
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
	test_window();
	test_validation();
	test_pull_install_and_paths();
	test_exit_codes();
	test_syncd_db();
	return check_summary();
}
