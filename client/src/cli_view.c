/*
 * cli_view — the commands that only read: `tetrad forms`, `list` and `show`
 * (text for people, --json for programs).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "tetrad/hlc.h"
#include "tetrad/uuid7.h"

#include "client/csvio.h"
#include "client/vault.h"

#include "cli_private.h"

int
cli_view_forms(struct cli *c)
{
	struct catalog *cat = NULL;
	cJSON *arr = NULL;
	int rc;

	if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0)
		c->db[0] = '\0';
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		return rc;
	if (c->json && (arr = cJSON_CreateArray()) == NULL) {
		rc = CLI_OTHER;
		goto out;
	}
	for (size_t i = 0; i < catalog_count(cat); i++) {
		const struct form *f = catalog_at(cat, i);
		bool latest = catalog_latest(cat, form_id(f)) == f;

		if (arr) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "id", form_id(f));
			cJSON_AddNumberToObject(o, "version", form_version(f));
			cJSON_AddStringToObject(o, "title", form_title(f));
			cJSON_AddBoolToObject(o, "latest", latest);
			cJSON_AddNumberToObject(o, "fields", (double)form_n_fields(f));
			cJSON_AddItemToArray(arr, o);
		} else {
			fprintf(c->out, "%-24s v%-3u %s%s\n", form_id(f), form_version(f),
			    form_title(f), latest ? "" : " (старая версия)");
		}
	}
	if (arr) {
		char *t = cJSON_Print(arr);

		fprintf(c->out, "%s\n", t ? t : "[]");
		cJSON_free(t);
	}
	rc = CLI_OK;
 out:
	cJSON_Delete(arr);
	catalog_free(cat);
	return rc;
}

/* A record as JSON; its local values «скрыто» when the vault hides them
 * (r->sealed: locked), with "hidden": true (f: its form, may be NULL). */
static cJSON *
cli_view_record_json(const struct localdb_record *r, const struct form *f)
{
	char idtext[UUID7_STRLEN + 1];
	cJSON *o = cJSON_CreateObject(), *data = cJSON_Parse(r->data);

	if (r->sealed != NULL) {
		(void)csvio_mark_hidden(f, data);
		cJSON_AddTrueToObject(o, "hidden");
	}

	uuid7_format(r->id, idtext);
	cJSON_AddStringToObject(o, "id", idtext);
	cJSON_AddStringToObject(o, "form_id", r->form_id);
	cJSON_AddNumberToObject(o, "form_version", r->form_version);
	cJSON_AddStringToObject(o, "school", r->school);
	cJSON_AddStringToObject(o, "status", r->status);
	cJSON_AddStringToObject(o, "created_hlc", r->created_hlc);
	cJSON_AddStringToObject(o, "updated_hlc", r->updated_hlc);
	if (data)
		cJSON_AddItemToObject(o, "data", data);
	return o;
}

static const char *
cli_view_status_ru(const char *st)
{
	if (strcmp(st, "draft") == 0)
		return "черновик";
	if (strcmp(st, "final") == 0)
		return "окончательная";
	if (strcmp(st, "deleted") == 0)
		return "удалена";
	return st;
}

/* "23.11.2026 08:22" of an HLC's wall time, in this computer's time zone:
 * people read times as their clock shows them. */
void
cli_view_hlc_time(const char *hlc, char out[32])
{
	struct hlc_ts t;
	time_t secs;
	struct tm tm;

	if (hlc_decode(hlc, &t) != 0) {
		snprintf(out, 32, "?");
		return;
	}
	secs = (time_t)(t.wall_ms / 1000);
	if (localtime_r(&secs, &tm) == NULL || strftime(out, 32, "%d.%m.%Y %H:%M", &tm) == 0)
		snprintf(out, 32, "?");
}

struct cli_view_list_ctx {
	struct cli *c;
	cJSON *arr;
	size_t n;
	const struct catalog *cat;   /* for «скрыто»: the records' forms */
};

static int
cli_view_list_row(const struct localdb_record *r, void *arg)
{
	struct cli_view_list_ctx *l = arg;
	char idtext[UUID7_STRLEN + 1], when[32];

	l->n++;
	if (l->arr) {
		cJSON_AddItemToArray(l->arr, cli_view_record_json(r, l->cat ?
		    catalog_get(l->cat, r->form_id, r->form_version) : NULL));
		return 0;
	}
	uuid7_format(r->id, idtext);
	cli_view_hlc_time(r->updated_hlc, when);
	fprintf(l->c->out, "%s  %-22s v%-2u %-14s %s  %s\n", idtext, r->form_id,
	    r->form_version, cli_view_status_ru(r->status), r->school, when);
	return 0;
}

int
cli_view_list(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct cli_view_list_ctx l = { c, NULL, 0, NULL };
	long long hidden = 0;
	int r, rc;

	if (c->n_pos > 1)
		return cli_usage(c, "tetrad list [ФОРМА] [--status S] [--json].");
	if (c->status_filter && strcmp(c->status_filter, "draft") &&
	    strcmp(c->status_filter, "final") && strcmp(c->status_filter, "deleted"))
		return cli_usage(c, "--status: draft, final или deleted, а не «%s».",
		    c->status_filter);
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	/* only --json shows values: those the vault hides asked for, or «скрыто» */
	if (c->json && store_locked(s)) {
		if ((r = cli_hidden_count(c, s, c->n_pos ? c->pos[0] : NULL,
		    c->status_filter, &hidden)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		if (hidden > 0 && (rc = cli_unlock_show(c, s)) != CLI_OK)
			goto out;
		/* unlocked too: a damaged blob leaves its record «скрыто» */
		if (hidden > 0 && (rc = cli_catalog(c, &cat)) != CLI_OK)
			goto out;
		l.cat = cat;
	}
	if (c->json)
		l.arr = cJSON_CreateArray();
	r = store_record_each(s, c->n_pos ? c->pos[0] : NULL, c->status_filter,
	    cli_view_list_row, &l, &c->e);
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (l.arr) {
		char *t = cJSON_Print(l.arr);

		fprintf(c->out, "%s\n", t ? t : "[]");
		cJSON_free(t);
	} else if (l.n == 0) {
		fprintf(c->err, "Записей нет.\n");
	}
	cli_damaged_warn(c, s);
	rc = CLI_OK;
 out:
	cJSON_Delete(l.arr);
	catalog_free(cat);
	store_close(s);
	return rc;
}

/* Human text of a value: choice labels, да/нет. */
void
cli_view_print_value(FILE *out, const struct form_field *fd, const cJSON *v)
{
	long days;

	if (cJSON_IsNull(v) && fd && fd->type == FORM_SCALE && fd->no_answer) {
		/* an explicit null is an answer on such a scale (docs/forms.md) */
		fputs(fd->no_answer_label, out);
	} else if (v == NULL || cJSON_IsNull(v)) {
		fputs("—", out);
	} else if (cJSON_IsBool(v)) {
		fputs(cJSON_IsTrue(v) ? "да" : "нет", out);
	} else if (cJSON_IsString(v) && fd && fd->type == FORM_CHOICE) {
		const struct form_choice *ch = form_choice_find(fd, v->valuestring);

		fputs(ch ? ch->label : v->valuestring, out);
	} else if (cJSON_IsString(v) && fd && fd->type == FORM_DATE &&
	    form_date_days(v->valuestring, &days) == 0) {
		/* as the questions and the export write dates: ДД.ММ.ГГГГ */
		const char *d = v->valuestring;

		fprintf(out, "%.2s.%.2s.%.4s", d + 8, d + 5, d);
	} else if (cJSON_IsString(v)) {
		fputs(v->valuestring, out);
	} else if (cJSON_IsArray(v) && fd && fd->type == FORM_MULTI) {
		const cJSON *m;
		bool first = true;

		cJSON_ArrayForEach(m, v) {
			const struct form_choice *ch = cJSON_IsString(m) ?
			    form_choice_find(fd, m->valuestring) : NULL;

			fprintf(out, "%s%s", first ? "" : "; ", ch ? ch->label :
			    cJSON_IsString(m) ? m->valuestring : "?");
			first = false;
		}
	} else {
		char *t = cJSON_PrintUnformatted(v);

		fputs(t ? t : "?", out);
		cJSON_free(t);
	}
}

static void
cli_view_show_fields(FILE *out, const struct form_field *fields, size_t n,
    const cJSON *obj, int indent)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = &fields[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fd->id);

		if (fd->type == FORM_GROUP) {
			int k = 1;     /* items as people count them, from 1 */
			const cJSON *item;

			fprintf(out, "%*s%s:%s\n", indent, "", fd->label,
			    cJSON_GetArraySize(v) ? "" : " —");
			cJSON_ArrayForEach(item, v) {
				fprintf(out, "%*s[%d]\n", indent + 2, "", k++);
				cli_view_show_fields(out, fd->children, fd->n_children, item,
				    indent + 4);
			}
			continue;
		}
		/* an empty local field is shown: on a school's second PC a pulled
		 * case has none, and a silent gap reads as names lost */
		if (v == NULL && fd->sync == FORM_SYNC_LOCAL) {
			fprintf(out, "%*s%s: —  (здесь не заполнено; с других устройств "
			    "не передаётся)\n", indent, "", fd->label);
			continue;
		}
		if (v == NULL && !fd->required)
			continue;
		fprintf(out, "%*s%s: ", indent, "", fd->label);
		cli_view_print_value(out, fd, v);
		fprintf(out, "%s\n", fd->sync == FORM_SYNC_LOCAL ?
		    "  (только на этом устройстве)" : "");
	}
}

int
cli_view_show(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct localdb_record *rec = NULL;
	uint8_t id[UUID7_BYTES];
	char idtext[UUID7_STRLEN + 1], when[32];
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите номер записи: tetrad show НОМЕР.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((r = store_record_resolve(s, c->pos[0], id, &c->e)) != 0 ||
	    (r = store_record_get(s, id, &rec, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	/* hidden values: asked for (Enter: «скрыто»), or read from a file */
	if (rec->sealed != NULL) {
		if ((rc = cli_unlock_show(c, s)) != CLI_OK)
			goto out;
		if (!store_locked(s)) {
			store_record_free(rec);
			rec = NULL;
			if ((r = store_record_get(s, id, &rec, &c->e)) != 0) {
				rc = cli_fail(c, r);
				goto out;
			}
		}
	}
	if (c->json) {
		cJSON *o;

		if (rec->sealed != NULL && cli_catalog(c, &cat) != CLI_OK)
			cat = NULL;
		o = cli_view_record_json(rec, cat ? catalog_get(cat, rec->form_id,
		    rec->form_version) : NULL);
		char *t = cJSON_Print(o);

		fprintf(c->out, "%s\n", t ? t : "{}");
		cJSON_free(t);
		cJSON_Delete(o);
	} else {
		const struct form *f = NULL;
		cJSON *data = cJSON_Parse(rec->data);

		if (cli_catalog(c, &cat) == CLI_OK)
			f = catalog_get(cat, rec->form_id, rec->form_version);
		if (rec->sealed != NULL)
			(void)csvio_mark_hidden(f, data);
		uuid7_format(rec->id, idtext);
		cli_view_hlc_time(rec->updated_hlc, when);
		fprintf(c->out, "Запись %s\nФорма: %s (%s, версия %u)\nШкола: %s\n"
		    "Статус: %s\nИзменена: %s\n\n", idtext,
		    f ? form_title(f) : rec->form_id, rec->form_id, rec->form_version,
		    rec->school, cli_view_status_ru(rec->status), when);
		if (f) {
			for (size_t i = 0; i < form_n_fields(f); i++)
				cli_view_show_fields(c->out, form_field_at(f, i), 1, data, 0);
		} else {
			char *t = cJSON_Print(data);

			fprintf(c->out, "%s\n", t ? t : rec->data);
			cJSON_free(t);
		}
		if (rec->sealed != NULL && store_locked(s))
			fprintf(c->out, "\nПоля «%s» зашифрованы паролем. Чтобы "
			    "увидеть их, повторите команду и введите пароль: tetrad "
			    "show %s (или --passphrase-file ФАЙЛ).\n", VAULT_HIDDEN,
			    idtext);
		cJSON_Delete(data);
	}
	cli_damaged_warn(c, s);
	rc = CLI_OK;
 out:
	store_record_free(rec);
	catalog_free(cat);
	store_close(s);
	return rc;
}
