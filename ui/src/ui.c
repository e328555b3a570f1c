/*
 * ui — `tetrad ui`: its options, the interface's state (store, catalogue,
 * this launch's secrets), the server's life until SIGINT / SIGTERM, and
 * opening the browser without showing the secret to other users.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>
#include <sodium.h>

#include "client/app.h"
#include "cmdline/cmdline.h"
#include "client/cli.h"
#include "ui/ui.h"
#include "ui_private.h"

#define UI_SECRET_BYTES 32
#define UI_FLASH_MAX 512
/* how long xdg-open may take to say it could not open anything */
#define UI_BROWSER_WAIT_S 10

struct ui {
	char *db_path;
	struct store *store;
	struct catalog *cat;
	struct ui_sync *sync;
	uint16_t port;
	char secret[UI_SECRET_BYTES * 2 + 1];
	bool secret_spent;       /* exchanged for the cookie: one use only */
	char session[UI_SECRET_BYTES * 2 + 1];
	char csrf[UI_SECRET_BYTES * 2 + 1];
	char flash[UI_FLASH_MAX];
	bool unlock_deferred;
};

static void
ui_random_hex(char *out, size_t bytes)
{
	unsigned char b[UI_SECRET_BYTES];

	randombytes_buf(b, bytes);
	sodium_bin2hex(out, bytes * 2 + 1, b, bytes);
	sodium_memzero(b, sizeof(b));
}

int
ui_open(const char *db_path, struct ui **out, struct terr *e)
{
	const char *limit;
	struct ui *u;
	int r;

	*out = NULL;
	if (sodium_init() < 0)
		return terr_set(e, TERR_INTERNAL, "не удалось запустить libsodium");
	if ((u = calloc(1, sizeof(*u))) == NULL || (u->db_path = strdup(db_path)) == NULL) {
		free(u);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	if ((r = store_open(db_path, false, &u->store, e)) != 0) {
		if (r == STORE_NOTFOUND)
			terr_set(e, r, "база данных «%s» не найдена: сначала создайте её "
			    "(tetrad init --school КОД или tetrad init --curator)", db_path);
		goto fail;
	}
	/* the CLI's test hook (docs/client.md): a full disk without root */
	if ((limit = getenv("TETRAD_TEST_MAX_PAGES")) != NULL && limit[0] != '\0' &&
	    (r = store_limit_pages(u->store, strtol(limit, NULL, 10), e)) != 0)
		goto fail;
	if ((r = app_catalog(db_path, &u->cat, e)) != 0)
		goto fail;
	ui_random_hex(u->secret, UI_SECRET_BYTES);
	ui_random_hex(u->session, UI_SECRET_BYTES);
	ui_random_hex(u->csrf, UI_SECRET_BYTES);
	*out = u;
	return 0;
 fail:
	ui_close(u);
	return r;
}

void
ui_close(struct ui *u)
{
	if (u == NULL)
		return;
	ui_sync_free(u->sync);
	catalog_free(u->cat);
	store_close(u->store);
	sodium_memzero(u->secret, sizeof(u->secret));
	sodium_memzero(u->session, sizeof(u->session));
	sodium_memzero(u->csrf, sizeof(u->csrf));
	free(u->db_path);
	free(u);
}

struct store *
ui_store(struct ui *u)
{
	return u->store;
}

const struct catalog *
ui_catalog(struct ui *u)
{
	return u->cat;
}

int
ui_catalog_reload(struct ui *u, struct terr *e)
{
	struct catalog *c = NULL;
	int r;

	/* the old one stays when the new one does not load */
	if ((r = app_catalog(u->db_path, &c, e)) != 0)
		return r;
	catalog_free(u->cat);
	u->cat = c;
	return 0;
}

const char *
ui_db_path(const struct ui *u)
{
	return u->db_path;
}

uint16_t
ui_port(const struct ui *u)
{
	return u->port;
}

const char *
ui_csrf(const struct ui *u)
{
	return u->csrf;
}

const char *
ui_secret(const struct ui *u)
{
	return u->secret_spent ? NULL : u->secret;
}

void
ui_secret_spend(struct ui *u)
{
	sodium_memzero(u->secret, sizeof(u->secret));
	u->secret_spent = true;
}

const char *
ui_session(const struct ui *u)
{
	return u->session;
}

struct ui_sync *
ui_sync_of(struct ui *u)
{
	return u->sync;
}

void
ui_flash(struct ui *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->flash, sizeof(u->flash), fmt, ap);
	va_end(ap);
}

char *
ui_flash_take(struct ui *u)
{
	char *s;

	if (u->flash[0] == '\0')
		return NULL;
	s = strdup(u->flash);
	u->flash[0] = '\0';
	return s;
}

bool
ui_unlock_deferred(const struct ui *u)
{
	return u->unlock_deferred;
}

void
ui_unlock_defer(struct ui *u)
{
	u->unlock_deferred = true;
}

/* ---- the command ---------------------------------------------------- */

struct ui_opts {
	long port;
	bool no_browser;
	const char *url_file;
};

static const char ui_usage_text[] =
"Использование: tetrad [--db ПУТЬ] ui [--port N] [--no-browser] [--url-file ФАЙЛ]\n"
"\n"
"Тетрад в браузере: формы, записи, синхронизация, выгрузка в Excel — с той же\n"
"базой, что и команды. Работает на 127.0.0.1, пока не нажато Ctrl+C или не\n"
"закрыто окно терминала.\n"
"\n"
"Параметры:\n"
"  --port N            порт на 127.0.0.1 (0 — любой свободный, по умолчанию)\n"
"  --no-browser        не открывать браузер\n"
"  --url-file ФАЙЛ     записать адрес для входа в файл (только для владельца)\n"
"  -h, --help          эта справка; -V, --version — версия\n";

enum { UI_O_PORT = 1, UI_O_NO_BROWSER, UI_O_URL_FILE };

/*
 * ui's options (cmdline: --help and --version as in every command). -1:
 * serve; otherwise the exit code, --help and --version answered on out, a
 * mistake said on err.
 */
static int
ui_parse(int argc, char **argv, struct ui_opts *o, FILE *out, FILE *err)
{
	static const struct cmdline_opt opts[] = {
		{ "port", 1, UI_O_PORT, 0 }, { "no-browser", 0, UI_O_NO_BROWSER, 0 },
		{ "url-file", 1, UI_O_URL_FILE, 0 }, { NULL, 0, 0, 0 },
	};
	static const struct cmdline_spec spec = { "tetrad", "ui", ui_usage_text, opts,
	    0, 0, 0 };
	struct cmdline c;
	const char *v;
	char line[128];
	long long port;
	int id;

	cmdline_begin(&c, &spec, argc, argv);
	while ((id = cmdline_next(&c, &v)) > 0) {
		if (id == UI_O_NO_BROWSER) {
			o->no_browser = true;
		} else if (id == UI_O_URL_FILE) {
			o->url_file = v;
		} else {
			if (cmdline_number(&c, "--port", v, 0, 65535, &port) != 0) {
				id = CMDLINE_BAD;
				break;
			}
			o->port = (long)port;
		}
	}
	switch (id) {
	case CMDLINE_END:
		return -1;
	case CMDLINE_HELP:
		fputs(ui_usage_text, out);
		return CLI_OK;
	case CMDLINE_VERSION:
		cmdline_version_line("tetrad", line, sizeof(line));
		fputs(line, out);
		return CLI_OK;
	default:
		fprintf(err, "Ошибка: %s\nСправка: tetrad ui --help\n", c.msg);
		return CLI_USAGE;
	}
}

/*
 * Writes text into path readable by its owner only, whole or not at all
 * (a test waits for the file and must never read half a URL).
 */
static int
ui_write_private(const char *path, const char *text, struct terr *e)
{
	char tmp[PATH_MAX];
	size_t len = strlen(text);
	int fd, r = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= sizeof(tmp))
		return terr_set(e, TERR_TOO_LARGE, "путь «%s» слишком длинный", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return terr_set(e, TERR_IO, "не удалось создать «%s»: %s", tmp, terr_strerror(errno));
	if (fchmod(fd, 0600) != 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0)
		r = terr_set(e, TERR_IO, "не удалось записать «%s»: %s", tmp, terr_strerror(errno));
	if (close(fd) != 0 && r == 0)
		r = terr_set(e, TERR_IO, "не удалось записать «%s»: %s", tmp, terr_strerror(errno));
	if (r == 0 && rename(tmp, path) != 0)
		r = terr_set(e, TERR_IO, "не удалось записать «%s»: %s", path, terr_strerror(errno));
	if (r != 0)
		unlink(tmp);
	return r;
}

/*
 * The page the browser is opened on: a private file that forwards to the
 * URL with the secret. Never the URL itself on xdg-open's command line,
 * where every user of the computer can read it (ps, /proc).
 */
static int
ui_forward_file(const struct ui *u, const char *url, char *path, size_t cap,
    struct terr *e)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	char dbdir[PATH_MAX], *slash, page[1024];
	struct stat st;

	if (dir == NULL || dir[0] != '/' || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(dbdir, sizeof(dbdir), "%s", u->db_path);
		if ((slash = strrchr(dbdir, '/')) != NULL && slash != dbdir)
			*slash = '\0';
		else
			snprintf(dbdir, sizeof(dbdir), ".");
		dir = dbdir;
	}
	if ((size_t)snprintf(path, cap, "%s/tetrad-ui-%ld.html", dir, (long)getpid()) >= cap)
		return terr_set(e, TERR_TOO_LARGE, "путь «%s» слишком длинный", dir);
	/* url is ours: digits, hex and fixed text, nothing to escape */
	snprintf(page, sizeof(page), "<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"utf-8\">"
	    "<meta http-equiv=\"refresh\" content=\"0;url=%s\"><title>Тетрад</title></head>"
	    "<body><p><a href=\"%s\">Открыть Тетрад</a></p></body></html>\n", url, url);
	unlink(path);
	return ui_write_private(path, page, e);
}

/* xdg-open path, its output dropped; the child's pid, or -1. */
static pid_t
ui_browser_start(const char *path)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		sigset_t none;

		/* the browser must not inherit the signals ui_main holds for itself */
		sigemptyset(&none);
		pthread_sigmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);

		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execlp("xdg-open", "xdg-open", path, (char *)NULL);
		_exit(127);
	}
	return pid;
}

int
ui_main(int argc, char **argv, const char *db_path, FILE *out, FILE *err)
{
	struct ui_opts o = { 0 };
	struct ui *u = NULL;
	struct ui_server *srv = NULL;
	struct terr e = { 0 };
	char url[128], fwd[PATH_MAX] = "";
	sigset_t set;
	pid_t browser = -1;
	time_t browser_at = 0;
	int rc, r;

	if ((rc = ui_parse(argc, argv, &o, out, err)) >= 0)
		return rc;
	if ((r = ui_open(db_path, &u, &e)) != 0) {
		fprintf(err, "Ошибка: %s.\n", e.msg[0] ? e.msg : terr_str(r));
		return cli_exit_code(r);
	}
	if (catalog_warnings(u->cat)[0])
		fprintf(err, "Предупреждение: %s", catalog_warnings(u->cat));
	if ((r = ui_sync_new(u, &u->sync, &e)) != 0)
		goto fail;
	/*
	 * The signals wait for the main thread (sigtimedwait below): blocked
	 * before the server's thread starts, which inherits the mask, so a
	 * Ctrl+C never lands in the middle of a request.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* the launcher's terminal window closed */
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((r = ui_server_start(u, (uint16_t)o.port, &srv, &e)) != 0) {
		/* not the database's fault: exit 5, not 4 */
		fprintf(err, "Ошибка: %s.\n", e.msg);
		rc = CLI_OTHER;
		goto out;
	}
	u->port = ui_server_port(srv);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/launch?key=%s", (unsigned)u->port,
	    u->secret);
	if (o.url_file != NULL && (r = ui_write_private(o.url_file, url, &e)) != 0)
		goto fail;
	fprintf(out, "Тетрад работает по адресу http://127.0.0.1:%u/\n"
	    "Остановить: Ctrl+C (или закройте это окно).\n", (unsigned)u->port);
	if (!o.no_browser) {
		if (ui_forward_file(u, url, fwd, sizeof(fwd), &e) != 0) {
			fprintf(err, "Предупреждение: %s.\n", e.msg);
			fwd[0] = '\0';
		} else if ((browser = ui_browser_start(fwd)) < 0) {
			fprintf(err, "Предупреждение: не удалось запустить xdg-open: %s.\n",
			    terr_strerror(errno));
		}
		browser_at = time(NULL);
		if (browser < 0)
			fprintf(out, "Браузер открыть не удалось: откройте этот адрес сами "
			    "(он действует, пока работает Тетрад):\n%s\n", url);
	} else {
		fprintf(out, "Браузер не открывается (--no-browser).\n");
	}
	fflush(out);
	for (;;) {
		struct timespec ts = { 1, 0 };
		int sig = sigtimedwait(&set, NULL, &ts);

		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			break;
		if (browser > 0) {
			int st;
			pid_t w = waitpid(browser, &st, WNOHANG);

			if (w == browser) {
				browser = -1;
				if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
					fprintf(out, "Браузер открыть не удалось: откройте этот адрес "
					    "сами (он действует, пока работает Тетрад):\n%s\n", url);
					fflush(out);
				}
			} else if (time(NULL) - browser_at > UI_BROWSER_WAIT_S) {
				/* some xdg-open stay as long as the browser: not waited for */
				browser = 0;
			}
		}
	}
	fprintf(out, "Тетрад остановлен.\n");
	rc = CLI_OK;
	goto out;
 fail:
	fprintf(err, "Ошибка: %s.\n", e.msg[0] ? e.msg : terr_str(r));
	rc = cli_exit_code(r);
 out:
	ui_server_stop(srv);
	if (fwd[0])
		unlink(fwd);
	ui_close(u);
	return rc;
}
