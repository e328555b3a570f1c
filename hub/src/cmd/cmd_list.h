/*
 * cmd_list — every listing of tetrad-hub (issue 24): tokens, devices, keys,
 * schools, conflicts, quarantine, programmes, forms, the dashboard's accounts
 * and audit log. One shape for all:
 *   - a table for people: Russian column headers in every listing, values
 *     escaped (termsafe), "-" for none, «<Заголовок>: пусто» when empty;
 *   - with --json, one JSON array of objects on stdout: English snake_case
 *     keys (stable for scripts), values typed — numbers as numbers (a
 *     watermark is 11, not "11"), true/false, null for none, times as
 *     ISO 8601 strings.
 * Warnings that go with a listing (a device's quarantine is full) go to
 * stderr with --json, so stdout stays one document.
 */
#ifndef TETRAD_HUB_CMD_LIST_H
#define TETRAD_HUB_CMD_LIST_H

#include <stdbool.h>

#include "hubconf.h"

enum cmd_list_kind {
	CMD_LIST_TOKENS = 1,
	CMD_LIST_DEVICES,
	CMD_LIST_KEYS,
	CMD_LIST_SCHOOLS,
	CMD_LIST_CONFLICTS,
	CMD_LIST_QUARANTINE,
	CMD_LIST_PROGRAMMES,
	CMD_LIST_FORMS,
	CMD_LIST_USERS,
	CMD_LIST_AUDIT,
};

struct cmd_list_opts {
	bool json;
	const char *year;        /* programmes list --year ГГГГ, already checked; NULL: all */
};

/* Opens what it needs of h, prints the listing; 0 or a TERR_* code with e set. */
int cmd_list_show(struct hubconf *h, enum cmd_list_kind kind, const struct cmd_list_opts *o,
    struct terr *e);

#endif
