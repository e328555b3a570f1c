/*
 * pullmsg_req — the device's signed pull request and pull ack (pullmsg.h).
 *
 * Fixed size, no encryption: it names a cursor, a nonce and where to seal
 * the answer, nothing personal. The hub parses it (cheap, no crypto), finds
 * the device by the key id it names and verifies the signature before it
 * does anything else with it.
 */
#include <string.h>

#include <sodium.h>

#include "tetrad/pullmsg.h"
#include "pullmsg_internal.h"

/* Byte offsets (docs/protocol.md, "Pull"). */
enum {
	RQ_MAGIC = 0, RQ_VERSION = 4, RQ_KIND = 5, RQ_RESERVED = 6, RQ_DEVICE = 8,
	RQ_AFTER = 16, RQ_NONCE = 24, RQ_BOX = 56, RQ_MAX = 88, RQ_HLC = 92,
	RQ_SIG = 126, RQ_END = 190
};

_Static_assert(RQ_END == PULLMSG_REQ_BYTES, "request layout");
_Static_assert(RQ_SIG - RQ_HLC == HLC_STRLEN, "request HLC slot");

static const char *
pullmsg_req_name(uint8_t kind)
{
	return kind == PULLMSG_ACK ? "подтверждение получения" : "запрос изменений";
}

void
pullmsg_request_init(struct pullmsg_request *rq, enum pullmsg_req_kind kind, uint64_t after,
    const uint8_t box_pk[KEYS_ENC_PK_BYTES], uint32_t max_items, const struct hlc_ts *now)
{
	memset(rq, 0, sizeof(*rq));
	rq->kind = (uint8_t)kind;
	rq->after = after;
	randombytes_buf(rq->nonce, sizeof(rq->nonce));
	memcpy(rq->box_pk, box_pk, KEYS_ENC_PK_BYTES);
	if (kind == PULLMSG_ACK)
		rq->max_items = 0;
	else
		rq->max_items = max_items == 0 ? 1 :
		    max_items > PULLMSG_MAX_ITEMS ? PULLMSG_MAX_ITEMS : max_items;
	hlc_encode(now, rq->hlc);
}

/* The checks a parser makes on the fields, shared with the signer. */
static int
pullmsg_request_check(const struct pullmsg_request *rq, int code, struct terr *e)
{
	struct hlc_ts t;

	if (rq->kind != PULLMSG_REQUEST && rq->kind != PULLMSG_ACK)
		return terr_set(e, code, "запрос к хабу: неизвестный вид %u (1 — запрос, 2 — "
		    "подтверждение)", rq->kind);
	if (rq->kind == PULLMSG_REQUEST &&
	    (rq->max_items == 0 || rq->max_items > PULLMSG_MAX_ITEMS))
		return terr_set(e, code, "запрос изменений: просит %u записей, допустимо от 1 до %u",
		    rq->max_items, PULLMSG_MAX_ITEMS);
	if (rq->kind == PULLMSG_ACK && rq->max_items != 0)
		return terr_set(e, code, "подтверждение получения: число записей должно быть 0, а не %u",
		    rq->max_items);
	if (rq->after > PULLMSG_POS_MAX)
		return terr_set(e, code, "%s: позиция %llu больше допустимой", pullmsg_req_name(rq->kind),
		    (unsigned long long)rq->after);
	if (strlen(rq->hlc) != HLC_STRLEN || hlc_decode(rq->hlc, &t) != 0)
		return terr_set(e, code == TERR_ARG ? TERR_ARG : TERR_CLOCK, "%s: метка времени "
		    "устройства недопустима", pullmsg_req_name(rq->kind));
	return 0;
}

int
pullmsg_request_sign(struct pullmsg_request *rq, const struct keys_sign *dev,
    uint8_t out[PULLMSG_REQ_BYTES], struct terr *e)
{
	uint8_t *p = out;
	int r;

	if (rq == NULL || dev == NULL || out == NULL)
		return terr_set(e, TERR_ARG, "запрос к хабу: не переданы запрос, ключ или буфер");
	if ((r = pullmsg_request_check(rq, TERR_ARG, e)) != 0)
		return r;
	keys_id(dev->pk, rq->device_id);
	memcpy(p + RQ_MAGIC, PULLMSG_REQ_MAGIC, 4);
	p[RQ_VERSION] = PULLMSG_VERSION;
	p[RQ_KIND] = rq->kind;
	p[RQ_RESERVED] = 0;
	p[RQ_RESERVED + 1] = 0;
	memcpy(p + RQ_DEVICE, rq->device_id, KEYS_ID_BYTES);
	pullmsg_put64(p + RQ_AFTER, rq->after);
	memcpy(p + RQ_NONCE, rq->nonce, PULLMSG_NONCE_BYTES);
	memcpy(p + RQ_BOX, rq->box_pk, KEYS_ENC_PK_BYTES);
	pullmsg_put32(p + RQ_MAX, rq->max_items);
	memcpy(p + RQ_HLC, rq->hlc, HLC_STRLEN);
	crypto_sign_detached(p + RQ_SIG, NULL, p, RQ_SIG, dev->sk);
	return 0;
}

int
pullmsg_request_parse(const uint8_t *buf, size_t len, struct pullmsg_request *rq,
    struct terr *e)
{
	int r;

	if (buf == NULL || rq == NULL)
		return terr_set(e, TERR_ARG, "запрос к хабу: нет данных");
	memset(rq, 0, sizeof(*rq));
	if (len >= 4 && memcmp(buf, PULLMSG_REQ_MAGIC, 4) != 0)
		return terr_set(e, TERR_MAGIC, "это не запрос к хабу Tetrad: нет подписи формата «%s»",
		    PULLMSG_REQ_MAGIC);
	if (len < PULLMSG_REQ_BYTES)
		return terr_set(e, TERR_TRUNCATED, "запрос к хабу обрезан: %zu байт вместо %d", len,
		    PULLMSG_REQ_BYTES);
	if (len > PULLMSG_REQ_BYTES)
		return terr_set(e, TERR_TRAILING, "запрос к хабу: %zu байт вместо %d", len,
		    PULLMSG_REQ_BYTES);
	if (buf[RQ_VERSION] != PULLMSG_VERSION)
		return terr_set(e, TERR_VERSION, "запрос к хабу версии %u не поддерживается (ожидается "
		    "%d); обновите программу", buf[RQ_VERSION], PULLMSG_VERSION);
	if (buf[RQ_RESERVED] != 0 || buf[RQ_RESERVED + 1] != 0)
		return terr_set(e, TERR_HEADER, "запрос к хабу: ненулевые резервные байты");
	rq->kind = buf[RQ_KIND];
	memcpy(rq->device_id, buf + RQ_DEVICE, KEYS_ID_BYTES);
	rq->after = pullmsg_get64(buf + RQ_AFTER);
	memcpy(rq->nonce, buf + RQ_NONCE, PULLMSG_NONCE_BYTES);
	memcpy(rq->box_pk, buf + RQ_BOX, KEYS_ENC_PK_BYTES);
	rq->max_items = pullmsg_get32(buf + RQ_MAX);
	memcpy(rq->hlc, buf + RQ_HLC, HLC_STRLEN);
	rq->hlc[HLC_STRLEN] = '\0';
	/* a NUL inside the slot makes strlen short: refused as bad HLC text */
	if ((r = pullmsg_request_check(rq, TERR_HEADER, e)) != 0) {
		memset(rq, 0, sizeof(*rq));
		return r;
	}
	return 0;
}

int
pullmsg_request_verify(const uint8_t *buf, size_t len,
    const uint8_t device_pk[KEYS_SIGN_PK_BYTES], struct terr *e)
{
	uint8_t id[KEYS_ID_BYTES];
	char want[KEYS_ID_HEXLEN + 1], got[KEYS_ID_HEXLEN + 1];

	if (buf == NULL || device_pk == NULL || len != PULLMSG_REQ_BYTES)
		return terr_set(e, TERR_ARG, "проверка запроса: нет запроса или ключа устройства");
	keys_id(device_pk, id);
	if (memcmp(id, buf + RQ_DEVICE, KEYS_ID_BYTES) != 0) {
		keys_hex(buf + RQ_DEVICE, KEYS_ID_BYTES, got);
		keys_hex(id, KEYS_ID_BYTES, want);
		return terr_set(e, TERR_DEVICE_KEY, "%s от устройства %s, а для проверки передан ключ "
		    "устройства %s", pullmsg_req_name(buf[RQ_KIND]), got, want);
	}
	if (crypto_sign_verify_detached(buf + RQ_SIG, buf, RQ_SIG, device_pk) != 0) {
		keys_hex(id, KEYS_ID_BYTES, want);
		return terr_set(e, TERR_SIGNATURE, "%s: подпись не совпадает с ключом устройства %s; "
		    "запрос изменён или подделан", pullmsg_req_name(buf[RQ_KIND]), want);
	}
	return 0;
}
