/*
 * ui_sync — «Синхронизировать»: tetrad-syncd runs as a child of the
 * interface (the server has one thread and a sync may take minutes), its
 * output read without blocking; the refused records with the hub's reason
 * and «исправить и отправить снова».
 */
#include <stdlib.h>
#include <string.h>

#include "ui_private.h"

struct ui_sync {
	struct ui *u;
};

int
ui_sync_new(struct ui *u, struct ui_sync **out, struct terr *e)
{
	struct ui_sync *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL)
		return terr_set(e, TERR_NOMEM, "нет памяти");
	s->u = u;
	*out = s;
	return 0;
}

void
ui_sync_free(struct ui_sync *s)
{
	free(s);
}

void
ui_sync_poll(struct ui_sync *s)
{
	(void)s;
}

bool
ui_sync_running(const struct ui_sync *s)
{
	(void)s;
	return false;
}

int
ui_page_sync(struct ui_req *rq)
{
	return ui_reply_error(rq, 501, "Синхронизация из окна ещё не готова.");
}

int
ui_page_sync_status(struct ui_req *rq)
{
	char *t = strdup("{\"running\": false}");

	if (t == NULL)
		return ui_reply_error(rq, 500, "Нет памяти.");
	return ui_reply_json(rq, 200, t);
}

int
ui_page_refused(struct ui_req *rq)
{
	return ui_reply_error(rq, 501, "Список отклонённых записей ещё не готов.");
}
