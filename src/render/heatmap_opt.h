/* --heatmap FILE of the per-event tracers (biosnoop, fsslower, runqslower, funcslower): a
 * streaming latency heat map (render/heatmap.h) fed with every event printed, written as
 * SVG at exit. */
#ifndef WHYSLOW_RENDER_HEATMAP_OPT_H
#define WHYSLOW_RENDER_HEATMAP_OPT_H

#include "lib/cli.h"
#include "render/heatmap.h"

/* Returns 0, or a printed one-line error and EXIT_RUNTIME. */
static inline int open_heatmap(struct heatmap **out, const char *title)
{
	struct heatmap_opts o;

	heatmap_opts_default(&o);
	o.title = title;
	o.unitslabel = "us";
	*out = heatmap_new(&o);
	return *out ? 0 : cli_fail("cannot make the heat map: out of memory");
}

#endif
