/*
 * wire_json — helpers shared by the wire message files (wire.c,
 * wire_ack.c, wire_enroll.c); private to libtetrad-protocol.
 */
#ifndef TETRAD_WIRE_JSON_H
#define TETRAD_WIRE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

/* A JSON string the way the hub always wrote it: " and \ escaped, every
 * control character as \u00XX, everything else as it is. */
int wire_json_put_str(struct tbuf *out, const char *s);

/* A writer's buffer failure r as a Russian message; returns r. */
int wire_json_write_fail(struct terr *e, int r, const char *what);

/* s is UTF-8 of at most max bytes. */
bool wire_json_text_ok(const char *s, size_t max);
/* s is exactly n lowercase hex digits. */
bool wire_json_hex_ok(const char *s, size_t n);
/* wire_json_text_ok and no control characters (names, tokens, codes). */
bool wire_json_plain_ok(const char *s, size_t max);

/*
 * The object in buf[0..len): at most max bytes of UTF-8 without NUL, no
 * string holding \u0000, nothing but white space after it, at most
 * WIRE_MEMBERS_MAX members, none repeated. *out is the cJSON tree (the
 * caller deletes it). what names the message in the Russian messages.
 */
int wire_json_open(const void *buf, size_t len, size_t max, const char *what, cJSON **out,
    struct terr *e);

/*
 * A string member into out (cap bytes with the NUL): 0 when it is there,
 * 1 when it is absent and not required, < 0 when refused (absent and
 * required, not a string, cap - 1 bytes or more, or, with plain, holding
 * control characters).
 */
int wire_json_get_str(const cJSON *o, const char *name, bool required, bool plain, char *out,
    size_t cap, const char *what, struct terr *e);

/* A required member of n bytes as 2n hex digits (either case). */
int wire_json_get_hex(const cJSON *o, const char *name, uint8_t *out, size_t n,
    const char *what, struct terr *e);

/* An integer member 0..2^53; absent and not required: *v = 0. */
int wire_json_get_u64(const cJSON *o, const char *name, bool required, uint64_t *v,
    const char *what, struct terr *e);

#endif
