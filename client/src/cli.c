/*
 * cli — `tetrad` commands over store, catalog, rec, csvio and prompt.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/uuid7.h"

#include "client/catalog.h"
#include "client/cli.h"
#include "client/csvio.h"
#include "client/prompt.h"
#include "client/rec.h"
#include "client/store.h"

#define CLI_MAX_SETS 1024
/* |clock_skew_ms| above this makes `status` warn. */
#define CLI_SKEW_WARN_MS (5 * 60 * 1000)

struct cli {
	FILE *in, *out, *err;
	const char *db_opt;
	char db[PATH_MAX];
	/* command options */
	const char *sets[CLI_MAX_SETS];
	size_t n_sets;
	const char *json_file, *status_filter, *format, *out_file, *csv_file;
	const char *school, *name;
	char delim;
	bool json, draft;
	const char *pos[8];   /* positional arguments after the command */
	size_t n_pos;
	struct terr e;
};

static const char cli_usage_text[] =
"Использование: tetrad [--db ПУТЬ] КОМАНДА [ПАРАМЕТРЫ]\n"
"\n"
"Команды:\n"
"  init --school КОД [--name НАЗВАНИЕ]   создать базу и ключ устройства\n"
"  forms [--json]                        список форм\n"
"  new ФОРМА [--set ПОЛЕ=ЗНАЧЕНИЕ]... [--json ФАЙЛ|-] [--draft] [--school КОД]\n"
"                                        новая запись (без значений на терминале —\n"
"                                        вопросы по одному полю)\n"
"  edit НОМЕР [--set ПОЛЕ=ЗНАЧЕНИЕ]... [--json ФАЙЛ|-]   изменить запись\n"
"  finalize НОМЕР                        сделать черновик окончательным\n"
"  delete НОМЕР                          удалить запись\n"
"  list [ФОРМА] [--status draft|final|deleted] [--json]\n"
"  show НОМЕР [--json]\n"
"  export ФОРМА --format csv|json [--out ФАЙЛ] [--delimiter ,]\n"
"  import ФОРМА --csv ФАЙЛ [--delimiter ;]\n"
"  status [--json]                       школа, устройство, очередь отправки\n"
"  enroll ...                            регистрация на хабе (tetrad-syncd enroll)\n"
"  sync ...                              отправить изменения (tetrad-syncd --once)\n"
"\n"
"База данных: --db ПУТЬ, иначе $TETRAD_DB, иначе ~/.local/share/tetrad/tetrad.db.\n"
"Коды выхода: 0 — успешно, 1 — ошибка в команде, 2 — неверные данные,\n"
"3 — не найдено, 4 — ошибка хранилища, 5 — прочие ошибки.\n";

int
cli_exit_code(int code)
{
	switch (code) {
	case 0:
		return CLI_OK;
	case TERR_INVALID:
	case TERR_PARSE:
	case TERR_ARG:
	case TERR_UTF8:
	case TERR_TOO_LARGE:
	case TERR_SCHEMA:
	case TERR_DEPTH:
		return CLI_INVALID;
	case STORE_NOTFOUND:
		return CLI_NOTFOUND;
	case TERR_IO:
	case TERR_VERSION:
		return CLI_STORAGE;
	default:
		return CLI_OTHER;
	}
}

int
cli_db_path(const char *opt, char *buf, size_t size)
{
	return localdb_path(opt, buf, size);
}

static int
cli_fail(struct cli *c, int code)
{
	if (c->e.msg[0])
		fprintf(c->err, "Ошибка: %s\n", c->e.msg);
	else
		fprintf(c->err, "Ошибка: %s.\n", terr_str(code));
	return cli_exit_code(code);
}

static int
cli_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
cli_usage(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fputs("Ошибка: ", c->err);
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputs("\nСправка: tetrad --help\n", c->err);
	return CLI_USAGE;
}

static void
cli_problems(struct cli *c, const struct form_problems *p)
{
	if (p == NULL)
		return;
	fprintf(c->err, "Найдены ошибки (%zu):\n", p->n);
	for (size_t i = 0; i < p->n; i++)
		fprintf(c->err, "  • %s\n", p->items[i].message);
}

/* Options every command may take; returns CLI_OK or CLI_USAGE. */
static int
cli_parse(struct cli *c, const char *cmd, int argc, char **argv)
{
	/* --json takes a file for new/edit and is a flag elsewhere */
	bool json_file = strcmp(cmd, "new") == 0 || strcmp(cmd, "edit") == 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define CLI_OPT(name, field) \
	if (strcmp(a, name) == 0) { \
		if (v == NULL) \
			return cli_usage(c, "после %s нужно значение.", name); \
		field = v; \
		i++; \
		continue; \
	}
		CLI_OPT("--db", c->db_opt)
		CLI_OPT("--status", c->status_filter)
		CLI_OPT("--format", c->format)
		CLI_OPT("--out", c->out_file)
		CLI_OPT("--csv", c->csv_file)
		CLI_OPT("--school", c->school)
		CLI_OPT("--name", c->name)
#undef CLI_OPT
		if (strcmp(a, "--set") == 0 || strcmp(a, "-s") == 0) {
			if (v == NULL)
				return cli_usage(c, "после --set нужно ПОЛЕ=ЗНАЧЕНИЕ.");
			if (c->n_sets == CLI_MAX_SETS)
				return cli_usage(c, "слишком много --set (больше %d).",
				    CLI_MAX_SETS);
			c->sets[c->n_sets++] = v;
			i++;
			continue;
		}
		if (strncmp(a, "--set=", 6) == 0 && c->n_sets < CLI_MAX_SETS) {
			c->sets[c->n_sets++] = a + 6;
			continue;
		}
		if (strcmp(a, "--delimiter") == 0) {
			if (v == NULL)
				return cli_usage(c, "после --delimiter нужен символ.");
			if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
				c->delim = '\t';
			else if (strlen(v) == 1 && strchr(",;|\t", v[0]))
				c->delim = v[0];
			else
				return cli_usage(c, "разделитель «%s» не поддерживается: "
				    "используйте ; , | или tab.", v);
			i++;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			if (!json_file) {
				c->json = true;
				continue;
			}
			if (v == NULL)
				return cli_usage(c, "после --json нужен файл или «-».");
			c->json_file = v;
			i++;
			continue;
		}
		if (strcmp(a, "--draft") == 0) {
			c->draft = true;
			continue;
		}
		if (a[0] == '-' && a[1] != '\0')
			return cli_usage(c, "неизвестный параметр «%s».", a);
		if (c->n_pos == sizeof(c->pos) / sizeof(c->pos[0]))
			return cli_usage(c, "слишком много аргументов.");
		c->pos[c->n_pos++] = a;
	}
	return CLI_OK;
}

static int
cli_open(struct cli *c, struct store **s)
{
	const char *limit = getenv("TETRAD_TEST_MAX_PAGES");
	int r;

	if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0)
		return cli_usage(c, "не удалось определить путь к базе: укажите --db.");
	if ((r = store_open(c->db, false, s, &c->e)) != 0)
		return cli_fail(c, r);
	if (limit && *limit && (r = store_limit_pages(*s, strtol(limit, NULL, 10), &c->e)) != 0) {
		store_close(*s);
		*s = NULL;
		return cli_fail(c, r);
	}
	return CLI_OK;
}

static int
cli_catalog(struct cli *c, struct catalog **cat)
{
	char pulled[PATH_MAX + 8];
	int r;

	snprintf(pulled, sizeof(pulled), "%s.forms", c->db);
	if ((r = catalog_load(catalog_builtin_dir(), pulled, cat, &c->e)) != 0)
		return cli_fail(c, r);
	if (catalog_warnings(*cat)[0])
		fprintf(c->err, "Предупреждение: %s", catalog_warnings(*cat));
	return CLI_OK;
}

static bool
cli_school_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* mkdir -p of the directory holding path, 0700 for new levels. */
static int
cli_mkdirs(const char *path)
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

static int
cli_init(struct cli *c)
{
	struct store *s = NULL;
	struct keys_sign k;
	char keypath[PATH_MAX + 16], devid[KEYS_ID_HEXLEN + 1];
	char *existing = NULL;
	int r, rc = CLI_OTHER;

	memset(&k, 0, sizeof(k));
	if (c->school == NULL)
		return cli_usage(c, "укажите код школы: tetrad init --school КОД.");
	if (!cli_school_ok(c->school)) {
		fprintf(c->err, "Ошибка: код школы «%s» недопустим: только латинские "
		    "буквы, цифры, «-» и «_», не длиннее 32 знаков.\n", c->school);
		return CLI_INVALID;
	}
	if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0)
		return cli_usage(c, "не удалось определить путь к базе: укажите --db.");
	if (cli_mkdirs(c->db) != 0) {
		fprintf(c->err, "Ошибка: не удалось создать папку для базы «%s»: %s.\n",
		    c->db, strerror(errno));
		return CLI_STORAGE;
	}
	if ((r = keys_init(&c->e)) != 0)
		return cli_fail(c, r);
	if ((r = store_open(c->db, true, &s, &c->e)) != 0)
		return cli_fail(c, r);
	if ((r = store_meta_get(s, "school", &existing, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (existing) {
		fprintf(c->err, "Ошибка: база «%s» уже подготовлена для школы %s. "
		    "Для другой школы укажите другой файл (--db).\n", c->db, existing);
		rc = CLI_INVALID;
		goto out;
	}
	snprintf(keypath, sizeof(keypath), "%s.device.key", c->db);
	if (access(keypath, F_OK) == 0) {
		/* an earlier init stopped after making the key: reuse it */
		if ((r = keys_load_secret(keypath, KEYS_DEVICE_SIGN, k.sk, sizeof(k.sk),
		    NULL, &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		keys_sign_pk_from_sk(k.sk, k.pk);
	} else {
		if ((r = keys_sign_generate(&k)) != 0 ||
		    (r = keys_save_secret(keypath, KEYS_DEVICE_SIGN, k.sk, sizeof(k.sk),
		    NULL, &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
	}
	keys_id_hex(k.pk, devid);
	if ((r = store_begin(s, &c->e)) != 0 ||
	    (r = store_meta_set(s, "school", c->school, &c->e)) != 0 ||
	    (r = store_meta_set(s, "school_name", c->name ? c->name : "", &c->e)) != 0 ||
	    (r = store_meta_set(s, "device_id", devid, &c->e)) != 0 ||
	    (r = store_meta_set(s, "device_key_path", keypath, &c->e)) != 0 ||
	    (r = store_meta_set(s, "device_kind", "school", &c->e)) != 0 ||
	    (r = store_meta_set(s, "device_schools", c->school, &c->e)) != 0 ||
	    (r = store_meta_set(s, "next_seq", "1", &c->e)) != 0 ||
	    (r = store_commit(s, &c->e)) != 0) {
		store_rollback(s);
		rc = cli_fail(c, r);
		goto out;
	}
	fprintf(c->out, "База создана: %s\nШкола: %s%s%s\nУстройство: %s\n"
	    "Ключ устройства: %s\n", c->db, c->school, c->name ? " — " : "",
	    c->name ? c->name : "", devid, keypath);
	rc = CLI_OK;
 out:
	keys_sign_wipe(&k);
	free(existing);
	store_close(s);
	return rc;
}

static int
cli_forms(struct cli *c)
{
	struct catalog *cat = NULL;
	cJSON *arr = NULL;
	int rc;

	if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0)
		c->db[0] = '\0';
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		return rc;
	if (c->json && (arr = cJSON_CreateArray()) == NULL) {
		rc = CLI_OTHER;
		goto out;
	}
	for (size_t i = 0; i < catalog_count(cat); i++) {
		const struct form *f = catalog_at(cat, i);
		bool latest = catalog_latest(cat, form_id(f)) == f;

		if (arr) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "id", form_id(f));
			cJSON_AddNumberToObject(o, "version", form_version(f));
			cJSON_AddStringToObject(o, "title", form_title(f));
			cJSON_AddBoolToObject(o, "latest", latest);
			cJSON_AddNumberToObject(o, "fields", (double)form_n_fields(f));
			cJSON_AddItemToArray(arr, o);
		} else {
			fprintf(c->out, "%-24s v%-3u %s%s\n", form_id(f), form_version(f),
			    form_title(f), latest ? "" : " (старая версия)");
		}
	}
	if (arr) {
		char *t = cJSON_Print(arr);

		fprintf(c->out, "%s\n", t ? t : "[]");
		cJSON_free(t);
	}
	rc = CLI_OK;
 out:
	cJSON_Delete(arr);
	catalog_free(cat);
	return rc;
}

static bool
cli_interactive(const struct cli *c)
{
	const char *force = getenv("TETRAD_PROMPT");

	if (force && strcmp(force, "1") == 0)
		return true;
	/* questions go to stderr so the id on stdout can be captured */
	return isatty(fileno(c->in)) && isatty(fileno(c->err));
}

/* --json then --set, onto values. */
static int
cli_values(struct cli *c, const struct form *f, cJSON *values)
{
	int r;

	if (c->json_file) {
		cJSON *j = NULL;

		if ((r = rec_read_json(c->json_file, &j, &c->e)) != 0)
			return r;
		r = rec_merge(values, j, &c->e);
		cJSON_Delete(j);
		if (r != 0)
			return r;
	}
	for (size_t i = 0; i < c->n_sets; i++)
		if ((r = rec_apply_set(f, values, c->sets[i], &c->e)) != 0)
			return r;
	return 0;
}

/* Whether this device may make records for school (meta device_schools,
 * a comma list, or its own school). */
static int
cli_school_allowed(struct cli *c, struct store *s, const char *school)
{
	char *list = NULL, *own = NULL, *save = NULL;
	int r, allowed = 0;

	if ((r = store_meta_get(s, "device_schools", &list, &c->e)) != 0 ||
	    (r = store_meta_get(s, "school", &own, &c->e)) != 0)
		goto out;
	if (own && strcmp(own, school) == 0)
		allowed = 1;
	for (char *tok = list ? strtok_r(list, ", ", &save) : NULL; tok && !allowed;
	    tok = strtok_r(NULL, ", ", &save))
		if (strcmp(tok, school) == 0)
			allowed = 1;
	if (!allowed)
		r = terr_set(&c->e, TERR_INVALID, "Это устройство не ведёт записи "
		    "школы «%s» (разрешены: %s).", school, list && *list ? list :
		    own ? own : "—");
 out:
	free(list);
	free(own);
	return r;
}

static int
cli_new(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct form_problems *probs = NULL;
	const struct form *f;
	cJSON *values = NULL;
	uint8_t id[UUID7_BYTES];
	char idtext[UUID7_STRLEN + 1];
	bool draft = c->draft;
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите одну форму: tetrad new ФОРМА … "
		    "(список: tetrad forms).");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if (c->school && (r = cli_school_allowed(c, s, c->school)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if ((f = catalog_latest(cat, c->pos[0])) == NULL) {
		fprintf(c->err, "Ошибка: форма «%s» не найдена. Список форм: "
		    "tetrad forms.\n", c->pos[0]);
		rc = CLI_NOTFOUND;
		goto out;
	}
	if ((values = cJSON_CreateObject()) == NULL) {
		rc = CLI_OTHER;
		goto out;
	}
	if ((r = cli_values(c, f, values)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->n_sets == 0 && c->json_file == NULL) {
		if (!cli_interactive(c)) {
			rc = cli_usage(c, "нет значений: укажите --set ПОЛЕ=ЗНАЧЕНИЕ или "
			    "--json ФАЙЛ, или запустите команду в терминале.");
			goto out;
		}
		fprintf(c->err, "Новая запись: %s (версия %u)\n", form_title(f),
		    form_version(f));
		if ((r = prompt_fill(f, values, c->in, c->err, &c->e)) != 0) {
			fprintf(c->err, "Ввод прерван, запись не сохранена. %s\n", c->e.msg);
			rc = CLI_INVALID;
			goto out;
		}
		if (!draft && form_validate(f, values, FORM_FINAL, &probs, &c->e) == TERR_INVALID) {
			bool yes = false;

			cli_problems(c, probs);
			form_problems_free(probs);
			probs = NULL;
			if (prompt_yesno(c->in, c->err, "Сохранить как черновик, чтобы "
			    "дополнить позже?", &yes, &c->e) != 0 || !yes) {
				fprintf(c->err, "Запись не сохранена.\n");
				rc = CLI_INVALID;
				goto out;
			}
			draft = true;
		}
	}
	r = rec_new(s, cat, form_id(f), c->school, values, draft, id, &probs, &c->e);
	if (r == TERR_INVALID && probs) {
		cli_problems(c, probs);
		fprintf(c->err, "Запись не сохранена.%s\n", draft ? "" :
		    " Чтобы сохранить неполную запись, добавьте --draft.");
		rc = CLI_INVALID;
		goto out;
	}
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	uuid7_format(id, idtext);
	fprintf(c->out, "%s\n", idtext);
	rc = CLI_OK;
 out:
	form_problems_free(probs);
	cJSON_Delete(values);
	catalog_free(cat);
	store_close(s);
	return rc;
}

static int
cli_edit(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct store_record *rec = NULL;
	struct form_problems *probs = NULL;
	const struct form *f;
	cJSON *old = NULL, *values = NULL;
	const cJSON *m;
	uint8_t id[UUID7_BYTES];
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите номер записи: tetrad edit НОМЕР --set ….");
	if (c->n_sets == 0 && c->json_file == NULL && !cli_interactive(c))
		return cli_usage(c, "нечего изменять: укажите --set ПОЛЕ=ЗНАЧЕНИЕ или "
		    "--json ФАЙЛ.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if ((r = store_record_resolve(s, c->pos[0], id, &c->e)) != 0 ||
	    (r = store_record_get(s, id, &rec, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if ((f = catalog_get(cat, rec->form_id, rec->form_version)) == NULL) {
		fprintf(c->err, "Ошибка: нет версии %u формы «%s», которой сделана "
		    "запись.\n", rec->form_version, rec->form_id);
		rc = CLI_NOTFOUND;
		goto out;
	}
	if ((old = cJSON_Parse(rec->data)) == NULL ||
	    (values = cJSON_Duplicate(old, 1)) == NULL) {
		fprintf(c->err, "Ошибка: данные записи повреждены.\n");
		rc = CLI_OTHER;
		goto out;
	}
	if ((r = cli_values(c, f, values)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->n_sets == 0 && c->json_file == NULL) {
		/* on a terminal: walk the form with the current answers offered */
		fprintf(c->err, "Изменение записи: %s (версия %u)\n", form_title(f),
		    form_version(f));
		if ((r = prompt_fill(f, values, c->in, c->err, &c->e)) != 0) {
			fprintf(c->err, "Ввод прерван, изменения не сохранены. %s\n", c->e.msg);
			rc = CLI_INVALID;
			goto out;
		}
	}
	/* answers removed by --set ПОЛЕ= must be removed by the merge too */
	cJSON_ArrayForEach(m, old)
		if (m->string && !cJSON_HasObjectItem(values, m->string))
			cJSON_AddNullToObject(values, m->string);
	r = rec_edit(s, cat, id, values, &probs, &c->e);
	if (r == TERR_INVALID && probs) {
		cli_problems(c, probs);
		fprintf(c->err, "Изменения не сохранены.\n");
		rc = CLI_INVALID;
		goto out;
	}
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	fprintf(c->out, "Запись изменена.\n");
	rc = CLI_OK;
 out:
	form_problems_free(probs);
	cJSON_Delete(old);
	cJSON_Delete(values);
	store_record_free(rec);
	catalog_free(cat);
	store_close(s);
	return rc;
}

static int
cli_finalize_delete(struct cli *c, bool del)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct form_problems *probs = NULL;
	uint8_t id[UUID7_BYTES];
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите номер записи.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if (!del && (rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if ((r = store_record_resolve(s, c->pos[0], id, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	r = del ? rec_delete(s, id, &c->e) : rec_finalize(s, cat, id, &probs, &c->e);
	if (r == TERR_INVALID && probs) {
		cli_problems(c, probs);
		fprintf(c->err, "Запись осталась черновиком.\n");
		rc = CLI_INVALID;
		goto out;
	}
	if (r < 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (r == 1)
		fprintf(c->out, "Запись уже окончательная.\n");
	else
		fprintf(c->out, del ? "Запись удалена.\n" :
		    "Запись окончательная и поставлена в очередь отправки.\n");
	rc = CLI_OK;
 out:
	form_problems_free(probs);
	catalog_free(cat);
	store_close(s);
	return rc;
}

static cJSON *
cli_record_json(const struct store_record *r)
{
	char idtext[UUID7_STRLEN + 1];
	cJSON *o = cJSON_CreateObject(), *data = cJSON_Parse(r->data);

	uuid7_format(r->id, idtext);
	cJSON_AddStringToObject(o, "id", idtext);
	cJSON_AddStringToObject(o, "form_id", r->form_id);
	cJSON_AddNumberToObject(o, "form_version", r->form_version);
	cJSON_AddStringToObject(o, "school", r->school);
	cJSON_AddStringToObject(o, "status", r->status);
	cJSON_AddStringToObject(o, "created_hlc", r->created_hlc);
	cJSON_AddStringToObject(o, "updated_hlc", r->updated_hlc);
	if (data)
		cJSON_AddItemToObject(o, "data", data);
	return o;
}

static const char *
cli_status_ru(const char *st)
{
	if (strcmp(st, "draft") == 0)
		return "черновик";
	if (strcmp(st, "final") == 0)
		return "окончательная";
	if (strcmp(st, "deleted") == 0)
		return "удалена";
	return st;
}

/* "2026-11-23 03:22" (UTC) of an HLC's wall time. */
static void
cli_hlc_time(const char *hlc, char out[32])
{
	struct hlc_ts t;
	time_t secs;
	struct tm tm;

	if (hlc_decode(hlc, &t) != 0) {
		snprintf(out, 32, "?");
		return;
	}
	secs = (time_t)(t.wall_ms / 1000);
	gmtime_r(&secs, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

struct cli_list {
	struct cli *c;
	cJSON *arr;
	size_t n;
};

static int
cli_list_row(const struct store_record *r, void *arg)
{
	struct cli_list *l = arg;
	char idtext[UUID7_STRLEN + 1], when[32];

	l->n++;
	if (l->arr) {
		cJSON_AddItemToArray(l->arr, cli_record_json(r));
		return 0;
	}
	uuid7_format(r->id, idtext);
	cli_hlc_time(r->updated_hlc, when);
	fprintf(l->c->out, "%s  %-22s v%-2u %-14s %s  %s\n", idtext, r->form_id,
	    r->form_version, cli_status_ru(r->status), r->school, when);
	return 0;
}

static int
cli_list(struct cli *c)
{
	struct store *s = NULL;
	struct cli_list l = { c, NULL, 0 };
	int r, rc;

	if (c->n_pos > 1)
		return cli_usage(c, "tetrad list [ФОРМА] [--status S] [--json].");
	if (c->status_filter && strcmp(c->status_filter, "draft") &&
	    strcmp(c->status_filter, "final") && strcmp(c->status_filter, "deleted"))
		return cli_usage(c, "--status: draft, final или deleted, а не «%s».",
		    c->status_filter);
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if (c->json)
		l.arr = cJSON_CreateArray();
	r = store_record_each(s, c->n_pos ? c->pos[0] : NULL, c->status_filter,
	    cli_list_row, &l, &c->e);
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (l.arr) {
		char *t = cJSON_Print(l.arr);

		fprintf(c->out, "%s\n", t ? t : "[]");
		cJSON_free(t);
	} else if (l.n == 0) {
		fprintf(c->err, "Записей нет.\n");
	}
	rc = CLI_OK;
 out:
	cJSON_Delete(l.arr);
	store_close(s);
	return rc;
}

/* Human text of a value: choice labels, да/нет. */
static void
cli_print_value(FILE *out, const struct form_field *fd, const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v)) {
		fputs("—", out);
	} else if (cJSON_IsBool(v)) {
		fputs(cJSON_IsTrue(v) ? "да" : "нет", out);
	} else if (cJSON_IsString(v) && fd && fd->type == FORM_CHOICE) {
		const struct form_choice *ch = form_choice_find(fd, v->valuestring);

		fputs(ch ? ch->label : v->valuestring, out);
	} else if (cJSON_IsString(v)) {
		fputs(v->valuestring, out);
	} else if (cJSON_IsArray(v) && fd && fd->type == FORM_MULTI) {
		const cJSON *m;
		bool first = true;

		cJSON_ArrayForEach(m, v) {
			const struct form_choice *ch = cJSON_IsString(m) ?
			    form_choice_find(fd, m->valuestring) : NULL;

			fprintf(out, "%s%s", first ? "" : "; ", ch ? ch->label :
			    cJSON_IsString(m) ? m->valuestring : "?");
			first = false;
		}
	} else {
		char *t = cJSON_PrintUnformatted(v);

		fputs(t ? t : "?", out);
		cJSON_free(t);
	}
}

static void
cli_show_fields(FILE *out, const struct form_field *fields, size_t n,
    const cJSON *obj, int indent)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = &fields[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fd->id);

		if (fd->type == FORM_GROUP) {
			int k = 0;
			const cJSON *item;

			fprintf(out, "%*s%s:%s\n", indent, "", fd->label,
			    cJSON_GetArraySize(v) ? "" : " —");
			cJSON_ArrayForEach(item, v) {
				fprintf(out, "%*s[%d]\n", indent + 2, "", k++);
				cli_show_fields(out, fd->children, fd->n_children, item,
				    indent + 4);
			}
			continue;
		}
		if (v == NULL && !fd->required)
			continue;
		fprintf(out, "%*s%s: ", indent, "", fd->label);
		cli_print_value(out, fd, v);
		fprintf(out, "%s\n", fd->sync == FORM_SYNC_LOCAL ?
		    "  (только на этом устройстве)" : "");
	}
}

static int
cli_show(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct store_record *rec = NULL;
	uint8_t id[UUID7_BYTES];
	char idtext[UUID7_STRLEN + 1], when[32];
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите номер записи: tetrad show НОМЕР.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((r = store_record_resolve(s, c->pos[0], id, &c->e)) != 0 ||
	    (r = store_record_get(s, id, &rec, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->json) {
		cJSON *o = cli_record_json(rec);
		char *t = cJSON_Print(o);

		fprintf(c->out, "%s\n", t ? t : "{}");
		cJSON_free(t);
		cJSON_Delete(o);
	} else {
		const struct form *f = NULL;
		cJSON *data = cJSON_Parse(rec->data);

		if (cli_catalog(c, &cat) == CLI_OK)
			f = catalog_get(cat, rec->form_id, rec->form_version);
		uuid7_format(rec->id, idtext);
		cli_hlc_time(rec->updated_hlc, when);
		fprintf(c->out, "Запись %s\nФорма: %s (%s, версия %u)\nШкола: %s\n"
		    "Статус: %s\nИзменена: %s UTC\n\n", idtext,
		    f ? form_title(f) : rec->form_id, rec->form_id, rec->form_version,
		    rec->school, cli_status_ru(rec->status), when);
		if (f) {
			for (size_t i = 0; i < form_n_fields(f); i++)
				cli_show_fields(c->out, form_field_at(f, i), 1, data, 0);
		} else {
			char *t = cJSON_Print(data);

			fprintf(c->out, "%s\n", t ? t : rec->data);
			cJSON_free(t);
		}
		cJSON_Delete(data);
	}
	rc = CLI_OK;
 out:
	store_record_free(rec);
	catalog_free(cat);
	store_close(s);
	return rc;
}

static int
cli_export(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	FILE *fp = NULL;
	enum csvio_format fmt;
	char tmp[PATH_MAX + 16];
	int r, rc;

	tmp[0] = '\0';
	if (c->n_pos != 1)
		return cli_usage(c, "tetrad export ФОРМА --format csv|json [--out ФАЙЛ].");
	if (c->format == NULL || strcmp(c->format, "csv") == 0)
		fmt = CSVIO_CSV;
	else if (strcmp(c->format, "json") == 0)
		fmt = CSVIO_JSON;
	else
		return cli_usage(c, "--format: csv или json, а не «%s».", c->format);
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if (c->out_file) {
		/* a half-written export must never look like a whole one */
		snprintf(tmp, sizeof(tmp), "%s.tmp", c->out_file);
		if ((fp = fopen(tmp, "wb")) == NULL) {
			fprintf(c->err, "Ошибка: не удалось создать файл «%s»: %s.\n",
			    c->out_file, strerror(errno));
			tmp[0] = '\0';
			rc = CLI_STORAGE;
			goto out;
		}
	}
	r = csvio_export(s, cat, c->pos[0], fmt, c->delim, fp ? fp : c->out, &c->e);
	if (r == 0 && fp) {
		if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
			r = terr_set(&c->e, TERR_IO, "Не удалось записать «%s»: %s.",
			    c->out_file, strerror(errno));
		if (fclose(fp) != 0 && r == 0)
			r = terr_set(&c->e, TERR_IO, "Не удалось записать «%s»: %s.",
			    c->out_file, strerror(errno));
		fp = NULL;
		if (r == 0 && rename(tmp, c->out_file) != 0)
			r = terr_set(&c->e, TERR_IO, "Не удалось записать «%s»: %s.",
			    c->out_file, strerror(errno));
		if (r == 0)
			tmp[0] = '\0';
	}
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->out_file)
		fprintf(c->err, "Выгрузка сохранена: %s\n", c->out_file);
	rc = CLI_OK;
 out:
	if (fp)
		fclose(fp);
	if (tmp[0])
		unlink(tmp);
	catalog_free(cat);
	store_close(s);
	return rc;
}

static int
cli_import(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	char *report = NULL;
	size_t n = 0;
	int r, rc;

	if (c->n_pos != 1 || c->csv_file == NULL)
		return cli_usage(c, "tetrad import ФОРМА --csv ФАЙЛ.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	r = csvio_import(s, cat, c->pos[0], c->csv_file, c->delim, &n, &report, &c->e);
	if (r != 0) {
		rc = cli_fail(c, r);
		if (report)
			fputs(report, c->err);
		goto out;
	}
	fprintf(c->out, "Загружено записей: %zu\n", n);
	rc = CLI_OK;
 out:
	free(report);
	catalog_free(cat);
	store_close(s);
	return rc;
}

static int
cli_status(struct cli *c)
{
	static const char *const keys[] = { "school", "school_name", "device_id",
	    "device_kind", "device_schools", "hub_url", "last_sync_at",
	    "last_sync_result", "clock_skew_ms", "hlc_last" };
	char *vals[sizeof(keys) / sizeof(keys[0])] = { 0 };
	struct store *s = NULL;
	struct store_counts n;
	sqlite3_stmt *st = NULL;
	cJSON *o = NULL, *reasons = NULL;
	long long skew = 0;
	int r, rc;

	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((r = store_meta_get(s, keys[i], &vals[i], &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
	if ((r = store_counts(s, &n, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (vals[8])
		skew = strtoll(vals[8], NULL, 10);
	o = cJSON_CreateObject();
	reasons = cJSON_CreateArray();
	if (sqlite3_prepare_v2(store_db(s), "SELECT COALESCE(reason,''), COUNT(*) "
	    "FROM outbox WHERE state='quarantined' GROUP BY 1 ORDER BY 2 DESC",
	    -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *q = cJSON_CreateObject();

			cJSON_AddStringToObject(q, "reason",
			    (const char *)sqlite3_column_text(st, 0));
			cJSON_AddNumberToObject(q, "count",
			    (double)sqlite3_column_int64(st, 1));
			cJSON_AddItemToArray(reasons, q);
		}
	}
	sqlite3_finalize(st);
	if (c->json) {
		char *t;

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (vals[i])
				cJSON_AddStringToObject(o, keys[i], vals[i]);
			else
				cJSON_AddNullToObject(o, keys[i]);
		}
		cJSON_AddStringToObject(o, "db", c->db);
		cJSON_AddNumberToObject(o, "pending", (double)n.pending);
		cJSON_AddNumberToObject(o, "sent", (double)n.sent);
		cJSON_AddNumberToObject(o, "acked", (double)n.acked);
		cJSON_AddNumberToObject(o, "quarantined", (double)n.quarantined);
		cJSON_AddNumberToObject(o, "drafts", (double)n.drafts);
		cJSON_AddNumberToObject(o, "final", (double)n.finals);
		cJSON_AddNumberToObject(o, "deleted", (double)n.deleted);
		cJSON_AddItemToObject(o, "quarantine_reasons", reasons);
		reasons = NULL;
		cJSON_AddBoolToObject(o, "clock_skew_warning",
		    llabs(skew) > CLI_SKEW_WARN_MS);
		t = cJSON_Print(o);
		fprintf(c->out, "%s\n", t ? t : "{}");
		cJSON_free(t);
	} else {
		const cJSON *q;

		fprintf(c->out, "База: %s\n", c->db);
		fprintf(c->out, "Школа: %s%s%s\n", vals[0] ? vals[0] : "—",
		    vals[1] && *vals[1] ? " — " : "", vals[1] ? vals[1] : "");
		fprintf(c->out, "Устройство: %s (%s)\n", vals[2] ? vals[2] : "—",
		    vals[3] && strcmp(vals[3], "curator") == 0 ? "куратор" : "школа");
		fprintf(c->out, "Хаб: %s\n", vals[5] ? vals[5] :
		    "не подключён (tetrad enroll)");
		fprintf(c->out, "Записи: черновиков %lld, окончательных %lld, "
		    "удалённых %lld\n", (long long)n.drafts, (long long)n.finals,
		    (long long)n.deleted);
		fprintf(c->out, "Очередь отправки: ожидают %lld, отправлены %lld, "
		    "подтверждены %lld, отклонены (карантин) %lld\n",
		    (long long)n.pending, (long long)n.sent, (long long)n.acked,
		    (long long)n.quarantined);
		cJSON_ArrayForEach(q, reasons)
			fprintf(c->out, "  карантин: %s — %d\n",
			    cJSON_GetObjectItem(q, "reason")->valuestring,
			    cJSON_GetObjectItem(q, "count")->valueint);
		fprintf(c->out, "Последняя синхронизация: %s%s%s%s\n",
		    vals[6] ? vals[6] : "не было", vals[7] ? " (" : "",
		    vals[7] ? vals[7] : "", vals[7] ? ")" : "");
		if (llabs(skew) > CLI_SKEW_WARN_MS)
			fprintf(c->out, "ВНИМАНИЕ: часы этого компьютера %s на %lld мин. "
			    "Проверьте дату и время.\n", skew > 0 ? "спешат" : "отстают",
			    (llabs(skew) + 30000) / 60000);
	}
	rc = CLI_OK;
 out:
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		free(vals[i]);
	cJSON_Delete(o);
	cJSON_Delete(reasons);
	store_close(s);
	return rc;
}

/* Replaces the process with tetrad-syncd from our own directory. */
static int
cli_exec_syncd(struct cli *c, int argc, char **argv, bool once)
{
	char self[PATH_MAX], prog[PATH_MAX + 16];
	char **args;
	ssize_t n;
	char *slash;
	int k = 0;

	if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0)
		return cli_usage(c, "не удалось определить путь к базе: укажите --db.");
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0) {
		fprintf(c->err, "Ошибка: не удалось найти программу tetrad-syncd: %s.\n",
		    strerror(errno));
		return CLI_OTHER;
	}
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	snprintf(prog, sizeof(prog), "%s/tetrad-syncd", self);
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
	    "синхронизации должна лежать рядом с tetrad.\n", prog, strerror(errno));
	free(args);
	return CLI_OTHER;
}

int
cli_run(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	struct cli *c = calloc(1, sizeof(*c));
	const char *cmd = NULL;
	int i = 1, rc;

	if (c == NULL) {
		fputs("Ошибка: недостаточно памяти.\n", err);
		return CLI_OTHER;
	}
	c->in = in;
	c->out = out;
	c->err = err;
	/* global options before the command */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			c->db_opt = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(cli_usage_text, out);
			rc = CLI_OK;
			goto out;
		} else if (strcmp(argv[i], "--version") == 0) {
			fputs("tetrad 0.1.0\n", out);
			rc = CLI_OK;
			goto out;
		} else {
			rc = cli_usage(c, "неизвестный параметр «%s».", argv[i]);
			goto out;
		}
	}
	if (i >= argc) {
		fputs(cli_usage_text, err);
		rc = CLI_USAGE;
		goto out;
	}
	cmd = argv[i++];
	if (strcmp(cmd, "help") == 0) {
		fputs(cli_usage_text, out);
		rc = CLI_OK;
		goto out;
	}
	if (strcmp(cmd, "enroll") == 0 || strcmp(cmd, "sync") == 0) {
		for (int j = i; j + 1 < argc; j++)
			if (strcmp(argv[j], "--db") == 0)
				c->db_opt = argv[j + 1];
		rc = cli_exec_syncd(c, argc - i, argv + i, strcmp(cmd, "sync") == 0);
		goto out;
	}
	if ((rc = cli_parse(c, cmd, argc - i, argv + i)) != CLI_OK)
		goto out;
	if (strcmp(cmd, "init") == 0)
		rc = cli_init(c);
	else if (strcmp(cmd, "forms") == 0)
		rc = cli_forms(c);
	else if (strcmp(cmd, "new") == 0)
		rc = cli_new(c);
	else if (strcmp(cmd, "edit") == 0)
		rc = cli_edit(c);
	else if (strcmp(cmd, "finalize") == 0)
		rc = cli_finalize_delete(c, false);
	else if (strcmp(cmd, "delete") == 0)
		rc = cli_finalize_delete(c, true);
	else if (strcmp(cmd, "list") == 0)
		rc = cli_list(c);
	else if (strcmp(cmd, "show") == 0)
		rc = cli_show(c);
	else if (strcmp(cmd, "export") == 0)
		rc = cli_export(c);
	else if (strcmp(cmd, "import") == 0)
		rc = cli_import(c);
	else if (strcmp(cmd, "status") == 0)
		rc = cli_status(c);
	else
		rc = cli_usage(c, "неизвестная команда «%s».", cmd);
 out:
	free(c);
	return rc;
}
