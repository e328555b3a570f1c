/*
 * plant_search — byte search of a database's files (the file, -wal, -shm,
 * -journal) for planted values, as UTF-8, UTF-16LE and JSON escapes
 * ("\\u0417…", lower and upper hex): what a stolen copy of the files would
 * show.
 * For the unit tests (test_passphrase); static, like check.h.
 */
#ifndef TETRAD_TEST_PLANT_SEARCH_H
#define TETRAD_TEST_PLANT_SEARCH_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
utf16le(const char *s, char *out, size_t cap, size_t *n)
{
	const unsigned char *p = (const unsigned char *)s;

	*n = 0;
	while (*p && *n + 2 <= cap) {
		unsigned cp;

		if (*p < 0x80)
			cp = *p++;
		else if ((*p & 0xe0) == 0xc0) {
			cp = (unsigned)(*p & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else {
			cp = (unsigned)(*p & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 |
			    (p[2] & 0x3f);
			p += 3;
		}
		out[(*n)++] = (char)(cp & 0xff);
		out[(*n)++] = (char)(cp >> 8);
	}
}

/* JSON escape of the first characters: \u0417\u044e… (lower or upper hex). */
static void
json_escaped(const char *s, bool upper, char *out, size_t cap)
{
	char u16[64];
	size_t n, o = 0;

	utf16le(s, u16, sizeof(u16), &n);
	for (size_t i = 0; i + 1 < n && o + 7 < cap; i += 2)
		o += (size_t)snprintf(out + o, cap - o, upper ? "\\u%02X%02X" : "\\u%02x%02x",
		    (unsigned char)u16[i + 1], (unsigned char)u16[i]);
	out[o] = '\0';
}

/* 1 when the file holds needle (n bytes), 0 when not or absent. */
static int
file_has(const char *path, const void *needle, size_t n)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long len;
	int found = 0;

	if (fp == NULL)
		return 0;
	if (fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) > 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len)) != NULL &&
	    fread(buf, 1, (size_t)len, fp) == (size_t)len)
		found = memmem(buf, (size_t)len, needle, n) != NULL;
	free(buf);
	fclose(fp);
	return found;
}

/* Hits of every planted value (n of them) in every form, in db, -wal,
 * -shm, -journal; each is named on stderr with why. */
static int
plant_hits(const char *db, const char *const *plants, size_t np, const char *why)
{
	const char *suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[600], u16[128], esc[128];
	size_t n;
	int hits = 0;

	for (size_t i = 0; i < np; i++)
		for (size_t k = 0; k < sizeof(suffix) / sizeof(suffix[0]); k++) {
			snprintf(path, sizeof(path), "%s%s", db, suffix[k]);
			utf16le(plants[i], u16, sizeof(u16), &n);
			int h = file_has(path, plants[i], strlen(plants[i])) +
			    file_has(path, u16, n);
			for (int up = 0; up < 2; up++) {
				json_escaped(plants[i], up, esc, sizeof(esc));
				h += file_has(path, esc, strlen(esc));
			}
			if (h)
				fprintf(stderr, "  %s: «%s» found in %s\n", why, plants[i], path);
			hits += h;
		}
	return hits;
}

#endif
