/*
 * webreq — what a browser sends, parsed and bounded: urlencoded bodies and
 * query strings, multipart/form-data (file uploads), the Cookie header, the
 * Host and Origin headers. Outside input: every parser here has a fuzz
 * target (tests/fuzz/fuzz_webreq_*.c) and refuses rather than guesses.
 * Used by `tetrad ui` and by the hub's dashboard.
 */
#ifndef TETRAD_WEB_WEBREQ_H
#define TETRAD_WEB_WEBREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/terr.h"

#define WEBREQ_MAX_FIELDS 8192        /* name=value pairs in one body */
#define WEBREQ_MAX_NAME 256           /* bytes of a field name, decoded */
#define WEBREQ_MAX_PARTS 64           /* parts of one multipart body */
#define WEBREQ_MAX_BODY (8u << 20)    /* the largest body the parsers take */

/* One name=value pair (or a multipart part). value is NUL-terminated and
 * len long (a file part may hold NUL bytes: use len). filename and
 * content_type are set only for multipart file parts (else NULL). */
struct webfield {
	char *name;
	char *value;
	size_t len;
	char *filename;
	char *content_type;
};

/* Parsed pairs in the order sent (a name may repeat: checkboxes). */
struct webform;

/*
 * application/x-www-form-urlencoded (a POST body or a query string without
 * its '?'): '+' is a space, %XX decoded; names and values must be valid
 * UTF-8 after decoding, without NUL or control characters other than tab,
 * CR and LF in values. Bounded by WEBREQ_MAX_*; TERR_PARSE / TERR_TOO_LARGE
 * with a Russian message. *out NULL on failure.
 */
int webreq_urlencoded(const char *body, size_t len, struct webform **out,
    struct terr *e);
/*
 * multipart/form-data with the boundary taken from content_type (the
 * Content-Type header's value). Part headers bounded; names as above; a
 * part's filename kept without any directory.
 */
int webreq_multipart(const char *content_type, const char *body, size_t len,
    struct webform **out, struct terr *e);
void webform_free(struct webform *f);

size_t webform_count(const struct webform *f);
const struct webfield *webform_at(const struct webform *f, size_t i);
/* The first value of name, or NULL. */
const char *webform_get(const struct webform *f, const char *name);
/* The first field of name (for files and lengths), or NULL. */
const struct webfield *webform_field(const struct webform *f, const char *name);

/*
 * The value of cookie name in a Cookie header's value, copied into out (cap
 * bytes). 1 found, 0 not there, TERR_TOO_LARGE when it does not fit (out
 * "" then). Tolerates the browsers' spacing; never matches a prefix.
 */
int webreq_cookie(const char *header, const char *name, char *out, size_t cap);

/*
 * Whether a Host header names this local server: exactly "127.0.0.1:PORT"
 * or "localhost:PORT" (case-insensitive host, the port required and equal).
 * Anything else — another name resolving to 127.0.0.1 (DNS rebinding),
 * a missing port, garbage — is false.
 */
bool webreq_host_local(const char *host, uint16_t port);
/*
 * Whether an Origin header (NULL: absent) may post here: absent, or
 * "http://127.0.0.1:PORT" / "http://localhost:PORT". "null" and every other
 * origin are false.
 */
bool webreq_origin_local(const char *origin, uint16_t port);

/* Percent-encodes s for a query string value into out (cap bytes); false
 * when it did not fit. Record ids and codes only: never a `local` value. */
bool webreq_query_escape(const char *s, char *out, size_t cap);

#endif
