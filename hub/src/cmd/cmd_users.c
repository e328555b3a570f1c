/*
 * cmd_users — `tetrad-hub user …`: the accounts of the dashboard
 * (hub/accounts.h, docs/hub.md "The dashboard"). A password is never an
 * argument (a command line is seen by every user of the machine and kept
 * in shell histories): it is typed on the terminal, twice, with echo off,
 * or read from the first line of a file only its owner can read.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"
#include "hub/accounts.h"
#include "tetrad/passin.h"

enum { UO_ROLE = 1, UO_SCHOOL, UO_PASSWORD_FILE };

static const struct cmdline_opt cmd_user_add_opts[] = {
	{ "role", 1, UO_ROLE, 0 },
	{ "school", 1, UO_SCHOOL, 0 },
	{ "password-file", 1, UO_PASSWORD_FILE, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_user_add_spec = {
	CMD_PROG, "user add",
	"Использование: tetrad-hub user add ЛОГИН --role admin|coordinator|school\n"
	"                                   [--school КОД] [--password-file ФАЙЛ]\n"
	"\n"
	"Создаёт учётную запись для входа в панель координатора (https://адрес-хаба/).\n"
	"Роли: admin — администрирование (школы, коды регистрации, устройства,\n"
	"учётные записи, журнал аудита) и все показатели; coordinator — все\n"
	"показатели и разбор конфликтов; school — страницы только своей школы\n"
	"(директор), нужен --school КОД.\n"
	"\n"
	"Пароль (не короче 10 символов) вводится дважды в терминале без отображения\n"
	"или читается из первой строки файла, доступного только владельцу\n"
	"(chmod 600). В командной строке пароль не указывается.\n"
	"\n" CMD_COMMON_HELP,
	cmd_user_add_opts, 1, 1, 0,
};

static const struct cmdline_opt cmd_user_passwd_opts[] = {
	{ "password-file", 1, UO_PASSWORD_FILE, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_user_passwd_spec = {
	CMD_PROG, "user passwd",
	"Использование: tetrad-hub user passwd ЛОГИН [--password-file ФАЙЛ]\n"
	"\n"
	"Задаёт учётной записи новый пароль (например, если его забыли) и снимает\n"
	"блокировку после неудачных входов. Все открытые сеансы этой записи\n"
	"закрываются. Пароль — как в «tetrad-hub user add».\n"
	"\n" CMD_COMMON_HELP,
	cmd_user_passwd_opts, 1, 1, 0,
};

static const struct cmdline_opt cmd_user_common_opts[] = {
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_user_disable_spec = {
	CMD_PROG, "user disable",
	"Использование: tetrad-hub user disable ЛОГИН\n"
	"\n"
	"Блокирует учётную запись (сотрудник ушёл): вход невозможен, открытые сеансы\n"
	"закрываются. Записи журнала аудита остаются. Вернуть: tetrad-hub user enable.\n"
	"\n" CMD_COMMON_HELP,
	cmd_user_common_opts, 1, 1, 0,
};

static const struct cmdline_spec cmd_user_enable_spec = {
	CMD_PROG, "user enable",
	"Использование: tetrad-hub user enable ЛОГИН\n"
	"\n"
	"Снимает блокировку, поставленную «tetrad-hub user disable».\n"
	"\n" CMD_COMMON_HELP,
	cmd_user_common_opts, 1, 1, 0,
};

static const struct cmdline_spec cmd_user_list_spec = {
	CMD_PROG, "user list",
	CMD_LIST_USAGE("user list", "Учётные записи панели координатора: логин, роль, школа,\n"
	    "состояние (действует, заблокирована, вход отложен после неудачных попыток),\n"
	    "когда создана и когда задан пароль, сколько сеансов открыто."),
	NULL, 0, 0, 0,
};

static const struct cmdline_spec cmd_audit_list_spec = {
	CMD_PROG, "audit list",
	CMD_LIST_USAGE("audit list", "Журнал аудита панели, новые записи первыми: входы и\n"
	    "неудачные попытки, выгрузки, действия администраторов и решения по\n"
	    "конфликтам — кто, когда, откуда, что и с каким итогом. Паролей, кодов и\n"
	    "персональных данных в журнале нет."),
	NULL, 0, 0, 0,
};

/* The new password: from file, or typed twice on the terminal. passin_free *out. */
static int
cmd_user_password(const char *cmd, const char *file, char **out, struct terr *e)
{
	struct passin_tty *t = NULL;
	char *again = NULL;
	size_t len = 0, len2 = 0;
	int r;

	*out = NULL;
	if (file != NULL) {
		if ((r = passin_file(file, out, &len, e)) == 0 &&
		    (r = accounts_password_check(*out, e)) != 0) {
			passin_free(*out);
			*out = NULL;
		}
		return r;
	}
	if (!passin_tty_available())
		return cmd_usage(e, cmd, "%s: нет терминала, чтобы ввести пароль; укажите "
		    "--password-file ФАЙЛ", cmd);
	if ((r = passin_tty_open(&t, e)) != 0)
		return r;
	for (int tries = 0; tries < 3; tries++) {
		passin_free(*out);
		passin_free(again);
		*out = again = NULL;
		if ((r = passin_tty_read(t, "Новый пароль: ", false, out, &len, e)) != 0)
			break;
		if ((r = accounts_password_check(*out, e)) != 0) {
			fprintf(stderr, "%s. Попробуйте ещё раз.\n", e->msg);
			continue;
		}
		if ((r = passin_tty_read(t, "Повторите пароль: ", false, &again, &len2, e)) != 0)
			break;
		if (len == len2 && sodium_memcmp(*out, again, len) == 0) {
			r = 0;
			break;
		}
		r = terr_set(e, TERR_ARG, "пароли не совпали");
		fprintf(stderr, "Пароли не совпали. Попробуйте ещё раз.\n");
	}
	passin_tty_close(t);
	passin_free(again);
	if (r != 0) {
		passin_free(*out);
		*out = NULL;
	}
	return r;
}

int
cmd_user_add(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	static const char cmd[] = "user add";
	const char *role_s = NULL, *school = NULL, *file = NULL, *v;
	enum accounts_role role;
	struct cmdline c;
	char *pw = NULL;
	int r, id;

	cmdline_begin(&c, &cmd_user_add_spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0) {
		switch (id) {
		case UO_ROLE: role_s = v; break;
		case UO_SCHOOL: school = v; break;
		case UO_PASSWORD_FILE: file = v; break;
		}
	}
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if (accounts_login_check(c.pos[0], e) != 0)
		return cmd_usage(e, cmd, "%s: %s", cmd, e->msg);
	if (role_s == NULL || !accounts_role_parse(role_s, &role))
		return cmd_usage(e, cmd, "%s: укажите --role admin, coordinator или school", cmd);
	if ((role == ACCOUNTS_SCHOOL) != (school != NULL))
		return cmd_usage(e, cmd, "%s: --school КОД нужен для роли school и только для неё",
		    cmd);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if ((r = cmd_user_password(cmd, file, &pw, e)) != 0)
		return r;
	r = accounts_add(h->db, c.pos[0], role, school, pw, e);
	passin_free(pw);
	if (r != 0)
		return r;
	printf("Учётная запись %s создана (роль: %s%s%s).\n", c.pos[0], accounts_role_label(role),
	    school ? ", школа " : "", school ? school : "");
	return 0;
}

int
cmd_user_passwd(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	static const char cmd[] = "user passwd";
	const char *file = NULL, *v;
	struct hubdb_user u;
	char norm[HUBDB_LOGIN_MAX + 1], *pw = NULL;
	struct cmdline c;
	bool found = false;
	int r, id;

	cmdline_begin(&c, &cmd_user_passwd_spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0)
		if (id == UO_PASSWORD_FILE)
			file = v;
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	/* before the password is asked: an unknown login is said at once */
	if (accounts_login_norm(c.pos[0], norm) &&
	    (r = hubdb_user_get(h->db, norm, &u, &found, e)) != 0)
		return r;
	sodium_memzero(u.pwhash, sizeof(u.pwhash));
	if (!found)
		return terr_set(e, TERR_NOTFOUND, "нет учётной записи «%.64s» (см. «tetrad-hub "
		    "user list»)", c.pos[0]);
	if ((r = cmd_user_password(cmd, file, &pw, e)) != 0)
		return r;
	r = accounts_set_password(h->db, norm, pw, e);
	passin_free(pw);
	if (r != 0)
		return r;
	printf("Пароль учётной записи %s изменён; её открытые сеансы закрыты.\n", norm);
	return 0;
}

static int
cmd_user_toggle(struct hubconf *h, const struct cmdline_spec *spec, bool disable, int argc,
    char **argv, struct terr *e)
{
	struct cmdline c;
	const char *v;
	int r, id;

	cmdline_begin(&c, spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if ((r = accounts_set_disabled(h->db, c.pos[0], disable, e)) != 0)
		return r == TERR_ARG ? terr_set(e, TERR_NOTFOUND, "%s (см. «tetrad-hub user "
		    "list»)", e->msg) : r;
	printf(disable ? "Учётная запись %s заблокирована; её сеансы закрыты.\n" :
	    "Учётная запись %s снова может входить.\n", c.pos[0]);
	return 0;
}

int
cmd_user_disable(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_user_toggle(h, &cmd_user_disable_spec, true, argc, argv, e);
}

int
cmd_user_enable(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_user_toggle(h, &cmd_user_enable_spec, false, argc, argv, e);
}

int
cmd_user_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_user_list_spec, CMD_LIST_USERS, argc, argv, e);
}

int
cmd_audit_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_audit_list_spec, CMD_LIST_AUDIT, argc, argv, e);
}
