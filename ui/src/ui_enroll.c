/*
 * ui_enroll — /enroll: this computer enrolled on the hub from the file its
 * coordinator gives (`tetrad-hub token create … --enroll-file`: address,
 * one-time token and certificate pin in one file; enrollfile.h) instead of
 * three pieces typed by hand. The upload is read here first, so a wrong
 * file is named at once; then it is written to a private file beside the
 * database (0600: it holds the token) and `tetrad-syncd enroll --file`
 * runs as the interface's child (ui_sync.h), the page showing its
 * progress and then the result in words.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "tetrad/enrollfile.h"

#include "ui_sync.h"

/* The result of `tetrad-syncd enroll` in words (docs/syncd.md, Exit codes). */
static const char *
ui_enroll_words(int code, const char **cls)
{
	*cls = "flash error";
	switch (code) {
	case 0:
		*cls = "flash";
		return "Готово: компьютер зарегистрирован на хабе. Теперь записи можно "
		    "синхронизировать.";
	case 2:
		return "Хаб не принял код из файла, или файл не подходит этому компьютеру. "
		    "Причина — в сообщении ниже; обычно нужен новый файл от координатора.";
	case 12:
		return "Хаб недоступен, или его сертификат не совпадает с указанным в файле. "
		    "Проверьте сеть и попробуйте ещё раз; если не поможет — позвоните "
		    "координатору.";
	case 4:
		return "Ошибка базы данных или файла на этом компьютере: регистрация не "
		    "сделана. Подробности — в сообщении ниже.";
	default:
		return "Регистрация прервана: посмотрите сообщение программы ниже.";
	}
}

static void
ui_enroll_form(struct ui_req *rq, struct html *h)
{
	html_open(h, "form", "method", "post", "action", "/enroll", "enctype",
	    "multipart/form-data", "class", "upload", NULL);
	ui_csrf_input(rq, h);
	html_open(h, "p", NULL);
	html_elem(h, "label", "Файл подключения от координатора (…" ENROLLFILE_EXT ")",
	    "for", "file", NULL);
	html_void(h, "br", NULL);
	html_void(h, "input", "type", "file", "name", "file", "id", "file", "required", "",
	    "accept", ENROLLFILE_EXT ",.json,application/json", NULL);
	html_close(h, "p");
	html_elem(h, "button", "Зарегистрировать", "type", "submit", "class", "btn primary",
	    NULL);
	html_close(h, "form");
}

/* The page: the running child, its result, or the upload form. error: a
 * problem with the file just sent, shown above the form. */
static int
ui_enroll_page(struct ui_req *rq, const char *error, int status)
{
	struct ui *u = ui_req_ui(rq);
	struct ui_sync *s = ui_sync_of(u);
	struct terr e = { 0 };
	char *hub = NULL;
	struct html *h;
	int code;

	if (store_meta_get(ui_store(u), "hub_url", &hub, &e) != 0)
		return ui_reply_error(rq, 500, e.msg);
	if ((h = ui_page_begin(rq, "Регистрация на хабе")) == NULL)
		goto out;
	html_elem(h, "h1", "Регистрация на хабе", NULL);
	if (ui_sync_running(s) && ui_sync_kind(s) == UI_CHILD_ENROLL) {
		ui_sync_progress(s, h, "Идёт регистрация: компьютер обращается к хабу.",
		    "/enroll");
		goto out;
	}
	if (ui_sync_running(s)) {
		html_open(h, "p", NULL);
		html_text(h, "Сейчас идёт синхронизация: зарегистрироваться можно после неё. ");
		html_elem(h, "a", "Посмотреть", "href", "/sync", NULL);
		html_close(h, "p");
		goto out;
	}
	if (ui_sync_ended(s, UI_CHILD_ENROLL, &code)) {
		const char *cls, *words = ui_enroll_words(code, &cls);

		html_elem(h, "p", words, "class", cls, "role", "status", "id", "enroll-result",
		    NULL);
		/* the program's own line says which hub and what kind of device;
		 * a refusal's reason is in it too */
		ui_sync_output_block(s, h, true);
		if (code == 0) {
			html_open(h, "form", "method", "post", "action", "/sync", "class", "inline",
			    NULL);
			ui_csrf_input(rq, h);
			html_elem(h, "button", "Синхронизировать", "type", "submit",
			    "class", "btn big primary", NULL);
			html_close(h, "form");
			goto out;
		}
	}
	if (error != NULL)
		html_elem(h, "p", error, "class", "flash error", "role", "alert", NULL);
	if (hub != NULL && hub[0] != '\0') {
		html_open(h, "p", NULL);
		html_text(h, "Этот компьютер зарегистрирован на хабе ");
		html_elem(h, "b", hub, NULL);
		html_text(h, ". Зарегистрировать его заново (на другом хабе или после отзыва) "
		    "может администратор командой «tetrad enroll --file ФАЙЛ --force».");
		html_close(h, "p");
		goto out;
	}
	html_elem(h, "p", "Координатор даёт для каждого компьютера файл подключения: в нём "
	    "адрес хаба, одноразовый код и отпечаток сертификата хаба. Выберите этот файл — "
	    "больше ничего вводить не нужно. Файл действует один раз.", NULL);
	ui_enroll_form(rq, h);
 out:
	free(hub);
	return ui_page_end(rq, h, status);
}

/* The upload into a private file beside the database; its path into out. */
static int
ui_enroll_save(struct ui *u, const char *data, size_t len, char *out, size_t cap,
    struct terr *e)
{
	size_t off = 0;
	int fd;

	if ((size_t)snprintf(out, cap, "%s.enroll.XXXXXX", ui_db_path(u)) >= cap)
		return terr_set(e, TERR_ARG, "Путь к базе слишком длинный.");
	if ((fd = mkstemp(out)) < 0)
		return terr_set(e, TERR_IO, "Не удалось сохранить файл рядом с базой: %s.",
		    terr_strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = errno;

			close(fd);
			unlink(out);
			return terr_set(e, TERR_IO, "Не удалось сохранить файл рядом с базой: %s.",
			    terr_strerror(saved));
		}
		off += (size_t)n;
	}
	if (close(fd) != 0) {
		unlink(out);
		return terr_set(e, TERR_IO, "Не удалось сохранить файл рядом с базой.");
	}
	return 0;
}

int
ui_page_enroll(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	const struct webfield *file;
	struct enrollfile *ef = NULL;
	struct terr e = { 0 };
	char path[4200], msg[TERR_MSG_MAX + 64];
	int r;

	if (!ui_req_post(rq))
		return ui_enroll_page(rq, NULL, 200);
	file = webform_field(ui_req_form(rq), "file");
	if (file == NULL || file->len == 0)
		return ui_enroll_page(rq, "Файл не выбран: нажмите «Выберите файл» и укажите "
		    "файл подключения от координатора.", 400);
	if (file->len > ENROLLFILE_MAX)
		return ui_enroll_page(rq, "Это не файл подключения: он слишком большой. "
		    "Файл подключения — маленький файл …" ENROLLFILE_EXT " от координатора.", 400);
	if ((ef = malloc(sizeof(*ef))) == NULL)
		return ui_reply_error(rq, 500, "Недостаточно памяти.");
	/* a wrong file named now, before anything runs */
	r = enrollfile_parse(file->value, file->len, ef, &e);
	sodium_memzero(ef, sizeof(*ef));
	free(ef);
	if (r != 0) {
		snprintf(msg, sizeof(msg), "Этот файл не подходит: %s.", e.msg);
		return ui_enroll_page(rq, msg, 400);
	}
	if (ui_sync_running(ui_sync_of(u)))
		return ui_enroll_page(rq, NULL, 200);
	if (ui_enroll_save(u, file->value, file->len, path, sizeof(path), &e) != 0)
		return ui_enroll_page(rq, e.msg, 500);
	if (ui_sync_start(ui_sync_of(u), UI_CHILD_ENROLL, path, &e) != 0) {
		unlink(path);
		return ui_enroll_page(rq, e.msg, 500);
	}
	return ui_reply_redirect(rq, "/enroll");
}
