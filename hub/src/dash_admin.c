/*
 * dash_admin — the listings of the store as pages: for administrators the
 * accounts, the audit log, devices, enrollment tokens, schools and
 * published forms; for administrators and coordinators the review lists
 * (conflicts, refused sets). Each is the store's listing (hubdb_list), the
 * same one `tetrad-hub … list` prints.
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

/* A conflict's values are the fields' JSON as the devices sent them: a name
 * of a child may be among them, so the lists show where, not what. */
static const char *const dash_conflict_hide[] = { "loser_value", "winner_value", NULL };

static const struct dash_listing_page dash_admin_pages[] = {
	{ "users", "Учётные записи", "Учётные записи панели", "Учётных записей нет.",
	  "Создать учётную запись или задать забытый пароль: tetrad-hub user add ЛОГИН --role "
	  "admin|coordinator|school, tetrad-hub user passwd ЛОГИН (на сервере хаба).",
	  HUBDB_LIST_USERS, NULL, NULL },
	{ "audit", "Журнал аудита", "Журнал аудита", "Записей в журнале нет.",
	  "Входы и неудачные попытки, выгрузки, отказы в доступе — новые первыми. Весь журнал: "
	  "tetrad-hub audit list.", HUBDB_LIST_AUDIT, NULL, NULL },
	{ "devices", "Устройства", "Устройства", "Ни одно устройство ещё не подключено.",
	  "Все устройства, подключённые к хабу: какое последнее число наборов приняло, когда "
	  "присылало, отстаёт ли в получении.", HUBDB_LIST_DEVICES, NULL, dash_revoke_forms },
	{ "tokens", "Коды регистрации", "Коды регистрации", "Кодов регистрации нет.",
	  "Код одноразовый: устройство регистрируется по нему один раз. Хаб хранит только хеш "
	  "кода.", HUBDB_LIST_TOKENS, NULL, dash_token_form },
	{ "schools", "Школы", "Реестр школ", "Реестр школ пуст.",
	  "Загрузить реестр: tetrad-hub schools import ФАЙЛ.csv.", HUBDB_LIST_SCHOOLS, NULL, NULL },
	{ "forms", "Формы", "Опубликованные формы", "Опубликованных форм нет: устройства "
	  "работают со встроенными.", "Опубликовать: tetrad-hub forms publish ФАЙЛ.",
	  HUBDB_LIST_FORMS, NULL, NULL },
};

static const struct dash_listing_page dash_review_pages[] = {
	{ "conflicts", "Конфликты", "Конфликты значений", "Конфликтов нет.",
	  "Поле, которое два устройства изменили независимо: принято более позднее изменение, "
	  "уступившее записано здесь. Значения полей на странице не показываются.",
	  HUBDB_LIST_CONFLICTS, dash_conflict_hide, NULL },
	{ "quarantine", "Отклонённые наборы", "Отклонённые наборы (карантин)",
	  "Отклонённых наборов нет.", "Наборы, которые хаб не принял, с причиной. Устройство "
	  "узнаёт о них при следующей синхронизации.", HUBDB_LIST_QUARANTINE, NULL, NULL },
};

static int
dash_listing(struct dash_req *rq, const char *rest, const char *base, const char *nav,
    const struct dash_listing_page *pages, size_t npages)
{
	const struct dash_listing_page *pg = NULL;
	char href[96];
	struct html *h;
	struct terr e;

	terr_clear(&e);
	for (size_t i = 0; i < npages; i++)
		if (strcmp(rest, pages[i].slug) == 0)
			pg = &pages[i];
	if (pg == NULL)
		return dash_error(rq, 404, "Страница не найдена", "Такой страницы нет.");
	if ((h = dash_page_begin(rq, pg->title, nav)) == NULL)
		return dash_reply_html(rq, 503, NULL);
	html_open(h, "nav", "class", "tabs", NULL);
	for (size_t i = 0; i < npages; i++) {
		snprintf(href, sizeof(href), "%s%s", base, pages[i].slug);
		html_elem(h, "a", pages[i].tab, "href", href, "class", &pages[i] == pg ? "current" :
		    NULL, "aria-current", &pages[i] == pg ? "page" : NULL, NULL);
	}
	html_close(h, "nav");
	html_elem(h, "p", pg->hint, "class", "muted", NULL);
	if (pg->form != NULL)
		pg->form(rq, h);
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
