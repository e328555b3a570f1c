/*
 * decimal — the one parser of decimal numbers written by people and
 * spreadsheets: a form's integer and decimal answers, results and settings
 * files, report settings. Locale-independent.
 */
#ifndef TETRAD_DECIMAL_H
#define TETRAD_DECIMAL_H

#include <stdbool.h>

#define DECIMAL_DIGITS_MAX 15   /* significant digits, and digits after the separator */

/*
 * Parses [+-]digits[(.|,)digits] (a leading separator, ",5", is 0.5) into
 * *out. With integral, no separator is allowed. At most DECIMAL_DIGITS_MAX
 * significant digits, so the result is the correctly rounded double
 * (mantissa and power of ten are exact); never "-0". Returns 0, or -1 when
 * s is not such a number (nothing else: no spaces, no exponent, no "inf").
 */
int decimal_parse(const char *s, bool integral, double *out);

#endif
