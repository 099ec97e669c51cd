/* Collected stacks drawn as a flame graph SVG (render/flamegraph.h), for the commands'
 * --flamegraph FILE option. Separate from stacks.h so that stack users that never draw do
 * not pull in the renderer. */
#ifndef WHYSLOW_STACKS_FLAME_H
#define WHYSLOW_STACKS_FLAME_H

#include "lib/stacks.h"
#include "render/flamegraph.h"

/* Symbolizes and folds the samples and writes the SVG to path. Returns 0, or prints one
 * line and returns EXIT_RUNTIME. */
int stack_samples_flamegraph(struct stack_syms *ss, const struct stack_samples *s,
			     const char *path, const struct flamegraph_opts *o);

#endif
