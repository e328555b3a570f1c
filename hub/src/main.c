/*
 * tetrad-hub — the municipal hub: command line (docs/hub.md).
 *
 *   tetrad-hub --data DIR init [--tls-self-signed HOST] [--passphrase-file F]
 *   tetrad-hub --data DIR serve [--listen IP:PORT] [--threads N] [--timeout S]
 *   tetrad-hub --data DIR token create --school CODE [--name NAME] [--expires 7d]
 *   tetrad-hub --data DIR token create --curator NAME --schools C1,C2 [--expires 7d]
 *   tetrad-hub --data DIR device list [--json] | device revoke ID
 *   tetrad-hub --data DIR import FILE
 *   tetrad-hub --data DIR conflicts list [--json] | quarantine list [--json]
 *   tetrad-hub --data DIR forms publish FILE
 *   tetrad-hub --data DIR report NAME [...] | results import FILE.csv
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "hub/hubkeys.h"
#include "hub/ingest.h"
#include "hub/report.h"
#include "hub/results.h"
#include "hub/schools.h"
#include "hub/server.h"
#include "hub/tls.h"
#include "hub/tokens.h"
#include "hub/usbimport.h"
#include "tetrad/hlc.h"
#include "tetrad/keyfile.h"
#include "tetrad/keys.h"
#include "tetrad/sigblob.h"

#ifndef TETRAD_FORMS_INSTALL_DIR
#define TETRAD_FORMS_INSTALL_DIR "/usr/share/tetrad/forms"
#endif

#define HUB_CONF_MAX 64

struct hub {
	char dir[PATH_MAX];
	char passphrase[KEYS_PASSPHRASE_MAX + 1];
	bool have_passphrase;
	struct keys_enc enc;
	struct hubkeys_old old_enc;       /* previous encryption keys (rotation) */
	struct keys_sign sign;
	struct hubdb *db;
	struct hubforms *forms;
	/* hub.conf */
	char conf_key[HUB_CONF_MAX][64];
	char conf_val[HUB_CONF_MAX][PATH_MAX];
	size_t nconf;
};

static void
usage(void)
{
	fprintf(stderr,
	    "Использование: tetrad-hub --data ПАПКА КОМАНДА ...\n"
	    "  init [--tls-self-signed ХОСТ] [--passphrase-file ФАЙЛ]\n"
	    "  serve [--listen IP:ПОРТ] [--threads N] [--timeout СЕК] [--conn-limit N]\n"
	    "        [--per-ip-limit N]\n"
	    "  token create --school КОД [--name НАЗВАНИЕ] [--expires 7d]\n"
	    "  token create --curator ИМЯ --schools КОД1,КОД2 [--expires 7d]\n"
	    "  token list\n"
	    "  device list [--json] | device revoke ID\n"
	    "  import ФАЙЛ [--acks ФАЙЛ_ПОДТВЕРЖДЕНИЙ]\n"
	    "  keys list | keys rotate | keys retire ID\n"
	    "  schools add КОД --name НАИМЕНОВАНИЕ | schools list [--json] | schools import ФАЙЛ.csv\n"
	    "  conflicts list [--json] | quarantine list [--json]\n"
	    "  forms publish ФАЙЛ\n"
	    "  report verification|mediation|passport|surveys|identification|settings\n"
	    "         [--school КОД] [--from ГГГГ-ММ-ДД --to ГГГГ-ММ-ДД]\n"
	    "         [--format table|csv|json] [--delimiter C] [--out ФАЙЛ]\n"
	    "  results import ФАЙЛ.csv\n"
	    "  settings set КЛЮЧ [ЗНАЧЕНИЕ]\n"
	    "Общий параметр: --passphrase-file ФАЙЛ (парольная фраза ключей хаба).\n");
}

static void
hub_path(const struct hub *h, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", h->dir, name);
}

static const char *
hub_conf(const struct hub *h, const char *key)
{
	for (size_t i = 0; i < h->nconf; i++)
		if (strcmp(h->conf_key[i], key) == 0)
			return h->conf_val[i];
	return NULL;
}

/* hub.conf: "key = value" lines, '#' comments; optional. */
static int
hub_read_conf(struct hub *h, struct terr *e)
{
	char path[PATH_MAX + 16], line[PATH_MAX + 80];
	FILE *f;
	int lineno = 0;

	hub_path(h, "hub.conf", path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *k = line, *v, *eq, *end;

		lineno++;
		while (*k == ' ' || *k == '\t')
			k++;
		if (*k == '#' || *k == '\n' || *k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL || h->nconf >= HUB_CONF_MAX) {
			fclose(f);
			return terr_set(e, TERR_PARSE, "%s, строка %d: ожидается «ключ = значение»",
			    path, lineno);
		}
		*eq = '\0';
		v = eq + 1;
		for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\r\n")] = '\0';
		for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		snprintf(h->conf_key[h->nconf], sizeof(h->conf_key[0]), "%.63s", k);
		snprintf(h->conf_val[h->nconf], sizeof(h->conf_val[0]), "%s", v);
		h->nconf++;
	}
	fclose(f);
	return 0;
}

static int
hub_read_passphrase(struct hub *h, const char *file, struct terr *e)
{
	FILE *f;
	size_t n;

	if ((f = fopen(file, "r")) == NULL)
		return terr_set(e, TERR_IO, "не удалось открыть файл парольной фразы %s: %s", file,
		    strerror(errno));
	n = fread(h->passphrase, 1, KEYS_PASSPHRASE_MAX, f);
	fclose(f);
	h->passphrase[n] = '\0';
	h->passphrase[strcspn(h->passphrase, "\r\n")] = '\0';
	h->have_passphrase = h->passphrase[0] != '\0';
	return 0;
}

static const char *
hub_builtin_forms(void)
{
	const char *d = getenv("TETRAD_FORMS_DIR");

	return d && d[0] ? d : TETRAD_FORMS_INSTALL_DIR;
}

/* Opens keys, database (and the forms catalogue when with_forms). */
static int
hub_open(struct hub *h, bool with_forms, struct terr *e)
{
	char path[PATH_MAX + 32];
	const char *pp = h->have_passphrase ? h->passphrase : NULL;
	int r;

	if ((r = hub_read_conf(h, e)) != 0)
		return r;
	if (!h->have_passphrase && hub_conf(h, "passphrase_file") != NULL &&
	    (r = hub_read_passphrase(h, hub_conf(h, "passphrase_file"), e)) != 0)
		return r;
	pp = h->have_passphrase ? h->passphrase : NULL;
	hub_path(h, "hub.enc.key", path, sizeof(path));
	if (access(path, F_OK) != 0)
		return terr_set(e, TERR_IO, "в папке %s нет хаба: сначала выполните "
		    "«tetrad-hub --data %s init»", h->dir, h->dir);
	if ((r = keyfile_load(path, KEYS_HUB_ENC, h->enc.sk, KEYS_ENC_SK_BYTES, pp, e)) != 0)
		return r;
	keys_enc_pk_from_sk(h->enc.sk, h->enc.pk);
	if ((r = hubkeys_load_old(h->dir, pp, &h->old_enc, e)) != 0)
		return r;
	hub_path(h, "hub.sign.key", path, sizeof(path));
	if ((r = keyfile_load(path, KEYS_HUB_SIGN, h->sign.sk, KEYS_SIGN_SK_BYTES, pp,
	    e)) != 0)
		return r;
	keys_sign_pk_from_sk(h->sign.sk, h->sign.pk);
	hub_path(h, "hub.db", path, sizeof(path));
	if ((r = hubdb_open(path, &h->db, e)) != 0)
		return r;
	if ((r = report_schema(hubdb_sqlite(h->db), e)) != 0)
		return r;
	if (with_forms) {
		hub_path(h, "forms", path, sizeof(path));
		if ((r = hubforms_open(hub_builtin_forms(), path, &h->forms, e)) != 0)
			return r;
	}
	return 0;
}

static void
hub_close(struct hub *h)
{
	hubforms_free(h->forms);
	hubdb_close(h->db);
	keys_enc_wipe(&h->enc);
	hubkeys_wipe(&h->old_enc);
	keys_sign_wipe(&h->sign);
	sodium_memzero(h->passphrase, sizeof(h->passphrase));
}

/* What ingest needs of an opened hub: the HTTPS server and USB import alike. */
static void
hub_ingest_cfg(const struct hub *h, struct ingest_cfg *ic)
{
	memset(ic, 0, sizeof(*ic));
	ic->enc = &h->enc;
	ic->old_enc = h->old_enc.key;
	ic->n_old_enc = h->old_enc.n;
	ic->sign = &h->sign;
	ic->forms = h->forms;
	ic->max_ahead_ms = INGEST_MAX_AHEAD_MS;
}

static int
cmd_init(struct hub *h, int argc, char **argv, struct terr *e)
{
	const char *tls_host = NULL, *pp;
	char path[PATH_MAX + 32], hex[KEYS_ID_HEXLEN + 1];
	int r;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--tls-self-signed") == 0 && i + 1 < argc)
			tls_host = argv[++i];
		else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
			if ((r = hub_read_passphrase(h, argv[++i], e)) != 0)
				return r;
		} else
			return terr_set(e, TERR_ARG, "init: неизвестный параметр «%s»", argv[i]);
	}
	if (mkdir(h->dir, 0700) != 0 && errno != EEXIST)
		return terr_set(e, TERR_IO, "не удалось создать папку %s: %s", h->dir,
		    strerror(errno));
	pp = h->have_passphrase ? h->passphrase : NULL;
	hub_path(h, "hub.enc.key", path, sizeof(path));
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "Ключи хаба уже есть в %s: оставлены без изменений.\n", h->dir);
	} else {
		if (keys_enc_generate(&h->enc) != 0 || keys_sign_generate(&h->sign) != 0)
			return terr_set(e, TERR_CRYPTO, "не удалось создать ключи хаба");
		if ((r = keyfile_save(path, KEYS_HUB_ENC, h->enc.sk, KEYS_ENC_SK_BYTES, pp,
		    e)) != 0)
			return r;
		hub_path(h, "hub.sign.key", path, sizeof(path));
		if ((r = keyfile_save(path, KEYS_HUB_SIGN, h->sign.sk, KEYS_SIGN_SK_BYTES, pp,
		    e)) != 0)
			return r;
	}
	hub_path(h, "forms", path, sizeof(path));
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return terr_set(e, TERR_IO, "не удалось создать %s: %s", path, strerror(errno));
	hub_path(h, "forms/dict", path, sizeof(path));
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return terr_set(e, TERR_IO, "не удалось создать %s: %s", path, strerror(errno));
	if ((r = hub_open(h, false, e)) != 0)
		return r;
	if (tls_host != NULL) {
		hub_path(h, "tls/server.pem", path, sizeof(path));
		if (access(path, F_OK) == 0) {
			fprintf(stderr, "Сертификат %s уже есть: оставлен без изменений.\n", path);
		} else {
			hub_path(h, "tls", path, sizeof(path));
			if ((r = tls_make_self_signed(path, tls_host, e)) != 0)
				return r;
			fprintf(stderr, "Создан ТЕСТОВЫЙ центр сертификации %s/ca.pem и сертификат "
			    "для %s.\nТолько для проверки и демонстрации, не для работы: в работе "
			    "укажите сертификат и ключ в hub.conf (tls_cert, tls_key).\n", path,
			    tls_host);
		}
	}
	keys_id_hex(h->enc.pk, hex);
	printf("Хаб готов: %s\nКлюч шифрования хаба: %s\n", h->dir, hex);
	return 0;
}

static volatile sig_atomic_t hub_stop_flag;

static void
hub_log_line(void *ctx, const char *line)
{
	char now[HUBDB_TIME_MAX];

	(void)ctx;
	hubdb_now_iso(now);
	fprintf(stderr, "%s %s\n", now, line);
}

static unsigned
hub_uint(const char *s, unsigned dflt)
{
	char *end = NULL;
	unsigned long v;

	if (s == NULL)
		return dflt;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > 1000000)
		return dflt;
	return (unsigned)v;
}

static int
cmd_serve(struct hub *h, int argc, char **argv, struct terr *e)
{
	struct server_cfg sc;
	struct ingest_cfg ic;
	struct server *srv = NULL;
	struct rlimit rl;
	sigset_t set;
	char db_path[PATH_MAX + 16], cert_path[PATH_MAX + 32], key_path[PATH_MAX + 32];
	char *cert = NULL, *key = NULL;
	const char *listen = NULL;
	int r, sig = 0;

	memset(&sc, 0, sizeof(sc));
	if ((r = hub_open(h, true, e)) != 0)
		return r;
	listen = hub_conf(h, "listen");
	sc.threads = hub_uint(hub_conf(h, "threads"), SERVER_DEFAULT_THREADS);
	sc.timeout_s = hub_uint(hub_conf(h, "timeout"), SERVER_DEFAULT_TIMEOUT);
	sc.conn_limit = hub_uint(hub_conf(h, "conn_limit"), SERVER_DEFAULT_CONN_LIMIT);
	sc.per_ip_limit = hub_uint(hub_conf(h, "per_ip_limit"), 0);
	for (int i = 0; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return terr_set(e, TERR_ARG, "serve: у параметра «%s» нет значения", argv[i]);
		if (strcmp(argv[i], "--listen") == 0)
			listen = v;
		else if (strcmp(argv[i], "--threads") == 0)
			sc.threads = hub_uint(v, 0);
		else if (strcmp(argv[i], "--timeout") == 0)
			sc.timeout_s = hub_uint(v, 0);
		else if (strcmp(argv[i], "--conn-limit") == 0)
			sc.conn_limit = hub_uint(v, 0);
		else if (strcmp(argv[i], "--per-ip-limit") == 0)
			sc.per_ip_limit = hub_uint(v, 0);
		else
			return terr_set(e, TERR_ARG, "serve: неизвестный параметр «%s»", argv[i]);
		if (strcmp(argv[i], "--listen") != 0 && strcmp(argv[i], "--per-ip-limit") != 0 &&
		    hub_uint(v, 0) == 0)
			return terr_set(e, TERR_ARG, "serve: %s ожидает положительное число", argv[i]);
	}
	if (hub_conf(h, "tls_cert") != NULL)
		snprintf(cert_path, sizeof(cert_path), "%s", hub_conf(h, "tls_cert"));
	else
		hub_path(h, "tls/server.pem", cert_path, sizeof(cert_path));
	if (hub_conf(h, "tls_key") != NULL)
		snprintf(key_path, sizeof(key_path), "%s", hub_conf(h, "tls_key"));
	else
		hub_path(h, "tls/server.key", key_path, sizeof(key_path));
	if ((r = tls_read_pem(cert_path, &cert, e)) != 0 ||
	    (r = tls_read_pem(key_path, &key, e)) != 0)
		goto out;
	/* 1,000 idle clients must not starve the others of descriptors */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	hub_ingest_cfg(h, &ic);
	hub_path(h, "hub.db", db_path, sizeof(db_path));
	sc.listen = listen ? listen : SERVER_DEFAULT_LISTEN;
	sc.cert_pem = cert;
	sc.key_pem = key;
	sc.db_path = db_path;
	sc.ingest = &ic;
	sc.log = hub_log_line;
	/* worker threads inherit this mask: only the main thread takes signals */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((r = server_start(&sc, &srv, e)) != 0)
		goto out;
	{
		char line[512];

		snprintf(line, sizeof(line), "tetrad-hub %s слушает https://%s (порт %u), "
		    "потоков %u, таймаут %u с, форм в каталоге %zu", SERVER_VERSION, sc.listen,
		    server_port(srv), sc.threads, sc.timeout_s, hubforms_count(h->forms));
		hub_log_line(NULL, line);
	}
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		;
	hub_stop_flag = 1;
	hub_log_line(NULL, "получен сигнал остановки: новые соединения не принимаются, "
	    "идущие запросы завершаются");
	server_stop(srv, 15000);
	hub_log_line(NULL, "хаб остановлен");
	r = 0;
 out:
	if (key != NULL) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
	free(cert);
	return r;
}

/*
 * The token as a QR code on stderr, where qrencode is installed (the token
 * line on stdout comes first and is all a script reads). Run directly, not
 * through a shell: the token is a secret and no command line is built.
 */
static void
hub_print_qr(char *text)
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

static int
cmd_token(struct hub *h, int argc, char **argv, struct terr *e)
{
	const char *school = NULL, *name = "", *curator = NULL, *schools = NULL;
	const char *expires = "7d";
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
	snprintf(list, sizeof(list), "%s", school ? school : schools);
	{
		char copy[HUBDB_SCHOOLS_MAX + 1], *save = NULL, *p;

		snprintf(copy, sizeof(copy), "%s", list);
		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
			if (!schools_code_ok(p))
				return terr_set(e, TERR_ARG, "код школы «%s» недопустим: латинские "
				    "буквы, цифры, «-», «_», «.», не длиннее %d", p,
				    CHANGESET_SCHOOL_MAX);
		if (strlen(list) == 0 || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
			return terr_set(e, TERR_ARG, "список школ «%s» недопустим", list);
	}
	if (strlen(curator ? curator : name) > HUBDB_LABEL_MAX)
		return terr_set(e, TERR_ARG, "имя длиннее %d байт", HUBDB_LABEL_MAX);
	if ((r = hub_open(h, false, e)) != 0)
		return r;
	if ((r = tokens_create(h->db, school ? "school" : "curator", curator ? curator : name,
	    list, ttl, tok, e)) != 0)
		return r;
	printf("%s\n", tok);
	fflush(stdout);
	fprintf(stderr, "Одноразовый код регистрации для %s %s, действует %s.\n",
	    school ? "школы" : "куратора", school ? school : curator, expires);
	hub_print_qr(tok);
	sodium_memzero(tok, sizeof(tok));
	return 0;
}

/* Printing of listings: a table for people, or a JSON array. */
struct hub_lister {
	bool json;
	size_t rows;
};

static void
hub_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int
hub_list_row(void *ctx, int n, const char *const *names, const char *const *vals)
{
	struct hub_lister *l = ctx;

	if (l->json) {
		printf("%s\n  {", l->rows ? "," : "[");
		for (int i = 0; i < n; i++) {
			printf("%s", i ? ", " : "");
			hub_json_string(names[i]);
			printf(": ");
			if (vals[i] == NULL)
				printf("null");
			else
				hub_json_string(vals[i]);
		}
		printf("}");
	} else {
		if (l->rows == 0) {
			for (int i = 0; i < n; i++)
				printf("%s%s", i ? "\t" : "", names[i]);
			printf("\n");
		}
		for (int i = 0; i < n; i++)
			printf("%s%s", i ? "\t" : "", vals[i] ? vals[i] : "-");
		printf("\n");
	}
	l->rows++;
	return 0;
}

static int
cmd_list(struct hub *h, enum hubdb_listing what, const char *title, int argc, char **argv,
    struct terr *e)
{
	struct hub_lister l = { false, 0 };
	int r;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			l.json = true;
		else
			return terr_set(e, TERR_ARG, "неизвестный параметр «%s»", argv[i]);
	}
	if ((r = hub_open(h, false, e)) != 0)
		return r;
	if ((r = hubdb_list(h->db, what, hub_list_row, &l, e)) != 0)
		return r;
	if (l.json)
		printf("%s]\n", l.rows ? "\n" : "[");
	else if (l.rows == 0)
		printf("%s: пусто\n", title);
	return 0;
}

static int
cmd_device(struct hub *h, int argc, char **argv, struct terr *e)
{
	int r;

	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return cmd_list(h, HUBDB_LIST_DEVICES, "Устройства", argc - 1, argv + 1, e);
	if (argc == 2 && strcmp(argv[0], "revoke") == 0) {
		if (strlen(argv[1]) != KEYS_ID_HEXLEN)
			return terr_set(e, TERR_ARG, "идентификатор устройства — 16 "
			    "шестнадцатеричных цифр (см. «device list»)");
		if ((r = hub_open(h, false, e)) != 0)
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

/* A USB export applied set by set through ingest (usbimport.h). */
static int
cmd_import(struct hub *h, int argc, char **argv, struct terr *e)
{
	struct ingest_cfg ic;
	struct usbimport_counts n;
	const char *in = NULL, *acks = NULL;
	int r;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--acks") == 0 && i + 1 < argc)
			acks = argv[++i];
		else if (argv[i][0] != '-' && in == NULL)
			in = argv[i];
		else
			return terr_set(e, TERR_ARG, "import: неизвестный параметр «%s»", argv[i]);
	}
	if (in == NULL)
		return terr_set(e, TERR_ARG, "import: укажите файл выгрузки");
	if ((r = hub_open(h, true, e)) != 0)
		return r;
	hub_ingest_cfg(h, &ic);
	r = usbimport_run(h->db, &ic, in, acks, stdout, &n, e);
	printf("Импорт %s: наборов %u — принято %u, уже были приняты %u, отклонено %u.\n", in,
	    n.sets, n.applied, n.replayed, n.refused);
	if (acks != NULL && n.acks > 0 && (r == 0 || access(acks, F_OK) == 0))
		printf("Подтверждения (%u) записаны в %s: отнесите файл в школу и выполните там "
		    "«tetrad-syncd import-acks --db БАЗА %s».\n", n.acks, acks, acks);
	if (r != 0)
		return r;
	return n.refused ? 1 : 0;
}

/* The register of schools (schools.h). */
static int
cmd_schools(struct hub *h, int argc, char **argv, struct terr *e)
{
	size_t n = 0;
	int r;

	if (argc == 4 && strcmp(argv[0], "add") == 0 && strcmp(argv[2], "--name") == 0) {
		if ((r = hub_open(h, false, e)) != 0 ||
		    (r = schools_add(h->db, argv[1], argv[3], e)) != 0)
			return r;
		printf("Школа %s: «%s».\n", argv[1], argv[3]);
		return 0;
	}
	if ((argc == 1 || (argc == 2 && strcmp(argv[1], "--json") == 0)) &&
	    strcmp(argv[0], "list") == 0) {
		if ((r = hub_open(h, false, e)) != 0)
			return r;
		return schools_list(h->db, argc == 2, stdout, e);
	}
	if (argc == 2 && strcmp(argv[0], "import") == 0) {
		if ((r = hub_open(h, false, e)) != 0)
			return r;
		if ((r = schools_import(h->db, argv[1], stderr, &n, e)) != 0)
			return r;
		printf("Загружено школ: %zu.\n", n);
		return 0;
	}
	return terr_set(e, TERR_ARG, "schools: укажите add КОД --name НАИМЕНОВАНИЕ, list [--json] "
	    "или import ФАЙЛ.csv");
}

/* Encryption key rotation (hubkeys.h). */
static int
cmd_keys(struct hub *h, int argc, char **argv, struct terr *e)
{
	const char *pp;
	char id[KEYS_ID_HEXLEN + 1];
	struct keys_enc fresh;
	int r;

	bool list = argc == 1 && strcmp(argv[0], "list") == 0;
	bool rotate = argc == 1 && strcmp(argv[0], "rotate") == 0;
	bool retire = argc == 2 && strcmp(argv[0], "retire") == 0;

	if (!list && !rotate && !retire)
		return terr_set(e, TERR_ARG, "keys: укажите list, rotate или retire ID");
	if ((r = hub_open(h, false, e)) != 0)
		return r;
	pp = h->have_passphrase ? h->passphrase : NULL;
	if (rotate) {
		if ((r = hubkeys_rotate(h->dir, pp, &h->enc, &fresh, e)) != 0)
			return r;
		keys_id_hex(h->enc.pk, id);
		printf("Прежний ключ шифрования %s сохранён в %s/keys.\n", id, h->dir);
		keys_id_hex(fresh.pk, id);
		keys_enc_wipe(&fresh);
		printf("Новый ключ шифрования: %s. Перезапустите хаб (systemctl restart "
		    "tetrad-hub): устройства получат новый ключ с подтверждениями. Сделайте "
		    "резервную копию ключей.\n", id);
		return 0;
	}
	if (retire) {
		if ((r = hubkeys_retire(h->dir, argv[1], e)) != 0)
			return r;
		printf("Прежний ключ %s удалён: наборы, зашифрованные для него, больше не "
		    "принимаются. Перезапустите хаб.\n", argv[1]);
		return 0;
	}
	keys_id_hex(h->enc.pk, id);
	printf("ключ\tсостояние\n%s\tтекущий\n", id);
	for (size_t i = 0; i < h->old_enc.n; i++) {
		keys_id_hex(h->old_enc.key[i].pk, id);
		printf("%s\tпрежний (принимается)\n", id);
	}
	return 0;
}

static int
cmd_forms(struct hub *h, int argc, char **argv, struct terr *e)
{
	char dir[PATH_MAX + 16], id[CHANGESET_ID_MAX + 1];
	uint32_t version = 0;
	int r;

	if (argc != 2 || strcmp(argv[0], "publish") != 0)
		return terr_set(e, TERR_ARG, "forms: ожидается «forms publish ФАЙЛ»");
	if ((r = hub_open(h, false, e)) != 0)
		return r;
	hub_path(h, "forms", dir, sizeof(dir));
	if ((r = hubforms_publish(h->db, &h->sign, argv[1], hub_builtin_forms(), dir, id,
	    &version, e)) != 0)
		return r;
	printf("Форма «%s» версии %" PRIu32 " опубликована: устройства получат её при "
	    "следующей синхронизации.\n", id, version);
	return 0;
}

static int
cmd_report(struct hub *h, int argc, char **argv, struct terr *e)
{
	struct report_opts o;
	const char *out_path = NULL;
	char tmp[PATH_MAX + 16];
	FILE *out = stdout;
	int r;

	memset(&o, 0, sizeof(o));
	o.format = REPORT_TABLE;
	o.forms_dir = hub_builtin_forms();
	if (argc < 1 || argv[0][0] == '-')
		return terr_set(e, TERR_ARG, "report: укажите название отчёта (verification, "
		    "mediation, passport, surveys, identification, settings)");
	o.name = argv[0];
	for (int i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return terr_set(e, TERR_ARG, "report: у параметра «%s» нет значения", argv[i]);
		if (strcmp(argv[i], "--school") == 0)
			o.school = v;
		else if (strcmp(argv[i], "--from") == 0)
			o.from = v;
		else if (strcmp(argv[i], "--to") == 0)
			o.to = v;
		else if (strcmp(argv[i], "--out") == 0)
			out_path = v;
		else if (strcmp(argv[i], "--delimiter") == 0 && strlen(v) == 1)
			o.delimiter = v[0];
		else if (strcmp(argv[i], "--format") == 0) {
			if (strcmp(v, "table") == 0)
				o.format = REPORT_TABLE;
			else if (strcmp(v, "csv") == 0)
				o.format = REPORT_CSV;
			else if (strcmp(v, "json") == 0)
				o.format = REPORT_JSON;
			else
				return terr_set(e, TERR_ARG, "report: формат «%s» неизвестен: table, "
				    "csv или json", v);
		} else
			return terr_set(e, TERR_ARG, "report: неизвестный параметр «%s»", argv[i]);
	}
	if ((r = hub_open(h, false, e)) != 0)
		return r;
	if (out_path != NULL) {
		/* written beside the target and linked into place: never a half report */
		if (access(out_path, F_OK) == 0)
			return terr_set(e, TERR_IO, "файл %s уже существует: укажите другое имя "
			    "или удалите его", out_path);
		snprintf(tmp, sizeof(tmp), "%s.tmp", out_path);
		if ((out = fopen(tmp, "wx")) == NULL)
			return terr_set(e, TERR_IO, "не удалось создать %s: %s", tmp, strerror(errno));
	}
	r = report_run(hubdb_sqlite(h->db), &o, out, e);
	if (out_path != NULL) {
		if (fflush(out) != 0 || fsync(fileno(out)) != 0) {
			if (r == 0)
				r = terr_set(e, TERR_IO, "не удалось записать %s: %s", tmp,
				    strerror(errno));
		}
		fclose(out);
		/* link, not rename: an existing file is never replaced */
		if (r == 0 && link(tmp, out_path) != 0)
			r = terr_set(e, TERR_IO, errno == EEXIST ? "файл %s уже существует: "
			    "укажите другое имя или удалите его" : "не удалось записать %s: %s",
			    out_path, strerror(errno));
		unlink(tmp);
		if (r == 0)
			fprintf(stderr, "Отчёт записан в %s\n", out_path);
	}
	return r;
}

static int
cmd_results(struct hub *h, int argc, char **argv, struct terr *e)
{
	size_t n = 0;
	int r;

	if (argc != 2 || strcmp(argv[0], "import") != 0)
		return terr_set(e, TERR_ARG, "results: ожидается «results import ФАЙЛ.csv»");
	if ((r = hub_open(h, false, e)) != 0)
		return r;
	if ((r = results_import_report(hubdb_sqlite(h->db), argv[1], stdout, &n, e)) != 0)
		return r;
	return 0;
}

static int
cmd_settings(struct hub *h, int argc, char **argv, struct terr *e)
{
	int r;

	if ((argc != 2 && argc != 3) || strcmp(argv[0], "set") != 0)
		return terr_set(e, TERR_ARG, "settings: ожидается «settings set КЛЮЧ [ЗНАЧЕНИЕ]»");
	if ((r = hub_open(h, false, e)) != 0)
		return r;
	if ((r = report_setting_set(hubdb_sqlite(h->db), argv[1], argc == 3 ? argv[2] : NULL,
	    e)) != 0)
		return r;
	printf("Настройка %s %s.\n", argv[1], argc == 3 ? "изменена" : "сброшена");
	return 0;
}

/*
 * Process-wide settings, before any thread, connection or allocation of
 * note. Each set's ingest allocates a few hundred KiB (the decrypted text,
 * the fields' trees, SQLite's pages) and frees them all: glibc gave that
 * memory back and took it again every time (shrinking and growing the
 * thread's heap, mapping and unmapping the large buffers, every page
 * faulted in anew), about a tenth of an ingest. Kept instead, up to 64 MiB
 * per thread arena. SQLite's memory statistics, which nothing reads, cost a
 * global mutex on every one of its allocations.
 */
static void
hub_tune_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
main(int argc, char **argv)
{
	struct hub *h = NULL;
	struct terr e;
	const char *data = NULL;
	int i, r = 2;

	terr_clear(&e);
	hub_tune_memory();
	if (keys_init(&e) != 0) {
		fprintf(stderr, "tetrad-hub: %s\n", e.msg);
		return 1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
			if (hub_read_passphrase(h, argv[++i], &e) != 0)
				goto fail;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage();
			r = 0;
			goto done;
		} else
			break;
	}
	if (data == NULL)
		data = getenv("TETRAD_HUB_DATA");
	if (data == NULL || i >= argc) {
		usage();
		goto done;
	}
	if (strlen(data) >= sizeof(h->dir) - 64) {
		terr_set(&e, TERR_ARG, "слишком длинный путь к папке хаба");
		goto fail;
	}
	snprintf(h->dir, sizeof(h->dir), "%s", data);
	{
		const char *cmd = argv[i];
		int sub_argc = argc - i - 1;
		char **sub = argv + i + 1;

		if (strcmp(cmd, "init") == 0)
			r = cmd_init(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "serve") == 0)
			r = cmd_serve(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "token") == 0 && sub_argc >= 1 && strcmp(sub[0], "list") == 0)
			r = cmd_list(h, HUBDB_LIST_TOKENS, "Коды регистрации", sub_argc - 1, sub + 1,
			    &e);
		else if (strcmp(cmd, "token") == 0)
			r = cmd_token(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "device") == 0)
			r = cmd_device(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "import") == 0)
			r = cmd_import(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "keys") == 0)
			r = cmd_keys(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "schools") == 0)
			r = cmd_schools(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "conflicts") == 0 && sub_argc >= 1 &&
		    strcmp(sub[0], "list") == 0)
			r = cmd_list(h, HUBDB_LIST_CONFLICTS, "Конфликты", sub_argc - 1, sub + 1, &e);
		else if (strcmp(cmd, "quarantine") == 0 && sub_argc >= 1 &&
		    strcmp(sub[0], "list") == 0)
			r = cmd_list(h, HUBDB_LIST_QUARANTINE, "Карантин", sub_argc - 1, sub + 1, &e);
		else if (strcmp(cmd, "report") == 0)
			r = cmd_report(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "results") == 0)
			r = cmd_results(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "settings") == 0)
			r = cmd_settings(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "forms") == 0)
			r = cmd_forms(h, sub_argc, sub, &e);
		else {
			usage();
			r = 2;
			goto done;
		}
	}
	if (r < 0)
		goto fail;
	goto done;
 fail:
	fprintf(stderr, "tetrad-hub: %s\n", e.msg[0] ? e.msg : terr_str(e.code));
	r = 1;
 done:
	hub_close(h);
	free(h);
	return r;
}
