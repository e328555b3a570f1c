/*
 * ui_records — the record list (filters, search, pages), a record's page,
 * delete with confirmation. (Being written: the pages answer «не готово».)
 */
#include "ui_private.h"

int
ui_page_records(struct ui_req *rq)
{
	return ui_reply_error(rq, 501, "Список записей ещё не готов.");
}

int
ui_page_record(struct ui_req *rq)
{
	return ui_reply_error(rq, 501, "Страница записи ещё не готова.");
}

int
ui_page_delete(struct ui_req *rq)
{
	return ui_reply_error(rq, 501, "Удаление ещё не готово.");
}

int
ui_records_render(struct ui *u, const char *query, struct html *h, struct terr *e)
{
	(void)u;
	(void)query;
	(void)h;
	return terr_set(e, TERR_INTERNAL, "список записей ещё не готов");
}
