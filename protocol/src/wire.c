/*
 * wire — the JSON messages between syncd and the hub (wire.h): text made
 * fit for the wire, and the error body. The acknowledgement is in
 * wire_ack.c, the enrollment messages in wire_enroll.c, what they share in
 * wire_json.c.
 *
 * The error body is written by hand, byte for byte as the hub always wrote
 * it; the parser goes through wire_json_open's checks and cJSON.
 */
#include "tetrad/wire.h"

#include <string.h>

#include "wire_json.h"

/* Length of the UTF-8 character at s (n bytes left), 0 if it is not one. */
static size_t
wire_utf8_char(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t l = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
	    (c & 0xf8) == 0xf0 ? 4 : 0;

	if (l == 0 || l > n || changeset_check_utf8(s, l) != 0)
		return 0;
	return l;
}

void
wire_text_copy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0, i = 0, o = 0;

	if (cap == 0)
		return;
	while (i < n) {
		size_t l = wire_utf8_char(src + i, n - i);

		if (o + (l ? l : 1) >= cap)
			break;
		if (l == 0) {
			dst[o++] = '?';
			i++;
		} else {
			memcpy(dst + o, src + i, l);
			o += l;
			i += l;
		}
	}
	dst[o] = '\0';
}

void
wire_error_set(struct wire_error *w, const char *code, const char *message)
{
	memset(w, 0, sizeof(*w));
	wire_text_copy(w->error, sizeof(w->error), code);
	wire_text_copy(w->message, sizeof(w->message), message);
}

static bool
wire_code_ok(const char *s)
{
	size_t n = strnlen(s, WIRE_ERROR_CODE_MAX + 1);

	if (n == 0 || n > WIRE_ERROR_CODE_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

int
wire_error_write(struct tbuf *out, const struct wire_error *w, struct terr *e)
{
	int r;

	if (!wire_code_ok(w->error) || !wire_json_text_ok(w->message, WIRE_ERROR_MESSAGE_MAX))
		return terr_set(e, TERR_ARG, "ответ об ошибке не записан: недопустимый код или текст");
	if ((r = tbuf_putf(out, "{\"error\":")) != 0 || (r = wire_json_put_str(out, w->error)) != 0 ||
	    (r = tbuf_putf(out, ",\"message\":")) != 0 || (r = wire_json_put_str(out, w->message)) != 0 ||
	    (r = tbuf_put(out, "}\n", 2)) != 0)
		return wire_json_write_fail(e, r, "ответ об ошибке");
	return 0;
}

int
wire_error_parse(const void *buf, size_t len, struct wire_error *w, struct terr *e)
{
	static const char what[] = "ответ хаба об ошибке";
	cJSON *o = NULL;
	int r;

	memset(w, 0, sizeof(*w));
	if ((r = wire_json_open(buf, len, WIRE_ERROR_MAX, what, &o, e)) != 0 ||
	    (r = wire_json_get_str(o, "error", true, true, w->error, sizeof(w->error), what, e)) != 0 ||
	    (r = wire_json_get_str(o, "message", false, false, w->message, sizeof(w->message), what,
	    e)) < 0)
		goto out;
	if (!wire_code_ok(w->error)) {
		r = terr_set(e, TERR_SCHEMA, "%s: недопустимый код ошибки", what);
		goto out;
	}
	r = 0;
 out:
	cJSON_Delete(o);
	if (r != 0)
		memset(w, 0, sizeof(*w));
	return r;
}
