/*
 * cli_conflicts — `tetrad conflicts [--json] [--clear]`: the values this
 * device wrote that lost to another device's when records came back from
 * the hub (localdb conflicts, logged by tetrad-syncd's pull), in words: the
 * record, its form, its school, the field, my value and when, the value
 * that stayed, whose and when. An edit made now is later than everything
 * this device has seen, so it wins as any edit does; --clear empties the
 * list of what a person was last shown (meta conflicts_seen), never a
 * conflict syncd logged after that.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/localdb.h"
#include "tetrad/termsafe.h"
#include "tetrad/uuid7.h"

#include "cli_private.h"

/* meta: the highest conflict id last listed (what --clear may clear) */
#define CLI_CONFLICTS_SEEN "conflicts_seen"

struct cli_conflicts_ctx {
	struct cli *c;
	struct store *s;
	const struct catalog *cat;
	cJSON *arr;                 /* --json */
	int64_t n;
	int64_t last_id;
};

/* A stored value (JSON text; NULL: no answer) as people read it, escaped
 * for the terminal: it came from another device. malloc'd, NULL on no
 * memory. */
static char *
cli_conflicts_value(const struct form_field *fd, const char *json)
{
	cJSON *v = json ? cJSON_Parse(json) : NULL;
	char *buf = NULL, *safe;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL) {
		cJSON_Delete(v);
		return NULL;
	}
	if (json == NULL)
		fputs("нет ответа", f);
	else if (v == NULL)
		fputs(json, f);             /* not JSON: shown as it is, escaped */
	else
		cli_view_print_value(f, fd, v);
	fclose(f);
	cJSON_Delete(v);
	safe = termsafe_dup(buf ? buf : "");
	free(buf);
	return safe;
}

/* "170103 — Школа № 3" when the hub sent the register, else the code;
 * escaped. */
static void
cli_conflicts_school(struct store *s, const char *code, char *out, size_t cap)
{
	char name[256];
	char *a = termsafe_dup(code ? code : ""), *b = NULL;
	struct terr e = { 0 };

	if (code != NULL && localdb_school_name(store_localdb(s), code, name,
	    sizeof(name), &e) == 1)
		b = termsafe_dup(name);
	snprintf(out, cap, "%s%s%s", a ? a : "?", b ? " — " : "", b ? b : "");
	free(a);
	free(b);
}

/* The existence of a record (field ""): "изменена" or "удалена". */
static bool
cli_conflicts_deleted(const char *json)
{
	return json != NULL && strstr(json, "удалена") != NULL;
}

static int
cli_conflicts_print(struct cli_conflicts_ctx *x, const struct localdb_conflict *k,
    const struct form *f, const struct form_field *fd)
{
	char id[UUID7_STRLEN + 1], school[320], mine_at[32], theirs_at[32];
	char *mine = NULL, *theirs = NULL, *dev = NULL, *fid = NULL, *fld = NULL;
	FILE *o = x->c->out;
	int r = TERR_NOMEM;

	uuid7_format(k->record_id, id);
	cli_conflicts_school(x->s, k->school, school, sizeof(school));
	cli_view_hlc_time(k->mine_hlc ? k->mine_hlc : "", mine_at);
	cli_view_hlc_time(k->theirs_hlc ? k->theirs_hlc : "", theirs_at);
	if ((dev = termsafe_dup(k->theirs_device)) == NULL ||
	    (fid = termsafe_dup(k->form_id)) == NULL || (fld = termsafe_dup(k->field)) == NULL)
		goto out;
	fprintf(o, "\n%lld. %s%s%s (запись %s)\n   Школа: %s\n", (long long)x->n,
	    f ? "«" : "", f ? form_title(f) : fid, f ? "»" : "", id, school);
	if (k->field[0] == '\0') {
		if (cli_conflicts_deleted(k->mine))
			fprintf(o, "   Вы удалили запись (%s), но на устройстве %s её позже "
			    "изменили (%s): запись восстановлена.\n"
			    "     вернуть своё:  tetrad delete %s\n", mine_at, dev, theirs_at, id);
		else
			fprintf(o, "   Вы изменили запись (%s), но на устройстве %s её позже "
			    "удалили (%s): запись осталась удалённой.\n", mine_at, dev, theirs_at);
		r = 0;
		goto out;
	}
	if ((mine = cli_conflicts_value(fd, k->mine)) == NULL ||
	    (theirs = cli_conflicts_value(fd, k->theirs)) == NULL)
		goto out;
	fprintf(o, "   Поле «%s» (%s)\n", fd ? fd->label : fld, fld);
	fprintf(o, "     ваше значение: %s — %s\n", mine, mine_at);
	fprintf(o, "     осталось:      %s — устройство %s, %s\n", theirs, dev, theirs_at);
	fprintf(o, "     вернуть своё:  tetrad edit %s %s\n", id, fld);
	r = 0;
 out:
	free(mine);
	free(theirs);
	free(dev);
	free(fid);
	free(fld);
	return r;
}

/* A stored value as JSON for --json: parsed, or null. */
static cJSON *
cli_conflicts_json_value(const char *json)
{
	cJSON *v = json ? cJSON_Parse(json) : NULL;

	return v ? v : cJSON_CreateNull();
}

static int
cli_conflicts_one(const struct localdb_conflict *k, void *arg)
{
	struct cli_conflicts_ctx *x = arg;
	const struct form *f = k->form_id ? catalog_latest(x->cat, k->form_id) : NULL;
	const struct form_field *fd = f && k->field[0] ? form_find(f, k->field) : NULL;
	char id[UUID7_STRLEN + 1], name[256], mine_at[32], theirs_at[32];
	struct terr e = { 0 };
	cJSON *o;

	x->n++;
	x->last_id = k->id;
	if (x->arr == NULL)
		return cli_conflicts_print(x, k, f, fd);
	uuid7_format(k->record_id, id);
	cli_view_hlc_time(k->mine_hlc ? k->mine_hlc : "", mine_at);
	cli_view_hlc_time(k->theirs_hlc ? k->theirs_hlc : "", theirs_at);
	if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(x->arr, o)) {
		cJSON_Delete(o);
		return TERR_NOMEM;
	}
	cJSON_AddNumberToObject(o, "id", (double)k->id);
	cJSON_AddStringToObject(o, "record", id);
	cJSON_AddStringToObject(o, "form", k->form_id ? k->form_id : "");
	if (f)
		cJSON_AddStringToObject(o, "form_title", form_title(f));
	cJSON_AddStringToObject(o, "school", k->school ? k->school : "");
	if (k->school && localdb_school_name(store_localdb(x->s), k->school, name,
	    sizeof(name), &e) == 1)
		cJSON_AddStringToObject(o, "school_name", name);
	cJSON_AddStringToObject(o, "field", k->field);
	if (fd)
		cJSON_AddStringToObject(o, "field_label", fd->label);
	cJSON_AddItemToObject(o, "mine", cli_conflicts_json_value(k->mine));
	cJSON_AddStringToObject(o, "mine_hlc", k->mine_hlc ? k->mine_hlc : "");
	cJSON_AddStringToObject(o, "mine_time", mine_at);
	cJSON_AddItemToObject(o, "theirs", cli_conflicts_json_value(k->theirs));
	cJSON_AddStringToObject(o, "theirs_hlc", k->theirs_hlc ? k->theirs_hlc : "");
	cJSON_AddStringToObject(o, "theirs_time", theirs_at);
	cJSON_AddStringToObject(o, "theirs_device", k->theirs_device ? k->theirs_device : "");
	cJSON_AddStringToObject(o, "at", k->at ? k->at : "");
	return 0;
}

int
cli_conflicts(struct cli *c)
{
	struct cli_conflicts_ctx x = { c, NULL, NULL, NULL, 0, 0 };
	struct catalog *cat = NULL;
	struct store *s = NULL;
	bool clear = c->clear;
	char *text = NULL;
	int64_t n = 0;
	int r, rc;

	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if (clear) {
		int64_t seen = 0, left = 0;

		/* only what a person was shown: syncd may log more in between */
		if ((r = store_meta_get(s, CLI_CONFLICTS_SEEN, &text, &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		if (text != NULL)
			seen = strtoll(text, NULL, 10);
		if ((seen > 0 && (r = localdb_conflict_clear(store_localdb(s), seen, &n,
		    &c->e)) != 0) || (r = localdb_conflict_count(store_localdb(s), &left,
		    &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		if (c->json)
			fprintf(c->out, "{\"cleared\": %lld, \"left\": %lld}\n", (long long)n,
			    (long long)left);
		else if (n == 0 && left == 0)
			fprintf(c->out, "Нет конфликтов.\n");
		else {
			if (n > 0)
				fprintf(c->out, "Список конфликтов очищен: %lld.\n", (long long)n);
			if (left > 0)
				fprintf(c->out, "Не просмотрено конфликтов: %lld (пришли после "
				    "последнего просмотра) — сначала посмотрите их: tetrad conflicts\n",
				    (long long)left);
		}
		rc = CLI_OK;
		goto out;
	}
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	x.s = s;
	x.cat = cat;
	if (c->json && (x.arr = cJSON_CreateArray()) == NULL) {
		rc = cli_fail(c, terr_set(&c->e, TERR_NOMEM, "Недостаточно памяти."));
		goto out;
	}
	if ((r = localdb_conflict_count(store_localdb(s), &n, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (!c->json && n > 0)
		fprintf(c->out, "Конфликты: %lld. Ваши значения уступили изменениям, сделанным "
		    "позже на другом устройстве (по меткам времени Tetrad), и заменены ими везде.\n",
		    (long long)n);
	if ((r = localdb_conflict_each(store_localdb(s), cli_conflicts_one, &x, &c->e)) != 0) {
		if (r == TERR_NOMEM)
			terr_set(&c->e, r, "Недостаточно памяти.");
		rc = cli_fail(c, r);
		goto out;
	}
	/* --clear clears these and no later ones */
	if (x.last_id > 0) {
		char idtext[24];

		snprintf(idtext, sizeof(idtext), "%lld", (long long)x.last_id);
		if ((r = store_meta_set(s, CLI_CONFLICTS_SEEN, idtext, &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
	}
	if (c->json) {
		char *t = cJSON_Print(x.arr);

		fprintf(c->out, "%s\n", t ? t : "[]");
		cJSON_free(t);
	} else if (x.n == 0) {
		fprintf(c->out, "Нет конфликтов.\n");
	} else {
		fprintf(c->out, "\nЧтобы вернуть своё значение, выполните команду из строки «вернуть "
		    "своё» и ответьте на вопрос снова (или tetrad edit НОМЕР_ЗАПИСИ --set "
		    "ПОЛЕ=ЗНАЧЕНИЕ): изменение, сделанное сейчас, позже всех увиденных и победит "
		    "на всех устройствах после синхронизации.\n"
		    "«Устройство» — номер компьютера или ноутбука на хабе; чьё оно, знает "
		    "координатор муниципалитета (tetrad-hub device list).\n"
		    "После просмотра: tetrad conflicts --clear\n");
	}
	rc = CLI_OK;
 out:
	free(text);
	cJSON_Delete(x.arr);
	catalog_free(cat);
	store_close(s);
	return rc;
}
