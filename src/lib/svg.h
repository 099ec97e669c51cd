/* A small SVG writer: document frame, rectangles, text, and XML escaping that also makes
 * arbitrary bytes safe (invalid UTF-8 and control characters become U+FFFD), so frame
 * names from binaries or garbage input can never produce a malformed document. */
#ifndef WHYSLOW_SVG_H
#define WHYSLOW_SVG_H

#include <stddef.h>
#include <stdio.h>

/* Writes s[0..len) escaped for XML text and attribute values (&, <, >, ", '). */
void svg_escape(FILE *f, const char *s, size_t len);
void svg_escape_str(FILE *f, const char *s);

/* Writes at most max_chars characters of s (UTF-8 aware, counted in code points),
 * escaped; if s is longer, the last two kept characters are replaced by "..".
 * Returns the number of characters written (0 when fewer than 3 would fit). */
size_t svg_escape_fit(FILE *f, const char *s, size_t len, size_t max_chars);

/* Opens the document: XML declaration, <svg> with width, height and viewBox.
 * extra_attrs (may be NULL) is written verbatim inside the <svg> tag. */
void svg_begin(FILE *f, double width, double height, const char *extra_attrs);
void svg_end(FILE *f);

/* <rect x y width height fill [extra]/>, coordinates with two decimals. */
void svg_rect(FILE *f, double x, double y, double w, double h, const char *fill,
	      const char *extra_attrs);
/* <text x y [extra]>escaped text</text> */
void svg_text(FILE *f, double x, double y, const char *extra_attrs, const char *text);

/* "12.34" without trailing zeros ("12.3", "12"): short output for big documents. */
void svg_num(FILE *f, double v);

#endif
