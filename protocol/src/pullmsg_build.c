/*
 * pullmsg_build — the hub's side of an answer: collect items as JSON text,
 * then seal them for one device (pullmsg.h).
 *
 * A record's data and clock document are the hub's stored texts, copied as
 * they are: a device offline for a term pulls 100,000 records, and parsing
 * and printing each one again would cost more than the rest of the pull.
 * Seal: plaintext → zlib (only if smaller) → XChaCha20-Poly1305 under a key
 * from crypto_kx between a fresh ephemeral X25519 key and the device's box
 * key, header as associated data → Ed25519 signature by the hub over header
 * and ciphertext. The same steps as envelope.c, with envelope.c's deflate.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tetrad/pullmsg.h"
#include "tetrad/envelope_internal.h"
#include "tetrad/pullmsg_testing.h"
#include "pullmsg_internal.h"

enum { PB_RECORDS, PB_PROFILES, PB_SCHOOLS, PB_KINDS };

struct pullmsg_builder {
	uint8_t device_id[KEYS_ID_BYTES];
	uint64_t after, last;
	size_t count, max_plain;
	struct tbuf *items[PB_KINDS];           /* comma-separated item texts */
};

/* {"v":1,"device":"<16>","after":<≤16>,"upto":<≤16>,"more":false,
 *  "records":[],"profiles":[],"schools":[]} and some slack */
#define PB_FRAME_BYTES 160

struct pullmsg_builder *
pullmsg_builder_new(const uint8_t device_id[KEYS_ID_BYTES], uint64_t after, size_t max_plain)
{
	struct pullmsg_builder *b;

	if (device_id == NULL || after > PULLMSG_POS_MAX || (b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	memcpy(b->device_id, device_id, KEYS_ID_BYTES);
	b->after = b->last = after;
	b->max_plain = max_plain == 0 ? PULLMSG_BUILD_PLAIN_DEFAULT :
	    max_plain > PULLMSG_MAX_PLAIN ? PULLMSG_MAX_PLAIN : max_plain;
	for (int i = 0; i < PB_KINDS; i++) {
		if ((b->items[i] = tbuf_new(PULLMSG_MAX_PLAIN)) == NULL) {
			pullmsg_builder_free(b);
			return NULL;
		}
	}
	return b;
}

void
pullmsg_builder_free(struct pullmsg_builder *b)
{
	if (b == NULL)
		return;
	for (int i = 0; i < PB_KINDS; i++)
		tbuf_free(b->items[i]);
	free(b);
}

size_t
pullmsg_builder_count(const struct pullmsg_builder *b)
{
	return b->count;
}

size_t
pullmsg_builder_bytes(const struct pullmsg_builder *b)
{
	size_t n = PB_FRAME_BYTES;

	for (int i = 0; i < PB_KINDS; i++)
		n += tbuf_len(b->items[i]);
	return n;
}

uint64_t
pullmsg_builder_last(const struct pullmsg_builder *b)
{
	return b->last;
}

/* A JSON string of s (len bytes of valid UTF-8 without NUL), quoted. */
static int
pullmsg_put_jstr(struct tbuf *t, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	int r;

	if ((r = tbuf_put_u8(t, '"')) != 0)
		return r;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if ((r = tbuf_put(t, s + run, i - run)) != 0)
			return r;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
			break;
		}
		if ((r = tbuf_put(t, esc, n)) != 0)
			return r;
	}
	if ((r = tbuf_put(t, s + run, len - run)) != 0)
		return r;
	return tbuf_put_u8(t, '"');
}

/* A text the device will accept: valid UTF-8, no NUL, within max bytes. */
static int
pullmsg_check_text(const char *what, const char *s, size_t len, size_t max, bool empty_ok,
    struct terr *e)
{
	if (s == NULL || (!empty_ok && len == 0) || len > max)
		return terr_set(e, TERR_ARG, "ответ устройству: %s пуст или длиннее %zu байт", what, max);
	if (changeset_check_utf8(s, len) != 0)
		return terr_set(e, TERR_ARG, "ответ устройству: %s не в кодировке UTF-8", what);
	return 0;
}

/* A stored JSON object's text: starts with '{', ends with '}', no NUL. */
static int
pullmsg_check_object(const char *what, const char *s, size_t len, struct terr *e)
{
	if (s == NULL || len < 2 || s[0] != '{' || s[len - 1] != '}' || memchr(s, '\0', len) != NULL)
		return terr_set(e, TERR_ARG, "ответ устройству: %s — не объект JSON", what);
	return 0;
}

/* Position order, then the rollback point for the item about to be written. */
static int
pullmsg_begin(struct pullmsg_builder *b, int kind, uint64_t pos, size_t *mark, struct terr *e)
{
	if (pos <= b->last || pos > PULLMSG_POS_MAX)
		return terr_set(e, TERR_ARG, "ответ устройству: позиция %" PRIu64 " не больше "
		    "предыдущей %" PRIu64, pos, b->last);
	if (b->count >= PULLMSG_MAX_ITEMS)
		return terr_set(e, TERR_TOO_LARGE, "ответ устройству: уже %u записей", PULLMSG_MAX_ITEMS);
	*mark = tbuf_len(b->items[kind]);
	if (*mark != 0 && tbuf_put_u8(b->items[kind], ',') != 0)
		return terr_set(e, TERR_TOO_LARGE, "ответ устройству: больше %zu байт", b->max_plain);
	return 0;
}

/* Keeps the item just written, or takes it back if the batch is over its bound. */
static int
pullmsg_end(struct pullmsg_builder *b, int kind, uint64_t pos, size_t mark, int r,
    struct terr *e)
{
	if (r == 0 && pullmsg_builder_bytes(b) > b->max_plain)
		r = TERR_TOO_LARGE;
	if (r != 0) {
		tbuf_truncate(b->items[kind], mark);
		if (r == TERR_TOO_LARGE)
			return terr_set(e, r, "ответ устройству: больше %zu байт", b->max_plain);
		return terr_set(e, r, "ответ устройству: недостаточно памяти");
	}
	b->count++;
	b->last = pos;
	return 0;
}

int
pullmsg_add_record(struct pullmsg_builder *b, uint64_t pos, const uint8_t id[UUID7_BYTES],
    const char *form_id, uint32_t form_version, const char *school, const char *data,
    size_t data_len, const char *clocks, size_t clocks_len, struct terr *e)
{
	struct tbuf *t;
	char ids[UUID7_STRLEN + 1];
	size_t mark;
	int r;

	if (b == NULL || id == NULL || form_version == 0)
		return terr_set(e, TERR_ARG, "ответ устройству: запись без номера или версии формы");
	if ((r = pullmsg_check_text("код формы", form_id, form_id ? strlen(form_id) : 0,
	    CHANGESET_ID_MAX, false, e)) != 0 ||
	    (r = pullmsg_check_text("код школы", school, school ? strlen(school) : 0,
	    CHANGESET_SCHOOL_MAX, false, e)) != 0 ||
	    (r = pullmsg_check_object("данные записи", data, data_len, e)) != 0 ||
	    (r = pullmsg_check_object("часы записи", clocks, clocks_len, e)) != 0)
		return r;
	if ((r = pullmsg_begin(b, PB_RECORDS, pos, &mark, e)) != 0)
		return r;
	t = b->items[PB_RECORDS];
	uuid7_format(id, ids);
	if ((r = tbuf_put_str(t, "{\"pos\":")) == 0 &&
	    (r = tbuf_put_dec(t, (int64_t)pos)) == 0 &&
	    (r = tbuf_put_str(t, ",\"id\":\"")) == 0 &&
	    (r = tbuf_put_str(t, ids)) == 0 &&
	    (r = tbuf_put_str(t, "\",\"form\":")) == 0 &&
	    (r = pullmsg_put_jstr(t, form_id, strlen(form_id))) == 0 &&
	    (r = tbuf_put_str(t, ",\"fv\":")) == 0 &&
	    (r = tbuf_put_dec(t, form_version)) == 0 &&
	    (r = tbuf_put_str(t, ",\"school\":")) == 0 &&
	    (r = pullmsg_put_jstr(t, school, strlen(school))) == 0 &&
	    (r = tbuf_put_str(t, ",\"data\":")) == 0 &&
	    (r = tbuf_put(t, data, data_len)) == 0 &&
	    (r = tbuf_put_str(t, ",\"clocks\":")) == 0 &&
	    (r = tbuf_put(t, clocks, clocks_len)) == 0)
		r = tbuf_put_u8(t, '}');
	return pullmsg_end(b, PB_RECORDS, pos, mark, r, e);
}

int
pullmsg_add_profile(struct pullmsg_builder *b, uint64_t pos, const char *school,
    const char *years, size_t years_len, struct terr *e)
{
	struct tbuf *t;
	size_t mark;
	int r;

	if (b == NULL)
		return terr_set(e, TERR_ARG, "ответ устройству: нет построителя");
	if ((r = pullmsg_check_text("код школы", school, school ? strlen(school) : 0,
	    CHANGESET_SCHOOL_MAX, false, e)) != 0 ||
	    (r = pullmsg_check_object("профиль рисков", years, years_len, e)) != 0)
		return r;
	if ((r = pullmsg_begin(b, PB_PROFILES, pos, &mark, e)) != 0)
		return r;
	t = b->items[PB_PROFILES];
	if ((r = tbuf_put_str(t, "{\"pos\":")) == 0 &&
	    (r = tbuf_put_dec(t, (int64_t)pos)) == 0 &&
	    (r = tbuf_put_str(t, ",\"school\":")) == 0 &&
	    (r = pullmsg_put_jstr(t, school, strlen(school))) == 0 &&
	    (r = tbuf_put_str(t, ",\"years\":")) == 0 &&
	    (r = tbuf_put(t, years, years_len)) == 0)
		r = tbuf_put_u8(t, '}');
	return pullmsg_end(b, PB_PROFILES, pos, mark, r, e);
}

int
pullmsg_add_school(struct pullmsg_builder *b, uint64_t pos, const char *code, const char *name,
    struct terr *e)
{
	struct tbuf *t;
	size_t mark;
	int r;

	if (b == NULL)
		return terr_set(e, TERR_ARG, "ответ устройству: нет построителя");
	if ((r = pullmsg_check_text("код школы", code, code ? strlen(code) : 0,
	    CHANGESET_SCHOOL_MAX, false, e)) != 0 ||
	    (r = pullmsg_check_text("название школы", name, name ? strlen(name) : 0,
	    PULLMSG_NAME_MAX, true, e)) != 0)
		return r;
	if ((r = pullmsg_begin(b, PB_SCHOOLS, pos, &mark, e)) != 0)
		return r;
	t = b->items[PB_SCHOOLS];
	if ((r = tbuf_put_str(t, "{\"pos\":")) == 0 &&
	    (r = tbuf_put_dec(t, (int64_t)pos)) == 0 &&
	    (r = tbuf_put_str(t, ",\"code\":")) == 0 &&
	    (r = pullmsg_put_jstr(t, code, strlen(code))) == 0 &&
	    (r = tbuf_put_str(t, ",\"name\":")) == 0 &&
	    (r = pullmsg_put_jstr(t, name, strlen(name))) == 0)
		r = tbuf_put_u8(t, '}');
	return pullmsg_end(b, PB_SCHOOLS, pos, mark, r, e);
}

void
pullmsg_header_write(const struct pullmsg_header *h, uint8_t p[PULLMSG_HEADER_BYTES])
{
	memcpy(p + PA_MAGIC, PULLMSG_ANS_MAGIC, 4);
	p[PA_VERSION] = h->version;
	p[PA_FLAGS] = h->flags;
	p[PA_RESERVED] = 0;
	p[PA_RESERVED + 1] = 0;
	memcpy(p + PA_DEVICE, h->device_id, KEYS_ID_BYTES);
	memcpy(p + PA_HUB, h->hub_key_id, KEYS_ID_BYTES);
	pullmsg_put64(p + PA_AFTER, h->after);
	pullmsg_put64(p + PA_UPTO, h->upto);
	pullmsg_put32(p + PA_COUNT, h->count);
	pullmsg_put32(p + PA_PLAIN, h->plain_len);
	memcpy(p + PA_REQ_NONCE, h->req_nonce, PULLMSG_NONCE_BYTES);
	memcpy(p + PA_EPH, h->eph_pk, KEYS_ENC_PK_BYTES);
	memcpy(p + PA_NONCE, h->nonce, ENVELOPE_NONCE_BYTES);
	pullmsg_put32(p + PA_CIPHER, h->cipher_len);
}

/* The plaintext: members in a fixed order, so sealing is reproducible. */
static int
pullmsg_plaintext(const struct pullmsg_builder *b, uint64_t upto, bool more, struct tbuf *t)
{
	static const char *const names[PB_KINDS] = {
		",\"records\":[", "],\"profiles\":[", "],\"schools\":["
	};
	char dev[KEYS_ID_HEXLEN + 1];
	int r;

	keys_hex(b->device_id, KEYS_ID_BYTES, dev);
	if ((r = tbuf_expect(t, pullmsg_builder_bytes(b))) != 0 ||
	    (r = tbuf_put_str(t, "{\"v\":1,\"device\":\"")) != 0 ||
	    (r = tbuf_put_str(t, dev)) != 0 ||
	    (r = tbuf_put_str(t, "\",\"after\":")) != 0 ||
	    (r = tbuf_put_dec(t, (int64_t)b->after)) != 0 ||
	    (r = tbuf_put_str(t, ",\"upto\":")) != 0 ||
	    (r = tbuf_put_dec(t, (int64_t)upto)) != 0 ||
	    (r = tbuf_put_str(t, more ? ",\"more\":true" : ",\"more\":false")) != 0)
		return r;
	for (int i = 0; i < PB_KINDS; i++)
		if ((r = tbuf_put_str(t, names[i])) != 0 ||
		    (r = tbuf_put(t, tbuf_ptr(b->items[i]), tbuf_len(b->items[i]))) != 0)
			return r;
	return tbuf_put_str(t, "]}");
}

int
pullmsg_builder_plaintext(const struct pullmsg_builder *b, uint64_t upto, bool more,
    struct tbuf *out, struct terr *e)
{
	int r;

	if (b == NULL || out == NULL)
		return terr_set(e, TERR_ARG, "ответ устройству: нет построителя");
	if ((r = pullmsg_plaintext(b, upto, more, out)) != 0)
		return terr_set(e, r, "ответ устройству: не хватает места в буфере");
	return 0;
}

int
pullmsg_seal_raw(const struct pullmsg_header *hin, const uint8_t *payload, size_t payload_len,
    const struct keys_sign *hub, const uint8_t box_pk[KEYS_ENC_PK_BYTES],
    const struct envelope_det *det, struct tbuf *out, struct terr *e)
{
	struct pullmsg_header h = *hin;
	struct envelope_box box;
	size_t total, start;
	uint8_t *p;
	int r;

	if (payload_len > PULLMSG_MAX_CIPHER - ENVELOPE_TAG_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "ответ устройству: %zu байт после сжатия, допустимо "
		    "не больше %u; возьмите меньше записей", payload_len, PULLMSG_MAX_BYTES);
	h.cipher_len = (uint32_t)(payload_len + ENVELOPE_TAG_BYTES);
	total = PULLMSG_HEADER_BYTES + h.cipher_len + PULLMSG_SIG_BYTES;
	start = tbuf_len(out);
	if (total > tbuf_max(out) - start)
		return terr_set(e, TERR_TOO_LARGE, "ответ устройству: не хватает места в буфере");
	if (envelope_box_keys(box_pk, det, &box) != 0) {
		r = terr_set(e, TERR_CRYPTO, "ключ шифрования устройства недопустим");
		goto out;
	}
	memcpy(h.eph_pk, box.eph_pk, sizeof(h.eph_pk));
	memcpy(h.nonce, box.nonce, sizeof(h.nonce));
	if ((p = tbuf_reserve(out, total)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "ответ устройству: недостаточно памяти");
		goto out;
	}
	pullmsg_header_write(&h, p);
	if (envelope_box_close(p, PULLMSG_HEADER_BYTES, payload, payload_len, hub->sk,
	    &box) != 0) {
		tbuf_truncate(out, start);
		r = terr_set(e, TERR_INTERNAL, "ответ устройству: неожиданная длина шифротекста");
		goto out;
	}
	r = 0;
 out:
	sodium_memzero(&box, sizeof(box));
	return r;
}

int
pullmsg_seal(const struct pullmsg_builder *b, uint64_t upto, bool more,
    const uint8_t req_nonce[PULLMSG_NONCE_BYTES], const struct keys_sign *hub,
    const uint8_t box_pk[KEYS_ENC_PK_BYTES], const struct envelope_det *det,
    struct tbuf *out, struct terr *e)
{
	struct pullmsg_header h;
	struct tbuf *plain = NULL, *z = NULL;
	const struct tbuf *payload;
	int r;

	if (b == NULL || hub == NULL || box_pk == NULL || out == NULL)
		return terr_set(e, TERR_ARG, "ответ устройству: не переданы записи, ключи или буфер");
	if (upto < b->last || upto > PULLMSG_POS_MAX || (more && upto <= b->after))
		return terr_set(e, TERR_ARG, "ответ устройству: конец %" PRIu64 " раньше последней "
		    "позиции %" PRIu64 " или не сдвигает курсор %" PRIu64, upto, b->last, b->after);
	memset(&h, 0, sizeof(h));
	if ((plain = tbuf_new(PULLMSG_MAX_PLAIN)) == NULL ||
	    (z = tbuf_new(PULLMSG_MAX_PLAIN)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "ответ устройству: недостаточно памяти");
		goto out;
	}
	if ((r = pullmsg_plaintext(b, upto, more, plain)) != 0) {
		r = terr_set(e, r, "ответ устройству: больше %u байт или недостаточно памяти",
		    PULLMSG_MAX_PLAIN);
		goto out;
	}
	payload = plain;
	if (envelope_deflate(tbuf_ptr(plain), tbuf_len(plain), z, NULL) == 0 &&
	    tbuf_len(z) < tbuf_len(plain)) {
		payload = z;
		h.flags |= PULLMSG_FLAG_DEFLATE;
	}
	h.version = PULLMSG_VERSION;
	memcpy(h.device_id, b->device_id, KEYS_ID_BYTES);
	keys_id(hub->pk, h.hub_key_id);
	h.after = b->after;
	h.upto = upto;
	h.count = (uint32_t)b->count;
	h.plain_len = (uint32_t)tbuf_len(plain);
	if (req_nonce != NULL)
		memcpy(h.req_nonce, req_nonce, PULLMSG_NONCE_BYTES);
	r = pullmsg_seal_raw(&h, tbuf_ptr(payload), tbuf_len(payload), hub, box_pk, det, out, e);
 out:
	tbuf_free(plain);
	tbuf_free(z);
	return r;
}
