/*
 * ui_routes — every page of `tetrad ui` and the handler that serves it
 * (ui_private.h says which file each lives in). A path not here is 404.
 */
#include <string.h>

#include "ui_private.h"

static const struct ui_route ui_routes[] = {
	{ "/", ui_page_home, false },
	{ "/unlock", ui_page_unlock, false },
	{ "/records", ui_page_records, false },
	{ "/record", ui_page_record, false },
	{ "/delete", ui_page_delete, false },
	{ "/new", ui_page_new, false },
	{ "/fill", ui_page_fill, false },
	{ "/review", ui_page_review, false },
	{ "/sync", ui_page_sync, false },
	{ "/sync/status", ui_page_sync_status, false },
	{ "/refused", ui_page_refused, false },
	{ "/export", ui_page_export, false },
	{ "/export/file", ui_page_export, false },
	{ "/import", ui_page_import, true },
	{ "/enroll", ui_page_enroll, true },
};

const struct ui_route *
ui_route_find(const char *path)
{
	for (size_t i = 0; i < sizeof(ui_routes) / sizeof(ui_routes[0]); i++)
		if (strcmp(ui_routes[i].path, path) == 0)
			return &ui_routes[i];
	return NULL;
}
