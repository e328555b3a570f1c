/*
 * localdb_schema — the schema of the device database: every migration from
 * an empty file to LOCALDB_SCHEMA_VERSION, and the version check both
 * programs apply before they write anything.
 */
#include <stdint.h>
#include <stdio.h>

#include "localdb_int.h"

/* Migration i takes user_version i to i + 1. Never edit a shipped step:
 * databases in schools are at every older version. */
static const char *const localdb_migrations[] = {
	/* 0 -> 1: the contract schema (docs/client.md, "Database") */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE records(id BLOB PRIMARY KEY, form_id TEXT NOT NULL,"
	" form_version INTEGER NOT NULL, school TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK(status IN('draft','final','deleted')),"
	" created_hlc TEXT NOT NULL, updated_hlc TEXT NOT NULL,"
	" data TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE outbox(seq INTEGER PRIMARY KEY, record_id BLOB NOT NULL,"
	" op TEXT NOT NULL CHECK(op IN('put','delete')), form_id TEXT NOT NULL,"
	" form_version INTEGER NOT NULL, school TEXT NOT NULL, hlc TEXT NOT NULL,"
	" fields TEXT, state TEXT NOT NULL DEFAULT 'pending'"
	" CHECK(state IN('pending','sent','acked','quarantined')),"
	" batch_id INTEGER, reason TEXT);"
	"CREATE TABLE batches(id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL,"
	" last_seq INTEGER NOT NULL, prev_hash BLOB NOT NULL, set_hash BLOB NOT NULL,"
	" envelope BLOB NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN('sealed','sent','acked','quarantined')),"
	" reason TEXT, ack BLOB, created_at TEXT NOT NULL, sent_at TEXT,"
	" acked_at TEXT);",
	/* 1 -> 2: indexes for list by form/status and sync by state */
	"CREATE INDEX IF NOT EXISTS records_form_status ON records(form_id, status);"
	"CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, seq);"
	"CREATE INDEX IF NOT EXISTS outbox_record ON outbox(record_id);",
	/*
	 * 2 -> 3: only pending rows are indexed by state. syncd rewrites every
	 * row twice (sent, then acked), and an index of all rows by state moved
	 * the row's entry both times: a sixth of syncd's work. Counting rows by
	 * state reads the table now, which is cheap next to that.
	 */
	("DROP INDEX IF EXISTS outbox_state;"
	"CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(seq) WHERE state = 'pending';"),
	/*
	 * 3 -> 4: sets not yet answered, by their first entry. syncd looks for
	 * the next one before every set it sends; without an index that read
	 * every set ever sent, envelope and all (the state column lies past
	 * it): 20 ms with 2,000 sets kept.
	 */
	"CREATE INDEX IF NOT EXISTS batches_open ON batches(first_seq) "
	"WHERE state IN ('sealed', 'sent');",
	/*
	 * 4 -> 5: an entry's fields in a table of their own. syncd rewrites
	 * each entry's row twice (sent, then acked); with a 2.3 KB visit in it
	 * a row filled a page, so a set of 1,000 wrote some 8 MB of WAL for
	 * two bytes of state per row. The rows whose state changes are now
	 * ~100 bytes, 40 to a page; the fields are written once, by the client.
	 * `outbox` stays, as a view with every column it had, for the people
	 * and scripts that read or repair it with sqlite3 (INSTEAD OF triggers
	 * write through it); the programs use the two tables directly.
	 * The state check is the same set of values written as ORs: SQLite
	 * 3.40 checked the IN list of schema 1 at some 2 us a row, which was
	 * half of what updating a set's 1,000 rows cost.
	 */
	("CREATE TABLE outbox_queue(seq INTEGER PRIMARY KEY, record_id BLOB NOT NULL,"
	" op TEXT NOT NULL CHECK(op IN('put','delete')), form_id TEXT NOT NULL,"
	" form_version INTEGER NOT NULL, school TEXT NOT NULL, hlc TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK(state = 'pending' OR"
	" state = 'sent' OR state = 'acked' OR state = 'quarantined'),"
	" batch_id INTEGER, reason TEXT);"
	"CREATE TABLE outbox_fields(seq INTEGER PRIMARY KEY, fields TEXT);"
	"INSERT INTO outbox_queue(seq, record_id, op, form_id, form_version, school, hlc,"
	" state, batch_id, reason) SELECT seq, record_id, op, form_id, form_version, school,"
	" hlc, state, batch_id, reason FROM outbox;"
	"INSERT INTO outbox_fields(seq, fields) SELECT seq, fields FROM outbox;"
	"DROP TABLE outbox;"
	"CREATE INDEX outbox_pending ON outbox_queue(seq) WHERE state = 'pending';"
	"CREATE INDEX outbox_record ON outbox_queue(record_id);"
	"CREATE VIEW outbox AS SELECT q.seq AS seq, q.record_id AS record_id, q.op AS op,"
	" q.form_id AS form_id, q.form_version AS form_version, q.school AS school,"
	" q.hlc AS hlc, f.fields AS fields, q.state AS state, q.batch_id AS batch_id,"
	" q.reason AS reason FROM outbox_queue q LEFT JOIN outbox_fields f ON f.seq = q.seq;"
	/* a view has no defaults: state and seq get the table's */
	"CREATE TRIGGER outbox_insert INSTEAD OF INSERT ON outbox BEGIN"
	" INSERT INTO outbox_queue(seq, record_id, op, form_id, form_version, school, hlc,"
	" state, batch_id, reason) VALUES(NEW.seq, NEW.record_id, NEW.op, NEW.form_id,"
	" NEW.form_version, NEW.school, NEW.hlc, COALESCE(NEW.state, 'pending'),"
	" NEW.batch_id, NEW.reason);"
	" INSERT INTO outbox_fields(seq, fields) VALUES(last_insert_rowid(), NEW.fields);"
	" END;"
	/* the fields row only when they change: a state set through the view
	 * must not rewrite every record's text */
	"CREATE TRIGGER outbox_update INSTEAD OF UPDATE ON outbox BEGIN"
	" UPDATE outbox_queue SET seq = NEW.seq, record_id = NEW.record_id, op = NEW.op,"
	" form_id = NEW.form_id, form_version = NEW.form_version, school = NEW.school,"
	" hlc = NEW.hlc, state = NEW.state, batch_id = NEW.batch_id, reason = NEW.reason"
	" WHERE seq = OLD.seq;"
	" UPDATE outbox_fields SET seq = NEW.seq, fields = NEW.fields WHERE seq = OLD.seq"
	" AND (NEW.seq IS NOT OLD.seq OR NEW.fields IS NOT OLD.fields);"
	" END;"
	"CREATE TRIGGER outbox_delete INSTEAD OF DELETE ON outbox BEGIN"
	" DELETE FROM outbox_fields WHERE seq = OLD.seq;"
	" DELETE FROM outbox_queue WHERE seq = OLD.seq;"
	" END;"),
	/*
	 * 5 -> 6: whether the hub said a quarantined set may go again as it
	 * is (wire.h wire_retry: "forms", "clock"; NULL: a person must
	 * correct it). syncd looks for such sets before every run: the index
	 * holds only them, so the look costs nothing when there are none.
	 */
	("ALTER TABLE batches ADD COLUMN retry TEXT;"
	"CREATE INDEX batches_retry ON batches(id) WHERE retry IS NOT NULL;"),
	/*
	 * 6 -> 7: two-way sync. records.clocks is the record's clock document
	 * (recmerge.h; NULL: a draft, or a record written before this step,
	 * whose document is implicit — localdb_record_clocks); conflicts logs
	 * this device's values that lost to another device's; the outbox takes
	 * "edit" (only the changed fields). SQLite cannot change a CHECK, so
	 * outbox_queue is rebuilt: the view and its triggers go first (a
	 * rename checks every view that names the table), then come back as
	 * schema 5 made them.
	 */
	("ALTER TABLE records ADD COLUMN clocks TEXT;"
	"CREATE TABLE conflicts(id INTEGER PRIMARY KEY, record_id BLOB NOT NULL,"
	" form_id TEXT, school TEXT, field TEXT NOT NULL, mine TEXT, mine_hlc TEXT,"
	" theirs TEXT, theirs_hlc TEXT, theirs_device TEXT, at TEXT NOT NULL);"
	"DROP VIEW outbox;"
	"CREATE TABLE outbox_queue7(seq INTEGER PRIMARY KEY, record_id BLOB NOT NULL,"
	" op TEXT NOT NULL CHECK(op = 'put' OR op = 'edit' OR op = 'delete'),"
	" form_id TEXT NOT NULL, form_version INTEGER NOT NULL, school TEXT NOT NULL,"
	" hlc TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK(state = 'pending' OR"
	" state = 'sent' OR state = 'acked' OR state = 'quarantined'),"
	" batch_id INTEGER, reason TEXT);"
	"INSERT INTO outbox_queue7(seq, record_id, op, form_id, form_version, school, hlc,"
	" state, batch_id, reason) SELECT seq, record_id, op, form_id, form_version, school,"
	" hlc, state, batch_id, reason FROM outbox_queue;"
	"DROP TABLE outbox_queue;"
	"ALTER TABLE outbox_queue7 RENAME TO outbox_queue;"
	"CREATE INDEX outbox_pending ON outbox_queue(seq) WHERE state = 'pending';"
	"CREATE INDEX outbox_record ON outbox_queue(record_id);"
	"CREATE VIEW outbox AS SELECT q.seq AS seq, q.record_id AS record_id, q.op AS op,"
	" q.form_id AS form_id, q.form_version AS form_version, q.school AS school,"
	" q.hlc AS hlc, f.fields AS fields, q.state AS state, q.batch_id AS batch_id,"
	" q.reason AS reason FROM outbox_queue q LEFT JOIN outbox_fields f ON f.seq = q.seq;"
	"CREATE TRIGGER outbox_insert INSTEAD OF INSERT ON outbox BEGIN"
	" INSERT INTO outbox_queue(seq, record_id, op, form_id, form_version, school, hlc,"
	" state, batch_id, reason) VALUES(NEW.seq, NEW.record_id, NEW.op, NEW.form_id,"
	" NEW.form_version, NEW.school, NEW.hlc, COALESCE(NEW.state, 'pending'),"
	" NEW.batch_id, NEW.reason);"
	" INSERT INTO outbox_fields(seq, fields) VALUES(last_insert_rowid(), NEW.fields);"
	" END;"
	"CREATE TRIGGER outbox_update INSTEAD OF UPDATE ON outbox BEGIN"
	" UPDATE outbox_queue SET seq = NEW.seq, record_id = NEW.record_id, op = NEW.op,"
	" form_id = NEW.form_id, form_version = NEW.form_version, school = NEW.school,"
	" hlc = NEW.hlc, state = NEW.state, batch_id = NEW.batch_id, reason = NEW.reason"
	" WHERE seq = OLD.seq;"
	" UPDATE outbox_fields SET seq = NEW.seq, fields = NEW.fields WHERE seq = OLD.seq"
	" AND (NEW.seq IS NOT OLD.seq OR NEW.fields IS NOT OLD.fields);"
	" END;"
	"CREATE TRIGGER outbox_delete INSTEAD OF DELETE ON outbox BEGIN"
	" DELETE FROM outbox_fields WHERE seq = OLD.seq;"
	" DELETE FROM outbox_queue WHERE seq = OLD.seq;"
	" END;"),
	/*
	 * 7 -> 8: a record's `local` values sealed under the data key that the
	 * user's passphrase unwraps (client/vault.h). NULL until a passphrase
	 * is set: `tetrad passphrase set` moves every local value from data
	 * into sealed in one transaction.
	 */
	("ALTER TABLE records ADD COLUMN sealed BLOB;"
	/* the client asks at every open with no key row whether sealed values
	 * are left (localdb_record_sealed_any): without this index, a walk of
	 * every record on a device that never set a passphrase */
	"CREATE INDEX records_sealed ON records(id) WHERE sealed IS NOT NULL;"),
	/*
	 * 8 -> 9: the record list of `tetrad ui` (localdb_record_list), newest
	 * first a page at a time, filtered by form, status and school: the
	 * page walks an index in created order and tests the filters in it,
	 * reading only the rows it shows; the count reads only the index.
	 * 100,000 records stay a few milliseconds a page.
	 */
	("CREATE INDEX records_created ON records(created_hlc, status, form_id, school);"
	"CREATE INDEX records_form_created ON records(form_id, created_hlc, status, school);"),
};

_Static_assert(sizeof(localdb_migrations) / sizeof(localdb_migrations[0]) ==
    LOCALDB_SCHEMA_VERSION, "one migration per schema version");

int
localdb_schema_version(sqlite3 *db, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int
localdb_schema_check(int v, const char *path, const char *prog, struct terr *e)
{
	if (v > LOCALDB_SCHEMA_VERSION)
		return terr_set(e, TERR_VERSION, "База данных «%s» создана более новой "
		    "версией Tetrad (схема %d, эта программа знает до %d): обновите %s. "
		    "База данных не изменена.", path, v, LOCALDB_SCHEMA_VERSION, prog);
	if (v < 0)
		return terr_set(e, TERR_VERSION, "База данных «%s»: неизвестная версия "
		    "схемы %d. База данных не изменена.", path, v);
	return 0;
}

int
localdb_migrate(sqlite3 *raw, const char *path, struct terr *e)
{
	struct localdb tmp = { .db = raw, .path = (char *)(uintptr_t)path };
	char sql[64];
	int v = 0, rc, r;

	if ((rc = localdb_schema_version(raw, &v)) != SQLITE_OK)
		return localdb_sqlerr(&tmp, rc, "прочитать версию схемы", e);
	if ((r = localdb_schema_check(v, path, "программу", e)) != 0)
		return r;
	if (v == LOCALDB_SCHEMA_VERSION)
		return 0;
	/* IMMEDIATE: two programs opening an old database at once must not
	 * both migrate it; the version is read again under the lock. */
	if ((rc = sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return localdb_sqlerr(&tmp, rc, "начать обновление схемы", e);
	if ((rc = localdb_schema_version(raw, &v)) != SQLITE_OK)
		goto fail;
	if (v > LOCALDB_SCHEMA_VERSION) {
		sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL);
		return localdb_schema_check(v, path, "программу", e);
	}
	for (; v < LOCALDB_SCHEMA_VERSION; v++) {
		if ((rc = sqlite3_exec(raw, localdb_migrations[v], NULL, NULL, NULL)) != SQLITE_OK)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", LOCALDB_SCHEMA_VERSION);
	if ((rc = sqlite3_exec(raw, sql, NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	return 0;
 fail:
	localdb_sqlerr(&tmp, rc, "обновить схему базы данных", e);
	sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL);
	return TERR_IO;
}
