/*
 * hubdb_pending — new records written behind, on PostgreSQL (hubdb.h,
 * hubdb_records_expect).
 *
 * Each statement to a PostgreSQL server is a round trip (some 50 µs on
 * loopback, more on a network); a change set of 250 new records paid 250
 * of them, one INSERT each, and the store ran at a sixth of SQLite's pace.
 * So a writer says which records a set is about to write; the store asks
 * once which of them exist, and a record it then adds that did not exist
 * waits in the handle, to go with the others as one COPY of many rows
 * just before the next statement of any kind on the connection (the
 * engine's before hook, hubdb_sql.h): whatever runs next — a read of a
 * record, a tally, the set's own row, COMMIT — sees them written. A
 * ROLLBACK, or a ROLLBACK TO the set's savepoint, forgets them instead.
 *
 * "Did not exist" holds until the write: the writer holds the store's
 * write lock from BEGIN (hubdb_begin), so no other process adds a record
 * between the question and the COPY; and a COPY has no ON CONFLICT: were
 * it wrong, the statement fails and the set with it, never a record
 * silently kept twice or lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubdb_impl.h"

/* Rows one COPY takes at most: a set's, and a bound on the buffer. */
#define PENDING_ROWS_MAX 500

struct pending_row {
	uint8_t id[16];
	char form_id[CHANGESET_ID_MAX + 1];
	int64_t form_version;
	char school[CHANGESET_SCHOOL_MAX + 1];
	char device_id[KEYS_ID_HEXLEN + 1];
	char hlc[HLC_STRLEN + 1];
	int deleted;
	char *data, *clocks;
	char received_at[HUBDB_TIME_MAX];
	int64_t feed_pos;              /* < 0: none (a form nobody shares) */
};

struct hubdb_pending {
	uint8_t (*absent)[16];         /* sorted: expected records the store lacks */
	bool *used;                    /* ... already added (a second add is not new) */
	size_t nabsent, capabsent;
	struct pending_row *rows;
	size_t nrows;
	bool flushing;
	int failed;                    /* a flush's error, until the transaction ends */
};

static void
pending_rows_free(struct hubdb_pending *p)
{
	for (size_t i = 0; i < p->nrows; i++) {
		free(p->rows[i].data);
		free(p->rows[i].clocks);
	}
	p->nrows = 0;
}

void
hubdb_pending_free(struct hubdb *db)
{
	struct hubdb_pending *p = db->pending;

	if (p == NULL)
		return;
	pending_rows_free(p);
	free(p->rows);
	free(p->absent);
	free(p->used);
	free(p);
	db->pending = NULL;
}

static int
pending_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* Room for n more bytes in the COPY text (*buf, *cap); false: no memory. */
static bool
pending_room(char **buf, size_t *cap, size_t used, size_t n)
{
	char *p;
	size_t want = *cap ? *cap : 65536;

	if (used + n <= *cap)
		return true;
	while (want < used + n)
		want *= 2;
	if ((p = realloc(*buf, want)) == NULL)
		return false;
	*buf = p;
	*cap = want;
	return true;
}

/* A text field of COPY's text format: \, newline, CR and tab escaped. */
static bool
pending_text(char **buf, size_t *cap, size_t *used, const char *s, char end)
{
	size_t n = strlen(s);
	char *o;

	if (!pending_room(buf, cap, *used, 2 * n + 1))
		return false;
	o = *buf + *used;
	/* runs without a byte to escape copied whole: the writer builds this
	 * text while the set's transaction holds the store's lock */
	while (*s) {
		size_t run = strcspn(s, "\\\n\r\t");

		memcpy(o, s, run);
		o += run;
		s += run;
		if (*s) {
			*o++ = '\\';
			*o++ = *s == '\n' ? 'n' : *s == '\r' ? 'r' : *s == '\t' ? 't' : '\\';
			s++;
		}
	}
	*o++ = end;
	*used = (size_t)(o - *buf);
	return true;
}

/*
 * The rows waiting, as one COPY (a statement of many rows' parameters cost
 * the server more to parse and bind than to write them); 0 or the
 * statement's error code.
 */
static int
pending_flush(struct hubdb *db, struct hubdb_pending *p)
{
	static const char hex[] = "0123456789abcdef";
	size_t cap = 0, used = 0;
	char *buf = NULL, num[64];
	int rc = HSQL_NOMEM;

	if (p->nrows == 0)
		return HSQL_OK;
	for (size_t i = 0; i < p->nrows; i++) {
		const struct pending_row *r = &p->rows[i];

		/* the id as bytea's text, its backslash escaped for COPY */
		if (!pending_room(&buf, &cap, used, 40))
			goto out;
		memcpy(buf + used, "\\\\x", 3);
		used += 3;
		for (int b = 0; b < 16; b++) {
			buf[used++] = hex[r->id[b] >> 4];
			buf[used++] = hex[r->id[b] & 15];
		}
		buf[used++] = '\t';
		if (!pending_text(&buf, &cap, &used, r->form_id, '\t'))
			goto out;
		snprintf(num, sizeof(num), "%lld", (long long)r->form_version);
		if (!pending_text(&buf, &cap, &used, num, '\t') ||
		    !pending_text(&buf, &cap, &used, r->school, '\t') ||
		    !pending_text(&buf, &cap, &used, r->device_id, '\t') ||
		    !pending_text(&buf, &cap, &used, r->hlc, '\t') ||
		    !pending_text(&buf, &cap, &used, r->deleted ? "1" : "0", '\t') ||
		    !pending_text(&buf, &cap, &used, r->data, '\t') ||
		    !pending_text(&buf, &cap, &used, r->received_at, '\t') ||
		    !pending_text(&buf, &cap, &used, r->clocks, '\t'))
			goto out;
		if (r->feed_pos >= 0)
			snprintf(num, sizeof(num), "%lld", (long long)r->feed_pos);
		else
			snprintf(num, sizeof(num), "\\N");
		if (!pending_room(&buf, &cap, used, strlen(num) + 1))
			goto out;
		memcpy(buf + used, num, strlen(num));
		used += strlen(num);
		buf[used++] = '\n';
	}
	rc = hsql_copy_in(db->db, "COPY hub_records(id, form_id, form_version, school, "
	    "device_id, hlc, deleted, data, received_at, clocks, feed_pos) FROM STDIN", buf, used);
 out:
	free(buf);
	pending_rows_free(p);
	return rc;
}

/* The engine's before hook: rows out before any other statement, or gone. */
static int
pending_before(void *ctx, bool undo)
{
	struct hubdb *db = ctx;
	struct hubdb_pending *p = db->pending;
	int rc;

	if (p == NULL || p->flushing)
		return HSQL_OK;
	if (undo) {
		/* the rows and what was learnt belong to what is undone */
		pending_rows_free(p);
		p->nabsent = 0;
		p->failed = 0;
		return HSQL_OK;
	}
	if (p->failed)
		return p->failed;
	p->flushing = true;
	rc = pending_flush(db, p);
	p->flushing = false;
	if (rc != HSQL_OK)
		p->failed = rc;
	return rc;
}

int
hubdb_records_expect(struct hubdb *db, const struct op *ops, size_t n, struct terr *e)
{
	struct hubdb_pending *p;
	struct hsql_stmt *st = NULL;
	size_t k = 0, len;
	char *arr = NULL;
	int rc, r = 0;

	/* SQLite's statements are calls, not round trips; one record: no gain */
	if (!db->pg || n < 2)
		return 0;
	if ((p = db->pending) == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		db->pending = p;
		hsql_before(db->db, pending_before, db);
	}
	/* what is waiting goes first: the question must see it */
	if ((rc = pending_before(db, false)) != HSQL_OK)
		return hubdb_err(db, rc, e, "сохранение записей");
	p->nabsent = 0;
	if (n > p->capabsent) {
		uint8_t (*a)[16] = realloc(p->absent, n * sizeof(*a));
		bool *u;

		if (a == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		p->absent = a;
		if ((u = realloc(p->used, n * sizeof(*u))) == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		p->used = u;
		p->capabsent = n;
	}
	/* the ids as a bytea[] literal: {"\\x00..","\\x.."} */
	len = 2 + n * 38;
	if ((arr = malloc(len + 1)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	arr[k++] = '{';
	for (size_t i = 0; i < n; i++) {
		if (ops[i].kind != OP_PUT)
			continue;
		if (k > 1)
			arr[k++] = ',';
		memcpy(arr + k, "\"\\\\x", 4);
		k += 4;
		for (int b = 0; b < 16; b++) {
			static const char hex[] = "0123456789abcdef";

			arr[k++] = hex[ops[i].record_id[b] >> 4];
			arr[k++] = hex[ops[i].record_id[b] & 15];
		}
		arr[k++] = '"';
		memcpy(p->absent[p->nabsent++], ops[i].record_id, 16);
	}
	arr[k++] = '}';
	arr[k] = '\0';
	if (p->nabsent < 2) {
		p->nabsent = 0;
		goto out;
	}
	qsort(p->absent, p->nabsent, 16, pending_cmp);
	memset(p->used, 0, p->nabsent * sizeof(*p->used));
	/* those that exist are struck out: what is left is new */
	if ((rc = hsql_prepare(db->db, "SELECT id FROM hub_records WHERE id = ANY(CAST(?1 AS "
	    "bytea[]))", 0, &st)) != HSQL_OK) {
		r = hubdb_err(db, rc, e, "чтение записей");
		p->nabsent = 0;
		goto out;
	}
	hsql_bind_text(st, 1, arr, -1);
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		const void *id = hsql_column_blob(st, 0);
		uint8_t (*hit)[16] = id && hsql_column_bytes(st, 0) == 16 ?
		    bsearch(id, p->absent, p->nabsent, 16, pending_cmp) : NULL;

		if (hit != NULL)
			p->used[hit - p->absent] = true;
	}
	if (rc != HSQL_DONE) {
		r = hubdb_err(db, rc, e, "чтение записей");
		p->nabsent = 0;
	}
 out:
	hsql_finalize(st);
	free(arr);
	return r;
}

bool
hubdb_pending_take(struct hubdb *db, const uint8_t id[16])
{
	struct hubdb_pending *p = db->pending;
	uint8_t (*hit)[16];

	if (p == NULL || p->nabsent == 0 || p->nrows >= PENDING_ROWS_MAX)
		return false;
	hit = bsearch(id, p->absent, p->nabsent, 16, pending_cmp);
	if (hit == NULL || p->used[hit - p->absent])
		return false;
	p->used[hit - p->absent] = true;
	return true;
}

int
hubdb_pending_add(struct hubdb *db, const struct hubdb_record *r, const char *received_at,
    int64_t feed_pos, struct terr *e)
{
	struct hubdb_pending *p = db->pending;
	struct pending_row *row;

	if (p->rows == NULL && (p->rows = calloc(PENDING_ROWS_MAX, sizeof(*p->rows))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	row = &p->rows[p->nrows];
	memset(row, 0, sizeof(*row));
	memcpy(row->id, r->id, 16);
	hubdb_copy(row->form_id, sizeof(row->form_id), r->form_id);
	row->form_version = r->form_version;
	hubdb_copy(row->school, sizeof(row->school), r->school);
	hubdb_copy(row->device_id, sizeof(row->device_id), r->device_id);
	hubdb_copy(row->hlc, sizeof(row->hlc), r->hlc);
	row->deleted = r->deleted ? 1 : 0;
	hubdb_copy(row->received_at, sizeof(row->received_at), received_at);
	row->feed_pos = feed_pos;
	if ((row->data = strdup(r->data ? r->data : "{}")) == NULL ||
	    (row->clocks = strdup(r->clocks ? r->clocks : "{}")) == NULL) {
		free(row->data);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	p->nrows++;
	return 0;
}
