/* Stack collapsing: `perf script` output and bpftrace stack counts to folded stacks
 * ("comm;root;...;leaf count"), merged in a frame tree (folded.h) so memory grows with
 * distinct frames, and written sorted as stackcollapse-*.pl do. */
#ifndef WHYSLOW_RENDER_COLLAPSE_H
#define WHYSLOW_RENDER_COLLAPSE_H

#include <stdbool.h>
#include <stdio.h>
#include "render/folded.h"

enum collapse_format { COLLAPSE_AUTO, COLLAPSE_PERF, COLLAPSE_BPFTRACE };

struct collapse_opts {
	enum collapse_format format;
	bool pid;      /* perf: "comm-PID" as the root frame */
	bool tid;      /* perf: "comm-PID/TID" */
	bool annotate; /* perf: kernel frames get "_[k]", JIT (perf-PID.map) frames "_[j]" */
	bool quiet;    /* no warnings (tests, fuzzing) */
};

struct collapse {
	struct collapse_opts o;
	struct frame_tree *tree;
	enum collapse_format format; /* decided on the first meaningful line when AUTO */
	/* the record being read */
	bool in_record;
	uint64_t record_line;
	char *root;            /* comm (perf) or extra map keys (bpftrace) */
	size_t root_len;
	char *frames;          /* frame names back to back, leaf first (may hold NUL bytes) */
	size_t frames_len, frames_cap;
	uint32_t *frame_lens;  /* length of each frame in frames */
	size_t nframes, lens_cap;
	const char **ptr;
	uint32_t *len;
	size_t ptr_cap;
	uint64_t records, skipped;
	const char *label;
};

void collapse_init(struct collapse *c, const struct collapse_opts *o, struct frame_tree *t);
void collapse_free(struct collapse *c);
/* Feeds one line (without '\n'). Returns 0, or -1 when out of memory. */
int collapse_line(struct collapse *c, const char *line, size_t len, uint64_t lineno);
/* Ends the input: a record without its closing line is added (perf) or reported. */
int collapse_finish(struct collapse *c);
/* Feeds a whole buffer (tests, fuzzing). */
int collapse_parse(struct collapse *c, const char *buf, size_t len);

#endif
