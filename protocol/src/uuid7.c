/*
 * uuid7 — RFC 9562 version 7 identifiers: 48-bit Unix ms, then random bits.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "tetrad/hlc.h"
#include "tetrad/terr.h"
#include "tetrad/uuid7.h"

int
uuid7_new(uint8_t out[UUID7_BYTES], uint64_t unix_ms)
{
	if (unix_ms == 0)
		unix_ms = hlc_wall_now();
	if (unix_ms > 0xffffffffffffULL)
		return TERR_ARG;
	randombytes_buf(out, UUID7_BYTES);
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)(unix_ms >> (40 - 8 * i));
	out[6] = (uint8_t)(0x70 | (out[6] & 0x0f)); /* version 7 */
	out[8] = (uint8_t)(0x80 | (out[8] & 0x3f)); /* variant 10 */
	return 0;
}

/*
 * Hex by hand here and in uuid7_parse, not sodium_bin2hex/hex2bin: the
 * changeset encoder and the canonical reader run both once per operation
 * (the hub's hot path), and the dashes sit at fixed places.
 */
void
uuid7_format(const uint8_t id[UUID7_BYTES], char out[UUID7_STRLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int i = 0; i < UUID7_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 0x0f];
	}
	out[o] = '\0';
}

static int
uuid7_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
uuid7_parse(const char *s, uint8_t out[UUID7_BYTES])
{
	uint8_t tmp[UUID7_BYTES];
	size_t i = 0;

	if (s == NULL || strlen(s) != UUID7_STRLEN)
		return TERR_PARSE;
	for (int b = 0; b < UUID7_BYTES; b++) {
		int hi, lo;

		if (b == 4 || b == 6 || b == 8 || b == 10) {
			if (s[i++] != '-')
				return TERR_PARSE;
		}
		hi = uuid7_hexval(s[i++]);
		lo = uuid7_hexval(s[i++]);
		if (hi < 0 || lo < 0)
			return TERR_PARSE;
		tmp[b] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

uint64_t
uuid7_unix_ms(const uint8_t id[UUID7_BYTES])
{
	uint64_t ms = 0;

	for (int i = 0; i < 6; i++)
		ms = ms << 8 | id[i];
	return ms;
}
