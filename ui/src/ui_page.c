/*
 * ui_page — the frame every page of `tetrad ui` shares once the request
 * has passed ui_server.c's checks: the header (the device and its
 * school(s), the lock when hidden values are closed, the navigation), the
 * notice of the last action, the CSRF field, the error page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/page.h"
#include "ui_private.h"

int
ui_reply_error(struct ui_req *rq, int status, const char *message)
{
	struct html *h = ui_page_begin(rq, "Ошибка");

	if (h != NULL) {
		html_elem(h, "h1", "Не получилось", NULL);
		html_elem(h, "p", message, "class", "flash error", NULL);
		html_open(h, "p", NULL);
		html_elem(h, "a", "На главную", "href", "/", "class", "btn", NULL);
		html_close(h, "p");
	}
	return ui_page_end(rq, h, status ? status : 500);
}

/* ---- the page frame ---------------------------------------------------- */

static void
ui_nav_link(struct html *h, const char *path, const char *text, const char *current)
{
	bool here = current != NULL && strcmp(path, current) == 0;

	html_elem(h, "a", text, "href", path, "class", here ? "current" : NULL,
	    "aria-current", here ? "page" : NULL, NULL);
}

/* The device's school(s) for the header: names when the register knows them. */
static void
ui_header_schools(struct ui *u, struct html *h)
{
	struct localdb *db = store_localdb(ui_store(u));
	struct terr e = { 0 };
	char *list = NULL, *kind = NULL, *own = NULL, *own_name = NULL, name[256];
	bool curator;

	if (store_meta_get(ui_store(u), "device_kind", &kind, &e) != 0)
		kind = NULL;
	curator = kind != NULL && strcmp(kind, "curator") == 0;
	if (store_meta_get(ui_store(u), "device_schools", &list, &e) != 0 || list == NULL ||
	    list[0] == '\0') {
		free(list);
		list = NULL;
		if (store_meta_get(ui_store(u), "school", &list, &e) != 0)
			list = NULL;
	}
	/* a school device's own name, from `init --name` or its token */
	if (store_meta_get(ui_store(u), "school", &own, &e) != 0 ||
	    store_meta_get(ui_store(u), "school_name", &own_name, &e) != 0) {
		free(own);
		own = NULL;
	}
	html_open(h, "span", "class", "where", NULL);
	html_text(h, curator ? "Ноутбук куратора" : "Школа");
	if (list != NULL && list[0]) {
		size_t shown = 0;
		char *save = NULL;

		html_text(h, ": ");
		for (char *code = strtok_r(list, ",", &save); code; code = strtok_r(NULL, ",", &save)) {
			if (shown++ == 3) {
				html_text(h, ", …");
				break;
			}
			if (shown > 1)
				html_text(h, ", ");
			html_open(h, "b", NULL);
			if (localdb_school_name(db, code, name, sizeof(name), &e) == 1)
				html_textf(h, "%s (%s)", name, code);
			else if (own != NULL && own_name != NULL && own_name[0] &&
			    strcmp(own, code) == 0)
				html_textf(h, "%s (%s)", own_name, code);
			else
				html_text(h, code);
			html_close(h, "b");
		}
	}
	html_close(h, "span");
	free(list);
	free(kind);
	free(own);
	free(own_name);
}

struct html *
ui_page_begin(struct ui_req *rq, const char *title)
{
	struct html *h = html_new(0);
	char *flash;

	if (h == NULL)
		return NULL;
	web_page_begin(h, title);
	html_open(h, "header", "class", "top", NULL);
	html_elem(h, "a", "Тетрад", "href", "/", "class", "brand", NULL);
	ui_header_schools(ui_req_ui(rq), h);
	if (store_locked(ui_store(ui_req_ui(rq))))
		html_elem(h, "a", "Открыть скрытые данные", "href", "/unlock", "class", "lock", NULL);
	html_open(h, "nav", "class", "main", NULL);
	ui_nav_link(h, "/new", "Новая запись", ui_req_path(rq));
	ui_nav_link(h, "/records", "Записи", ui_req_path(rq));
	ui_nav_link(h, "/sync", "Синхронизация", ui_req_path(rq));
	ui_nav_link(h, "/export", "Выгрузить", ui_req_path(rq));
	ui_nav_link(h, "/import", "Загрузить CSV", ui_req_path(rq));
	html_close(h, "nav");
	html_close(h, "header");
	html_open(h, "main", NULL);
	if ((flash = ui_flash_take(ui_req_ui(rq))) != NULL) {
		html_elem(h, "p", flash, "class", "flash", "role", "status", NULL);
		free(flash);
	}
	return h;
}

int
ui_page_end(struct ui_req *rq, struct html *h, int status)
{
	char *page;
	size_t len = 0;
	struct terr e = { 0 };

	if (h == NULL)
		return ui_reply_bare(rq, 500, "Ошибка", "Не хватило памяти, чтобы показать "
		    "страницу. Ничего не потеряно: попробуйте ещё раз.", "/", "На главную");
	html_close(h, "main");
	web_page_end(h);
	page = html_take(h, &len, &e);
	html_free(h);
	if (page == NULL)
		return ui_reply_bare(rq, 500, "Ошибка", "Страницу не удалось составить. "
		    "Ничего не потеряно: попробуйте ещё раз.", "/", "На главную");
	return ui_reply_html(rq, status ? status : 200, page, len);
}

void
ui_csrf_input(struct ui_req *rq, struct html *h)
{
	html_void(h, "input", "type", "hidden", "name", UI_CSRF_FIELD, "value",
	    ui_csrf(ui_req_ui(rq)), NULL);
}
