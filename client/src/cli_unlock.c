/*
 * cli_unlock — the vault's passphrase for the commands that need it: read
 * from a file (--passphrase-file, $TETRAD_PASSPHRASE_FILE) or asked on the
 * terminal with echo off (client/passin.h), tried after the wait that wrong
 * attempts in a row impose (vault_wait), and the count of records whose
 * local values a locked vault hides («скрыто»). docs/client.md "Passphrase".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tetrad/formsdir.h"

#include "tetrad/passin.h"
#include "client/rec.h"
#include "client/passphrase.h"
#include "client/vault.h"

#include "cli_private.h"

/* Tries of a passphrase typed on the terminal in one run. */
#define CLI_UNLOCK_TRIES 3

#define CLI_UNLOCK_NO_SOURCE "нужен пароль — ФИО, телефоны и суть конфликта " \
	"зашифрованы. Запустите команду в окне терминала (она спросит пароль) " \
	"или укажите --passphrase-file ФАЙЛ"
#define CLI_UNLOCK_WARN "пароль не задан: ФИО, телефоны и суть конфликта " \
	"хранятся на этом компьютере открыто. Задать пароль: tetrad passphrase set"

const char *
cli_pass_file(const struct cli *c)
{
	const char *env = getenv("TETRAD_PASSPHRASE_FILE");

	if (c->pass_file != NULL)
		return c->pass_file;
	return env != NULL && env[0] != '\0' ? env : NULL;
}

const char *
cli_new_pass_file(const struct cli *c)
{
	const char *env = getenv("TETRAD_NEW_PASSPHRASE_FILE");

	if (c->new_pass_file != NULL)
		return c->new_pass_file;
	return env != NULL && env[0] != '\0' ? env : NULL;
}

bool
cli_secret_tty(const struct cli *c)
{
	return isatty(fileno(c->in)) && passin_tty_available();
}

int
cli_secret(struct cli *c, const char *file, const char *prompt, char **out,
    size_t *len)
{
	if (file == NULL)
		return passin_tty(prompt, out, len, &c->e);
	return passin_file(file, out, len, &c->e);
}

/*
 * The wait wrong attempts in a row impose (vault_wait), said on stderr and
 * slept before the next attempt is asked or tried: on the terminal session
 * t, if any, with echo still off (nothing typed meanwhile shows, and it is
 * dropped before the question). 0 or TERR_* (c->e).
 */
static int
cli_unlock_wait(struct cli *c, struct store *s, struct passin_tty *t)
{
	struct timespec ts = { 0, 0 };
	unsigned ms = 0;
	int r;

	if ((r = vault_wait(store_vault(s), store_localdb(s), &ms, &c->e)) != 0)
		return r;
	if (ms == 0)
		return 0;
	fprintf(c->err, "Много неверных попыток подряд: проверка через %u с, "
	    "подождите.\n", (ms + 999) / 1000);
	fflush(c->err);
	if (t != NULL)
		return passin_tty_pause(t, ms, &c->e);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return 0;
}

static int
cli_unlock_check(struct cli *c, struct store *s, const char *pass, size_t len,
    bool recovery)
{
	struct vault *v = store_vault(s);

	if (recovery)
		return vault_unlock_recovery(v, store_localdb(s), pass, &c->e);
	return vault_unlock(v, store_localdb(s), pass, len, &c->e);
}

int
cli_unlock_try(struct cli *c, struct store *s, const char *pass, size_t len,
    bool recovery)
{
	int r;

	if ((r = cli_unlock_wait(c, s, NULL)) != 0)
		return r;
	return cli_unlock_check(c, s, pass, len, recovery);
}

int
cli_unlock_tty(struct cli *c, struct store *s, const char *prompt,
    bool recovery, bool show, int tries, bool *tried_out)
{
	struct passin_tty *t = NULL;
	char *pass = NULL;
	size_t len = 0;
	int r;

	*tried_out = false;
	if ((r = passin_tty_open(&t, &c->e)) != 0)
		return r;
	for (int i = 0; i < tries; i++) {
		/* the wait first, then the question: what is typed during the
		 * wait is neither shown nor taken. A recovery key is copied
		 * from paper: shown as typed, to be checked against it */
		if ((r = cli_unlock_wait(c, s, t)) != 0 ||
		    (r = passin_tty_read(t, prompt, recovery, &pass, &len,
		    &c->e)) != 0)
			goto out;
		if (len == 0 && show) {
			r = 1;
			goto out;
		}
		if (len == 0) {
			fprintf(c->err, "%s не введён (Ctrl+C — отказаться).\n",
			    recovery ? "Ключ" : "Пароль");
			passin_free(pass);
			pass = NULL;
			continue;
		}
		/* echo stays off while it is checked (Argon2id, most of a second) */
		r = cli_unlock_check(c, s, pass, len, recovery);
		passin_free(pass);
		pass = NULL;
		if (r != TERR_PASSPHRASE)
			goto out;
		fprintf(c->err, "%s\n", c->e.msg[0] ? c->e.msg : "Неверный пароль.");
	}
	*tried_out = true;
	r = TERR_PASSPHRASE;
 out:
	passin_free(pass);
	passin_tty_close(t);
	return r;
}

/*
 * Records whose form was unknown when the passphrase was set kept their
 * local values plain (meta PASSPHRASE_META_UNSEALED); with the vault open
 * and their forms arrived since (syncd pulls forms into <db>.forms), they
 * are sealed now, in one transaction and a scrub (passphrase_seal). A
 * failure is only said: the command goes on, the next unlock tries again.
 */
static void
cli_unlock_seal_late(struct cli *c, struct store *s)
{
	struct passphrase_report rep;
	struct catalog *cat = NULL;
	struct terr le = { 0 };
	char *flag = NULL, pulled[PATH_MAX + 8];
	const char *builtin;

	if (store_meta_get(s, PASSPHRASE_META_UNSEALED, &flag, &le) != 0 ||
	    flag == NULL || strcmp(flag, "1") != 0)
		goto out;
	snprintf(pulled, sizeof(pulled), "%s.forms", c->db);
	if (formsdir_builtin(&builtin, &le) != 0 ||
	    catalog_load(builtin, pulled, &cat, &le) != 0 ||
	    passphrase_seal(s, cat, &rep, &le) != 0) {
		fprintf(c->err, "Предупреждение: скрытые поля записей форм, пришедших "
		    "после установки пароля, не зашифрованы: %s\n", le.msg);
		goto out;
	}
	if (rep.sealed > 0)
		fprintf(c->err, "Скрытые поля записей (%lld), чьи формы пришли после "
		    "установки пароля, теперь зашифрованы%s.\n", (long long)rep.sealed,
		    rep.unknown > 0 ? "; у части записей форма ещё неизвестна" : "");
 out:
	catalog_free(cat);
	free(flag);
}

/*
 * The vault opened: from the passphrase file, else on the terminal (up to
 * CLI_UNLOCK_TRIES tries; with show, Enter leaves it locked), else locked
 * (show) or exit 6. CLI_OK or the printed exit code.
 */
static int
cli_unlock(struct cli *c, struct store *s, bool show)
{
	const char *file = cli_pass_file(c);
	char *pass = NULL;
	size_t len = 0;
	bool tried_out;
	int r;

	if (!store_locked(s))
		return CLI_OK;
	if (file != NULL) {
		if ((r = cli_secret(c, file, NULL, &pass, &len)) == 0)
			r = cli_unlock_try(c, s, pass, len, false);
		passin_free(pass);
		if (r != 0)
			return cli_fail(c, r);
		cli_unlock_seal_late(c, s);
		return CLI_OK;
	}
	if (!cli_secret_tty(c)) {
		if (show)
			return CLI_OK;
		fprintf(c->err, "Ошибка: %s.\n", CLI_UNLOCK_NO_SOURCE);
		return CLI_PASSPHRASE;
	}
	r = cli_unlock_tty(c, s, show ? "Пароль (Enter — показать без скрытых "
	    "полей): " : "Пароль для скрытых полей (ФИО, телефоны): ", false, show,
	    CLI_UNLOCK_TRIES, &tried_out);
	if (r == 1)
		return CLI_OK;          /* Enter: shown without them */
	if (r == 0) {
		cli_unlock_seal_late(c, s);
		return CLI_OK;
	}
	if (!tried_out)
		return cli_fail(c, r);
	fprintf(c->err, "Ошибка: пароль не подошёл %d раза, ничего не сделано. "
	    "Забыли пароль? Задать новый по ключу восстановления: tetrad "
	    "passphrase change --recovery\n", CLI_UNLOCK_TRIES);
	return CLI_PASSPHRASE;
}

void
cli_damaged_warn(struct cli *c, const struct store *s)
{
	int64_t n = store_damaged(s);

	if (n > 0)
		fprintf(c->err, "Предупреждение: скрытые поля записей (%lld) не "
		    "расшифровываются: они повреждены; остальные поля на месте, "
		    "скрытые показаны как «%s». Вернуть их можно только из резервной "
		    "копии базы.\n", (long long)n, VAULT_HIDDEN);
	/* another device removed or replaced items of a group: their hidden
	 * values were not shown on another child's item */
	if (store_unpaired(s) > 0)
		fprintf(c->err, "Предупреждение: значения скрытых полей %zu участников "
		    "не сопоставлены: на другом устройстве их строки удалены или "
		    "заменены. Они не показаны и будут удалены при следующем "
		    "изменении записи.\n", store_unpaired(s));
}

void
cli_unlock_warn(struct cli *c)
{
	fprintf(c->err, "Предупреждение: %s\n", CLI_UNLOCK_WARN);
}

int
cli_unlock_form(struct cli *c, struct store *s, const struct form *f, bool warn)
{
	if (!form_has_local(f))
		return CLI_OK;
	if (vault_state(store_vault(s)) == VAULT_NONE) {
		if (warn)
			cli_unlock_warn(c);
		return CLI_OK;
	}
	return cli_unlock(c, s, false);
}

bool
cli_path_local(const struct form *f, const char *path)
{
	char top[FORM_ID_MAX + 1];
	const struct form_field *fd;
	const char *dot;
	size_t n = strcspn(path, "[.=");

	if (f == NULL || n == 0 || n > FORM_ID_MAX)
		return false;
	memcpy(top, path, n);
	top[n] = '\0';
	if ((fd = form_find(f, top)) == NULL)
		return false;
	if (fd->type != FORM_GROUP)
		return fd->sync == FORM_SYNC_LOCAL;
	/* parties[0].full_name: that member; parties, parties[0]: the items */
	if (path[n] != '[' || (dot = strchr(path + n, '.')) == NULL)
		return form_field_has_local(fd);
	for (size_t i = 0; i < fd->n_children; i++) {
		size_t l = strlen(fd->children[i].id);

		if (strncmp(dot + 1, fd->children[i].id, l) == 0 &&
		    (dot[1 + l] == '\0' || dot[1 + l] == '=' || dot[1 + l] == '.'))
			return fd->children[i].sync == FORM_SYNC_LOCAL;
	}
	return false;
}

bool
cli_sets_local(struct cli *c, const struct form *f)
{
	cJSON *j = NULL;
	const cJSON *m;
	struct terr le = { 0 };
	bool local = false;

	for (size_t i = 0; i < c->n_sets; i++)
		if (cli_path_local(f, c->sets[i]))
			return true;
	/* a file that does not read is said by the command itself */
	if (c->json_file == NULL || rec_read_json(c->json_file, &j, &le) != 0)
		return false;
	cJSON_ArrayForEach(m, j)
		if (m->string != NULL && cli_path_local(f, m->string))
			local = true;
	cJSON_Delete(j);
	return local;
}

bool
cli_unlock_needed(struct store *s, int r, const struct form *f,
    const struct form_problems *probs, bool hidden)
{
	if (!store_locked(s))
		return false;
	if (r == TERR_PASSPHRASE)
		return true;
	/* a hidden value is not a missing one: checked again with it */
	if (r != TERR_INVALID || !hidden || probs == NULL)
		return false;
	for (size_t i = 0; i < probs->n; i++)
		if (probs->items[i].path != NULL &&
		    cli_path_local(f, probs->items[i].path))
			return true;
	return false;
}

int
cli_unlock_refinalize(struct cli *c, struct store *s, const struct catalog *cat,
    const uint8_t id[UUID7_BYTES], int *r, struct form_problems **probs)
{
	struct localdb_record *rec = NULL;
	const struct form *f;
	bool need;
	int rv, rc;

	if (!store_locked(s) || (*r != TERR_PASSPHRASE && *r != TERR_INVALID))
		return CLI_OK;
	if ((rv = store_record_get(s, id, &rec, &c->e)) != 0)
		return cli_fail(c, rv);
	f = catalog_get(cat, rec->form_id, rec->form_version);
	need = cli_unlock_needed(s, *r, f, *probs, rec->sealed != NULL);
	store_record_free(rec);
	if (!need)
		return CLI_OK;
	/* nothing was written (one transaction): opened, then again */
	if ((rc = cli_unlock_form(c, s, f, false)) != CLI_OK)
		return rc;
	form_problems_free(*probs);
	*probs = NULL;
	*r = rec_finalize(s, cat, id, probs, &c->e);
	return CLI_OK;
}

int
cli_unlock_show(struct cli *c, struct store *s)
{
	return cli_unlock(c, s, true);
}

/* count(*) of sql with ?1 and ?2 bound (NULL or text) in *n. */
static int
cli_unlock_count(struct cli *c, struct store *s, const char *sql,
    const char *a, const char *b, long long *n)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	*n = 0;
	if ((rc = sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL)) != SQLITE_OK)
		return store_sqlerr(s, rc, "сосчитать записи", &c->e);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		r = 0;
	} else {
		r = store_sqlerr(s, rc, "сосчитать записи", &c->e);
	}
	sqlite3_finalize(st);
	return r;
}

int
cli_hidden_count(struct cli *c, struct store *s, const char *form_id,
    const char *status, long long *n)
{
	return cli_unlock_count(c, s, "SELECT count(*) FROM records WHERE sealed "
	    "IS NOT NULL AND (?1 IS NULL OR form_id = ?1) AND (?2 IS NULL OR "
	    "status = ?2)", form_id, status, n);
}

int
cli_records_count(struct cli *c, struct store *s, const char *form_id,
    long long *n)
{
	return cli_unlock_count(c, s, "SELECT count(*) FROM records WHERE "
	    "form_id = ?1 AND status <> 'deleted' AND ?2 IS NULL", form_id, NULL, n);
}
