/*
 * cli_record — the commands that change records: `tetrad new`, `edit`,
 * `finalize` and `delete` (values from --json and --set, or asked field by
 * field on a terminal).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tetrad/school.h"
#include "tetrad/uuid7.h"

#include "client/prompt.h"
#include "client/rec.h"
#include "client/riskprof.h"

#include "cli_private.h"

static bool
cli_record_interactive(const struct cli *c)
{
	const char *force = getenv("TETRAD_PROMPT");

	if (force && strcmp(force, "1") == 0)
		return true;
	/* questions go to stderr so the id on stdout can be captured */
	return isatty(fileno(c->in)) && isatty(fileno(c->err));
}

/* --json then --set, onto values. */
static int
cli_record_values(struct cli *c, const struct form *f, cJSON *values)
{
	int r;

	if (c->json_file) {
		cJSON *j = NULL;

		if ((r = rec_read_json(c->json_file, &j, &c->e)) != 0)
			return r;
		r = rec_merge(values, j, &c->e);
		cJSON_Delete(j);
		if (r != 0)
			return r;
	}
	for (size_t i = 0; i < c->n_sets; i++)
		if ((r = rec_apply_set(f, values, c->sets[i], &c->e)) != 0)
			return r;
	return 0;
}

/* Whether this device may make records for school (meta device_schools,
 * a comma list, or its own school). */
static int
cli_record_school_allowed(struct cli *c, struct store *s, const char *school)
{
	char *list = NULL, *own = NULL;
	int r;

	if ((r = store_meta_get(s, "device_schools", &list, &c->e)) != 0 ||
	    (r = store_meta_get(s, "school", &own, &c->e)) != 0)
		goto out;
	if (!(own && strcmp(own, school) == 0) && !(list && school_list_has(list, school)))
		r = terr_set(&c->e, TERR_INVALID, "Это устройство не ведёт записи "
		    "школы «%s» (разрешены: %s).", school, list && *list ? list :
		    own ? own : "—");
 out:
	free(list);
	free(own);
	return r;
}

int
cli_record_new(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct form_problems *probs = NULL;
	const struct form *f;
	cJSON *values = NULL;
	uint8_t id[UUID7_BYTES];
	char idtext[UUID7_STRLEN + 1];
	bool draft = c->draft;
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите одну форму: tetrad new ФОРМА … "
		    "(список: tetrad forms).");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if (c->school && (r = cli_record_school_allowed(c, s, c->school)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if ((f = catalog_latest(cat, c->pos[0])) == NULL) {
		fprintf(c->err, "Ошибка: форма «%s» не найдена. Список форм: "
		    "tetrad forms.\n", c->pos[0]);
		rc = CLI_NOTFOUND;
		goto out;
	}
	if ((values = cJSON_CreateObject()) == NULL) {
		rc = CLI_OTHER;
		goto out;
	}
	if ((r = cli_record_values(c, f, values)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->n_sets == 0 && c->json_file == NULL) {
		if (!cli_record_interactive(c)) {
			rc = cli_usage(c, "нет значений: укажите --set ПОЛЕ=ЗНАЧЕНИЕ или "
			    "--json ФАЙЛ, или запустите команду в терминале.");
			goto out;
		}
		fprintf(c->err, "Новая запись: %s (версия %u)\n", form_title(f),
		    form_version(f));
		if ((r = prompt_fill(f, values, c->in, c->err, &c->e)) != 0) {
			fprintf(c->err, "Ввод прерван, запись не сохранена. %s\n", c->e.msg);
			rc = CLI_INVALID;
			goto out;
		}
		if (!draft && form_validate(f, values, FORM_FINAL, &probs, &c->e) == TERR_INVALID) {
			bool yes = false;

			cli_problems(c, probs);
			form_problems_free(probs);
			probs = NULL;
			if (prompt_yesno(c->in, c->err, "Сохранить как черновик, чтобы "
			    "дополнить позже?", &yes, &c->e) != 0 || !yes) {
				fprintf(c->err, "Запись не сохранена.\n");
				rc = CLI_INVALID;
				goto out;
			}
			draft = true;
		}
	}
	/* the issued profile's levels into the visit's read-only fields (riskprof.h) */
	if ((r = riskprof_fill(s, c->school, f, values, NULL, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	r = rec_new(s, cat, form_id(f), c->school, values, draft, id, &probs, &c->e);
	if (r == TERR_INVALID && probs) {
		cli_problems(c, probs);
		fprintf(c->err, "Запись не сохранена.%s\n", draft ? "" :
		    " Чтобы сохранить неполную запись, добавьте --draft.");
		rc = CLI_INVALID;
		goto out;
	}
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	uuid7_format(id, idtext);
	fprintf(c->out, "%s\n", idtext);
	rc = CLI_OK;
 out:
	form_problems_free(probs);
	cJSON_Delete(values);
	catalog_free(cat);
	store_close(s);
	return rc;
}

int
cli_record_edit(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct store_record *rec = NULL;
	struct form_problems *probs = NULL;
	const struct form *f;
	cJSON *old = NULL, *values = NULL;
	const cJSON *m;
	uint8_t id[UUID7_BYTES];
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите номер записи: tetrad edit НОМЕР --set ….");
	if (c->n_sets == 0 && c->json_file == NULL && !cli_record_interactive(c))
		return cli_usage(c, "нечего изменять: укажите --set ПОЛЕ=ЗНАЧЕНИЕ или "
		    "--json ФАЙЛ.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if ((r = store_record_resolve(s, c->pos[0], id, &c->e)) != 0 ||
	    (r = store_record_get(s, id, &rec, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if ((f = catalog_get(cat, rec->form_id, rec->form_version)) == NULL) {
		fprintf(c->err, "Ошибка: нет версии %u формы «%s», которой сделана "
		    "запись.\n", rec->form_version, rec->form_id);
		rc = CLI_NOTFOUND;
		goto out;
	}
	if ((old = cJSON_Parse(rec->data)) == NULL ||
	    (values = cJSON_Duplicate(old, 1)) == NULL) {
		fprintf(c->err, "Ошибка: данные записи повреждены.\n");
		rc = CLI_OTHER;
		goto out;
	}
	if ((r = cli_record_values(c, f, values)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->n_sets == 0 && c->json_file == NULL) {
		/* on a terminal: walk the form with the current answers offered */
		fprintf(c->err, "Изменение записи: %s (версия %u)\n", form_title(f),
		    form_version(f));
		if ((r = prompt_fill(f, values, c->in, c->err, &c->e)) != 0) {
			fprintf(c->err, "Ввод прерван, изменения не сохранены. %s\n", c->e.msg);
			rc = CLI_INVALID;
			goto out;
		}
	}
	/* answers removed by --set ПОЛЕ= must be removed by the merge too */
	cJSON_ArrayForEach(m, old)
		if (m->string && !cJSON_HasObjectItem(values, m->string))
			cJSON_AddNullToObject(values, m->string);
	r = rec_edit(s, cat, id, values, &probs, &c->e);
	if (r == TERR_INVALID && probs) {
		cli_problems(c, probs);
		fprintf(c->err, "Изменения не сохранены.\n");
		rc = CLI_INVALID;
		goto out;
	}
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	fprintf(c->out, "Запись изменена.\n");
	rc = CLI_OK;
 out:
	form_problems_free(probs);
	cJSON_Delete(old);
	cJSON_Delete(values);
	store_record_free(rec);
	catalog_free(cat);
	store_close(s);
	return rc;
}

int
cli_record_finalize_delete(struct cli *c, bool del)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct form_problems *probs = NULL;
	uint8_t id[UUID7_BYTES];
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите номер записи.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if (!del && (rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if ((r = store_record_resolve(s, c->pos[0], id, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	r = del ? rec_delete(s, id, &c->e) : rec_finalize(s, cat, id, &probs, &c->e);
	if (r == TERR_INVALID && probs) {
		cli_problems(c, probs);
		fprintf(c->err, "Запись осталась черновиком.\n");
		rc = CLI_INVALID;
		goto out;
	}
	if (r < 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (r == 1)
		fprintf(c->out, "Запись уже окончательная.\n");
	else
		fprintf(c->out, del ? "Запись удалена.\n" :
		    "Запись окончательная и поставлена в очередь отправки.\n");
	rc = CLI_OK;
 out:
	form_problems_free(probs);
	catalog_free(cat);
	store_close(s);
	return rc;
}
