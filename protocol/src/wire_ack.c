/*
 * wire_ack — the hub's acknowledgement of a change set (wire.h): the
 * payload of a SIGBLOB_ACK blob. The hub signs it and keeps it for
 * replays, so the writer gives, byte for byte, what ingest.c always wrote;
 * syncd reads it with the parser after the signature is checked.
 */
#include "tetrad/wire.h"

#include <inttypes.h>
#include <string.h>

#include "wire_json.h"

static const char *const wire_ack_statuses[] = {
	[WIRE_ACK_APPLIED] = "applied", [WIRE_ACK_REFUSED] = "refused",
	[WIRE_ACK_GAP] = "gap", [WIRE_ACK_FORK] = "fork", [WIRE_ACK_REVOKED] = "revoked",
	[WIRE_ACK_UNKNOWN_DEVICE] = "unknown_device", [WIRE_ACK_FUTURE_HLC] = "future_hlc",
	[WIRE_ACK_BUSY] = "busy",
};
#define WIRE_N_STATUSES (sizeof(wire_ack_statuses) / sizeof(wire_ack_statuses[0]))

const char *
wire_ack_status_name(enum wire_ack_status st)
{
	if ((size_t)st >= WIRE_N_STATUSES || st < WIRE_ACK_APPLIED)
		return NULL;
	return wire_ack_statuses[st];
}

enum wire_ack_status
wire_ack_status_of(const char *name)
{
	for (size_t i = WIRE_ACK_APPLIED; name != NULL && i < WIRE_N_STATUSES; i++)
		if (strcmp(name, wire_ack_statuses[i]) == 0)
			return (enum wire_ack_status)i;
	return 0;
}

static const char *const wire_retries[] = {
	[WIRE_RETRY_FORMS] = "forms", [WIRE_RETRY_CLOCK] = "clock",
};
#define WIRE_N_RETRIES (sizeof(wire_retries) / sizeof(wire_retries[0]))

const char *
wire_retry_name(enum wire_retry rt)
{
	if ((size_t)rt >= WIRE_N_RETRIES || rt <= WIRE_RETRY_NO)
		return NULL;
	return wire_retries[rt];
}

enum wire_retry
wire_retry_of(const char *name)
{
	for (size_t i = WIRE_RETRY_FORMS; name != NULL && i < WIRE_N_RETRIES; i++)
		if (strcmp(name, wire_retries[i]) == 0)
			return (enum wire_retry)i;
	return WIRE_RETRY_NO;
}

int
wire_ack_write(struct tbuf *out, const struct wire_ack *a, struct terr *e)
{
	const char *st = wire_ack_status_name(a->status);
	char hex[2 * CHANGESET_HASH_BYTES + 1];
	int r;

	if (st == NULL || !wire_json_hex_ok(a->device_id, WIRE_DEVICE_ID_HEXLEN) ||
	    a->first > WIRE_SEQ_MAX || a->last > WIRE_SEQ_MAX || a->expected_seq > WIRE_SEQ_MAX ||
	    a->applied > WIRE_SEQ_MAX || a->conflicts > WIRE_SEQ_MAX ||
	    !wire_json_text_ok(a->reason, WIRE_ACK_REASON_MAX) ||
	    (a->retry != WIRE_RETRY_NO && wire_retry_name(a->retry) == NULL))
		return terr_set(e, TERR_ARG, "подтверждение не записано: недопустимое значение поля");
	if ((r = tbuf_putf(out, "{\"device_id\":\"%s\",\"first\":%" PRIu64 ",\"last\":%" PRIu64
	    ",\"status\":\"%s\",\"set_hash\":", a->device_id, a->first, a->last, st)) != 0)
		goto out;
	if (a->have_hash) {
		keys_hex(a->set_hash, sizeof(a->set_hash), hex);
		r = tbuf_putf(out, "\"%s\"", hex);
	} else
		r = tbuf_putf(out, "null");
	if (r != 0 || (r = tbuf_putf(out, ",\"expected_seq\":%" PRIu64 ",\"applied\":%" PRIu64
	    ",\"conflicts\":%" PRIu64 ",", a->expected_seq, a->applied, a->conflicts)) != 0)
		goto out;
	if (a->have_enc_pk) {
		keys_hex(a->hub_enc_pk, sizeof(a->hub_enc_pk), hex);
		if ((r = tbuf_putf(out, "\"hub_enc_pk\":\"%s\",", hex)) != 0)
			goto out;
	}
	if ((r = tbuf_putf(out, "\"reason\":")) != 0 || (r = wire_json_put_str(out, a->reason)) != 0)
		goto out;
	if (a->retry != WIRE_RETRY_NO &&
	    (r = tbuf_putf(out, ",\"retry\":\"%s\"", wire_retry_name(a->retry))) != 0)
		goto out;
	r = tbuf_put_u8(out, '}');
 out:
	return r ? wire_json_write_fail(e, r, "подтверждение") : 0;
}

int
wire_ack_parse(const void *buf, size_t len, struct wire_ack *a, struct terr *e)
{
	static const char what[] = "подтверждение хаба";
	char st[32];
	const cJSON *x;
	cJSON *o = NULL;
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = wire_json_open(buf, len, WIRE_ACK_MAX, what, &o, e)) != 0)
		goto out;
	if ((r = wire_json_get_str(o, "device_id", true, true, a->device_id, sizeof(a->device_id),
	    what, e)) != 0)
		goto out;
	if (!wire_json_hex_ok(a->device_id, WIRE_DEVICE_ID_HEXLEN)) {
		r = terr_set(e, TERR_SCHEMA, "%s: device_id должен состоять из %d строчных "
		    "шестнадцатеричных цифр", what, WIRE_DEVICE_ID_HEXLEN);
		goto out;
	}
	if ((r = wire_json_get_str(o, "status", true, true, st, sizeof(st), what, e)) == TERR_TOO_LARGE ||
	    (r == 0 && (a->status = wire_ack_status_of(st)) == 0)) {
		r = terr_set(e, TERR_SCHEMA, "%s: неизвестное состояние «%.40s»", what, st);
		goto out;
	}
	if (r != 0 ||
	    (r = wire_json_get_u64(o, "first", true, &a->first, what, e)) != 0 ||
	    (r = wire_json_get_u64(o, "last", true, &a->last, what, e)) != 0 ||
	    (r = wire_json_get_u64(o, "expected_seq", false, &a->expected_seq, what, e)) != 0 ||
	    (r = wire_json_get_u64(o, "applied", false, &a->applied, what, e)) != 0 ||
	    (r = wire_json_get_u64(o, "conflicts", false, &a->conflicts, what, e)) != 0)
		goto out;
	x = cJSON_GetObjectItemCaseSensitive(o, "set_hash");
	if (x != NULL && !cJSON_IsNull(x)) {
		if ((r = wire_json_get_hex(o, "set_hash", a->set_hash, sizeof(a->set_hash), what, e)) != 0)
			goto out;
		a->have_hash = true;
	}
	if (cJSON_GetObjectItemCaseSensitive(o, "hub_enc_pk") != NULL) {
		if ((r = wire_json_get_hex(o, "hub_enc_pk", a->hub_enc_pk, sizeof(a->hub_enc_pk), what,
		    e)) != 0)
			goto out;
		a->have_enc_pk = true;
	}
	if ((r = wire_json_get_str(o, "reason", false, false, a->reason, sizeof(a->reason), what,
	    e)) < 0)
		goto out;
	/* a class this device does not know is no promise it can act on */
	if ((r = wire_json_get_str(o, "retry", false, false, st, sizeof(st), what, e)) < 0 &&
	    r != TERR_TOO_LARGE)
		goto out;
	a->retry = r == 0 ? wire_retry_of(st) : WIRE_RETRY_NO;
	r = 0;
 out:
	cJSON_Delete(o);
	if (r != 0)
		memset(a, 0, sizeof(*a));
	return r;
}
