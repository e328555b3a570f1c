/*
 * wire_device — the signature of a device's question "do you still take my
 * sets?" (wire.h, device state): what syncd signs and the hub checks.
 */
#include "tetrad/wire.h"

#include <string.h>

#include <sodium.h>

#define WIRE_DEVICE_DOMAIN "tetrad-device-state-v1"

/* domain, NUL, the id: at most this many bytes */
#define WIRE_DEVICE_MSG_MAX (sizeof(WIRE_DEVICE_DOMAIN) + WIRE_DEVICE_ID_HEXLEN)

static size_t
wire_device_msg(const char *hex_id, uint8_t m[WIRE_DEVICE_MSG_MAX])
{
	size_t n = strnlen(hex_id, WIRE_DEVICE_ID_HEXLEN);

	memcpy(m, WIRE_DEVICE_DOMAIN, sizeof(WIRE_DEVICE_DOMAIN));   /* with its NUL */
	memcpy(m + sizeof(WIRE_DEVICE_DOMAIN), hex_id, n);
	return sizeof(WIRE_DEVICE_DOMAIN) + n;
}

void
wire_device_state_sign(const char *hex_id, const uint8_t sk[KEYS_SIGN_SK_BYTES],
    char out[WIRE_DEVICE_SIG_HEXLEN + 1])
{
	uint8_t m[WIRE_DEVICE_MSG_MAX], sig[crypto_sign_BYTES];
	size_t n = wire_device_msg(hex_id, m);

	crypto_sign_detached(sig, NULL, m, n, sk);
	keys_hex(sig, sizeof(sig), out);
}

bool
wire_device_state_sig_ok(const char *hex_id, const char *sig_hex,
    const uint8_t pk[KEYS_SIGN_PK_BYTES])
{
	uint8_t m[WIRE_DEVICE_MSG_MAX], sig[crypto_sign_BYTES];
	size_t n;

	if (hex_id == NULL || sig_hex == NULL || strlen(hex_id) != WIRE_DEVICE_ID_HEXLEN ||
	    strlen(sig_hex) != WIRE_DEVICE_SIG_HEXLEN ||
	    keys_unhex(sig_hex, sig, sizeof(sig)) != 0)
		return false;
	n = wire_device_msg(hex_id, m);
	return crypto_sign_verify_detached(sig, m, n, pk) == 0;
}
