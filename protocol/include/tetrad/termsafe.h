/*
 * termsafe — the one way text that came from outside (a device, a hub's
 * reason, a stored row) is made safe to print on a terminal or in a log.
 *
 * Every byte that would steer a terminal or reorder what a person reads is
 * written as a visible escape instead: C0 controls (tab and newline too),
 * DEL and the backslash as \xNN or \\, C1 controls (U+0080–U+009F) and the
 * bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) as
 * \uNNNN, and each byte that is not part of valid UTF-8 as \xNN. Everything
 * else, Cyrillic included, is copied as it is. The result is valid UTF-8
 * with no control character, and different inputs give different outputs.
 */
#ifndef TETRAD_TERMSAFE_H
#define TETRAD_TERMSAFE_H

#include <stddef.h>

/* Bytes the escaped form of n input bytes can take, NUL included. */
#define TERMSAFE_CAP(n) ((n) * 4 + 1)

/*
 * Writes the escaped form of s (len bytes) to out (cap bytes, cap > 0),
 * NUL-terminated; an escape or a character that does not fit is left out
 * whole, with everything after it. Returns the length the whole escaped
 * form has (like snprintf): the result is complete if it is below cap.
 */
size_t termsafe_write(char *out, size_t cap, const char *s, size_t len);

/* The escaped form of the string s in a new malloc'd string (the caller
 * frees it); NULL on no memory. A NULL s gives "". */
char *termsafe_dup(const char *s);

/*
 * The same characters escaped for the inside of a JSON string (quotes not
 * included): \" and \\, every control, C1 and bidi character as \uNNNN,
 * each invalid byte as \ufffd. Output a person may pipe to a terminal.
 * malloc'd; NULL on no memory; a NULL s gives "".
 */
char *termsafe_json_dup(const char *s);

/* Whether s (len bytes) would be copied unchanged. */
int termsafe_clean(const char *s, size_t len);

#endif
