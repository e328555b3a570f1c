/*
 * rec — record life cycle on a device: draft -> final -> deleted, with the
 * outbox written in the same transaction as the record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"
#include "tetrad/school.h"
#include "tetrad/localdb.h"

#include "client/csvio.h"
#include "client/rec.h"
#include "client/rec_clock.h"
#include "client/rec_school.h"
#include "client/rec_unique.h"
#include "tetrad/textin.h"

static const struct form_field *
rec_child(const struct form_field *g, const char *id)
{
	for (size_t i = 0; i < g->n_children; i++)
		if (strcmp(g->children[i].id, id) == 0)
			return &g->children[i];
	return NULL;
}

/* Sets or removes (v == NULL) member id of obj. */
static int
rec_put_member(cJSON *obj, const char *id, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, id);
	if (v && !cJSON_AddItemToObject(obj, id, v)) {
		cJSON_Delete(v);
		return TERR_NOMEM;
	}
	return 0;
}

int
rec_apply_set(const struct form *f, cJSON *values, const char *assignment,
    struct terr *e)
{
	char path[256], gid[FORM_ID_MAX + 1];
	const char *eq = strchr(assignment, '=');
	const char *text, *br;
	const struct form_field *field, *child;
	cJSON *v = NULL, *arr, *item;
	size_t plen;
	unsigned long idx;
	char *end;
	int r;

	if (eq == NULL || eq == assignment)
		return terr_set(e, TERR_ARG, "«%s»: ожидается ПОЛЕ=ЗНАЧЕНИЕ.", assignment);
	plen = (size_t)(eq - assignment);
	if (plen >= sizeof(path))
		return terr_set(e, TERR_ARG, "Слишком длинное имя поля в «%.40s…».",
		    assignment);
	memcpy(path, assignment, plen);
	path[plen] = '\0';
	text = eq + 1;
	if ((br = strchr(path, '[')) == NULL) {
		if ((field = form_find(f, path)) == NULL)
			return terr_set(e, TERR_INVALID, "В форме «%s» нет поля «%s».",
			    form_title(f), path);
		if (field->type == FORM_GROUP) {
			cJSON *parsed;

			/* a whole group given as JSON: parties=[{"role":…}] */
			if (*text == '\0')
				return rec_put_member(values, path, NULL) ? TERR_NOMEM : 0;
			parsed = cJSON_Parse(text);
			if (parsed == NULL || !cJSON_IsArray(parsed)) {
				cJSON_Delete(parsed);
				return terr_set(e, TERR_INVALID, "%s: укажите элементы как "
				    "%s[0].поле=значение или JSON-массив.", field->label, path);
			}
			return rec_put_member(values, path, parsed) ? TERR_NOMEM : 0;
		}
		if (*text == '\0')
			return rec_put_member(values, path, NULL) ? TERR_NOMEM : 0;
		if ((r = textin_value(field, text, &v, e)) != 0)
			return r;
		if (rec_put_member(values, path, v) != 0)
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		return 0;
	}
	/* group[N].member */
	if ((size_t)(br - path) > FORM_ID_MAX)
		return terr_set(e, TERR_ARG, "Слишком длинное имя поля «%s».", path);
	memcpy(gid, path, (size_t)(br - path));
	gid[br - path] = '\0';
	errno = 0;
	idx = strtoul(br + 1, &end, 10);
	if (end == br + 1 || *end != ']' || end[1] != '.' || end[2] == '\0' || errno)
		return terr_set(e, TERR_ARG, "«%s»: ожидается группа[номер].поле, "
		    "например parties[0].role.", path);
	field = form_find(f, gid);
	if (field == NULL || field->type != FORM_GROUP)
		return terr_set(e, TERR_INVALID, "В форме «%s» нет повторяющейся "
		    "группы «%s».", form_title(f), gid);
	if (idx >= FORM_MAX_REPEAT)
		return terr_set(e, TERR_INVALID, "%s: номер элемента %lu слишком "
		    "большой.", field->label, idx);
	if ((child = rec_child(field, end + 2)) == NULL)
		return terr_set(e, TERR_INVALID, "В группе «%s» нет поля «%s».",
		    field->label, end + 2);
	if (*text != '\0' && (r = textin_value(child, text, &v, e)) != 0)
		return r;
	arr = cJSON_GetObjectItemCaseSensitive(values, gid);
	if (!cJSON_IsArray(arr)) {
		if ((arr = cJSON_CreateArray()) == NULL || rec_put_member(values, gid, arr)) {
			cJSON_Delete(v);
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		}
	}
	while ((size_t)cJSON_GetArraySize(arr) <= idx) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			cJSON_Delete(v);
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		}
	}
	item = cJSON_GetArrayItem(arr, (int)idx);
	if (!cJSON_IsObject(item)) {
		cJSON_Delete(v);
		return terr_set(e, TERR_INVALID, "%s: элемент %lu не является "
		    "объектом.", field->label, idx);
	}
	if (rec_put_member(item, child->id, v) != 0)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	return 0;
}

int
rec_merge(cJSON *values, const cJSON *changes, struct terr *e)
{
	const cJSON *m;

	if (!cJSON_IsObject(changes))
		return terr_set(e, TERR_INVALID, "Значения должны быть JSON-объектом "
		    "{\"поле\": значение, …}.");
	cJSON_ArrayForEach(m, changes) {
		cJSON *dup = NULL;

		if (m->string == NULL)
			continue;
		/* null is kept here; rec_prune_nulls, which knows the form, drops
		 * it except where it is an answer */
		if ((dup = cJSON_Duplicate(m, 1)) == NULL)
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		if (rec_put_member(values, m->string, dup) != 0)
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	}
	return 0;
}

int
rec_read_json(const char *path, cJSON **out, struct terr *e)
{
	FILE *fp = NULL;
	char *buf = NULL;
	size_t n = 0;
	int r = TERR_INTERNAL;
	const char *name = strcmp(path, "-") == 0 ? "стандартный ввод" : path;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(path, "rb")) == NULL)
		return terr_set(e, TERR_ARG, "Не удалось открыть файл «%s»: %s.", path,
		    terr_strerror(errno));
	if ((buf = malloc(REC_JSON_MAX + 1)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	n = fread(buf, 1, REC_JSON_MAX + 1, fp);
	if (ferror(fp)) {
		r = terr_set(e, TERR_IO, "Не удалось прочитать «%s».", name);
		goto out;
	}
	if (n > REC_JSON_MAX) {
		r = terr_set(e, TERR_TOO_LARGE, "Файл «%s» больше %u байт.", name,
		    REC_JSON_MAX);
		goto out;
	}
	buf[n] = '\0';
	if ((*out = cJSON_ParseWithLength(buf, n)) == NULL) {
		r = terr_set(e, TERR_INVALID, "«%s»: это не JSON (ошибка около «%.20s»).",
		    name, cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
		goto out;
	}
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		r = terr_set(e, TERR_INVALID, "«%s»: ожидается JSON-объект "
		    "{\"поле\": значение, …}.", name);
		goto out;
	}
	r = 0;
 out:
	free(buf);
	if (fp && fp != stdin)
		fclose(fp);
	return r;
}

/*
 * The outbox text of a put's fields: canonical, as the change set carries
 * them, so syncd copies it into the set without reading it (malloc'd; NULL
 * on no memory). Fields the encoder refuses (over a cap) are stored as plain
 * JSON, and syncd names what is wrong when it packs them, as it always has.
 */
static char *
rec_fields_text(cJSON *hub)
{
	struct tbuf *b = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
	struct op op;
	char *text = NULL;

	memset(&op, 0, sizeof(op));
	op.kind = OP_PUT;
	op.fields = hub;
	if (b != NULL && changeset_encode_fields(&op, b, NULL) == 0 && tbuf_terminate(b) == 0)
		text = (char *)tbuf_steal(b, NULL);
	else if (b != NULL)
		text = cJSON_PrintUnformatted(hub);   /* cJSON allocates with malloc */
	tbuf_free(b);
	return text;
}

/*
 * Stamps r with a fresh HLC, stores it and, when op is not NULL ("put",
 * "edit", "delete"), moves its clock document and queues one outbox row
 * (rec_clock.h: an edit queues only the synced fields that differ from old,
 * and nothing when none does). Must run inside a transaction.
 */
static int
rec_stamp(struct store *s, const struct form *f, struct localdb_record *r,
    bool created, const char *op, const cJSON *old, const cJSON *values,
    struct terr *e)
{
	char hlc[HLC_STRLEN + 1];
	cJSON *send = NULL;
	char *fields = NULL;
	enum rec_clock_kind kind = 0;
	int rv;

	if (op != NULL)
		kind = strcmp(op, "put") == 0 ? REC_CLOCK_PUT :
		    strcmp(op, "edit") == 0 ? REC_CLOCK_EDIT : REC_CLOCK_DELETE;
	/* a final record obeys the form's "unique" rule, in this transaction */
	if (kind != 0 && kind != REC_CLOCK_DELETE &&
	    (rv = rec_unique_check(s, f, r, values, e)) != 0)
		goto out;
	if ((rv = store_hlc_next(s, hlc, e)) != 0)
		goto out;
	/* before updated_hlc moves: a record without a document counts it */
	if (kind != 0 && (rv = rec_clock_change(s, f, r, &kind, old, values, hlc,
	    &send, e)) != 0)
		goto out;
	if (kind == REC_CLOCK_EDIT && send == NULL)
		op = NULL;          /* only local fields changed */
	op = kind == REC_CLOCK_PUT ? "put" : op;   /* an edit that superseded refused ones */
	memcpy(r->updated_hlc, hlc, sizeof(hlc));
	if (created)
		memcpy(r->created_hlc, hlc, sizeof(hlc));
	if ((rv = store_record_put(s, r, f, e)) != 0)
		goto out;
	/* only what may leave the device: never the local fields */
	if (send != NULL && (fields = rec_fields_text(send)) == NULL) {
		rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if (op && (rv = store_outbox_append(s, r->id, op, r->form_id,
	    r->form_version, r->school, hlc, fields, NULL, e)) != 0)
		goto out;
	rv = 0;
 out:
	free(fields);
	cJSON_Delete(send);
	return rv;
}

/* rec_stamp in a transaction of its own. */
static int
rec_write(struct store *s, const struct form *f, struct localdb_record *r,
    bool created, const char *op, const cJSON *old, const cJSON *values,
    struct terr *e)
{
	int rv;

	if ((rv = store_begin(s, e)) != 0)
		return rv;
	if ((rv = rec_stamp(s, f, r, created, op, old, values, e)) != 0) {
		store_rollback(s);
		return rv;
	}
	return store_commit(s, e);
}

static int
rec_validate(const struct form *f, const cJSON *values, bool final,
    struct form_problems **problems, struct terr *e)
{
	int r = form_validate(f, values, final ? FORM_FINAL : FORM_DRAFT,
	    problems, e);

	if (r == TERR_INVALID)
		terr_set(e, TERR_INVALID, "Данные формы «%s» не прошли проверку.",
		    form_title(f));
	return r;
}

int
rec_create(struct store *s, const struct form *f, const char *school,
    const cJSON *values, bool draft, bool in_tx, uint8_t id_out[UUID7_BYTES],
    struct terr *e)
{
	struct localdb_record r = { 0 };
	char code[SCHOOL_CODE_MAX + 1];
	int rv;

	if ((rv = rec_school_of(s, f, values, school, draft, code, e)) != 0)
		goto out;
	if ((rv = uuid7_new(r.id, 0)) != 0) {
		terr_set(e, rv, "Не удалось создать номер записи.");
		goto out;
	}
	snprintf(r.form_id, sizeof(r.form_id), "%s", form_id(f));
	r.form_version = form_version(f);
	snprintf(r.school, sizeof(r.school), "%s", code);
	snprintf(r.status, sizeof(r.status), "%s", draft ? "draft" : "final");
	if ((r.data = cJSON_PrintUnformatted(values)) == NULL) {
		rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	rv = in_tx ? rec_stamp(s, f, &r, true, draft ? NULL : "put", NULL, values, e) :
	    rec_write(s, f, &r, true, draft ? NULL : "put", NULL, values, e);
	if (rv != 0)
		goto out;
	memcpy(id_out, r.id, UUID7_BYTES);
 out:
	cJSON_free(r.data);
	free(r.clocks);         /* rec_stamp's clock document of a final record */
	return rv;
}

/*
 * A null member means no answer and goes, as before, except on a scale
 * with «затрудняюсь ответить»: there null is that answer (docs/forms.md).
 */
static void
rec_prune_nulls(const struct form *f, cJSON *values)
{
	cJSON *m = values ? values->child : NULL, *next;

	for (; m != NULL; m = next) {
		const struct form_field *fl;

		next = m->next;
		if (!cJSON_IsNull(m) || m->string == NULL)
			continue;
		fl = form_find(f, m->string);
		if (fl == NULL || fl->type != FORM_SCALE || !fl->no_answer)
			cJSON_Delete(cJSON_DetachItemViaPointer(values, m));
	}
}

int
rec_new(struct store *s, const struct catalog *c, const char *fid,
    const char *school, const cJSON *values, bool draft,
    uint8_t id_out[UUID7_BYTES], struct form_problems **problems,
    struct terr *e)
{
	const struct form *f = catalog_latest(c, fid);
	cJSON *v = NULL;
	int rv;

	*problems = NULL;
	if (f == NULL)
		return terr_set(e, STORE_NOTFOUND, "Форма «%s» не найдена. Список "
		    "форм: «tetrad forms».", fid);
	/* no values at all (an empty draft) still gets its school filled */
	if ((v = values != NULL ? cJSON_Duplicate(values, 1) : cJSON_CreateObject()) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	rec_prune_nulls(f, v);
	/* «скрыто» (a copy of a record shown while locked) is no value */
	if ((rv = csvio_hidden_keep_stored(f, v, NULL, e)) != 0)
		goto out;
	if ((rv = rec_school_fill(s, f, school, v, e)) != 0 ||
	    (rv = rec_validate(f, v, !draft, problems, e)) != 0)
		goto out;
	rv = rec_create(s, f, school, v, draft, false, id_out, e);
 out:
	cJSON_Delete(v);
	return rv;
}

static int
rec_load(struct store *s, const struct catalog *c, const uint8_t id[UUID7_BYTES],
    struct localdb_record **rec, const struct form **f, cJSON **values,
    struct terr *e)
{
	char text[UUID7_STRLEN + 1];
	int r;

	*values = NULL;
	/* a delete (no catalog) keeps the row as stored, sealed values too */
	if ((r = c ? store_record_get(s, id, rec, e) :
	    localdb_record_get(store_localdb(s), id, rec, e)) != 0)
		return r;
	uuid7_format(id, text);
	if (strcmp((*rec)->status, "deleted") == 0)
		return terr_set(e, TERR_INVALID, "Запись %s удалена: её нельзя "
		    "изменить.", text);
	if (c && (*f = catalog_get(c, (*rec)->form_id, (*rec)->form_version)) == NULL)
		return terr_set(e, STORE_NOTFOUND, "Нет версии %u формы «%s», которой "
		    "сделана запись %s: получите формы с хаба («tetrad sync»).",
		    (*rec)->form_version, (*rec)->form_id, text);
	if ((*values = cJSON_Parse((*rec)->data)) == NULL || !cJSON_IsObject(*values))
		return terr_set(e, TERR_PARSE, "Данные записи %s повреждены.", text);
	return 0;
}

/*
 * The school of a record being edited or finalized, from its school field
 * (forms with one). A final record left the device as a record of
 * rec->school, and the hub keeps a record in the school it came with
 * (merge.c): its school field cannot change; moving a visit to another
 * school is a delete and a new record. A draft never left the device: it
 * follows its field (filled in on a school device, checked against the
 * device's schools).
 */
static int
rec_refile(struct store *s, const struct form *f, struct localdb_record *rec,
    cJSON *values, bool final, struct terr *e)
{
	const struct form_field *sf = form_school_field(f);
	const cJSON *v;
	int r;

	if (sf == NULL)
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(values, sf->id);
	if (final) {
		if (cJSON_IsString(v) && strcmp(v->valuestring, rec->school) != 0)
			return terr_set(e, TERR_INVALID, "Поле «%s» окончательной записи "
			    "изменить нельзя: она уже поставлена в очередь отправки как запись "
			    "школы %s. Чтобы отнести посещение к школе %.40s, удалите запись "
			    "(tetrad delete) и создайте новую.", sf->label, rec->school,
			    v->valuestring);
		return 0;
	}
	if ((r = rec_school_fill(s, f, NULL, values, e)) != 0)
		return r;
	v = cJSON_GetObjectItemCaseSensitive(values, sf->id);
	if (cJSON_IsString(v) && strlen(v->valuestring) <= SCHOOL_CODE_MAX)
		snprintf(rec->school, sizeof(rec->school), "%s", v->valuestring);
	return 0;
}

int
rec_edit(struct store *s, const struct catalog *c,
    const uint8_t id[UUID7_BYTES], const cJSON *changes,
    struct form_problems **problems, struct terr *e)
{
	struct localdb_record *rec = NULL;
	const struct form *f = NULL;
	cJSON *values = NULL, *old = NULL;
	char *data = NULL;
	bool final;
	int r;

	*problems = NULL;
	/* read and write in one transaction: a pull syncd commits between
	 * them would be overwritten with the stale record (test_sync_converge) */
	if ((r = store_begin(s, e)) != 0)
		return r;
	if ((r = rec_load(s, c, id, &rec, &f, &values, e)) != 0)
		goto out;
	if ((old = cJSON_Duplicate(values, 1)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if ((r = rec_merge(values, changes, e)) != 0)
		goto out;
	/* «скрыто» sent back (a `show --json` made while locked): what is stored */
	if ((r = csvio_hidden_keep_stored(f, values, old, e)) != 0)
		goto out;
	rec_prune_nulls(f, values);
	final = strcmp(rec->status, "final") == 0;
	if ((r = rec_refile(s, f, rec, values, final, e)) != 0 ||
	    (r = rec_validate(f, values, final, problems, e)) != 0)
		goto out;
	if ((data = cJSON_PrintUnformatted(values)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	free(rec->data);
	rec->data = data;
	data = NULL;
	if ((r = rec_stamp(s, f, rec, false, final ? "edit" : NULL, old, values, e)) == 0)
		r = store_commit(s, e);
 out:
	store_rollback(s);        /* nothing when committed */
	cJSON_free(data);
	cJSON_Delete(old);
	cJSON_Delete(values);
	store_record_free(rec);
	return r;
}

/*
 * The import of an edited export (csvio_import.c): like rec_edit, but the
 * caller gives the whole new values and may hold the transaction. Nothing
 * is written or queued when the values and the status stay the same, so
 * re-importing an unchanged file sends nothing twice.
 */
int
rec_update(struct store *s, const struct catalog *c,
    const uint8_t id[UUID7_BYTES], const cJSON *values, bool finalize,
    bool in_tx, const char *expect_hlc, bool *changed,
    struct form_problems **problems, struct terr *e)
{
	struct localdb_record *rec = NULL;
	const struct form *f = NULL;
	cJSON *old = NULL, *v = NULL;
	const char *op;
	bool final, was_final;
	int r;

	*problems = NULL;
	*changed = false;
	/* the look, the check and the write in one transaction, as rec_edit:
	 * a pull committed between them would be overwritten unseen */
	if (!in_tx && (r = store_begin(s, e)) != 0)
		return r;
	if ((r = rec_load(s, c, id, &rec, &f, &old, e)) != 0)
		goto out;
	if (expect_hlc != NULL && strcmp(rec->updated_hlc, expect_hlc) != 0) {
		r = 1;
		goto out;
	}
	if ((v = cJSON_Duplicate(values, 1)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	rec_prune_nulls(f, v);
	was_final = strcmp(rec->status, "final") == 0;
	final = was_final || finalize;
	if ((r = rec_refile(s, f, rec, v, was_final, e)) != 0 ||
	    (r = rec_validate(f, v, final, problems, e)) != 0)
		goto out;
	if (final == was_final && cJSON_Compare(old, v, true))
		goto out;
	free(rec->data);
	if ((rec->data = cJSON_PrintUnformatted(v)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	snprintf(rec->status, sizeof(rec->status), "%s", final ? "final" : "draft");
	/* a final record edited sends what changed; a draft finalised, all */
	op = was_final ? "edit" : final ? "put" : NULL;
	if ((r = rec_stamp(s, f, rec, false, op, old, v, e)) == 0 && !in_tx)
		r = store_commit(s, e);
	*changed = r == 0;
 out:
	if (!in_tx)
		store_rollback(s);        /* nothing when committed */
	cJSON_Delete(v);
	cJSON_Delete(old);
	store_record_free(rec);
	return r;
}

int
rec_finalize(struct store *s, const struct catalog *c,
    const uint8_t id[UUID7_BYTES], struct form_problems **problems,
    struct terr *e)
{
	struct localdb_record *rec = NULL;
	const struct form *f = NULL;
	cJSON *values = NULL;
	char *data = NULL;
	int r;

	*problems = NULL;
	if ((r = rec_load(s, c, id, &rec, &f, &values, e)) != 0)
		goto out;
	if (strcmp(rec->status, "final") == 0) {
		r = 1;
		goto out;
	}
	if ((r = rec_refile(s, f, rec, values, false, e)) != 0 ||
	    (r = rec_validate(f, values, true, problems, e)) != 0)
		goto out;
	/* the school field a school device filled in is part of the record */
	if ((data = cJSON_PrintUnformatted(values)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	free(rec->data);
	rec->data = data;
	data = NULL;
	snprintf(rec->status, sizeof(rec->status), "final");
	r = rec_write(s, f, rec, false, "put", NULL, values, e);
 out:
	cJSON_free(data);
	cJSON_Delete(values);
	store_record_free(rec);
	return r;
}

int
rec_delete(struct store *s, const uint8_t id[UUID7_BYTES], struct terr *e)
{
	struct localdb_record *rec = NULL;
	const struct form *f = NULL;
	cJSON *values = NULL;
	bool was_final;
	int r;

	if ((r = store_begin(s, e)) != 0)     /* as rec_edit: read and write at once */
		return r;
	if ((r = rec_load(s, NULL, id, &rec, &f, &values, e)) != 0)
		goto out;
	was_final = strcmp(rec->status, "final") == 0;
	snprintf(rec->status, sizeof(rec->status), "deleted");
	/* a draft never left the device: nothing to tell the hub */
	if ((r = rec_stamp(s, NULL, rec, false, was_final ? "delete" : NULL, NULL, NULL, e)) == 0)
		r = store_commit(s, e);
 out:
	store_rollback(s);        /* nothing when committed */
	cJSON_Delete(values);
	store_record_free(rec);
	return r;
}
