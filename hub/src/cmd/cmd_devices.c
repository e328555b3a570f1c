/*
 * cmd_devices — enrollment and what the hub has heard: `token create`
 * (a one-time code, as text and QR), `device revoke`, and the command
 * lines of the listings (`token list`, `device list`, `conflicts list`,
 * `quarantine list`; cmd_list.c prints them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "hub/qrtext.h"
#include "hub/tls.h"
#include "hub/tokens.h"
#include "tetrad/enrollfile.h"
#include "tetrad/fileio.h"
#include "tetrad/csvtab.h"
#include "tetrad/school.h"

/*
 * The token as a QR code on stderr when stderr is a terminal (the token
 * line on stdout comes first and is all a script reads; a log gets no
 * drawing). Drawn in the process: a program started with the token as an
 * argument would show it to every user's ps.
 */
static void
cmd_devices_print_qr(const char *text)
{
	char *qr = NULL;
	struct terr e;

	terr_clear(&e);
	if (!isatty(STDERR_FILENO))
		return;
	if (qrtext_draw(text, &qr, &e) != 0)
		fprintf(stderr, "(не удалось нарисовать QR-код: %s)\n", e.msg);
	else
		fputs(qr, stderr);
	if (qr != NULL) {
		sodium_memzero(qr, strlen(qr));
		free(qr);
	}
}

/*
 * The hub's address for an enrollment file: --hub-url, else hub.conf's
 * public_url. The listen address is no answer (0.0.0.0, or a name only
 * the server knows): a school's computer must be told where to go.
 */
static int
cmd_devices_hub_url(const struct hubconf *h, const char *opt, const char **url,
    struct terr *e)
{
	*url = opt ? opt : hubconf_get(h, "public_url");
	if (*url == NULL || **url == '\0')
		return cmd_usage(e, "token create", "token create --enroll-file: не известен "
		    "адрес хаба, по которому к нему обращаются школы: укажите --hub-url "
		    "https://АДРЕС:ПОРТ или public_url = https://АДРЕС:ПОРТ в hub.conf");
	if (strncmp(*url, "https://", 8) != 0 || (*url)[8] == '\0')
		return cmd_usage(e, "token create", "token create: адрес хаба «%.128s» должен "
		    "начинаться с https://", *url);
	return 0;
}

/*
 * The enrollment file: address, token, pin (of the certificate the server
 * presents: hub.conf's tls_cert, else tls/server.pem) and whom it is for.
 * 0600: it holds the one-time token.
 */
static int
cmd_devices_enroll_file(const struct hubconf *h, const char *path, const char *url,
    const char *tok, const char *school, const char *curator, const char *list,
    int64_t ttl, struct terr *e)
{
	struct enrollfile *ef = calloc(1, sizeof(*ef));
	char cert[PATH_MAX], *text = NULL;
	time_t until = time(NULL) + (time_t)ttl;
	struct tm tm;
	int r;

	if (ef == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if (hubconf_get(h, "tls_cert") != NULL)
		snprintf(cert, sizeof(cert), "%s", hubconf_get(h, "tls_cert"));
	else
		hubconf_path(h, "tls/server.pem", cert, sizeof(cert));
	if ((r = tls_pin(cert, ef->pin, e)) != 0)
		goto out;
	snprintf(ef->hub, sizeof(ef->hub), "%s", url);
	snprintf(ef->token, sizeof(ef->token), "%s", tok);
	if (school) {
		snprintf(ef->school, sizeof(ef->school), "%.63s", list);
	} else {
		const char *cur = list;
		char code[SCHOOL_CODE_MAX + 1];

		snprintf(ef->curator, sizeof(ef->curator), "%s", curator);
		while (ef->n_schools < ENROLLFILE_SCHOOLS_MAX && school_list_next(&cur, code))
			snprintf(ef->schools[ef->n_schools++], sizeof(ef->schools[0]), "%s", code);
	}
	if (gmtime_r(&until, &tm) != NULL)
		strftime(ef->expires, sizeof(ef->expires), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((r = enrollfile_format(ef, &text, e)) != 0)
		goto out;
	r = fileio_write_private(path, text, strlen(text), e);
 out:
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	sodium_memzero(ef, sizeof(*ef));
	free(ef);
	return r;
}

static const char cmd_token_create_usage[] =
"Использование: tetrad-hub token create --school КОД [--name НАЗВАНИЕ] [--expires 7d]\n"
"       tetrad-hub token create --curator ИМЯ --schools КОД1,КОД2 [--expires 7d]\n"
"       tetrad-hub token create ... --enroll-file ФАЙЛ [--hub-url https://АДРЕС:ПОРТ]\n"
"\n"
"Выдаёт одноразовый код регистрации устройства школы или куратора: код — первая\n"
"строка вывода; когда stderr — терминал, там же рисуется QR-код кода. Хаб\n"
"хранит только отпечаток кода.\n"
"\n"
"Параметры:\n"
"  --school КОД            код школы (латинские буквы, цифры, - _ ., до 32 знаков)\n"
"  --name НАЗВАНИЕ         название школы для отчётов\n"
"  --curator ИМЯ           код для ноутбука куратора (вместо --school)\n"
"  --schools КОД1,КОД2     школы куратора\n"
"  --expires СРОК          срок действия: Nd, Nh, Nm или Ns (по умолчанию 7d)\n"
"  --enroll-file ФАЙЛ      записать файл подключения (адрес, код, отпечаток\n"
"                          сертификата) для «tetrad enroll --file ФАЙЛ»\n"
"  --hub-url https://АДРЕС:ПОРТ  адрес хаба для файла (иначе public_url в hub.conf)\n"
"\n" CMD_COMMON_HELP;

enum { TC_SCHOOL = 1, TC_NAME, TC_CURATOR, TC_SCHOOLS, TC_EXPIRES, TC_ENROLL, TC_URL };

static const struct cmdline_opt cmd_token_create_opts[] = {
	{ "school", 1, TC_SCHOOL, 0 },
	{ "name", 1, TC_NAME, 0 },
	{ "curator", 1, TC_CURATOR, 0 },
	{ "schools", 1, TC_SCHOOLS, 0 },
	{ "expires", 1, TC_EXPIRES, 0 },
	{ "enroll-file", 1, TC_ENROLL, 0 },
	{ "hub-url", 1, TC_URL, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_token_create_spec = {
	CMD_PROG, "token create", cmd_token_create_usage, cmd_token_create_opts, 0, 0, 0,
};

int
cmd_token_create(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	static const char cmd[] = "token create";
	const char *school = NULL, *name = "", *curator = NULL, *schools = NULL;
	const char *expires = "7d", *enroll_file = NULL, *hub_url = NULL, *url = NULL;
	char tok[TOKENS_TEXT_MAX + 1], list[HUBDB_SCHOOLS_MAX + 1];
	struct cmdline c;
	const char *v;
	int64_t ttl;
	int r, id;

	cmdline_begin(&c, &cmd_token_create_spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0) {
		switch (id) {
		case TC_SCHOOL: school = v; break;
		case TC_NAME: name = v; break;
		case TC_CURATOR: curator = v; break;
		case TC_SCHOOLS: schools = v; break;
		case TC_EXPIRES: expires = v; break;
		case TC_ENROLL: enroll_file = v; break;
		case TC_URL: hub_url = v; break;
		}
	}
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((school == NULL) == (curator == NULL))
		return cmd_usage(e, cmd, "token create: укажите либо --school КОД, либо "
		    "--curator ИМЯ --schools КОД1,КОД2");
	if (curator != NULL && (schools == NULL || schools[0] == '\0'))
		return cmd_usage(e, cmd, "token create: для куратора укажите --schools "
		    "КОД1,КОД2");
	if (school != NULL && schools != NULL)
		return cmd_usage(e, cmd, "token create: --schools — только вместе с --curator");
	/* the option's value of a wrong form is a mistake in the command */
	if (tokens_parse_ttl(expires, &ttl, e) != 0)
		return cmd_usage(e, cmd, "%s", e->msg);
	if (school_list_normalize(school ? school : schools, list, sizeof(list), e) != 0)
		return cmd_usage(e, cmd, "%s", e->msg);
	if (strlen(curator ? curator : name) > HUBDB_LABEL_MAX)
		return cmd_usage(e, cmd, "token create: имя длиннее %d байт", HUBDB_LABEL_MAX);
	if (hub_url && enroll_file == NULL)
		return cmd_usage(e, cmd, "token create: --hub-url нужен только вместе с "
		    "--enroll-file ФАЙЛ");
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	/* everything the file needs is checked before a token is spent */
	if (enroll_file && (r = cmd_devices_hub_url(h, hub_url, &url, e)) != 0)
		return r;
	if ((r = tokens_create(h->db, school ? "school" : "curator", curator ? curator : name,
	    list, ttl, tok, e)) != 0)
		return r;
	if (enroll_file && (r = cmd_devices_enroll_file(h, enroll_file, url, tok, school,
	    curator, list, ttl, e)) != 0) {
		sodium_memzero(tok, sizeof(tok));
		return r;
	}
	printf("%s\n", tok);
	fflush(stdout);
	fprintf(stderr, "Одноразовый код регистрации для %s %s, действует %s.\n",
	    school ? "школы" : "куратора", school ? school : curator, expires);
	if (enroll_file)
		fprintf(stderr, "Файл подключения: %s — передайте его %s (в нём код; файл "
		    "действует один раз, храните его как пароль).\n", enroll_file,
		    school ? "школе" : "куратору");
	else
		cmd_devices_print_qr(tok);
	sodium_memzero(tok, sizeof(tok));
	return 0;
}

enum { CL_JSON = 1, CL_YEAR };

static const struct cmdline_opt cmd_listing_opts[] = {
	{ "json", 0, CL_JSON, 0 },
	{ "year", 1, CL_YEAR, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

int
cmd_listing(struct hubconf *h, const struct cmdline_spec *spec, enum cmd_list_kind kind,
    int argc, char **argv, struct terr *e)
{
	struct cmd_list_opts o = { false, NULL };
	struct cmdline_spec s = *spec;
	struct cmdline c;
	const char *v;
	int id;

	/* one table for all: --year only where the usage offers it */
	s.opts = cmd_listing_opts;
	cmdline_begin(&c, &s, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0) {
		if (id == CL_JSON)
			o.json = true;
		else if (id == CL_YEAR && kind == CMD_LIST_PROGRAMMES) {
			if (csvtab_year(v) < 0)
				return cmd_usage(e, spec->command, "%s: --year «%.16s» — нужен год "
				    "от 2000 до 2100", spec->command, v);
			o.year = v;
		} else
			return cmd_usage(e, spec->command, "%s: неизвестный параметр «--year»",
			    spec->command);
	}
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	return cmd_list_show(h, kind, &o, e);
}

static const struct cmdline_spec cmd_token_list_spec = {
	CMD_PROG, "token list", CMD_LIST_USAGE("token list",
	"Все коды регистрации: кому выданы, школы, до какого срока действуют, каким\n"
	"устройством использованы (первые 8 знаков отпечатка, не сам код)."),
	NULL, 0, 0, 0,
};

int
cmd_token_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_token_list_spec, CMD_LIST_TOKENS, argc, argv, e);
}

static const struct cmdline_spec cmd_device_list_spec = {
	CMD_PROG, "device list", CMD_LIST_USAGE("device list",
	"Устройства: код (16 шестнадцатеричных цифр), вид, школы, когда\n"
	"зарегистрировано, действует или отозвано, последний принятый номер, когда\n"
	"присылало наборы и что получило с хаба. Предупреждение о переполненном\n"
	"карантине — на stderr при --json."),
	NULL, 0, 0, 0,
};

int
cmd_device_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_device_list_spec, CMD_LIST_DEVICES, argc, argv, e);
}

static const struct cmdline_spec cmd_conflicts_list_spec = {
	CMD_PROG, "conflicts list", CMD_LIST_USAGE("conflicts list",
	"Журнал конфликтов: значения, уступившие более позднему изменению того же\n"
	"поля с другого устройства (запись, форма, школа, поле, оба значения)."),
	NULL, 0, 0, 0,
};

int
cmd_conflicts_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_conflicts_list_spec, CMD_LIST_CONFLICTS, argc, argv, e);
}

static const struct cmdline_spec cmd_quarantine_list_spec = {
	CMD_PROG, "quarantine list", CMD_LIST_USAGE("quarantine list",
	"Карантин: наборы, которые хаб отклонил, но сохранил для разбора (устройство,\n"
	"диапазон номеров, причина, время)."),
	NULL, 0, 0, 0,
};

int
cmd_quarantine_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_quarantine_list_spec, CMD_LIST_QUARANTINE, argc, argv, e);
}

static const struct cmdline_spec cmd_device_revoke_spec = {
	CMD_PROG, "device revoke",
	"Использование: tetrad-hub device revoke ID\n"
	"\n"
	"Отзывает устройство (потерянный или украденный ноутбук): его следующие наборы\n"
	"отклоняются, принятые ранее данные остаются. ID — 16 шестнадцатеричных цифр\n"
	"из «tetrad-hub device list». Отозванное устройство регистрируется заново\n"
	"только с новым кодом и новым ключом.\n"
	"\n" CMD_COMMON_HELP,
	NULL, 1, 1, 0,
};

int
cmd_device_revoke(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct hubdb_device d;
	struct cmdline c;
	const char *v, *dev;
	bool found = false;
	int r, id;

	cmdline_begin(&c, &cmd_device_revoke_spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	dev = c.pos[0];
	if (strlen(dev) != KEYS_ID_HEXLEN ||
	    strspn(dev, "0123456789abcdefABCDEF") != KEYS_ID_HEXLEN)
		return cmd_usage(e, "device revoke", "идентификатор устройства — 16 "
		    "шестнадцатеричных цифр (см. «tetrad-hub device list»)");
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	/* an unknown device is "not found" (exit 3), as in export-changes; the
	 * store's revoke says TERR_ARG for it and for one revoked already */
	if ((r = hubdb_device_get(h->db, dev, &d, &found, e)) != 0)
		return r;
	if (!found)
		return terr_set(e, TERR_NOTFOUND, "устройство %s не найдено (см. «tetrad-hub "
		    "device list»)", dev);
	if ((r = hubdb_device_revoke(h->db, dev, e)) != 0)
		return r;
	printf("Устройство %s отозвано: его следующие наборы будут отклонены; "
	    "принятые ранее данные сохранены.\n", dev);
	return 0;
}
