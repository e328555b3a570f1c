/*
 * cmd_devices — enrollment and what the hub has heard: `token create`
 * (a one-time code, as text and QR), `device list|revoke`, and the
 * listings (`token list`, `conflicts list`, `quarantine list`) as a table
 * or JSON.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "cmd_list.h"
#include "hub/tls.h"
#include "hub/tokens.h"
#include "tetrad/enrollfile.h"
#include "tetrad/fileio.h"
#include "tetrad/school.h"
#include "tetrad/termsafe.h"

/*
 * The token as a QR code on stderr, where qrencode is installed (the token
 * line on stdout comes first and is all a script reads). Run directly, not
 * through a shell: the token is a secret and no command line is built.
 */
static void
cmd_devices_print_qr(char *text)
{
	char prog[] = "qrencode", t[] = "-t", type[] = "ANSIUTF8", o[] = "-o", dash[] = "-";
	char *argv[] = { prog, t, type, o, dash, text, NULL };
	posix_spawn_file_actions_t fa;
	extern char **environ;
	pid_t pid;
	int st, rc;

	fflush(stderr);
	if (posix_spawn_file_actions_init(&fa) != 0)
		return;
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	rc = posix_spawnp(&pid, "qrencode", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == ENOENT)
		return;
	if (rc != 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "(не удалось нарисовать QR-код)\n");
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
		return terr_set(e, TERR_ARG, "token create --enroll-file: не известен адрес хаба, "
		    "по которому к нему обращаются школы: укажите --hub-url https://АДРЕС:ПОРТ "
		    "или public_url = https://АДРЕС:ПОРТ в hub.conf");
	if (strncmp(*url, "https://", 8) != 0 || (*url)[8] == '\0')
		return terr_set(e, TERR_ARG, "token create: адрес хаба «%.128s» должен начинаться "
		    "с https://", *url);
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

int
cmd_token(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	const char *school = NULL, *name = "", *curator = NULL, *schools = NULL;
	const char *expires = "7d", *enroll_file = NULL, *hub_url = NULL, *url = NULL;
	char tok[TOKENS_TEXT_MAX + 1], list[HUBDB_SCHOOLS_MAX + 1];
	int64_t ttl;
	int r;

	if (argc < 1 || strcmp(argv[0], "create") != 0)
		return terr_set(e, TERR_ARG, "token: ожидается «token create ...»");
	for (int i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return terr_set(e, TERR_ARG, "token create: у параметра «%s» нет значения",
			    argv[i]);
		if (strcmp(argv[i], "--school") == 0)
			school = v;
		else if (strcmp(argv[i], "--name") == 0)
			name = v;
		else if (strcmp(argv[i], "--curator") == 0)
			curator = v;
		else if (strcmp(argv[i], "--schools") == 0)
			schools = v;
		else if (strcmp(argv[i], "--expires") == 0)
			expires = v;
		else if (strcmp(argv[i], "--enroll-file") == 0)
			enroll_file = v;
		else if (strcmp(argv[i], "--hub-url") == 0)
			hub_url = v;
		else
			return terr_set(e, TERR_ARG, "token create: неизвестный параметр «%s»",
			    argv[i]);
	}
	if ((school == NULL) == (curator == NULL))
		return terr_set(e, TERR_ARG, "token create: укажите либо --school КОД, либо "
		    "--curator ИМЯ --schools КОД1,КОД2");
	if (curator != NULL && (schools == NULL || schools[0] == '\0'))
		return terr_set(e, TERR_ARG, "token create: для куратора укажите --schools "
		    "КОД1,КОД2");
	if ((r = tokens_parse_ttl(expires, &ttl, e)) != 0)
		return r;
	if ((r = school_list_normalize(school ? school : schools, list, sizeof(list), e)) != 0)
		return r;
	if (strlen(curator ? curator : name) > HUBDB_LABEL_MAX)
		return terr_set(e, TERR_ARG, "имя длиннее %d байт", HUBDB_LABEL_MAX);
	if (hub_url && enroll_file == NULL)
		return terr_set(e, TERR_ARG, "token create: --hub-url нужен только вместе с "
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

/*
 * The listings' old entry, kept while main.c calls it: the printing is
 * cmd_list.c's (cmd_list_show). hub-cli: delete this once main.c calls
 * cmd_list_show itself.
 */
int
cmd_list(struct hubconf *h, enum hubdb_listing what, const char *title, int argc, char **argv,
    struct terr *e)
{
	struct cmd_list_opts o = { false, NULL };
	enum cmd_list_kind kind = what == HUBDB_LIST_TOKENS ? CMD_LIST_TOKENS :
	    what == HUBDB_LIST_CONFLICTS ? CMD_LIST_CONFLICTS :
	    what == HUBDB_LIST_QUARANTINE ? CMD_LIST_QUARANTINE : CMD_LIST_DEVICES;

	(void)title;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			o.json = true;
		else
			return terr_set(e, TERR_ARG, "неизвестный параметр «%s»", argv[i]);
	}
	return cmd_list_show(h, kind, &o, e);
}

int
cmd_device(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	int r;

	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return cmd_list(h, HUBDB_LIST_DEVICES, "Устройства", argc - 1, argv + 1, e);
	if (argc == 2 && strcmp(argv[0], "revoke") == 0) {
		if (strlen(argv[1]) != KEYS_ID_HEXLEN)
			return terr_set(e, TERR_ARG, "идентификатор устройства — 16 "
			    "шестнадцатеричных цифр (см. «device list»)");
		if ((r = hubconf_open(h, false, e)) != 0)
			return r;
		if ((r = hubdb_device_revoke(h->db, argv[1], e)) != 0)
			return r;
		printf("Устройство %s отозвано: его следующие наборы будут отклонены; "
		    "принятые ранее данные сохранены.\n", argv[1]);
		return 0;
	}
	return terr_set(e, TERR_ARG, "device: ожидается «device list [--json]» или "
	    "«device revoke ID»");
}
