/*
 * ui_enroll — enrollment of this device from the file the hub's
 * administrator gives (enrollfile.h): uploaded here, handed to
 * `tetrad-syncd enroll --file` as a child.
 */
#include "ui_private.h"

int
ui_page_enroll(struct ui_req *rq)
{
	return ui_reply_error(rq, 501, "Подключение по файлу ещё не готово.");
}
