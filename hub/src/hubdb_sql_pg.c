/*
 * hubdb_sql_pg — the PostgreSQL engine of hubdb_sql.h, over libpq.
 *
 * Results are read in text format (one parser for every type; a bytea comes
 * as \x and hex, decoded on demand); parameters go as text, blobs binary.
 * The server infers each parameter's type from where it stands, so the
 * store's SQL casts a parameter where nothing else says its type.
 *
 * The connection's transaction state is what the server reports after each
 * command (PQtransactionStatus), so the hooks see every commit and
 * rollback whichever statement made it. A connection lost inside a
 * transaction is remembered as a failed transaction: were the next
 * statement to reconnect and run on its own, half of a change set would
 * commit.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "hubdb_sql.h"
#include "hubdb_sql_pg.h"
#include "hubdb_sql_pgimpl.h"

void
pg_set_error(struct hsql_pg *c, int code, const char *msg)
{
	size_t n;

	c->errcode = code;
	snprintf(c->errmsg, sizeof(c->errmsg), "%s", msg ? msg : "ошибка PostgreSQL");
	n = strlen(c->errmsg);
	while (n > 0 && (c->errmsg[n - 1] == '\n' || c->errmsg[n - 1] == ' '))
		c->errmsg[--n] = '\0';
}

/*
 * After a command: the server's transaction state, and the rollback hook
 * when a transaction ended other than by this statement's COMMIT.
 */
void
pg_after(struct hsql_pg *c, enum pg_verb verb, bool ok)
{
	bool was = c->in_txn;
	PGTransactionStatusType ts = PQtransactionStatus(c->conn);

	if (PQstatus(c->conn) == CONNECTION_BAD) {
		c->in_txn = false;
		if (was) {
			c->txn_lost = true;
			if (c->rollback)
				c->rollback(c->ctx);
		}
		return;
	}
	c->in_txn = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR || ts == PQTRANS_ACTIVE;
	if (was && !c->in_txn && !(verb == PG_COMMIT && ok) && c->rollback)
		c->rollback(c->ctx);
}

/*
 * The session's settings, at the connection and again at each reconnection
 * (they go with the old one). A writer waits for the store's write lock
 * (hubdb_begin) as SQLite's busy timeout waits, then the caller answers 503
 * and is retried. No JIT: the store's queries are short or walk an index,
 * and compiling one took longer than running it (30 ms of a report's
 * 80,000-record scan of 0.4 s).
 */
static bool
pg_session(struct hsql_pg *c)
{
	PGresult *res;
	bool ok;

	if (PQsetClientEncoding(c->conn, "UTF8") != 0)
		return false;
	res = PQexec(c->conn, "SET lock_timeout = '5s'; SET jit = off");
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		pg_set_error(c, HSQL_ERROR, PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

/*
 * The FETCH sent ahead (pg_fetch) read into its statement: before any other
 * command, which the connection could not take while one is under way.
 */
void
pg_settle(struct hsql_pg *c)
{
	struct hsql_pgstmt *st = c->ahead;
	PGresult *res;

	if (st == NULL)
		return;
	c->ahead = NULL;
	st->next = PQgetResult(c->conn);
	while ((res = PQgetResult(c->conn)) != NULL)
		PQclear(res);
}

/*
 * Before a command: a transaction lost with its connection fails every
 * statement until the ROLLBACK (which it answers itself); a lost
 * connection outside a transaction is made again. join: the command goes
 * in the open pipeline, if any (pg_run); else the pipeline is ended first.
 */
int
pg_before(struct hsql_pg *c, enum pg_verb verb, bool join, bool *answered)
{
	*answered = false;
	pg_settle(c);
	if (!join) {
		int rc = pg_drain(c);

		/* a rollback makes a deferred statement's error moot */
		if (rc != HSQL_OK && verb != PG_ROLLBACK && verb != PG_UNDO)
			return rc;
	}
	if (c->before != NULL) {
		int rc = c->before(c->before_ctx, verb == PG_ROLLBACK || verb == PG_UNDO);

		if (rc != HSQL_OK)
			return rc;
	}
	if (c->txn_lost) {
		if (verb == PG_ROLLBACK) {
			c->txn_lost = false;
			*answered = true;
			return HSQL_OK;
		}
		pg_set_error(c, HSQL_BUSY,
		    "соединение с PostgreSQL потеряно посреди транзакции");
		return HSQL_BUSY;
	}
	if (PQstatus(c->conn) == CONNECTION_BAD) {
		/* nothing to end: the transaction went with the connection; and a
		 * COMMIT on a new one would say yes to a transaction never there */
		if (verb == PG_ROLLBACK) {
			*answered = true;
			return HSQL_OK;
		}
		if (verb == PG_COMMIT) {
			pg_set_error(c, HSQL_BUSY, "соединение с PostgreSQL потеряно до фиксации");
			return HSQL_BUSY;
		}
		PQreset(c->conn);
		if (PQstatus(c->conn) == CONNECTION_BAD) {
			/* libpq's words name the server's host or socket, and a
			 * device's 503 carries the message: said without them */
			pg_set_error(c, HSQL_BUSY, "нет связи с сервером PostgreSQL");
			return HSQL_BUSY;
		}
		c->gen++;
		if (!pg_session(c)) {
			pg_set_error(c, HSQL_BUSY, "нет связи с сервером PostgreSQL");
			return HSQL_BUSY;
		}
	}
	if (verb == PG_COMMIT && c->commit != NULL && c->commit(c->ctx) != 0) {
		(void)pg_drain(c);
		PQclear(PQexec(c->conn, "ROLLBACK"));
		pg_after(c, PG_ROLLBACK, true);
		pg_set_error(c, HSQL_CONSTRAINT, "фиксация транзакции отменена");
		return HSQL_CONSTRAINT;
	}
	return HSQL_OK;
}

/* A command's result: HSQL_OK (rows or not) or the error, recorded. */
int
pg_result(struct hsql_pg *c, PGresult *res, enum pg_verb verb)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int code = HSQL_OK;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		const char *cmd = PQcmdStatus(res);

		if (strncmp(cmd, "INSERT", 6) == 0 || strncmp(cmd, "UPDATE", 6) == 0 ||
		    strncmp(cmd, "DELETE", 6) == 0)
			c->changes = atoi(PQcmdTuples(res));
		/* COMMIT of a transaction a failed statement aborted answers
		 * ROLLBACK: no commit (else a set lost would be acked applied) */
		if (verb == PG_COMMIT && strcmp(cmd, "ROLLBACK") == 0) {
			code = HSQL_ERROR;
			pg_set_error(c, code, "транзакция прервана ошибкой одной из её команд");
		}
	} else {
		code = pg_code_of(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
		if (PQstatus(c->conn) == CONNECTION_BAD)
			code = HSQL_BUSY;
		pg_set_error(c, code, res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) ?
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "связь с сервером PostgreSQL "
		    "прервалась");
	}
	pg_after(c, verb, code == HSQL_OK);
	return code;
}

int
hsql_pg_open(const char *conninfo, struct hsql_pg **out, struct terr *e)
{
	struct hsql_pg *c = calloc(1, sizeof(*c));
	int r = 0;

	*out = NULL;
	if (c == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	c->conn = PQconnectdb(conninfo);
	if (c->conn == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if (PQstatus(c->conn) != CONNECTION_OK) {
		/*
		 * A server that does not answer is said without libpq's words:
		 * they name its host or socket, and a pool's new handle fails so
		 * in a device's 503. A server that answers and refuses (a role,
		 * a password, a database) is the administrator's to fix: said.
		 */
		pg_set_error(c, HSQL_BUSY, PQerrorMessage(c->conn));
		if (PQping(conninfo) == PQPING_NO_RESPONSE)
			r = terr_set(e, TERR_BUSY, "сервер PostgreSQL не отвечает (проверьте, что он "
			    "запущен и доступен: psql со строкой из hub.conf)");
		else
			r = terr_set(e, TERR_IO, "не удалось подключиться к PostgreSQL: %s", c->errmsg);
		goto out;
	}
	if (!pg_session(c)) {
		r = terr_set(e, TERR_IO, "PostgreSQL: %s", c->errmsg);
		goto out;
	}
	c->gen = 1;
	*out = c;
	c = NULL;
 out:
	hsql_pg_close(c);
	return r;
}

void
hsql_pg_close(struct hsql_pg *c)
{
	if (c == NULL)
		return;
	PQfinish(c->conn);
	free(c);
}

void
hsql_pg_before(struct hsql_pg *c, int (*before)(void *, bool), void *ctx)
{
	c->before = before;
	c->before_ctx = ctx;
}

void
hsql_pg_hooks(struct hsql_pg *c, int (*commit)(void *), void (*rollback)(void *), void *ctx)
{
	c->commit = commit;
	c->rollback = rollback;
	c->ctx = ctx;
}

int
hsql_pg_prepare(struct hsql_pg *c, const char *sql, unsigned flags, struct hsql_pgstmt **out)
{
	struct hsql_pgstmt *st = calloc(1, sizeof(*st));
	bool used[PG_PARAMS_SEEN] = { false };
	size_t n;

	*out = NULL;
	if (st == NULL)
		return HSQL_NOMEM;
	st->c = c;
	st->flags = flags;
	st->verb = pg_verb_of(sql);
	st->id = ++c->next_id;
	if ((st->sql = pg_convert(sql, &st->nparams, used)) == NULL)
		goto nomem;
	if (flags & HSQL_SCAN) {
		n = strlen(st->sql) + 64;
		if ((st->declare = malloc(n)) == NULL)
			goto nomem;
		snprintf(st->declare, n, "DECLARE c%u NO SCROLL CURSOR FOR %s", st->id, st->sql);
	}
	if (st->nparams > 0 &&
	    ((st->vals = calloc((size_t)st->nparams, sizeof(*st->vals))) == NULL ||
	    (st->lens = calloc((size_t)st->nparams, sizeof(*st->lens))) == NULL ||
	    (st->fmts = calloc((size_t)st->nparams, sizeof(*st->fmts))) == NULL ||
	    (st->owned = calloc((size_t)st->nparams, sizeof(*st->owned))) == NULL ||
	    (st->types = calloc((size_t)st->nparams, sizeof(*st->types))) == NULL))
		goto nomem;
	for (int k = 0; k < st->nparams && k < PG_PARAMS_SEEN; k++)
		if (!used[k])
			st->types[k] = PG_TEXTOID;
	*out = st;
	return HSQL_OK;
 nomem:
	hsql_pg_finalize(st);
	pg_set_error(c, HSQL_NOMEM, "недостаточно памяти");
	return HSQL_NOMEM;
}

void
pg_blobs_free(struct hsql_pgstmt *st)
{
	for (int i = 0; i < st->ncols && st->blob; i++) {
		free(st->blob[i]);
		st->blob[i] = NULL;
	}
}

/* The current result's rows are set up to be read (column caches sized). */
int
pg_take_result(struct hsql_pgstmt *st, PGresult *res)
{
	int cols = PQnfields(res);

	pg_blobs_free(st);
	PQclear(st->res);
	st->res = res;
	st->row = -1;
	st->nrows = PQntuples(res);
	if (cols > st->ncols) {
		unsigned char **b = realloc(st->blob, (size_t)cols * sizeof(*b));
		size_t *l;

		if (b == NULL)
			return HSQL_NOMEM;
		st->blob = b;
		for (int i = st->ncols; i < cols; i++)
			b[i] = NULL;
		if ((l = realloc(st->blob_len, (size_t)cols * sizeof(*l))) == NULL)
			return HSQL_NOMEM;
		st->blob_len = l;
		st->ncols = cols;
	}
	return HSQL_OK;
}

/*
 * The next rows of an open cursor. The rows after them are asked for at
 * once, before the caller reads these: the server makes them while the
 * caller works (a report's scan had them in turn, each idle while the
 * other worked: docs/performance.md, the hub on PostgreSQL).
 */
static int
pg_fetch(struct hsql_pgstmt *st)
{
	struct hsql_pg *c = st->c;
	char q[64];
	PGresult *res;
	int rc;

	pg_settle(c);
	if ((rc = pg_drain(c)) != HSQL_OK)
		return rc;
	snprintf(q, sizeof(q), "FETCH " "%d" " FROM c%u", HSQL_SCAN_ROWS, st->id);
	res = st->next != NULL ? st->next : PQexec(c->conn, q);
	st->next = NULL;
	if ((rc = pg_result(c, res, PG_OTHER)) != HSQL_OK) {
		PQclear(res);
		return rc;
	}
	rc = pg_take_result(st, res);
	st->cursor_end = st->nrows < HSQL_SCAN_ROWS;
	/* not sent: the next call asks as before */
	if (rc == HSQL_OK && !st->cursor_end && PQsendQuery(c->conn, q) == 1)
		c->ahead = st;
	return rc;
}

/* Sends the statement with its parameters; its rows (or none) taken. */
static int
pg_run(struct hsql_pgstmt *st)
{
	struct hsql_pg *c = st->c;
	PGresult *res;
	bool answered, join;
	int rc;

	/* a statement prepared on this connection, not a cursor, nor the end of
	 * a transaction or savepoint (aborted after a failed deferred one, it
	 * would leave the transaction open) */
	join = (st->flags & HSQL_PERSISTENT) && st->prepared_gen == c->gen &&
	    !((st->flags & HSQL_SCAN) && c->in_txn) && st->verb != PG_ROLLBACK &&
	    st->verb != PG_UNDO;
	if ((rc = pg_before(c, st->verb, join, &answered)) != HSQL_OK || answered) {
		st->nrows = 0;
		st->row = -1;
		return rc;
	}
	/* the before hook may have written (COPY: the pipeline ended) or the
	 * connection been made again (nothing prepared on it) */
	join = join && st->prepared_gen == c->gen;
	if (join && (st->flags & HSQL_DEFER) && c->in_txn && !c->txn_lost)
		return pg_defer(st);
	if (join && c->deferred > 0)
		return pg_run_joined(st);
	if ((rc = pg_drain(c)) != HSQL_OK) {
		st->nrows = 0;
		st->row = -1;
		return rc;
	}
	if ((st->flags & HSQL_SCAN) && c->in_txn) {
		res = PQexecParams(c->conn, st->declare, st->nparams, st->types, st->vals, st->lens,
		    st->fmts, 0);
		if ((rc = pg_result(c, res, PG_OTHER)) != HSQL_OK) {
			PQclear(res);
			return rc;
		}
		PQclear(res);
		st->cursor = true;
		return pg_fetch(st);
	}
	if (st->flags & HSQL_PERSISTENT) {
		if (st->prepared_gen != c->gen) {
			char name[16];

			snprintf(name, sizeof(name), "t%u", st->id);
			res = PQprepare(c->conn, name, st->sql, st->nparams, st->types);
			if ((rc = pg_result(c, res, PG_OTHER)) != HSQL_OK) {
				PQclear(res);
				return rc;
			}
			PQclear(res);
			st->prepared_gen = c->gen;
		}
		{
			char name[16];

			snprintf(name, sizeof(name), "t%u", st->id);
			res = PQexecPrepared(c->conn, name, st->nparams, st->vals, st->lens, st->fmts, 0);
		}
	} else
		res = PQexecParams(c->conn, st->sql, st->nparams, st->types, st->vals, st->lens,
		    st->fmts, 0);
	if ((rc = pg_result(c, res, st->verb)) != HSQL_OK) {
		PQclear(res);
		return rc;
	}
	return pg_take_result(st, res);
}

int
hsql_pg_step(struct hsql_pgstmt *st)
{
	int rc;

	if (!st->started) {
		st->started = true;
		if ((rc = pg_run(st)) != HSQL_OK)
			return rc;
	}
	/* asked ahead (hsql_send): its answer comes with the others' */
	if (st->asked) {
		pg_settle(st->c);
		(void)pg_drain(st->c);
	}
	if (st->asked_rc != HSQL_OK)
		return st->asked_rc;
	pg_blobs_free(st);
	if (st->row + 1 < st->nrows) {
		st->row++;
		return HSQL_ROW;
	}
	if (st->cursor && !st->cursor_end && st->res != NULL) {
		if ((rc = pg_fetch(st)) != HSQL_OK)
			return rc;
		if (st->nrows > 0) {
			st->row = 0;
			return HSQL_ROW;
		}
	}
	st->row = st->nrows;
	return HSQL_DONE;
}

int
hsql_pg_reset(struct hsql_pgstmt *st)
{
	struct hsql_pg *c = st->c;

	pg_blobs_free(st);
	pg_settle(c);
	/* the answers keep their order: an unread one is read, and dropped */
	if (st->asked)
		(void)pg_drain(c);
	st->asked_rc = HSQL_OK;
	PQclear(st->next);
	st->next = NULL;
	PQclear(st->res);
	st->res = NULL;
	st->nrows = 0;
	st->row = -1;
	if (st->cursor && c->in_txn && !c->txn_lost &&
	    PQtransactionStatus(c->conn) == PQTRANS_INTRANS) {
		char q[32];

		/* an error a deferred statement met stays with the transaction:
		 * its COMMIT is answered ROLLBACK (pg_result) */
		(void)pg_drain(c);
		snprintf(q, sizeof(q), "CLOSE c%u", st->id);
		PQclear(PQexec(c->conn, q));
	}
	st->cursor = st->cursor_end = false;
	st->started = false;
	return HSQL_OK;
}

void
hsql_pg_clear_bindings(struct hsql_pgstmt *st)
{
	for (int i = 0; i < st->nparams; i++) {
		free(st->owned[i]);
		st->owned[i] = NULL;
		st->vals[i] = NULL;
		st->lens[i] = 0;
		st->fmts[i] = 0;
	}
}

void
hsql_pg_finalize(struct hsql_pgstmt *st)
{
	if (st == NULL)
		return;
	hsql_pg_reset(st);
	if (st->prepared_gen == st->c->gen && PQstatus(st->c->conn) == CONNECTION_OK &&
	    !st->c->txn_lost) {
		char q[32];

		(void)pg_drain(st->c);
		snprintf(q, sizeof(q), "DEALLOCATE t%u", st->id);
		PQclear(PQexec(st->c->conn, q));
	}
	if (st->owned)
		hsql_pg_clear_bindings(st);
	free(st->blob);
	free(st->blob_len);
	free(st->vals);
	free(st->lens);
	free(st->fmts);
	free(st->owned);
	free(st->types);
	free(st->declare);
	free(st->sql);
	free(st);
}

int
hsql_pg_exec_int(struct hsql_pg *c, const char *sql, int64_t *v)
{
	enum pg_verb verb = pg_verb_of(sql);
	PGresult *res;
	bool answered;
	int rc;

	*v = 0;
	if ((rc = pg_before(c, verb, false, &answered)) != HSQL_OK || answered)
		return rc;
	/* several statements: PQexec's result is the last one's */
	res = PQexec(c->conn, sql);
	rc = pg_result(c, res, verb);
	if (rc == HSQL_OK && PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0))
		*v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return rc;
}

int
hsql_pg_exec(struct hsql_pg *c, const char *sql)
{
	int64_t ignored;

	return hsql_pg_exec_int(c, sql, &ignored);
}

int
hsql_pg_copy_in(struct hsql_pg *c, const char *sql, const char *data, size_t len)
{
	PGresult *res;
	bool answered;
	int rc;

	if ((rc = pg_before(c, PG_OTHER, false, &answered)) != HSQL_OK || answered)
		return rc;
	res = PQexec(c->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = pg_result(c, res, PG_OTHER);
		PQclear(res);
		return rc == HSQL_OK ? HSQL_ERROR : rc;
	}
	PQclear(res);
	/* blocking connection: each call sends or fails */
	if (PQputCopyData(c->conn, data, (int)len) != 1)
		(void)PQputCopyEnd(c->conn, "не удалось передать строки");
	else
		(void)PQputCopyEnd(c->conn, NULL);
	res = PQgetResult(c->conn);
	rc = pg_result(c, res, PG_OTHER);
	PQclear(res);
	while ((res = PQgetResult(c->conn)) != NULL)
		PQclear(res);
	return rc;
}

int
hsql_pg_changes(struct hsql_pg *c)
{
	return c->changes;
}

bool
hsql_pg_autocommit(struct hsql_pg *c)
{
	return !c->in_txn && !c->txn_lost;
}

int
hsql_pg_errcode(struct hsql_pg *c)
{
	return c->errcode;
}

const char *
hsql_pg_errmsg(struct hsql_pg *c)
{
	return c->errmsg;
}
