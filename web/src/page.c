/*
 * page — the frame of every page and the built-in assets (page.h). The
 * assets table is generated from web/assets/ at build time
 * (web/cmake/embed_assets.cmake) and is const: nothing here changes at run
 * time, so the one server thread and any other caller share it freely.
 */
#include <string.h>

#include "page_assets.h"
#include "web/page.h"

const struct web_asset *
web_asset_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < web_assets_n; i++)
		if (strcmp(web_assets_table[i].name, name) == 0)
			return &web_assets_table[i];
	return NULL;
}

size_t
web_asset_count(void)
{
	return web_assets_n;
}

const struct web_asset *
web_asset_at(size_t i)
{
	return i < web_assets_n ? &web_assets_table[i] : NULL;
}

static bool
web_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

void
web_page_begin(struct html *h, const char *title)
{
	char href[128];

	html_raw_const(h, "<!DOCTYPE html>\n");
	html_open(h, "html", "lang", "ru", NULL);
	html_open(h, "head", NULL);
	html_void(h, "meta", "charset", "utf-8", NULL);
	html_void(h, "meta", "name", "viewport", "content", "width=device-width, initial-scale=1", NULL);
	/* No Referer to another site (a record's id, the one-time launch URL);
	 * to this server a full one, so browsers send our own Origin on our
	 * forms rather than "null" (the server checks it exactly). */
	html_void(h, "meta", "name", "referrer", "content", "same-origin", NULL);
	html_elem(h, "title", title ? title : "Тетрад", NULL);
	/* no icon: else every first page asks for /favicon.ico and logs a 404
	 * (a constant: the writer refuses data: in an href from a caller) */
	html_raw_const(h, "<link rel=\"icon\" href=\"data:,\">");
	/* Sorted by name (the table is): app.css comes before form.css, so a
	 * form's own rules may refine the general look. */
	for (size_t i = 0; i < web_assets_n; i++) {
		const char *name = web_assets_table[i].name;

		if (strlen(name) + sizeof(WEB_ASSET_PREFIX) > sizeof(href))
			continue;
		strcpy(href, WEB_ASSET_PREFIX);
		strcat(href, name);
		if (web_ends_with(name, ".css"))
			html_void(h, "link", "rel", "stylesheet", "href", href, NULL);
	}
	for (size_t i = 0; i < web_assets_n; i++) {
		const char *name = web_assets_table[i].name;

		if (strlen(name) + sizeof(WEB_ASSET_PREFIX) > sizeof(href))
			continue;
		strcpy(href, WEB_ASSET_PREFIX);
		strcat(href, name);
		/* defer: the page is whole before any script looks at it. */
		if (web_ends_with(name, ".js")) {
			html_open(h, "script", "src", href, "defer", "", NULL);
			html_close(h, "script");
		}
	}
	html_close(h, "head");
	html_open(h, "body", NULL);
}

void
web_page_end(struct html *h)
{
	html_close(h, "body");
	html_close(h, "html");
	html_raw_const(h, "\n");
}
