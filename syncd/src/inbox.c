/*
 * inbox — one pull answer into the device database (see inbox.h).
 */
#include "syncd/inbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "syncd/formset.h"
#include "syncd/syncdb.h"
#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/recmerge.h"
#include "tetrad/school.h"
#include "tetrad/uuid7.h"


struct inbox {
	struct localdb *db;
	struct formset *forms;
	char device_hex[KEYS_ID_HEXLEN + 1];
	char schools[SCHOOL_LIST_MAX];
};

int
inbox_new(struct localdb *db, const char *db_path, const char *builtin_dir,
    struct inbox **out, struct terr *e)
{
	struct inbox *ib;
	char pulled[LOCALDB_PATH_MAX + 16];
	int r;

	*out = NULL;
	if ((ib = calloc(1, sizeof(*ib))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	ib->db = db;
	if ((r = syncdb_meta_get(db, "device_id", ib->device_hex, sizeof(ib->device_hex), e)) < 0 ||
	    (r = syncdb_meta_get(db, "device_schools", ib->schools, sizeof(ib->schools), e)) < 0)
		goto fail;
	if (ib->device_hex[0] == '\0') {
		r = terr_set(e, TERR_ARG, "устройство не зарегистрировано на хабе: "
		    "выполните «tetrad enroll --hub АДРЕС --token КОД»");
		goto fail;
	}
	/* enrolled before device_schools was kept: a school device's own school */
	if (ib->schools[0] == '\0' &&
	    (r = syncdb_meta_get(db, "school", ib->schools, sizeof(ib->schools), e)) < 0)
		goto fail;
	if (snprintf(pulled, sizeof(pulled), "%s.forms", db_path) >= (int)sizeof(pulled)) {
		r = terr_set(e, TERR_ARG, "слишком длинный путь к базе данных");
		goto fail;
	}
	if ((r = formset_new(builtin_dir, pulled, &ib->forms, e)) != 0)
		goto fail;
	*out = ib;
	return 0;
 fail:
	inbox_free(ib);
	return r;
}

void
inbox_free(struct inbox *ib)
{
	if (ib == NULL)
		return;
	formset_free(ib->forms);
	free(ib);
}

int
inbox_cursor(struct inbox *ib, uint64_t *after, struct terr *e)
{
	return localdb_pull_after(ib->db, after, e);
}

/* ---- one record ---------------------------------------------------- */

struct inbox_rec {
	struct inbox *ib;
	const struct pullmsg_record *in;
	const char *form_id;
	struct inbox_result *res;
	char mine_p[HLC_STRLEN + 1];   /* the device's whole-put clock of the record, or "" */
	int err;                       /* a failure inside a callback */
	struct terr *e;
};

static bool
inbox_skip(const char *field, void *arg)
{
	const struct inbox_rec *ir = arg;

	return formset_is_local(ir->ib->forms, ir->form_id, field);
}

/* A value as JSON text, malloc'd; NULL for none. */
static char *
inbox_text(const cJSON *v)
{
	return v ? cJSON_PrintUnformatted(v) : NULL;
}

/* Only this device's lost values go to its conflict list. */
static int
inbox_loser(const struct recmerge_loser *l, void *arg)
{
	struct inbox_rec *ir = arg;
	struct localdb_conflict c;
	char *mine = NULL, *theirs = NULL;
	int r;

	if (l->loser_device == NULL || strcmp(l->loser_device, ir->ib->device_hex) != 0)
		return 0;
	/*
	 * A value this device wrote with the record's whole put (made or
	 * finalised here) that another device later changed is an update,
	 * not a conflict: only values this device changed by an edit or a
	 * delete of its own are its lost values. Otherwise every change a
	 * curator makes to a school's passport would be listed as one.
	 */
	if (ir->mine_p[0] != '\0' && l->loser_hlc && strcmp(l->loser_hlc, ir->mine_p) == 0)
		return 0;
	/* a coordinator's decision on a field (recmerge.h), not a conflict; a
	 * deletion that lost is still listed */
	if (l->field[0] != '\0' && l->winner_device != NULL &&
	    strcmp(l->winner_device, RECMERGE_HUB_WRITER) == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	mine = inbox_text(l->loser);
	theirs = inbox_text(l->winner);
	if ((l->loser && mine == NULL) || (l->winner && theirs == NULL)) {
		r = terr_set(ir->e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	memcpy(c.record_id, ir->in->id, UUID7_BYTES);
	c.form_id = ir->form_id;
	c.school = ir->in->school;
	c.field = l->field;
	c.mine = mine;
	c.mine_hlc = l->loser_hlc;
	c.theirs = theirs;
	c.theirs_hlc = l->winner_hlc;
	c.theirs_device = l->winner_device;
	c.at = NULL;             /* now */
	if ((r = localdb_conflict_add(ir->ib->db, &c, ir->e)) == 0)
		ir->res->conflicts++;
 out:
	cJSON_free(mine);
	cJSON_free(theirs);
	if (r != 0)
		ir->err = r;
	return r;
}

/* The HLC text of clock entry key ("p", "x") of a clock document, or NULL. */
static const char *
inbox_clock_hlc(const cJSON *clocks, const char *key)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(clocks, key);

	if (!cJSON_IsArray(c) || !cJSON_IsString(c->child))
		return NULL;
	return c->child->valuestring;
}

/* true when clock entry key of clocks was written by device me. */
static bool
inbox_clock_mine(const cJSON *clocks, const char *key, const char *me)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(clocks, key);
	const cJSON *d = cJSON_IsArray(c) ? cJSON_GetArrayItem(c, 1) : NULL;

	return cJSON_IsString(d) && strcmp(d->valuestring, me) == 0;
}

static int
inbox_record(struct inbox_rec *ir, const char **newest, struct terr *e)
{
	struct inbox *ib = ir->ib;
	const struct pullmsg_record *in = ir->in;
	struct localdb_record *cur = NULL, put;
	struct recmerge_opts mo;
	struct terr ce;
	cJSON *data = NULL, *clocks = NULL, *old = NULL;
	char *data_txt = NULL, *clocks_txt = NULL, *cur_clocks = NULL, idtxt[UUID7_STRLEN + 1];
	const char *nw, *p;
	bool changed = false, found;
	int r;

	memset(&put, 0, sizeof(put));
	uuid7_format(in->id, idtxt);
	terr_clear(&ce);
	if (recmerge_check_clocks(in->clocks, &ce) != 0) {
		r = terr_set(e, TERR_PARSE, "запись %s с хаба: %s", idtxt, ce.msg);
		goto out;
	}
	if ((r = localdb_record_find(ib->db, in->id, &cur, e)) < 0)
		goto out;
	found = r == 1;
	if (found) {
		/* a record written before schema 7 has the implicit document */
		if ((r = localdb_record_clocks(ib->db, cur, &cur_clocks, e)) != 0)
			goto out;
		data = cJSON_Parse(cur->data ? cur->data : "{}");
		clocks = cJSON_Parse(cur_clocks);
		if (!cJSON_IsObject(data) || !cJSON_IsObject(clocks)) {
			r = terr_set(e, TERR_PARSE, "запись %s в базе данных повреждена", idtxt);
			goto out;
		}
		p = inbox_clock_hlc(clocks, "p");
		if (p != NULL && strlen(p) == HLC_STRLEN && inbox_clock_mine(clocks, "p", ib->device_hex))
			memcpy(ir->mine_p, p, HLC_STRLEN + 1);
		if ((old = cJSON_Duplicate(data, 1)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
	} else {
		data = cJSON_CreateObject();
		clocks = cJSON_CreateObject();
		if (data == NULL || clocks == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
	}
	memset(&mo, 0, sizeof(mo));
	mo.skip = inbox_skip;
	mo.skip_arg = ir;
	mo.on_loser = inbox_loser;
	mo.loser_arg = ir;
	if ((r = recmerge_state(data, clocks, in->data, in->clocks, &mo, &changed, e)) != 0) {
		if (ir->err != 0)
			r = ir->err;
		goto out;
	}
	ir->res->records++;
	if ((nw = recmerge_newest(in->clocks)) != NULL && (*newest == NULL || strcmp(nw, *newest) > 0))
		*newest = nw;
	/* a legacy record whose state the hub holds as is: nothing to write */
	if (found && !changed)
		goto out;
	if (found && (r = formset_graft_local(ib->forms, ir->form_id, data, old, e)) != 0)
		goto out;
	recmerge_compact(clocks);
	if ((data_txt = cJSON_PrintUnformatted(data)) == NULL ||
	    (clocks_txt = cJSON_PrintUnformatted(clocks)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	memcpy(put.id, in->id, UUID7_BYTES);
	snprintf(put.form_id, sizeof(put.form_id), "%s", in->form_id);
	snprintf(put.school, sizeof(put.school), "%s", in->school);
	put.form_version = in->form_version;
	put.data = data_txt;
	put.clocks = clocks_txt;
	/* sealed local values (client/vault.h) stay as they were: a pulled
	 * record never carries local values, so nothing here can change them */
	if (found) {
		put.sealed = cur->sealed;
		put.sealed_len = cur->sealed_len;
	}
	if ((nw = recmerge_newest(clocks)) == NULL) {
		r = terr_set(e, TERR_PARSE, "запись %s с хаба без меток времени", idtxt);
		goto out;
	}
	if (found) {
		/* the newer of the two versions describes the merged record */
		if (cur->form_version > put.form_version)
			put.form_version = cur->form_version;
		snprintf(put.created_hlc, sizeof(put.created_hlc), "%s", cur->created_hlc);
		snprintf(put.updated_hlc, sizeof(put.updated_hlc), "%s",
		    strcmp(nw, cur->updated_hlc) > 0 ? nw : cur->updated_hlc);
		/* a draft stays one until its author finalises it */
		snprintf(put.status, sizeof(put.status), "%s", recmerge_deleted(clocks) ? "deleted" :
		    strcmp(cur->status, "draft") == 0 ? "draft" : "final");
	} else {
		p = inbox_clock_hlc(clocks, "p");
		snprintf(put.created_hlc, sizeof(put.created_hlc), "%s", p ? p : nw);
		snprintf(put.updated_hlc, sizeof(put.updated_hlc), "%s", nw);
		snprintf(put.status, sizeof(put.status), "%s", recmerge_deleted(clocks) ? "deleted" : "final");
	}
	if ((r = localdb_record_put(ib->db, &put, e)) != 0)
		goto out;
	/* counted for the person only when a value they can see moved: the hub
	 * also sends back this device's own changes, whose clock documents it
	 * may hold in another shape */
	if (!found || !cJSON_Compare(old, data, true))
		ir->res->changed++;
	if (!found)
		ir->res->created++;
 out:
	localdb_record_free(cur);
	free(cur_clocks);
	cJSON_Delete(data);
	cJSON_Delete(clocks);
	cJSON_Delete(old);
	cJSON_free(data_txt);
	cJSON_free(clocks_txt);
	return r;
}

/* ---- profiles and the register -------------------------------------- */

/* meta key as a JSON object (absent or damaged: a new empty one). */
static int
inbox_meta_obj(struct inbox *ib, const char *key, cJSON **out, struct terr *e)
{
	char *txt = NULL;
	cJSON *j;
	int r;

	*out = NULL;
	if ((r = localdb_meta_get(ib->db, key, &txt, e)) != 0)
		return r;
	j = txt ? cJSON_Parse(txt) : NULL;
	free(txt);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = cJSON_CreateObject();
	}
	if (j == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	*out = j;
	return 0;
}

static int
inbox_meta_put(struct inbox *ib, const char *key, const cJSON *j, struct terr *e)
{
	char *txt = cJSON_PrintUnformatted(j);
	int r;

	if (txt == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if (strlen(txt) > LOCALDB_META_RISK_PROFILE_MAX)
		r = terr_set(e, TERR_TOO_LARGE, "рисковые профили школ с хаба занимают больше %u "
		    "КиБ", LOCALDB_META_RISK_PROFILE_MAX >> 10);
	else
		r = syncdb_meta_set(ib->db, key, txt, e);
	cJSON_free(txt);
	return r;
}

/* obj[key] = dup(v), replacing what was there. */
static int
inbox_replace(cJSON *obj, const char *key, cJSON *v, struct terr *e)
{
	if (v == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	if (!cJSON_AddItemToObject(obj, key, v)) {
		cJSON_Delete(v);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	return 0;
}

static int
inbox_profiles(struct inbox *ib, const struct pullmsg_batch *b, struct inbox_result *res,
    struct terr *e)
{
	cJSON *prof = NULL;
	int r = 0;

	if (b->n_profiles > 0) {
		if ((r = inbox_meta_obj(ib, LOCALDB_META_RISK_PROFILE, &prof, e)) != 0)
			goto out;
		for (size_t i = 0; i < b->n_profiles; i++) {
			const struct pullmsg_profile *p = &b->profiles[i];

			/* the issued profile of a school replaces the one held */
			if ((r = inbox_replace(prof, p->school, cJSON_Duplicate(p->years, 1), e)) != 0)
				goto out;
			res->profiles++;
		}
		if ((r = inbox_meta_put(ib, LOCALDB_META_RISK_PROFILE, prof, e)) != 0)
			goto out;
	}
	for (size_t i = 0; i < b->n_schools; i++) {
		if ((r = localdb_school_name_set(ib->db, b->schools[i].code, b->schools[i].name, e)) != 0)
			goto out;
		res->schools++;
	}
 out:
	cJSON_Delete(prof);
	return r;
}

/* ---- the answer ------------------------------------------------------ */

/* Everything in b is of the device's schools, or the reason it is not. */
static int
inbox_check_schools(const struct inbox *ib, const struct pullmsg_batch *b, struct terr *e)
{
	const char *bad = NULL;

	for (size_t i = 0; bad == NULL && i < b->n_records; i++)
		if (!school_list_has(ib->schools, b->records[i].school))
			bad = b->records[i].school;
	for (size_t i = 0; bad == NULL && i < b->n_profiles; i++)
		if (!school_list_has(ib->schools, b->profiles[i].school))
			bad = b->profiles[i].school;
	for (size_t i = 0; bad == NULL && i < b->n_schools; i++)
		if (!school_list_has(ib->schools, b->schools[i].code))
			bad = b->schools[i].code;
	if (bad == NULL)
		return 0;
	return terr_set(e, TERR_ARG, "ответ хаба содержит данные школы «%.32s», которой нет среди "
	    "школ этого устройства (%.200s): ответ не принят, данные устройства не изменены",
	    bad, ib->schools[0] ? ib->schools : "нет");
}

int
inbox_apply(struct inbox *ib, const struct pullmsg_batch *b, struct inbox_result *res,
    struct terr *e)
{
	struct inbox_result add;
	const char *newest = NULL;
	int r;

	memset(&add, 0, sizeof(add));
	if ((r = inbox_check_schools(ib, b, e)) != 0)
		return r;
	if ((r = syncdb_begin(ib->db, e)) != 0)
		return r;
	for (size_t i = 0; i < b->n_records; i++) {
		struct inbox_rec ir;

		memset(&ir, 0, sizeof(ir));
		ir.ib = ib;
		ir.in = &b->records[i];
		ir.form_id = b->records[i].form_id;
		ir.res = &add;
		ir.e = e;
		if ((r = inbox_record(&ir, &newest, e)) != 0)
			goto fail;
	}
	if ((r = inbox_profiles(ib, b, &add, e)) != 0)
		goto fail;
	/* an edit made after seeing these is stamped after all of them */
	if (newest != NULL && (r = localdb_hlc_observe(ib->db, newest, e)) != 0)
		goto fail;
	if ((r = localdb_pull_after_set(ib->db, b->upto, e)) != 0)
		goto fail;
	if ((r = syncdb_commit(ib->db, e)) != 0)
		return r;
	res->records += add.records;
	res->created += add.created;
	res->changed += add.changed;
	res->conflicts += add.conflicts;
	res->profiles += add.profiles;
	res->schools += add.schools;
	return 0;
 fail:
	syncdb_rollback(ib->db);
	return r;
}
