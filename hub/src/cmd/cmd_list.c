/*
 * cmd_list — every listing of tetrad-hub in one shape (cmd_list.h): the
 * store's listings come typed from hubdb_list, the keys from the opened
 * hub; each row goes out as a tab-separated table line for people or as
 * one object of a JSON array for scripts, from the same columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_list.h"
#include "hub/programmes.h"
#include "tetrad/school.h"
#include "tetrad/termsafe.h"

/* What a listing is called when it is empty, and what to do about it. */
static const char *const cmd_list_titles[] = {
	[CMD_LIST_TOKENS] = "Коды регистрации",
	[CMD_LIST_DEVICES] = "Устройства",
	[CMD_LIST_KEYS] = "Ключи шифрования",
	[CMD_LIST_SCHOOLS] = "Школы",
	[CMD_LIST_CONFLICTS] = "Конфликты",
	[CMD_LIST_QUARANTINE] = "Карантин",
	[CMD_LIST_PROGRAMMES] = "Программы школ",
	[CMD_LIST_FORMS] = "Опубликованные формы",
	[CMD_LIST_USERS] = "Учётные записи панели",
	[CMD_LIST_AUDIT] = "Журнал аудита",
};
static const char *const cmd_list_hints[] = {
	[CMD_LIST_SCHOOLS] = " (добавьте: tetrad-hub schools add КОД --name НАИМЕНОВАНИЕ "
	    "или schools import ФАЙЛ.csv)",
	[CMD_LIST_PROGRAMMES] = " (загрузите: tetrad-hub programmes import ФАЙЛ.csv)",
	[CMD_LIST_FORMS] = " (устройства работают со встроенными формами; своя "
	    "публикуется командой tetrad-hub forms publish ФАЙЛ)",
	[CMD_LIST_USERS] = " (создайте: tetrad-hub user add ЛОГИН --role admin)",
};


struct cmd_lister {
	enum cmd_list_kind kind;
	bool json;
	int year;                       /* programmes: 0 for every year */
	size_t rows;
	struct terr *e;
};

/* Outside text, escaped for where it goes (termsafe.h); 0 or TERR_NOMEM. */
static int
cmd_list_put(const char *s, bool json)
{
	char *t = json ? termsafe_json_dup(s) : termsafe_dup(s);

	if (t == NULL)
		return TERR_NOMEM;
	printf(json ? "\"%s\"" : "%s", t);
	free(t);
	return 0;
}

/*
 * A comma list: a JSON array of its items, or the items joined by ", " —
 * a programme by its label («ШНОР»), anything else as it is.
 */
static int
cmd_list_put_list(const struct hubdb_col *c, bool json)
{
	const char *p = c->s;
	char item[128];
	size_t k = 0;
	int r = 0;

	printf("%s", json ? "[" : "");
	while (*p != '\0' && r == 0) {
		size_t n = strcspn(p, ",");
		const char *label;

		snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) ? n : sizeof(item) - 1),
		    p);
		p += n + (p[n] == ',');
		if (n == 0)
			continue;
		label = !json && strcmp(c->key, "programmes") == 0 ? programmes_label(item) : NULL;
		printf("%s", k++ ? ", " : "");
		r = cmd_list_put(label ? label : item, json);
	}
	printf("%s", json ? "]" : "");
	return r;
}

static int
cmd_list_put_value(const struct hubdb_col *c, bool json)
{
	switch (c->type) {
	case HUBDB_COL_INT:
		printf("%lld", c->i);
		return 0;
	case HUBDB_COL_BOOL:
		printf("%s", json ? (c->i ? "true" : "false") : (c->i ? "да" : "нет"));
		return 0;
	case HUBDB_COL_TEXT:
		return cmd_list_put(json ? c->s : hubdb_list_word(c->key, c->s), json);
	case HUBDB_COL_LIST:
		return cmd_list_put_list(c, json);
	case HUBDB_COL_NULL:
		break;
	}
	printf("%s", json ? "null" : "-");
	return 0;
}

/* One row out: the header line before a table's first row. */
static int
cmd_list_emit(struct cmd_lister *l, size_t n, const struct hubdb_col *cols)
{
	if (l->json)
		printf("%s\n  {", l->rows ? "," : "[");
	else if (l->rows == 0) {
		for (size_t i = 0; i < n; i++)
			printf("%s%s", i ? "\t" : "", cols[i].header);
		printf("\n");
	}
	for (size_t i = 0; i < n; i++) {
		if (l->json)
			printf("%s\"%s\": ", i ? ", " : "", cols[i].key);
		else if (i)
			printf("\t");
		if (cmd_list_put_value(&cols[i], l->json) != 0)
			return terr_set(l->e, TERR_NOMEM, "недостаточно памяти");
	}
	printf("%s", l->json ? "}" : "\n");
	l->rows++;
	return 0;
}

/*
 * A school's programmes in a year: only the year asked for, only codes
 * the rule allows (a store written by hand may hold others), in the
 * fixed order programmes.h gives, not the order they were stored in.
 */
static int
cmd_list_programmes_row(struct cmd_lister *l, size_t n, const struct hubdb_col *cols)
{
	const struct hubdb_col *school = hubdb_col_find(n, cols, "school");
	const struct hubdb_col *year = hubdb_col_find(n, cols, "year");
	const struct hubdb_col *progs = hubdb_col_find(n, cols, "programmes");
	struct hubdb_col out[3];
	char list[PROGRAMMES_N * (PROGRAMMES_CODE_MAX + 1) + 1];
	size_t len = 0;

	if (school == NULL || year == NULL || progs == NULL || school->type != HUBDB_COL_TEXT ||
	    year->type != HUBDB_COL_INT || progs->type != HUBDB_COL_LIST ||
	    !school_code_ok(school->s) || (l->year != 0 && year->i != l->year))
		return 0;
	list[0] = '\0';
	for (size_t i = 0; i < PROGRAMMES_N; i++) {
		const char *code = programmes_code_at(i), *p = progs->s;
		size_t cl = strlen(code);

		for (; *p != '\0'; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
			if (strncmp(p, code, cl) == 0 && (p[cl] == ',' || p[cl] == '\0')) {
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
				    len ? "," : "", code);
				break;
			}
		}
	}
	if (len == 0)
		return 0;
	out[0] = *school;
	out[1] = *year;
	out[2] = *progs;
	out[2].s = list;
	return cmd_list_emit(l, 3, out);
}

static int
cmd_list_row(void *ctx, size_t n, const struct hubdb_col *cols)
{
	struct cmd_lister *l = ctx;

	if (l->kind == CMD_LIST_PROGRAMMES)
		return cmd_list_programmes_row(l, n, cols);
	return cmd_list_emit(l, n, cols);
}

/* The hub's encryption keys: the current one, then the previous ones still accepted. */
static int
cmd_list_keys(struct hubconf *h, struct cmd_lister *l)
{
	char id[KEYS_ID_HEXLEN + 1];
	struct hubdb_col cols[2] = {
		{ "id", "Ключ шифрования", HUBDB_COL_TEXT, 0, id },
		{ "state", "Состояние", HUBDB_COL_TEXT, 0, "current" },
	};
	int r;

	keys_id_hex(h->enc.pk, id);
	if ((r = cmd_list_emit(l, 2, cols)) != 0)
		return r;
	cols[1].s = "previous";
	for (size_t i = 0; i < h->old_enc.n; i++) {
		keys_id_hex(h->old_enc.key[i].pk, id);
		if ((r = cmd_list_emit(l, 2, cols)) != 0)
			return r;
	}
	return 0;
}

/* A device whose quarantine is full: what the coordinator should know and do. */
static int
cmd_list_full_row(void *ctx, size_t n, const struct hubdb_col *cols)
{
	FILE *out = ctx;
	const struct hubdb_col *d = hubdb_col_find(n, cols, "device_id");
	const struct hubdb_col *dropped = hubdb_col_find(n, cols, "dropped");
	const struct hubdb_col *last = hubdb_col_find(n, cols, "last_at");
	char *dev, *at;

	if (d == NULL || d->type != HUBDB_COL_TEXT)
		return 0;
	dev = termsafe_dup(d->s);
	at = termsafe_dup(last != NULL && last->type == HUBDB_COL_TEXT ? last->s : "?");
	if (dev != NULL && at != NULL)
		fprintf(out, "ВНИМАНИЕ: карантин устройства %s переполнен (не больше %d наборов и "
		    "%u МиБ): отброшено наборов %lld, последний %s. Столько отклонённых наборов "
		    "подряд бывает, когда ключ устройства украден: если так, отзовите его "
		    "(tetrad-hub device revoke %s).\n", dev, HUBDB_QUARANTINE_MAX_ENTRIES,
		    HUBDB_QUARANTINE_MAX_BYTES >> 20, dropped != NULL &&
		    dropped->type == HUBDB_COL_INT ? dropped->i : 0, at, dev);
	free(dev);
	free(at);
	return dev != NULL && at != NULL ? 0 : TERR_NOMEM;
}

static enum hubdb_listing
cmd_list_store(enum cmd_list_kind kind)
{
	switch (kind) {
	case CMD_LIST_TOKENS:
		return HUBDB_LIST_TOKENS;
	case CMD_LIST_DEVICES:
		return HUBDB_LIST_DEVICES;
	case CMD_LIST_SCHOOLS:
		return HUBDB_LIST_SCHOOLS;
	case CMD_LIST_CONFLICTS:
		return HUBDB_LIST_CONFLICTS;
	case CMD_LIST_QUARANTINE:
		return HUBDB_LIST_QUARANTINE;
	case CMD_LIST_PROGRAMMES:
		return HUBDB_LIST_PROGRAMMES;
	case CMD_LIST_FORMS:
		return HUBDB_LIST_FORMS;
	case CMD_LIST_USERS:
		return HUBDB_LIST_USERS;
	case CMD_LIST_AUDIT:
		return HUBDB_LIST_AUDIT;
	case CMD_LIST_KEYS:
		break;
	}
	return (enum hubdb_listing)0;
}

int
cmd_list_show(struct hubconf *h, enum cmd_list_kind kind, const struct cmd_list_opts *o,
    struct terr *e)
{
	struct cmd_lister l = { kind, o != NULL && o->json, 0, 0, e };
	int r;

	if ((int)kind < CMD_LIST_TOKENS || (int)kind > CMD_LIST_AUDIT)
		return terr_set(e, TERR_ARG, "неизвестный список");
	if (kind == CMD_LIST_PROGRAMMES && o != NULL && o->year != NULL)
		l.year = atoi(o->year);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if (kind == CMD_LIST_KEYS)
		r = cmd_list_keys(h, &l);
	else if ((r = hubdb_list(h->db, cmd_list_store(kind), cmd_list_row, &l, e)) == TERR_NOMEM)
		terr_set(e, r, "недостаточно памяти");
	if (r != 0)
		return r;
	if (l.json)
		printf("%s]\n", l.rows ? "\n" : "[");
	else if (l.rows == 0)
		printf("%s: пусто%s\n", cmd_list_titles[kind],
		    (size_t)kind < sizeof(cmd_list_hints) / sizeof(cmd_list_hints[0]) &&
		    cmd_list_hints[kind] ? cmd_list_hints[kind] : "");
	/* the JSON on stdout stays one document: the warning goes beside it */
	if (kind == CMD_LIST_QUARANTINE || kind == CMD_LIST_DEVICES) {
		fflush(stdout);
		if ((r = hubdb_list(h->db, HUBDB_LIST_QUARANTINE_FULL, cmd_list_full_row,
		    l.json ? stderr : stdout, e)) != 0)
			return r == TERR_NOMEM ? terr_set(e, r, "недостаточно памяти") : r;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		return terr_set(e, TERR_IO, "список не выведен: ошибка записи в стандартный вывод");
	return 0;
}
