/*
 * hubdb_review — the SQLite statements of conflict review (hub/review.h):
 * one logged conflict with its decision, a decision recorded, the number
 * still open. The decisions live in conflict_decisions (hubdb_schema.c),
 * beside the log, which stays as it was written.
 */
#include <stdlib.h>
#include <string.h>

#include "hubdb_impl.h"

void
hubdb_conflict_row_clear(struct hubdb_conflict_row *c)
{
	free(c->field);
	free(c->loser_value);
	free(c->winner_value);
	memset(c, 0, sizeof(*c));
}

/* Column col as a malloc'd text ("" for NULL); NULL only on no memory. */
static char *
hubdb_review_dup(struct hsql_stmt *st, int col)
{
	const unsigned char *t = hsql_column_text(st, col);

	return strdup(t ? (const char *)t : "");
}

/*
 * Who a device is, for people: a curator's laptop by the curator's name (its
 * token's), a school's computer by its own name (the machine's).
 */
#define HUBDB_DEVICE_WHO(col) "(SELECT CASE v.kind WHEN 'curator' THEN 'куратор ' || " \
	"coalesce((SELECT name FROM tokens WHERE used_by = v.id LIMIT 1), v.label) " \
	"ELSE 'компьютер школы «' || v.label || '»' END FROM devices v WHERE v.id = " col ")"

/* Every column a row of review reads, in the order hubdb_conflict_read takes them. */
#define HUBDB_CONFLICT_COLS "c.id, c.record_id, c.form_id, c.school, c.field, " \
	"c.loser_value, c.loser_hlc, c.loser_device, c.winner_value, c.winner_hlc, " \
	"c.winner_device, c.logged_at, d.choice, d.login, d.decided_at, s.name, " \
	HUBDB_DEVICE_WHO("c.loser_device") ", " HUBDB_DEVICE_WHO("c.winner_device") \
	" FROM conflicts c " \
	"LEFT JOIN conflict_decisions d ON d.conflict_id = c.id " \
	"LEFT JOIN schools s ON s.code = c.school "

static int
hubdb_conflict_read(struct hsql_stmt *st, struct hubdb_conflict_row *c, struct terr *e)
{
	memset(c, 0, sizeof(*c));
	c->id = hsql_column_int64(st, 0);
	if (hsql_column_bytes(st, 1) == (int)sizeof(c->record_id))
		memcpy(c->record_id, hsql_column_blob(st, 1), sizeof(c->record_id));
	hubdb_copy_text(c->form_id, sizeof(c->form_id), st, 2);
	hubdb_copy_text(c->school, sizeof(c->school), st, 3);
	hubdb_copy_text(c->loser_hlc, sizeof(c->loser_hlc), st, 6);
	hubdb_copy_text(c->loser_device, sizeof(c->loser_device), st, 7);
	hubdb_copy_text(c->winner_hlc, sizeof(c->winner_hlc), st, 9);
	hubdb_copy_text(c->winner_device, sizeof(c->winner_device), st, 10);
	hubdb_copy_text(c->logged_at, sizeof(c->logged_at), st, 11);
	hubdb_copy_text(c->decision, sizeof(c->decision), st, 12);
	hubdb_copy_text(c->decided_by, sizeof(c->decided_by), st, 13);
	hubdb_copy_text(c->decided_at, sizeof(c->decided_at), st, 14);
	hubdb_copy_text(c->school_name, sizeof(c->school_name), st, 15);
	hubdb_copy_text(c->loser_label, sizeof(c->loser_label), st, 16);
	hubdb_copy_text(c->winner_label, sizeof(c->winner_label), st, 17);
	c->field = hubdb_review_dup(st, 4);
	c->loser_value = hubdb_review_dup(st, 5);
	c->winner_value = hubdb_review_dup(st, 8);
	if (c->field == NULL || c->loser_value == NULL || c->winner_value == NULL) {
		hubdb_conflict_row_clear(c);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	return 0;
}

int
hubdb_conflict_get(struct hubdb *db, int64_t id, struct hubdb_conflict_row *c,
    bool *found, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	memset(c, 0, sizeof(*c));
	*found = false;
	if (hsql_prepare(db->db, "SELECT " HUBDB_CONFLICT_COLS "WHERE c.id = ?1", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение конфликта");
	hsql_bind_int64(st, 1, id);
	rc = hsql_step(st);
	if (rc == HSQL_ROW)
		*found = (r = hubdb_conflict_read(st, c, e)) == 0;
	else if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение конфликта");
	hsql_finalize(st);
	return r;
}

int
hubdb_conflicts_each(struct hubdb *db, bool open_only, size_t limit,
    hubdb_conflict_cb cb, void *ctx, long long *total, struct terr *e)
{
	struct hubdb_conflict_row c;
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	*total = 0;
	if (hsql_prepare(db->db, "SELECT count(*) FROM conflicts c WHERE ?1 = 0 OR "
	    "NOT EXISTS (SELECT 1 FROM conflict_decisions d WHERE d.conflict_id = c.id)", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение конфликтов");
	hsql_bind_int(st, 1, open_only);
	if ((rc = hsql_step(st)) == HSQL_ROW)
		*total = hsql_column_int64(st, 0);
	else
		r = hubdb_err(db, rc, e, "чтение конфликтов");
	hsql_finalize(st);
	st = NULL;
	/* limit 0: the count alone (hubdb_conflicts_open, the overview's tile) */
	if (r != 0 || limit == 0)
		return r;
	if (hsql_prepare(db->db, "SELECT " HUBDB_CONFLICT_COLS "WHERE ?1 = 0 OR "
	    "d.conflict_id IS NULL ORDER BY c.id DESC LIMIT ?2", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение конфликтов");
	hsql_bind_int(st, 1, open_only);
	hsql_bind_int64(st, 2, (int64_t)limit);
	while (r == 0 && (rc = hsql_step(st)) == HSQL_ROW) {
		if ((r = hubdb_conflict_read(st, &c, e)) != 0)
			break;
		r = cb(ctx, &c);
		hubdb_conflict_row_clear(&c);
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение конфликтов");
	hsql_finalize(st);
	return r;
}

int
hubdb_conflict_decide(struct hubdb *db, int64_t id, const char *choice,
    const char *login, const char *hlc, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	char now[HUBDB_TIME_MAX];
	int rc, r = 0;

	if (hsql_prepare(db->db, "INSERT INTO conflict_decisions(conflict_id, choice, "
	    "login, decided_at, hlc) VALUES(?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT(conflict_id) DO NOTHING", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "запись решения по конфликту");
	hubdb_now_iso(now);
	hsql_bind_int64(st, 1, id);
	hsql_bind_text(st, 2, choice, -1);
	hsql_bind_text(st, 3, login, -1);
	hsql_bind_text(st, 4, now, -1);
	if (hlc != NULL)
		hsql_bind_text(st, 5, hlc, -1);
	else
		hsql_bind_null(st, 5);
	rc = hsql_step(st);
	if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "запись решения по конфликту");
	else if (hsql_changes(db->db) == 0)
		r = terr_set(e, TERR_REPLAY, "по конфликту №%lld решение уже принято",
		    (long long)id);
	hsql_finalize(st);
	return r;
}

int
hubdb_conflicts_open(struct hubdb *db, long long *n, struct terr *e)
{
	return hubdb_conflicts_each(db, true, 0, NULL, NULL, n, e);
}
