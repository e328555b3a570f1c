/*
 * termsafe — outside text made safe to print (termsafe.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/termsafe.h"

/*
 * Length of the valid UTF-8 character at s (n bytes left) and its code
 * point, or 0 if the bytes there are not one: overlong forms, surrogates
 * and code points past U+10FFFF are not characters.
 */
static size_t
termsafe_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		v = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		v = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		v = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Whether code point cp must be escaped although it is valid UTF-8. */
static int
termsafe_hidden(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || cp == '\\' || (cp >= 0x80 && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The escaping of termsafe_write, or with json the body of a JSON string. */
static size_t
termsafe_put(char *out, size_t cap, const char *s, size_t len, int json)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, total = 0;
	int full = cap == 0;

	while (i < len) {
		char esc[16];
		const char *piece;
		size_t pl, cl;
		uint32_t cp;

		cl = termsafe_char(u + i, len - i, &cp);
		if (cl == 0 && json) {
			/* JSON has no bytes, only characters: U+FFFD stands in */
			piece = "\\ufffd";
			pl = 6;
			cl = 1;
		} else if (cl == 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", u[i]);
			piece = esc;
			pl = 4;
			cl = 1;
		} else if (cp == '\\' || (json && cp == '"')) {
			piece = cp == '"' ? "\\\"" : "\\\\";
			pl = 2;
		} else if (termsafe_hidden(cp)) {
			if (cp < 0x80 && !json)
				snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)cp);
			else
				snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			piece = esc;
			pl = strlen(esc);
		} else {
			piece = s + i;
			pl = cl;
		}
		if (!full && o + pl < cap) {
			memcpy(out + o, piece, pl);
			o += pl;
		} else
			full = 1;
		total += pl;
		i += cl;
	}
	if (cap > 0)
		out[o] = '\0';
	return total;
}

size_t
termsafe_write(char *out, size_t cap, const char *s, size_t len)
{
	return termsafe_put(out, cap, s, len, 0);
}

static char *
termsafe_dup_as(const char *s, int json)
{
	size_t n, need;
	char *out;

	if (s == NULL)
		s = "";
	n = strlen(s);
	need = termsafe_put(NULL, 0, s, n, json) + 1;
	if ((out = malloc(need)) == NULL)
		return NULL;
	termsafe_put(out, need, s, n, json);
	return out;
}

char *
termsafe_dup(const char *s)
{
	return termsafe_dup_as(s, 0);
}

char *
termsafe_json_dup(const char *s)
{
	return termsafe_dup_as(s, 1);
}

int
termsafe_clean(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t cl = termsafe_char(u + i, len - i, &cp);

		if (cl == 0 || termsafe_hidden(cp))
			return 0;
		i += cl;
	}
	return 1;
}
