/* Flame graphs: a frame tree (folded.h) laid out and written as one self-contained,
 * interactive SVG (tooltips, details line, click to zoom, search with matched percentage).
 *
 * Other commands render directly, e.g. `profile --flamegraph FILE`:
 *     struct flamegraph_opts o;
 *     flamegraph_opts_default(&o);
 *     o.title = "CPU profile";
 *     flamegraph_write_file("out.svg", folded_stream, &o);
 * or, without going through text, add stacks to a frame tree and call flamegraph_write. */
#ifndef WHYSLOW_RENDER_FLAMEGRAPH_H
#define WHYSLOW_RENDER_FLAMEGRAPH_H

#include <stdbool.h>
#include <stdio.h>
#include "render/folded.h"

enum flame_palette {
	PAL_HOT, PAL_MEM, PAL_IO, PAL_WAKEUP, PAL_JAVA, PAL_JS, PAL_PERL, PAL_RED, PAL_GREEN,
	PAL_BLUE, PAL_AQUA, PAL_YELLOW, PAL_PURPLE, PAL_ORANGE,
};

struct flamegraph_opts {
	const char *title;     /* NULL: "Flame Graph", "Icicle Graph" or "Flame Chart" */
	const char *subtitle;  /* NULL: none */
	const char *countname; /* "samples" */
	const char *nametype;  /* "Function:" (details line prefix) */
	unsigned width;        /* image width in pixels, 1200 */
	unsigned frame_height; /* 16 */
	unsigned fontsize;     /* 12 */
	double minwidth;       /* frames narrower than this many pixels are omitted: 0.1 */
	bool minwidth_percent; /* minwidth is a percentage of the total instead */
	enum flame_palette palette;
	bool hash;             /* colours by name hash: similar names, similar colours */
	const char *palette_file; /* consistent palette: name->rgb(r,g,b) lines, read and updated */
	bool reverse;          /* stacks leaf first (merged from the leaves) */
	bool inverted;         /* icicle: roots at the top */
	bool flamechart;       /* input order on x instead of sorted names */
	bool negate;           /* differential: swap red and blue */
	bool normalize;        /* differential: scale "before" to the "after" total first */
};

void flamegraph_opts_default(struct flamegraph_opts *o);
/* Parses a palette name ("hot", "java", ...). Returns -1 if unknown. */
int flamegraph_palette_parse(const char *name, enum flame_palette *out);

/* Lays out the tree and writes the SVG. Returns 0, or -1 (out of memory, write error). */
int flamegraph_write(const struct frame_tree *t, const struct flamegraph_opts *o, FILE *out);

/* Reads folded stacks from folded_in and writes the SVG to svg_path ("-": stdout).
 * Warnings and errors go to stderr as "whyslow CMD: ...". Returns 0 or EXIT_RUNTIME. */
int flamegraph_write_file(const char *svg_path, FILE *folded_in, const struct flamegraph_opts *o);

/* --- layout, exposed for tests --- */
struct flame_box {
	uint32_t node;
	uint32_t depth;  /* root = 0 */
	double x;        /* start, in samples from the left edge */
	double width;    /* in samples (the node's count) */
};
struct flame_layout {
	struct flame_box *boxes; /* depth-first, parents before children */
	size_t nboxes;
	uint32_t max_depth;
	double total;
	double min_count; /* boxes narrower than this were left out */
};
int flame_layout_build(const struct frame_tree *t, const struct flamegraph_opts *o,
		       struct flame_layout *l);
void flame_layout_free(struct flame_layout *l);

#endif
