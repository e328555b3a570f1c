/*
 * tetrad-syncd — pushes the client's outbox to the hub, pulls forms,
 * enrolls the device, exports change sets for a USB stick, or runs as the
 * nightly daemon. Thin: parses arguments, prints, and maps results to exit
 * codes (docs/syncd.md); the work is in the modules.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "syncd/enroll.h"
#include "syncd/fetch.h"
#include "syncd/schedule.h"
#include "syncd/sync.h"
#include "syncd/usb.h"
#include "tetrad/enrollfile.h"
#include "tetrad/fileio.h"
#include "tetrad/formsdir.h"
#include "tetrad/keys.h"
#include "tetrad/localdb.h"

struct main_log {
	int quiet;
};

static void
main_log(void *ud, enum sync_log_level lvl, const char *msg)
{
	const struct main_log *l = ud;
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	if (l && l->quiet && lvl == SYNC_LOG_INFO)
		return;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s tetrad-syncd[%ld] %s: %s\n", ts, (long)getpid(),
	    lvl == SYNC_LOG_WARN ? "warn" : "info", msg);
	fflush(stderr);
}

static void
usage(FILE *f)
{
	fputs("Использование:\n"
	    "  tetrad-syncd --once [--db ФАЙЛ] [--passphrase-file Ф] [--batch N] [--no-pull]\n"
	    "  tetrad-syncd --daemon [--db ФАЙЛ] [--window 01:00-05:00 | --interval СЕК] [--config Ф]\n"
	    "  tetrad-syncd enroll [--db ФАЙЛ] --hub https://… --token КОД [--ca ФАЙЛ | --pin sha256//…]\n"
	    "  tetrad-syncd enroll [--db ФАЙЛ] --file ФАЙЛ_ПОДКЛЮЧЕНИЯ (от tetrad-hub token create --enroll-file)\n"
	    "               [--passphrase-file Ф] [--label ИМЯ] [--force]\n"
	    "  tetrad-syncd export [--db ФАЙЛ] --out ФАЙЛ [--passphrase-file Ф]\n"
	    "  tetrad-syncd import-acks [--db ФАЙЛ] ФАЙЛ_ПОДТВЕРЖДЕНИЙ [--passphrase-file Ф]\n"
	    "  tetrad-syncd pull [--db ФАЙЛ] [--passphrase-file Ф]\n"
	    "  tetrad-syncd import-changes [--db ФАЙЛ] ФАЙЛ_ИЗМЕНЕНИЙ [--passphrase-file Ф]\n"
	    "База данных: --db ФАЙЛ, иначе $TETRAD_DB, иначе ~/.local/share/tetrad/tetrad.db\n"
	    "(как у tetrad).\n"
	    "Коды завершения: 0 всё отправлено, 10 остались неотправленные, 11 есть записи в карантине,\n"
	    "12 хаб недоступен, 2 ошибка вызова или настройки, 4 ошибка базы данных.\n"
	    "Подробно: docs/syncd.md\n", f);
}

enum {
	OPT_DB = 256, OPT_ONCE, OPT_DAEMON, OPT_WINDOW, OPT_INTERVAL, OPT_CONFIG, OPT_PASS,
	OPT_BATCH, OPT_MAXBYTES, OPT_ATTEMPTS, OPT_BACKOFF, OPT_BACKOFF_MAX, OPT_NOPULL, OPT_HUB,
	OPT_TOKEN, OPT_CA, OPT_PIN, OPT_LABEL, OPT_FORCE, OPT_OUT, OPT_QUIET, OPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT, OPT_HELP, OPT_VERSION, OPT_FILE,
};

static const struct option main_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "daemon", no_argument, NULL, OPT_DAEMON },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "passphrase-file", required_argument, NULL, OPT_PASS },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "max-bytes", required_argument, NULL, OPT_MAXBYTES },
	{ "attempts", required_argument, NULL, OPT_ATTEMPTS },
	{ "backoff-ms", required_argument, NULL, OPT_BACKOFF },
	{ "backoff-max-ms", required_argument, NULL, OPT_BACKOFF_MAX },
	{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
	{ "connect-timeout-ms", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "no-pull", no_argument, NULL, OPT_NOPULL },
	{ "hub", required_argument, NULL, OPT_HUB },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Parses a bounded positive integer option; -1 on error. */
static long long
main_num(const char *s, long long min, long long max)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

struct main_args {
	const char *cmd, *arg, *db, *window, *config, *pass, *hub, *token, *ca, *pin, *label, *out;
	const char *file;                /* enroll --file: the hub's enrollment file */
	int once, daemon, no_pull, force, quiet;
	long long batch, max_bytes, attempts, backoff, backoff_max, interval, timeout, connect_timeout;
	char db_buf[LOCALDB_PATH_MAX];   /* the database when --db is not given */
};

static int
main_parse(int argc, char **argv, struct main_args *a)
{
	int ch;

	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", main_opts, NULL)) != -1) {
		long long *num = NULL, min = 1, max = 0;

		switch (ch) {
		case OPT_DB: a->db = optarg; break;
		case OPT_ONCE: a->once = 1; break;
		case OPT_DAEMON: a->daemon = 1; break;
		case OPT_WINDOW: a->window = optarg; break;
		case OPT_CONFIG: a->config = optarg; break;
		case OPT_PASS: a->pass = optarg; break;
		case OPT_NOPULL: a->no_pull = 1; break;
		case OPT_HUB: a->hub = optarg; break;
		case OPT_TOKEN: a->token = optarg; break;
		case OPT_CA: a->ca = optarg; break;
		case OPT_PIN: a->pin = optarg; break;
		case OPT_FILE: a->file = optarg; break;
		case OPT_LABEL: a->label = optarg; break;
		case OPT_FORCE: a->force = 1; break;
		case OPT_OUT: a->out = optarg; break;
		case OPT_QUIET: a->quiet = 1; break;
		case OPT_BATCH: num = &a->batch; max = 10000; break;
		case OPT_MAXBYTES: num = &a->max_bytes; min = 1024; max = 12LL << 20; break;
		case OPT_ATTEMPTS: num = &a->attempts; max = 100; break;
		case OPT_BACKOFF: num = &a->backoff; max = 3600000; break;
		case OPT_BACKOFF_MAX: num = &a->backoff_max; max = 3600000; break;
		case OPT_INTERVAL: num = &a->interval; max = 7 * 86400; break;
		case OPT_TIMEOUT: num = &a->timeout; min = 100; max = 3600000; break;
		case OPT_CONNECT_TIMEOUT: num = &a->connect_timeout; min = 100; max = 600000; break;
		case OPT_HELP: usage(stdout); exit(0);
		case OPT_VERSION: puts("tetrad-syncd 0.1.0"); exit(0);
		default:
			fprintf(stderr, "tetrad-syncd: неизвестный или неполный параметр «%s»\n", argv[optind - 1]);
			return -1;
		}
		if (num && (*num = main_num(optarg, min, max)) < 0) {
			fprintf(stderr, "tetrad-syncd: значение «%s» параметра %s должно быть числом от %lld до %lld\n",
			    optarg, argv[optind - 1], min, max);
			return -1;
		}
	}
	/* The command may stand anywhere: `tetrad` passes `--db DB enroll …`. */
	if (optind < argc)
		a->cmd = argv[optind++];
	/* import-acks and import-changes take their file as an argument */
	if (optind < argc && a->cmd && (strcmp(a->cmd, "import-acks") == 0 ||
	    strcmp(a->cmd, "import-changes") == 0))
		a->arg = argv[optind++];
	if (optind != argc) {
		fprintf(stderr, "tetrad-syncd: лишний аргумент «%s»\n", argv[optind]);
		return -1;
	}
	/* the client's rule: --db, else $TETRAD_DB, else the default place */
	if (localdb_path(a->db, a->db_buf, sizeof(a->db_buf)) != 0) {
		fprintf(stderr, "tetrad-syncd: не указан файл базы данных (--db или TETRAD_DB)\n");
		return -1;
	}
	a->db = a->db_buf;
	return 0;
}

static void
main_sync_opts(const struct main_args *a, struct sync_opts *o, struct main_log *lg)
{
	memset(o, 0, sizeof(*o));
	o->db_path = a->db;
	o->passphrase_file = a->pass;
	o->max_ops = (size_t)a->batch;
	o->max_bytes = (size_t)a->max_bytes;
	o->max_attempts = (int)a->attempts;
	o->backoff_ms = (long)a->backoff;
	o->backoff_max_ms = (long)a->backoff_max;
	o->timeout_ms = (long)a->timeout;
	o->connect_timeout_ms = (long)a->connect_timeout;
	o->no_pull = a->no_pull;
	o->log = main_log;
	o->ud = lg;
}

/* What came from the hub, in Russian (nothing when nothing came). The hub
 * also sends back this device's own changes (it keeps whole states), so the
 * line says how many of the records were new or changed something here:
 * «получено 1» alone after a push reads as if someone else had written. */
static void
main_pulled(const struct inbox_result *in)
{
	long long upd = (long long)(in->changed - in->created);
	char what[200], extra[96];

	if (in->records == 0 && in->conflicts == 0 && in->profiles == 0)
		return;
	what[0] = extra[0] = '\0';
	if (in->records > 0 && in->changed == 0)
		snprintf(what, sizeof(what), "записей: %lld (ничего нового: всё это уже есть на этом "
		    "устройстве)", (long long)in->records);
	else if (in->records > 0)
		snprintf(what, sizeof(what), "записей: %lld (новых: %lld, обновлено: %lld)",
		    (long long)in->records, (long long)in->created, upd);
	if (in->profiles > 0)
		snprintf(extra, sizeof(extra), "%sрисковых профилей школ: %lld", what[0] ? "; " : "",
		    (long long)in->profiles);
	if (in->conflicts > 0)
		printf("Получено с хаба %s%s; конфликтов: %lld — ваши значения уступили другим, "
		    "см. «tetrad conflicts».\n", what, extra, (long long)in->conflicts);
	else
		printf("Получено с хаба %s%s; конфликтов нет.\n", what, extra);
}

static int
main_once(const struct main_args *a, struct main_log *lg, int pull_only)
{
	struct sync_opts o;
	struct sync_result res;
	struct terr e;
	char line[512];
	int r, code;

	main_sync_opts(a, &o, lg);
	o.pull_only = pull_only;
	terr_clear(&e);
	r = sync_run(&o, &res, &e);
	code = sync_exit_code(r, &res);
	if (r != 0) {
		fprintf(stderr, "tetrad-syncd: %s\n", e.msg);
		return code;
	}
	sync_summary(&res, code, line, sizeof(line));
	main_log(lg, SYNC_LOG_INFO, line);
	if (!a->quiet) {
		/* `pull` sends nothing: a line about what the hub confirmed would
		 * read as if it had */
		if (!pull_only)
			printf("Подтверждено хабом записей: %lld; в карантине: %lld; ждут отправки: %lld.\n",
			    (long long)res.entries_acked, (long long)res.entries_quarantined,
			    (long long)(res.left.pending + res.left.sent));
		else if (res.left.pending + res.left.sent > 0)
			printf("Ждут отправки: %lld (отправит «tetrad sync»).\n",
			    (long long)(res.left.pending + res.left.sent));
		if (pull_only && !res.unreachable && !res.pull_refused && res.pulled.records == 0 &&
		    res.pulled.conflicts == 0 && res.pulled.profiles == 0)
			printf("С хаба ничего нового.\n");
		if (res.unreachable)
			printf("Хаб недоступен: записи сохранены и будут отправлены при следующей синхронизации.\n");
		/* the hub's words went to the log (stderr) already, escaped */
		if (res.revoked)
			printf("Устройство отозвано на хабе: записи с него хаб больше не принимает. "
			    "Обратитесь к координатору.\n");
		if (res.entries_requeued > 0)
			printf("Снова отправлено из карантина (хаб теперь их принимает): %lld.\n",
			    (long long)res.entries_requeued);
		if (res.left.quarantined > 0)
			printf("Записей в карантине всего: %lld (причины: «tetrad status»).\n",
			    (long long)res.left.quarantined);
		if (res.forms_installed > 0)
			printf("Получено новых версий форм: %lld.\n", (long long)res.forms_installed);
		if (res.pull_restarted)
			printf("У хаба меньше изменений, чем устройство уже получило (база хаба "
			    "восстановлена из старой копии?): изменения получены заново с начала; "
			    "записи объединяются, повторов не будет.\n");
		main_pulled(&res.pulled);
		if (res.pull_refused)
			printf("Ответ хаба с изменениями не принят (причина в журнале): данные устройства "
			    "не изменены.\n");
	}
	return code;
}

/*
 * The enrollment file (enrollfile.h) into ef: 0, or the exit code after
 * saying what is wrong with it. The file holds a token: wiped after use.
 */
static int
main_enroll_file(const char *path, struct enrollfile *ef)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct terr e;
	int r;

	terr_clear(&e);
	if ((r = fileio_read_all(path, ENROLLFILE_MAX, &buf, &len, &e)) != 0) {
		fprintf(stderr, "tetrad-syncd enroll: файл подключения %s: %s\n", path,
		    r == TERR_TOO_LARGE ? "слишком большой — это не файл подключения от хаба" :
		    e.msg);
		return r == TERR_TOO_LARGE ? SYNC_EXIT_USAGE : SYNC_EXIT_STORAGE;
	}
	r = enrollfile_parse((const char *)buf, len, ef, &e);
	sodium_memzero(buf, len);
	free(buf);
	if (r != 0) {
		fprintf(stderr, "tetrad-syncd enroll: %s: %s\n", path, e.msg);
		return SYNC_EXIT_USAGE;
	}
	return 0;
}

static int
main_enroll(const struct main_args *a)
{
	struct enroll_opts o;
	struct enroll_result res;
	struct terr e;
	int r;

	struct enrollfile ef;
	int code;

	memset(&ef, 0, sizeof(ef));
	if (a->file && (a->hub || a->token || a->pin || a->ca)) {
		fprintf(stderr, "tetrad-syncd enroll: в файле подключения уже есть адрес хаба, "
		    "код и отпечаток сертификата: укажите либо --file, либо --hub и --token\n");
		return SYNC_EXIT_USAGE;
	}
	if (a->file && (code = main_enroll_file(a->file, &ef)) != 0)
		return code;
	if (!a->file && (a->hub == NULL || a->token == NULL)) {
		fprintf(stderr, "tetrad-syncd enroll: нужны --hub АДРЕС и --token КОД "
		    "(или --file ФАЙЛ_ПОДКЛЮЧЕНИЯ)\n");
		return SYNC_EXIT_USAGE;
	}
	if (a->ca && a->pin) {
		fprintf(stderr, "tetrad-syncd enroll: укажите либо --ca, либо --pin, но не оба\n");
		return SYNC_EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.db_path = a->db;
	o.hub_url = a->file ? ef.hub : a->hub;
	o.token = a->file ? ef.token : a->token;
	o.ca_file = a->ca;
	o.pin = a->file ? ef.pin : a->pin;
	o.passphrase_file = a->pass;
	o.label = a->label;
	o.force = a->force;
	o.timeout_ms = (long)a->timeout;
	o.connect_timeout_ms = (long)a->connect_timeout;
	terr_clear(&e);
	r = enroll_run(&o, &res, &e);
	sodium_memzero(ef.token, sizeof(ef.token));
	if (r != 0) {
		fprintf(stderr, "tetrad-syncd: %s\n", e.msg);
		if (res.unreachable)
			return SYNC_EXIT_UNREACHABLE;
		return r == TERR_IO || r == TERR_NOMEM ? SYNC_EXIT_STORAGE : SYNC_EXIT_USAGE;
	}
	if (res.replaced_id[0] && res.replaced_revoked)
		printf("Прежний ключ этого устройства (%s) был отозван на хабе: создан новый ключ, "
		    "на нём ещё ничего не записано.\n", res.replaced_id);
	else if (res.replaced_id[0])
		printf("Хаб уже знал прежний ключ этого устройства (%s) для другой регистрации: "
		    "создан новый ключ. Координатор может отозвать прежний: tetrad-hub device "
		    "revoke %s\n", res.replaced_id, res.replaced_id);
	printf("Устройство %s зарегистрировано на хабе %s (%s, школ: %d).\n", res.device_id,
	    o.hub_url,
	    strcmp(res.kind, "curator") == 0 ? "устройство куратора" : "устройство школы", res.nschools);
	return 0;
}

static int
main_export(const struct main_args *a)
{
	struct usb_result res;
	struct terr e;
	int r;

	if (a->out == NULL) {
		fprintf(stderr, "tetrad-syncd export: нужен --out ФАЙЛ\n");
		return SYNC_EXIT_USAGE;
	}
	terr_clear(&e);
	if ((r = usb_export(a->db, a->pass, a->out, (size_t)a->batch, (size_t)a->max_bytes, &res, &e)) != 0) {
		fprintf(stderr, "tetrad-syncd: %s\n", e.msg);
		return sync_exit_code(r, NULL);
	}
	if (res.sets == 0)
		printf("Нет неотправленных изменений: файл наборов не создан.\n");
	else
		printf("Выгружено наборов: %lld (записей: %lld, %lld байт) в %s. На хабе: «tetrad-hub import %s».\n",
		    (long long)res.sets, (long long)res.entries, (long long)res.bytes, a->out, a->out);
	if (res.ack_written)
		printf("Для получения записей с хаба (двусторонняя синхронизация без сети) записано "
		    "подтверждение полученного (до позиции %llu): %s.ack. На хабе: «tetrad-hub import %s.ack», "
		    "затем «tetrad-hub export-changes --device %s --out ФАЙЛ»; здесь потом "
		    "«tetrad-syncd import-changes ФАЙЛ».\n", (unsigned long long)res.ack_after,
		    a->out, a->out, res.device_id);
	return 0;
}

static int
main_import_acks(const struct main_args *a)
{
	struct usb_acks_result res;
	struct terr e;
	int r;

	if (a->arg == NULL) {
		fprintf(stderr, "tetrad-syncd import-acks: укажите файл подтверждений\n");
		return SYNC_EXIT_USAGE;
	}
	terr_clear(&e);
	if ((r = usb_import_acks(a->db, a->pass, a->arg, &res, &e)) != 0) {
		fprintf(stderr, "tetrad-syncd: %s\n", e.msg);
		return sync_exit_code(r, NULL);
	}
	printf("Подтверждений в файле: %lld; подтверждено наборов: %lld, в карантине: %lld, "
	    "уже были подтверждены: %lld, не учтено: %lld.\n", (long long)res.read,
	    (long long)res.acked, (long long)res.quarantined, (long long)res.already,
	    (long long)res.ignored);
	if (res.key_changed)
		printf("Хаб сменил ключ шифрования: следующая выгрузка будет зашифрована новым ключом.\n");
	if (res.quarantined > 0) {
		printf("Причины отказа: «tetrad status».\n");
		return SYNC_EXIT_QUARANTINED;
	}
	return SYNC_EXIT_OK;
}

static int
main_import_changes(const struct main_args *a)
{
	struct usb_changes_result res;
	const char *builtin = NULL;
	struct terr e;
	int r;

	if (a->arg == NULL) {
		fprintf(stderr, "tetrad-syncd import-changes: укажите файл изменений с хаба\n");
		return SYNC_EXIT_USAGE;
	}
	(void)formsdir_builtin(&builtin, NULL);
	terr_clear(&e);
	r = usb_import_changes(a->db, a->pass, a->arg, builtin, &res, &e);
	if (res.applied > 0 || res.already > 0)
		printf("Пакетов изменений в файле: %lld; загружено: %lld, уже загружено раньше: %lld.\n",
		    (long long)res.answers, (long long)res.applied, (long long)res.already);
	main_pulled(&res.in);
	if (r != 0) {
		fprintf(stderr, "tetrad-syncd: %s\n", e.msg);
		return r == TERR_IO || r == TERR_NOMEM || r == TERR_FULL ? SYNC_EXIT_STORAGE : SYNC_EXIT_USAGE;
	}
	if (res.applied == 0 && res.already == res.answers)
		printf("Все изменения из файла уже загружены.\n");
	return SYNC_EXIT_OK;
}

static int
main_daemon(const struct main_args *a, struct main_log *lg)
{
	struct schedule_opts o;
	struct terr e;
	sigset_t set;

	memset(&o, 0, sizeof(o));
	main_sync_opts(a, &o.sync, lg);
	terr_clear(&e);
	if (schedule_parse_window(a->window ? a->window : "01:00-05:00", &o.window, &e) != 0) {
		fprintf(stderr, "tetrad-syncd: %s\n", e.msg);
		return SYNC_EXIT_USAGE;
	}
	o.interval_s = a->interval;
	o.config_path = a->config;
	if (a->config && schedule_read_config(a->config, &o, &e) != 0) {
		fprintf(stderr, "tetrad-syncd: %s\n", e.msg);
		return SYNC_EXIT_USAGE;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	main_log(lg, SYNC_LOG_INFO, "запущен как служба");
	if (schedule_run(&o, &e) != 0) {
		fprintf(stderr, "tetrad-syncd: %s\n", e.msg);
		return SYNC_EXIT_USAGE;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct main_args a;
	struct main_log lg;
	struct terr e;
	int code;

	if (main_parse(argc, argv, &a) != 0) {
		usage(stderr);
		return SYNC_EXIT_USAGE;
	}
	lg.quiet = a.quiet;
	terr_clear(&e);
	if (keys_init(&e) != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "tetrad-syncd: %s\n", e.msg[0] ? e.msg : "не удалось инициализировать libcurl");
		return SYNC_EXIT_USAGE;
	}
	if (a.cmd && strcmp(a.cmd, "enroll") == 0) {
		code = main_enroll(&a);
	} else if (a.cmd && strcmp(a.cmd, "export") == 0) {
		code = main_export(&a);
	} else if (a.cmd && strcmp(a.cmd, "import-acks") == 0) {
		code = main_import_acks(&a);
	} else if (a.cmd && strcmp(a.cmd, "import-changes") == 0) {
		code = main_import_changes(&a);
	} else if (a.cmd && strcmp(a.cmd, "pull") == 0) {
		code = main_once(&a, &lg, 1);
	} else if (a.cmd) {
		fprintf(stderr, "tetrad-syncd: неизвестная команда «%s»\n", a.cmd);
		usage(stderr);
		code = SYNC_EXIT_USAGE;
	} else if (a.daemon && !a.once) {
		code = main_daemon(&a, &lg);
	} else if (a.once && !a.daemon) {
		code = main_once(&a, &lg, 0);
	} else {
		usage(stderr);
		code = SYNC_EXIT_USAGE;
	}
	curl_global_cleanup();
	return code;
}
