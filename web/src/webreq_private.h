/*
 * webreq_private — what webreq.c (urlencoded, cookies, hosts) and
 * webreq_multipart.c (uploads) share: the parsed-form container and the
 * checks every name and value passes.
 */
#ifndef TETRAD_WEB_WEBREQ_PRIVATE_H
#define TETRAD_WEB_WEBREQ_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "tetrad/terr.h"
#include "web/webreq.h"

struct webform *webform_new(void);
/*
 * Appends a field that takes ownership of name, value (NUL-terminated, len
 * long), filename and content_type (each may be NULL but value); on failure
 * they are freed. TERR_TOO_LARGE past max fields, TERR_NOMEM.
 */
int webform_add(struct webform *f, char *name, char *value, size_t len,
    char *filename, char *content_type, size_t max, struct terr *e);

/* A field name: 1..WEBREQ_MAX_NAME bytes of valid UTF-8 without any
 * control character. */
bool webreq_name_ok(const char *s, size_t len);
/* A text value: valid UTF-8, no NUL, no control character but tab, CR, LF. */
bool webreq_text_ok(const char *s, size_t len);
/* A copy of len bytes as a NUL-terminated string, or NULL. */
char *webreq_strndup(const char *s, size_t len);

#endif
