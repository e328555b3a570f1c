/*
 * cli_setup — `tetrad init` (the database, the device key, the school) and
 * the hand-over of `enroll` and `sync` to tetrad-syncd.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tetrad/keyfile.h"
#include "tetrad/keys.h"
#include "tetrad/localdb.h"
#include "tetrad/school.h"

#include "client/app.h"

#include "cli_private.h"

/* mkdir -p of the directory holding path, 0700 for new levels. */
static int
cli_setup_mkdirs(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

int
cli_setup_init(struct cli *c)
{
	struct store *s = NULL;
	struct keys_sign k;
	char keypath[PATH_MAX + 16], devid[KEYS_ID_HEXLEN + 1];
	char *existing = NULL, *devkey = NULL;
	int r, rc = CLI_OTHER;

	memset(&k, 0, sizeof(k));
	if (c->school != NULL && c->curator)
		return cli_usage(c, "укажите одно: --school КОД (компьютер школы) или "
		    "--curator (ноутбук куратора: его школы назовёт код регистрации).");
	if (c->school == NULL && !c->curator)
		return cli_usage(c, "укажите код школы: tetrad init --school КОД (ноутбук "
		    "куратора: tetrad init --curator).");
	if (c->school != NULL && !school_code_ok(c->school)) {
		fprintf(c->err, "Ошибка: код школы «%s» недопустим: только латинские "
		    "буквы, цифры, «-» и «_», не длиннее 32 знаков.\n", c->school);
		return CLI_INVALID;
	}
	if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0)
		return cli_usage(c, "не удалось определить путь к базе: укажите --db.");
	if (cli_setup_mkdirs(c->db) != 0) {
		fprintf(c->err, "Ошибка: не удалось создать папку для базы «%s»: %s.\n",
		    c->db, terr_strerror(errno));
		return CLI_STORAGE;
	}
	if ((r = keys_init(&c->e)) != 0)
		return cli_fail(c, r);
	if ((r = store_open(c->db, true, &s, &c->e)) != 0)
		return cli_fail(c, r);
	/* a curator's database has no school: its device id says it is set up */
	if ((r = store_meta_get(s, "school", &existing, &c->e)) != 0 ||
	    (existing == NULL && (r = store_meta_get(s, "device_id", &devkey, &c->e)) != 0)) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (existing || devkey) {
		fprintf(c->err, "Ошибка: база «%s» уже подготовлена (%s %s). "
		    "Для другой школы укажите другой файл (--db).\n", c->db,
		    existing ? "школа" : "устройство", existing ? existing : devkey);
		rc = CLI_INVALID;
		goto out;
	}
	snprintf(keypath, sizeof(keypath), "%s.device.key", c->db);
	if (access(keypath, F_OK) == 0) {
		/* an earlier init stopped after making the key: reuse it */
		if ((r = keyfile_load(keypath, KEYS_DEVICE_SIGN, k.sk, sizeof(k.sk),
		    NULL, &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		keys_sign_pk_from_sk(k.sk, k.pk);
	} else {
		if ((r = keys_sign_generate(&k)) != 0 ||
		    (r = keyfile_save(keypath, KEYS_DEVICE_SIGN, k.sk, sizeof(k.sk),
		    NULL, &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
	}
	keys_id_hex(k.pk, devid);
	/*
	 * A curator's laptop has no school of its own: its schools are the
	 * token's, written by `tetrad enroll` (device_schools); until then it
	 * makes no records.
	 */
	if ((r = store_begin(s, &c->e)) != 0 ||
	    (c->school && (r = store_meta_set(s, "school", c->school, &c->e)) != 0) ||
	    (r = store_meta_set(s, c->curator ? "curator_name" : "school_name",
	    c->name ? c->name : "", &c->e)) != 0 ||
	    (r = store_meta_set(s, "device_id", devid, &c->e)) != 0 ||
	    (r = store_meta_set(s, "device_key_path", keypath, &c->e)) != 0 ||
	    (r = store_meta_set(s, "device_kind", c->curator ? "curator" : "school",
	    &c->e)) != 0 ||
	    (r = store_meta_set(s, "device_schools", c->curator ? "" : c->school,
	    &c->e)) != 0 ||
	    (r = store_meta_set(s, "next_seq", "1", &c->e)) != 0 ||
	    (r = store_commit(s, &c->e)) != 0) {
		store_rollback(s);
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->curator)
		fprintf(c->out, "База создана: %s\nНоутбук куратора%s%s: школы станут "
		    "известны после регистрации на хабе (tetrad enroll --hub АДРЕС --token "
		    "КОД).\n", c->db, c->name ? " — " : "", c->name ? c->name : "");
	else
		fprintf(c->out, "База создана: %s\nШкола: %s%s%s\n", c->db, c->school,
		    c->name ? " — " : "", c->name ? c->name : "");
	fprintf(c->out, "Устройство: %s\nКлюч устройства: %s\n", devid, keypath);
	rc = CLI_OK;
 out:
	keys_sign_wipe(&k);
	free(existing);
	free(devkey);
	store_close(s);
	return rc;
}

/* tetrad-syncd is looked for beside our own program, not on PATH (app.h). */
int
cli_setup_exec_syncd(struct cli *c, int argc, char **argv, bool once)
{
	char prog[PATH_MAX + 16];
	char **args;
	int k = 0;

	if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0)
		return cli_usage(c, "не удалось определить путь к базе: укажите --db.");
	if (app_syncd_path(prog, sizeof(prog), &c->e) != 0) {
		fprintf(c->err, "Ошибка: %s.\n", c->e.msg);
		return CLI_OTHER;
	}
	if ((args = calloc((size_t)argc + 6, sizeof(*args))) == NULL)
		return CLI_OTHER;
	args[k++] = prog;
	args[k++] = (char *)(uintptr_t)"--db";
	args[k++] = c->db;
	if (once)
		args[k++] = (char *)(uintptr_t)"--once";
	else
		args[k++] = (char *)(uintptr_t)"enroll";
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			i++;
			continue;
		}
		args[k++] = argv[i];
	}
	args[k] = NULL;
	fflush(c->out);
	fflush(c->err);
	execv(prog, args);
	fprintf(c->err, "Ошибка: не удалось запустить «%s»: %s. Программа "
	    "синхронизации должна лежать рядом с tetrad.\n", prog, terr_strerror(errno));
	free(args);
	return CLI_OTHER;
}
