/*
 * tt-open — test tool: opens every change set a hub holds (its audit store:
 * the `changesets` and `quarantine` tables of hub.db) and every envelope in
 * USB export files (TTEX, syncd/src/usb.h) with the hub's encryption key,
 * and prints each set's canonical plaintext JSON, one per line, on stdout.
 * The privacy test greps that output for values of `local` fields.
 *
 *   tt-open --data HUBDIR [--passphrase-file F] [--store CONNINFO] [--no-store] [EXPORT...]
 *
 * --store: the hub's store is that PostgreSQL database (hub.conf's store =,
 * the tests' PostgreSQL lane) instead of HUBDIR/hub.db.
 *
 * Envelopes are opened with the library's full sequence (signature of the
 * device registered in hub.db first, then decryption), so what is printed is
 * exactly what the hub could read. Quarantined envelopes that do not open
 * (forgeries, tampering) are counted on stderr, not treated as failures.
 * Exit: 0 when every stored set and every export envelope opened, 1 when one
 * did not, 2 on usage or I/O errors.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include "tetrad/changeset.h"
#include "tetrad/envelope.h"
#include "tetrad/keyfile.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

struct opener {
	sqlite3 *db;
	PGconn *pg;                  /* --store: PostgreSQL instead of db */
	struct keys_enc hub;
	struct tbuf *plain;
	unsigned long opened, failed, skipped;
};

static void
usage(void)
{
	fprintf(stderr, "usage: tt-open --data HUBDIR [--passphrase-file F] [--store CONNINFO] "
	    "[--no-store] [EXPORT_FILE...]\n");
}

static int
opener_device_pk(struct opener *o, const uint8_t id[KEYS_ID_BYTES], uint8_t pk[32])
{
	sqlite3_stmt *st = NULL;
	char hex[KEYS_ID_HEXLEN + 1];
	int r = -1;

	keys_hex(id, KEYS_ID_BYTES, hex);
	if (o->pg != NULL) {
		const char *param = hex;
		/* binary results: the bytea's own bytes */
		PGresult *res = PQexecParams(o->pg, "SELECT pk FROM devices WHERE id = $1", 1,
		    NULL, &param, NULL, NULL, 1);

		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    PQgetlength(res, 0, 0) == 32) {
			memcpy(pk, PQgetvalue(res, 0, 0), 32);
			r = 0;
		}
		PQclear(res);
		return r;
	}
	if (sqlite3_prepare_v2(o->db, "SELECT pk FROM devices WHERE id = ?", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(pk, sqlite3_column_blob(st, 0), 32);
		r = 0;
	}
 out:
	sqlite3_finalize(st);
	return r;
}

/* Opens one envelope and prints its plaintext; 0 opened, -1 not. */
static int
opener_one(struct opener *o, const uint8_t *buf, size_t len, const char *where)
{
	struct envelope_header h;
	struct changeset *cs = NULL;
	struct terr e;
	uint8_t pk[32];
	int r = -1;

	terr_clear(&e);
	if (envelope_parse_header(buf, len, &h, &e) != 0) {
		fprintf(stderr, "tt-open: %s: header: %s\n", where, e.msg);
		goto out;
	}
	if (opener_device_pk(o, h.device_id, pk) != 0) {
		fprintf(stderr, "tt-open: %s: device not registered in hub.db\n", where);
		goto out;
	}
	if (envelope_open(buf, len, pk, &o->hub, &cs, NULL, &e) != 0) {
		fprintf(stderr, "tt-open: %s: %s\n", where, e.msg);
		goto out;
	}
	tbuf_reset(o->plain);
	if (changeset_encode(cs, o->plain, &e) != 0) {
		fprintf(stderr, "tt-open: %s: re-encode: %s\n", where, e.msg);
		goto out;
	}
	fwrite(tbuf_ptr(o->plain), 1, tbuf_len(o->plain), stdout);
	fputc('\n', stdout);
	r = 0;
 out:
	changeset_free(cs);
	if (tbuf_len(o->plain) > 0)
		sodium_memzero(tbuf_mutable_ptr(o->plain), tbuf_len(o->plain));
	return r;
}

/* Row n of a table's envelopes; quarantine failures are only counted. */
static void
opener_row(struct opener *o, const void *blob, int len, unsigned long n, bool tolerate)
{
	char where[96];

	snprintf(where, sizeof(where), "%s row %lu", tolerate ? "quarantine" : "changesets", n);
	if (blob == NULL || len <= 0)
		return;
	if (opener_one(o, blob, (size_t)len, where) == 0)
		o->opened++;
	else if (tolerate)
		o->skipped++;
	else
		o->failed++;
}

/* Every envelope of one table of a PostgreSQL store. */
static int
opener_table_pg(struct opener *o, const char *sql, bool tolerate)
{
	PGresult *res = PQexecParams(o->pg, sql, 0, NULL, NULL, NULL, NULL, 1);
	int r = -1;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "tt-open: %s: %s\n", sql, PQerrorMessage(o->pg));
		goto out;
	}
	for (int i = 0; i < PQntuples(res); i++)
		opener_row(o, PQgetisnull(res, i, 0) ? NULL : PQgetvalue(res, i, 0),
		    PQgetlength(res, i, 0), (unsigned long)i + 1, tolerate);
	r = 0;
 out:
	PQclear(res);
	return r;
}

/* Every envelope of one table. */
static int
opener_table(struct opener *o, const char *sql, bool tolerate)
{
	sqlite3_stmt *st = NULL;
	unsigned long n = 0;
	int rc;

	if (o->pg != NULL)
		return opener_table_pg(o, sql, tolerate);
	if (sqlite3_prepare_v2(o->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "tt-open: %s: %s\n", sql, sqlite3_errmsg(o->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		opener_row(o, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), ++n,
		    tolerate);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "tt-open: reading hub.db: %s\n", sqlite3_errmsg(o->db));
		return -1;
	}
	return 0;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A TTEX file: "TTEX" 1 0 0 0, device id (8), count u32, count × (len u32, envelope). */
static int
opener_export(struct opener *o, const char *path)
{
	FILE *f = NULL;
	uint8_t hdr[20], lenb[4], *buf = NULL;
	char where[PATH_MAX + 32];
	uint32_t count, len;
	int r = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "tt-open: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr) || memcmp(hdr, "TTEX", 4) != 0 ||
	    hdr[4] != 1) {
		fprintf(stderr, "tt-open: %s: not a TTEX v1 export file\n", path);
		goto out;
	}
	count = be32(hdr + 16);
	if ((buf = malloc(ENVELOPE_MAX_BYTES)) == NULL)
		goto out;
	for (uint32_t i = 0; i < count; i++) {
		if (fread(lenb, 1, 4, f) != 4 || (len = be32(lenb)) == 0 ||
		    len > ENVELOPE_MAX_BYTES || fread(buf, 1, len, f) != len) {
			fprintf(stderr, "tt-open: %s: truncated or bad length at set %u\n", path,
			    i + 1);
			goto out;
		}
		snprintf(where, sizeof(where), "%s set %u", path, i + 1);
		if (opener_one(o, buf, len, where) == 0)
			o->opened++;
		else
			o->failed++;
	}
	if (fgetc(f) != EOF) {
		fprintf(stderr, "tt-open: %s: trailing bytes after %u sets\n", path, count);
		goto out;
	}
	r = 0;
 out:
	free(buf);
	fclose(f);
	return r;
}

static int
opener_read_passphrase(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(out, 1, cap - 1, f);
	fclose(f);
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

int
main(int argc, char **argv)
{
	struct opener o;
	struct terr e;
	const char *data = NULL, *ppfile = NULL, *conninfo = NULL;
	char path[PATH_MAX], pp[KEYS_PASSPHRASE_MAX + 1] = "";
	bool store = true;
	int i, r = 2, nexports = 0;

	memset(&o, 0, sizeof(o));
	terr_clear(&e);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc)
			ppfile = argv[++i];
		else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			conninfo = argv[++i];
		else if (strcmp(argv[i], "--no-store") == 0)
			store = false;
		else if (argv[i][0] == '-') {
			usage();
			return 2;
		} else
			break;
	}
	if (data == NULL) {
		usage();
		return 2;
	}
	if (keys_init(&e) != 0) {
		fprintf(stderr, "tt-open: %s\n", e.msg);
		return 2;
	}
	if (ppfile != NULL && opener_read_passphrase(ppfile, pp, sizeof(pp)) != 0) {
		fprintf(stderr, "tt-open: cannot read %s\n", ppfile);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/hub.enc.key", data);
	if (keyfile_load(path, KEYS_HUB_ENC, o.hub.sk, KEYS_ENC_SK_BYTES,
	    pp[0] ? pp : NULL, &e) != 0) {
		fprintf(stderr, "tt-open: %s\n", e.msg);
		goto out;
	}
	keys_enc_pk_from_sk(o.hub.sk, o.hub.pk);
	if (conninfo != NULL) {
		o.pg = PQconnectdb(conninfo);
		if (PQstatus(o.pg) != CONNECTION_OK) {
			fprintf(stderr, "tt-open: %s\n", PQerrorMessage(o.pg));
			goto out;
		}
	} else {
		snprintf(path, sizeof(path), "%s/hub.db", data);
		if (sqlite3_open_v2(path, &o.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
			fprintf(stderr, "tt-open: %s: %s\n", path,
			    o.db ? sqlite3_errmsg(o.db) : "?");
			goto out;
		}
		sqlite3_busy_timeout(o.db, 10000);
	}
	if ((o.plain = tbuf_new(CHANGESET_MAX_PLAIN_BYTES)) == NULL)
		goto out;
	if (store && (opener_table(&o, "SELECT envelope FROM changesets "
	    "ORDER BY device_id, first_seq", false) != 0 ||
	    opener_table(&o, "SELECT envelope FROM quarantine WHERE envelope IS NOT NULL "
	    "ORDER BY id", true) != 0))
		goto out;
	for (; i < argc; i++, nexports++)
		if (opener_export(&o, argv[i]) != 0)
			goto out;
	fprintf(stderr, "tt-open: opened %lu change sets (%s%d export files); failed %lu; "
	    "quarantined envelopes that do not open: %lu\n", o.opened,
	    store ? "hub store and " : "", nexports, o.failed, o.skipped);
	r = o.failed ? 1 : 0;
 out:
	fflush(stdout);
	tbuf_free(o.plain);
	sqlite3_close(o.db);
	PQfinish(o.pg);
	keys_enc_wipe(&o.hub);
	sodium_memzero(pp, sizeof(pp));
	return r;
}
