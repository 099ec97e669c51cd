/* Collected stacks drawn as a flame graph SVG (render/flamegraph.h), for the commands'
 * --flamegraph FILE option, and the interval report of stack-counting commands (profile,
 * offcputime): text, folded, JSON and the SVG. Separate from stacks.h so that stack users
 * that never draw do not pull in the renderer. */
#ifndef WHYSLOW_STACKS_FLAME_H
#define WHYSLOW_STACKS_FLAME_H

#include "lib/stacks.h"
#include "render/flamegraph.h"

/* Symbolizes and folds the samples and writes the SVG to path. Returns 0, or prints one
 * line and returns EXIT_RUNTIME. */
int stack_samples_flamegraph(struct stack_syms *ss, const struct stack_samples *s,
			     const char *path, const struct flamegraph_opts *o);

/* How a stack-counting command reports an interval. */
struct stack_report {
	const char *command;     /* JSON "command" */
	const char *total_key;   /* JSON key of the sum of the values ("samples") */
	const char *value_key;   /* JSON key of each stack's value ("samples", "offcpu_us") */
	const char *missed_key;  /* JSON key of the value whose stack was lost */
	const char *missed_what; /* text warning: "samples", "us of off-CPU time" */
	bool json, folded, delimited, timestamp;
	const char *flamegraph;  /* SVG path, or NULL */
	struct flamegraph_opts fg;
	/* optional: more JSON fields of the command, written after "command" */
	void (*json_extra)(struct json *j, void *ctx);
	void *ctx;
};

/* Sorts the samples, writes the SVG if asked, prints text or one JSON object; lost stacks
 * are said (stderr in text, missed_key in JSON). Returns 0 or EXIT_RUNTIME. */
int stack_report_print(struct stack_syms *ss, struct stack_samples *s, uint64_t missed,
		       const struct stack_report *r);

#endif
