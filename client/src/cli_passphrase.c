/*
 * cli_passphrase — `tetrad passphrase set|change|remove|reset|status`: the
 * passphrase that hides a device's local values (names, phones, the summary
 * of a conflict) at rest (client/passphrase.h does the work). Secrets come
 * from files (--passphrase-file, --new-passphrase-file, --recovery-file and
 * their environment variables) or the terminal with echo off, never from
 * the command line; status never prints one. docs/client.md "Passphrase".
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "tetrad/formsdir.h"

#include "tetrad/passin.h"
#include "client/passphrase.h"
#include "client/vault.h"

#include "cli_private.h"

_Static_assert(PASSIN_MAX == VAULT_PASS_MAX,
    "a line passin reads is a whole passphrase of the vault");

/* Tries on the terminal: the current passphrase, a new one typed twice. */
#define CLI_PASS_TRIES 3

/*
 * A new passphrase: the new-passphrase file, else (set, reset: there is no
 * current one) the passphrase file, else typed twice on the terminal.
 * vault_pass_check applies. 0 or TERR_* (c->e); passin_free *out.
 */
static int
cli_pass_new(struct cli *c, bool fallback, char **out, size_t *len)
{
	const char *file = cli_new_pass_file(c);
	char *again = NULL;
	size_t alen = 0;
	int r = 0;

	*out = NULL;
	if (file == NULL && fallback)
		file = cli_pass_file(c);
	if (file != NULL) {
		if ((r = cli_secret(c, file, NULL, out, len)) == 0 &&
		    (r = vault_pass_check(*out, *len, &c->e)) != 0) {
			passin_free(*out);
			*out = NULL;
		}
		return r;
	}
	if (!cli_secret_tty(c))
		return terr_set(&c->e, TERR_PASSPHRASE, "Новый пароль не указан. "
		    "Запустите команду в окне терминала или укажите "
		    "--new-passphrase-file ФАЙЛ.");
	fprintf(c->err, "Придумайте пароль: не короче %d знаков, лучше 4–5 "
	    "слов через пробел. При вводе он не виден — так и должно быть.\n", VAULT_PASS_MIN_CHARS);
	for (int i = 0; i < CLI_PASS_TRIES; i++) {
		if ((r = cli_secret(c, NULL, "Новый пароль: ", out, len)) != 0)
			return r;
		if ((r = vault_pass_check(*out, *len, &c->e)) != 0) {
			fprintf(c->err, "%s\n", c->e.msg);
			goto again;
		}
		if ((r = cli_secret(c, NULL, "Ещё раз: ", &again, &alen)) != 0)
			goto fail;
		if (alen == *len && sodium_memcmp(again, *out, alen) == 0) {
			passin_free(again);
			return 0;
		}
		passin_free(again);
		again = NULL;
		r = terr_set(&c->e, TERR_ARG, "Пароли не совпадают.");
		fprintf(c->err, "%s\n", c->e.msg);
 again:
		passin_free(*out);
		*out = NULL;
	}
	return r;
 fail:
	passin_free(*out);
	*out = NULL;
	return r;
}

/*
 * The vault opened with the current passphrase or, recovery, the recovery
 * key: from its file, else asked on the terminal (CLI_PASS_TRIES), else
 * TERR_PASSPHRASE. 0 or TERR_* (c->e).
 */
static int
cli_pass_current(struct cli *c, struct store *s, bool recovery)
{
	const char *file = recovery ? c->recovery_file : cli_pass_file(c);
	char *pass = NULL;
	size_t len = 0;
	bool tried_out;
	int r = TERR_PASSPHRASE;

	if (file != NULL) {
		if ((r = cli_secret(c, file, NULL, &pass, &len)) == 0)
			r = cli_unlock_try(c, s, pass, len, recovery);
		passin_free(pass);
		return r;
	}
	if (!cli_secret_tty(c))
		return terr_set(&c->e, TERR_PASSPHRASE, "%s не указан. Запустите "
		    "команду в окне терминала или укажите %s ФАЙЛ.", recovery ?
		    "Ключ восстановления" : "Текущий пароль", recovery ?
		    "--recovery-file" : "--passphrase-file");
	r = cli_unlock_tty(c, s, recovery ? "Ключ восстановления: " :
	    "Текущий пароль: ", recovery, false, CLI_PASS_TRIES, &tried_out);
	if (r != TERR_PASSPHRASE || !tried_out)
		return r;
	return terr_set(&c->e, TERR_PASSPHRASE, "%s не подошёл %d раза: ничего не "
	    "изменено.", recovery ? "Ключ восстановления" : "Пароль", CLI_PASS_TRIES);
}

/* «[д/Н]» on the terminal: true for «д»/«да»/y/yes. Not on a terminal: yes. */
static bool
cli_pass_confirm(struct cli *c, const char *question)
{
	char line[64];

	if (c->yes || !isatty(fileno(c->in)))
		return true;
	fprintf(c->err, "%s [д/Н]: ", question);
	fflush(c->err);
	if (fgets(line, sizeof(line), c->in) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "д") == 0 || strcmp(line, "да") == 0 ||
	    strcmp(line, "Д") == 0 || strcmp(line, "Да") == 0 ||
	    strcmp(line, "y") == 0 || strcmp(line, "yes") == 0;
}

/* The recovery key, framed, on stdout: shown this once. */
static void
cli_pass_recovery_print(struct cli *c, const char *key)
{
	fprintf(c->out,
	    "┌────────────────────────────────────────────────────────────────\n"
	    "│ Ключ восстановления: %s\n"
	    "│\n"
	    "│ Перепишите его на бумагу и отдайте на хранение: в сейф школы\n"
	    "│ или руководителю. Ключ нужен, если пароль забыт:\n"
	    "│     tetrad passphrase change --recovery\n"
	    "│ Без пароля и без ключа ФИО, телефоны и суть конфликта\n"
	    "│ не восстановить. Ключ показан только сейчас. Не храните его\n"
	    "│ на этом компьютере, не фотографируйте и не пересылайте.\n"
	    "└────────────────────────────────────────────────────────────────\n",
	    key);
}

static void
cli_pass_scrub_say(struct cli *c, const struct passphrase_report *rep)
{
	if (rep->scrub_pending)
		fprintf(c->err, "Внимание: старые открытые копии значений ещё не "
		    "вычищены из файла базы (её читает tetrad-syncd). Это будет "
		    "сделано при следующем запуске tetrad.\n");
	if (rep->unknown > 0)
		fprintf(c->err, "Внимание: записей форм, которых нет на этом "
		    "устройстве, — %lld; их поля не тронуты. Их скрытые поля будут "
		    "зашифрованы, когда форма придёт и пароль введут в первый раз.\n",
		    (long long)rep->unknown);
}

/* A catalog without warnings printed twice: the command's own. */
/* TETRAD_PWHASH=test in the environment: a new wrap gets the test limits. */
static void
cli_pass_weak_say(struct cli *c)
{
	struct vault_limits l;

	vault_limits_default(&l);
	if (vault_limits_weak(&l))
		fprintf(c->err, "Предупреждение: задано TETRAD_PWHASH=test — пароль "
		    "защищается ослабленными параметрами (только для тестов), его легко "
		    "подобрать. Уберите эту переменную и смените пароль: tetrad "
		    "passphrase change.\n");
}

static int
cli_pass_catalog(struct cli *c, struct catalog **cat)
{
	if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0)
		c->db[0] = '\0';
	return cli_catalog(c, cat);
}

static int
cli_pass_set(struct cli *c, struct store *s, bool reset)
{
	struct catalog *cat = NULL;
	struct passphrase_report rep = { 0 };
	char *pass = NULL, key[VAULT_RECOVERY_TEXT] = "";
	size_t len = 0;
	int r, rc;

	if (!reset && vault_state(store_vault(s)) != VAULT_NONE) {
		fprintf(c->err, "Ошибка: пароль уже задан. Сменить: tetrad passphrase "
		    "change.\n");
		return CLI_INVALID;
	}
	if (reset && vault_state(store_vault(s)) == VAULT_NONE) {
		fprintf(c->err, "Ошибка: пароль не задан: сбрасывать нечего. Задать: "
		    "tetrad passphrase set.\n");
		return CLI_INVALID;
	}
	if ((rc = cli_pass_catalog(c, &cat)) != CLI_OK)
		return rc;
	if (reset) {
		long long hidden = 0;

		if ((r = cli_hidden_count(c, s, NULL, NULL, &hidden)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		if (!c->yes && !isatty(fileno(c->in))) {
			fprintf(c->err, "Ошибка: сброс навсегда удалит ФИО, "
			    "телефоны и суть конфликта в записях (%lld). Если "
			    "вы уверены, добавьте --yes.\n", hidden);
			rc = CLI_USAGE;
			goto out;
		}
		fprintf(c->err, "Сброс пароля: ФИО, телефоны и суть конфликта в "
		    "записях (%lld) будут удалены навсегда. Остальное (номера "
		    "случаев, даты, классы, отправленное в муниципалитет) "
		    "останется.\nЕсли ключ восстановления сохранился, не "
		    "сбрасывайте, а задайте новый пароль по ключу: tetrad "
		    "passphrase change --recovery\n", hidden);
		if (!cli_pass_confirm(c, "Удалить скрытые значения и задать новый "
		    "пароль?")) {
			fprintf(c->err, "Отменено: ничего не изменено.\n");
			rc = CLI_USAGE;        /* not done, as a command not given */
			goto out;
		}
	}
	if ((r = cli_pass_new(c, true, &pass, &len)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	cli_pass_weak_say(c);
	if (!reset)
		fprintf(c->err, "Шифрование скрытых полей…\n");
	r = reset ? passphrase_reset(s, cat, pass, len, NULL, c->no_recovery ? NULL :
	    key, &rep, &c->e) : passphrase_set(s, cat, pass, len, NULL,
	    c->no_recovery ? NULL : key, &rep, &c->e);
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (reset)
		fprintf(c->out, "Пароль сброшен и задан новый. Удалены скрытые "
		    "значения записей: %lld.\n", (long long)rep.dropped);
	else
		fprintf(c->out, "Пароль задан. Скрыто записей: %lld.\n",
		    (long long)rep.sealed);
	if (!c->no_recovery)
		cli_pass_recovery_print(c, key);
	else
		fprintf(c->out, "Ключ восстановления не создан: если пароль забудут, "
		    "ФИО, телефоны и суть конфликта будут потеряны.\n");
	cli_pass_scrub_say(c, &rep);
	rc = CLI_OK;
 out:
	sodium_memzero(key, sizeof(key));
	passin_free(pass);
	catalog_free(cat);
	return rc;
}

static int
cli_pass_change(struct cli *c, struct store *s)
{
	char *pass = NULL;
	size_t len = 0;
	int r, rc;

	if (vault_state(store_vault(s)) == VAULT_NONE) {
		fprintf(c->err, "Ошибка: пароль не задан. Задать: tetrad passphrase "
		    "set.\n");
		return CLI_INVALID;
	}
	if ((r = cli_pass_current(c, s, c->recovery)) != 0 ||
	    (r = cli_pass_new(c, false, &pass, &len)) != 0 ||
	    (r = passphrase_change(s, pass, len, NULL, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	cli_pass_weak_say(c);
	fprintf(c->out, "Пароль изменён.%s\n", c->recovery ?
	    " Ключ восстановления прежний: верните его на хранение." :
	    " Ключ восстановления прежний.");
	rc = CLI_OK;
 out:
	passin_free(pass);
	return rc;
}

static int
cli_pass_remove(struct cli *c, struct store *s)
{
	struct passphrase_report rep = { 0 };
	int r;

	if (vault_state(store_vault(s)) == VAULT_NONE) {
		fprintf(c->err, "Ошибка: пароль не задан: снимать нечего.\n");
		return CLI_INVALID;
	}
	if ((r = cli_pass_current(c, s, c->recovery)) != 0)
		return cli_fail(c, r);
	if (!cli_pass_confirm(c, "Снять пароль? ФИО, телефоны и суть конфликтов "
	    "снова будут храниться открыто")) {
		fprintf(c->err, "Отменено: ничего не изменено.\n");
		return CLI_USAGE;          /* not done, as a command not given */
	}
	if ((r = passphrase_remove(s, &rep, &c->e)) != 0)
		return cli_fail(c, r);
	fprintf(c->out, "Пароль снят. Расшифровано записей: %lld.\n", (long long)rep.opened);
	fprintf(c->err, "Предупреждение: ФИО, телефоны и суть конфликта теперь "
	    "хранятся открыто. Задать пароль снова: tetrad passphrase set\n");
	return CLI_OK;
}

static int
cli_pass_status(struct cli *c, struct store *s)
{
	struct passphrase_status st;
	int r;

	if ((r = passphrase_status(s, &st, &c->e)) != 0)
		return cli_fail(c, r);
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		char *t;

		cJSON_AddBoolToObject(o, "set", st.state != VAULT_NONE);
		cJSON_AddBoolToObject(o, "damaged", store_vault_damaged(s));
		if (st.state != VAULT_NONE && !store_vault_damaged(s)) {
			cJSON_AddStringToObject(o, "kdf", "argon2id");
			cJSON_AddNumberToObject(o, "ops", (double)st.limits.ops);
			cJSON_AddNumberToObject(o, "mem", (double)st.limits.mem);
			cJSON_AddBoolToObject(o, "recovery", st.has_recovery);
			cJSON_AddBoolToObject(o, "weak", vault_limits_weak(&st.limits));
		}
		cJSON_AddNumberToObject(o, "hidden_records", (double)st.hidden);
		cJSON_AddBoolToObject(o, "scrub_pending", st.scrub_pending);
		t = cJSON_Print(o);
		fprintf(c->out, "%s\n", t ? t : "{}");
		cJSON_free(t);
		cJSON_Delete(o);
		return CLI_OK;
	}
	if (st.state == VAULT_NONE) {
		fprintf(c->out, "Пароль: не задан. ФИО, телефоны и суть конфликтов "
		    "хранятся открыто.\nЗадать: tetrad passphrase set\n");
		return CLI_OK;
	}
	if (store_vault_damaged(s)) {
		fprintf(c->out, "Пароль: задан, но ключ в базе данных повреждён: "
		    "скрытые поля не открыть.\nЗаписей со скрытыми полями: %lld\n"
		    "Вернуть их: база из резервной копии. Или сбросить пароль: tetrad "
		    "passphrase reset (скрытые значения будут потеряны).\n",
		    (long long)st.hidden);
		return CLI_OK;
	}
	fprintf(c->out, "Пароль: задан\nЗаписей со скрытыми полями: %lld\n"
	    "Ключ восстановления: %s\nЗащита от подбора (Argon2id): проходов %llu, "
	    "память %zu %s\n", (long long)st.hidden, st.has_recovery ? "создан "
	    "(показан один раз, когда задавали пароль)" : "не создан", st.limits.ops, st.limits.mem >= (1u << 20) ?
	    st.limits.mem >> 20 : st.limits.mem >> 10, st.limits.mem >= (1u << 20) ?
	    "МиБ" : "КиБ");
	if (vault_limits_weak(&st.limits))
		fprintf(c->out, "Защита от подбора: ослабленные параметры (только для тестов): "
		    "смените пароль без TETRAD_PWHASH=test\n");
	if (st.scrub_pending)
		fprintf(c->out, "Очистка файла базы от старых открытых копий: ещё не "
		    "закончена (повторится при следующем запуске tetrad)\n");
	return CLI_OK;
}

/* reset is the way out of a damaged key row, status says it is damaged */
static int
cli_passphrase_run(struct cli *c, int (*run)(struct cli *, struct store *),
    bool damaged)
{
	struct store *s = NULL;
	int rc;

	if ((rc = damaged ? cli_open_damaged(c, &s) : cli_open(c, &s)) != CLI_OK)
		return rc;
	rc = run(c, s);
	store_close(s);
	return rc;
}

static int
cli_pass_set_new(struct cli *c, struct store *s)
{
	return cli_pass_set(c, s, false);
}

static int
cli_pass_reset(struct cli *c, struct store *s)
{
	return cli_pass_set(c, s, true);
}

int
cli_passphrase_set(struct cli *c)
{
	return cli_passphrase_run(c, cli_pass_set_new, false);
}

int
cli_passphrase_change(struct cli *c)
{
	return cli_passphrase_run(c, cli_pass_change, false);
}

int
cli_passphrase_remove(struct cli *c)
{
	return cli_passphrase_run(c, cli_pass_remove, false);
}

int
cli_passphrase_reset(struct cli *c)
{
	return cli_passphrase_run(c, cli_pass_reset, true);
}

int
cli_passphrase_status(struct cli *c)
{
	return cli_passphrase_run(c, cli_pass_status, true);
}

/* `tetrad status`: the passphrase line, and the warning when local values
 * of records are kept in the open. o: the --json object, or NULL. */
int
cli_passphrase_summary(struct cli *c, struct store *s, cJSON *o)
{
	struct passphrase_status st;
	struct catalog *cat = NULL;
	const char *builtin;
	char pulled[PATH_MAX + 8];
	long long open_recs = 0;
	int r;

	if ((r = passphrase_status(s, &st, &c->e)) != 0)
		return r;
	if (st.state == VAULT_NONE) {
		/* records of forms with local fields: their values are plain */
		struct terr ignored = { 0 };

		snprintf(pulled, sizeof(pulled), "%s.forms", c->db);
		if (formsdir_builtin(&builtin, &ignored) == 0 &&
		    catalog_load(builtin, pulled, &cat, &ignored) == 0)
			for (size_t i = 0; i < catalog_count(cat); i++) {
				const struct form *f = catalog_at(cat, i);
				long long k = 0;

				if (catalog_latest(cat, form_id(f)) == f &&
				    form_has_local(f) &&
				    cli_records_count(c, s, form_id(f), &k) == 0)
					open_recs += k;
			}
		catalog_free(cat);
	}
	if (o != NULL) {
		cJSON *p = cJSON_AddObjectToObject(o, "passphrase");

		cJSON_AddBoolToObject(p, "set", st.state != VAULT_NONE);
		cJSON_AddNumberToObject(p, "hidden_records", (double)st.hidden);
		cJSON_AddBoolToObject(p, "scrub_pending", st.scrub_pending);
		return 0;
	}
	if (st.state != VAULT_NONE)
		fprintf(c->out, "Пароль: задан (скрытых записей: %lld)\n",
		    (long long)st.hidden);
	else
		fprintf(c->out, "Пароль: не задан\n");
	if (st.state == VAULT_NONE && open_recs > 0)
		cli_unlock_warn(c);
	return 0;
}
