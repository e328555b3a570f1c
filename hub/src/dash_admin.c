/*
 * dash_admin — the listings of the store as pages: for administrators the
 * accounts, the audit log, devices, enrollment tokens, schools and
 * published forms; for administrators and coordinators the review lists
 * (conflicts, refused sets). Each is the store's listing (hubdb_list), the
 * same one `tetrad-hub … list` prints, downloadable as .xlsx and CSV
 * (dash_listing_dl.c); the forms above a listing are dash_users.c's,
 * dash_registry.c's and dash_enroll.c's.
 */
#include <stdio.h>
#include <string.h>

#include "dash_private.h"
#include "dash_table.h"

#define DASH_LIST_ROWS 500

struct dash_listing_page {
	const char *slug, *tab, *title, *empty, *hint;
	enum hubdb_listing what;
	const char *const *hide;
	void (*form)(struct dash_req *rq, struct html *h);   /* an action above the list */
};

static const struct dash_listing_page dash_admin_pages[] = {
	{ "users", "Учётные записи", "Учётные записи панели", "Учётных записей нет.",
	  "Кто входит в панель и с какой ролью. Создать запись, задать забытый пароль, "
	  "заблокировать ушедшего сотрудника — формами ниже (или tetrad-hub user … на сервере "
	  "хаба).", HUBDB_LIST_USERS, NULL, dash_users_forms },
	{ "audit", "Журнал аудита", "Журнал аудита", "Записей в журнале нет.",
	  "Входы и неудачные попытки, выгрузки, отказы в доступе, действия администраторов — "
	  "новые первыми. Весь журнал — в выгрузке ниже или командой tetrad-hub audit list.",
	  HUBDB_LIST_AUDIT, NULL, NULL },
	{ "devices", "Устройства", "Устройства", "Ни одно устройство ещё не подключено.",
	  "Все устройства, подключённые к хабу: какое последнее число наборов приняло, когда "
	  "присылало, отстаёт ли в получении.", HUBDB_LIST_DEVICES, NULL, dash_revoke_forms },
	{ "tokens", "Коды регистрации", "Коды регистрации", "Кодов регистрации нет.",
	  "Код одноразовый: устройство регистрируется по нему один раз. Хаб хранит только хеш "
	  "кода.", HUBDB_LIST_TOKENS, NULL, dash_token_form },
	{ "schools", "Школы", "Реестр школ", "Реестр школ пуст.",
	  "Добавить школу или исправить её название — формой ниже; весь реестр из таблицы: "
	  "tetrad-hub schools import ФАЙЛ.csv.", HUBDB_LIST_SCHOOLS, NULL, dash_school_form },
	{ "programmes", "Программы", "Программы школ по годам", "Ни одна школа не включена в "
	  "программу.", "Школы программ (ШНОР, ШНСУ, 500+, ШАНС, школа-партнёр) по годам: по "
	  "ним отчёт о полноте знает, какие школы должны сдать данные. Список года целиком: "
	  "tetrad-hub programmes import ФАЙЛ.csv.", HUBDB_LIST_PROGRAMMES, NULL,
	  dash_programme_form },
	{ "forms", "Формы", "Опубликованные формы", "Опубликованных форм нет: устройства "
	  "работают со встроенными.", "Опубликованная форма подписывается ключом хаба; "
	  "устройства получают её при следующей синхронизации.", HUBDB_LIST_FORMS, NULL,
	  dash_publish_form },
};

static const struct dash_listing_page dash_review_pages[] = {
	{ "conflicts", "Конфликты", "Конфликты значений", "Конфликтов нет.",
	  "Поле, которое два устройства изменили независимо: принято более позднее изменение, "
	  "уступившее записано здесь.",
	  HUBDB_LIST_CONFLICTS, NULL, NULL },
	{ "quarantine", "Отклонённые наборы", "Отклонённые наборы (карантин)",
	  "Отклонённых наборов нет.", "Наборы, которые хаб не принял, с причиной. Устройство "
	  "узнаёт о них при следующей синхронизации.", HUBDB_LIST_QUARANTINE, NULL, NULL },
};

/* What a page's POST did, said on the listing it returns to (?done=…&what=…). */
static const char *const dash_done_words[][3] = {
	{ "user_added", "Учётная запись ", " создана." },
	{ "user_passwd", "Учётной записи ", " задан новый пароль; её открытые сеансы закрыты." },
	{ "user_disabled", "Учётная запись ", " заблокирована; её сеансы закрыты." },
	{ "user_enabled", "Учётная запись ", " снова может входить." },
	{ "school_added", "Школа ", " записана в реестр." },
	{ "programme_set", "Школа ", " включена в программу." },
	{ "programme_unset", "Школа ", " снята с программы." },
	{ "form_published", "Форма ", " опубликована: устройства получат её при следующей "
	  "синхронизации." },
};

#define DASH_WHAT_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

int
dash_admin_done(struct dash_req *rq, const char *path, const char *done, const char *what)
{
	char to[DASH_PATH_MAX + 200];

	/* codes, logins and form ids only: nothing to escape, nothing personal */
	snprintf(to, sizeof(to), "%s?done=%s&what=%.100s", path, done,
	    strspn(what, DASH_WHAT_CHARS) == strlen(what) ? what : "");
	return dash_redirect(rq, to);
}

static void
dash_done_flash(struct dash_req *rq, struct html *h)
{
	const char *done = dash_arg(rq, "done"), *what = dash_arg(rq, "what");

	if (done == NULL || what == NULL || what[0] == '\0' ||
	    strspn(what, DASH_WHAT_CHARS) != strlen(what))
		return;
	for (size_t i = 0; i < sizeof(dash_done_words) / sizeof(dash_done_words[0]); i++) {
		if (strcmp(done, dash_done_words[i][0]) != 0)
			continue;
		html_open(h, "p", "class", "flash", "role", "status", NULL);
		html_text(h, dash_done_words[i][1]);
		html_text(h, what);
		html_text(h, dash_done_words[i][2]);
		html_close(h, "p");
	}
}

static int
dash_listing(struct dash_req *rq, const char *rest, const char *base, const char *nav,
    const struct dash_listing_page *pages, size_t npages)
{
	const struct dash_listing_page *pg = NULL;
	const char *dot = strchr(rest, '.');
	size_t nlen = dot ? (size_t)(dot - rest) : strlen(rest);
	char href[96];
	struct html *h;
	struct terr e;

	terr_clear(&e);
	for (size_t i = 0; i < npages; i++)
		if (strlen(pages[i].slug) == nlen && strncmp(rest, pages[i].slug, nlen) == 0)
			pg = &pages[i];
	if (pg == NULL)
		return dash_error(rq, 404, "Страница не найдена", "Такой страницы нет.");
	if (dot != NULL)
		return dash_listing_download(rq, pg->what, pg->hide, dot + 1, pg->slug);
	if ((h = dash_page_begin(rq, pg->title, nav)) == NULL)
		return dash_reply_html(rq, 503, NULL);
	html_open(h, "nav", "class", "tabs", NULL);
	for (size_t i = 0; i < npages; i++) {
		snprintf(href, sizeof(href), "%s%s", base, pages[i].slug);
		html_elem(h, "a", pages[i].tab, "href", href, "class", &pages[i] == pg ? "current" :
		    NULL, "aria-current", &pages[i] == pg ? "page" : NULL, NULL);
	}
	html_close(h, "nav");
	dash_done_flash(rq, h);
	html_elem(h, "p", pg->hint, "class", "muted", NULL);
	if (pg->form != NULL)
		pg->form(rq, h);
	html_open(h, "p", "class", "downloads", NULL);
	snprintf(href, sizeof(href), "%s%s.xlsx", base, pg->slug);
	html_elem(h, "a", "Скачать .xlsx", "href", href, "class", "btn", "download", "", NULL);
	html_text(h, " ");
	snprintf(href, sizeof(href), "%s%s.csv", base, pg->slug);
	html_elem(h, "a", "CSV", "href", href, "class", "btn quiet", "download", "", NULL);
	html_close(h, "p");
	if (dash_table_listing(h, rq->db, pg->what, pg->hide, DASH_LIST_ROWS, pg->empty, &e) != 0) {
		html_free(h);
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s %s: %s", rq->addr, rq->path_log, e.msg);
		return dash_error(rq, 503, "Список не прочитан", "Хаб сейчас не может прочитать "
		    "список. Повторите через минуту.");
	}
	return dash_page_end(rq, h);
}

int
dash_admin_page(struct dash_req *rq, const char *rest)
{
	return dash_listing(rq, rest, "/admin/", "admin", dash_admin_pages,
	    sizeof(dash_admin_pages) / sizeof(dash_admin_pages[0]));
}

int
dash_review_page(struct dash_req *rq, const char *rest)
{
	return dash_listing(rq, rest, "/review/", "review", dash_review_pages,
	    sizeof(dash_review_pages) / sizeof(dash_review_pages[0]));
}
