/* whyslow flamegraph: folded stacks to an interactive SVG flame graph.
 *
 * Stacks merge into a frame tree as they stream (folded.c); the layout then keeps only
 * frames wide enough to see (--minwidth), so the SVG's size depends on the picture, not
 * on the input. Siblings are ordered by name (flame charts: input order), widths are
 * inclusive counts, a parent is exactly as wide as its count and its children never
 * exceed it. The viewer script (flamegraph_js.c) is embedded: the file opens anywhere
 * with no network. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lib/cli.h"
#include "lib/svg.h"
#include "render/flamegraph.h"
#include "render/flamegraph_js.h"
#include "render/palette.h"
#include "render/render_cli.h"

#define XPAD 10.0
#define CHAR_WIDTH 0.59 /* average glyph width in ems, for label fitting (as the JS does) */

static const char *const palette_names[] = {
	[PAL_HOT] = "hot", [PAL_MEM] = "mem", [PAL_IO] = "io", [PAL_WAKEUP] = "wakeup",
	[PAL_JAVA] = "java", [PAL_JS] = "js", [PAL_PERL] = "perl", [PAL_RED] = "red",
	[PAL_GREEN] = "green", [PAL_BLUE] = "blue", [PAL_AQUA] = "aqua",
	[PAL_YELLOW] = "yellow", [PAL_PURPLE] = "purple", [PAL_ORANGE] = "orange",
};

void flamegraph_opts_default(struct flamegraph_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->countname = "samples";
	o->nametype = "Function:";
	o->width = 1200;
	o->frame_height = 16;
	o->fontsize = 12;
	o->minwidth = 0.1;
	o->palette = PAL_HOT;
}

int flamegraph_palette_parse(const char *name, enum flame_palette *out)
{
	for (size_t i = 0; i < sizeof(palette_names) / sizeof(palette_names[0]); i++)
		if (strcmp(name, palette_names[i]) == 0) {
			*out = (enum flame_palette)i;
			return 0;
		}
	return -1;
}

/* --- layout --- */

static uint32_t find_sorted(const uint32_t *v, uint32_t n, uint32_t id)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == id ? lo : UINT32_MAX;
}

struct sort_ctx {
	const struct frame_tree *t;
	const uint32_t *vis;
};

static int cmp_vis_by_name(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	uint32_t la, lb;
	const char *sa = frame_name(c->t, c->vis[*(const uint32_t *)a], &la);
	const char *sb = frame_name(c->t, c->vis[*(const uint32_t *)b], &lb);
	int r = memcmp(sa, sb, la < lb ? la : lb);

	return r ? r : (la > lb) - (la < lb);
}

/* Flame charts keep hidden siblings' space: x of every node from input order. */
static double *flamechart_x(const struct frame_tree *t)
{
	double *x = malloc((size_t)t->nnodes * sizeof(double));
	double *cursor = malloc((size_t)t->nnodes * sizeof(double));

	if (!x || !cursor) {
		free(x);
		free(cursor);
		return NULL;
	}
	x[0] = cursor[0] = 0;
	for (uint32_t id = 1; id < t->nnodes; id++) {
		uint32_t p = t->node_parent[id];
		x[id] = cursor[id] = cursor[p];
		cursor[p] += t->count[id];
	}
	free(cursor);
	return x;
}

int flame_layout_build(const struct frame_tree *t, const struct flamegraph_opts *o,
		       struct flame_layout *l)
{
	double plotw = (o->width > 2 * XPAD + 1 ? o->width : 2 * XPAD + 1) - 2 * XPAD;
	uint32_t *vis = NULL, *cstart = NULL, *clist = NULL, *cursor = NULL, *stack = NULL;
	double *fx = NULL, *xnext = NULL;
	uint32_t nv = 0, sp = 0;
	int rc = -1;

	memset(l, 0, sizeof(*l));
	l->total = t->count[FRAME_ROOT];
	if (!(l->total > 0))
		return 0;
	l->min_count = o->minwidth_percent ? l->total * o->minwidth / 100.0
					   : o->minwidth * l->total / plotw;
	if (l->min_count > l->total) /* a minimum wider than the plot: the root box stays */
		l->min_count = l->total;
	/* visible nodes in id order; a parent is never narrower than its children */
	for (uint32_t id = 0; id < t->nnodes; id++)
		nv += t->count[id] > 0 && t->count[id] >= l->min_count;
	vis = malloc((size_t)nv * sizeof(*vis));
	cstart = calloc((size_t)nv + 1, sizeof(*cstart));
	clist = malloc((size_t)nv * sizeof(*clist));
	cursor = malloc((size_t)nv * sizeof(*cursor));
	stack = malloc((size_t)nv * sizeof(*stack));
	xnext = malloc((size_t)nv * sizeof(*xnext));
	l->boxes = malloc((size_t)nv * sizeof(*l->boxes));
	if (!vis || !cstart || !clist || !cursor || !stack || !xnext || !l->boxes)
		goto out;
	nv = 0;
	for (uint32_t id = 0; id < t->nnodes; id++)
		if (t->count[id] > 0 && t->count[id] >= l->min_count)
			vis[nv++] = id;
	/* children lists over visible nodes (cursor holds each one's parent index first) */
	for (uint32_t k = 1; k < nv; k++) {
		cursor[k] = find_sorted(vis, nv, t->node_parent[vis[k]]);
		if (cursor[k] != UINT32_MAX)
			cstart[cursor[k] + 1]++;
	}
	for (uint32_t k = 0; k < nv; k++)
		cstart[k + 1] += cstart[k];
	{
		uint32_t *fill = stack; /* scratch, reused below */
		memcpy(fill, cstart, (size_t)nv * sizeof(*fill));
		for (uint32_t k = 1; k < nv; k++)
			if (cursor[k] != UINT32_MAX)
				clist[fill[cursor[k]]++] = k;
	}
	if (o->flamechart) {
		if (!(fx = flamechart_x(t)))
			goto out;
	} else {
		struct sort_ctx sc = {t, vis};
		for (uint32_t k = 0; k < nv; k++)
			if (cstart[k + 1] - cstart[k] > 1)
				qsort_r(clist + cstart[k], cstart[k + 1] - cstart[k], sizeof(uint32_t),
					cmp_vis_by_name, &sc);
	}
	/* depth-first, parents before children; cursor[] now walks each child list */
	for (uint32_t k = 0; k < nv; k++)
		cursor[k] = cstart[k];
	stack[sp++] = 0;
	xnext[0] = 0;
	l->boxes[0] = (struct flame_box){FRAME_ROOT, 0, 0, l->total};
	l->nboxes = 1;
	/* boxidx[i]: the box of stack entry i, the parent of the next child found there */
	uint32_t *boxidx = malloc((size_t)nv * sizeof(uint32_t));
	if (!boxidx)
		goto out;
	boxidx[0] = 0;
	while (sp > 0) {
		uint32_t k = stack[sp - 1];
		if (cursor[k] == cstart[k + 1]) {
			sp--;
			continue;
		}
		uint32_t c = clist[cursor[k]++];
		const struct flame_box *pb = &l->boxes[boxidx[sp - 1]];
		double x = o->flamechart ? fx[vis[c]] : xnext[sp - 1];
		xnext[sp - 1] = x + t->count[vis[c]];
		l->boxes[l->nboxes] = (struct flame_box){vis[c], pb->depth + 1, x, t->count[vis[c]]};
		if (pb->depth + 1 > l->max_depth)
			l->max_depth = pb->depth + 1;
		boxidx[sp] = l->nboxes++;
		xnext[sp] = x;
		stack[sp++] = c;
	}
	free(boxidx);
	rc = 0;
out:
	if (rc < 0)
		flame_layout_free(l);
	free(vis), free(cstart), free(clist), free(cursor), free(stack), free(xnext), free(fx);
	return rc;
}

void flame_layout_free(struct flame_layout *l)
{
	free(l->boxes);
	memset(l, 0, sizeof(*l));
}

/* --- SVG --- */

static void format_count(char *buf, size_t size, double v)
{
	char digits[64];
	int n, j = 0;

	if (v != floor(v) || v >= 1e18) {
		snprintf(buf, size, "%.2f", v);
		return;
	}
	n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	for (int i = 0; i < n && (size_t)j + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = digits[i];
	}
	buf[j] = 0;
}

static const char *default_title(const struct flamegraph_opts *o)
{
	if (o->title)
		return o->title;
	return o->flamechart ? "Flame Chart" : o->inverted ? "Icicle Graph" : "Flame Graph";
}

static void write_head(FILE *f, const struct flamegraph_opts *o, double width, double height,
		       double plotw, bool diff)
{
	const char *bg1 = "#eeeeee", *bg2 = "#eeeeb0";
	double fs = o->fontsize;

	if (diff || o->palette != PAL_HOT)
		bg1 = "#f8f8f8", bg2 = "#e8e8e8";
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", f);
	fputs("<!-- whyslow flamegraph: click a frame to zoom, Ctrl-F to search -->\n", f);
	fprintf(f, "<svg version=\"1.1\" width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\" "
		   "xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
		   "data-fontsize=\"%g\" data-xpad=\"%g\" data-plotw=\"%g\" data-inverted=\"%d\" "
		   "data-nametype=\"",
		width, height, width, height, fs, XPAD, plotw, o->inverted ? 1 : 0);
	svg_escape_str(f, o->nametype ? o->nametype : "");
	fputs("\">\n", f);
	fprintf(f, "<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		   "<stop stop-color=\"%s\" offset=\"5%%\"/><stop stop-color=\"%s\" offset=\"95%%\"/>"
		   "</linearGradient></defs>\n", bg1, bg2);
	fprintf(f, "<style type=\"text/css\">\n"
		   "text { font-family: Verdana, sans-serif; font-size: %gpx; fill: rgb(0,0,0); }\n"
		   "#title { text-anchor: middle; font-size: %gpx; }\n"
		   "#subtitle { text-anchor: middle; fill: rgb(110,110,110); }\n"
		   "#search, #matched { text-anchor: end; }\n"
		   "#search, #unzoom { cursor: pointer; opacity: 0.4; }\n"
		   "#search:hover, #unzoom:hover { opacity: 1; }\n"
		   "#frames > g { cursor: pointer; }\n"
		   "#frames > g:hover > rect { stroke: rgb(0,0,0); stroke-width: 0.5; }\n"
		   "#frames text { pointer-events: none; }\n"
		   ".hide { display: none; }\n"
		   ".parent { opacity: 0.5; }\n"
		   "</style>\n", fs, fs + 5);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%g\" height=\"%g\" fill=\"url(#background)\"/>\n",
		width, height);
	svg_text(f, width / 2, fs * 2, "id=\"title\"", default_title(o));
	if (o->subtitle)
		svg_text(f, width / 2, fs * 3.6, "id=\"subtitle\"", o->subtitle);
	svg_text(f, XPAD, height - (fs + 10) / 2 - 2, "id=\"details\"", " ");
	svg_text(f, XPAD, fs * 2, "id=\"unzoom\" class=\"hide\"", "Reset Zoom");
	svg_text(f, width - XPAD, fs * 2, "id=\"search\"", "Search");
	svg_text(f, width - XPAD, height - (fs + 10) / 2 - 2, "id=\"matched\"", " ");
}

struct emit_ctx {
	const struct frame_tree *t;
	const struct flamegraph_opts *o;
	struct palette_map *map;
	double *self_delta; /* differential only */
	double max_delta;
};

static struct rgb frame_color(struct emit_ctx *e, uint32_t node, const char *name, size_t len)
{
	struct rgb c;

	if (e->self_delta)
		return palette_diff_color(e->o->negate ? -e->self_delta[node] : e->self_delta[node],
					  e->max_delta);
	if (e->map && palette_map_get(e->map, name, len, &c))
		return c;
	c = palette_color(e->o->palette, e->o->hash, name, len);
	if (e->map)
		palette_map_put(e->map, name, len, c);
	return c;
}

static void write_frame(FILE *f, struct emit_ctx *e, const struct flame_box *b, double scale,
			double y)
{
	const struct flamegraph_opts *o = e->o;
	uint32_t len;
	const char *name = b->node == FRAME_ROOT ? "all" : frame_name(e->t, b->node, &len);
	char count[64];
	double x0 = round((XPAD + b->x * scale) * 100) / 100;
	double x1 = round((XPAD + (b->x + b->width) * scale) * 100) / 100;
	size_t shown;
	struct rgb c;

	if (b->node == FRAME_ROOT)
		len = 3;
	shown = palette_strip_annotation(name, len);
	c = frame_color(e, b->node, name, len);
	format_count(count, sizeof(count), b->width);
	fputs("<g><title>", f);
	svg_escape(f, name, shown);
	fprintf(f, " (%s %s, %.2f%%", count, o->countname, 100.0 * b->width / e->t->count[0]);
	if (e->self_delta) {
		double d = e->self_delta[b->node] * (o->negate ? -1 : 1);
		fprintf(f, "; %+.2f%%", 100.0 * d / e->t->count[0]);
	}
	fputs(")</title><rect x=\"", f);
	svg_num(f, x0);
	fputs("\" y=\"", f);
	svg_num(f, y);
	fputs("\" width=\"", f);
	svg_num(f, x1 - x0);
	fprintf(f, "\" height=\"%u\" fill=\"rgb(%u,%u,%u)\" rx=\"2\" ry=\"2\"/><text x=\"",
		o->frame_height > 1 ? o->frame_height - 1 : 1, c.r, c.g, c.b);
	svg_num(f, x0 + 3);
	fputs("\" y=\"", f);
	svg_num(f, y + o->frame_height / 2.0 + o->fontsize / 3.0);
	fputs("\">", f);
	double fit = (x1 - x0 - 3) / (o->fontsize * CHAR_WIDTH);
	svg_escape_fit(f, name, shown, fit > 0 ? (size_t)fit : 0);
	fputs("</text></g>\n", f);
}

/* Self delta (after - before) of every node, for differential colours. With normalize,
 * the before profile is first scaled to the after profile's total, so that a longer or
 * busier recording does not make every frame look grown. */
static double *self_deltas(const struct frame_tree *t, bool normalize)
{
	double *d = calloc(t->nnodes, sizeof(double)), scale = 1;

	if (!d)
		return NULL;
	if (normalize && t->count_before[FRAME_ROOT] > 0)
		scale = t->count[FRAME_ROOT] / t->count_before[FRAME_ROOT];
	for (uint32_t id = 0; id < t->nnodes; id++)
		d[id] += t->count[id] - scale * t->count_before[id];
	for (uint32_t id = 1; id < t->nnodes; id++)
		d[t->node_parent[id]] -= t->count[id] - scale * t->count_before[id];
	return d;
}

static int write_empty(FILE *f, const struct flamegraph_opts *o)
{
	double w = o->width, h = o->fontsize * 8;

	write_head(f, o, w, h, w - 2 * XPAD, false);
	svg_text(f, w / 2, h / 2, "text-anchor=\"middle\"", "No stack counts found in the input");
	fputs("<g id=\"frames\"></g>\n", f);
	svg_end(f);
	return 0;
}

int flamegraph_write(const struct frame_tree *t, const struct flamegraph_opts *o, FILE *f)
{
	struct flame_layout l;
	struct emit_ctx e = {t, o, NULL, NULL, 0};
	double fs = o->fontsize, fh = o->frame_height;
	double width = o->width > 2 * XPAD + 1 ? o->width : 2 * XPAD + 1, plotw = width - 2 * XPAD;
	double ypad1 = o->subtitle ? fs * 4.6 : fs * 3, ypad2 = fs * 2 + 10, height;

	if (flame_layout_build(t, o, &l) < 0)
		return -1;
	if (l.nboxes == 0)
		return write_empty(f, o);
	if (t->count_before) {
		if (!(e.self_delta = self_deltas(t, o->normalize))) {
			flame_layout_free(&l);
			return -1;
		}
		for (size_t i = 0; i < l.nboxes; i++)
			e.max_delta = fmax(e.max_delta, fabs(e.self_delta[l.boxes[i].node]));
	} else if (o->palette_file && !(e.map = palette_map_load(o->palette_file))) {
		flame_layout_free(&l);
		return -1;
	}
	height = (l.max_depth + 1) * fh + ypad1 + ypad2;
	write_head(f, o, width, height, plotw, e.self_delta != NULL);
	fputs("<g id=\"frames\">\n", f);
	for (size_t i = 0; i < l.nboxes; i++) {
		const struct flame_box *b = &l.boxes[i];
		double y = o->inverted ? ypad1 + b->depth * fh : height - ypad2 - (b->depth + 1) * fh;
		write_frame(f, &e, b, plotw / l.total, y);
	}
	fputs("</g>\n<script type=\"text/ecmascript\"><![CDATA[\n", f);
	fputs(flamegraph_js, f);
	fputs("]]></script>\n", f);
	svg_end(f);
	int rc = 0;
	if (e.map && palette_map_save(e.map, o->palette_file) < 0)
		rc = cli_fail("%s: cannot save the palette: %s", o->palette_file, strerror(errno));
	palette_map_free(e.map);
	free(e.self_delta);
	flame_layout_free(&l);
	return rc ? -1 : 0;
}

/* Renders an already-read tree to a path; shared by the command and the library API. */
static int render_tree(const struct frame_tree *t, const struct flamegraph_opts *o,
		       const char *svg_path)
{
	FILE *out = render_open_output(svg_path);
	int rc;

	if (!out)
		return EXIT_RUNTIME;
	if (flamegraph_write(t, o, out) < 0) {
		if (out != stdout)
			fclose(out);
		return cli_fail("cannot write the flame graph: out of memory");
	}
	rc = render_close_output(out, svg_path);
	if (rc == EXIT_OK && !(t->count[FRAME_ROOT] > 0))
		rc = cli_fail("no stack counts in the input: wrote an empty flame graph");
	return rc;
}

int flamegraph_write_file(const char *svg_path, FILE *folded_in, const struct flamegraph_opts *o)
{
	struct frame_tree t;
	int rc;

	frame_tree_init(&t);
	t.reverse = o->reverse;
	t.flamechart = o->flamechart;
	if (t.oom || frame_tree_read(&t, folded_in, "folded stacks", COUNT_MAIN) != 0)
		rc = EXIT_RUNTIME;
	else
		rc = render_tree(&t, o, svg_path);
	frame_tree_free(&t);
	return rc;
}

/* --- the command --- */

enum {
	OPT_TITLE = CLI_LONG_ONLY + 1, OPT_SUBTITLE, OPT_WIDTH, OPT_HEIGHT, OPT_MINWIDTH,
	OPT_FONTSIZE, OPT_COLORS, OPT_HASH, OPT_CP, OPT_PALETTE_FILE, OPT_REVERSE,
	OPT_INVERTED, OPT_COUNTNAME, OPT_NAMETYPE, OPT_FLAMECHART, OPT_NEGATE, OPT_DIFF,
	OPT_NORMALIZE,
};

static const struct cli_opt flamegraph_opts_spec[] = {
	{'o', "output", "FILE", "write the SVG to FILE (default: standard output)"},
	{OPT_TITLE, "title", "TEXT", "title (default \"Flame Graph\")"},
	{OPT_SUBTITLE, "subtitle", "TEXT", "second title line"},
	{OPT_WIDTH, "width", "PX", "image width in pixels (default 1200)"},
	{OPT_HEIGHT, "height", "PX", "frame height in pixels (default 16)"},
	{OPT_FONTSIZE, "fontsize", "PX", "font size (default 12)"},
	{OPT_MINWIDTH, "minwidth", "PX|PCT%", "omit frames narrower than PX pixels or PCT% (default 0.1)"},
	{OPT_COLORS, "colors", "PALETTE", "hot (default), mem, io, wakeup, java, js, perl, red, green, blue, aqua, yellow, purple, orange"},
	{OPT_HASH, "hash", NULL, "colour by name hash: similar names get similar colours"},
	{OPT_PALETTE_FILE, "palette-file", "FILE", "consistent palette: reuse and record name colours in FILE"},
	{OPT_CP, "cp", NULL, "consistent palette in ./palette.map (as flamegraph.pl --cp)"},
	{OPT_REVERSE, "reverse", NULL, "reverse stacks (merge from the leaves)"},
	{OPT_INVERTED, "inverted", NULL, "icicle graph: roots at the top"},
	{OPT_COUNTNAME, "countname", "NAME", "unit of the counts (default \"samples\")"},
	{OPT_NAMETYPE, "nametype", "TEXT", "details line prefix (default \"Function:\")"},
	{OPT_FLAMECHART, "flamechart", NULL, "flame chart: x is input (time) order, not sorted names"},
	{OPT_DIFF, "diff", NULL, "differential: two inputs BEFORE AFTER; widths from AFTER, red grew, blue shrank"},
	{OPT_NEGATE, "negate", NULL, "differential: swap the hues (blue grew, red shrank)"},
	{OPT_NORMALIZE, "normalize", NULL, "differential: scale BEFORE to AFTER's total first (difffolded.pl -n)"},
	{0},
};

const struct cli_spec flamegraph_spec = {
	.name = "flamegraph",
	.summary = "folded stacks to an interactive SVG flame graph (zoom, search)",
	.usage = "[options] [FOLDED...]",
	.description =
		"Reads folded stacks (\"frame;frame;frame count\", the flamegraph.pl format, as "
		"`profile -f`, `offcputime -f` and `collapse` write them) from the files or standard "
		"input and writes one self-contained SVG: hover for details, click a frame to zoom, "
		"Ctrl-F or Search to highlight matches and see their share. Lines with two counts "
		"(difffolded.pl) or --diff with two inputs give a differential graph. Malformed lines "
		"are skipped with a warning naming the line.",
	.opts = flamegraph_opts_spec,
	.examples = "whyslow profile -f 10 | whyslow flamegraph > cpu.svg\n"
		    "whyslow flamegraph --colors io --countname us offcpu.folded -o offcpu.svg\n"
		    "whyslow flamegraph --diff before.folded after.folded -o diff.svg\n"
		    "perf script | whyslow collapse | whyslow flamegraph --title perf > perf.svg\n",
};

struct flamegraph_cmd {
	struct flamegraph_opts o;
	const char *output;
	bool diff;
};

static int flamegraph_opt(void *ctx, int key, const char *arg)
{
	struct flamegraph_cmd *c = ctx;
	struct flamegraph_opts *o = &c->o;

	switch (key) {
	case 'o': c->output = arg; break;
	case OPT_TITLE: o->title = arg; break;
	case OPT_SUBTITLE: o->subtitle = arg; break;
	case OPT_WIDTH: o->width = cli_parse_ulong(arg, "--width", 100, 1000000); break;
	case OPT_HEIGHT: o->frame_height = cli_parse_ulong(arg, "--height", 2, 1000); break;
	case OPT_FONTSIZE: o->fontsize = cli_parse_ulong(arg, "--fontsize", 1, 500); break;
	case OPT_MINWIDTH: {
		size_t n = strlen(arg);
		char buf[64];
		o->minwidth_percent = n > 0 && arg[n - 1] == '%';
		snprintf(buf, sizeof(buf), "%.*s", (int)(o->minwidth_percent ? n - 1 : n), arg);
		o->minwidth = cli_parse_double(buf, "--minwidth", 0, o->minwidth_percent ? 100 : 1e6);
		break;
	}
	case OPT_COLORS:
		if (flamegraph_palette_parse(arg, &o->palette) < 0)
			cli_usage_error("unknown palette '%s' for --colors: use hot, mem, io, wakeup, "
					"java, js, perl, red, green, blue, aqua, yellow, purple or orange", arg);
		break;
	case OPT_HASH: o->hash = true; break;
	case OPT_CP: o->palette_file = "palette.map"; break;
	case OPT_PALETTE_FILE: o->palette_file = arg; break;
	case OPT_REVERSE: o->reverse = true; break;
	case OPT_INVERTED: o->inverted = true; break;
	case OPT_COUNTNAME: o->countname = arg; break;
	case OPT_NAMETYPE: o->nametype = arg; break;
	case OPT_FLAMECHART: o->flamechart = true; break;
	case OPT_NEGATE: o->negate = true; break;
	case OPT_NORMALIZE: o->normalize = true; break;
	case OPT_DIFF: c->diff = true; break;
	default: return -1;
	}
	return 0;
}

static int read_input(struct frame_tree *t, const char *path, enum frame_count which)
{
	FILE *in = render_open_input(path);
	int rc;

	if (!in)
		return EXIT_RUNTIME;
	rc = frame_tree_read(t, in, path ? path : "-", which);
	render_close_input(in);
	return rc;
}

int cmd_flamegraph(int argc, char **argv)
{
	struct flamegraph_cmd c = {0};
	struct cli_common common;
	struct render_args a;
	struct frame_tree t;
	int rc = EXIT_OK;

	flamegraph_opts_default(&c.o);
	render_args_split(&flamegraph_spec, argc, argv, &a);
	cli_parse(&flamegraph_spec, a.argc, a.argv, &common, flamegraph_opt, &c);
	if (c.diff && a.nfiles != 2)
		cli_usage_error("--diff needs two inputs, BEFORE and AFTER (got %d)", a.nfiles);
	frame_tree_init(&t);
	t.reverse = c.o.reverse;
	t.flamechart = c.o.flamechart;
	if (t.oom)
		rc = cli_fail("out of memory");
	if (rc == EXIT_OK && c.diff) {
		rc = read_input(&t, a.files[0], COUNT_BEFORE);
		if (rc == EXIT_OK)
			rc = read_input(&t, a.files[1], COUNT_MAIN);
	} else if (rc == EXIT_OK && a.nfiles == 0) {
		rc = read_input(&t, NULL, COUNT_MAIN);
	} else {
		for (int i = 0; rc == EXIT_OK && i < a.nfiles; i++)
			rc = read_input(&t, a.files[i], COUNT_MAIN);
	}
	if (rc == EXIT_OK)
		rc = render_tree(&t, &c.o, c.output);
	frame_tree_free(&t);
	render_args_free(&a);
	return rc;
}
