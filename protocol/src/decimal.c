/* decimal — the decimal-number parser (decimal.h). */
#include "tetrad/decimal.h"

int
decimal_parse(const char *s, bool integral, double *out)
{
	static const double p10[DECIMAL_DIGITS_MAX + 1] = { 1e0, 1e1, 1e2, 1e3, 1e4,
	    1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	double mant = 0;
	int neg = 0, digits = 0, frac = 0, seen_sep = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			if (digits > 0 || *s != '0')
				digits++;
			if (digits > DECIMAL_DIGITS_MAX)
				return -1;
			mant = mant * 10 + (*s - '0');
			if (seen_sep && ++frac > DECIMAL_DIGITS_MAX)
				return -1;
		} else if ((*s == '.' || *s == ',') && !seen_sep && !integral) {
			seen_sep = 1;
			if (!(s[1] >= '0' && s[1] <= '9'))
				return -1;
		} else {
			return -1;
		}
	}
	*out = (neg ? -mant : mant) / p10[frac];
	if (*out == 0)
		*out = 0;   /* no "-0" */
	return 0;
}
