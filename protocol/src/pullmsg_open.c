/*
 * pullmsg_open — the device's side of an answer: header, then the checks in
 * the order pullmsg.h lists them, each as cheap as possible and before
 * anything costlier (nothing is decrypted for an unauthenticated sender).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tetrad/pullmsg.h"
#include "tetrad/envelope_internal.h"
#include "pullmsg_internal.h"

/* The header's fields and the whole length they declare (magic and version checked). */
static int
pullmsg_header_fields(const uint8_t *buf, struct pullmsg_header *h, uint64_t *total,
    struct terr *e)
{
	h->version = buf[PA_VERSION];
	h->flags = buf[PA_FLAGS];
	memcpy(h->device_id, buf + PA_DEVICE, KEYS_ID_BYTES);
	memcpy(h->hub_key_id, buf + PA_HUB, KEYS_ID_BYTES);
	h->after = pullmsg_get64(buf + PA_AFTER);
	h->upto = pullmsg_get64(buf + PA_UPTO);
	h->count = pullmsg_get32(buf + PA_COUNT);
	h->plain_len = pullmsg_get32(buf + PA_PLAIN);
	memcpy(h->req_nonce, buf + PA_REQ_NONCE, PULLMSG_NONCE_BYTES);
	memcpy(h->eph_pk, buf + PA_EPH, KEYS_ENC_PK_BYTES);
	memcpy(h->nonce, buf + PA_NONCE, ENVELOPE_NONCE_BYTES);
	h->cipher_len = pullmsg_get32(buf + PA_CIPHER);

	if ((h->flags & ~PULLMSG_FLAG_DEFLATE) != 0 || buf[PA_RESERVED] != 0 ||
	    buf[PA_RESERVED + 1] != 0)
		return terr_set(e, TERR_HEADER, "повреждён заголовок ответа хаба: неизвестные флаги "
		    "0x%02x или ненулевые резервные байты", h->flags);
	if (h->upto < h->after || h->upto > PULLMSG_POS_MAX)
		return terr_set(e, TERR_HEADER, "повреждён заголовок ответа хаба: недопустимый диапазон "
		    "позиций %" PRIu64 "–%" PRIu64, h->after, h->upto);
	if (h->count > PULLMSG_MAX_ITEMS || (uint64_t)h->count > h->upto - h->after)
		return terr_set(e, TERR_COUNT, "ответ хаба %" PRIu64 "–%" PRIu64 ": %" PRIu32
		    " записей, допустимо не больше %u и не больше числа позиций", h->after, h->upto,
		    h->count, PULLMSG_MAX_ITEMS);
	if (h->plain_len > PULLMSG_MAX_PLAIN)
		return terr_set(e, TERR_TOO_LARGE, "ответ хаба %" PRIu64 "–%" PRIu64 ": содержимое %"
		    PRIu32 " байт, допустимо не больше %u", h->after, h->upto, h->plain_len,
		    PULLMSG_MAX_PLAIN);
	if (h->plain_len == 0 || h->cipher_len < ENVELOPE_TAG_BYTES + 1)
		return terr_set(e, TERR_HEADER, "повреждён заголовок ответа хаба %" PRIu64 "–%" PRIu64
		    ": пустое содержимое", h->after, h->upto);
	if (h->cipher_len > PULLMSG_MAX_CIPHER)
		return terr_set(e, TERR_TOO_LARGE, "ответ хаба %" PRIu64 "–%" PRIu64 ": шифротекст %"
		    PRIu32 " байт, допустимо не больше %u", h->after, h->upto, h->cipher_len,
		    PULLMSG_MAX_CIPHER);
	/* Compressed only when that helped; raw means exactly the plaintext. */
	if ((h->flags & PULLMSG_FLAG_DEFLATE) ?
	    h->cipher_len - ENVELOPE_TAG_BYTES >= h->plain_len :
	    h->cipher_len - ENVELOPE_TAG_BYTES != h->plain_len)
		return terr_set(e, TERR_HEADER, "повреждён заголовок ответа хаба %" PRIu64 "–%" PRIu64
		    ": длины %" PRIu32 " и %" PRIu32 " не согласуются", h->after, h->upto,
		    h->plain_len, h->cipher_len);
	*total = (uint64_t)PULLMSG_HEADER_BYTES + h->cipher_len + PULLMSG_SIG_BYTES;
	return 0;
}

int
pullmsg_parse_header(const uint8_t *buf, size_t len, struct pullmsg_header *h,
    struct terr *e)
{
	uint64_t total = 0;
	int r;

	if (buf == NULL || h == NULL)
		return terr_set(e, TERR_ARG, "ответ хаба: нет данных");
	memset(h, 0, sizeof(*h));
	if (len > PULLMSG_MAX_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "ответ хаба занимает %zu байт, допустимо не больше %u",
		    len, PULLMSG_MAX_BYTES);
	if (len >= 4 && memcmp(buf, PULLMSG_ANS_MAGIC, 4) != 0)
		return terr_set(e, TERR_MAGIC, "это не ответ хаба Tetrad: нет подписи формата «%s»",
		    PULLMSG_ANS_MAGIC);
	if (len > PA_VERSION && buf[PA_VERSION] != PULLMSG_VERSION)
		return terr_set(e, TERR_VERSION, "ответ хаба версии %u не поддерживается (ожидается "
		    "%d); обновите программу", buf[PA_VERSION], PULLMSG_VERSION);
	if (len < PULLMSG_HEADER_BYTES)
		return terr_set(e, TERR_TRUNCATED, "ответ хаба обрезан: %zu байт вместо заголовка в %d "
		    "байт", len, PULLMSG_HEADER_BYTES);
	if ((r = pullmsg_header_fields(buf, h, &total, e)) != 0)
		return r;
	if (len < total)
		return terr_set(e, TERR_TRUNCATED, "ответ хаба %" PRIu64 "–%" PRIu64 " обрезан: %zu "
		    "байт вместо %" PRIu64, h->after, h->upto, len, total);
	if (len > total)
		return terr_set(e, TERR_TRAILING, "ответ хаба %" PRIu64 "–%" PRIu64 ": %zu лишних байт "
		    "после подписи", h->after, h->upto, (size_t)(len - total));
	return 0;
}

/* Recipient, signer, signature, nonce: everything before the crypto that costs. */
static int
pullmsg_authentic(const uint8_t *buf, const struct pullmsg_header *h,
    const uint8_t hub_sign_pk[KEYS_SIGN_PK_BYTES], const uint8_t my_id[KEYS_ID_BYTES],
    const uint8_t expected_nonce[PULLMSG_NONCE_BYTES], struct terr *e)
{
	static const uint8_t zeros[PULLMSG_NONCE_BYTES];
	uint8_t hub_id[KEYS_ID_BYTES];
	char a[KEYS_ID_HEXLEN + 1], b[KEYS_ID_HEXLEN + 1];
	size_t signed_len = PULLMSG_HEADER_BYTES + h->cipher_len;

	if (memcmp(h->device_id, my_id, KEYS_ID_BYTES) != 0) {
		keys_hex(h->device_id, KEYS_ID_BYTES, a);
		keys_hex(my_id, KEYS_ID_BYTES, b);
		return terr_set(e, TERR_DEVICE_KEY, "ответ предназначен другому устройству (%s), а это "
		    "устройство %s", a, b);
	}
	keys_id(hub_sign_pk, hub_id);
	if (memcmp(h->hub_key_id, hub_id, KEYS_ID_BYTES) != 0) {
		keys_hex(h->hub_key_id, KEYS_ID_BYTES, a);
		keys_hex(hub_id, KEYS_ID_BYTES, b);
		return terr_set(e, TERR_HUB_KEY, "ответ подписан неизвестным ключом хаба %s (известен "
		    "ключ %s)", a, b);
	}
	if (crypto_sign_verify_detached(buf + signed_len, buf, signed_len, hub_sign_pk) != 0)
		return terr_set(e, TERR_SIGNATURE, "подпись хаба не сходится: ответ изменён в пути "
		    "(позиции %" PRIu64 "–%" PRIu64 ")", h->after, h->upto);
	if (sodium_memcmp(h->req_nonce, expected_nonce != NULL ? expected_nonce : zeros,
	    PULLMSG_NONCE_BYTES) != 0)
		return terr_set(e, TERR_REPLAY, expected_nonce != NULL ?
		    "это повтор старого ответа: он не на последний запрос (позиции %" PRIu64 "–%" PRIu64
		    ")" : "ответ из файла не должен отвечать на запрос: это повтор ответа, "
		    "отправленного по сети (позиции %" PRIu64 "–%" PRIu64 ")", h->after, h->upto);
	return 0;
}

int
pullmsg_open(const uint8_t *buf, size_t len, const uint8_t hub_sign_pk[KEYS_SIGN_PK_BYTES],
    const struct keys_enc *box, const uint8_t my_id[KEYS_ID_BYTES],
    const uint8_t expected_nonce[PULLMSG_NONCE_BYTES], struct pullmsg_batch **out,
    struct terr *e)
{
	struct pullmsg_header h;
	uint8_t *dec = NULL, *plain = NULL;
	size_t dec_len = 0;
	int r;

	if (out == NULL)
		return terr_set(e, TERR_ARG, "ответ хаба: некуда вернуть результат");
	*out = NULL;
	if (hub_sign_pk == NULL || box == NULL || my_id == NULL)
		return terr_set(e, TERR_ARG, "ответ хаба: не переданы ключи");
	if ((r = pullmsg_parse_header(buf, len, &h, e)) != 0 ||
	    (r = pullmsg_authentic(buf, &h, hub_sign_pk, my_id, expected_nonce, e)) != 0)
		return r;

	dec_len = h.cipher_len - ENVELOPE_TAG_BYTES;
	if ((dec = malloc(dec_len)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "ответ хаба: недостаточно памяти");
		goto out;
	}
	if (envelope_box_open(buf, PULLMSG_HEADER_BYTES, h.cipher_len, h.eph_pk, h.nonce, box,
	    dec) != 0) {
		r = terr_set(e, TERR_DECRYPT, "ответ хаба (позиции %" PRIu64 "–%" PRIu64 ") не "
		    "расшифровывается ключом этого устройства", h.after, h.upto);
		goto out;
	}
	if (h.flags & PULLMSG_FLAG_DEFLATE) {
		if ((plain = malloc(h.plain_len)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "ответ хаба: недостаточно памяти");
			goto out;
		}
		if ((r = envelope_inflate(dec, dec_len, plain, h.plain_len)) == TERR_NOMEM) {
			r = terr_set(e, r, "ответ хаба: недостаточно памяти");
			goto out;
		}
		if (r != 0) {
			r = terr_set(e, r, "ответ хаба: сжатые данные повреждены или их размер не "
			    "равен %" PRIu32 " байт", h.plain_len);
			goto out;
		}
	} else {
		plain = dec;
		dec = NULL;
	}
	r = pullmsg_items_parse(plain, h.plain_len, &h, out, e);
 out:
	if (dec != NULL) {
		sodium_memzero(dec, dec_len);
		free(dec);
	}
	if (plain != NULL) {
		sodium_memzero(plain, h.plain_len);
		free(plain);
	}
	return r;
}

int
pullmsg_check_after(const struct pullmsg_batch *b, uint64_t cursor, struct terr *e)
{
	if (b == NULL)
		return terr_set(e, TERR_ARG, "ответ хаба: нет ответа");
	if (b->after != cursor)
		return terr_set(e, TERR_ORDER, "ответы пришли не по порядку: ответ начинается после "
		    "позиции %" PRIu64 ", а устройство получило всё до позиции %" PRIu64, b->after,
		    cursor);
	return 0;
}
