/*
 * ui_server — libmicrohttpd on 127.0.0.1 for `tetrad ui`, and the checks
 * every request passes before a page sees it (docs/ui.md, "Security"):
 *   Host exactly 127.0.0.1:PORT or localhost:PORT (DNS rebinding);
 *   the launch secret, one time only, for an HttpOnly SameSite=Strict
 *   cookie named for the port, and that cookie on every other request
 *   (another user, another site);
 *   on a POST: Origin, when sent, exactly this server; the body under its
 *   cap (refused with 413 without being kept); the CSRF token;
 *   /launch, /static/ and /favicon.ico take no POST (405);
 *   on every answer: the CSP, nosniff, referrer only to this server, no
 *   caching.
 * One thread runs every request, so pages use the store without locks.
 * The frame pages share (header, navigation, notice) is ui_page.c's.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <sodium.h>

#include "web/page.h"
#include "ui_private.h"

#define UI_CONN_LIMIT 64
#define UI_CONN_TIMEOUT_S 120
/* past a cap the body is read and dropped up to this much more, so the
 * browser gets its 413 page instead of a reset connection */
#define UI_DRAIN_MAX (16u << 20)
#define UI_COOKIE_MAX 256
#define UI_LAUNCH_PATH "/launch"

struct ui_server {
	struct ui *u;
	struct MHD_Daemon *d;
	uint16_t port;
};

struct ui_req {
	struct ui *u;
	struct MHD_Connection *c;
	const struct ui_route *route;
	char *path;
	bool post, head;
	bool replied;
	/* refused before the handler: status and message, the body drained */
	int refuse_status;
	const char *refuse_msg;
	char *body;
	size_t len, cap, limit;
	size_t drained;
	struct webform *form;
};

/* ---- replies ---------------------------------------------------------- */

static void
ui_headers(struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* same-origin, not no-referrer: under no-referrer Chromium sends
	 * "Origin: null" on our own forms, and the Origin check could only
	 * lean on Sec-Fetch-Site; nothing leaves for another site either way */
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

/* Queues data (taken: freed by libmicrohttpd) with the common headers. */
static int
ui_reply_raw(struct ui_req *rq, int status, const char *type, char *data, size_t len,
    const char *hname, const char *hvalue)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	rq->replied = true;
	if (data == NULL)
		len = 0;
	resp = MHD_create_response_from_buffer(len, data != NULL ? data : (char *)"",
	    data != NULL ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(data);
		return MHD_NO;
	}
	ui_headers(resp, type);
	if (hname != NULL)
		MHD_add_response_header(resp, hname, hvalue);
	r = MHD_queue_response(rq->c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return r;
}

/*
 * A page in the bare frame: no header, no names of schools — for requests
 * refused before they proved to be the person's (no cookie, a wrong Host).
 */
int
ui_reply_bare(struct ui_req *rq, int status, const char *title, const char *message,
    const char *link, const char *link_text)
{
	struct html *h = html_new(0);
	char *page;
	size_t len = 0;

	if (h == NULL)
		return ui_reply_raw(rq, 500, "text/plain; charset=utf-8", NULL, 0, NULL, NULL);
	web_page_begin(h, title);
	html_open(h, "main", NULL);
	html_elem(h, "h1", title, NULL);
	html_elem(h, "p", message, "class", "flash error", NULL);
	if (link != NULL) {
		html_open(h, "p", NULL);
		html_elem(h, "a", link_text, "href", link, "class", "btn", NULL);
		html_close(h, "p");
	}
	html_close(h, "main");
	web_page_end(h);
	page = html_take(h, &len, NULL);
	html_free(h);
	return ui_reply_raw(rq, status, "text/html; charset=utf-8", page, len, NULL, NULL);
}

int
ui_reply_html(struct ui_req *rq, int status, char *page, size_t len)
{
	return ui_reply_raw(rq, status, "text/html; charset=utf-8", page, len, NULL, NULL);
}

int
ui_reply_redirect(struct ui_req *rq, const char *location)
{
	return ui_reply_raw(rq, 303, "text/plain; charset=utf-8", NULL, 0,
	    MHD_HTTP_HEADER_LOCATION, ui_local_path(location));
}

int
ui_reply_json(struct ui_req *rq, int status, char *text)
{
	return ui_reply_raw(rq, status ? status : 200, "application/json; charset=utf-8",
	    text, text ? strlen(text) : 0, NULL, NULL);
}

/* RFC 6266: an ASCII stand-in for old clients, the real name in UTF-8. */
int
ui_reply_download(struct ui_req *rq, const char *content_type, const char *filename,
    char *data, size_t len)
{
	char disp[1024], ascii[128], enc[768];
	size_t a = 0, k = 0;

	for (const unsigned char *p = (const unsigned char *)filename; *p && a + 1 < sizeof(ascii); p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_')
			ascii[a++] = (char)*p;
		else if (*p < 0x80 || (*p & 0xC0) == 0xC0)
			ascii[a++] = '_';
	}
	ascii[a] = '\0';
	for (const unsigned char *p = (const unsigned char *)filename; *p && k + 4 < sizeof(enc); p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_')
			enc[k++] = (char)*p;
		else
			k += (size_t)snprintf(enc + k, sizeof(enc) - k, "%%%02X", *p);
	}
	enc[k] = '\0';
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"; filename*=UTF-8''%s",
	    a ? ascii : "tetrad", enc);
	return ui_reply_raw(rq, 200, content_type, data, len,
	    MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp);
}

/* ---- request accessors ---------------------------------------------------- */

struct ui *
ui_req_ui(struct ui_req *rq)
{
	return rq->u;
}

bool
ui_req_post(const struct ui_req *rq)
{
	return rq->post;
}

const char *
ui_req_path(const struct ui_req *rq)
{
	return rq->path;
}

/* Valid UTF-8 without control characters: what a page may echo. */
static bool
ui_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n;
		unsigned cp;

		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xE0) == 0xC0) {
			n = 1;
			cp = *p & 0x1F;
		} else if ((*p & 0xF0) == 0xE0) {
			n = 2;
			cp = *p & 0x0F;
		} else if ((*p & 0xF8) == 0xF0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return false;
		}
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		p += n + 1;
	}
	return true;
}

const char *
ui_req_query(const struct ui_req *rq, const char *name)
{
	const char *v = MHD_lookup_connection_value(rq->c, MHD_GET_ARGUMENT_KIND, name);

	return v != NULL && ui_text_ok(v) ? v : NULL;
}

const struct webform *
ui_req_form(const struct ui_req *rq)
{
	return rq->post ? rq->form : NULL;
}

/*
 * Only the characters our own paths use: no control bytes, no backslash
 * (browsers read "/\\host" as "//host"), no scheme, not "//": a Location
 * built from next= never leaves this server.
 */
const char *
ui_local_path(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/')
		return "/";
	for (const char *p = next; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/_.?=&%-", *p) != NULL))
			return "/";
	return next;
}

/* ---- the checks ------------------------------------------------------------ */

static void
ui_refuse(struct ui_req *rq, int status, const char *msg)
{
	if (rq->refuse_status == 0) {
		rq->refuse_status = status;
		rq->refuse_msg = msg;
	}
}

/* An empty or absent want (a spent secret) matches nothing. */
static bool
ui_secret_eq(const char *given, const char *want)
{
	size_t n = want != NULL ? strlen(want) : 0;

	return n > 0 && given != NULL && strlen(given) == n &&
	    sodium_memcmp(given, want, n) == 0;
}

static void
ui_cookie_name(struct ui_req *rq, char *out, size_t cap)
{
	snprintf(out, cap, UI_COOKIE_PREFIX "%u", (unsigned)ui_port(rq->u));
}

/*
 * The cookie this launch handed out, on this request. Every cookie of that
 * name is tried, not only the first: a page of another port on 127.0.0.1
 * may have set one of the same name (cookies ignore ports), and a stale
 * one must not shut out the right one.
 */
static bool
ui_has_session(struct ui_req *rq)
{
	const char *hdr = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_COOKIE);
	char name[32], v[UI_COOKIE_MAX];

	if (hdr == NULL)
		return false;
	ui_cookie_name(rq, name, sizeof(name));
	/* one pair at a time: webreq_cookie answers the first of the name */
	for (const char *p = hdr; *p != '\0';) {
		const char *end = strchr(p, ';');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		char pair[UI_COOKIE_MAX + 40];
		bool ok;

		if (n < sizeof(pair)) {
			memcpy(pair, p, n);
			pair[n] = '\0';
			ok = webreq_cookie(pair, name, v, sizeof(v)) == 1 &&
			    ui_secret_eq(v, ui_session(rq->u));
			sodium_memzero(pair, sizeof(pair));
			if (ok)
				return true;
		}
		p += n;
		if (*p == ';')
			p++;
	}
	return false;
}

/* The launch: the secret for the cookie, then the start page. */
static int
ui_launch(struct ui_req *rq)
{
	const char *key = MHD_lookup_connection_value(rq->c, MHD_GET_ARGUMENT_KIND, "key");
	struct html *h;
	char cookie[UI_COOKIE_MAX], name[32], *page;
	size_t len = 0;

	/* the browser that spent the key, back on its URL (history, reload):
	 * it already has the cookie, so on to the start page */
	if (ui_has_session(rq))
		return ui_reply_redirect(rq, "/");
	if (!ui_secret_eq(key, ui_secret(rq->u)))
		return ui_reply_bare(rq, 403, "Откройте Тетрад заново",
		    "Эта ссылка не подходит: она уже открыта раньше, от прошлого запуска или "
		    "набрана неверно: откройте Тетрад заново — ярлыком «Тетрад» или командой "
		    "tetrad ui.", NULL, NULL);
	/* one time only: a copied URL (history, a shared screen) opens nothing */
	ui_secret_spend(rq->u);
	ui_cookie_name(rq, name, sizeof(name));
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict",
	    name, ui_session(rq->u));
	/*
	 * A page that moves on by itself rather than a redirect: the browser
	 * came here from another site (the forwarding file), and a Strict
	 * cookie is not sent along a redirect chain that began elsewhere; a
	 * refresh from this page is this site's own navigation.
	 */
	if ((h = html_new(0)) == NULL)
		return ui_reply_raw(rq, 500, "text/plain; charset=utf-8", NULL, 0, NULL, NULL);
	web_page_begin(h, "Тетрад");
	html_open(h, "main", NULL);
	html_elem(h, "h1", "Тетрад открывается…", NULL);
	html_open(h, "p", NULL);
	html_elem(h, "a", "Открыть", "href", "/", "class", "btn", "id", "launch-go", NULL);
	html_close(h, "p");
	html_close(h, "main");
	web_page_end(h);
	page = html_take(h, &len, NULL);
	html_free(h);
	{
		struct MHD_Response *resp;
		enum MHD_Result r;

		rq->replied = true;
		resp = MHD_create_response_from_buffer(page ? len : 0, page ? page : (char *)"",
		    page ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		if (resp == NULL) {
			free(page);
			return MHD_NO;
		}
		ui_headers(resp, "text/html; charset=utf-8");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
		MHD_add_response_header(resp, "Refresh", "0; url=/");
		r = MHD_queue_response(rq->c, 200, resp);
		MHD_destroy_response(resp);
		return r;
	}
}

static int
ui_static(struct ui_req *rq)
{
	const struct web_asset *a = web_asset_find(rq->path + strlen(WEB_ASSET_PREFIX));
	struct MHD_Response *resp;
	enum MHD_Result r;

	if (a == NULL)
		return ui_reply_bare(rq, 404, "Нет такой страницы", "Такого файла нет.", "/",
		    "На главную");
	rq->replied = true;
	resp = MHD_create_response_from_buffer(a->len, (void *)(uintptr_t)a->data,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	ui_headers(resp, a->content_type);
	r = MHD_queue_response(rq->c, 200, resp);
	MHD_destroy_response(resp);
	return r;
}

/*
 * Whether a POST comes from this server's own page. Origin, when sent, must
 * be exactly this server as the browser writes it (http://127.0.0.1:PORT
 * or http://localhost:PORT): our pages' Referrer-Policy is same-origin, so
 * a browser names the origin of our own forms. "null" (a browser under an
 * older no-referrer page, a sandboxed frame, a file) is taken only with
 * Sec-Fetch-Site: same-origin, which the browser sets and no page can; a
 * sandboxed frame or a file posting here says cross-site. Any
 * Sec-Fetch-Site but same-origin is refused. No Origin at all: not a
 * browser's form (browsers send it on every POST); the cookie and the
 * CSRF token still decide.
 */
static bool
ui_same_origin(struct ui_req *rq, const char *origin, uint16_t port)
{
	const char *site = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND,
	    "Sec-Fetch-Site");
	char want[48];

	if (site != NULL && strcmp(site, "same-origin") != 0)
		return false;
	if (origin == NULL)
		return true;
	if (strcmp(origin, "null") == 0)
		return site != NULL;
	snprintf(want, sizeof(want), "http://127.0.0.1:%u", (unsigned)port);
	if (strcmp(origin, want) == 0)
		return true;
	snprintf(want, sizeof(want), "http://localhost:%u", (unsigned)port);
	return strcmp(origin, want) == 0;
}

/* The Content-Length sent, 0 when none. */
static unsigned long long
ui_clen(struct ui_req *rq)
{
	const char *v = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);

	return v != NULL ? strtoull(v, NULL, 10) : 0;
}

/* The checks that need only the head of the request. */
static void
ui_check_head(struct ui_server *srv, struct ui_req *rq, const char *method)
{
	const char *host = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	const char *origin = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND, "Origin");

	if (host == NULL || !webreq_host_local(host, srv->port)) {
		ui_refuse(rq, 421, "Тетрад отвечает только по адресу 127.0.0.1 или localhost "
		    "с номером своего порта: откройте Тетрад заново — ярлыком «Тетрад» или "
		    "командой tetrad ui.");
		return;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "POST") != 0) {
		ui_refuse(rq, 405, "Такой запрос Тетрад не принимает.");
		return;
	}
	/* the pages without a route: read-only, and no handler to take a body */
	if (strncmp(rq->path, WEB_ASSET_PREFIX, strlen(WEB_ASSET_PREFIX)) == 0 ||
	    strcmp(rq->path, UI_LAUNCH_PATH) == 0 || strcmp(rq->path, "/favicon.ico") == 0) {
		if (rq->post)
			ui_refuse(rq, 405, "Такой запрос Тетрад не принимает.");
		return;
	}
	if (!ui_has_session(rq)) {
		ui_refuse(rq, 403, "Эта страница открыта не из Тетрада или от прошлого запуска: "
		    "откройте Тетрад заново — ярлыком «Тетрад» или командой tetrad ui.");
		return;
	}
	if ((rq->route = ui_route_find(rq->path)) == NULL) {
		ui_refuse(rq, 404, "Такой страницы нет.");
		return;
	}
	if (!rq->post)
		return;
	if (!ui_same_origin(rq, origin, srv->port)) {
		ui_refuse(rq, 403, "Форма отправлена с другого сайта, а не со страницы Тетрада: "
		    "ничего не сохранено.");
		return;
	}
	rq->limit = rq->route->upload ? UI_BODY_MAX : UI_FORM_BODY_MAX;
	if (ui_clen(rq) > rq->limit)
		ui_refuse(rq, 413, rq->route != NULL && rq->route->upload ?
		    "Файл слишком большой: Тетрад принимает файлы до 8 МБ. Ничего не сохранено." :
		    "Слишком много данных в одной форме: ничего не сохранено.");
}

static void
ui_body(struct ui_req *rq, const char *data, size_t n)
{
	if (rq->refuse_status != 0 || !rq->post) {
		rq->drained += n;
		return;
	}
	if (rq->len + n > rq->limit) {
		/* what came so far is wiped and dropped: nothing over the cap is kept */
		if (rq->body != NULL)
			sodium_memzero(rq->body, rq->len);
		free(rq->body);
		rq->body = NULL;
		rq->len = rq->cap = 0;
		rq->drained += n;
		ui_refuse(rq, 413, rq->route != NULL && rq->route->upload ?
		    "Файл слишком большой: Тетрад принимает файлы до 8 МБ. Ничего не сохранено." :
		    "Слишком много данных в одной форме: ничего не сохранено.");
		return;
	}
	if (rq->len + n + 1 > rq->cap) {
		size_t ncap = rq->cap ? rq->cap : 16384;
		char *nb;

		while (ncap < rq->len + n + 1)
			ncap *= 2;
		if (ncap > rq->limit + 1)
			ncap = rq->limit + 1;
		if ((nb = realloc(rq->body, ncap)) == NULL) {
			ui_refuse(rq, 503, "Не хватило памяти, чтобы принять форму: ничего не "
			    "сохранено. Попробуйте ещё раз.");
			return;
		}
		rq->body = nb;
		rq->cap = ncap;
	}
	memcpy(rq->body + rq->len, data, n);
	rq->len += n;
	rq->body[rq->len] = '\0';
}

/* The body parsed and the CSRF token checked: 0, or refused. */
static void
ui_parse_form(struct ui_req *rq)
{
	const char *type = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	struct terr e = { 0 };
	const char *token;
	int r;

	if (type == NULL || strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0)
		r = webreq_urlencoded(rq->body ? rq->body : "", rq->len, &rq->form, &e);
	else if (strncasecmp(type, "multipart/form-data", 19) == 0 && rq->route != NULL &&
	    rq->route->upload)
		r = webreq_multipart(type, rq->body ? rq->body : "", rq->len, &rq->form, &e);
	else
		r = terr_set(&e, TERR_ARG, "такой вид данных здесь не принимается");
	if (r != 0) {
		ui_refuse(rq, r == TERR_TOO_LARGE ? 413 : 400,
		    "Форма пришла повреждённой, ничего не сохранено. Вернитесь назад и "
		    "отправьте её ещё раз.");
		return;
	}
	token = webform_get(rq->form, UI_CSRF_FIELD);
	if (!ui_secret_eq(token, ui_csrf(rq->u)))
		ui_refuse(rq, 403, "Страница устарела (Тетрад перезапускали) или форма пришла "
		    "не со страницы Тетрада: ничего не сохранено. Откройте страницу заново и "
		    "повторите.");
}

static int
ui_dispatch(struct ui_req *rq)
{
	int r;

	if (rq->refuse_status != 0) {
		if (rq->refuse_status == 403 || rq->refuse_status == 421 || rq->route == NULL)
			return ui_reply_bare(rq, rq->refuse_status,
			    rq->refuse_status == 404 ? "Нет такой страницы" :
			    rq->refuse_status == 403 && strstr(rq->refuse_msg, "заново") ?
			    "Откройте Тетрад заново" : "Запрос не принят", rq->refuse_msg,
			    rq->refuse_status == 404 ? "/" : NULL, "На главную");
		return ui_reply_error(rq, rq->refuse_status, rq->refuse_msg);
	}
	if (strncmp(rq->path, WEB_ASSET_PREFIX, strlen(WEB_ASSET_PREFIX)) == 0)
		return ui_static(rq);
	if (strcmp(rq->path, UI_LAUNCH_PATH) == 0)
		return ui_launch(rq);
	/* browsers ask for it by themselves: nothing, rather than a 404 */
	if (strcmp(rq->path, "/favicon.ico") == 0)
		return ui_reply_raw(rq, 204, "image/x-icon", NULL, 0, NULL, NULL);
	if (rq->route == NULL)
		return ui_reply_bare(rq, 404, "Нет такой страницы", "Такой страницы нет.", "/",
		    "На главную");
	ui_sync_poll(ui_sync_of(rq->u));
	r = rq->route->handler(rq);
	if (!rq->replied)
		return ui_reply_error(rq, 500, "Страница не ответила: это ошибка Тетрада. "
		    "Ничего не потеряно из сохранённого; попробуйте ещё раз.");
	return r;
}

static enum MHD_Result
ui_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct ui_server *srv = cls;
	struct ui_req *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		*con_cls = rq;
		rq->u = srv->u;
		rq->c = c;
		rq->post = strcmp(method, "POST") == 0;
		rq->head = strcmp(method, "HEAD") == 0;
		if ((rq->path = strdup(url ? url : "/")) == NULL)
			return MHD_NO;
		ui_check_head(srv, rq, method);
		/* a body far past the cap is not worth reading: answered now, the
		 * connection closed after the answer */
		if (rq->refuse_status == 413 && ui_clen(rq) > rq->limit + UI_DRAIN_MAX)
			return (enum MHD_Result)ui_dispatch(rq);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		ui_body(rq, upload_data, *upload_data_size);
		*upload_data_size = 0;
		/* a body without a length that goes on and on: cut */
		return rq->drained > UI_DRAIN_MAX ? MHD_NO : MHD_YES;
	}
	if (rq->replied)
		return MHD_YES;
	if (rq->post && rq->refuse_status == 0)
		ui_parse_form(rq);
	return (enum MHD_Result)ui_dispatch(rq);
}

static void
ui_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct ui_req *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq == NULL)
		return;
	/* a body may hold a passphrase or a child's name */
	if (rq->body != NULL)
		sodium_memzero(rq->body, rq->cap);
	free(rq->body);
	webform_free(rq->form);
	free(rq->path);
	free(rq);
	*con_cls = NULL;
}

/* libmicrohttpd's own messages are English and for developers: dropped. */
static void
ui_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

int
ui_server_start(struct ui *u, uint16_t port, struct ui_server **out, struct terr *e)
{
	struct ui_server *srv;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	*out = NULL;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	srv->u = u;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* one thread runs every request: the store and catalogue need no locks */
	srv->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	    MHD_USE_ERROR_LOG, port, NULL, NULL, ui_access, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_EXTERNAL_LOGGER, ui_mhd_log, NULL,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)UI_CONN_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)UI_CONN_TIMEOUT_S,
	    MHD_OPTION_NOTIFY_COMPLETED, ui_completed, srv,
	    MHD_OPTION_END);
	if (srv->d == NULL) {
		free(srv);
		if (port != 0)
			return terr_set(e, TERR_IO, "не удалось открыть порт %u на 127.0.0.1: "
			    "он, вероятно, занят (другой запуск Тетрада?); укажите другой "
			    "(--port) или 0 — любой свободный", (unsigned)port);
		return terr_set(e, TERR_IO, "не удалось открыть порт на 127.0.0.1");
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info != NULL ? info->port : port;
	*out = srv;
	return 0;
}

uint16_t
ui_server_port(const struct ui_server *srv)
{
	return srv->port;
}

void
ui_server_stop(struct ui_server *srv)
{
	if (srv == NULL)
		return;
	MHD_stop_daemon(srv->d);
	free(srv);
}
