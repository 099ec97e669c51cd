/* whyslow heatmap: "time latency" points to an SVG latency heat map; see heatmap.h for
 * the streaming grid. Parsing is hand-written (numparse.h): ten million points take well
 * under two seconds. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lib/cli.h"
#include "lib/svg.h"
#include "render/folded.h"
#include "render/heatmap.h"
#include "render/numparse.h"
#include "render/render_cli.h"

#define MAX_ROWS 100000u
/* Points exactly on a boundary must not fall into the cell below because of a rounding
 * error in the division (3 ms / 1 ms = 2.9999999999999996). */
#define BIN_EPSILON 1e-9

enum row_mode {
	ROWS_FIXED, /* maxlat known: rows fixed, top row includes maxlat */
	ROWS_GROW,  /* steplat known, no maxlat: rows added as latencies grow */
	ROWS_POW2,  /* neither: power-of-two row height, merged pairwise as needed */
};

struct heatmap {
	struct heatmap_opts o;
	enum row_mode mode;
	uint64_t *cells; /* column-major: cells[col * rows_cap + row] */
	unsigned ncols, cols_cap, rows_cap, rows_used;
	double step; /* row height; 0 in ROWS_POW2 until the first latency above minlat */
	double t0;
	bool have_t0;
	uint64_t points, below, above;
};

void heatmap_opts_default(struct heatmap_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->title = "Latency Heat Map";
	o->unitslabel = "us";
	o->rows = 50;
	o->stepsec = 1;
	o->boxsize = 8;
	o->max_columns = 100000;
}

struct heatmap *heatmap_new(const struct heatmap_opts *o)
{
	struct heatmap *h;

	if (!(o->stepsec > 0) || o->steplat < 0 || o->rows == 0 || !isfinite(o->minlat) ||
	    (o->maxlat != 0 && !(o->maxlat > o->minlat)))
		return NULL;
	if (!(h = calloc(1, sizeof(*h))))
		return NULL;
	h->o = *o;
	if (!h->o.unitslabel)
		h->o.unitslabel = "us";
	if (!h->o.boxsize)
		h->o.boxsize = 8;
	if (!h->o.max_columns)
		h->o.max_columns = 100000;
	if (o->maxlat != 0) {
		double range = o->maxlat - o->minlat;
		h->mode = ROWS_FIXED;
		h->step = o->steplat > 0 ? o->steplat : range / o->rows;
		double n = ceil(range / h->step - BIN_EPSILON);
		h->rows_cap = n < 1 ? 1 : n > MAX_ROWS ? MAX_ROWS : (unsigned)n;
		h->rows_used = h->rows_cap;
	} else if (o->steplat > 0) {
		h->mode = ROWS_GROW;
		h->step = o->steplat;
		h->rows_cap = 16;
	} else {
		h->mode = ROWS_POW2;
		h->rows_cap = o->rows;
	}
	return h;
}

void heatmap_free(struct heatmap *h)
{
	if (!h)
		return;
	free(h->cells);
	free(h);
}

/* Re-lays the grid out with new_rows rows per column. */
static int set_rows_cap(struct heatmap *h, unsigned new_rows)
{
	uint64_t *cells;

	if (h->ncols == 0 || !h->cells) {
		h->rows_cap = new_rows;
		return 0;
	}
	cells = calloc((size_t)h->cols_cap * new_rows, sizeof(*cells));
	if (!cells)
		return -1;
	for (unsigned c = 0; c < h->ncols; c++)
		memcpy(cells + (size_t)c * new_rows, h->cells + (size_t)c * h->rows_cap,
		       (size_t)h->rows_cap * sizeof(*cells));
	free(h->cells);
	h->cells = cells;
	h->rows_cap = new_rows;
	return 0;
}

/* ROWS_POW2: doubles the row height, merging rows pairwise. Counts stay exact because the
 * old boundaries are a superset of the new ones. */
static void double_step(struct heatmap *h)
{
	unsigned R = h->rows_cap;

	for (unsigned c = 0; c < h->ncols; c++) {
		uint64_t *col = h->cells + (size_t)c * R;
		for (unsigned r = 0; r < R; r++) {
			uint64_t v = 2 * r < R ? col[2 * r] : 0;
			if (2 * r + 1 < R)
				v += col[2 * r + 1];
			col[r] = v;
		}
	}
	h->step *= 2;
	h->rows_used = (h->rows_used + 1) / 2;
}

/* Row of a latency, growing or merging rows as the mode wants; -1 on failure, -2 when
 * the latency is out of range (counted). */
static long row_of(struct heatmap *h, double lat)
{
	double d = lat - h->o.minlat, r;

	if (d < 0) {
		h->below++;
		return -2;
	}
	switch (h->mode) {
	case ROWS_FIXED:
		if (lat > h->o.maxlat) {
			h->above++;
			return -2;
		}
		r = floor(d / h->step + BIN_EPSILON);
		return r >= h->rows_cap ? (long)h->rows_cap - 1 : (long)r;
	case ROWS_GROW:
		r = floor(d / h->step + BIN_EPSILON);
		if (r >= MAX_ROWS)
			return -1;
		if (r >= h->rows_cap) {
			unsigned cap = h->rows_cap * 2;
			while (cap <= r)
				cap *= 2;
			if (cap > MAX_ROWS)
				cap = MAX_ROWS;
			if (set_rows_cap(h, cap) < 0)
				return -1;
		}
		return (long)r;
	case ROWS_POW2:
	default:
		if (d == 0)
			return 0;
		if (h->step == 0) {
			h->step = exp2(ceil(log2(d / h->rows_cap)));
			while (h->step > 0 && d >= h->step * h->rows_cap)
				h->step *= 2;
			if (!(h->step > 0))
				return -1;
		}
		while (d >= h->step * h->rows_cap)
			double_step(h);
		return (long)(d / h->step); /* exact: the step is a power of two */
	}
}

static int ensure_column(struct heatmap *h, long col)
{
	if (col < 0) { /* a point before the first column: shift the grid right */
		unsigned shift = (unsigned)-col;
		if ((uint64_t)h->ncols + shift > h->o.max_columns)
			return -1;
		if (h->ncols + shift > h->cols_cap) {
			unsigned cap = h->ncols + shift + h->cols_cap;
			uint64_t *cells = realloc(h->cells, (size_t)cap * h->rows_cap * sizeof(*cells));
			if (!cells)
				return -1;
			h->cells = cells;
			h->cols_cap = cap;
		}
		memmove(h->cells + (size_t)shift * h->rows_cap, h->cells,
			(size_t)h->ncols * h->rows_cap * sizeof(*h->cells));
		memset(h->cells, 0, (size_t)shift * h->rows_cap * sizeof(*h->cells));
		h->ncols += shift;
		h->t0 -= shift * h->o.stepsec;
		return 0;
	}
	if ((unsigned long)col < h->ncols)
		return 0;
	if ((uint64_t)col + 1 > h->o.max_columns)
		return -1;
	if ((unsigned long)col + 1 > h->cols_cap) {
		unsigned cap = h->cols_cap ? h->cols_cap : 64;
		while (cap < (unsigned long)col + 1)
			cap *= 2;
		uint64_t *cells = realloc(h->cells, (size_t)cap * h->rows_cap * sizeof(*cells));
		if (!cells)
			return -1;
		h->cells = cells;
		h->cols_cap = cap;
	}
	memset(h->cells + (size_t)h->ncols * h->rows_cap, 0,
	       ((size_t)col + 1 - h->ncols) * h->rows_cap * sizeof(*h->cells));
	h->ncols = col + 1;
	return 0;
}

int heatmap_add(struct heatmap *h, double t, double lat)
{
	double c;
	long row, col;

	if (!isfinite(t) || !isfinite(lat))
		return -1;
	if (!h->have_t0) {
		h->t0 = floor(t / h->o.stepsec) * h->o.stepsec;
		h->have_t0 = true;
	}
	c = floor((t - h->t0) / h->o.stepsec + BIN_EPSILON);
	if (c < -(double)h->o.max_columns || c >= h->o.max_columns)
		return -1;
	row = row_of(h, lat);
	if (row == -2)
		return 1;
	if (row < 0)
		return -1;
	col = (long)c;
	if (ensure_column(h, col) < 0)
		return -1;
	if (col < 0)
		col = 0;
	h->cells[(size_t)col * h->rows_cap + row]++;
	if ((unsigned)row + 1 > h->rows_used)
		h->rows_used = row + 1;
	h->points++;
	return 0;
}

void heatmap_shape(const struct heatmap *h, struct heatmap_shape *s)
{
	memset(s, 0, sizeof(*s));
	s->columns = h->ncols;
	s->rows = h->mode == ROWS_FIXED ? h->rows_cap : h->rows_used ? h->rows_used : 1;
	s->t0 = h->t0;
	s->stepsec = h->o.stepsec;
	s->minlat = h->o.minlat;
	s->steplat = h->step > 0 ? h->step : 1;
	s->points = h->points;
	s->below = h->below;
	s->above = h->above;
	for (size_t i = 0; i < (size_t)h->ncols * h->rows_cap; i++)
		if (h->cells[i] > s->max_count)
			s->max_count = h->cells[i];
}

uint64_t heatmap_cell(const struct heatmap *h, unsigned col, unsigned row)
{
	if (col >= h->ncols || row >= h->rows_cap)
		return 0;
	return h->cells[(size_t)col * h->rows_cap + row];
}

/* --- SVG --- */

#define LEFT 80.0
#define RIGHT 20.0
#define TOP 62.0
#define BOTTOM 50.0

static unsigned label_every(double px_per_step, double min_px)
{
	static const unsigned nice[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
					10000, 20000, 50000, 100000};
	for (size_t i = 0; i < sizeof(nice) / sizeof(nice[0]); i++)
		if (nice[i] * px_per_step >= min_px)
			return nice[i];
	return 100000;
}

static void write_cell(FILE *f, const struct heatmap_shape *s, const char *unit, unsigned c,
		       unsigned r, uint64_t n, double x, double y, double b)
{
	double frac = (double)n / (double)s->max_count;
	/* light orange to dark red: few points stay visible, the densest cells stand out */
	unsigned red = 255 - (unsigned)(95 * frac), green = 230 - (unsigned)(230 * frac);
	unsigned blue = 190 - (unsigned)(190 * frac);

	fputs("<rect x=\"", f);
	svg_num(f, x);
	fputs("\" y=\"", f);
	svg_num(f, y);
	fprintf(f, "\" width=\"%g\" height=\"%g\" fill=\"rgb(%u,%u,%u)\"><title>", b, b, red, green,
		blue);
	fprintf(f, "%g-%gs, %g-%g ", c * s->stepsec, (c + 1) * s->stepsec,
		s->minlat + r * s->steplat, s->minlat + (r + 1) * s->steplat);
	svg_escape_str(f, unit);
	fprintf(f, ": %llu</title></rect>\n", (unsigned long long)n);
}

int heatmap_write(const struct heatmap *h, FILE *f)
{
	struct heatmap_shape s;
	double b = h->o.boxsize, gw, gh, width, height;
	char buf[512];

	heatmap_shape(h, &s);
	gw = (s.columns ? s.columns : 1) * b;
	gh = s.rows * b;
	width = LEFT + gw + RIGHT;
	if (width < 400)
		width = 400;
	height = TOP + gh + BOTTOM;
	svg_begin(f, width, height, NULL);
	fputs("<style type=\"text/css\">\n"
	      "text { font-family: Verdana, sans-serif; font-size: 11px; fill: rgb(0,0,0); }\n"
	      "#title { text-anchor: middle; font-size: 16px; }\n"
	      "#subtitle { text-anchor: middle; fill: rgb(110,110,110); }\n"
	      ".ylabel { text-anchor: end; }\n"
	      ".xlabel { text-anchor: middle; }\n"
	      "#cells rect:hover { stroke: rgb(0,0,0); stroke-width: 1; }\n"
	      "</style>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%g\" height=\"%g\" fill=\"rgb(255,255,255)\"/>\n",
		width, height);
	svg_text(f, width / 2, 22, "id=\"title\"", h->o.title ? h->o.title : "Latency Heat Map");
	if (h->o.subtitle) {
		svg_text(f, width / 2, 42, "id=\"subtitle\"", h->o.subtitle);
	} else {
		snprintf(buf, sizeof(buf), "%llu points, %gs per column, %g %.20s per row",
			 (unsigned long long)s.points, s.stepsec, s.steplat, h->o.unitslabel);
		if (s.below + s.above)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "; %llu below minlat, %llu above maxlat not shown",
				 (unsigned long long)s.below, (unsigned long long)s.above);
		svg_text(f, width / 2, 42, "id=\"subtitle\"", buf);
	}
	/* grid frame and axes */
	fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"rgb(250,250,250)\" "
		   "stroke=\"rgb(200,200,200)\"/>\n", LEFT, TOP, gw, gh);
	unsigned every = label_every(b, 14);
	for (unsigned r = 0; r <= s.rows; r += every) {
		snprintf(buf, sizeof(buf), "%g", s.minlat + r * s.steplat);
		svg_text(f, LEFT - 4, TOP + gh - r * b + 4, "class=\"ylabel\"", buf);
	}
	every = label_every(b, 60);
	for (unsigned c = 0; c <= s.columns; c += every) {
		snprintf(buf, sizeof(buf), "%gs", c * s.stepsec);
		svg_text(f, LEFT + c * b, TOP + gh + 16, "class=\"xlabel\"", buf);
	}
	snprintf(buf, sizeof(buf), "Latency (%.40s)", h->o.unitslabel);
	fprintf(f, "<text x=\"16\" y=\"%g\" transform=\"rotate(-90 16 %g)\" "
		   "text-anchor=\"middle\">", TOP + gh / 2, TOP + gh / 2);
	svg_escape_str(f, buf);
	fputs("</text>\n", f);
	svg_text(f, LEFT + gw / 2, TOP + gh + 38, "class=\"xlabel\"", "Time (s)");
	if (s.points == 0)
		svg_text(f, width / 2, TOP + gh / 2, "class=\"xlabel\"", "No points in range");
	/* every non-empty cell, including the last column and the top row */
	fputs("<g id=\"cells\">\n", f);
	for (unsigned c = 0; c < s.columns; c++)
		for (unsigned r = 0; r < s.rows; r++) {
			uint64_t n = h->cells[(size_t)c * h->rows_cap + r];
			if (n)
				write_cell(f, &s, h->o.unitslabel, c, r, n, LEFT + c * b,
					   TOP + gh - (r + 1) * b, b);
		}
	fputs("</g>\n", f);
	svg_end(f);
	return ferror(f) ? -1 : 0;
}

int heatmap_write_svg(const struct heatmap *h, const char *path)
{
	FILE *out = render_open_output(path);

	if (!out)
		return EXIT_RUNTIME;
	heatmap_write(h, out);
	return render_close_output(out, path);
}

/* --- the command --- */

enum {
	OPT_UNITSTIME = CLI_LONG_ONLY + 1, OPT_UNITSLABEL, OPT_MAXLAT, OPT_MINLAT, OPT_ROWS,
	OPT_STEPLAT, OPT_STEPSEC, OPT_TITLE, OPT_SUBTITLE, OPT_BOXSIZE,
};

static const struct cli_opt heatmap_opts_spec[] = {
	{'o', "output", "FILE", "write the SVG to FILE (default: standard output)"},
	{OPT_UNITSTIME, "unitstime", "UNIT", "unit of the time column: s (default), ms, us or ns"},
	{OPT_UNITSLABEL, "unitslabel", "UNIT", "unit of the latency column, for labels (default us)"},
	{OPT_MINLAT, "minlat", "LAT", "lowest latency drawn (default 0)"},
	{OPT_MAXLAT, "maxlat", "LAT", "highest latency drawn (default: fit the largest seen, in rows a power of two wide)"},
	{OPT_ROWS, "rows", "N", "number of latency rows (default 50)"},
	{OPT_STEPLAT, "steplat", "LAT", "latency per row (instead of --rows)"},
	{OPT_STEPSEC, "stepsec", "SEC", "seconds per column (default 1)"},
	{OPT_BOXSIZE, "boxsize", "PX", "cell size in pixels (default 8)"},
	{OPT_TITLE, "title", "TEXT", "title (default \"Latency Heat Map\")"},
	{OPT_SUBTITLE, "subtitle", "TEXT", "subtitle (default: a summary of the points)"},
	{0},
};

const struct cli_spec heatmap_spec = {
	.name = "heatmap",
	.summary = "\"time latency\" points to an SVG latency heat map",
	.usage = "[options] [FILE...]",
	.description =
		"Reads one point per line, \"time latency\" separated by blanks (time in --unitstime, "
		"latency in --unitslabel units), from the files or standard input, and writes an SVG "
		"heat map: time columns on x, latency rows on y, colour by count, a tooltip per cell. "
		"Lines starting with '#' are comments; malformed lines are skipped with a warning "
		"naming the line. biosnoop and other per-event tracers draw the same map directly "
		"with --heatmap FILE.",
	.opts = heatmap_opts_spec,
	.examples = "whyslow biosnoop --heatmap io.svg 60 1          # the same map, straight from the tracer\n"
		    "awk '{print $1, $NF}' trace.txt | whyslow heatmap > lat.svg\n"
		    "whyslow heatmap --unitstime ms --maxlat 20000 --stepsec 5 points.txt -o lat.svg\n",
};

struct heatmap_cmd {
	struct heatmap_opts o;
	const char *output;
	double time_scale; /* input time unit to seconds */
	struct heatmap *h;
	const char *label;
	uint64_t skipped;
	bool failed;
};

static int heatmap_opt(void *ctx, int key, const char *arg)
{
	struct heatmap_cmd *c = ctx;

	switch (key) {
	case 'o': c->output = arg; break;
	case OPT_UNITSTIME:
		if (strcmp(arg, "s") == 0)
			c->time_scale = 1;
		else if (strcmp(arg, "ms") == 0)
			c->time_scale = 1e-3;
		else if (strcmp(arg, "us") == 0)
			c->time_scale = 1e-6;
		else if (strcmp(arg, "ns") == 0)
			c->time_scale = 1e-9;
		else
			cli_usage_error("--unitstime must be s, ms, us or ns, not '%s'", arg);
		break;
	case OPT_UNITSLABEL: c->o.unitslabel = arg; break;
	case OPT_MINLAT: c->o.minlat = cli_parse_double(arg, "--minlat", 0, 1e300); break;
	case OPT_MAXLAT: c->o.maxlat = cli_parse_double(arg, "--maxlat", 1e-300, 1e300); break;
	case OPT_ROWS: c->o.rows = cli_parse_ulong(arg, "--rows", 1, 10000); break;
	case OPT_STEPLAT: c->o.steplat = cli_parse_double(arg, "--steplat", 1e-300, 1e300); break;
	case OPT_STEPSEC: c->o.stepsec = cli_parse_double(arg, "--stepsec", 1e-9, 1e9); break;
	case OPT_BOXSIZE: c->o.boxsize = cli_parse_ulong(arg, "--boxsize", 1, 100); break;
	case OPT_TITLE: c->o.title = arg; break;
	case OPT_SUBTITLE: c->o.subtitle = arg; break;
	default: return -1;
	}
	return 0;
}

static inline const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

int heatmap_add_line(struct heatmap *h, const char *line, size_t len, double time_scale)
{
	const char *p = line, *end = line + len;
	double t, lat;

	p = skip_blanks(p, end);
	if (p == end || *p == '#')
		return 0;
	if (!numparse_double(p, end, &t, &p) || (p < end && *p != ' ' && *p != '\t'))
		return 2;
	p = skip_blanks(p, end);
	if (!numparse_double(p, end, &lat, &p) || skip_blanks(p, end) != end)
		return 2;
	return heatmap_add(h, t * time_scale, lat);
}

static int heatmap_line(void *ctx, const char *line, size_t len, uint64_t lineno)
{
	struct heatmap_cmd *c = ctx;
	int rc = heatmap_add_line(c->h, line, len, c->time_scale);

	if (rc == 2)
		render_warn(c->label, lineno, 10, &c->skipped, false,
			    "expected \"time latency\" (two numbers): skipped");
	if (rc < 0) {
		cli_fail("%s:%llu: the heat map cannot grow there: more than %u columns (use a "
			 "larger --stepsec), more than 100000 rows (use a larger --steplat), a "
			 "non-finite number, or out of memory", c->label,
			 (unsigned long long)lineno, c->o.max_columns);
		c->failed = true;
		return -1;
	}
	return 0;
}

int cmd_heatmap(int argc, char **argv)
{
	struct heatmap_cmd c = {.time_scale = 1};
	struct cli_common common;
	struct render_args a;
	int rc = EXIT_OK;

	heatmap_opts_default(&c.o);
	render_args_split(&heatmap_spec, argc, argv, &a);
	cli_parse(&heatmap_spec, a.argc, a.argv, &common, heatmap_opt, &c);
	if (c.o.maxlat != 0 && c.o.maxlat <= c.o.minlat)
		cli_usage_error("--maxlat (%g) must be above --minlat (%g)", c.o.maxlat, c.o.minlat);
	if (c.o.maxlat != 0 && c.o.steplat > 0 && (c.o.maxlat - c.o.minlat) / c.o.steplat > 100000)
		cli_usage_error("--steplat %g gives more than 100000 rows up to --maxlat", c.o.steplat);
	if (!(c.h = heatmap_new(&c.o))) {
		render_args_free(&a);
		return cli_fail("out of memory");
	}
	for (int i = 0; rc == EXIT_OK && i < (a.nfiles ? a.nfiles : 1); i++) {
		const char *path = a.nfiles ? a.files[i] : NULL;
		FILE *in = render_open_input(path);
		uint64_t skipped = c.skipped;
		if (!in) {
			rc = EXIT_RUNTIME;
			break;
		}
		c.label = path ? path : "-";
		if (render_read_lines(in, heatmap_line, &c) < 0 && !c.failed)
			rc = cli_fail("%s: read failed: %s", c.label, strerror(errno ? errno : EIO));
		if (c.failed)
			rc = EXIT_RUNTIME;
		render_warn_summary(c.label, 10, c.skipped - skipped, false);
		render_close_input(in);
	}
	if (rc == EXIT_OK) {
		struct heatmap_shape s;
		heatmap_shape(c.h, &s);
		rc = heatmap_write_svg(c.h, c.output);
		if (rc == EXIT_OK && s.points == 0)
			rc = cli_fail("no points in the input%s: wrote an empty heat map",
				      s.below + s.above ? " within --minlat/--maxlat" : "");
	}
	heatmap_free(c.h);
	render_args_free(&a);
	return rc;
}
