/*
 * hubdb_sql_pgpipe — the PostgreSQL engine's pipeline (HSQL_DEFER and
 * hsql_send; the rest of the engine is hubdb_sql_pg.c). Statements whose
 * answers nobody reads are sent without waiting (a savepoint, a device's
 * head, a set's row: round trips made while the set's transaction holds
 * the store's write lock), and so is a question asked ahead (a set's
 * device, looked at after the set is written); the next statement that is
 * waited for goes in the same pipeline with a sync, and all answers are
 * read then. The server answers the statements after a failed one as
 * aborted: the failed one's error is what that statement returns.
 * Whatever cannot go in a pipeline (COPY, a cursor, a PQexec) first ends
 * it (pg_drain).
 */
#include <stdio.h>

#include <libpq-fe.h>

#include "hubdb_sql.h"
#include "hubdb_sql_pg.h"
#include "hubdb_sql_pgimpl.h"

/*
 * The deferred statements' answers, after a sync: the first error
 * (recorded), else HSQL_OK. A statement asked ahead (hsql_send) keeps its
 * rows, or the error that stopped it: its own, or an earlier one's.
 */
static int
pg_read_deferred(struct hsql_pg *c)
{
	int rc = HSQL_OK, k = 0;

	for (int i = 0; i < c->deferred; i++) {
		PGresult *res = PQgetResult(c->conn);
		struct hsql_pgstmt *asked = k < c->nasked && c->asked[k]->asked_at == i ?
		    c->asked[k++] : NULL;
		bool got = res != NULL;
		int r = HSQL_OK;

		if (res == NULL || PQresultStatus(res) != PGRES_PIPELINE_ABORTED)
			r = pg_result(c, res, asked ? asked->verb : PG_OTHER);
		if (rc == HSQL_OK)
			rc = r;
		if (asked != NULL) {
			asked->asked = false;
			asked->asked_rc = rc;
			if (rc == HSQL_OK && (asked->asked_rc = pg_take_result(asked, res)) == HSQL_OK)
				res = NULL;     /* the statement's now */
		}
		if (got) {
			PQclear(res);
			PQclear(PQgetResult(c->conn));      /* the NULL after each answer */
		}
	}
	c->deferred = 0;
	c->nasked = 0;
	return rc;
}

/* The statements asked ahead with no answer to come: a lost connection's. */
static void
pg_asked_lost(struct hsql_pg *c)
{
	for (int k = 0; k < c->nasked; k++) {
		c->asked[k]->asked = false;
		c->asked[k]->asked_rc = HSQL_BUSY;
	}
	c->nasked = 0;
}

/* The sync's answer read, the connection back to one command at a time. */
static void
pg_pipeline_end(struct hsql_pg *c)
{
	PGresult *res;

	while ((res = PQgetResult(c->conn)) != NULL) {
		ExecStatusType s = PQresultStatus(res);

		PQclear(res);
		if (s == PGRES_PIPELINE_SYNC)
			break;
	}
	(void)PQexitPipelineMode(c->conn);
	c->deferred = 0;
}

/* A pipeline the connection could not send: lost (pg_after marks the transaction so). */
int
pg_pipeline_broken(struct hsql_pg *c)
{
	pg_set_error(c, HSQL_BUSY, "связь с сервером PostgreSQL прервалась");
	c->deferred = 0;
	pg_asked_lost(c);
	(void)PQexitPipelineMode(c->conn);
	pg_after(c, PG_OTHER, false);
	return HSQL_BUSY;
}

/* Ends a pipeline: the deferred statements' first error, else HSQL_OK. */
int
pg_drain(struct hsql_pg *c)
{
	int rc;

	if (PQpipelineStatus(c->conn) == PQ_PIPELINE_OFF)
		return HSQL_OK;
	if (PQpipelineSync(c->conn) != 1)
		return pg_pipeline_broken(c);
	rc = pg_read_deferred(c);
	pg_pipeline_end(c);
	return rc;
}

/*
 * The prepared statement with its parameters sent into the pipeline (begun
 * if none is open), not waited for; libpq's 1 or 0.
 */
static int
pg_send_prepared(struct hsql_pgstmt *st)
{
	char name[16];

	if (PQpipelineStatus(st->c->conn) == PQ_PIPELINE_OFF &&
	    PQenterPipelineMode(st->c->conn) != 1)
		return 0;
	snprintf(name, sizeof(name), "t%u", st->id);
	return PQsendQueryPrepared(st->c->conn, name, st->nparams, st->vals, st->lens, st->fmts, 0);
}

/* An HSQL_DEFER statement sent into the pipeline; its answer is read later. */
int
pg_defer(struct hsql_pgstmt *st)
{
	struct hsql_pg *c = st->c;

	st->nrows = 0;
	st->row = -1;
	if (pg_send_prepared(st) != 1)
		return pg_pipeline_broken(c);
	c->deferred++;
	return HSQL_OK;
}

/* hsql_send (hubdb_sql.h): sent where pg_run would defer it, else not. */
bool
hsql_pg_send(struct hsql_pgstmt *st)
{
	struct hsql_pg *c = st->c;
	bool answered;

	/* where pg_run would join the pipeline, and defer */
	if (!(st->flags & HSQL_PERSISTENT) || (st->flags & HSQL_SCAN) || st->started ||
	    st->prepared_gen != c->gen || !c->in_txn || c->txn_lost || c->nasked == PG_ASKED_MAX ||
	    st->verb != PG_OTHER)
		return false;
	/* the before hook's writes go first (it may end the pipeline: COPY) */
	if (pg_before(c, st->verb, true, &answered) != HSQL_OK || answered ||
	    st->prepared_gen != c->gen || c->txn_lost)
		return false;
	if (pg_send_prepared(st) != 1) {
		(void)pg_pipeline_broken(c);
		return false;
	}
	pg_blobs_free(st);
	PQclear(st->res);
	st->res = NULL;
	st->nrows = 0;
	st->row = -1;
	st->started = st->asked = true;
	st->asked_at = c->deferred++;
	st->asked_rc = HSQL_OK;
	c->asked[c->nasked++] = st;
	return true;
}

/* A statement sent after deferred ones, with the sync: every answer read. */
int
pg_run_joined(struct hsql_pgstmt *st)
{
	struct hsql_pg *c = st->c;
	PGresult *res;
	int rc;

	if (pg_send_prepared(st) != 1 || PQpipelineSync(c->conn) != 1)
		return pg_pipeline_broken(c);
	rc = pg_read_deferred(c);
	res = PQgetResult(c->conn);
	if (res != NULL)
		PQclear(PQgetResult(c->conn));
	pg_pipeline_end(c);
	if (rc != HSQL_OK) {
		/* this one was not run (aborted): the earlier error is the answer */
		PQclear(res);
		pg_after(c, PG_OTHER, false);
		return rc;
	}
	if ((rc = pg_result(c, res, st->verb)) != HSQL_OK) {
		PQclear(res);
		return rc;
	}
	return pg_take_result(st, res);
}
