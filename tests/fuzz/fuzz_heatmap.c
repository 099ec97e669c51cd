/* libFuzzer target for the heat-map parser and grid: lines of "time latency" through
 * heatmap_add_line, with the grid mode (fixed rows, growing rows, power-of-two rows) and
 * steps chosen by the first bytes, then the SVG written to /dev/null. Checks that every
 * point added is in exactly one cell. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/heatmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct heatmap_opts o;
	struct heatmap_shape s;
	uint8_t mode = size ? data[0] : 0, step = size > 1 ? data[1] : 1;
	const char *text = (const char *)data + (size > 2 ? 2 : size);
	size_t len = size > 2 ? size - 2 : 0;
	uint64_t failures = 0;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	heatmap_opts_default(&o);
	o.max_columns = 2000;
	o.rows = 1 + step % 64;
	o.stepsec = (step % 7 + 1) * 0.25;
	if (mode % 3 == 0)
		o.maxlat = 1 + step * 10;
	else if (mode % 3 == 1)
		o.steplat = 1 + step % 50;
	o.minlat = (mode & 4) ? 5 : 0;
	struct heatmap *h = heatmap_new(&o);
	if (!h)
		return 0;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', end - p), *stop = nl ? nl : end;
		if (heatmap_add_line(h, p, stop - p, (mode & 8) ? 1e-3 : 1) < 0)
			failures++; /* the grid refused to grow: fine, as long as it stays sound */
		p = stop + 1;
	}
	heatmap_shape(h, &s);
	uint64_t sum = 0;
	for (unsigned c = 0; c < s.columns; c++)
		for (unsigned r = 0; r < s.rows; r++)
			sum += heatmap_cell(h, c, r);
	if (sum != s.points)
		abort();
	(void)failures;
	heatmap_write(h, devnull);
	heatmap_free(h);
	return 0;
}
