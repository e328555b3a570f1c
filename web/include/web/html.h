/*
 * html — the one way Tetrad writes HTML (the curators' interface, `tetrad
 * ui`, and the hub's dashboard). Every text and attribute value passes
 * through the escaper; tag and attribute names are checked to be plain
 * names ([a-z][a-z0-9-]*), so no caller can open a hole by accident.
 * Raw markup exists only for text built into the program (html_raw_const).
 *
 * Errors are sticky: after the first failure (no memory, the cap reached, a
 * bad name) every call does nothing and html_finish reports it, so page
 * code need not check each call.
 */
#ifndef TETRAD_WEB_HTML_H
#define TETRAD_WEB_HTML_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "tetrad/terr.h"

#define HTML_MAX_DEFAULT (64u << 20)   /* one page */

struct html;

/* A new writer whose output may grow to max bytes (0: HTML_MAX_DEFAULT);
 * NULL on no memory. */
struct html *html_new(size_t max);
void html_free(struct html *h);

/*
 * <tag a1="v1" a2="v2"...>: attrs is a NULL-terminated list of name, value
 * pairs; a NULL value skips that attribute, "" writes it bare (`hidden`,
 * `checked`, `selected`, `required`). Values are escaped (& < > " ').
 * html_void writes an element without content or end tag (input, br, meta,
 * link, img).
 */
void html_open(struct html *h, const char *tag, ...);
void html_openv(struct html *h, const char *tag, va_list attrs);
void html_void(struct html *h, const char *tag, ...);
void html_close(struct html *h, const char *tag);
/* Text content, escaped; html_textf formats first, then escapes it all. */
void html_text(struct html *h, const char *s);
void html_textn(struct html *h, const char *s, size_t len);
void html_textf(struct html *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* <tag attrs...>text</tag> in one call (attrs as html_open). */
void html_elem(struct html *h, const char *tag, const char *text, ...);
/*
 * Markup that is part of the program (a constant: the doctype, an inline
 * SVG icon). Never pass it anything that came from outside: the name says
 * so at every call site, and review looks for it.
 */
void html_raw_const(struct html *h, const char *markup);

/* 0, or the first error (TERR_NOMEM, TERR_TOO_LARGE, TERR_ARG with a
 * message naming the bad tag or attribute name) into e. */
int html_status(const struct html *h, struct terr *e);
/* The page (NUL-terminated, *len without the NUL), handed to the caller
 * (free() it), and h emptied for reuse; NULL and e set after an error. */
char *html_take(struct html *h, size_t *len, struct terr *e);
/* The bytes written so far (not NUL-terminated). */
const char *html_data(const struct html *h, size_t *len);

/* Escapes s into out (cap bytes, always NUL-terminated); false when it did
 * not fit (out then holds a truncated prefix on a character boundary). */
bool html_escape(const char *s, char *out, size_t cap);

#endif
