/*
 * dash — a request of the dashboard, from the connection's thread to a
 * worker and back (dash.h): what is copied before the connection is
 * suspended, the checks every page passes (session, Origin, CSRF, role),
 * the audit log's line, and the reply with the headers every page has.
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "dash_private.h"
#include "hub/connwatch.h"
#include "hub/hubdb_web.h"
#include "hub/throttle.h"
#include "reply.h"
#include "tetrad/termsafe.h"
#include "web/page.h"

/* Password checks at once: each takes 64 MiB (Argon2id) for about 0.15 s. */
#define DASH_LOGIN_PARALLEL 4
/*
 * Pages at once. They run on the workers that also run the devices' change
 * sets and pulls, and a region's report reads for a second: a few browsers
 * (or one person's many tabs) must not hold them all while devices sync.
 */
#define DASH_PAGES_PARALLEL 8
/* Failed logins of one address: 10, then one more every 6 s (docs/security.md). */
#define DASH_THROTTLE_BURST 10
#define DASH_THROTTLE_REFILL_MS 6000
#define DASH_THROTTLE_GLOBAL_BURST 200
#define DASH_THROTTLE_GLOBAL_REFILL_MS 100
#define DASH_THROTTLE_SLOTS 4096

struct dash {
	struct dash_cfg cfg;
	struct throttle *login_throttle;
	atomic_int logins;
	atomic_int pages;                /* jobs handed to the workers, not yet done */
};

enum { DASH_JOB_RUNNING = 1, DASH_JOB_DONE, DASH_JOB_REPLIED };

struct dash_job {
	struct workers_job job;
	struct MHD_Connection *c;
	atomic_int state;
	uint64_t t0;
	char method[8];
	char *body;                      /* a POST's body, NUL-terminated */
	size_t body_len;
	char content_type[128];
	struct dash_req rq;
};

int
dash_new(const struct dash_cfg *cfg, struct dash **out, struct terr *e)
{
	struct dash *d;
	int r;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	d->cfg = *cfg;
	atomic_init(&d->logins, 0);
	atomic_init(&d->pages, 0);
	if ((r = throttle_new(&(struct throttle_cfg){ DASH_THROTTLE_BURST,
	    DASH_THROTTLE_REFILL_MS, DASH_THROTTLE_GLOBAL_BURST, DASH_THROTTLE_GLOBAL_REFILL_MS,
	    DASH_THROTTLE_SLOTS }, &d->login_throttle, e)) != 0) {
		free(d);
		return r;
	}
	*out = d;
	return 0;
}

void
dash_free(struct dash *d)
{
	if (d == NULL)
		return;
	throttle_free(d->login_throttle);
	free(d);
}

bool
dash_path(const char *url)
{
	return url != NULL && url[0] == '/' && strncmp(url, "/v1/", 4) != 0 &&
	    strcmp(url, "/v1") != 0;
}

size_t
dash_body_max(const char *url)
{
	return strcmp(url, DASH_UPLOAD_PATH) == 0 ? DASH_UPLOAD_MAX : DASH_BODY_MAX;
}

enum MHD_Result
dash_too_large(struct MHD_Connection *c, size_t cap)
{
	char page[640];

	/* a number is all it adds to fixed text: nothing to escape */
	snprintf(page, sizeof(page), "<!DOCTYPE html><html lang=\"ru\"><meta charset=\"utf-8\">"
	    "<title>Слишком большая форма</title><h1>Слишком большая форма</h1><p>Отправленная "
	    "форма больше допустимых %zu КиБ: хаб её не принял.%s Вернитесь на предыдущую "
	    "страницу.</p></html>", cap >> 10, cap == DASH_UPLOAD_MAX ? " Файл определения "
	    "формы — не больше 1 МиБ: выберите другой файл." : "");
	return reply_send(c, 413, "text/html; charset=utf-8", page, strlen(page), 0);
}

const struct dash_cfg *
dash_config(const struct dash *d)
{
	return &d->cfg;
}

bool
dash_login_slot(struct dash *d)
{
	if (atomic_fetch_add(&d->logins, 1) >= DASH_LOGIN_PARALLEL) {
		atomic_fetch_sub(&d->logins, 1);
		return false;
	}
	return true;
}

void
dash_login_done(struct dash *d)
{
	atomic_fetch_sub(&d->logins, 1);
}

static int64_t
dash_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned
dash_login_throttled(struct dash *d, const struct dash_req *rq)
{
	return throttle_check(d->login_throttle, rq->has_sa ? (const struct sockaddr *)&rq->sa :
	    NULL, dash_mono_ms());
}

void
dash_login_failed(struct dash *d, const struct dash_req *rq)
{
	throttle_fail(d->login_throttle, rq->has_sa ? (const struct sockaddr *)&rq->sa : NULL,
	    dash_mono_ms());
}

const char *
dash_arg(const struct dash_req *rq, const char *name)
{
	for (size_t i = 0; i < rq->nargs; i++)
		if (strcmp(rq->args[i].name, name) == 0)
			return rq->args[i].value;
	return NULL;
}

const char *
dash_arg_set(const struct dash_req *rq, const char *name)
{
	const char *v = dash_arg(rq, name);

	return v != NULL && v[0] ? v : NULL;
}

const char *
dash_field(const struct dash_req *rq, const char *name)
{
	return rq->form != NULL ? webform_get(rq->form, name) : NULL;
}

void
dash_log(struct dash_req *rq, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vlogf(rq->d->cfg.log, rq->d->cfg.log_ctx, (enum server_log_level)level, fmt, ap);
	va_end(ap);
}

int
dash_audit(struct dash_req *rq, const char *login, const char *action, const char *object,
    const char *outcome)
{
	struct hubdb_audit a;
	struct terr e;
	int r;

	memset(&a, 0, sizeof(a));
	terr_clear(&e);
	hubdb_copy(a.login, sizeof(a.login), login ? login : rq->logged_in ? rq->who.login : "");
	hubdb_copy(a.addr, sizeof(a.addr), rq->addr);
	hubdb_copy(a.action, sizeof(a.action), action);
	hubdb_copy(a.object, sizeof(a.object), object ? object : "");
	hubdb_copy(a.outcome, sizeof(a.outcome), outcome);
	if ((r = hubdb_audit_add(rq->db, &a, &e)) != 0)
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s audit not written (%s %s): %s", rq->addr,
		    action, a.object, e.msg);
	return r;
}

/* ---- replies ---------------------------------------------------------- */

int
dash_reply_html(struct dash_req *rq, int status, struct html *h)
{
	struct terr e;
	size_t len = 0;
	char *page;

	terr_clear(&e);
	free(rq->body);
	rq->body = NULL;
	if (h == NULL || (page = html_take(h, &len, &e)) == NULL) {
		if (h != NULL)
			dash_log(rq, SERVER_LOG_ERR, "web addr=%s %s: the page was not made: %s",
			    rq->addr, rq->path_log, e.msg);
		static const char fail[] = "<!DOCTYPE html><html lang=\"ru\"><meta charset=\"utf-8\">"
		    "<title>Ошибка</title><p>Недостаточно памяти, чтобы показать страницу. "
		    "Повторите позже.</p></html>";

		html_free(h);
		rq->status = 503;
		rq->ctype = "text/html; charset=utf-8";
		rq->body = strdup(fail);
		rq->len = rq->body ? strlen(rq->body) : 0;
		rq->replied = true;
		return 0;
	}
	html_free(h);
	rq->status = status;
	rq->ctype = "text/html; charset=utf-8";
	rq->body = page;
	rq->len = len;
	rq->replied = true;
	return 0;
}

int
dash_reply_bytes(struct dash_req *rq, int status, const char *ctype, char *body, size_t len,
    const char *filename)
{
	free(rq->body);
	rq->status = status;
	rq->ctype = ctype;
	rq->body = body;
	rq->len = len;
	if (filename != NULL)
		/* ASCII names only (report names and dates): no quoting to get wrong */
		snprintf(rq->disposition, sizeof(rq->disposition), "attachment; filename=\"%s\"",
		    filename);
	rq->replied = true;
	return 0;
}

int
dash_redirect(struct dash_req *rq, const char *location)
{
	free(rq->body);
	rq->body = NULL;
	rq->len = 0;
	rq->status = 303;
	rq->ctype = "text/plain; charset=utf-8";
	snprintf(rq->location, sizeof(rq->location), "%s", location);
	rq->replied = true;
	return 0;
}

/* ---- the checks every request passes, on the worker --------------------- */

/* The Origin of a POST, when the browser sent one, must be this hub's. */
static bool
dash_origin_ok(const struct dash_req *rq)
{
	char want[300];

	if (!rq->has_origin)
		return true;
	if (rq->host[0] == '\0')
		return false;
	snprintf(want, sizeof(want), "https://%s", rq->host);
	return strcmp(rq->origin, want) == 0;
}

static bool
dash_csrf_ok(const struct dash_req *rq)
{
	const char *got = dash_field(rq, DASH_CSRF_FIELD);
	size_t n = strlen(rq->who.csrf);

	return got != NULL && n > 0 && strlen(got) == n &&
	    sodium_memcmp(got, rq->who.csrf, n) == 0;
}

static void
dash_session(struct dash_req *rq)
{
	char token[ACCOUNTS_TOKEN_HEX + 8];
	struct terr e;

	terr_clear(&e);
	if (webreq_cookie(rq->cookie, DASH_SESSION_COOKIE, token, sizeof(token)) != 1)
		return;
	if (accounts_session(rq->db, token, rq->now, &rq->logged_in, &rq->who, &e) != 0) {
		/* the store's trouble is not the end of the session: 503, try again */
		rq->logged_in = false;
		rq->store_error = true;
		dash_log(rq, SERVER_LOG_WARNING, "web addr=%s session not read: %s", rq->addr, e.msg);
	}
	sodium_memzero(token, sizeof(token));
}

/* Runs the route of the request; every path replies. */
static void
dash_dispatch(struct dash_job *j)
{
	struct dash_req *rq = &j->rq;
	const struct dash_route *rt;
	const char *rest = "";
	bool other = false;
	struct terr e;

	terr_clear(&e);
	rt = dash_route_find(rq->path, rq->post, &rest, &other);
	if (rt == NULL) {
		dash_session(rq);
		if (other)
			dash_error(rq, 405, "Так нельзя", "Этот адрес не принимает такой запрос.");
		else
			dash_error(rq, 404, "Страница не найдена", "Такой страницы нет. Вернитесь на "
			    "главную и выберите раздел в меню.");
		return;
	}
	if (rq->args_dropped) {
		dash_error(rq, 400, "Слишком длинный адрес", "В адресе страницы слишком много "
		    "параметров или слишком длинное значение. Откройте страницу из меню.");
		return;
	}
	if (rt->access != DASH_PUBLIC)
		dash_session(rq);
	if (rq->store_error) {
		rq->retry_after = 30;
		dash_error(rq, 503, "Хаб занят", "Хаб сейчас не может проверить сеанс. Повторите "
		    "через минуту: сеанс не закрыт.");
		return;
	}
	if (rq->post) {
		if (!dash_origin_ok(rq)) {
			char origin[TERMSAFE_CAP(64)];

			termsafe_write(origin, sizeof(origin), rq->origin, strnlen(rq->origin, 64));
			dash_log(rq, SERVER_LOG_WARNING, "web addr=%s POST %s 403: Origin %s", rq->addr,
			    rq->path_log, origin);
			dash_error(rq, 403, "Запрос отклонён", "Форма отправлена с другого сайта.");
			return;
		}
		bool multi = strncmp(j->content_type, "multipart/form-data", 19) == 0;

		if (j->body != NULL && !multi && strncmp(j->content_type,
		    "application/x-www-form-urlencoded", 33) != 0) {
			dash_error(rq, 415, "Запрос отклонён", "Форма отправлена в неизвестном виде.");
			return;
		}
		/* a file's bytes only where a file is taken (server.c capped the body) */
		if (multi && j->body != NULL ? webreq_multipart(j->content_type, j->body, j->body_len,
		    &rq->form, &e) != 0 : webreq_urlencoded(j->body ? j->body : "", j->body_len,
		    &rq->form, &e) != 0) {
			dash_error(rq, 400, "Запрос отклонён", "%s", e.msg);
			return;
		}
	}
	if (rt->access == DASH_PUBLIC) {
		rt->fn(rq, rest);
		return;
	}
	if (!rq->logged_in) {
		char next[DASH_PATH_MAX * 3 + 16] = "/login";

		if (rq->post) {
			dash_error(rq, 403, "Сеанс закончился", "Сеанс работы закончился (долго не было "
			    "действий или был выполнен выход). Войдите снова и повторите действие.");
			return;
		}
		if (strcmp(rq->path, "/") != 0) {
			char esc[DASH_PATH_MAX * 3];

			/* a next that would not fit is left out, never cut */
			if (webreq_query_escape(rq->path, esc, sizeof(esc)) &&
			    strlen(esc) + 13 < sizeof(rq->location))
				snprintf(next, sizeof(next), "/login?next=%s", esc);
		}
		dash_redirect(rq, next);
		return;
	}
	if (rq->post && !dash_csrf_ok(rq)) {
		dash_audit(rq, NULL, "csrf_refused", rq->path_log, "refused");
		dash_error(rq, 403, "Форма устарела", "Форма устарела или отправлена не со "
		    "страницы панели. Обновите страницу и повторите.");
		return;
	}
	if (!dash_access_ok(rq, rt->access)) {
		dash_audit(rq, NULL, "forbidden", rq->path_log, "refused");
		dash_error(rq, 403, "Нет доступа", "Эта страница недоступна для вашей роли (%s).",
		    accounts_role_label(rq->who.role));
		return;
	}
	rt->fn(rq, rest);
}

static void
dash_job_run(void *arg)
{
	struct dash_job *j = arg;
	struct dash_req *rq = &j->rq;
	struct MHD_Connection *c = j->c;
	struct terr e;

	terr_clear(&e);
	rq->now = (int64_t)time(NULL);
	if ((rq->db = dbpool_get(rq->d->cfg.pool, &e)) == NULL) {
		dash_log(rq, SERVER_LOG_WARNING, "web addr=%s %s 503: %s", rq->addr, rq->path_log, e.msg);
		dash_error(rq, 503, "Хаб занят", "Хаб сейчас не может показать страницу. "
		    "Повторите через минуту.");
		rq->retry_after = 30;
	} else {
		dash_dispatch(j);
		if (!rq->replied)
			dash_error(rq, 500, "Внутренняя ошибка", "Страница не получилась. Сообщите "
			    "администратору хаба.");
		dbpool_put(rq->d->cfg.pool, rq->db);
		rq->db = NULL;
	}
	atomic_fetch_sub(&rq->d->pages, 1);
	atomic_store(&j->state, DASH_JOB_DONE);
	MHD_resume_connection(c);
}

/* ---- intake, on the connection's thread ---------------------------------- */

static enum MHD_Result
dash_take_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct dash_req *rq = cls;
	struct dash_arg *a;

	(void)kind;
	if (key == NULL || rq->nargs == DASH_ARGS_MAX || strlen(key) >= sizeof(a->name) ||
	    (value != NULL && strlen(value) >= sizeof(a->value))) {
		/* never a filter silently dropped: the page says the address is wrong */
		rq->args_dropped = true;
		return MHD_YES;
	}
	a = &rq->args[rq->nargs++];
	snprintf(a->name, sizeof(a->name), "%s", key);
	snprintf(a->value, sizeof(a->value), "%s", value ? value : "");
	return MHD_YES;
}

static void
dash_copy_header(struct MHD_Connection *c, const char *name, char *out, size_t cap,
    bool *present)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	out[0] = '\0';
	if (present != NULL)
		*present = v != NULL;
	if (v != NULL && strlen(v) < cap)
		memcpy(out, v, strlen(v) + 1);
}

enum MHD_Result
dash_request(struct dash *d, struct MHD_Connection *c, const char *method, const char *url,
    const char *addr, const struct tbuf *body, struct dash_job **out)
{
	const union MHD_ConnectionInfo *ci;
	struct dash_job *j;
	struct dash_req *rq;

	*out = NULL;
	if (strlen(url) >= DASH_PATH_MAX) {
		static const char msg[] = "Слишком длинный адрес страницы.\n";

		return reply_send(c, 414, "text/plain; charset=utf-8", msg, strlen(msg), 0);
	}
	if (atomic_fetch_add(&d->pages, 1) >= DASH_PAGES_PARALLEL) {
		static const char busy[] = "<!DOCTYPE html><html lang=\"ru\"><meta charset=\"utf-8\">"
		    "<title>Хаб занят</title><p>Хаб сейчас строит слишком много страниц. Повторите "
		    "через несколько секунд.</p></html>";

		atomic_fetch_sub(&d->pages, 1);
		reply_logf(d->cfg.log, d->cfg.log_ctx, SERVER_LOG_WARNING, "web addr=%s 503: %d pages "
		    "in progress", addr, DASH_PAGES_PARALLEL);
		return reply_send(c, 503, "text/html; charset=utf-8", busy, strlen(busy), 5);
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		atomic_fetch_sub(&d->pages, 1);
		return MHD_NO;
	}
	rq = &j->rq;
	rq->d = d;
	j->c = c;
	j->t0 = connwatch_now_ms();
	snprintf(j->method, sizeof(j->method), "%s", method);
	rq->post = strcmp(method, "POST") == 0;
	snprintf(rq->path, sizeof(rq->path), "%s", url);
	/* libmicrohttpd decoded %0a and %1b: the logs and the audit get them escaped */
	termsafe_write(rq->path_log, sizeof(rq->path_log), rq->path, strlen(rq->path));
	snprintf(rq->addr, sizeof(rq->addr), "%s", addr);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, dash_take_arg, rq);
	dash_copy_header(c, MHD_HTTP_HEADER_COOKIE, rq->cookie, sizeof(rq->cookie), NULL);
	dash_copy_header(c, MHD_HTTP_HEADER_ORIGIN, rq->origin, sizeof(rq->origin), &rq->has_origin);
	dash_copy_header(c, MHD_HTTP_HEADER_HOST, rq->host, sizeof(rq->host), NULL);
	dash_copy_header(c, MHD_HTTP_HEADER_CONTENT_TYPE, j->content_type,
	    sizeof(j->content_type), NULL);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		size_t n = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
		    sizeof(struct sockaddr_in);

		memcpy(&rq->sa, ci->client_addr, n);
		rq->has_sa = true;
	}
	if (rq->post && body != NULL && tbuf_len(body) > 0) {
		if ((j->body = malloc(tbuf_len(body) + 1)) == NULL) {
			free(j);
			atomic_fetch_sub(&d->pages, 1);
			return MHD_NO;
		}
		memcpy(j->body, tbuf_ptr(body), tbuf_len(body));
		j->body[tbuf_len(body)] = '\0';
		j->body_len = tbuf_len(body);
	}
	j->job.run = dash_job_run;
	j->job.arg = j;
	atomic_store(&j->state, DASH_JOB_RUNNING);
	*out = j;
	MHD_suspend_connection(c);
	workers_submit(d->cfg.workers, &j->job);
	return MHD_YES;
}

enum MHD_Result
dash_finish(struct dash_job *j)
{
	struct dash_req *rq = &j->rq;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int expect = DASH_JOB_DONE;
	char ra[16];

	if (!atomic_compare_exchange_strong(&j->state, &expect, DASH_JOB_REPLIED))
		return MHD_YES;
	resp = MHD_create_response_from_buffer(rq->len, rq->body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		return MHD_NO;
	rq->body = NULL;       /* the response frees it */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rq->ctype ? rq->ctype :
	    "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	/* as the pages' own meta: browsers send this hub's Origin on its forms
	 * (with no-referrer they send "null", which dash_origin_ok refuses) */
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	/* children's schools' figures: not kept by a shared computer's browser */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	for (size_t i = 0; i < 2; i++)
		if (rq->set_cookie[i][0])
			MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rq->set_cookie[i]);
	if (rq->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, rq->location);
	if (rq->disposition[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, rq->disposition);
	if (rq->retry_after > 0) {
		snprintf(ra, sizeof(ra), "%u", rq->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	ret = MHD_queue_response(j->c, (unsigned)rq->status, resp);
	MHD_destroy_response(resp);
	reply_logf(rq->d->cfg.log, rq->d->cfg.log_ctx, rq->status >= 500 ? SERVER_LOG_ERR :
	    rq->status >= 400 ? SERVER_LOG_WARNING : SERVER_LOG_INFO,
	    "web addr=%s user=%s %s %s %d bytes=%zu ms=%llu", rq->addr,
	    rq->logged_in ? rq->who.login : "-", j->method, rq->path_log, rq->status, rq->len,
	    (unsigned long long)(connwatch_now_ms() - j->t0));
	return ret;
}

void
dash_job_free(struct dash_job *j)
{
	if (j == NULL)
		return;
	webform_free(j->rq.form);
	free(j->rq.body);
	free(j->body);
	sodium_memzero(&j->rq.who, sizeof(j->rq.who));
	free(j);
}
