/*
 * hubdb_schema — the SQLite store's tables and their migrations: every
 * table of the hub (the reports' results and settings too) is created
 * here, and a database of an older schema is brought up to date here, in
 * the transaction that reads its version.
 */
#include <stdbool.h>
#include <stdio.h>

#include "hubdb_impl.h"

static const char hubdb_schema[] =
    "CREATE TABLE IF NOT EXISTS devices("
    " id TEXT PRIMARY KEY, pk BLOB NOT NULL, kind TEXT NOT NULL"
    "  CHECK(kind IN('school','curator')),"
    " label TEXT NOT NULL, schools TEXT NOT NULL, enrolled_at TEXT NOT NULL,"
    " revoked_at TEXT, watermark INTEGER NOT NULL DEFAULT 0,"
    " last_hash BLOB NOT NULL, last_seen_at TEXT, box_pk BLOB,"
    " pull_acked INTEGER NOT NULL DEFAULT 0, pull_at TEXT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS tokens("
    " hash BLOB PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
    " schools TEXT NOT NULL, created_at TEXT NOT NULL, expires_at INTEGER NOT NULL,"
    " used_by TEXT, used_at TEXT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS schools(code TEXT PRIMARY KEY, name TEXT,"
    " feed_pos INTEGER NOT NULL DEFAULT 0);"
    /*
     * A rowid table (schema 5): its rows, a kilobyte each (the envelope
     * and the signed answer), are appended in the order they arrive, so
     * the sets of one group commit share the last leaf; only the small
     * key index takes one leaf per device. Keyed WITHOUT ROWID by
     * (device_id, first_seq), every set of a group rewrote a leaf of its
     * own: a 16 KiB WAL frame per set (hubdb_migrate_4_5).
     */
    "CREATE TABLE IF NOT EXISTS changesets("
    " device_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
    " set_hash BLOB NOT NULL, status TEXT NOT NULL, http_status INTEGER NOT NULL,"
    " envelope BLOB NOT NULL, ack BLOB NOT NULL, received_at TEXT NOT NULL,"
    " PRIMARY KEY(device_id, first_seq));"
    "CREATE TABLE IF NOT EXISTS quarantine("
    " id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, first_seq INTEGER NOT NULL,"
    " last_seq INTEGER NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,"
    " envelope BLOB, received_at TEXT NOT NULL);"
    /*
     * The quarantine's cap per device (hubdb.h): sets dropped over it are
     * only counted. A table of its own, created where missing, so a store
     * of the same schema version gains it and an older hub still opens it.
     */
    "CREATE INDEX IF NOT EXISTS quarantine_device ON quarantine(device_id);"
    "CREATE TABLE IF NOT EXISTS quarantine_dropped("
    " device_id TEXT PRIMARY KEY, dropped INTEGER NOT NULL, last_at TEXT NOT NULL)"
    " WITHOUT ROWID;"
    /*
     * A record's key is its form, then its HLC, then its id (schema 6): the
     * reports read one form's live records in HLC order (hubdb_report_records),
     * which is then one range of the table's own leaves. Keyed by id alone
     * (schema ≤ 5), every leaf held records of all forms, a report went
     * through an index to each record, and a region's verification read
     * nearly every leaf of the file for its 24,000 visits. A record is found
     * by its id through hub_records_id (hubdb_schema_records_indexes).
     */
    "CREATE TABLE IF NOT EXISTS hub_records("
    " id BLOB NOT NULL, form_id TEXT NOT NULL, form_version INTEGER, school TEXT,"
    " device_id TEXT, hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
    " data TEXT NOT NULL, received_at TEXT, clocks TEXT NOT NULL DEFAULT '{}',"
    " feed_pos INTEGER, PRIMARY KEY(form_id, hlc, id)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS feed_head(id INTEGER PRIMARY KEY CHECK(id = 1),"
    " pos INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS feed_forms(form_id TEXT PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS profile_feed(school TEXT PRIMARY KEY,"
    " feed_pos INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS conflicts("
    " id INTEGER PRIMARY KEY, record_id BLOB NOT NULL, form_id TEXT, school TEXT,"
    " field TEXT NOT NULL, loser_value TEXT, loser_hlc TEXT, loser_device TEXT,"
    " winner_value TEXT, winner_hlc TEXT, winner_device TEXT, logged_at TEXT NOT NULL);"
    /*
     * A person's decision on a conflict (review.h): which value stands.
     * A table of its own, created where missing, so a store of the same
     * schema version gains it and the conflict log itself stays as logged.
     */
    "CREATE TABLE IF NOT EXISTS conflict_decisions("
    " conflict_id INTEGER PRIMARY KEY, choice TEXT NOT NULL"
    "  CHECK(choice IN('kept','taken')), login TEXT NOT NULL,"
    " decided_at TEXT NOT NULL, hlc TEXT);"
    "CREATE TABLE IF NOT EXISTS hub_forms("
    " id TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " bundle BLOB NOT NULL, published_at TEXT NOT NULL, PRIMARY KEY(id, version));"
    /*
     * The reports' own tables: regional results imported by
     * `tetrad-hub results import` and the report settings. report.c's
     * report_schema made them before the store owned them, with the same
     * definitions: a database of either kind ends up alike.
     */
    "CREATE TABLE IF NOT EXISTS results("
    " school TEXT NOT NULL, year INTEGER NOT NULL, indicator TEXT NOT NULL,"
    " value REAL NOT NULL, imported_at TEXT NOT NULL,"
    " PRIMARY KEY(school, year, indicator)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS settings("
    " key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    /*
     * Tallies (hubdb.h): counters writers keep in the record's transaction,
     * so a report sums them instead of reading every record. tally_stale
     * names the form prefixes whose tally the hub must still build from the
     * records (hub code that knows the forms does it: survey_facts.c).
     */
    "CREATE TABLE IF NOT EXISTS tally("
    " school TEXT NOT NULL, form_id TEXT NOT NULL, key TEXT NOT NULL,"
    " day INTEGER NOT NULL, n INTEGER NOT NULL, total REAL NOT NULL,"
    " PRIMARY KEY(school, form_id, key, day)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS tally_stale(form_prefix TEXT PRIMARY KEY) WITHOUT ROWID;"
    /*
     * Each tally key's days summed (hubdb_tally.c, written with the days):
     * a report of no period reads a row per key, not one per key and day.
     * Created where missing and filled from tally then (hubdb_tally_all_fill),
     * so a store of the same schema version gains it.
     */
    "CREATE TABLE IF NOT EXISTS tally_all("
    " school TEXT NOT NULL, form_id TEXT NOT NULL, key TEXT NOT NULL,"
    " n INTEGER NOT NULL, total REAL NOT NULL,"
    " PRIMARY KEY(school, form_id, key)) WITHOUT ROWID;"
    /*
     * The programmes' calendar (hubdb_calendar.c): each school's programmes
     * by year and the issued risk profile. Created where missing, so a store
     * of the same schema version gains them and an older hub still opens it.
     */
    "CREATE TABLE IF NOT EXISTS programmes("
    " school TEXT NOT NULL, year INTEGER NOT NULL, programme TEXT NOT NULL,"
    " PRIMARY KEY(school, year, programme)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS risk_profile("
    " school TEXT NOT NULL, year INTEGER NOT NULL, factor TEXT NOT NULL,"
    " level TEXT NOT NULL, imported_at TEXT NOT NULL,"
    " PRIMARY KEY(school, year, factor)) WITHOUT ROWID;"
    /*
     * The dashboard (hubdb_web.c): its accounts, sessions (by the hash of
     * the cookie's token) and the audit log. Created where missing, so a
     * store of the same schema version gains them.
     */
    "CREATE TABLE IF NOT EXISTS web_users("
    " login TEXT PRIMARY KEY, role TEXT NOT NULL"
    "  CHECK(role IN('admin','coordinator','school')),"
    " school TEXT, pwhash TEXT NOT NULL, created_at TEXT NOT NULL,"
    " changed_at TEXT NOT NULL, disabled_at TEXT,"
    " fail_n INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0)"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS web_sessions("
    " hash BLOB PRIMARY KEY, login TEXT NOT NULL, csrf TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, seen_at INTEGER NOT NULL, addr TEXT NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS web_sessions_login ON web_sessions(login);"
    "CREATE TABLE IF NOT EXISTS web_audit("
    " id INTEGER PRIMARY KEY, at TEXT NOT NULL, login TEXT NOT NULL, addr TEXT NOT NULL,"
    " action TEXT NOT NULL, object TEXT NOT NULL, outcome TEXT NOT NULL);";

/*
 * hub_records' indexes, made after the table is filled when schema 6
 * rebuilds it (one sort per index instead of an insert per record).
 *
 * The feed (hubdb_feed.c): a pull reads one ordered range of positions per
 * (school, form) of the device's scope and merges them, so a curator of ten
 * schools never reads the region's records. The counter is one row; a
 * school's risk profile has one position (its last import). Only records of
 * forms someone shares have a position (hubdb.h, hubdb_feed_forms): the
 * questionnaires, most of a hub's records, are shared with nobody and cost
 * no entry in this index.
 */
static const char hubdb_schema_records_indexes[] =
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_records_id ON hub_records(id);"
    "CREATE INDEX IF NOT EXISTS hub_records_feed ON hub_records(school, form_id, feed_pos)"
    " WHERE feed_pos IS NOT NULL;";

/*
 * Schema 1 -> 2: a record's field clocks move into its own row. Every record
 * written cost two B-tree inserts (the record, then its clocks) and every
 * read a join; the clock document of a record written once is ~120 bytes.
 */
_Static_assert(HUBDB_SCHEMA_VERSION == 6, "hubdb_open writes user_version 6");
#define HUBDB_SCHEMA_VERSION_STR "6"

static const char hubdb_migrate_1_2[] =
    "ALTER TABLE hub_records ADD COLUMN clocks TEXT NOT NULL DEFAULT '{}';"
    "UPDATE hub_records SET clocks = c.clocks FROM hub_clocks c WHERE c.record_id = hub_records.id;"
    "DROP TABLE hub_clocks;";

/*
 * Schema 2 -> 3: the tallies. The surveys' counters need the forms' rules
 * to be made from a record, which the store does not know: the migration
 * only marks them to be built, and the first writer or report of the hub
 * builds them (survey_facts.c), once, in its transaction. A store with no
 * record has nothing to build. Runs after hubdb_schema made the tables.
 */
static const char hubdb_migrate_2_3[] =
    "INSERT OR IGNORE INTO tally_stale(form_prefix)"
    " SELECT 'survey_' WHERE EXISTS(SELECT 1 FROM hub_records);";

/*
 * Schema 3 -> 4: the feed (two-way sync). Columns first, on the tables
 * that are there (hubdb_schema makes the others with them), before
 * hubdb_schema makes the feed's index on them; then hubdb_migrate_3_4_pos
 * numbers the schools, then the schools' profiles. Records are numbered by
 * the hub, which knows which forms are shared: hubdb_feed_forms at its
 * start gives the records of those forms positions after these, so every
 * device's first pull (after = 0) gets all of its scope.
 */
static const char *const hubdb_migrate_3_4[][3] = {
	{ "hub_records", "feed_pos", "INTEGER" },
	{ "schools", "feed_pos", "INTEGER NOT NULL DEFAULT 0" },
	{ "devices", "box_pk", "BLOB" },
	{ "devices", "pull_acked", "INTEGER NOT NULL DEFAULT 0" },
	{ "devices", "pull_at", "TEXT" },
};

/* Adds the columns of hubdb_migrate_3_4 its tables lack. */
static int
hubdb_migrate_columns(sqlite3 *db, char **msg)
{
	for (size_t i = 0; i < sizeof(hubdb_migrate_3_4) / sizeof(hubdb_migrate_3_4[0]); i++) {
		const char *const *c = hubdb_migrate_3_4[i];
		sqlite3_stmt *st = NULL;
		int cols = 0, has = 0, rc;
		char sql[256];

		if (sqlite3_prepare_v2(db, "SELECT count(*), sum(name = ?2) FROM "
		    "pragma_table_info(?1)", -1, &st, NULL) != SQLITE_OK)
			return SQLITE_ERROR;
		sqlite3_bind_text(st, 1, c[0], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c[1], -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			cols = sqlite3_column_int(st, 0);
			has = sqlite3_column_int(st, 1);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return rc;
		if (cols == 0 || has != 0)
			continue;
		/* names from the table above, never from outside */
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s", c[0], c[1], c[2]);
		if ((rc = sqlite3_exec(db, sql, NULL, NULL, msg)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static const char hubdb_migrate_3_4_pos[] =
    "UPDATE schools SET feed_pos = n.rn FROM"
    " (SELECT code, row_number() OVER (ORDER BY code) AS rn FROM schools) AS n"
    " WHERE n.code = schools.code;"
    "INSERT OR REPLACE INTO profile_feed(school, feed_pos) SELECT school,"
    " (SELECT count(*) FROM schools) +"
    " row_number() OVER (ORDER BY school) FROM (SELECT DISTINCT school FROM risk_profile);"
    "INSERT OR REPLACE INTO feed_head(id, pos) VALUES(1,"
    " (SELECT count(*) FROM schools) + (SELECT count(*) FROM profile_feed));";

/*
 * Schema 4 -> 5: the stored sets in a rowid table (see the schema). The
 * old table is renamed before hubdb_schema makes the new one, its rows
 * copied after, in the order they came, and it is dropped. A store whose
 * changesets is already a rowid table (or has none) is left alone.
 */
static const char hubdb_migrate_4_5_rename[] =
    "ALTER TABLE changesets RENAME TO changesets_v4;";
static const char hubdb_migrate_4_5_copy[] =
    "INSERT INTO changesets(device_id, first_seq, last_seq, set_hash, status,"
    " http_status, envelope, ack, received_at)"
    " SELECT device_id, first_seq, last_seq, set_hash, status, http_status, envelope,"
    " ack, received_at FROM changesets_v4 ORDER BY received_at, device_id, first_seq;"
    "DROP TABLE changesets_v4;";

/* Whether the store's changesets is the WITHOUT ROWID table of schema ≤ 4. */
static int
hubdb_migrate_4_5_due(sqlite3 *db, bool *due)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*due = false;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_list"
	    " WHERE schema = 'main' AND name = 'changesets' AND wr = 1", -1, &st,
	    NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*due = sqlite3_column_int(st, 0) > 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Schema 5 -> 6: the records keyed by form, HLC and id (see the schema).
 * The old table is renamed and its indexes dropped (their names stay with
 * it otherwise) before hubdb_schema makes the new one; its rows are copied
 * in the new key's order, then it is dropped and the indexes are made. A
 * key column cannot be NULL: none ever was, and an empty text keeps such a
 * record rather than failing the hub's start.
 */
static const char hubdb_migrate_5_6_rename[] =
    "ALTER TABLE hub_records RENAME TO hub_records_v5;"
    "DROP INDEX IF EXISTS hub_records_report;"
    "DROP INDEX IF EXISTS hub_records_feed;"
    "DROP INDEX IF EXISTS hub_records_form;";
static const char hubdb_migrate_5_6_copy[] =
    "INSERT INTO hub_records(id, form_id, form_version, school, device_id, hlc, deleted,"
    " data, received_at, clocks, feed_pos)"
    " SELECT id, coalesce(form_id, ''), form_version, school, device_id, coalesce(hlc, ''),"
    " deleted, data, received_at, clocks, feed_pos FROM hub_records_v5"
    " ORDER BY coalesce(form_id, ''), coalesce(hlc, ''), id;"
    "DROP TABLE hub_records_v5;";

/* Fills tally_all from tally, when hubdb_schema has just made it. */
static const char hubdb_tally_all_fill[] =
    "INSERT INTO tally_all(school, form_id, key, n, total)"
    " SELECT school, form_id, key, sum(n), sum(total) FROM tally"
    " GROUP BY school, form_id, key HAVING sum(n) <> 0;";

/* Whether table name is in the store, in *has; an SQLite code. */
static int
hubdb_schema_has(sqlite3 *db, const char *name, bool *has)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*has = false;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
	    "name = ?1", -1, &st, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*has = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
hubdb_schema_version(sqlite3 *db, const char *path, int *v, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	bool ok;

	ok = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW;
	if (ok)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!ok)
		return terr_set(e, TERR_IO, "база данных хаба %s: не удалось прочитать версию "
		    "схемы: %s", path, sqlite3_errmsg(db));
	return 0;
}

int
hubdb_schema_check(sqlite3 *db, const char *path, struct terr *e)
{
	int v = 0, r;

	/* a read of the header: no write lock, so it never waits for the writer */
	if ((r = hubdb_schema_version(db, path, &v, e)) != 0)
		return r;
	if (v != HUBDB_SCHEMA_VERSION)
		return terr_set(e, TERR_VERSION, "база данных хаба %s: схема %d, а эта программа "
		    "работает со схемой %d (базу сменили, пока хаб работал?): перезапустите хаб",
		    path, v, HUBDB_SCHEMA_VERSION);
	return 0;
}

int
hubdb_schema_apply(sqlite3 *db, const char *path, struct terr *e)
{
	char *msg = NULL;
	int r = TERR_IO, v = 0;
	bool rebuild = false, rekey = false;
	bool had_tally_all;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK) {
		r = terr_set(e, TERR_IO, "база данных хаба %s: %s", path, msg ? msg : "?");
		goto out;
	}
	/* A database of a newer hub: refuse rather than write an older schema over it. */
	if ((r = hubdb_schema_version(db, path, &v, e)) == 0 && v > HUBDB_SCHEMA_VERSION)
		r = terr_set(e, TERR_VERSION, "база данных хаба %s создана более новой версией "
		    "Tetrad (схема %d, эта программа знает до %d): обновите программу", path, v,
		    HUBDB_SCHEMA_VERSION);
	if (r != 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	/*
	 * At the current version nothing is written: a hub killed on a full disk
	 * must start again there. CREATE ... IF NOT EXISTS of a table that is
	 * there dirties no page, and a transaction with no dirty page commits
	 * without a WAL frame; user_version is set only when it changes (setting
	 * it to the same value would still write page 1, and "disk is full").
	 * Two hubs starting at once migrate once: the version is read in this
	 * transaction.
	 */
	/* "cannot tell" must not pass for "absent": a skipped rebuild would be final */
	if (hubdb_schema_has(db, "tally_all", &had_tally_all) != SQLITE_OK ||
	    hubdb_schema_has(db, "hub_records", &rekey) != SQLITE_OK) {
		r = terr_set(e, TERR_IO, "база данных хаба %s: не удалось прочитать схему: %s",
		    path, sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	rekey = rekey && v >= 1 && v < 6;
	if ((v >= 1 && v < 5 && hubdb_migrate_4_5_due(db, &rebuild) != SQLITE_OK) ||
	    (v == 1 && sqlite3_exec(db, hubdb_migrate_1_2, NULL, NULL, &msg) != SQLITE_OK) ||
	    (v >= 1 && v < 4 && hubdb_migrate_columns(db, &msg) != SQLITE_OK) ||
	    (rebuild && sqlite3_exec(db, hubdb_migrate_4_5_rename, NULL, NULL, &msg) != SQLITE_OK) ||
	    (rekey && sqlite3_exec(db, hubdb_migrate_5_6_rename, NULL, NULL, &msg) != SQLITE_OK) ||
	    sqlite3_exec(db, hubdb_schema, NULL, NULL, &msg) != SQLITE_OK ||
	    (rebuild && sqlite3_exec(db, hubdb_migrate_4_5_copy, NULL, NULL, &msg) != SQLITE_OK) ||
	    (rekey && sqlite3_exec(db, hubdb_migrate_5_6_copy, NULL, NULL, &msg) != SQLITE_OK) ||
	    sqlite3_exec(db, hubdb_schema_records_indexes, NULL, NULL, &msg) != SQLITE_OK ||
	    (!had_tally_all && sqlite3_exec(db, hubdb_tally_all_fill, NULL, NULL, &msg) !=
	    SQLITE_OK) ||
	    (v < 3 && sqlite3_exec(db, hubdb_migrate_2_3, NULL, NULL, &msg) != SQLITE_OK) ||
	    (v < 4 && sqlite3_exec(db, hubdb_migrate_3_4_pos, NULL, NULL, &msg) != SQLITE_OK) ||
	    (v != HUBDB_SCHEMA_VERSION && sqlite3_exec(db, "PRAGMA user_version = "
	    HUBDB_SCHEMA_VERSION_STR, NULL, NULL, &msg) != SQLITE_OK) ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
		r = terr_set(e, TERR_IO, "не удалось создать таблицы базы данных хаба %s: %s",
		    path, msg ? msg : "?");
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	/*
	 * The rebuild's WAL holds the new table and, SQLite zeroing what is
	 * freed (secure_delete, on in Debian's build; kept: children's data),
	 * every page of the old one: about twice the store. Given back now, best effort (a reader of
	 * another process may hold it; the next checkpoints reuse it then).
	 */
	if (rekey)
		sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	r = 0;
 out:
	sqlite3_free(msg);
	return r;
}
