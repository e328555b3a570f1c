/*
 * csvio_match — which records of an imported file are edits of records of
 * this database. A person exports a form, corrects a cell in Excel and
 * imports the file back on the same device: each «Запись» cell then names
 * a stored record, and the import must update it, not add a copy (a
 * social passport sent to the hub twice, a mediation case refused as its
 * own repeat). An id this database does not hold (another device's file,
 * a number typed by hand) only links the rows of a new record.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/uuid7.h"

#include "client/csvio.h"
#include "client/store.h"

#include "csvio_private.h"

/*
 * The stored values with every field the file has columns for taken from
 * the file (a blank cell removes the answer); a field the file has no
 * column for (a column the person deleted, a field of an older version)
 * keeps its stored value: a missing column is not an erased answer.
 */
static cJSON *
csvio_match_merge(const struct form *f, const char *data, const cJSON *covered,
    const cJSON *imported, struct terr *hidden)
{
	cJSON *v = cJSON_Parse(data), *stored = NULL;
	const cJSON *k;

	if (!cJSON_IsObject(v) || (stored = cJSON_Duplicate(v, true)) == NULL) {
		cJSON_Delete(v);
		return NULL;
	}
	cJSON_ArrayForEach(k, covered) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(imported, k->string);
		cJSON *d;

		cJSON_DeleteItemFromObjectCaseSensitive(v, k->string);
		if (n == NULL)
			continue;
		if ((d = cJSON_Duplicate(n, true)) == NULL ||
		    !cJSON_AddItemToObject(v, k->string, d)) {
			cJSON_Delete(d);
			cJSON_Delete(v);
			cJSON_Delete(stored);
			return NULL;
		}
	}
	/* «скрыто» cells (an export made while locked) keep what is stored;
	 * one that names no stored item: hidden->code TERR_INVALID */
	if (csvio_hidden_keep_stored(f, v, stored, hidden) != 0) {
		cJSON_Delete(v);
		v = NULL;
	}
	cJSON_Delete(stored);
	return v;
}

int
csvio_match(struct store *s, const struct catalog *c, const char *form,
    const struct csvio_match_in *in, struct csvio_report *rep,
    struct csvio_target *t, struct terr *e)
{
	struct localdb_record *sr = NULL;
	struct terr le = { 0 }, he = { 0 };
	const struct form *f;
	bool final;
	int r;

	memset(t, 0, sizeof(*t));
	if (uuid7_parse(in->key, t->id) != 0)
		return 0;
	/* not found is the answer "a new record", not an error to pass on */
	if ((r = store_record_get(s, t->id, &sr, &le)) == STORE_NOTFOUND)
		return 0;
	if (r != 0) {
		if (e != NULL)
			*e = le;
		return r;
	}
	r = 1;
	if (strcmp(sr->form_id, form) != 0) {
		csvio_report_add(rep, in->line, "Строка %zu: запись %s — запись формы "
		    "«%s», а не «%s»: загрузите файл командой «tetrad import %s».",
		    in->line, in->key, sr->form_id, form, sr->form_id);
		goto out;
	}
	if (strcmp(sr->status, "deleted") == 0) {
		csvio_report_add(rep, in->line, "Строка %zu: запись %s удалена на этом "
		    "устройстве, изменить её нельзя. Чтобы загрузить строку как новую "
		    "запись, очистите ячейку «Запись».", in->line, in->key);
		goto out;
	}
	if ((f = catalog_get(c, form, sr->form_version)) == NULL) {
		csvio_report_add(rep, in->line, "Строка %zu: нет версии %u формы «%s», "
		    "которой сделана запись %s: получите формы с хаба («tetrad sync»).",
		    in->line, sr->form_version, form, in->key);
		goto out;
	}
	if (in->file_f != NULL && in->file_f != f) {
		csvio_report_add(rep, in->line, "Строка %zu: запись %s сделана по версии "
		    "%u формы, а в ячейке «Версия формы» — %u. Верните %u: версия "
		    "записи не меняется.", in->line, in->key, sr->form_version,
		    form_version(in->file_f), sr->form_version);
		goto out;
	}
	final = strcmp(sr->status, "final") == 0;
	if (final && in->status_set && in->draft) {
		csvio_report_add(rep, in->line, "Строка %zu: запись %s окончательная и "
		    "уже поставлена в очередь отправки: черновиком её сделать нельзя. "
		    "Верните статус «%s».", in->line, in->key, CSVIO_FINAL_LABEL);
		goto out;
	}
	if ((t->values = csvio_match_merge(f, sr->data, in->covered, in->values,
	    &he)) == NULL && he.code == TERR_INVALID) {
		csvio_report_add(rep, in->line, "Строка %zu: %s", in->line, he.msg);
		goto out;
	}
	if (t->values == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти или данные записи %s "
		    "повреждены.", in->key);
		goto out;
	}
	t->update = true;
	t->f = f;
	/* a draft stays a draft unless its status cell says final: an empty
	 * status cell of an edit keeps the record's status */
	t->finalize = !final && in->status_set && !in->draft;
	t->final = final || t->finalize;
	r = 0;
 out:
	store_record_free(sr);
	return r;
}
