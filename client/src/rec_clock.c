/*
 * rec_clock — the op a record change queues and the clock document it
 * leaves (rec_clock.h).
 */
#include <stdlib.h>
#include <string.h>

#include "tetrad/recmerge.h"
#include "tetrad/uuid7.h"

#include "client/rec_clock.h"

bool
rec_clock_local(const char *field, void *arg)
{
	const struct form_field *fl = arg ? form_find(arg, field) : NULL;

	return fl != NULL && fl->sync == FORM_SYNC_LOCAL;
}

/* Adds key = a copy of v (JSON null when v is NULL) to out. */
static int
rec_clock_add(cJSON *out, const char *key, const cJSON *v)
{
	cJSON *c = v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();

	if (c == NULL || !cJSON_AddItemToObject(out, key, c)) {
		cJSON_Delete(c);
		return TERR_NOMEM;
	}
	return 0;
}

/*
 * The synced fields that differ between a and b (both stripped of local
 * fields): b's value, or null when b has none. A group is one field: an
 * item changed sends the group's whole list.
 */
static int
rec_clock_diff(const cJSON *a, const cJSON *b, cJSON **out)
{
	const cJSON *m, *o;
	cJSON *d = cJSON_CreateObject();

	*out = NULL;
	if (d == NULL)
		return TERR_NOMEM;
	cJSON_ArrayForEach(m, b) {
		o = cJSON_GetObjectItemCaseSensitive(a, m->string);
		if ((o == NULL || !cJSON_Compare(o, m, true)) &&
		    rec_clock_add(d, m->string, m) != 0)
			goto nomem;
	}
	cJSON_ArrayForEach(m, a) {
		if (cJSON_GetObjectItemCaseSensitive(b, m->string) == NULL &&
		    rec_clock_add(d, m->string, NULL) != 0)
			goto nomem;
	}
	*out = d;
	return 0;
 nomem:
	cJSON_Delete(d);
	return TERR_NOMEM;
}

/* r's clock document before the change: stored, implicit (a record of
 * schema < 7), or empty (a draft being finalised: it never left). */
static int
rec_clock_doc(struct store *s, const struct localdb_record *r, bool put,
    cJSON **out, struct terr *e)
{
	char id[UUID7_STRLEN + 1];
	char *text = NULL;
	int rv;

	*out = NULL;
	if (put && r->clocks == NULL) {
		if ((*out = cJSON_CreateObject()) == NULL)
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		return 0;
	}
	if ((rv = localdb_record_clocks(store_localdb(s), r, &text, e)) != 0)
		return rv;
	*out = cJSON_Parse(text);
	free(text);
	if (*out == NULL || !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		uuid7_format(r->id, id);
		return terr_set(e, TERR_PARSE, "Повреждены метки времени записи %s "
		    "(столбец clocks).", id);
	}
	return 0;
}

int
rec_clock_change(struct store *s, const struct form *f, struct localdb_record *r,
    enum rec_clock_kind *kindp, const cJSON *old, const cJSON *values,
    const char *hlc, cJSON **fields, struct terr *e)
{
	char me[LOCALDB_DEVICE_HEX + 1];
	struct recmerge_opts o = { rec_clock_local, (void *)(uintptr_t)f, NULL, NULL, false };
	cJSON *doc = NULL, *scratch = NULL, *a = NULL, *b = NULL, *send = NULL;
	enum rec_clock_kind kind = *kindp;
	int64_t superseded = 0;
	char *text = NULL;
	int rv;

	*fields = NULL;
	if ((rv = localdb_device_id(store_localdb(s), me, e)) != 0)
		goto out;
	/* the record's own entries the hub refused, quarantined: never sent
	 * again now (superseded), so the hub lacks what an edit would be a
	 * difference against — the record goes whole, as a put */
	if (kind == REC_CLOCK_EDIT) {
		if ((rv = localdb_quarantine_supersede(store_localdb(s), r->id, &superseded,
		    e)) != 0)
			goto out;
		if (superseded > 0)
			kind = *kindp = REC_CLOCK_PUT;
	}
	if (kind != REC_CLOCK_DELETE &&
	    (f == NULL || (b = form_strip_local(f, values)) == NULL)) {
		rv = f == NULL ? terr_set(e, TERR_INTERNAL, "Изменение записи без формы.") :
		    terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if (kind == REC_CLOCK_EDIT) {
		if ((a = old ? form_strip_local(f, old) : cJSON_CreateObject()) == NULL ||
		    rec_clock_diff(a, b, &send) != 0) {
			rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
		if (send->child == NULL) {
			rv = 0;     /* only local fields changed: nothing travels */
			goto out;
		}
	} else if (kind == REC_CLOCK_PUT) {
		send = b;
		b = NULL;
	}
	if ((rv = rec_clock_doc(s, r, kind == REC_CLOCK_PUT, &doc, e)) != 0)
		goto out;
	/* only the document is wanted; recmerge moves a copy of the values */
	if ((scratch = a ? a : cJSON_CreateObject()) == NULL) {
		rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	a = NULL;
	if ((rv = recmerge_change(scratch, doc, kind == REC_CLOCK_PUT ? RECMERGE_PUT :
	    kind == REC_CLOCK_EDIT ? RECMERGE_EDIT : RECMERGE_DELETE, hlc, me, send,
	    &o, NULL, e)) != 0)
		goto out;
	if ((text = cJSON_PrintUnformatted(doc)) == NULL) {
		rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	free(r->clocks);
	r->clocks = text;
	*fields = send;
	send = NULL;
	rv = 0;
 out:
	cJSON_Delete(doc);
	cJSON_Delete(scratch);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(send);
	return rv;
}
