/*
 * ui_io — «Выгрузить»: a form's records as an Excel workbook or a CSV file
 * downloaded by the browser; and the import of a CSV (the class-level
 * social passports) with its row-by-row report.
 */
#include "ui_private.h"

int
ui_page_export(struct ui_req *rq)
{
	return ui_reply_error(rq, 501, "Выгрузка из окна ещё не готова.");
}

int
ui_page_import(struct ui_req *rq)
{
	return ui_reply_error(rq, 501, "Загрузка CSV из окна ещё не готова.");
}
