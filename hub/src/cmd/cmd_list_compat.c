/*
 * cmd_list_compat — TEMPORARY (issue 24): the listings as they were printed
 * before cmd_list.c (h24-hubout) exists, behind cmd_list.h, so the hub CLI
 * builds and its tests run meanwhile. Weak: cmd_list.c's cmd_list_show
 * replaces it; this file is deleted when h24-hubout is merged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hub/programmes.h"
#include "hub/schools.h"
#include "tetrad/csvtab.h"
#include "tetrad/termsafe.h"

/* Printing of listings: a table for people, or a JSON array. */
struct cmd_lister {
	bool json;
	size_t rows;
};

/*
 * Everything in the store came from outside (devices, tokens' names): it
 * is printed escaped (termsafe.h), in a table and in JSON alike. 0, or
 * TERR_NOMEM.
 */
static int
cmd_compat_put(const char *s, bool json)
{
	char *t = json ? termsafe_json_dup(s) : termsafe_dup(s);

	if (t == NULL)
		return TERR_NOMEM;
	printf(json ? "\"%s\"" : "%s", t);
	free(t);
	return 0;
}

static int
cmd_compat_row(void *ctx, int n, const char *const *names, const char *const *vals)
{
	struct cmd_lister *l = ctx;

	if (l->json) {
		printf("%s\n  {", l->rows ? "," : "[");
		for (int i = 0; i < n; i++) {
			printf("%s", i ? ", " : "");
			if (cmd_compat_put(names[i], true) != 0)
				return TERR_NOMEM;
			printf(": ");
			if (vals[i] == NULL)
				printf("null");
			else if (cmd_compat_put(vals[i], true) != 0)
				return TERR_NOMEM;
		}
		printf("}");
	} else {
		if (l->rows == 0) {
			for (int i = 0; i < n; i++)
				printf("%s%s", i ? "\t" : "", names[i]);
			printf("\n");
		}
		for (int i = 0; i < n; i++) {
			printf("%s", i ? "\t" : "");
			if (cmd_compat_put(vals[i] ? vals[i] : "-", false) != 0)
				return TERR_NOMEM;
		}
		printf("\n");
	}
	l->rows++;
	return 0;
}

/* A device whose quarantine is full: what the coordinator should know and do. */
static int
cmd_compat_full_row(void *ctx, int n, const char *const *names, const char *const *vals)
{
	FILE *out = ctx;
	char *dev;

	(void)names;
	if (n < 3 || (dev = termsafe_dup(vals[0])) == NULL)
		return TERR_NOMEM;
	fprintf(out, "ВНИМАНИЕ: карантин устройства %s переполнен (не больше %d наборов и "
	    "%u МиБ): отброшено наборов %s, последний %s. Столько отклонённых наборов "
	    "подряд бывает, когда ключ устройства украден: если так, отзовите его "
	    "(tetrad-hub device revoke %s).\n", dev, HUBDB_QUARANTINE_MAX_ENTRIES,
	    HUBDB_QUARANTINE_MAX_BYTES >> 20, vals[1] ? vals[1] : "?",
	    vals[2] ? vals[2] : "?", dev);
	free(dev);
	return 0;
}

static int
cmd_compat_store(struct hubconf *h, enum hubdb_listing what, const char *title, bool json,
    struct terr *e)
{
	struct cmd_lister l = { json, 0 };
	int r;

	if ((r = hubdb_list(h->db, what, cmd_compat_row, &l, e)) != 0)
		return r;
	if (l.json)
		printf("%s]\n", l.rows ? "\n" : "[");
	else if (l.rows == 0)
		printf("%s: пусто\n", title);
	if (what == HUBDB_LIST_QUARANTINE || what == HUBDB_LIST_DEVICES) {
		fflush(stdout);
		if ((r = hubdb_list(h->db, HUBDB_LIST_QUARANTINE_FULL, cmd_compat_full_row,
		    l.json ? stderr : stdout, e)) != 0)
			return r;
	}
	return 0;
}

__attribute__((weak)) int
cmd_list_show(struct hubconf *h, enum cmd_list_kind kind, const struct cmd_list_opts *o,
    struct terr *e)
{
	char id[KEYS_ID_HEXLEN + 1];
	int r;

	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	switch (kind) {
	case CMD_LIST_TOKENS:
		return cmd_compat_store(h, HUBDB_LIST_TOKENS, "Коды регистрации", o->json, e);
	case CMD_LIST_DEVICES:
		return cmd_compat_store(h, HUBDB_LIST_DEVICES, "Устройства", o->json, e);
	case CMD_LIST_CONFLICTS:
		return cmd_compat_store(h, HUBDB_LIST_CONFLICTS, "Конфликты", o->json, e);
	case CMD_LIST_QUARANTINE:
		return cmd_compat_store(h, HUBDB_LIST_QUARANTINE, "Карантин", o->json, e);
	case CMD_LIST_SCHOOLS:
		return schools_list(h->db, o->json, stdout, e);
	case CMD_LIST_PROGRAMMES:
		return programmes_list(h->db, o->year ? csvtab_year(o->year) : 0, o->json, stdout, e);
	case CMD_LIST_KEYS:
		keys_id_hex(h->enc.pk, id);
		printf("ключ\tсостояние\n%s\tтекущий\n", id);
		for (size_t i = 0; i < h->old_enc.n; i++) {
			keys_id_hex(h->old_enc.key[i].pk, id);
			printf("%s\tпрежний (принимается)\n", id);
		}
		return 0;
	default:
		return terr_set(e, TERR_INTERNAL, "список пока не поддерживается");
	}
}
