/*
 * page — the frame every page shares (doctype, head, the assets) and the
 * assets built into the program: CSS and script from web/assets/, turned
 * into C at build time. Nothing is fetched from anywhere else.
 */
#ifndef TETRAD_WEB_PAGE_H
#define TETRAD_WEB_PAGE_H

#include <stddef.h>

#include "web/html.h"

/*
 * The Content-Security-Policy every page is sent with: only this server's
 * own script, styles and images; no inline script, no frames, forms post
 * only here.
 */
#define WEB_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; form-action 'self'; " \
	"frame-ancestors 'none'; base-uri 'none'"
/* Where the assets are served from. */
#define WEB_ASSET_PREFIX "/static/"

struct web_asset {
	const char *name;           /* "app.css", "form.js" */
	const char *content_type;   /* "text/css; charset=utf-8", ... */
	const unsigned char *data;
	size_t len;
};
/* The built-in asset called name, or NULL. */
const struct web_asset *web_asset_find(const char *name);
size_t web_asset_count(void);
const struct web_asset *web_asset_at(size_t i);

/* <!DOCTYPE html><html lang="ru"><head>… title, every .css and .js asset …
 * </head><body>; web_page_end closes body and html. */
void web_page_begin(struct html *h, const char *title);
void web_page_end(struct html *h);

#endif
