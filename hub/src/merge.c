/*
 * merge — per-field last-writer-wins merge with a conflict log (merge.h).
 *
 * The rule and the clock document are protocol's recmerge (recmerge.h): a
 * device joining a pulled record runs the same code. What is the hub's here:
 * reading and storing the record, the conflict log, the reports' counters,
 * and the fast path of a record's first put.
 *
 * A field without an entry in "f" has the clock of "p": entries equal to
 * "p" are dropped after every merge. Almost every record is written by one
 * put, so its document is "p" and "x" alone — a tenth of the bytes, and
 * bytes are most of what a hub's ingest costs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/merge.h"
#include "hub/survey_facts.h"
#include "tetrad/recmerge.h"

struct merge_ctx {
	struct hubdb *db;
	const struct op *op;
	struct hubdb_record *rec;
	unsigned *conflicts;
	struct terr *e;
};

/*
 * A stored record's data or clock document: a JSON object and nothing
 * after it, else NULL (damaged, or no memory to parse it).
 */
static cJSON *
merge_parse_obj(const char *s)
{
	cJSON *o = cJSON_ParseWithOpts(s, NULL, 1);

	if (o != NULL && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

/* The hub side of a lost value: a row in the conflict log. */
static int
merge_log(const struct recmerge_loser *l, void *arg)
{
	struct merge_ctx *m = arg;
	struct hubdb_conflict c;
	char *lv = NULL, *wv = NULL;
	int r = TERR_NOMEM;

	if ((lv = cJSON_PrintUnformatted(l->loser)) == NULL)
		goto out;
	if (l->winner != NULL && (wv = cJSON_PrintUnformatted(l->winner)) == NULL)
		goto out;
	memset(&c, 0, sizeof(c));
	c.record_id = m->op->record_id;
	c.form_id = m->rec->form_id;
	c.school = m->rec->school;
	c.field = l->field;
	c.loser_value = lv;
	c.loser_hlc = l->loser_hlc;
	c.loser_device = l->loser_device;
	c.winner_value = wv ? wv : "null";
	c.winner_hlc = l->winner_hlc;
	c.winner_device = l->winner_device;
	if ((r = hubdb_conflict_add(m->db, &c, m->e)) == 0)
		(*m->conflicts)++;
 out:
	if (r == TERR_NOMEM)
		terr_set(m->e, r, "недостаточно памяти");
	cJSON_free(lv);
	cJSON_free(wv);
	return r;
}

/* rec as a record op would start: its id, form and school, nothing stored. */
static void
merge_new_record(struct hubdb_record *rec, const struct op *op)
{
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->id, op->record_id, sizeof(rec->id));
	hubdb_copy(rec->form_id, sizeof(rec->form_id), op->form_id);
	hubdb_copy(rec->school, sizeof(rec->school), op->school);
	rec->form_version = op->form_version;
}

/*
 * The first put of a record, by far the most common op: what merge_put and
 * merge_existence would leave on an empty record, without building it field
 * by field — the answers as sent ("no answer" left out) and a clock document
 * of "p" and "x" alone. Stored only if the record is not there yet (*added):
 * trying costs one B-tree descent, where looking first cost two for every
 * new record.
 */
static int
merge_first_put(struct hubdb *db, struct hubdb_record *rec, const char *device_id,
    const struct op *op, bool *added, struct terr *e)
{
	char hlc[HLC_STRLEN + 1], clocks[2 * (HLC_STRLEN + KEYS_ID_HEXLEN) + 32], *w;
	struct tbuf *canon = NULL;
	cJSON *data = NULL, *n, *next;
	const cJSON *f;
	bool has_null = false;
	int r = TERR_NOMEM;

	hlc_encode(&op->hlc, hlc);
	hubdb_copy(rec->hlc, sizeof(rec->hlc), hlc);
	hubdb_copy(rec->device_id, sizeof(rec->device_id), device_id);
	rec->deleted = false;
	/* {"p":[hlc,device],"x":[hlc,device,0]}, built without printf: once per record */
	w = stpcpy(clocks, "{\"p\":[\"");
	w = stpcpy(stpcpy(stpcpy(w, hlc), "\",\""), device_id);
	w = stpcpy(stpcpy(w, "\"],\"x\":[\""), hlc);
	stpcpy(stpcpy(stpcpy(w, "\",\""), device_id), "\",0]}");
	/* a null answer at the top: its dozen or so answers walked in the tree
	 * (memmem over the whole text for ":null" cost some 6,000 instructions
	 * a risk-profile visit, its group items included) */
	cJSON_ArrayForEach(f, op->fields)
		if (cJSON_IsNull(f)) {
			has_null = true;
			break;
		}
	if (!has_null && op->fields_text != NULL) {
		/* the answers as the set carried them: canonical already */
		rec->data = strndup(op->fields_text, op->fields_len);
	} else if (!has_null) {
		/* the same text, encoded again (an op not read from a set) */
		if ((canon = tbuf_new(CHANGESET_MAX_PLAIN_BYTES)) == NULL)
			goto out;
		if ((r = changeset_encode_fields(op, canon, e)) != 0 ||
		    (r = tbuf_terminate(canon)) != 0)
			goto out;
		rec->data = (char *)tbuf_steal(canon, NULL);
	} else {
		if ((data = cJSON_Duplicate(op->fields, 1)) == NULL)
			goto out;
		for (n = data->child; n != NULL; n = next) {
			next = n->next;
			if (cJSON_IsNull(n))
				cJSON_Delete(cJSON_DetachItemViaPointer(data, n));
		}
		rec->data = cJSON_PrintUnformatted(data);
	}
	r = TERR_NOMEM;
	if (rec->data == NULL)
		goto out;
	rec->clocks = clocks;
	r = hubdb_record_add(db, rec, added, e);
	/* the reports' counters move in the record's own transaction */
	if (r == 0 && *added)
		r = survey_facts_update(db, NULL, rec, op->fields, e);
	rec->clocks = NULL;
 out:
	if (r == TERR_NOMEM)
		terr_set(e, r, "недостаточно памяти");
	tbuf_free(canon);
	cJSON_Delete(data);
	hubdb_record_clear(rec);
	return r;
}

/*
 * merge_apply; decision: merge_apply_decision's edit (no loser logged, the
 * record's existence left alone).
 */
static int
merge_run(struct hubdb *db, const char *device_id, const struct op *op,
    unsigned *conflicts, bool decision, struct terr *e)
{
	struct hubdb_record rec, old;
	struct merge_ctx m;
	struct recmerge_opts o;
	const cJSON *pclock;
	cJSON *data = NULL, *clocks = NULL;
	char *dtext = NULL, *ctext = NULL, hlc[HLC_STRLEN + 1];
	bool found, added = false;
	int r, pold;

	if (op->kind == OP_PUT) {
		merge_new_record(&rec, op);
		if ((r = merge_first_put(db, &rec, device_id, op, &added, e)) != 0 || added)
			return r;
	}
	if ((r = hubdb_record_get(db, op->record_id, &rec, &found, e)) != 0)
		return r;
	/* the record as stored, for the counters (survey_facts_update); its data
	 * text is handed over when the merged text replaces it */
	old = rec;
	old.data = old.clocks = NULL;
	if (found && (strcmp(rec.school, op->school) != 0 ||
	    strcmp(rec.form_id, op->form_id) != 0)) {
		char id[UUID7_STRLEN + 1];

		uuid7_format(op->record_id, id);
		/* a record stays in the school it came with (a visit's school
		 * field cannot move it: the client refuses that edit too) */
		if (strcmp(rec.form_id, op->form_id) == 0)
			r = terr_set(e, TERR_INVALID, "запись %s уже есть на хабе как запись "
			    "школы %s; изменение для школы %s отклонено: школу записи изменить "
			    "нельзя — удалите запись и создайте новую", id, rec.school, op->school);
		else
			r = terr_set(e, TERR_INVALID, "запись %s уже есть на хабе с формой «%s» "
			    "школы %s; изменение с формой «%s» школы %s отклонено", id,
			    rec.form_id, rec.school, op->form_id, op->school);
		goto out;
	}
	if (!found)
		merge_new_record(&rec, op);
	memset(&m, 0, sizeof(m));
	m.db = db;
	m.op = op;
	m.rec = &rec;
	m.conflicts = conflicts;
	m.e = e;
	hlc_encode(&op->hlc, hlc);
	if (!found) {
		data = cJSON_CreateObject();
		clocks = cJSON_CreateObject();
		if (data == NULL || clocks == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
	} else if ((data = merge_parse_obj(rec.data)) == NULL ||
	    (clocks = merge_parse_obj(rec.clocks)) == NULL) {
		/* never merged into, so never overwritten: a person must look */
		char id[UUID7_STRLEN + 1];

		uuid7_format(op->record_id, id);
		r = terr_set(e, TERR_INVALID, "запись %s на хабе повреждена: %s не читаются; "
		    "изменение не применено, запись оставлена как есть до проверки "
		    "администратором", id, data == NULL ? "её ответы" : "её метки времени");
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.on_loser = decision ? NULL : merge_log;
	o.loser_arg = &m;
	o.fields_only = decision;
	pclock = cJSON_GetObjectItemCaseSensitive(clocks, "p");
	pold = cJSON_IsArray(pclock) && cJSON_IsString(pclock->child) ?
	    strcmp(hlc, pclock->child->valuestring) : 1;
	if ((r = recmerge_change(data, clocks, op->kind == OP_PUT ? RECMERGE_PUT :
	    op->kind == OP_EDIT ? RECMERGE_EDIT : RECMERGE_DELETE, hlc, device_id,
	    op->kind == OP_DELETE ? NULL : op->fields, &o, NULL, e)) != 0)
		goto out;
	/* the record's form version is its last whole put's (a record first
	 * seen through an edit or a delete takes the op's) */
	if (op->kind == OP_PUT && pold > 0)
		rec.form_version = op->form_version;
	rec.deleted = recmerge_deleted(clocks);
	if (strcmp(hlc, rec.hlc) > 0) {
		hubdb_copy(rec.hlc, sizeof(rec.hlc), hlc);
		hubdb_copy(rec.device_id, sizeof(rec.device_id), device_id);
	}
	dtext = cJSON_PrintUnformatted(data);
	ctext = cJSON_PrintUnformatted(clocks);
	if (dtext == NULL || ctext == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	old.data = rec.data;
	free(rec.clocks);
	rec.data = dtext;
	rec.clocks = ctext;
	dtext = ctext = NULL;
	if ((r = hubdb_record_put(db, &rec, e)) == 0)
		r = survey_facts_update(db, found ? &old : NULL, &rec, data, e);
 out:
	free(old.data);
	cJSON_free(dtext);
	cJSON_free(ctext);
	cJSON_Delete(data);
	cJSON_Delete(clocks);
	hubdb_record_clear(&rec);
	return r;
}

int
merge_apply(struct hubdb *db, const char *device_id, const struct op *op,
    unsigned *conflicts, struct terr *e)
{
	return merge_run(db, device_id, op, conflicts, false, e);
}

int
merge_apply_decision(struct hubdb *db, const char *writer, const struct op *op,
    struct terr *e)
{
	/* an edit: the first-put path (a put only) is never taken */
	if (op->kind != OP_EDIT)
		return terr_set(e, TERR_ARG, "решение по конфликту — только правка поля");
	return merge_run(db, writer, op, NULL, true, e);
}
