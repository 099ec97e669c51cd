/* Latency heat maps: time in columns, latency in rows, colour by count.
 *
 * Streaming: points go straight into a grid of counts, so memory depends on the picture,
 * not on the number of points. Per-event tracers take `--heatmap FILE` with:
 *     struct heatmap_opts o;
 *     heatmap_opts_default(&o);
 *     o.title = "Block I/O latency";
 *     struct heatmap *h = heatmap_new(&o);
 *     ... heatmap_add(h, seconds_since_start, latency_us); for every event ...
 *     heatmap_write_svg(h, path);   (prints its own error, returns EXIT_RUNTIME on failure)
 *     heatmap_free(h);
 *
 * Rows: with --maxlat, rows are exactly (maxlat - minlat) / rows wide (or --steplat), and
 * the top row includes maxlat itself. Without it, the row height is the smallest power of
 * two (in the latency unit) that fits every latency seen in at most `rows` rows: rows merge
 * pairwise as larger latencies arrive, which keeps the counts exact while streaming. */
#ifndef WHYSLOW_RENDER_HEATMAP_H
#define WHYSLOW_RENDER_HEATMAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct heatmap_opts {
	const char *title;      /* "Latency Heat Map" */
	const char *subtitle;   /* NULL: a summary of the points */
	const char *unitslabel; /* latency unit shown on the axis: "us" */
	double minlat;          /* 0: latencies below are dropped (and counted) */
	double maxlat;          /* 0: automatic; latencies above are dropped (and counted) */
	double steplat;         /* row height; 0: from rows */
	unsigned rows;          /* 50 */
	double stepsec;         /* column width in seconds: 1 */
	unsigned boxsize;       /* cell size in pixels: 8 */
	unsigned max_columns;   /* guard against a tiny --stepsec: 100000 */
};

struct heatmap;

void heatmap_opts_default(struct heatmap_opts *o);
/* Returns NULL when out of memory or when the options contradict each other
 * (maxlat <= minlat, negative steps). */
struct heatmap *heatmap_new(const struct heatmap_opts *o);
/* Adds one point. Returns 0, 1 when the point is out of the latency range (dropped and
 * counted), or -1 when the grid cannot grow (too many columns or rows, out of memory,
 * non-finite numbers). */
int heatmap_add(struct heatmap *h, double time_s, double latency);
/* Parses one input line "time latency" (blanks around, '#' comments, CR tolerated) and
 * adds it, time multiplied by time_scale to make seconds. Returns 0 (added, or a blank or
 * comment line), 1 (out of range: dropped and counted), 2 (malformed: not two numbers),
 * or -1 as heatmap_add. */
int heatmap_add_line(struct heatmap *h, const char *line, size_t len, double time_scale);
/* Writes the SVG. Returns 0, or -1 on a write error. */
int heatmap_write(const struct heatmap *h, FILE *f);
/* Writes the SVG to path ("-": stdout). Returns 0 or EXIT_RUNTIME (message printed). */
int heatmap_write_svg(const struct heatmap *h, const char *path);
void heatmap_free(struct heatmap *h);

/* The grid as drawn, for tests and summaries. */
struct heatmap_shape {
	unsigned columns, rows;
	double t0;       /* start of column 0, seconds */
	double stepsec;
	double minlat, steplat;
	uint64_t points, below, above, max_count;
};
void heatmap_shape(const struct heatmap *h, struct heatmap_shape *s);
/* Count of cell (column, row); row 0 is the lowest latency. */
uint64_t heatmap_cell(const struct heatmap *h, unsigned column, unsigned row);

#endif
