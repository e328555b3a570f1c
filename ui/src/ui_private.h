/*
 * ui_private — what the files of `tetrad ui` share. One file per group of
 * pages, each owning its routes (ui_routes.c lists them all):
 *   ui.c          ui_main: options, the server's life, opening the browser
 *   ui_server.c   libmicrohttpd on 127.0.0.1, the checks every request
 *                 passes (Host, Origin, the launch secret's cookie, CSRF,
 *                 body caps, headers), request and reply helpers
 *   ui_page.c     the frame of a page: header, navigation, notice
 *   ui_routes.c   the table of routes
 *   ui_home.c     start page, the passphrase page
 *   ui_records.c  the record list (filters, search, pages), a record's page,
 *                 delete with confirmation
 *   ui_fill.c     new record (school first on a curator's laptop), filling,
 *                 draft, review, finalize, edit
 *   ui_sync.c     sync now (tetrad-syncd as a child, its progress), refused
 *                 records and «исправить и отправить снова»
 *   ui_io.c       export (.xlsx, CSV), import of a CSV with its report
 *   ui_enroll.c   enrollment from the hub's enrollment file
 *
 * Everything runs on the server's one thread: pages use the store and the
 * catalogue without locks; slow work (a sync) runs in a child process.
 */
#ifndef TETRAD_UI_PRIVATE_H
#define TETRAD_UI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/terr.h"
#include "client/catalog.h"
#include "client/store.h"
#include "web/html.h"
#include "web/webreq.h"

#define UI_BODY_MAX (8u << 20)       /* a POST body (an imported CSV) */
#define UI_FORM_BODY_MAX (1u << 20)  /* a POST body that is not a file upload */
#define UI_CSRF_FIELD "_csrf"
/* the cookie's name is this and the port (tetrad_ui_8080): browsers keep
 * cookies per host, not per port, so another launch on another port must
 * not overwrite or shadow this one's */
#define UI_COOKIE_PREFIX "tetrad_ui_"

struct ui;       /* the running interface (ui.c) */
struct ui_req;   /* one request and its reply (ui_server.c) */
struct ui_sync;  /* the sync child (ui_sync.c) */

/* ---- the running interface (ui.c) ---- */
/*
 * The interface over the database at db_path without a server: the store
 * opened, the catalogue loaded, this launch's secrets drawn. ui_main uses
 * it; so does the benchmark (tests/bench/bench_ui.c) to render pages as
 * the server does. STORE_NOTFOUND when there is no database (Russian
 * message naming `tetrad init`).
 */
int ui_open(const char *db_path, struct ui **out, struct terr *e);
void ui_close(struct ui *u);
/* This launch's secret (hex): the key in the URL `tetrad ui` opens,
 * exchanged once for the cookie (ui_session); NULL once spent. */
const char *ui_secret(const struct ui *u);
/* The secret was exchanged: wiped, the URL no longer opens anything. */
void ui_secret_spend(struct ui *u);
/* The cookie's value (hex) that every request must carry. */
const char *ui_session(const struct ui *u);
/* The flash notice to show now, handed over (free it), or NULL. */
char *ui_flash_take(struct ui *u);
/* The person chose «Позже» on the passphrase page: the start page no
 * longer asks (pages that need `local` values still do). */
bool ui_unlock_deferred(const struct ui *u);
void ui_unlock_defer(struct ui *u);
struct store *ui_store(struct ui *u);
/* The catalogue (built-in forms and those pulled beside the database);
 * reloaded after a sync brought new forms. */
const struct catalog *ui_catalog(struct ui *u);
int ui_catalog_reload(struct ui *u, struct terr *e);
const char *ui_db_path(const struct ui *u);
uint16_t ui_port(const struct ui *u);
/* This launch's CSRF token (hex), the value every form posts back. */
const char *ui_csrf(const struct ui *u);
struct ui_sync *ui_sync_of(struct ui *u);
/* A one-line notice shown on the next page («Запись сохранена»), copied. */
void ui_flash(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- the server (ui_server.c) ---- */
struct ui_server;
/* libmicrohttpd on 127.0.0.1:port (0: a free one), one thread of its own
 * that runs every request. */
int ui_server_start(struct ui *u, uint16_t port, struct ui_server **out,
    struct terr *e);
uint16_t ui_server_port(const struct ui_server *srv);
/* Stops accepting, finishes the request in hand, frees. NULL is fine. */
void ui_server_stop(struct ui_server *srv);

/* ---- a request (ui_server.c) ---- */
/*
 * Replies (ui_page_end, ui_reply_*) return MHD_YES (1) or MHD_NO (0), and a
 * handler returns what its reply returned. A handler that returns without
 * replying gets a Russian 500 page.
 */
struct ui *ui_req_ui(struct ui_req *rq);
bool ui_req_post(const struct ui_req *rq);
const char *ui_req_path(const struct ui_req *rq);
/* A query string parameter, or NULL. */
const char *ui_req_query(const struct ui_req *rq, const char *name);
/* The POST body parsed (urlencoded or multipart; CSRF already checked),
 * or NULL for a GET. */
const struct webform *ui_req_form(const struct ui_req *rq);

/* ui_server.c for ui_page.c: an HTML page (taken) with the common headers;
 * a page without the frame (nothing of the device shown), for refusals. */
int ui_reply_html(struct ui_req *rq, int status, char *page, size_t len);
int ui_reply_bare(struct ui_req *rq, int status, const char *title,
    const char *message, const char *link, const char *link_text);

/* A page with the common frame: header (device, school, navigation), the
 * flash notice; write the content into the returned writer, then
 * ui_page_end sends it (200 unless status says otherwise). NULL: no memory
 * (ui_page_end(NULL) then answers 500). */
struct html *ui_page_begin(struct ui_req *rq, const char *title);
int ui_page_end(struct ui_req *rq, struct html *h, int status);
/* <input type=hidden name=_csrf value=…> */
void ui_csrf_input(struct ui_req *rq, struct html *h);
/* 303 See Other to location (a path of this server). */
int ui_reply_redirect(struct ui_req *rq, const char *location);
/* A download: data (taken, freed by the server) with its type and a file
 * name for Content-Disposition (Russian names encoded as RFC 6266). */
int ui_reply_download(struct ui_req *rq, const char *content_type,
    const char *filename, char *data, size_t len);
/* A page saying what went wrong, in Russian, with a way back. */
int ui_reply_error(struct ui_req *rq, int status, const char *message);
/* JSON (the sync progress): text taken. */
int ui_reply_json(struct ui_req *rq, int status, char *text);

/* ---- routes (ui_routes.c) ---- */
typedef int (*ui_handler)(struct ui_req *rq);
struct ui_route {
	const char *path;            /* exact path */
	ui_handler handler;
	bool upload;                 /* may take a multipart body up to UI_BODY_MAX */
};
/* The route for path, or NULL (404). */
const struct ui_route *ui_route_find(const char *path);

/* ui_home.c */
int ui_page_home(struct ui_req *rq);          /* GET / */
int ui_page_unlock(struct ui_req *rq);        /* GET, POST /unlock */
/* ui_records.c */
int ui_page_records(struct ui_req *rq);       /* GET /records?form=&status=&school=&from=&to=&page=, POST (the search: q) */
int ui_page_record(struct ui_req *rq);        /* GET /record?id= */
int ui_page_delete(struct ui_req *rq);        /* GET, POST /delete?id= */
/* ui_fill.c */
int ui_page_new(struct ui_req *rq);           /* GET /new[?form=&school=] */
int ui_page_fill(struct ui_req *rq);          /* GET, POST /fill?id= | ?form=&school= */
int ui_page_review(struct ui_req *rq);        /* GET, POST /review?id= */
/* ui_sync.c */
int ui_page_sync(struct ui_req *rq);          /* GET, POST /sync */
int ui_page_sync_status(struct ui_req *rq);   /* GET /sync/status (JSON) */
int ui_page_refused(struct ui_req *rq);       /* GET, POST /refused */
/* ui_io.c */
int ui_page_export(struct ui_req *rq);        /* GET /export, /export/file?form=&fmt=xlsx|csv */
int ui_page_import(struct ui_req *rq);        /* GET, POST /import (upload) */
/* ui_enroll.c */
int ui_page_enroll(struct ui_req *rq);        /* GET, POST /enroll (upload) */

/*
 * The record list as the /records page shows it (filters, the table, the
 * pages) into h, for the query string query (form=&status=&school=&from=
 * &to=&q=&page=, without '?'; NULL or "": everything, first page): the
 * page's own query and render, for the benchmark.
 */
int ui_records_render(struct ui *u, const char *query, struct html *h,
    struct terr *e);
/* A path of this server to come back to after /unlock (its next=):
 * "/..." but not "//..."; anything else is "/". */
const char *ui_local_path(const char *next);

/* ---- the hub's reasons (ui_refused.c) ---- */
/*
 * A reason without the set's numbers («набор 6–6 отклонён и помещён в
 * карантин: »): *named the change it names («изменение 6: …», dropped
 * from the text returned), 0 when it names none.
 */
const char *ui_refused_split(const char *reason, uint64_t *named);
/*
 * The reason as a person reads it beside one record, the change seq (as
 * `tetrad status` words it): the change named dropped when it is this
 * record's own, and when it is another record's, said so — the hub refuses
 * a set whole. out: cap bytes.
 */
void ui_refused_reason(const char *reason, uint64_t seq, char *out, size_t cap);

/* ---- the sync child (ui_sync.c; created and freed by ui.c) ---- */
int ui_sync_new(struct ui *u, struct ui_sync **out, struct terr *e);
void ui_sync_free(struct ui_sync *s);
/* Collects the child's output and exit without blocking (every request). */
void ui_sync_poll(struct ui_sync *s);
/* For the start page: running now; the last run's time and its result in
 * words ("" if none this launch; the database's meta tells older ones). */
bool ui_sync_running(const struct ui_sync *s);

#endif
