/* SVG writer: see svg.h. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "lib/svg.h"

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (1..4) that XML 1.0 allows, or 0 if the bytes
 * are not one (invalid, overlong, surrogate, control character, U+FFFE/U+FFFF). */
static size_t utf8_char_len(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];
	uint32_t cp;
	size_t n;

	if (c < 0x80)
		return (c >= 0x20 || c == '\t') && c != 0x7f ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0; /* overlong or out of range */
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	if (cp >= 0x80 && cp <= 0x9f)
		return 0; /* C1 controls: legal XML but meaningless in a name */
	return n;
}

static const char *entity_of(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

/* Writes one character (or its replacement) and returns the bytes consumed. */
static size_t escape_one(FILE *f, const unsigned char *s, size_t avail)
{
	size_t n = utf8_char_len(s, avail);
	const char *e;

	if (n == 0) {
		fputs(replacement, f);
		return 1;
	}
	if (n == 1 && (e = entity_of(s[0])))
		fputs(e, f);
	else
		fwrite(s, 1, n, f);
	return n;
}

void svg_escape(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		size_t run = i;
		/* plain printable ASCII goes out in one fwrite */
		while (run < len && s[run] >= 0x20 && s[run] < 0x7f && !entity_of(s[run]))
			run++;
		if (run > i) {
			fwrite(s + i, 1, run - i, f);
			i = run;
			continue;
		}
		i += escape_one(f, s + i, len - i);
	}
}

void svg_escape_str(FILE *f, const char *s)
{
	svg_escape(f, s, strlen(s));
}

/* Counts characters as svg_escape will write them (a replaced byte is one character). */
static size_t count_chars(const unsigned char *s, size_t len, size_t stop_after)
{
	size_t chars = 0;

	for (size_t i = 0; i < len && chars <= stop_after; chars++) {
		size_t n = utf8_char_len(s + i, len - i);
		i += n ? n : 1;
	}
	return chars;
}

size_t svg_escape_fit(FILE *f, const char *str, size_t len, size_t max_chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t total = count_chars(s, len, max_chars), keep, i = 0;

	if (total <= max_chars) {
		svg_escape(f, str, len);
		return total;
	}
	if (max_chars < 3)
		return 0;
	keep = max_chars - 2;
	for (size_t c = 0; c < keep && i < len; c++)
		i += escape_one(f, s + i, len - i);
	fputs("..", f);
	return max_chars;
}

void svg_num(FILE *f, double v)
{
	char buf[64];
	int n;

	if (!isfinite(v))
		v = 0;
	n = snprintf(buf, sizeof(buf), "%.2f", v);
	while (n > 0 && buf[n - 1] == '0')
		n--;
	if (n > 0 && buf[n - 1] == '.')
		n--;
	if (n == 2 && buf[0] == '-' && buf[1] == '0')
		buf[0] = '0', n = 1; /* "-0" */
	fwrite(buf, 1, n, f);
}

void svg_begin(FILE *f, double width, double height, const char *extra_attrs)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<svg version=\"1.1\" width=\"", f);
	svg_num(f, width);
	fputs("\" height=\"", f);
	svg_num(f, height);
	fputs("\" viewBox=\"0 0 ", f);
	svg_num(f, width);
	fputc(' ', f);
	svg_num(f, height);
	fputs("\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", f);
	if (extra_attrs) {
		fputc(' ', f);
		fputs(extra_attrs, f);
	}
	fputs(">\n", f);
}

void svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

void svg_rect(FILE *f, double x, double y, double w, double h, const char *fill,
	      const char *extra_attrs)
{
	fputs("<rect x=\"", f);
	svg_num(f, x);
	fputs("\" y=\"", f);
	svg_num(f, y);
	fputs("\" width=\"", f);
	svg_num(f, w);
	fputs("\" height=\"", f);
	svg_num(f, h);
	fputs("\" fill=\"", f);
	svg_escape_str(f, fill);
	fputc('"', f);
	if (extra_attrs) {
		fputc(' ', f);
		fputs(extra_attrs, f);
	}
	fputs("/>", f);
}

void svg_text(FILE *f, double x, double y, const char *extra_attrs, const char *text)
{
	fputs("<text x=\"", f);
	svg_num(f, x);
	fputs("\" y=\"", f);
	svg_num(f, y);
	fputc('"', f);
	if (extra_attrs) {
		fputc(' ', f);
		fputs(extra_attrs, f);
	}
	fputc('>', f);
	svg_escape_str(f, text);
	fputs("</text>\n", f);
}
