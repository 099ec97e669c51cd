/* Frame tree built from folded stacks while they stream: see folded.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "lib/cli.h"
#include "render/folded.h"
#include "render/numparse.h"

#define READ_BLOCK (4u << 20)
#define MAX_LINE ((size_t)1 << 30) /* a longer line is an error, not an allocation */

static inline uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static inline uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	}
	return mix64(h);
}

static inline uint64_t edge_hash(uint32_t parent, uint32_t name)
{
	return mix64((uint64_t)parent << 32 | name);
}

void render_warn(const char *label, uint64_t lineno, unsigned max, uint64_t *count,
		 bool quiet, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if ((*count)++ >= max || quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_warn("%s:%llu: %s", label ? label : "-", (unsigned long long)lineno, msg);
}

void render_warn_summary(const char *label, unsigned max, uint64_t count, bool quiet)
{
	if (count > max && !quiet)
		cli_warn("%s: %llu more malformed lines skipped", label ? label : "-",
			 (unsigned long long)(count - max));
}

/* --- growth helpers --- */

static bool grow(void **p, size_t elem, size_t newcap)
{
	void *q = realloc(*p, elem * newcap);

	if (!q)
		return false;
	*p = q;
	return true;
}

static bool names_rehash(struct frame_tree *t, uint32_t nslots)
{
	uint64_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return false;
	for (uint32_t k = 0; k <= t->name_mask; k++) {
		uint64_t slot = t->name_slots[k];
		if (!slot)
			continue;
		uint32_t i = (uint32_t)(slot >> 32) & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = slot;
	}
	free(t->name_slots);
	t->name_slots = slots;
	t->name_mask = nslots - 1;
	return true;
}

#define CHILDREN_HASHED_AT 12

static bool edges_rehash(struct frame_tree *t, uint32_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return false;
	for (uint32_t id = 1; id < t->nnodes; id++) {
		if (t->nkids[t->node_parent[id]] != FRAME_KIDS_HASHED)
			continue;
		uint32_t i = edge_hash(t->node_parent[id], t->node_name[id]) & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = id + 1;
	}
	free(t->edge_slots);
	t->edge_slots = slots;
	t->edge_mask = nslots - 1;
	return true;
}

/* Makes room for `extra` more edges, so that inserting them never rehashes midway. */
static bool edges_reserve(struct frame_tree *t, uint32_t extra)
{
	if ((uint64_t)(t->nedges + extra) * 10 <= ((uint64_t)t->edge_mask + 1) * 7)
		return true;
	return edges_rehash(t, (t->edge_mask + 1) * 2);
}

/* Adds node id to the edge table; the caller knows it is not there and reserved room. */
static void edge_insert(struct frame_tree *t, uint32_t id)
{
	uint32_t i = edge_hash(t->node_parent[id], t->node_name[id]) & t->edge_mask;

	while (t->edge_slots[i])
		i = (i + 1) & t->edge_mask;
	t->edge_slots[i] = id + 1;
	t->nedges++;
}

/* Returns the id of name s[0..len), adding it if new; UINT32_MAX when out of memory. */
static uint32_t intern_hashed(struct frame_tree *t, const char *s, uint32_t len, uint32_t h)
{
	uint32_t i = h & t->name_mask, id;

	for (uint64_t slot; (slot = t->name_slots[i]); i = (i + 1) & t->name_mask) {
		id = (uint32_t)slot - 1;
		if ((uint32_t)(slot >> 32) == h && t->names[id].len == len &&
		    memcmp(t->arena + t->names[id].off, s, len) == 0)
			return id;
	}
	if (t->nnames == UINT32_MAX - 1)
		return UINT32_MAX;
	if (t->nnames == t->names_cap) {
		uint32_t cap = t->names_cap * 2;
		if (!grow((void **)&t->names, sizeof(*t->names), cap))
			return UINT32_MAX;
		t->names_cap = cap;
	}
	if (t->arena_len + len > t->arena_cap) {
		size_t cap = t->arena_cap * 2;
		while (cap < t->arena_len + len)
			cap *= 2;
		if (!grow((void **)&t->arena, 1, cap))
			return UINT32_MAX;
		t->arena_cap = cap;
	}
	id = t->nnames++;
	memcpy(t->arena + t->arena_len, s, len);
	t->names[id].off = t->arena_len;
	t->names[id].len = len;
	t->arena_len += len;
	t->name_slots[i] = (uint64_t)h << 32 | (id + 1);
	if ((uint64_t)t->nnames * 2 > (uint64_t)t->name_mask + 1 &&
	    !names_rehash(t, (t->name_mask + 1) * 2))
		return UINT32_MAX;
	return id;
}

static uint32_t intern(struct frame_tree *t, const char *s, uint32_t len)
{
	return intern_hashed(t, s, len, (uint32_t)hash_bytes(s, len));
}

static bool nodes_grow(struct frame_tree *t)
{
	uint32_t cap = t->nodes_cap * 2;

	if (t->nodes_cap >= (1u << 31))
		return false;
	if (!grow((void **)&t->node_name, sizeof(uint32_t), cap) ||
	    !grow((void **)&t->node_parent, sizeof(uint32_t), cap) ||
	    !grow((void **)&t->count, sizeof(double), cap))
		return false;
	if (t->count_before && !grow((void **)&t->count_before, sizeof(double), cap))
		return false;
	if (t->flamechart && !grow((void **)&t->last_child, sizeof(uint32_t), cap))
		return false;
	if (!grow((void **)&t->first_child, sizeof(uint32_t), cap) ||
	    !grow((void **)&t->next_sibling, sizeof(uint32_t), cap) ||
	    !grow((void **)&t->nkids, sizeof(uint8_t), cap))
		return false;
	t->nodes_cap = cap;
	return true;
}

static uint32_t new_node(struct frame_tree *t, uint32_t parent, uint32_t name)
{
	uint32_t id;

	if (t->nnodes == t->nodes_cap && !nodes_grow(t))
		return UINT32_MAX;
	/* room first: a rehash walks the nodes, and must not meet this one half made */
	if (t->nkids[parent] == FRAME_KIDS_HASHED && !edges_reserve(t, 1))
		return UINT32_MAX;
	id = t->nnodes++;
	t->node_name[id] = name;
	t->node_parent[id] = parent;
	t->count[id] = 0;
	if (t->count_before)
		t->count_before[id] = 0;
	if (t->flamechart) {
		t->last_child[id] = UINT32_MAX;
		t->last_child[parent] = id;
	}
	t->first_child[id] = FRAME_NONE;
	t->nkids[id] = 0;
	if (t->nkids[parent] == FRAME_KIDS_HASHED) {
		edge_insert(t, id);
		return id;
	}
	t->next_sibling[id] = t->first_child[parent];
	t->first_child[parent] = id;
	if (++t->nkids[parent] == CHILDREN_HASHED_AT) {
		/* a wide node: its children move to the hash table (the list stays, unused) */
		if (!edges_reserve(t, CHILDREN_HASHED_AT))
			return UINT32_MAX;
		for (uint32_t c = t->first_child[parent]; c != FRAME_NONE; c = t->next_sibling[c])
			edge_insert(t, c);
		t->nkids[parent] = FRAME_KIDS_HASHED;
	}
	return id;
}

/* The child of parent named s, created if missing. A parent created by this very stack
 * (fresh) has no children yet, so the lookup is skipped. */
static uint32_t child_of(struct frame_tree *t, uint32_t parent, uint32_t name, bool fresh)
{
	uint32_t id, i;

	if (t->flamechart) {
		/* time order: merge only with the latest sibling, as adjacent samples do */
		id = t->last_child[parent];
		if (id != UINT32_MAX && t->node_name[id] == name)
			return id;
		return new_node(t, parent, name);
	}
	if (fresh)
		return new_node(t, parent, name);
	if (t->nkids[parent] != FRAME_KIDS_HASHED) {
		for (id = t->first_child[parent]; id != FRAME_NONE; id = t->next_sibling[id])
			if (t->node_name[id] == name)
				return id;
		return new_node(t, parent, name);
	}
	i = (uint32_t)edge_hash(parent, name) & t->edge_mask;
	for (uint32_t slot; (slot = t->edge_slots[i]); i = (i + 1) & t->edge_mask) {
		id = slot - 1;
		if (t->node_parent[id] == parent && t->node_name[id] == name)
			return id;
	}
	return new_node(t, parent, name);
}

void frame_tree_init(struct frame_tree *t)
{
	memset(t, 0, sizeof(*t));
	t->max_warnings = 10;
	t->arena_cap = 1 << 16;
	t->names_cap = 1 << 10;
	t->nodes_cap = 1 << 12;
	t->arena = malloc(t->arena_cap);
	t->names = malloc(t->names_cap * sizeof(*t->names));
	t->name_slots = calloc(2048, sizeof(uint64_t));
	t->name_mask = 2047;
	t->node_name = malloc(t->nodes_cap * sizeof(uint32_t));
	t->node_parent = malloc(t->nodes_cap * sizeof(uint32_t));
	t->count = malloc(t->nodes_cap * sizeof(double));
	t->last_child = malloc(t->nodes_cap * sizeof(uint32_t));
	t->first_child = malloc(t->nodes_cap * sizeof(uint32_t));
	t->next_sibling = malloc(t->nodes_cap * sizeof(uint32_t));
	t->nkids = malloc(t->nodes_cap);
	t->edge_slots = calloc(8192, sizeof(uint32_t));
	t->edge_mask = 8191;
	if (!t->arena || !t->names || !t->name_slots ||
	    !t->node_name || !t->node_parent || !t->count || !t->last_child || !t->edge_slots ||
	    !t->first_child || !t->next_sibling || !t->nkids) {
		t->oom = true;
		return;
	}
	intern(t, "", 0); /* name 0: the root's */
	t->nnodes = 1;
	t->node_name[0] = 0;
	t->node_parent[0] = 0;
	t->count[0] = 0;
	t->last_child[0] = UINT32_MAX;
	t->first_child[0] = FRAME_NONE;
	t->next_sibling[0] = FRAME_NONE;
	t->nkids[0] = 0;
}

void frame_tree_free(struct frame_tree *t)
{
	free(t->arena);
	free(t->names);
	free(t->name_slots);
	free(t->node_name);
	free(t->node_parent);
	free(t->count);
	free(t->count_before);
	free(t->last_child);
	free(t->first_child);
	free(t->next_sibling);
	free(t->nkids);
	free(t->edge_slots);
	free(t->path);
	free(t->frame_ptr);
	free(t->frame_len);
	free(t->hashes);
	memset(t, 0, sizeof(*t));
}

static bool ensure_before(struct frame_tree *t)
{
	if (t->count_before)
		return true;
	t->count_before = calloc(t->nodes_cap, sizeof(double));
	return t->count_before != NULL;
}

int frame_tree_add(struct frame_tree *t, const char *const *frames, const uint32_t *lens,
		   size_t n, double count, enum frame_count which)
{
	uint32_t parent = FRAME_ROOT;
	bool fresh = false;
	double *counts;

	if (t->oom)
		return -1;
	if (t->flamechart && !t->last_child)
		return -1;
	if (which == COUNT_BEFORE && !ensure_before(t))
		goto oom;
	if (n > t->path_cap) {
		size_t cap = t->path_cap ? t->path_cap : 64;
		while (cap < n)
			cap *= 2;
		if (!grow((void **)&t->path, sizeof(*t->path), cap))
			goto oom;
		t->path_cap = cap;
	}
	/* the prefix shared with the previous stack: its nodes are known */
	size_t i = 0;
	for (; i < n && i < t->path_len; i++) {
		size_t k = t->reverse ? n - 1 - i : i;
		uint32_t prev = t->path[i], nm = t->node_name[prev];
		if (t->names[nm].len != lens[k] || memcmp(t->arena + t->names[nm].off, frames[k], lens[k]))
			break;
		parent = prev;
	}
	/* hash the rest first and prefetch their name slots: the lookups below then overlap
	 * their cache misses instead of taking them one after the other */
	if (n > t->hashes_cap) {
		size_t cap = t->hashes_cap ? t->hashes_cap : 64;
		while (cap < n)
			cap *= 2;
		if (!grow((void **)&t->hashes, sizeof(*t->hashes), cap))
			goto oom;
		t->hashes_cap = cap;
	}
	for (size_t j = i; j < n; j++) {
		size_t k = t->reverse ? n - 1 - j : j;
		t->hashes[j] = (uint32_t)hash_bytes(frames[k], lens[k]);
		__builtin_prefetch(&t->name_slots[t->hashes[j] & t->name_mask]);
	}
	for (; i < n; i++) {
		size_t k = t->reverse ? n - 1 - i : i;
		uint32_t name = intern_hashed(t, frames[k], lens[k], t->hashes[i]), node;
		if (name == UINT32_MAX)
			goto oom;
		uint32_t before = t->nnodes;
		node = child_of(t, parent, name, fresh);
		if (node == UINT32_MAX)
			goto oom;
		fresh = t->nnodes != before;
		t->path[i] = node;
		parent = node;
	}
	t->path_len = n;
	/* counts last: the path is complete and its nodes exist */
	counts = which == COUNT_BEFORE ? t->count_before : t->count;
	counts[FRAME_ROOT] += count;
	for (size_t i = 0; i < n; i++)
		counts[t->path[i]] += count;
	t->stacks++;
	return 0;
oom:
	t->oom = true;
	t->path_len = 0;
	return -1;
}

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Parses the number that ends s[0..*len), removing it and the blanks before it. */
static bool take_trailing_count(const char *s, size_t *len, double *count)
{
	size_t end = *len, start = end;
	const char *stop;

	/* only number characters: a frame name ending the stack is rejected after one byte,
	 * not after scanning the whole line back to a blank */
	while (start > 0 && ((unsigned)(s[start - 1] - '0') < 10 || s[start - 1] == '.' ||
			     s[start - 1] == 'e' || s[start - 1] == 'E' || s[start - 1] == '+' ||
			     s[start - 1] == '-'))
		start--;
	if (start == end || start == 0 || !is_blank(s[start - 1]))
		return false; /* no number, or no blank before it (no stack) */
	if (!numparse_double(s + start, s + end, count, &stop) || stop != s + end)
		return false;
	if (!(*count >= 0) || *count > NUMPARSE_COUNT_MAX)
		return false;
	while (start > 0 && is_blank(s[start - 1]))
		start--;
	*len = start;
	return true;
}

int frame_tree_add_folded(struct frame_tree *t, const char *line, size_t len,
			  uint64_t lineno, enum frame_count which)
{
	double count, before;
	size_t nframes = 0;
	int rc;

	t->lines++;
	while (len > 0 && is_blank(line[len - 1]))
		len--;
	if (len == 0)
		return 0; /* blank lines separate nothing in folded files */
	if (!take_trailing_count(line, &len, &count)) {
		render_warn(t->label, lineno, t->max_warnings, &t->skipped, t->quiet,
			    "no count at the end of the line (expected \"frame;frame COUNT\"): skipped");
		return 0;
	}
	bool two = take_trailing_count(line, &len, &before);
	if (len == 0) {
		render_warn(t->label, lineno, t->max_warnings, &t->skipped, t->quiet,
			    "empty stack before the count: skipped");
		return 0;
	}
	if (len > UINT32_MAX) {
		render_warn(t->label, lineno, t->max_warnings, &t->skipped, t->quiet,
			    "line too long: skipped");
		return 0;
	}
	/* split on ';' */
	for (const char *p = line, *end = line + len;;) {
		const char *semi = memchr(p, ';', end - p);
		const char *stop = semi ? semi : end;
		if (nframes == t->frames_cap) {
			size_t cap = t->frames_cap ? t->frames_cap * 2 : 128;
			if (!grow((void **)&t->frame_ptr, sizeof(*t->frame_ptr), cap) ||
			    !grow((void **)&t->frame_len, sizeof(*t->frame_len), cap)) {
				t->oom = true;
				return -1;
			}
			t->frames_cap = cap;
		}
		t->frame_ptr[nframes] = p;
		t->frame_len[nframes++] = (uint32_t)(stop - p);
		if (!semi)
			break;
		p = semi + 1;
	}
	if (two) {
		rc = frame_tree_add(t, t->frame_ptr, t->frame_len, nframes, before, COUNT_BEFORE);
		if (rc == 0)
			rc = frame_tree_add(t, t->frame_ptr, t->frame_len, nframes, count, COUNT_MAIN);
	} else {
		rc = frame_tree_add(t, t->frame_ptr, t->frame_len, nframes, count, which);
	}
	return rc;
}

struct parse_ctx {
	struct frame_tree *t;
	enum frame_count which;
};

static int parse_line(void *ctx, const char *line, size_t len, uint64_t lineno)
{
	struct parse_ctx *c = ctx;

	return frame_tree_add_folded(c->t, line, len, lineno, c->which);
}

int frame_tree_parse(struct frame_tree *t, const char *buf, size_t len, enum frame_count which)
{
	uint64_t lineno = 0;

	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', end - p);
		const char *stop = nl ? nl : end;
		if (frame_tree_add_folded(t, p, stop - p, ++lineno, which) < 0)
			return -1;
		p = stop + 1;
	}
	render_warn_summary(t->label, t->max_warnings, t->skipped, t->quiet);
	return 0;
}

int render_read_lines(FILE *in, line_fn fn, void *ctx)
{
	size_t cap = READ_BLOCK, have = 0;
	char *buf = malloc(cap);
	uint64_t lineno = 0;
	int rc = 0;

	if (!buf)
		return -1;
	for (;;) {
		size_t n = fread(buf + have, 1, cap - have, in);
		char *p = buf, *end, *nl;

		if (n == 0 && ferror(in)) {
			rc = -1;
			break;
		}
		have += n;
		end = buf + have;
		while ((nl = memchr(p, '\n', end - p))) {
			if (fn(ctx, p, nl - p, ++lineno) < 0) {
				rc = -1;
				goto out;
			}
			p = nl + 1;
		}
		if (n == 0) {
			if (p < end && fn(ctx, p, end - p, ++lineno) < 0)
				rc = -1;
			break;
		}
		have = end - p;
		memmove(buf, p, have);
		if (have == cap) { /* one line fills the buffer: make room */
			if (cap >= MAX_LINE || !grow((void **)&buf, 1, cap * 2)) {
				errno = ENOMEM;
				rc = -1;
				break;
			}
			cap *= 2;
		}
	}
out:
	free(buf);
	return rc;
}

int frame_tree_read(struct frame_tree *t, FILE *in, const char *label, enum frame_count which)
{
	struct parse_ctx c = {t, which};
	uint64_t skipped_before = t->skipped;
	int rc;

	t->label = label;
	rc = render_read_lines(in, parse_line, &c);
	if (rc < 0 && t->oom)
		return cli_fail("%s: out of memory after %u distinct frames", label, t->nnodes);
	if (rc < 0)
		return cli_fail("%s: read failed: %s", label, strerror(errno ? errno : EIO));
	render_warn_summary(label, t->max_warnings, t->skipped - skipped_before, t->quiet);
	return 0;
}

/* --- writing folded stacks back --- */

static int cmp_by_name(const void *a, const void *b, void *arg)
{
	const struct frame_tree *t = arg;
	uint32_t la, lb;
	const char *sa = frame_name(t, *(const uint32_t *)a, &la);
	const char *sb = frame_name(t, *(const uint32_t *)b, &lb);
	int c = memcmp(sa, sb, la < lb ? la : lb);

	return c ? c : (la > lb) - (la < lb);
}

/* Children of every node as index ranges into one array (CSR), in id order. */
static int build_children(const struct frame_tree *t, uint32_t **start_out, uint32_t **list_out)
{
	uint32_t *start = calloc((size_t)t->nnodes + 1, sizeof(uint32_t));
	uint32_t *list = malloc(((size_t)t->nnodes + 1) * sizeof(uint32_t));

	if (!start || !list) {
		free(start);
		free(list);
		return -1;
	}
	for (uint32_t id = 1; id < t->nnodes; id++)
		start[t->node_parent[id] + 1]++;
	for (uint32_t i = 0; i < t->nnodes; i++)
		start[i + 1] += start[i];
	/* fill using a cursor per parent: reuse a copy of start */
	uint32_t *cursor = malloc((size_t)t->nnodes * sizeof(uint32_t));
	if (!cursor) {
		free(start);
		free(list);
		return -1;
	}
	memcpy(cursor, start, (size_t)t->nnodes * sizeof(uint32_t));
	for (uint32_t id = 1; id < t->nnodes; id++)
		list[cursor[t->node_parent[id]]++] = id;
	free(cursor);
	*start_out = start;
	*list_out = list;
	return 0;
}

static void write_count(FILE *out, double v)
{
	/* range first: converting a double of 2^64 or more to an integer is undefined */
	if (v >= 0 && v < 1e18 && v == (double)(uint64_t)v)
		fprintf(out, "%llu", (unsigned long long)v);
	else
		fprintf(out, "%.6g", v);
}

int frame_tree_write_folded(const struct frame_tree *t, FILE *out)
{
	uint32_t *start, *list, *stack, *next;
	size_t sp = 0;

	if (build_children(t, &start, &list) < 0)
		return -1;
	stack = malloc(((size_t)t->nnodes + 1) * sizeof(uint32_t));
	next = malloc(((size_t)t->nnodes + 1) * sizeof(uint32_t));
	if (!stack || !next) {
		free(start), free(list), free(stack), free(next);
		return -1;
	}
	if (!t->flamechart)
		for (uint32_t i = 0; i < t->nnodes; i++)
			if (start[i + 1] - start[i] > 1)
				qsort_r(list + start[i], start[i + 1] - start[i], sizeof(uint32_t),
					cmp_by_name, (void *)t);
	/* iterative depth-first walk: stack[] holds the path, next[] the child cursor */
	stack[sp] = FRAME_ROOT;
	next[sp] = start[FRAME_ROOT];
	for (;;) {
		uint32_t node = stack[sp];
		if (next[sp] == start[node] && node != FRAME_ROOT) {
			/* first visit: print the path if the node has samples of its own */
			double self = t->count[node];
			for (uint32_t c = start[node]; c < start[node + 1]; c++)
				self -= t->count[list[c]];
			if (self > t->count[node] * 1e-12) { /* not a rounding residue */
				for (size_t i = 1; i <= sp; i++) {
					uint32_t len;
					const char *s = frame_name(t, stack[i], &len);
					if (i > 1)
						fputc(';', out);
					fwrite(s, 1, len, out);
				}
				fputc(' ', out);
				write_count(out, self);
				fputc('\n', out);
			}
		}
		if (next[sp] < start[node + 1]) {
			uint32_t child = list[next[sp]++];
			stack[++sp] = child;
			next[sp] = start[child];
			continue;
		}
		if (sp == 0)
			break;
		sp--;
	}
	free(start), free(list), free(stack), free(next);
	return ferror(out) ? -1 : 0;
}
