/* Frame colours for flame graphs: palettes by name, deterministic (the same input always
 * gives the same picture), and an optional palette file that keeps a name's colour the
 * same across graphs, so two pictures can be compared by eye. */
#ifndef WHYSLOW_RENDER_PALETTE_H
#define WHYSLOW_RENDER_PALETTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "render/flamegraph.h"

struct rgb {
	uint8_t r, g, b;
};

/* The colour of frame `name` (annotations like "_[k]" included) in palette p. With hash,
 * similar names get similar colours (weighted to the first characters); without, colours
 * still come from the name, spread evenly. */
struct rgb palette_color(enum flame_palette p, bool hash, const char *name, size_t len);

/* Differential colour: red for growth, blue for shrinkage, white for no change; delta is
 * scaled by max_abs_delta. */
struct rgb palette_diff_color(double delta, double max_abs_delta);

/* A consistent palette: names mapped to colours, read from and written to a file in the
 * flamegraph.pl palette.map format ("name->rgb(r,g,b)", one per line). */
struct palette_map;
struct palette_map *palette_map_load(const char *path); /* a missing file is empty */
bool palette_map_get(const struct palette_map *m, const char *name, size_t len, struct rgb *out);
int palette_map_put(struct palette_map *m, const char *name, size_t len, struct rgb c);
int palette_map_save(const struct palette_map *m, const char *path); /* sorted by name */
void palette_map_free(struct palette_map *m);

/* Length of name without a trailing annotation "_[k]", "_[j]", "_[i]" or "_[w]". */
size_t palette_strip_annotation(const char *name, size_t len);

#endif
