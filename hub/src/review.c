/*
 * review — a decision on a logged conflict (hub/review.h).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hub/merge.h"
#include "hub/review.h"
#include "tetrad/recmerge.h"
#include "tetrad/uuid7.h"

/* A stored JSON text; NULL when it does not read (or no memory). */
static cJSON *
review_parse(const char *text)
{
	return cJSON_ParseWithOpts(text, NULL, 1);
}

/*
 * A clock later than every clock of the record (clocks: its document), as
 * the hub's writer: the edit must win on every device whatever it holds.
 */
static int
review_clock(const cJSON *clocks, struct hlc_ts *out, struct terr *e)
{
	const char *newest = recmerge_newest(clocks);
	struct hlc_ts last;
	struct hlc *c;
	int r;

	memset(&last, 0, sizeof(last));
	if (newest != NULL && hlc_decode(newest, &last) != 0)
		return terr_set(e, TERR_INVALID, "метки времени записи не читаются");
	if ((c = hlc_new(0, newest != NULL ? &last : NULL)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	r = hlc_now(c, hlc_wall_now(), out);
	hlc_free(c);
	if (r != 0)
		return terr_set(e, TERR_CLOCK, "метки времени записи исчерпаны");
	return 0;
}

/*
 * The edit that takes the losing value: checked against the record as it
 * is now (review.h says why each check is there), then merged.
 */
static int
review_take(struct hubdb *db, const struct hubdb_conflict_row *c, char hlc[HLC_STRLEN + 1],
    struct terr *e)
{
	char id[UUID7_STRLEN + 1];
	struct hubdb_record rec;
	cJSON *data = NULL, *clocks = NULL, *winner = NULL, *fields = NULL, *loser;
	const cJSON *now;
	struct op op;
	bool found;
	int r;

	uuid7_format(c->record_id, id);
	if (c->field[0] == '\0')
		return terr_set(e, TERR_INVALID, "конфликт №%lld — удаление записи против её "
		    "изменения: удалённая запись здесь не восстанавливается. Закройте конфликт, "
		    "оставив принятое", (long long)c->id);
	if ((r = hubdb_record_get(db, c->record_id, &rec, &found, e)) != 0)
		return r;
	r = TERR_INVALID;
	if (!found || rec.deleted) {
		terr_set(e, r, "запись %s удалена после конфликта: отклонённое значение не "
		    "восстанавливается", id);
		goto out;
	}
	data = review_parse(rec.data);
	clocks = review_parse(rec.clocks);
	winner = review_parse(c->winner_value);
	if (!cJSON_IsObject(data) || !cJSON_IsObject(clocks) || winner == NULL) {
		terr_set(e, r, "запись %s на хабе не читается: решение не принято", id);
		goto out;
	}
	/* "no answer" is a field that is not there, as the log's null says */
	now = cJSON_GetObjectItemCaseSensitive(data, c->field);
	if (!(now == NULL ? cJSON_IsNull(winner) : cJSON_Compare(now, winner, 1))) {
		terr_set(e, r, "поле «%s» записи %s изменено после конфликта: новое значение "
		    "не перезаписывается решением по старому конфликту. Конфликт можно закрыть, "
		    "оставив текущее значение", c->field, id);
		goto out;
	}
	memset(&op, 0, sizeof(op));
	if ((r = review_clock(clocks, &op.hlc, e)) != 0)
		goto out;
	r = TERR_NOMEM;
	if ((fields = cJSON_CreateObject()) == NULL ||
	    (loser = review_parse(c->loser_value)) == NULL)
		goto out;
	if (!cJSON_AddItemToObject(fields, c->field, loser)) {
		cJSON_Delete(loser);
		goto out;
	}
	memcpy(op.record_id, c->record_id, sizeof(op.record_id));
	hubdb_copy(op.form_id, sizeof(op.form_id), rec.form_id);
	hubdb_copy(op.school, sizeof(op.school), rec.school);
	op.form_version = rec.form_version;
	op.kind = OP_EDIT;
	op.fields = fields;
	if ((r = merge_apply_decision(db, REVIEW_WRITER, &op, e)) == 0)
		hlc_encode(&op.hlc, hlc);
 out:
	if (r == TERR_NOMEM)
		terr_set(e, r, "недостаточно памяти");
	cJSON_Delete(data);
	cJSON_Delete(clocks);
	cJSON_Delete(winner);
	cJSON_Delete(fields);
	hubdb_record_clear(&rec);
	return r;
}

int
review_decide(struct hubdb *db, struct hubforms *forms, int64_t id,
    enum review_choice choice, const char *login, char hlc[HLC_STRLEN + 1],
    struct terr *e)
{
	struct hubdb_conflict_row c;
	char at[HLC_STRLEN + 1] = "";
	bool found;
	int r;

	if (choice != REVIEW_KEEP && choice != REVIEW_TAKE)
		return terr_set(e, TERR_ARG, "неизвестное решение");
	/* the records of a form that became shared get positions first */
	if ((r = hubforms_feed_forms(forms, db, e)) != 0)
		return r;
	if ((r = hubdb_begin(db, e)) != 0)
		return r;
	if ((r = hubdb_conflict_get(db, id, &c, &found, e)) != 0)
		goto out;
	if (!found) {
		r = terr_set(e, TERR_NOTFOUND, "конфликта №%lld нет", (long long)id);
		goto out;
	}
	if (c.decision[0] != '\0') {
		r = terr_set(e, TERR_REPLAY, "по конфликту №%lld решение уже принято",
		    (long long)id);
		goto out;
	}
	if (choice == REVIEW_TAKE && (r = review_take(db, &c, at, e)) != 0)
		goto out;
	if ((r = hubdb_conflict_decide(db, id, choice == REVIEW_TAKE ? "taken" : "kept",
	    login, choice == REVIEW_TAKE ? at : NULL, e)) != 0)
		goto out;
	r = hubdb_commit(db, e);
 out:
	if (r != 0)
		hubdb_rollback(db);
	else if (hlc != NULL)
		hubdb_copy(hlc, HLC_STRLEN + 1, at);
	hubdb_conflict_row_clear(&c);
	return r;
}
