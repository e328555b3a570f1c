/*
 * sigblob — hub → device messages signed with the hub's Ed25519 key.
 *
 * Nothing in a blob is trusted before the signature verifies: the kind is
 * checked only after, so a forged blob always reports TERR_SIGNATURE.
 */
#include <inttypes.h>
#include <string.h>

#include <sodium.h>

#include "tetrad/sigblob.h"

static const uint8_t sigblob_magic[4] = { 'T', 'T', 'S', 'B' };

#define SIGBLOB_SIG_BYTES 64

static const char *
sigblob_kind_name(unsigned kind)
{
	switch (kind) {
	case SIGBLOB_ACK: return "подтверждение";
	case SIGBLOB_FORM_BUNDLE: return "пакет формы";
	case SIGBLOB_ENROLL: return "ответ на регистрацию";
	default: return "неизвестный тип";
	}
}

int
sigblob_sign(enum sigblob_kind kind, const uint8_t *payload, size_t len,
    const struct keys_sign *hub, struct tbuf *out, struct terr *e)
{
	size_t start, total;
	uint8_t *p;

	if (hub == NULL || out == NULL || (payload == NULL && len > 0))
		return terr_set(e, TERR_ARG, "подписанное сообщение: не переданы данные или ключ");
	if (kind != SIGBLOB_ACK && kind != SIGBLOB_FORM_BUNDLE && kind != SIGBLOB_ENROLL)
		return terr_set(e, TERR_ARG, "подписанное сообщение: неизвестный тип %d", (int)kind);
	if (len > SIGBLOB_MAX_PAYLOAD)
		return terr_set(e, TERR_TOO_LARGE, "подписанное сообщение: %zu байт, допустимо не больше %u",
		    len, SIGBLOB_MAX_PAYLOAD);
	total = SIGBLOB_HEADER_BYTES + len + SIGBLOB_SIG_BYTES;
	start = tbuf_len(out);
	if (total > tbuf_max(out) - start)
		return terr_set(e, TERR_TOO_LARGE, "подписанное сообщение: не хватает места в буфере");
	if ((p = tbuf_reserve(out, total)) == NULL)
		return terr_set(e, TERR_NOMEM, "подписанное сообщение: недостаточно памяти");
	memcpy(p, sigblob_magic, 4);
	p[4] = SIGBLOB_VERSION;
	p[5] = (uint8_t)kind;
	p[6] = p[7] = 0;
	keys_id(hub->pk, p + 8);
	p[16] = (uint8_t)(len >> 24);
	p[17] = (uint8_t)(len >> 16);
	p[18] = (uint8_t)(len >> 8);
	p[19] = (uint8_t)len;
	if (len > 0)
		memcpy(p + SIGBLOB_HEADER_BYTES, payload, len);
	crypto_sign_detached(p + SIGBLOB_HEADER_BYTES + len, NULL, p, SIGBLOB_HEADER_BYTES + len,
	    hub->sk);
	return 0;
}

int
sigblob_open(const uint8_t *blob, size_t len, enum sigblob_kind kind,
    const uint8_t hub_pk[KEYS_SIGN_PK_BYTES], const uint8_t **payload,
    size_t *payload_len, struct terr *e)
{
	uint8_t id[KEYS_ID_BYTES];
	uint32_t plen;
	size_t total;

	if (payload == NULL || payload_len == NULL)
		return terr_set(e, TERR_ARG, "подписанное сообщение: некуда вернуть результат");
	*payload = NULL;
	*payload_len = 0;
	if (blob == NULL || hub_pk == NULL)
		return terr_set(e, TERR_ARG, "подписанное сообщение: нет данных или ключа хаба");
	if (len > SIGBLOB_HEADER_BYTES + SIGBLOB_MAX_PAYLOAD + SIGBLOB_SIG_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "подписанное сообщение: %zu байт, допустимо не больше %u",
		    len, SIGBLOB_HEADER_BYTES + SIGBLOB_MAX_PAYLOAD + SIGBLOB_SIG_BYTES);
	if (len < 4)
		return terr_set(e, TERR_TRUNCATED, "подписанное сообщение обрезано: %zu байт", len);
	if (memcmp(blob, sigblob_magic, 4) != 0)
		return terr_set(e, TERR_MAGIC, "это не подписанное сообщение хаба Tetrad (нет «TTSB»)");
	if (len > 4 && blob[4] != SIGBLOB_VERSION)
		return terr_set(e, TERR_VERSION, "подписанное сообщение версии %u не поддерживается "
		    "(ожидается %d); обновите программу", blob[4], SIGBLOB_VERSION);
	if (len < SIGBLOB_HEADER_BYTES)
		return terr_set(e, TERR_TRUNCATED, "подписанное сообщение обрезано: %zu байт", len);
	if (blob[6] != 0 || blob[7] != 0)
		return terr_set(e, TERR_HEADER, "подписанное сообщение: ненулевые резервные байты");
	keys_id(hub_pk, id);
	if (memcmp(id, blob + 8, KEYS_ID_BYTES) != 0) {
		char want[KEYS_ID_HEXLEN + 1], got[KEYS_ID_HEXLEN + 1];

		keys_hex(blob + 8, KEYS_ID_BYTES, got);
		keys_hex(id, KEYS_ID_BYTES, want);
		return terr_set(e, TERR_HUB_KEY, "сообщение подписано ключом хаба %s, а закреплён ключ %s",
		    got, want);
	}
	plen = ((uint32_t)blob[16] << 24) | ((uint32_t)blob[17] << 16) | ((uint32_t)blob[18] << 8) |
	    blob[19];
	if (plen > SIGBLOB_MAX_PAYLOAD)
		return terr_set(e, TERR_TOO_LARGE, "подписанное сообщение: заявлено %" PRIu32
		    " байт, допустимо не больше %u", plen, SIGBLOB_MAX_PAYLOAD);
	total = SIGBLOB_HEADER_BYTES + (size_t)plen + SIGBLOB_SIG_BYTES;
	if (len < total)
		return terr_set(e, TERR_TRUNCATED, "подписанное сообщение обрезано: %zu байт вместо %zu",
		    len, total);
	if (len > total)
		return terr_set(e, TERR_TRAILING, "подписанное сообщение: %zu лишних байт после подписи",
		    len - total);
	if (crypto_sign_verify_detached(blob + SIGBLOB_HEADER_BYTES + plen, blob,
	    SIGBLOB_HEADER_BYTES + plen, hub_pk) != 0)
		return terr_set(e, TERR_SIGNATURE, "подпись сообщения хаба неверна: оно изменено или подделано");
	if (blob[5] != (uint8_t)kind)
		return terr_set(e, TERR_KIND, "ожидалось сообщение типа «%s», а получено «%s» (%u)",
		    sigblob_kind_name((unsigned)kind), sigblob_kind_name(blob[5]), blob[5]);
	*payload = blob + SIGBLOB_HEADER_BYTES;
	*payload_len = plen;
	return 0;
}
