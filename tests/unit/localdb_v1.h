/*
 * localdb_v1 — the device database's version-1 schema exactly as the first
 * clients shipped it (localdb/src/localdb_schema.c, migration 0 -> 1;
 * docs/client.md, "Database"): frozen here so that the tests of the client,
 * localdb and syncd migrate the same old file, and a change to the shipped
 * migration cannot pass unnoticed. Tests append their own rows.
 */
#ifndef TETRAD_TEST_LOCALDB_V1_H
#define TETRAD_TEST_LOCALDB_V1_H

#define LOCALDB_V1_SCHEMA \
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);" \
	"CREATE TABLE records(id BLOB PRIMARY KEY, form_id TEXT NOT NULL," \
	" form_version INTEGER NOT NULL, school TEXT NOT NULL," \
	" status TEXT NOT NULL CHECK(status IN('draft','final','deleted'))," \
	" created_hlc TEXT NOT NULL, updated_hlc TEXT NOT NULL," \
	" data TEXT NOT NULL) WITHOUT ROWID;" \
	"CREATE TABLE outbox(seq INTEGER PRIMARY KEY, record_id BLOB NOT NULL," \
	" op TEXT NOT NULL CHECK(op IN('put','delete')), form_id TEXT NOT NULL," \
	" form_version INTEGER NOT NULL, school TEXT NOT NULL, hlc TEXT NOT NULL," \
	" fields TEXT, state TEXT NOT NULL DEFAULT 'pending'" \
	" CHECK(state IN('pending','sent','acked','quarantined'))," \
	" batch_id INTEGER, reason TEXT);" \
	"CREATE TABLE batches(id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL," \
	" last_seq INTEGER NOT NULL, prev_hash BLOB NOT NULL, set_hash BLOB NOT NULL," \
	" envelope BLOB NOT NULL," \
	" state TEXT NOT NULL CHECK(state IN('sealed','sent','acked','quarantined'))," \
	" reason TEXT, ack BLOB, created_at TEXT NOT NULL, sent_at TEXT," \
	" acked_at TEXT);"

#endif
