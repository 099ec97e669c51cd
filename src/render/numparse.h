/* Hand-written decimal parsing for the renderers' hot loops (folded counts, heat-map
 * points): strtod is locale-aware and about ten times slower. Plain decimals of up to 15
 * significant digits are exact (digits / 10^k is one correctly rounded division);
 * anything else (exponents, more digits) falls back to strtod on a bounded copy. */
#ifndef WHYSLOW_RENDER_NUMPARSE_H
#define WHYSLOW_RENDER_NUMPARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The largest sample count the renderers take: sums of such counts stay finite. */
#define NUMPARSE_COUNT_MAX 1e300

static const double numparse_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Parses a number at s[0..len): [-+]digits[.digits][e[-+]digits]. Sets *end to the first
 * byte after it. Returns false (and *end = s) if there is no number there. */
static inline bool numparse_double(const char *s, const char *limit, double *out,
				   const char **end)
{
	const char *p = s;
	uint64_t mant = 0;
	int digits = 0, frac = 0;
	bool neg = false, exact = true;

	*end = s;
	if (p < limit && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	const char *start_digits = p;
	for (; p < limit && (unsigned)(*p - '0') < 10; p++) {
		if (digits < 19)
			mant = mant * 10 + (unsigned)(*p - '0');
		else
			exact = false;
		if (mant || digits)
			digits++;
	}
	if (p < limit && *p == '.') {
		p++;
		for (; p < limit && (unsigned)(*p - '0') < 10; p++) {
			if (digits < 19) {
				mant = mant * 10 + (unsigned)(*p - '0');
				frac++;
			} else {
				exact = false;
			}
			if (mant || digits)
				digits++;
		}
	}
	if (p == start_digits || (p == start_digits + 1 && *start_digits == '.'))
		return false;
	if (p < limit && (*p == 'e' || *p == 'E'))
		exact = false;
	if (exact && frac <= 22) {
		double v = (double)mant / numparse_pow10[frac];
		*out = neg ? -v : v;
		*end = p;
		return true;
	}
	/* rare forms: copy a bounded token and let strtod decide */
	char buf[128];
	size_t n = 0;
	for (const char *q = s; q < limit && n < sizeof(buf) - 1; q++) {
		char c = *q;
		if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' ||
		      c == '+'))
			break;
		buf[n++] = c;
	}
	buf[n] = 0;
	char *e;
	double v = strtod(buf, &e);
	if (e == buf)
		return false;
	*out = v;
	*end = s + (e - buf);
	return true;
}

#endif
