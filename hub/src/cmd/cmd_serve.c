/*
 * cmd_serve — running the hub: `init` (folder, keys, test certificate),
 * `serve` (the HTTPS server until SIGTERM), `import` (a USB export through
 * ingest) and `keys` (encryption key rotation).
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

int
cmd_init(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	const char *tls_host = NULL, *pp;
	char path[PATH_MAX + 32], hex[KEYS_ID_HEXLEN + 1];
	int r;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--tls-self-signed") == 0 && i + 1 < argc)
			tls_host = argv[++i];
		else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
			if ((r = hubconf_read_passphrase(h, argv[++i], e)) != 0)
				return r;
		} else
			return terr_set(e, TERR_ARG, "init: неизвестный параметр «%s»", argv[i]);
	}
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

int
cmd_serve(struct hubconf *h, int argc, char **argv, struct terr *e)
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
	if ((r = hubconf_open(h, true, e)) != 0)
		return r;
	/*
	 * A hub without forms refuses every record as "unknown form", and the
	 * devices quarantine them: better not to serve at all until the forms
	 * are installed (the package's forms folder, or TETRAD_FORMS_DIR) or
	 * published.
	 */
	if (hubforms_count(h->forms) == 0)
		return terr_set(e, TERR_ARG, "в каталоге форм хаба нет ни одной формы: хаб отклонял "
		    "бы все записи. Установите формы (папка forms из поставки или переменная "
		    "TETRAD_FORMS_DIR) или опубликуйте их («tetrad-hub forms publish ФАЙЛ») и "
		    "запустите хаб снова");
	listen = hubconf_get(h, "listen");
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
	for (int i = 0; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return terr_set(e, TERR_ARG, "serve: у параметра «%s» нет значения", argv[i]);
		if (strcmp(argv[i], "--listen") == 0)
			listen = v;
		else if (strcmp(argv[i], "--threads") == 0)
			sc.threads = cmd_serve_uint(v, 0);
		else if (strcmp(argv[i], "--timeout") == 0)
			sc.timeout_s = cmd_serve_uint(v, 0);
		else if (strcmp(argv[i], "--conn-limit") == 0)
			sc.conn_limit = cmd_serve_uint(v, 0);
		else if (strcmp(argv[i], "--per-ip-limit") == 0)
			sc.per_ip_limit = cmd_serve_uint(v, 0);
		else if (strcmp(argv[i], "--min-rate") == 0)
			sc.min_rate = cmd_serve_uint(v, 0);
		else if (strcmp(argv[i], "--request-max") == 0)
			sc.request_max_s = cmd_serve_uint(v, 0);
		else
			return terr_set(e, TERR_ARG, "serve: неизвестный параметр «%s»", argv[i]);
		if (strcmp(argv[i], "--listen") != 0 && cmd_serve_uint(v, 0) == 0)
			return terr_set(e, TERR_ARG, "serve: %s ожидает положительное число", argv[i]);
	}
	if (hubconf_get(h, "tls_cert") != NULL)
		snprintf(cert_path, sizeof(cert_path), "%s", hubconf_get(h, "tls_cert"));
	else
		hubconf_path(h, "tls/server.pem", cert_path, sizeof(cert_path));
	if (hubconf_get(h, "tls_key") != NULL)
		snprintf(key_path, sizeof(key_path), "%s", hubconf_get(h, "tls_key"));
	else
		hubconf_path(h, "tls/server.key", key_path, sizeof(key_path));
	if ((r = tls_read_pem(cert_path, &cert, e)) != 0 ||
	    (r = tls_read_pem(key_path, &key, e)) != 0)
		goto out;
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
	hubconf_path(h, "hub.db", db_path, sizeof(db_path));
	sc.listen = listen ? listen : SERVER_DEFAULT_LISTEN;
	sc.cert_pem = cert;
	sc.key_pem = key;
	sc.db_path = db_path;
	sc.ingest = &ic;
	sc.log = cmd_serve_log;
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

/* A USB export applied set by set through ingest (usbimport.h). */
int
cmd_import(struct hubconf *h, int argc, char **argv, struct terr *e)
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
	/* a device's pull acknowledgement (tetrad-syncd export writes it too) */
	if (acks == NULL && cmd_pull_is_ack(in))
		return cmd_pull_import_ack(h, in, e);
	if ((r = hubconf_open(h, true, e)) != 0)
		return r;
	hubconf_ingest_cfg(h, &ic);
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

/* Encryption key rotation (hubkeys.h). */
int
cmd_keys(struct hubconf *h, int argc, char **argv, struct terr *e)
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
	if ((r = hubconf_open(h, false, e)) != 0)
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
