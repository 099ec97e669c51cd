/* Unit tests of the renderers: SVG escaping, the folded-stack frame tree, flame graph
 * layout (widths add up, every frame present), collapse and the heat-map grid. */
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "unit.h"
#include "lib/svg.h"
#include "render/collapse.h"
#include "render/flamegraph.h"
#include "render/folded.h"
#include "render/heatmap.h"
#include "render/numparse.h"
#include "render/palette.h"
#include "render/render_cli.h"

/* Runs fn writing into a string; the caller frees it. */
static char *capture_escape(const char *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	svg_escape(f, s, len);
	fclose(f);
	return buf;
}

TEST(render_svg_escape_specials)
{
	char *out = capture_escape("a<b>&\"c'", 8);
	CHECK_STR(out, "a&lt;b&gt;&amp;&quot;c&#39;");
	free(out);
}

TEST(render_svg_escape_invalid_bytes)
{
	/* NUL, a control byte, a lone continuation byte, a truncated sequence, an overlong
	 * '/' and a valid "é" */
	static const char in[] = {'x', 0, 1, (char)0x80, (char)0xc3, 'y', (char)0xc0, (char)0xaf,
				  (char)0xc3, (char)0xa9};
	char *out = capture_escape(in, sizeof(in));
	CHECK_STR(out, "x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9");
	free(out);
}

TEST(render_svg_escape_fit)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	CHECK_EQ_U64(svg_escape_fit(f, "abcdefgh", 8, 5), 5);
	fputc('|', f);
	CHECK_EQ_U64(svg_escape_fit(f, "abc", 3, 5), 3);
	fputc('|', f);
	CHECK_EQ_U64(svg_escape_fit(f, "abcdef", 6, 2), 0);
	fputc('|', f);
	svg_escape_fit(f, "<<<<<<", 6, 4);
	fclose(f);
	CHECK_STR(buf, "abc..|abc||&lt;&lt;..");
	free(buf);
}

TEST(render_numparse)
{
	const char *end;
	double v = -1;
	const char s1[] = "123.456 rest";
	CHECK(numparse_double(s1, s1 + strlen(s1), &v, &end));
	CHECK(v == 123.456);
	CHECK(*end == ' ');
	const char s2[] = "0.000123";
	CHECK(numparse_double(s2, s2 + strlen(s2), &v, &end) && v == 0.000123);
	const char s3[] = "1e3";
	CHECK(numparse_double(s3, s3 + strlen(s3), &v, &end) && v == 1000 && end == s3 + 3);
	const char s4[] = "x12";
	CHECK(!numparse_double(s4, s4 + strlen(s4), &v, &end));
	const char s5[] = ".";
	CHECK(!numparse_double(s5, s5 + 1, &v, &end));
	const char s6[] = "12345678901234567890123";
	CHECK(numparse_double(s6, s6 + strlen(s6), &v, &end) && v == 12345678901234567890123.0);
}

/* The node reached by a ';'-separated path from the root, or UINT32_MAX. */
static uint32_t find_path(const struct frame_tree *t, const char *path)
{
	uint32_t node = FRAME_ROOT;
	char *copy = strdup(path), *save = NULL;

	for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		uint32_t found = UINT32_MAX;
		for (uint32_t id = 1; id < t->nnodes; id++) {
			uint32_t len;
			const char *name = frame_name(t, id, &len);
			if (t->node_parent[id] == node && len == strlen(tok) && memcmp(name, tok, len) == 0)
				found = id;
		}
		node = found;
		if (node == UINT32_MAX)
			break;
	}
	free(copy);
	return node;
}

static void parse_str(struct frame_tree *t, const char *s)
{
	frame_tree_parse(t, s, strlen(s), COUNT_MAIN);
}

TEST(render_tree_merges_stacks)
{
	struct frame_tree t;
	size_t len;
	char *text = unit_read_fixture("render_basic.folded", &len);

	frame_tree_init(&t);
	t.quiet = true;
	frame_tree_parse(&t, text, len, COUNT_MAIN);
	CHECK_NEAR(frame_tree_total(&t), 100, 0);
	CHECK_NEAR(t.count[find_path(&t, "main")], 85, 0);
	CHECK_NEAR(t.count[find_path(&t, "main;parse")], 40, 0);
	CHECK_NEAR(t.count[find_path(&t, "main;parse;split<&>\"x\"")], 10, 0);
	CHECK_NEAR(t.count[find_path(&t, "idle;cpu_idle")], 15, 0);
	CHECK_EQ_U64(t.nnodes, 9); /* root + 8 distinct frames */
	CHECK_EQ_U64(t.skipped, 0);
	free(text);
	frame_tree_free(&t);
}

TEST(render_tree_malformed_lines)
{
	struct frame_tree t;

	frame_tree_init(&t);
	t.quiet = true;
	/* missing count, count glued to the frame, CRLF, empty stack, blank, garbage bytes,
	 * negative count, fractional count */
	parse_str(&t, "a;b\na;b5\na;c 3\r\n 7\n\n\x01\x02\xff 2\na;d -4\na;e 1.5\n");
	CHECK_EQ_U64(t.skipped, 4);
	CHECK_NEAR(t.count[find_path(&t, "a;c")], 3, 0);
	CHECK_NEAR(t.count[find_path(&t, "\x01\x02\xff")], 2, 0);
	CHECK_NEAR(t.count[find_path(&t, "a;e")], 1.5, 0);
	CHECK_NEAR(frame_tree_total(&t), 6.5, 0);
	frame_tree_free(&t);
}

TEST(render_tree_deep_stack)
{
	struct frame_tree t;
	size_t depth = 100000, n = 0;
	char *line = malloc(depth * 2 + 16);

	for (size_t i = 0; i < depth; i++) {
		line[n++] = 'a' + i % 3;
		line[n++] = ';';
	}
	n--; /* no trailing ';' */
	n += sprintf(line + n, " 1");
	frame_tree_init(&t);
	t.quiet = true;
	CHECK(frame_tree_add_folded(&t, line, n, 1, COUNT_MAIN) == 0);
	CHECK_EQ_U64(t.nnodes, depth + 1);
	struct flamegraph_opts o;
	struct flame_layout l;
	flamegraph_opts_default(&o);
	CHECK(flame_layout_build(&t, &o, &l) == 0);
	CHECK_EQ_U64(l.nboxes, depth + 1);
	CHECK_EQ_U64(l.max_depth, depth);
	flame_layout_free(&l);
	/* and back to folded text without recursion */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(frame_tree_write_folded(&t, f) == 0);
	fclose(f);
	CHECK_EQ_U64(len, n + 1);
	free(buf);
	free(line);
	frame_tree_free(&t);
}

TEST(render_tree_reverse_and_flamechart)
{
	struct frame_tree t;

	frame_tree_init(&t);
	t.quiet = true;
	t.reverse = true;
	parse_str(&t, "a;b;c 1\nx;b;c 2\n");
	CHECK_NEAR(t.count[find_path(&t, "c;b")], 3, 0);
	CHECK_NEAR(t.count[find_path(&t, "c;b;x")], 2, 0);
	frame_tree_free(&t);

	frame_tree_init(&t);
	t.quiet = true;
	t.flamechart = true;
	parse_str(&t, "a;b 1\na;b 1\nc 1\na;b 1\n");
	CHECK_EQ_U64(t.nnodes, 6); /* root, a, b, c, a, b: only adjacent stacks merge */
	frame_tree_free(&t);
}

TEST(render_tree_differential)
{
	struct frame_tree t;

	frame_tree_init(&t);
	t.quiet = true;
	parse_str(&t, "a;b 10 20\na;c 5 0\n");
	CHECK(t.count_before != NULL);
	CHECK_NEAR(t.count[find_path(&t, "a;b")], 20, 0);
	CHECK_NEAR(t.count_before[find_path(&t, "a;b")], 10, 0);
	CHECK_NEAR(t.count_before[find_path(&t, "a")], 15, 0);
	CHECK_NEAR(frame_tree_total(&t), 20, 0);
	frame_tree_free(&t);
}

/* Checks the layout invariants: children lie inside their parent and their widths add up
 * to the parent's count minus its own samples. */
static void check_layout(const struct frame_tree *t, const struct flame_layout *l)
{
	for (size_t i = 0; i < l->nboxes; i++) {
		const struct flame_box *p = &l->boxes[i];
		double sum = 0;
		CHECK_NEAR(p->width, t->count[p->node], 1e-9);
		for (size_t j = i + 1; j < l->nboxes && l->boxes[j].depth > p->depth; j++) {
			const struct flame_box *c = &l->boxes[j];
			if (c->depth != p->depth + 1)
				continue;
			CHECK_EQ_U64(t->node_parent[c->node], p->node);
			CHECK(c->x >= p->x - 1e-9 && c->x + c->width <= p->x + p->width + 1e-9);
			sum += c->width;
		}
		double self = t->count[p->node];
		for (uint32_t id = 1; id < t->nnodes; id++)
			if (t->node_parent[id] == p->node && id != p->node)
				self -= t->count[id];
		CHECK_NEAR(sum + self, p->width, 1e-9);
	}
}

TEST(render_layout_widths_add_up)
{
	struct frame_tree t;
	struct flamegraph_opts o;
	struct flame_layout l;
	size_t len;
	char *text = unit_read_fixture("render_basic.folded", &len);

	frame_tree_init(&t);
	frame_tree_parse(&t, text, len, COUNT_MAIN);
	flamegraph_opts_default(&o);
	o.minwidth = 0;
	CHECK(flame_layout_build(&t, &o, &l) == 0);
	CHECK_EQ_U64(l.nboxes, t.nnodes); /* every frame present */
	CHECK_EQ_U64(l.max_depth, 3);
	check_layout(&t, &l);
	/* siblings in name order: "idle" before "main" at depth 1 */
	CHECK_NEAR(l.boxes[1].x, 0, 0);
	CHECK_NEAR(l.boxes[1].width, 15, 0);
	flame_layout_free(&l);

	/* flame chart: input order, so "main" comes first */
	frame_tree_free(&t);
	frame_tree_init(&t);
	t.flamechart = true;
	frame_tree_parse(&t, text, len, COUNT_MAIN);
	o.flamechart = true;
	CHECK(flame_layout_build(&t, &o, &l) == 0);
	check_layout(&t, &l);
	CHECK_NEAR(l.boxes[1].width, 85, 0);
	flame_layout_free(&l);
	frame_tree_free(&t);
	free(text);
}

TEST(render_layout_minwidth_prunes)
{
	struct frame_tree t;
	struct flamegraph_opts o;
	struct flame_layout l;

	frame_tree_init(&t);
	parse_str(&t, "big 100000\nsmall 1\n");
	flamegraph_opts_default(&o); /* 0.1 px of 1180: 1 sample of 100001 is 0.0118 px */
	CHECK(flame_layout_build(&t, &o, &l) == 0);
	CHECK_EQ_U64(l.nboxes, 2);
	flame_layout_free(&l);
	o.minwidth = 0;
	CHECK(flame_layout_build(&t, &o, &l) == 0);
	CHECK_EQ_U64(l.nboxes, 3);
	flame_layout_free(&l);
	frame_tree_free(&t);
}

/* a minimum width wider than the plot keeps the root box (it used to size the layout for
 * no box and then write one) */
TEST(render_layout_minwidth_wider_than_plot)
{
	struct frame_tree t;
	struct flamegraph_opts o;
	struct flame_layout l;

	frame_tree_init(&t);
	parse_str(&t, "a;b 5\nc 3\n");
	flamegraph_opts_default(&o);
	o.minwidth = 1500;
	CHECK(flame_layout_build(&t, &o, &l) == 0);
	CHECK_EQ_U64(l.nboxes, 1);
	flame_layout_free(&l);
	o.width = 100;
	o.minwidth = 90;
	CHECK(flame_layout_build(&t, &o, &l) == 0);
	CHECK_EQ_U64(l.nboxes, 1);
	flame_layout_free(&l);
	frame_tree_free(&t);
}

static char *render_svg(const char *folded, const struct flamegraph_opts *o)
{
	struct frame_tree t;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	frame_tree_init(&t);
	t.quiet = true;
	t.reverse = o->reverse;
	t.flamechart = o->flamechart;
	parse_str(&t, folded);
	CHECK(flamegraph_write(&t, o, f) == 0);
	fclose(f);
	frame_tree_free(&t);
	return buf;
}

TEST(render_svg_contents)
{
	struct flamegraph_opts o;
	flamegraph_opts_default(&o);
	o.title = "T<1>";
	o.subtitle = "sub & title";
	o.countname = "us";
	char *svg = render_svg("main;a<b>&c 30\nmain;kernel_fn_[k] 10\n", &o);
	CHECK(strstr(svg, "<title>a&lt;b&gt;&amp;c (30 us, 75.00%)</title>") != NULL);
	CHECK(strstr(svg, "<title>kernel_fn (10 us, 25.00%)</title>") != NULL);
	CHECK(strstr(svg, "<title>all (40 us, 100.00%)</title>") != NULL);
	CHECK(strstr(svg, ">T&lt;1&gt;</text>") != NULL);
	CHECK(strstr(svg, ">sub &amp; title</text>") != NULL);
	CHECK(strstr(svg, "<![CDATA[") != NULL && strstr(svg, "function fg_search") != NULL);
	CHECK(strstr(svg, "a<b>") == NULL);
	/* root spans the plot: x 10, width 1180 */
	CHECK(strstr(svg, "<rect x=\"10\" y=\"") != NULL && strstr(svg, "width=\"1180\"") != NULL);
	free(svg);
}

TEST(render_svg_differential_colours)
{
	struct flamegraph_opts o;
	flamegraph_opts_default(&o);
	char *svg = render_svg("a;grew 10 30\na;shrank 30 10\na;same 5 5\n", &o);
	CHECK(strstr(svg, "grew (30 samples, 66.67%; +44.44%)") != NULL);
	CHECK(strstr(svg, "shrank (10 samples, 22.22%; -44.44%)") != NULL);
	CHECK(strstr(svg, "fill=\"rgb(255,40,40)\"") != NULL);  /* the largest growth */
	CHECK(strstr(svg, "fill=\"rgb(40,40,255)\"") != NULL);  /* the largest shrinkage */
	CHECK(strstr(svg, "fill=\"rgb(250,250,250)\"") != NULL); /* unchanged */
	free(svg);
	o.negate = true;
	svg = render_svg("a;grew 10 30\n", &o);
	CHECK(strstr(svg, "grew (30 samples, 100.00%; -66.67%)") != NULL);
	free(svg);
	/* normalized: before (total 20) scaled by 40/20; "a" doubles exactly, "b" grew */
	flamegraph_opts_default(&o);
	o.normalize = true;
	svg = render_svg("a 10 20\nb 10 20\n", &o);
	CHECK(strstr(svg, "a (20 samples, 50.00%; +0.00%)") != NULL);
	free(svg);
	svg = render_svg("a 10 10\nb 10 30\n", &o);
	CHECK(strstr(svg, "a (10 samples, 25.00%; -25.00%)") != NULL);
	CHECK(strstr(svg, "b (30 samples, 75.00%; +25.00%)") != NULL);
	free(svg);
}

TEST(render_svg_inverted_and_empty)
{
	struct flamegraph_opts o;
	flamegraph_opts_default(&o);
	o.inverted = true;
	char *svg = render_svg("a;b 1\n", &o);
	CHECK(strstr(svg, ">Icicle Graph</text>") != NULL);
	CHECK(strstr(svg, "data-inverted=\"1\"") != NULL);
	free(svg);
	flamegraph_opts_default(&o);
	svg = render_svg("", &o);
	CHECK(strstr(svg, "No stack counts found") != NULL);
	CHECK(strstr(svg, "</svg>") != NULL);
	free(svg);
}

TEST(render_palettes)
{
	enum flame_palette p;
	CHECK(flamegraph_palette_parse("java", &p) == 0 && p == PAL_JAVA);
	CHECK(flamegraph_palette_parse("nope", &p) < 0);
	/* deterministic, and language palettes follow annotations */
	struct rgb a = palette_color(PAL_HOT, false, "foo", 3), b = palette_color(PAL_HOT, false, "foo", 3);
	CHECK(a.r == b.r && a.g == b.g && a.b == b.b);
	struct rgb k = palette_color(PAL_JAVA, false, "vfs_read_[k]", 12);
	CHECK(k.b == 0 && k.r >= 190); /* orange */
	struct rgb h1 = palette_color(PAL_HOT, true, "ext4_read", 9);
	struct rgb h2 = palette_color(PAL_HOT, true, "ext4_reae", 9);
	CHECK(abs((int)h1.g - (int)h2.g) < 30); /* similar names, similar colours */
	CHECK_EQ_U64(palette_strip_annotation("f_[k]", 5), 1);
	CHECK_EQ_U64(palette_strip_annotation("f_[x]", 5), 5);
}

TEST(render_palette_file_roundtrip)
{
	char path[] = "/tmp/whyslow-palette-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	struct palette_map *m = palette_map_load(path);
	struct rgb c;
	CHECK(m && !palette_map_get(m, "f", 1, &c));
	for (int i = 0; i < 1000; i++) {
		char name[32];
		int n = snprintf(name, sizeof(name), "fn%d->x", i);
		palette_map_put(m, name, n, (struct rgb){i % 256, 1, 2});
	}
	CHECK(palette_map_save(m, path) == 0);
	palette_map_free(m);
	m = palette_map_load(path);
	CHECK(palette_map_get(m, "fn999->x", 8, &c) && c.r == 999 % 256 && c.g == 1 && c.b == 2);
	palette_map_free(m);
	unlink(path);
}

static char *collapse_fixture(const char *name, const struct collapse_opts *o)
{
	struct frame_tree t;
	struct collapse c;
	size_t len, n = 0;
	char *text = unit_read_fixture(name, &len), *out = NULL;
	FILE *f = open_memstream(&out, &n);

	frame_tree_init(&t);
	collapse_init(&c, o, &t);
	CHECK(collapse_parse(&c, text, len) == 0);
	frame_tree_write_folded(&t, f);
	fclose(f);
	collapse_free(&c);
	frame_tree_free(&t);
	free(text);
	return out;
}

TEST(render_collapse_perf)
{
	struct collapse_opts o = {.quiet = true};
	char *out = collapse_fixture("render_perf_script.txt", &o);
	CHECK_STR(out, "Web Content;[unknown];js::RunScript(JSContext*, js::RunState&) 1\n"
		       "bash;main;[bash];__GI___libc_write 1\n"
		       "swapper;cpu_startup_entry;do_idle;default_idle;native_safe_halt 2\n");
	free(out);
	o.pid = o.annotate = true;
	out = collapse_fixture("render_perf_script.txt", &o);
	CHECK(strstr(out, "swapper-0;cpu_startup_entry_[k];do_idle_[k];default_idle_[k];native_safe_halt_[k] 2\n") != NULL);
	CHECK(strstr(out, "bash-1234;main;") != NULL);
	free(out);
}

TEST(render_collapse_bpftrace)
{
	struct collapse_opts o = {.quiet = true};
	char *out = collapse_fixture("render_bpftrace.txt", &o);
	/* the last record has no "]: COUNT" line: skipped */
	CHECK_STR(out, "bash;ksys_read;vfs_read 2\n"
		       "do_idle;default_idle;native_safe_halt 12\n"
		       "sock_sendmsg;tcp_sendmsg 3\n");
	free(out);
}

/* counts past 2^64 are written as numbers, not converted to an integer (undefined); past
 * the renderers' maximum they are refused like the folded parser's */
TEST(render_collapse_bpftrace_huge_counts)
{
	static const char text[] = "@[\n    big\n]: 9e19\n@[\n    huge\n]: 1e301\n";
	struct collapse_opts o = {.quiet = true};
	struct frame_tree t;
	struct collapse c;
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	frame_tree_init(&t);
	collapse_init(&c, &o, &t);
	CHECK(collapse_parse(&c, text, sizeof(text) - 1) == 0);
	frame_tree_write_folded(&t, f);
	fclose(f);
	CHECK_STR(out, "big 9e+19\n");
	CHECK_EQ_U64(c.skipped, 1);
	collapse_free(&c);
	frame_tree_free(&t);
	free(out);
}

TEST(render_heatmap_fixed_rows)
{
	struct heatmap_opts o;
	struct heatmap_shape s;
	heatmap_opts_default(&o);
	o.maxlat = 100;
	o.rows = 10;
	struct heatmap *h = heatmap_new(&o);
	CHECK(heatmap_add(h, 0.5, 0) == 0);
	CHECK(heatmap_add(h, 0.5, 9.99) == 0);
	CHECK(heatmap_add(h, 0.5, 10) == 0);
	CHECK(heatmap_add(h, 3.999, 100) == 0); /* maxlat itself: top row, last column */
	CHECK(heatmap_add(h, 2, 100.5) == 1);   /* above maxlat: dropped, counted */
	CHECK(heatmap_add(h, 0.003 * 1000, 55) == 0);
	heatmap_shape(h, &s);
	CHECK_EQ_U64(s.columns, 4);
	CHECK_EQ_U64(s.rows, 10);
	CHECK_EQ_U64(heatmap_cell(h, 0, 0), 2);
	CHECK_EQ_U64(heatmap_cell(h, 0, 1), 1);
	CHECK_EQ_U64(heatmap_cell(h, 3, 9), 1);
	CHECK_EQ_U64(heatmap_cell(h, 3, 5), 1);
	CHECK_EQ_U64(s.above, 1);
	CHECK_EQ_U64(s.points, 5);
	/* the SVG draws the last column and the top row */
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	heatmap_write(h, f);
	fclose(f);
	CHECK(strstr(buf, "<title>3-4s, 90-100 us: 1</title>") != NULL);
	CHECK(strstr(buf, "<title>0-1s, 0-10 us: 2</title>") != NULL);
	free(buf);
	heatmap_free(h);
}

TEST(render_heatmap_auto_rows_exact)
{
	struct heatmap_opts o;
	struct heatmap_shape s;
	heatmap_opts_default(&o);
	o.rows = 4;
	struct heatmap *h = heatmap_new(&o);
	/* first latency 3: step 1 (3 < 4*1); then 7 forces step 2, 30 forces step 8 */
	heatmap_add(h, 0, 3);
	heatmap_add(h, 0, 1);
	heatmap_add(h, 1, 7);
	heatmap_add(h, 1, 30);
	heatmap_add(h, 2, 0);
	heatmap_shape(h, &s);
	CHECK_NEAR(s.steplat, 8, 0);
	CHECK_EQ_U64(s.rows, 4); /* 30 is in row 3 = [24, 32) */
	CHECK_EQ_U64(heatmap_cell(h, 0, 0), 2);
	CHECK_EQ_U64(heatmap_cell(h, 1, 0), 1);
	CHECK_EQ_U64(heatmap_cell(h, 1, 3), 1);
	CHECK_EQ_U64(heatmap_cell(h, 2, 0), 1);
	CHECK_EQ_U64(s.points, 5);
	heatmap_free(h);
}

TEST(render_heatmap_columns_grow_both_ways)
{
	struct heatmap_opts o;
	struct heatmap_shape s;
	heatmap_opts_default(&o);
	o.steplat = 10;
	o.stepsec = 0.5;
	o.max_columns = 100;
	struct heatmap *h = heatmap_new(&o);
	CHECK(heatmap_add(h, 10.2, 5) == 0);
	CHECK(heatmap_add(h, 9.1, 25) == 0);   /* earlier than the first point */
	CHECK(heatmap_add(h, 1000, 5) == -1);  /* beyond max_columns */
	CHECK(heatmap_add(h, 0.0 / 0.0, 5) == -1);
	heatmap_shape(h, &s);
	CHECK_NEAR(s.t0, 9, 0);
	CHECK_EQ_U64(s.columns, 3);
	CHECK_EQ_U64(s.rows, 3);
	CHECK_EQ_U64(heatmap_cell(h, 0, 2), 1);
	CHECK_EQ_U64(heatmap_cell(h, 2, 0), 1);
	heatmap_free(h);
}

TEST(render_args_split_files)
{
	static const struct cli_opt opts[] = {
		{'o', "output", "FILE", "x"}, {CLI_LONG_ONLY + 1, "title", "T", "x"},
		{CLI_LONG_ONLY + 2, "hash", NULL, "x"}, {0}};
	struct cli_spec spec = {.name = "t", .opts = opts};
	char *argv[] = {"t", "a.folded", "-o", "out.svg", "--title", "x y", "--hash", "-",
			"--title=z", "-oout2", "b", "--", "-c", NULL};
	struct render_args a;
	render_args_split(&spec, 13, argv, &a);
	CHECK_EQ_U64(a.nfiles, 4);
	CHECK_STR(a.files[0], "a.folded");
	CHECK_STR(a.files[1], "-");
	CHECK_STR(a.files[2], "b");
	CHECK_STR(a.files[3], "-c");
	CHECK_EQ_U64(a.argc, 8);
	CHECK_STR(a.argv[6], "--title=z");
	render_args_free(&a);
}

TEST(render_collapse_nul_in_frame)
{
	/* found by fuzz_folded: a NUL byte inside a frame name split it in two */
	static const char in[] = "@[\n    a\0b+1\n    c\n]: 4\n";
	struct frame_tree t;
	struct collapse c;
	struct collapse_opts o = {.quiet = true};

	frame_tree_init(&t);
	collapse_init(&c, &o, &t);
	CHECK(collapse_parse(&c, in, sizeof(in) - 1) == 0);
	CHECK_EQ_U64(c.records, 1);
	CHECK_EQ_U64(t.nnodes, 3);
	CHECK_NEAR(frame_tree_total(&t), 4, 0);
	collapse_free(&c);
	frame_tree_free(&t);
}
