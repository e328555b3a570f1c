/*
 * merge — per-field last-writer-wins merge with a conflict log (merge.h).
 *
 * Clock document of a record (hub_clocks.clocks):
 *   {"f":{"<field>":["<hlc>","<device>"],…},   per-field clocks
 *    "p":["<hlc>","<device>"],                   last put applied
 *    "x":["<hlc>","<device>",0|1]}               existence: 1 = deleted
 * HLC text compares like the clock itself (hlc.h), so strcmp orders them.
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

struct merge_ctx {
	struct hubdb *db;
	const char *device;
	const struct op *op;
	char hlc[HLC_STRLEN + 1];
	struct hubdb_record *rec;
	unsigned *conflicts;
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

/* hlc and device of a clock array, or NULL when absent or damaged. */
static const char *
merge_clock(const cJSON *c, const char **device, int *flag)
{
	const cJSON *h, *d, *f;

	if (!cJSON_IsArray(c))
		return NULL;
	h = cJSON_GetArrayItem(c, 0);
	d = cJSON_GetArrayItem(c, 1);
	if (!cJSON_IsString(h) || !cJSON_IsString(d))
		return NULL;
	*device = d->valuestring;
	if (flag != NULL) {
		f = cJSON_GetArrayItem(c, 2);
		*flag = cJSON_IsNumber(f) ? f->valueint : 0;
	}
	return h->valuestring;
}

static cJSON *
merge_make_clock(const char *hlc, const char *device, int flag, int with_flag)
{
	cJSON *a = cJSON_CreateArray();

	if (a == NULL)
		return NULL;
	cJSON_AddItemToArray(a, cJSON_CreateString(hlc));
	cJSON_AddItemToArray(a, cJSON_CreateString(device));
	if (with_flag)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(flag));
	return a;
}

static int
merge_set_clock(cJSON *parent, const char *key, cJSON *clock)
{
	if (clock == NULL)
		return TERR_NOMEM;
	if (cJSON_GetObjectItemCaseSensitive(parent, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(parent, key, clock);
	else
		cJSON_AddItemToObject(parent, key, clock);
	return 0;
}

static bool
merge_absent(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v);
}

static bool
merge_equal(const cJSON *a, const cJSON *b)
{
	if (merge_absent(a) || merge_absent(b))
		return merge_absent(a) && merge_absent(b);
	return cJSON_Compare(a, b, 1) != 0;
}

/* Logs a losing value; "no answer" losing is not a conflict worth review. */
static int
merge_log(struct merge_ctx *m, const char *field, const cJSON *loser,
    const char *loser_hlc, const char *loser_dev, const cJSON *winner,
    const char *winner_hlc, const char *winner_dev, struct terr *e)
{
	struct hubdb_conflict c;
	char *lv = NULL, *wv = NULL;
	int r = TERR_NOMEM;

	if (merge_absent(loser) || strcmp(loser_dev, winner_dev) == 0 ||
	    merge_equal(loser, winner))
		return 0;
	if ((lv = cJSON_PrintUnformatted(loser)) == NULL)
		goto out;
	if (!merge_absent(winner) && (wv = cJSON_PrintUnformatted(winner)) == NULL)
		goto out;
	memset(&c, 0, sizeof(c));
	c.record_id = m->op->record_id;
	c.form_id = m->rec->form_id;
	c.school = m->rec->school;
	c.field = field;
	c.loser_value = lv;
	c.loser_hlc = loser_hlc;
	c.loser_device = loser_dev;
	c.winner_value = wv ? wv : "null";
	c.winner_hlc = winner_hlc;
	c.winner_device = winner_dev;
	if ((r = hubdb_conflict_add(m->db, &c, e)) == 0)
		(*m->conflicts)++;
 out:
	if (r == TERR_NOMEM)
		terr_set(e, r, "недостаточно памяти");
	cJSON_free(lv);
	cJSON_free(wv);
	return r;
}

/* One field of a put: incoming value inc (NULL = no answer) at m->hlc. */
static int
merge_field(struct merge_ctx *m, cJSON *data, cJSON *fclocks, const cJSON *pclock,
    const char *key, const cJSON *inc, struct terr *e)
{
	const cJSON *clock = cJSON_GetObjectItemCaseSensitive(fclocks, key);
	const char *chlc, *cdev = NULL;
	cJSON *cur = cJSON_GetObjectItemCaseSensitive(data, key);
	int cmp, r;

	/* a field never written is "no answer" as of the last put */
	if ((chlc = merge_clock(clock, &cdev, NULL)) == NULL)
		chlc = merge_clock(pclock, &cdev, NULL);
	cmp = chlc ? strcmp(m->hlc, chlc) : 1;
	if (cmp < 0)
		return merge_log(m, key, inc, m->hlc, m->device, cur, chlc, cdev, e);
	if (cmp == 0)
		return 0;
	if (chlc != NULL && (r = merge_log(m, key, cur, chlc, cdev, inc, m->hlc,
	    m->device, e)) != 0)
		return r;
	if (cur != NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(data, key);
	if (!merge_absent(inc)) {
		cJSON *copy = cJSON_Duplicate(inc, 1);

		if (copy == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		cJSON_AddItemToObject(data, key, copy);
	}
	return merge_set_clock(fclocks, key, merge_make_clock(m->hlc, m->device, 0, 0)) == 0 ?
	    0 : terr_set(e, TERR_NOMEM, "недостаточно памяти");
}

static int
merge_put(struct merge_ctx *m, cJSON *data, cJSON *clocks, struct terr *e)
{
	cJSON *fclocks = cJSON_GetObjectItemCaseSensitive(clocks, "f");
	const cJSON *pclock = cJSON_GetObjectItemCaseSensitive(clocks, "p");
	const cJSON *f;
	const char *phlc, *pdev;
	char **keys = NULL;
	size_t nkeys = 0, i;
	int r = 0;

	if (fclocks == NULL) {
		if ((fclocks = cJSON_AddObjectToObject(clocks, "f")) == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	/*
	 * Every field either side knows about: with a clock of its own, with a
	 * value (its clock may be "p"'s, which this put can move), or in the put.
	 * Copied first since merging edits fclocks and data.
	 */
	keys = calloc((size_t)cJSON_GetArraySize(fclocks) + (size_t)cJSON_GetArraySize(data) +
	    (size_t)cJSON_GetArraySize(m->op->fields) + 1, sizeof(*keys));
	if (keys == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	cJSON_ArrayForEach(f, fclocks)
		keys[nkeys++] = f->string;
	cJSON_ArrayForEach(f, data)
		if (cJSON_GetObjectItemCaseSensitive(fclocks, f->string) == NULL)
			keys[nkeys++] = f->string;
	cJSON_ArrayForEach(f, m->op->fields)
		if (cJSON_GetObjectItemCaseSensitive(fclocks, f->string) == NULL &&
		    cJSON_GetObjectItemCaseSensitive(data, f->string) == NULL)
			keys[nkeys++] = f->string;
	for (i = 0; i < nkeys && r == 0; i++) {
		char *k = strdup(keys[i]);

		if (k == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			break;
		}
		r = merge_field(m, data, fclocks, pclock, k,
		    cJSON_GetObjectItemCaseSensitive(m->op->fields, k), e);
		free(k);
	}
	free(keys);
	if (r != 0)
		return r;
	phlc = merge_clock(pclock, &pdev, NULL);
	if (phlc == NULL || strcmp(m->hlc, phlc) > 0) {
		m->rec->form_version = m->op->form_version;
		if (merge_set_clock(clocks, "p", merge_make_clock(m->hlc, m->device, 0, 0)) != 0)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	return 0;
}

/* Existence: a put says "exists", a delete says "deleted"; the later wins. */
static int
merge_existence(struct merge_ctx *m, cJSON *clocks, int deleted, struct terr *e)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(clocks, "x");
	const char *xhlc, *xdev = NULL;
	int xdel = 0, cmp;
	cJSON *mine = NULL, *theirs = NULL;
	int r = 0;

	xhlc = merge_clock(x, &xdev, &xdel);
	cmp = xhlc ? strcmp(m->hlc, xhlc) : 1;
	if (xhlc != NULL && xdel != deleted && cmp != 0) {
		mine = cJSON_CreateString(deleted ? "удалена" : "изменена");
		theirs = cJSON_CreateString(xdel ? "удалена" : "изменена");
		if (mine == NULL || theirs == NULL)
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		else if (cmp < 0)
			r = merge_log(m, "", mine, m->hlc, m->device, theirs, xhlc, xdev, e);
		else
			r = merge_log(m, "", theirs, xhlc, xdev, mine, m->hlc, m->device, e);
	}
	cJSON_Delete(mine);
	cJSON_Delete(theirs);
	if (r != 0 || cmp <= 0)
		return r;
	m->rec->deleted = deleted != 0;
	if (merge_set_clock(clocks, "x", merge_make_clock(m->hlc, m->device, deleted, 1)) != 0)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	return 0;
}

/* Drops the field clocks that equal "p" (see the top of this file). */
static void
merge_compact(cJSON *clocks)
{
	cJSON *fclocks = cJSON_GetObjectItemCaseSensitive(clocks, "f");
	const char *phlc, *pdev, *fhlc, *fdev;
	cJSON *f, *next;

	phlc = merge_clock(cJSON_GetObjectItemCaseSensitive(clocks, "p"), &pdev, NULL);
	if (fclocks == NULL || phlc == NULL)
		return;
	for (f = fclocks->child; f != NULL; f = next) {
		next = f->next;
		fhlc = merge_clock(f, &fdev, NULL);
		if (fhlc != NULL && strcmp(fhlc, phlc) == 0 && strcmp(fdev, pdev) == 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(fclocks, f));
	}
	if (fclocks->child == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(clocks, "f");
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
	/* a null answer at the top is ":null" in canonical text: look only then */
	if (op->fields_text == NULL || memmem(op->fields_text, op->fields_len, ":null", 5) != NULL)
		cJSON_ArrayForEach(f, op->fields)
			if (cJSON_IsNull(f))
				has_null = true;
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

int
merge_apply(struct hubdb *db, const char *device_id, const struct op *op,
    unsigned *conflicts, struct terr *e)
{
	struct hubdb_record rec, old;
	struct merge_ctx m;
	cJSON *data = NULL, *clocks = NULL;
	char *dtext = NULL, *ctext = NULL;
	bool found, added = false;
	int r;

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
	m.device = device_id;
	m.op = op;
	m.rec = &rec;
	m.conflicts = conflicts;
	hlc_encode(&op->hlc, m.hlc);
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
	if (op->kind == OP_PUT && (r = merge_put(&m, data, clocks, e)) != 0)
		goto out;
	if ((r = merge_existence(&m, clocks, op->kind == OP_DELETE, e)) != 0)
		goto out;
	merge_compact(clocks);
	if (strcmp(m.hlc, rec.hlc) > 0) {
		hubdb_copy(rec.hlc, sizeof(rec.hlc), m.hlc);
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
