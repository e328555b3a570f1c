/*
 * csvio_cell — the value of one imported CSV cell for its field: what the
 * export writes in either mode (labels or codes, ДД.ММ.ГГГГ or ISO dates,
 * decimal commas, several choices joined by "; ") and what people type.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/csv.h"
#include "tetrad/form.h"

#include "tetrad/textin.h"
#include "client/vault.h"

#include "csvio_private.h"

/* Several choices split on ';' and line breaks (labels are joined so:
 * a label may hold a comma), each part read by textin (a code or a label,
 * or codes joined by ','). */
static int
csvio_multi_value(const struct form_field *fd, char *cell, cJSON **out,
    struct terr *fe)
{
	cJSON *all = cJSON_CreateArray();
	int r = 0;

	*out = NULL;
	if (all == NULL)
		return terr_set(fe, TERR_NOMEM, "недостаточно памяти");
	for (char *save = NULL, *tok = strtok_r(cell, ";\n", &save); tok != NULL;
	    tok = strtok_r(NULL, ";\n", &save)) {
		cJSON *part = NULL, *m;

		if ((r = textin_value(fd, tok, &part, fe)) != 0)
			goto out;
		cJSON_ArrayForEach(m, part) {
			const cJSON *o;
			bool dup = false;

			cJSON_ArrayForEach(o, all)
				if (strcmp(o->valuestring, m->valuestring) == 0)
					dup = true;
			if (!dup && !cJSON_AddItemToArray(all,
			    cJSON_CreateString(m->valuestring))) {
				cJSON_Delete(part);
				r = terr_set(fe, TERR_NOMEM, "недостаточно памяти");
				goto out;
			}
		}
		cJSON_Delete(part);
	}
	*out = all;
	all = NULL;
 out:
	cJSON_Delete(all);
	return r;
}

/*
 * The value of a non-blank cell for fd, after taking off the export's
 * formula guard. 0 with *out set; 1 if the cell is wrong (reported);
 * TERR_NOMEM.
 */
int
csvio_cell_value(struct csvio_report *rep, const struct form_field *fd,
    char *cell, size_t line, cJSON **out, struct terr *e)
{
	struct terr fe = { 0 };
	int r;

	*out = NULL;
	/* an export made while the vault was locked: the stored value stays
	 * (csvio_hidden_keep_stored), whatever the field's type */
	if (fd->sync == FORM_SYNC_LOCAL && strcmp(cell, VAULT_HIDDEN) == 0) {
		if ((*out = cJSON_CreateString(VAULT_HIDDEN)) == NULL)
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		return 0;
	}
	csv_cell_unguard(cell);
	if (fd->type == FORM_GROUP) {
		if (!cJSON_IsArray(*out = cJSON_Parse(cell))) {
			cJSON_Delete(*out);
			*out = NULL;
			csvio_report_add(rep, line, "Строка %zu: %s: ожидается "
			    "JSON-массив элементов.", line, fd->label);
			return 1;
		}
		return 0;
	}
	if (fd->type == FORM_MULTI && strpbrk(cell, ";\n") != NULL)
		r = csvio_multi_value(fd, cell, out, &fe);
	else
		r = textin_value(fd, cell, out, &fe);
	if (r == 0 && fd->type == FORM_TEXT && cJSON_IsString(*out) &&
	    strcmp((*out)->valuestring, cell) != 0) {
		/* textin trims what a person types; a cell keeps the spaces
		 * the export quoted for it (its length is form_validate's) */
		cJSON_Delete(*out);
		if ((*out = cJSON_CreateString(cell)) == NULL)
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	}
	if (r == TERR_NOMEM)
		return terr_set(e, r, "Недостаточно памяти.");
	if (r != 0) {
		csvio_report_add(rep, line, "Строка %zu: %s", line, fe.msg);
		return 1;
	}
	return 0;
}
