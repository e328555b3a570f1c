/*
 * cmd_serve — running the hub: `init` (folder, keys, test certificate),
 * `serve` (the HTTPS server until SIGTERM), `import` (a USB export through
 * ingest) and `keys list|rotate|retire` (encryption key rotation).
 */
#include <errno.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "cmdline/logline.h"
#include "hub/server.h"
#include "hub/tls.h"
#include "hub/usbimport.h"
#include "tetrad/keyfile.h"

static const char cmd_init_usage[] =
"Использование: tetrad-hub init --data ПАПКА [--tls-self-signed ХОСТ]\n"
"                          [--passphrase-file ФАЙЛ]\n"
"\n"
"Создаёт хаб в папке (и саму папку, если её нет): ключ шифрования и ключ\n"
"подписи (0600; с парольной фразой, если указан --passphrase-file), папку\n"
"форм. Существующие ключи не меняются.\n"
"\n"
"Параметры:\n"
"  --tls-self-signed ХОСТ  создать ТЕСТОВЫЙ центр сертификации и сертификат для\n"
"                          ХОСТ (tls/ca.pem, tls/server.pem) — только для проверки\n"
"  --passphrase-file ФАЙЛ  защитить ключи парольной фразой из файла (первая строка)\n"
"\n" CMD_COMMON_HELP;

enum { INIT_TLS = 1 };

static const struct cmdline_opt cmd_init_opts[] = {
	{ "tls-self-signed", 1, INIT_TLS, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_init_spec = {
	CMD_PROG, "init", cmd_init_usage, cmd_init_opts, 0, 0, 0,
};

int
cmd_init(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	const char *tls_host = NULL, *pp, *v;
	char path[PATH_MAX + 32], hex[KEYS_ID_HEXLEN + 1];
	struct cmdline c;
	int r, id;

	cmdline_begin(&c, &cmd_init_spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0)
		if (id == INIT_TLS)
			tls_host = v;
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_dir(h, e)) != 0 || (r = hubconf_passphrase(h, e)) != 0)
		return r;
	if (mkdir(h->dir, 0700) != 0 && errno != EEXIST)
		return terr_set(e, TERR_IO, "не удалось создать папку %s: %s", h->dir,
		    terr_strerror(errno));
	pp = h->have_passphrase ? h->passphrase : NULL;
	hubconf_path(h, "hub.enc.key", path, sizeof(path));
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "Ключи хаба уже есть в %s: оставлены без изменений.\n", h->dir);
	} else {
		if (keys_enc_generate(&h->enc) != 0 || keys_sign_generate(&h->sign) != 0)
			return terr_set(e, TERR_CRYPTO, "не удалось создать ключи хаба");
		if ((r = keyfile_save(path, KEYS_HUB_ENC, h->enc.sk, KEYS_ENC_SK_BYTES, pp,
		    e)) != 0)
			return r;
		hubconf_path(h, "hub.sign.key", path, sizeof(path));
		if ((r = keyfile_save(path, KEYS_HUB_SIGN, h->sign.sk, KEYS_SIGN_SK_BYTES, pp,
		    e)) != 0)
			return r;
	}
	hubconf_path(h, "forms", path, sizeof(path));
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return terr_set(e, TERR_IO, "не удалось создать %s: %s", path, terr_strerror(errno));
	hubconf_path(h, "forms/dict", path, sizeof(path));
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return terr_set(e, TERR_IO, "не удалось создать %s: %s", path, terr_strerror(errno));
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if (tls_host != NULL) {
		hubconf_path(h, "tls/server.pem", path, sizeof(path));
		if (access(path, F_OK) == 0) {
			fprintf(stderr, "Сертификат %s уже есть: оставлен без изменений.\n", path);
		} else {
			hubconf_path(h, "tls", path, sizeof(path));
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

/*
 * The server's log (server.h): through logline, so under systemd each line
 * reaches the journal with its priority and no second timestamp. The
 * logline is set up per line (an fstat and a getenv): the server logs from
 * many threads, and this keeps no state to share between them.
 */
_Static_assert(SERVER_LOG_ERR == (int)LOGLINE_ERR && SERVER_LOG_WARNING == (int)LOGLINE_WARNING &&
    SERVER_LOG_NOTICE == (int)LOGLINE_NOTICE && SERVER_LOG_INFO == (int)LOGLINE_INFO,
    "the server's levels are syslog's, as logline's");

static void
cmd_serve_log(void *ctx, enum server_log_level level, const char *line)
{
	struct logline l;

	(void)ctx;
	logline_open(&l, stderr, "tetrad-hub", LOGLINE_DEBUG);
	logline_put(&l, (enum logline_level)level, line);
}

static unsigned
cmd_serve_uint(const char *s, unsigned dflt)
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

static const char cmd_serve_usage[] =
"Использование: tetrad-hub serve --data ПАПКА [--listen IP:ПОРТ] [--threads N]\n"
"                          [--timeout СЕК] [--conn-limit N] [--per-ip-limit N]\n"
"                          [--min-rate Б/С] [--request-max СЕК]\n"
"\n"
"Принимает наборы школ и кураторов по HTTPS, пока не получит SIGTERM или SIGINT\n"
"(тогда дожидается идущих запросов и выходит с кодом 0). Параметры заменяют\n"
"значения из hub.conf.\n"
"\n"
"Параметры:\n"
"  --listen IP:ПОРТ     адрес (по умолчанию 127.0.0.1:8443; IPv6: [АДРЕС]:ПОРТ)\n"
"  --threads N          потоков обслуживания соединений (8)\n"
"  --timeout СЕК        на рукопожатие TLS и заголовки запроса (20)\n"
"  --conn-limit N       открытых соединений всего (4096)\n"
"  --per-ip-limit N     открытых соединений с одного адреса (256)\n"
"  --min-rate Б/С       наименьшая средняя скорость тела запроса (4096)\n"
"  --request-max СЕК    наибольшая длительность одного запроса (1200)\n"
"\n" CMD_COMMON_HELP
"Код выхода 7: адрес занят или недоступен, сертификат или ключ TLS не прочитан.\n";

enum { SV_LISTEN = 1, SV_THREADS, SV_TIMEOUT, SV_CONN, SV_PER_IP, SV_MIN_RATE, SV_REQ_MAX };

static const struct cmdline_opt cmd_serve_opts[] = {
	{ "listen", 1, SV_LISTEN, 0 },
	{ "threads", 1, SV_THREADS, 0 },
	{ "timeout", 1, SV_TIMEOUT, 0 },
	{ "conn-limit", 1, SV_CONN, 0 },
	{ "per-ip-limit", 1, SV_PER_IP, 0 },
	{ "min-rate", 1, SV_MIN_RATE, 0 },
	{ "request-max", 1, SV_REQ_MAX, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_serve_spec = {
	CMD_PROG, "serve", cmd_serve_usage, cmd_serve_opts, 0, 0, 0,
};

int
cmd_serve(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct server_cfg sc;
	struct ingest_cfg ic;
	struct server *srv = NULL;
	struct rlimit rl;
	struct cmdline c;
	sigset_t set;
	char db_path[PATH_MAX + 16], cert_path[PATH_MAX + 32], key_path[PATH_MAX + 32];
	char forms_published[PATH_MAX + 16];
	char *cert = NULL, *key = NULL;
	const char *listen = NULL, *opt_listen = NULL, *v;
	/* the options' numbers, 0 where not given: they override hub.conf */
	long long num[SV_REQ_MAX + 1] = { 0 };
	int r, sig = 0, id;

	memset(&sc, 0, sizeof(sc));
	cmdline_begin(&c, &cmd_serve_spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0) {
		if (id == SV_LISTEN)
			opt_listen = v;
		else if (cmdline_number(&c, cmd_serve_opts[id - 1].name, v, 1, 1000000,
		    &num[id]) != 0) {
			id = CMDLINE_BAD;
			break;
		}
	}
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_open(h, true, e)) != 0)
		return r;
	/*
	 * A hub without forms refuses every record as "unknown form", and the
	 * devices quarantine them: better not to serve at all until the forms
	 * are installed (the package's forms folder, or TETRAD_FORMS_DIR) or
	 * published.
	 */
	if (hubforms_count(h->forms) == 0)
		return cmd_fail(e, CMD_EXIT_NOTFOUND, "в каталоге форм хаба нет ни одной формы: "
		    "хаб отклонял бы все записи. Установите формы (папка forms из поставки или "
		    "переменная TETRAD_FORMS_DIR) или опубликуйте их («tetrad-hub forms publish "
		    "ФАЙЛ») и запустите хаб снова");
	if ((r = hubconf_silent_days(h, &sc.silent_days, e)) != 0)
		return r;
	listen = opt_listen ? opt_listen : hubconf_get(h, "listen");
	sc.threads = cmd_serve_uint(hubconf_get(h, "threads"), SERVER_DEFAULT_THREADS);
	sc.timeout_s = cmd_serve_uint(hubconf_get(h, "timeout"), SERVER_DEFAULT_TIMEOUT);
	sc.conn_limit = cmd_serve_uint(hubconf_get(h, "conn_limit"), SERVER_DEFAULT_CONN_LIMIT);
	sc.per_ip_limit = cmd_serve_uint(hubconf_get(h, "per_ip_limit"), SERVER_DEFAULT_PER_IP_LIMIT);
	sc.min_rate = cmd_serve_uint(hubconf_get(h, "min_rate"), SERVER_DEFAULT_MIN_RATE);
	sc.request_max_s = cmd_serve_uint(hubconf_get(h, "request_max"), SERVER_DEFAULT_REQUEST_MAX);
	sc.body_budget = (size_t)cmd_serve_uint(hubconf_get(h, "body_budget_mib"),
	    SERVER_DEFAULT_BODY_BUDGET >> 20) << 20;
	sc.body_per_ip = (size_t)cmd_serve_uint(hubconf_get(h, "body_per_ip_mib"),
	    SERVER_DEFAULT_BODY_PER_IP >> 20) << 20;
	if (num[SV_THREADS])
		sc.threads = (unsigned)num[SV_THREADS];
	if (num[SV_TIMEOUT])
		sc.timeout_s = (unsigned)num[SV_TIMEOUT];
	if (num[SV_CONN])
		sc.conn_limit = (unsigned)num[SV_CONN];
	if (num[SV_PER_IP])
		sc.per_ip_limit = (unsigned)num[SV_PER_IP];
	if (num[SV_MIN_RATE])
		sc.min_rate = (unsigned)num[SV_MIN_RATE];
	if (num[SV_REQ_MAX])
		sc.request_max_s = (unsigned)num[SV_REQ_MAX];
	if (hubconf_get(h, "tls_cert") != NULL)
		snprintf(cert_path, sizeof(cert_path), "%s", hubconf_get(h, "tls_cert"));
	else
		hubconf_path(h, "tls/server.pem", cert_path, sizeof(cert_path));
	if (hubconf_get(h, "tls_key") != NULL)
		snprintf(key_path, sizeof(key_path), "%s", hubconf_get(h, "tls_key"));
	else
		hubconf_path(h, "tls/server.key", key_path, sizeof(key_path));
	/* the certificate is the listening's business: exit 7, not a file error */
	if (tls_read_pem(cert_path, &cert, e) != 0 || tls_read_pem(key_path, &key, e) != 0) {
		r = cmd_fail(e, CMD_EXIT_LISTEN, "%s", e->msg);
		goto out;
	}
#ifdef __GLIBC__
	/*
	 * glibc raises its mmap threshold to the largest block freed so far
	 * (up to 32 MiB): after one 16 MiB body every later one came from the
	 * heap and stayed there when freed — the hub kept 424–520 MiB after a
	 * burst. A fixed threshold keeps every body buffer (one allocation of
	 * its exact size, server.c) in its own mapping, returned on free; a
	 * fixed trim threshold gives back the heap's free top.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
#endif
	/* 1,000 idle clients must not starve the others of descriptors */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	hubconf_ingest_cfg(h, &ic);
	if ((r = hubconf_store(h, db_path, sizeof(db_path), e)) != 0)
		goto out;
	sc.listen = listen ? listen : SERVER_DEFAULT_LISTEN;
	sc.cert_pem = cert;
	sc.key_pem = key;
	sc.db_path = db_path;
	sc.ingest = &ic;
	sc.forms_dir = hub_builtin_forms();
	sc.cert_path = cert_path;
	sc.public_url = hubconf_get(h, "public_url");
	hubconf_path(h, "forms", forms_published, sizeof(forms_published));
	sc.forms_published = forms_published;
	sc.log = cmd_serve_log;
	/* worker threads inherit this mask: only the main thread takes signals */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((r = server_start(&sc, &srv, e)) != 0) {
		/* a bad or busy address, a certificate the TLS library refused */
		if (r == TERR_IO || r == TERR_ARG || r == TERR_CRYPTO)
			r = cmd_fail(e, CMD_EXIT_LISTEN, "%s", e->msg);
		goto out;
	}
	{
		char line[512];

		snprintf(line, sizeof(line), "tetrad-hub %s слушает https://%s (порт %u), "
		    "потоков %u, соединений до %u (с одного адреса до %u), таймаут %u с, "
		    "скорость тела от %u Б/с, запрос до %u с, форм в каталоге %zu", SERVER_VERSION,
		    sc.listen, server_port(srv), sc.threads, sc.conn_limit, sc.per_ip_limit,
		    sc.timeout_s, sc.min_rate, sc.request_max_s, hubforms_count(h->forms));
		cmd_serve_log(NULL, SERVER_LOG_NOTICE, line);
	}
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		;
	cmd_serve_log(NULL, SERVER_LOG_NOTICE, "получен сигнал остановки: новые соединения не "
	    "принимаются, идущие запросы завершаются");
	server_stop(srv, 15000);
	cmd_serve_log(NULL, SERVER_LOG_NOTICE, "хаб остановлен");
	r = 0;
 out:
	if (key != NULL) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
	free(cert);
	return r;
}

static const char cmd_import_usage[] =
"Использование: tetrad-hub import ФАЙЛ [--acks ФАЙЛ_ПОДТВЕРЖДЕНИЙ]\n"
"\n"
"Применяет выгрузку школы с флешки (tetrad-syncd export) набор за набором с теми\n"
"же проверками, что и по сети; повторный импорт ничего не меняет. Файл\n"
"подтверждения получения устройства (его пишет tetrad-syncd export рядом с\n"
"выгрузкой) распознаётся и применяется сам. Строка на каждый набор — в stdout;\n"
"если stdout — файл, а stderr — терминал, на терминале видно, сколько наборов\n"
"загружено.\n"
"\n"
"Параметры:\n"
"  --acks ФАЙЛ   записать подписанные ответы хаба (новый файл): в школе их\n"
"                принимает «tetrad-syncd import-acks --db БАЗА ФАЙЛ»\n"
"\n" CMD_COMMON_HELP
"Код выхода 2: хотя бы один набор отклонён, или файл повреждён (наборы до\n"
"повреждения приняты).\n";

enum { IMP_ACKS = 1 };

static const struct cmdline_opt cmd_import_opts[] = {
	{ "acks", 1, IMP_ACKS, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_import_spec = {
	CMD_PROG, "import", cmd_import_usage, cmd_import_opts, 1, 1, 0,
};

/* A USB export applied set by set through ingest (usbimport.h). */
int
cmd_import(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct ingest_cfg ic;
	struct usbimport_counts n;
	struct progress pr;
	struct cmdline c;
	const char *in, *acks = NULL, *v;
	int r, id;

	cmdline_begin(&c, &cmd_import_spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0)
		if (id == IMP_ACKS)
			acks = v;
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	in = c.pos[0];
	/* a device's pull acknowledgement (tetrad-syncd export writes it too) */
	if (acks == NULL && cmd_pull_is_ack(in))
		return cmd_pull_import_ack(h, in, e);
	if ((r = hubconf_open(h, true, e)) != 0)
		return r;
	hubconf_ingest_cfg(h, &ic);
	/*
	 * On a terminal the line per set is the progress; with those lines
	 * going to a file or a pipe, a progress line on stderr (a terminal)
	 * shows how far an import of many sets is. None under a script.
	 */
	progress_open(&pr, stderr, "Загрузка", "наборов", 0);
	if (isatty(STDOUT_FILENO))
		pr.tty = 0;
	r = usbimport_run(h->db, &ic, in, acks, stdout, progress_update, &pr, &n, e);
	progress_close(&pr);
	printf("Импорт %s: наборов %u — принято %u, уже были приняты %u, отклонено %u.\n", in,
	    n.sets, n.applied, n.replayed, n.refused);
	if (acks != NULL && n.acks > 0 && (r == 0 || access(acks, F_OK) == 0))
		printf("Подтверждения (%u) записаны в %s: отнесите файл в школу и выполните там "
		    "«tetrad-syncd import-acks --db БАЗА %s».\n", n.acks, acks, acks);
	if (r != 0)
		return r;
	/* every refusal is printed above, one line per set */
	terr_clear(e);
	return n.refused ? CMD_EXIT_INVALID : 0;
}

static const struct cmdline_spec cmd_keys_list_spec = {
	CMD_PROG, "keys list",
	CMD_LIST_USAGE("keys list",
	"Ключи шифрования хаба: текущий и прежние (после keys rotate), которыми ещё\n"
	"открываются наборы, зашифрованные до смены."),
	NULL, 0, 0, 0,
};

int
cmd_keys_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_keys_list_spec, CMD_LIST_KEYS, argc, argv, e);
}

static const struct cmdline_opt cmd_keys_opts[] = {
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_keys_rotate_spec = {
	CMD_PROG, "keys rotate",
	"Использование: tetrad-hub keys rotate\n"
	"\n"
	"Смена ключа шифрования хаба: текущий ключ сохраняется в ПАПКА/keys (0600, та\n"
	"же парольная фраза), создаётся новый. Затем перезапустите хаб: устройства\n"
	"получат новый ключ с подтверждениями. Ключ подписи так не меняется\n"
	"(docs/operations.md).\n"
	"\n" CMD_COMMON_HELP,
	cmd_keys_opts, 0, 0, 0,
};

/* Encryption key rotation (hubkeys.h). */
int
cmd_keys_rotate(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	char id[KEYS_ID_HEXLEN + 1];
	struct keys_enc fresh;
	struct cmdline c;
	const char *v;
	int r, opt;

	cmdline_begin(&c, &cmd_keys_rotate_spec, argc, argv);
	if ((opt = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, opt, e);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if ((r = hubkeys_rotate(h->dir, h->have_passphrase ? h->passphrase : NULL, &h->enc,
	    &fresh, e)) != 0)
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

static const struct cmdline_spec cmd_keys_retire_spec = {
	CMD_PROG, "keys retire",
	"Использование: tetrad-hub keys retire ID\n"
	"\n"
	"Удаляет прежний ключ шифрования ID (16 знаков из «tetrad-hub keys list»),\n"
	"когда все устройства синхронизировались после смены ключа: наборы,\n"
	"зашифрованные для него, больше не принимаются. Затем перезапустите хаб.\n"
	"\n" CMD_COMMON_HELP,
	cmd_keys_opts, 1, 1, 0,
};

int
cmd_keys_retire(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct cmdline c;
	const char *v;
	int r, id;

	cmdline_begin(&c, &cmd_keys_retire_spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if ((r = hubkeys_retire(h->dir, c.pos[0], e)) != 0)
		return r;
	printf("Прежний ключ %s удалён: наборы, зашифрованные для него, больше не "
	    "принимаются. Перезапустите хаб.\n", c.pos[0]);
	return 0;
}
