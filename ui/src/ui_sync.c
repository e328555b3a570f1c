/*
 * ui_sync — «Синхронизировать»: tetrad-syncd runs as a child of the
 * interface (ui_sync.h says why and how), /sync shows its progress and the
 * result in words, /sync/status the same as JSON for the page's script;
 * /refused lists the records the hub refused with its reason and
 * «исправить и отправить снова».
 *
 * The child is started directly (posix_spawn, no shell) with the database
 * path as its own argument; an enrollment token is never on a command
 * line (other users of the computer see those): it stays in its 0600 file.
 */
#include "ui_sync.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "client/app.h"

#define UI_SYNC_OUT_MAX (32u << 10)   /* the output's tail kept */
#define UI_SYNC_LINES 40              /* lines of it shown */
#define UI_SYNC_STOP_WAIT_MS 5000     /* SIGTERM, then this long, then SIGKILL */

extern char **environ;

struct ui_sync {
	struct ui *u;
	pid_t pid;                    /* > 0 while a child runs */
	int fd;                       /* its output (non-blocking), -1 */
	enum ui_child kind;           /* running or last */
	bool ended;                   /* the last child of kind ended */
	int code;                     /* its exit code, -signal */
	time_t started, finished;
	char out[UI_SYNC_OUT_MAX + 1];
	size_t out_len;
	bool out_cut;                 /* the beginning was dropped */
	char *file;                   /* enroll: the uploaded file, removed at the end */
};

int
ui_sync_new(struct ui *u, struct ui_sync **out, struct terr *e)
{
	struct ui_sync *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	s->u = u;
	s->fd = -1;
	*out = s;
	return 0;
}

/* Output kept from its tail: a long run shows its last lines. */
static void
ui_sync_keep(struct ui_sync *s, const char *buf, size_t n)
{
	if (n >= UI_SYNC_OUT_MAX) {
		buf += n - UI_SYNC_OUT_MAX;
		n = UI_SYNC_OUT_MAX;
		s->out_len = 0;
		s->out_cut = true;
	} else if (s->out_len + n > UI_SYNC_OUT_MAX) {
		size_t drop = s->out_len + n - UI_SYNC_OUT_MAX;

		memmove(s->out, s->out + drop, s->out_len - drop);
		s->out_len -= drop;
		s->out_cut = true;
	}
	memcpy(s->out + s->out_len, buf, n);
	s->out_len += n;
	s->out[s->out_len] = '\0';
}

/* Reads what is there; true at end of file (every writer gone). */
static bool
ui_sync_drain(struct ui_sync *s)
{
	char buf[4096];

	while (s->fd >= 0) {
		ssize_t n = read(s->fd, buf, sizeof(buf));

		if (n > 0) {
			ui_sync_keep(s, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		close(s->fd);
		s->fd = -1;
	}
	return true;
}

static void
ui_sync_finish(struct ui_sync *s, int status)
{
	struct terr e = { 0 };

	(void)ui_sync_drain(s);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	s->pid = 0;
	s->ended = true;
	s->code = WIFEXITED(status) ? WEXITSTATUS(status) :
	    WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
	s->finished = time(NULL);
	if (s->file) {
		unlink(s->file);
		free(s->file);
		s->file = NULL;
	}
	/* a sync may have brought new forms */
	if (s->kind == UI_CHILD_SYNC)
		(void)ui_catalog_reload(s->u, &e);
}

void
ui_sync_poll(struct ui_sync *s)
{
	int status;
	pid_t r;

	if (s == NULL || s->pid <= 0)
		return;
	(void)ui_sync_drain(s);
	do
		r = waitpid(s->pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == s->pid)
		ui_sync_finish(s, status);
	else if (r < 0)
		ui_sync_finish(s, 0x7f00);   /* lost: reported as an exit code of 127 */
}

void
ui_sync_free(struct ui_sync *s)
{
	if (s == NULL)
		return;
	/* the interface closes: the child finishes its request and stops
	 * (SIGTERM, docs/syncd.md); one that does not is killed */
	if (s->pid > 0) {
		int status, waited = 0;

		kill(s->pid, SIGTERM);
		while (waitpid(s->pid, &status, WNOHANG) == 0) {
			if (waited >= UI_SYNC_STOP_WAIT_MS) {
				kill(s->pid, SIGKILL);
				(void)waitpid(s->pid, &status, 0);
				break;
			}
			usleep(50 * 1000);
			waited += 50;
		}
	}
	if (s->fd >= 0)
		close(s->fd);
	if (s->file) {
		unlink(s->file);
		free(s->file);
	}
	free(s);
}

bool
ui_sync_running(const struct ui_sync *s)
{
	return s != NULL && s->pid > 0;
}

enum ui_child
ui_sync_kind(const struct ui_sync *s)
{
	return s ? s->kind : UI_CHILD_NONE;
}

bool
ui_sync_ended(const struct ui_sync *s, enum ui_child kind, int *code)
{
	if (s == NULL || s->pid > 0 || !s->ended || s->kind != kind)
		return false;
	*code = s->code;
	return true;
}

long
ui_sync_seconds(const struct ui_sync *s)
{
	if (s == NULL || s->started == 0)
		return 0;
	return (long)((s->pid > 0 ? time(NULL) : s->finished) - s->started);
}

const char *
ui_sync_output(const struct ui_sync *s)
{
	const char *p;
	size_t lines = 0;

	if (s == NULL || s->out_len == 0)
		return "";
	/* the last UI_SYNC_LINES lines */
	for (p = s->out + s->out_len; p > s->out; p--)
		if (p[-1] == '\n' && p != s->out + s->out_len && ++lines >= UI_SYNC_LINES)
			return p;
	return s->out;
}

int
ui_sync_start(struct ui_sync *s, enum ui_child kind, const char *file, struct terr *e)
{
	char prog[4096];
	char *argv[8];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, deflt;
	int pfd[2] = { -1, -1 }, rc, k = 0;

	ui_sync_poll(s);
	if (s->pid > 0)
		return terr_set(e, TERR_ARG, s->kind == UI_CHILD_SYNC ?
		    "Синхронизация уже идёт: дождитесь её конца." :
		    "Идёт регистрация на хабе: дождитесь её конца.");
	if (app_syncd_path(prog, sizeof(prog), e) != 0)
		return e->code;
	argv[k++] = prog;
	argv[k++] = (char *)(uintptr_t)"--db";
	argv[k++] = (char *)(uintptr_t)ui_db_path(s->u);
	if (kind == UI_CHILD_SYNC) {
		argv[k++] = (char *)(uintptr_t)"--once";
	} else {
		argv[k++] = (char *)(uintptr_t)"enroll";
		argv[k++] = (char *)(uintptr_t)"--file";
		argv[k++] = (char *)(uintptr_t)file;
	}
	argv[k] = NULL;
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return terr_set(e, TERR_IO, "Не удалось запустить синхронизацию: %s.",
		    terr_strerror(errno));
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		close(pfd[0]);
		close(pfd[1]);
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	}
	/* nothing to read (a question would wait forever); both outputs into
	 * the pipe, in the order they came */
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDERR_FILENO);
	/* the server's thread blocks SIGINT/SIGTERM/SIGHUP (ui.c waits for
	 * them) and ignores SIGPIPE: the child gets them back, so it stops
	 * cleanly when asked (ui_sync_free) */
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(pfd[0]);
		close(pfd[1]);
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	}
	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGTERM);
	sigaddset(&deflt, SIGHUP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &deflt);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&s->pid, prog, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		s->pid = 0;
		close(pfd[0]);
		return terr_set(e, TERR_IO, "Не удалось запустить «%s»: %s. Программа "
		    "синхронизации должна лежать рядом с tetrad.", prog, terr_strerror(rc));
	}
	(void)fcntl(pfd[0], F_SETFL, fcntl(pfd[0], F_GETFL) | O_NONBLOCK);
	s->fd = pfd[0];
	s->kind = kind;
	s->ended = false;
	s->code = 0;
	s->started = time(NULL);
	s->finished = 0;
	s->out_len = 0;
	s->out[0] = '\0';
	s->out_cut = false;
	free(s->file);
	s->file = file ? strdup(file) : NULL;
	return 0;
}

/* ---- the pages ----------------------------------------------------------- */

void
ui_sync_output_block(struct ui_sync *s, struct html *h, bool open)
{
	const char *out = ui_sync_output(s);

	if (*out == '\0')
		return;
	html_open(h, "details", "class", "log", "open", open ? "" : NULL, NULL);
	/* the program's own lines (English) are for a specialist: the result
	 * sentence above says it in Russian on its own */
	html_elem(h, "summary", "Подробности для специалиста", NULL);
	html_elem(h, "pre", out, "class", "log", "id", "child-log", NULL);
	html_close(h, "details");
}

void
ui_sync_progress(struct ui_sync *s, struct html *h, const char *what, const char *page)
{
	html_open(h, "div", "id", "child-status", "data-running", "1", "data-page", page,
	    NULL);
	html_open(h, "p", "role", "status", NULL);
	html_text(h, what);
	html_text(h, " Прошло секунд: ");
	html_open(h, "span", "id", "child-seconds", NULL);
	html_textf(h, "%ld", ui_sync_seconds(s));
	html_close(h, "span");
	html_text(h, ".");
	html_close(h, "p");
	html_open(h, "div", "class", "progress", "aria-hidden", "true", NULL);
	html_elem(h, "span", "", "class", "running", NULL);
	html_close(h, "div");
	html_open(h, "p", NULL);
	html_text(h, "Страница обновится сама. Если этого не происходит — ");
	html_elem(h, "a", "Обновить", "href", page, "class", "btn", NULL);
	html_close(h, "p");
	html_close(h, "div");
	/* always there: the script fills it as the output comes */
	html_open(h, "details", "class", "log", NULL);
	html_elem(h, "summary", "Подробности для специалиста", NULL);
	html_elem(h, "pre", ui_sync_output(s), "class", "log", "id", "child-log", NULL);
	html_close(h, "details");
}

/* The result of `tetrad-syncd --once` in words (docs/syncd.md, Exit codes). */
static const char *
ui_sync_words(int code, const char **cls)
{
	*cls = "flash error";
	switch (code) {
	case 0:
		*cls = "flash";
		return "Готово: всё отправлено и принято хабом.";
	case 10:
		*cls = "flash warn";
		return "Отправлено не всё: часть записей ещё ждёт отправки (хаб временно не "
		    "принял их или синхронизацию остановили). Они уйдут при следующей "
		    "синхронизации — попробуйте ещё раз чуть позже.";
	case 11:
		*cls = "flash warn";
		return "Хаб не принял часть записей: их нужно посмотреть и исправить.";
	case 12:
		return "Хаб недоступен: нет сети, хаб выключен или его сертификат не тот. "
		    "Записи сохранены на этом компьютере и уйдут при следующей синхронизации.";
	case 2:
		return "Синхронизация не началась: компьютер не зарегистрирован на хабе, не "
		    "подходит пароль ключа устройства или хаб отозвал это устройство. "
		    "Подробности — в сообщении программы ниже.";
	case 4:
		return "Ошибка базы данных на этом компьютере: синхронизация остановлена. "
		    "Подробности — в сообщении программы ниже.";
	default:
		return code < 0 ? "Синхронизация прервана." :
		    "Синхронизация закончилась неизвестным кодом: посмотрите сообщение "
		    "программы ниже.";
	}
}

static void
ui_sync_button(struct ui_req *rq, struct html *h, const char *text)
{
	html_open(h, "form", "method", "post", "action", "/sync", "class", "inline", NULL);
	ui_csrf_input(rq, h);
	html_elem(h, "button", text, "type", "submit", "class", "btn big primary", NULL);
	html_close(h, "form");
}

static void
ui_sync_counts(struct ui_req *rq, struct html *h)
{
	struct store_counts n;
	struct terr e = { 0 };

	if (store_counts(ui_store(ui_req_ui(rq)), &n, &e) != 0)
		return;
	html_open(h, "ul", "class", "counts", NULL);
	html_open(h, "li", NULL);
	html_textf(h, "Ждут отправки: %lld", (long long)n.pending);
	html_close(h, "li");
	html_open(h, "li", NULL);
	html_textf(h, "Отправлены, ждут ответа хаба: %lld", (long long)n.sent);
	html_close(h, "li");
	html_open(h, "li", NULL);
	html_textf(h, "Приняты хабом: %lld", (long long)n.acked);
	html_close(h, "li");
	html_open(h, "li", NULL);
	if (n.quarantined > 0) {
		html_textf(h, "Не приняты хабом: %lld — ", (long long)n.quarantined);
		html_elem(h, "a", "посмотреть и исправить", "href", "/refused", NULL);
	} else {
		html_text(h, "Не приняты хабом: 0");
	}
	html_close(h, "li");
	html_close(h, "ul");
}

int
ui_page_sync(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	struct ui_sync *s = ui_sync_of(u);
	struct terr e = { 0 };
	char *hub = NULL, *at = NULL, *result = NULL;
	struct html *h;
	int code;

	if (ui_req_post(rq)) {
		if (ui_sync_start(s, UI_CHILD_SYNC, NULL, &e) != 0 && !ui_sync_running(s))
			return ui_reply_error(rq, 500, e.msg);
		return ui_reply_redirect(rq, "/sync");
	}
	if (store_meta_get(ui_store(u), "hub_url", &hub, &e) != 0 ||
	    store_meta_get(ui_store(u), "last_sync_at", &at, &e) != 0 ||
	    store_meta_get(ui_store(u), "last_sync_result", &result, &e) != 0) {
		free(hub);
		free(at);
		return ui_reply_error(rq, 500, e.msg);
	}
	if ((h = ui_page_begin(rq, "Синхронизация")) == NULL)
		goto out;
	html_elem(h, "h1", "Синхронизация", NULL);
	if (ui_sync_running(s) && ui_sync_kind(s) == UI_CHILD_ENROLL) {
		html_open(h, "p", NULL);
		html_text(h, "Сейчас идёт регистрация на хабе. ");
		html_elem(h, "a", "Посмотреть", "href", "/enroll", NULL);
		html_close(h, "p");
	} else if (ui_sync_running(s)) {
		ui_sync_progress(s, h, "Идёт синхронизация с хабом: записи отправляются, "
		    "новое приходит.", "/sync");
	} else if (ui_sync_ended(s, UI_CHILD_SYNC, &code)) {
		const char *cls, *words = ui_sync_words(code, &cls);

		html_elem(h, "p", words, "class", cls, "role", "status", "id", "sync-result",
		    "data-code", code == 0 ? "0" : code == 10 ? "10" : code == 11 ? "11" :
		    code == 12 ? "12" : code == 2 ? "2" : code == 4 ? "4" : "other", NULL);
		ui_sync_counts(rq, h);
		ui_sync_output_block(s, h, false);
		html_open(h, "div", "class", "buttons even", NULL);
		ui_sync_button(rq, h, "Синхронизировать ещё раз");
		if (code == 11)
			html_elem(h, "a", "Посмотреть, что не принято", "href", "/refused",
			    "class", "btn big", NULL);
		html_elem(h, "a", "На главную", "href", "/", "class", "btn big", NULL);
		html_close(h, "div");
	} else if (hub == NULL || hub[0] == '\0') {
		html_open(h, "p", "class", "flash warn", NULL);
		html_text(h, "Этот компьютер ещё не зарегистрирован на хабе: синхронизировать "
		    "не с чем. Записи копятся здесь. ");
		html_elem(h, "a", "Зарегистрировать по файлу с хаба", "href", "/enroll", NULL);
		html_close(h, "p");
	} else {
		html_open(h, "p", NULL);
		html_text(h, "Хаб: ");
		html_elem(h, "b", hub, NULL);
		html_text(h, ". ");
		if (at && at[0])
			html_textf(h, "Последняя синхронизация: %s — %s.", at,
			    app_sync_result_words(result));
		else
			html_text(h, "Синхронизации ещё не было.");
		html_close(h, "p");
		ui_sync_counts(rq, h);
		ui_sync_button(rq, h, "Синхронизировать");
	}
 out:
	free(hub);
	free(at);
	free(result);
	return ui_page_end(rq, h, 200);
}

int
ui_page_sync_status(struct ui_req *rq)
{
	struct ui_sync *s = ui_sync_of(ui_req_ui(rq));
	cJSON *o = cJSON_CreateObject();
	const char *cls;
	char *text = NULL;
	int code = 0;
	bool ended;

	if (o == NULL)
		return ui_reply_error(rq, 500, "Недостаточно памяти.");
	ended = ui_sync_ended(s, ui_sync_kind(s), &code);
	if (!cJSON_AddBoolToObject(o, "running", ui_sync_running(s)) ||
	    !cJSON_AddStringToObject(o, "kind", ui_sync_kind(s) == UI_CHILD_SYNC ? "sync" :
	    ui_sync_kind(s) == UI_CHILD_ENROLL ? "enroll" : "") ||
	    !cJSON_AddNumberToObject(o, "seconds", (double)ui_sync_seconds(s)) ||
	    !(ended ? cJSON_AddNumberToObject(o, "code", code) != NULL :
	    cJSON_AddNullToObject(o, "code") != NULL) ||
	    !cJSON_AddStringToObject(o, "words", ended && ui_sync_kind(s) == UI_CHILD_SYNC ?
	    ui_sync_words(code, &cls) : "") ||
	    !cJSON_AddStringToObject(o, "output", ui_sync_output(s)) ||
	    (text = cJSON_PrintUnformatted(o)) == NULL) {
		cJSON_Delete(o);
		return ui_reply_error(rq, 500, "Недостаточно памяти.");
	}
	cJSON_Delete(o);
	return ui_reply_json(rq, 200, text);
}
