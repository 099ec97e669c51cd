/* Folded stacks ("comm;frame;frame count", the flamegraph.pl format) merged into a frame
 * tree while they stream in: memory grows with distinct frames, not with lines.
 *
 * Frame names are interned once (a hash table over an arena); a node is (parent, name)
 * found through one hash table over all edges. Consecutive input lines usually share a
 * prefix (sorted folded output does), so each line is first compared with the path of the
 * previous one and only the differing tail is looked up. */
#ifndef WHYSLOW_RENDER_FOLDED_H
#define WHYSLOW_RENDER_FOLDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FRAME_ROOT 0u
#define FRAME_NONE UINT32_MAX
#define FRAME_KIDS_HASHED 255

/* Which count of a node a stack adds to. */
enum frame_count {
	COUNT_MAIN = 0,   /* the profile drawn (the "after" one of a differential graph) */
	COUNT_BEFORE = 1, /* the "before" profile of a differential graph */
};

struct frame_tree {
	/* interned names: name i is arena[names[i].off .. + names[i].len); offset and length
	 * side by side, so checking a name costs one cache miss, not two */
	char *arena;
	size_t arena_len, arena_cap;
	struct frame_name_ref {
		uint64_t off;
		uint32_t len;
	} *names;
	uint32_t nnames, names_cap;
	/* open addressing: 0 = empty, else (32 hash bits << 32) | (name id + 1); the hash
	 * bits spare a memory access per probe and make rehashing read nothing else */
	uint64_t *name_slots;
	uint32_t name_mask;

	/* nodes: node 0 is the root; a parent's id is always below its children's */
	uint32_t *node_name, *node_parent;
	double *count;        /* inclusive count of the main profile */
	double *count_before; /* inclusive "before" count; NULL unless differential */
	uint32_t *last_child; /* flame charts only: merging happens with the last child */
	uint32_t nnodes, nodes_cap;
	/* Children: most nodes have a few, found on a short list (first_child, then
	 * next_sibling); a node reaching CHILDREN_HASHED_AT children moves them into one hash
	 * table over all such edges, (parent, name) -> node id + 1. Chains of new frames (the
	 * tail of a stack seen for the first time) then cost no random memory access. */
	uint32_t *first_child, *next_sibling;
	uint8_t *nkids; /* children on the list; FRAME_KIDS_HASHED once in the table */
	uint32_t *edge_slots, edge_mask, nedges;

	/* streaming state */
	uint32_t *path; /* node ids of the previous stack, root excluded */
	size_t path_len, path_cap;
	const char **frame_ptr; /* scratch: frames of the current line */
	uint32_t *frame_len;
	size_t frames_cap;
	uint32_t *hashes; /* scratch: name hashes of the current stack */
	size_t hashes_cap;

	bool reverse;     /* leaf first: reverse each stack before merging */
	bool flamechart;  /* keep input order: merge only with the previous sibling */
	bool quiet;       /* no warnings on stderr (tests, fuzzing) */
	bool oom;         /* an allocation failed; the tree is incomplete */
	unsigned max_warnings;
	uint64_t lines, stacks, skipped, warnings;
	const char *label; /* input name for warnings */
};

void frame_tree_init(struct frame_tree *t);
void frame_tree_free(struct frame_tree *t);

/* Adds one stack, root first (reversed if t->reverse). Returns 0, or -1 when out of
 * memory. */
int frame_tree_add(struct frame_tree *t, const char *const *frames, const uint32_t *lens,
		   size_t nframes, double count, enum frame_count which);

/* Parses one folded line (no newline; a trailing CR is ignored). A line with two counts
 * ("stack before after", as difffolded.pl writes) feeds both profiles. Malformed lines are
 * skipped with a warning naming line `lineno`. Returns 0, or -1 on out of memory. */
int frame_tree_add_folded(struct frame_tree *t, const char *line, size_t len,
			  uint64_t lineno, enum frame_count which);

/* Parses a buffer of folded lines (the last line may lack its newline). */
int frame_tree_parse(struct frame_tree *t, const char *buf, size_t len, enum frame_count which);

/* Streams a file of folded lines in large blocks. label names it in warnings.
 * Returns 0, or -1 with a message printed (read error, out of memory). */
int frame_tree_read(struct frame_tree *t, FILE *in, const char *label, enum frame_count which);

/* Line reader shared by the renderers' parsers: reads in large blocks and calls fn for
 * each line (without '\n') with its 1-based number; the buffer grows for long lines.
 * fn returns 0 to go on, -1 to stop. Returns 0, or -1 on a read error or out of memory
 * (errno set), or fn's -1. */
typedef int (*line_fn)(void *ctx, const char *line, size_t len, uint64_t lineno);
int render_read_lines(FILE *in, line_fn fn, void *ctx);

static inline const char *frame_name(const struct frame_tree *t, uint32_t node,
				     uint32_t *len)
{
	uint32_t n = t->node_name[node];
	*len = t->names[n].len;
	return t->arena + t->names[n].off;
}

/* Total of the main profile (the root's inclusive count). */
static inline double frame_tree_total(const struct frame_tree *t)
{
	return t->count[FRAME_ROOT];
}

/* Writes the tree back as folded lines (one per node with a self count), children in name
 * order (flame charts: input order). Used by `collapse`. */
int frame_tree_write_folded(const struct frame_tree *t, FILE *out);

/* Warnings "whyslow CMD: warning: LABEL:LINE: msg", at most `max` of them; the summary
 * then says how many more there were. */
void render_warn(const char *label, uint64_t lineno, unsigned max, uint64_t *count,
		 bool quiet, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void render_warn_summary(const char *label, unsigned max, uint64_t count, bool quiet);

#endif
