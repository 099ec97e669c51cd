/* Stacks: reading BPF stack traces, symbolizing, folded and multi-line output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/procfs.h"
#include "lib/stacks.h"
#include "lib/syms.h"
#include "lib/sort.h"

#define UNKNOWN_FRAME "[unknown]"

int stack_syms_open(struct stack_syms *ss, bool kernel, bool user)
{
	memset(ss, 0, sizeof(*ss));
	if (user)
		ss->usyms = usyms_new();
	if (kernel) {
		ss->ksyms = ksyms_load();
		if (!ss->ksyms)
			return -1;
	}
	return 0;
}

void stack_syms_close(struct stack_syms *ss)
{
	if (ss->ksyms)
		ksyms_free(ss->ksyms);
	if (ss->usyms)
		usyms_free(ss->usyms);
	ss->ksyms = NULL;
	ss->usyms = NULL;
}

void stack_syms_warm(struct stack_syms *ss, pid_t pid)
{
	char path[64], *text;
	size_t len = 0;
	struct proc_maps *pm;
	struct sym s;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!ss->usyms || !(text = procfs_read_alloc(path, &len)))
		return;
	pm = proc_maps_parse(text, len);
	for (size_t i = 0; pm && i < pm->count; i++)
		if (pm->maps[i].perms[2] == 'x' && pm->maps[i].path[0] == '/')
			usyms_lookup(ss->usyms, pid, pm->maps[i].start, &s);
	proc_maps_free(pm);
	free(text);
}

/* The symbol's own name when no offset is wanted: no copy, it outlives the call (the
 * symbol tables keep it until stack_syms_close). */
static const char *format_sym(const struct stack_syms *ss, const struct sym *s, char *buf,
			      size_t size)
{
	if (!ss->offsets || !s->offset)
		return s->name;
	snprintf(buf, size, "%s+0x%llx", s->name, (unsigned long long)s->offset);
	return buf;
}

const char *stack_kernel_frame(const struct stack_syms *ss, uint64_t addr, char *buf,
			       size_t size)
{
	struct sym s = {0};

	if (ss->ksyms && ksyms_lookup(ss->ksyms, addr, &s) && s.name)
		return format_sym(ss, &s, buf, size);
	return UNKNOWN_FRAME;
}

const char *stack_user_frame(struct stack_syms *ss, pid_t pid, uint64_t addr, char *buf,
			     size_t size)
{
	struct sym s = {0};

	if (ss->usyms && usyms_lookup(ss->usyms, pid, addr, &s) && s.name)
		return format_sym(ss, &s, buf, size);
	return UNKNOWN_FRAME;
}

unsigned stack_depth(const uint64_t *ips, unsigned max)
{
	unsigned n = 0;

	while (n < max && ips[n])
		n++;
	return n;
}

int64_t stack_id_key(int64_t id, bool *fallback)
{
	*fallback = id >= 0 && (id & STACK_ID_FALLBACK);
	return id < 0 ? -1 : id & ~(int64_t)STACK_ID_FALLBACK;
}

unsigned stack_map_read(int map_fd, int fallback_fd, int64_t id, uint64_t *ips)
{
	bool fallback;
	int64_t key = stack_id_key(id, &fallback);
	uint32_t key32 = (uint32_t)key;
	int fd = fallback ? fallback_fd : map_fd;

	if (key < 0 || fd < 0 || bpf_map_lookup_elem(fd, &key32, ips))
		return 0;
	return stack_depth(ips, STACK_MAX_DEPTH);
}

static void clear_one(int map_fd)
{
	uint32_t key, next;
	bool have = false;

	/* delete behind the cursor: deleting the current key would restart the walk */
	while (bpf_map_get_next_key(map_fd, have ? &key : NULL, &next) == 0) {
		if (have)
			bpf_map_delete_elem(map_fd, &key);
		key = next;
		have = true;
	}
	if (have)
		bpf_map_delete_elem(map_fd, &key);
}

void stack_map_clear(int map_fd, int fallback_fd)
{
	clear_one(map_fd);
	if (fallback_fd >= 0)
		clear_one(fallback_fd);
}

/* --- a growing string --- */

struct strbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* A frame of a folded line: ';' separates frames and lines end in '\n', so neither may
 * appear inside one. Spaces may: readers split the count off at the last one. */
static void sb_add_frame(struct strbuf *b, const char *name, const char *suffix)
{
	size_t start;

	if (b->len)
		sb_add(b, ";", 1);
	start = b->len;
	sb_add(b, name, strlen(name));
	if (suffix)
		sb_add(b, suffix, strlen(suffix));
	if (b->oom)
		return;
	for (size_t i = start; i < b->len; i++) {
		if (b->s[i] == ';')
			b->s[i] = ':';
		else if (b->s[i] == '\n' || b->s[i] == '\r')
			b->s[i] = ' ';
	}
}

static bool missed(int err)
{
	return err != 0 && err != -EFAULT;
}

/* A kernel stack taken in a tracepoint program begins (leaf first) with the tracing glue:
 * the BPF program itself (kallsyms lists it in module [bpf]), bpf_trace_runN,
 * __traceiter_NAME or __bpf_trace_NAME. Those frames say nothing about the traced code, so
 * printing starts after the last of them. A frame without a symbol among them is glue too:
 * a program loaded after kallsyms was read has none. */
static unsigned kernel_glue_frames(const struct stack_syms *ss, const struct stack_ref *st)
{
	static const char *const glue[] = {"bpf_trace_run", "__traceiter_", "__bpf_trace_",
					   "bpf_get_stack"};
	unsigned i, skip = 0;

	for (i = 0; ss->ksyms && i < st->nkernel && i < 8; i++) {
		struct sym s;
		bool is_glue = false;

		if (!ksyms_lookup(ss->ksyms, st->kernel[i], &s) || !s.name)
			continue; /* unknown: glue only if a glue frame follows */
		is_glue = s.module && strcmp(s.module, "[bpf]") == 0;
		for (size_t g = 0; g < sizeof(glue) / sizeof(glue[0]) && !is_glue; g++)
			is_glue = strncmp(s.name, glue[g], strlen(glue[g])) == 0;
		if (!is_glue)
			break;
		skip = i + 1;
	}
	return skip == st->nkernel ? 0 : skip; /* all glue: show it rather than nothing */
}

unsigned stack_kernel_first(const struct stack_syms *ss, const struct stack_ref *st)
{
	return kernel_glue_frames(ss, st);
}

char *stack_fold(struct stack_syms *ss, const struct stack_ref *st, bool delimiter)
{
	struct strbuf b = {0};
	char name[512];
	bool have_user = st->nuser || missed(st->user_err);
	bool have_kernel = st->nkernel || missed(st->kernel_err);

	/* the comm is the root frame, cleaned like the others */
	sb_add_frame(&b, st->comm && st->comm[0] ? st->comm : "[unknown]", NULL);
	if (missed(st->user_err))
		sb_add_frame(&b, "[Missed User Stack]", NULL);
	for (unsigned i = st->nuser; i-- > 0;)
		sb_add_frame(&b, stack_user_frame(ss, st->pid, st->user[i], name, sizeof(name)),
			     NULL);
	if (delimiter && have_user && have_kernel)
		sb_add_frame(&b, "-", NULL);
	if (missed(st->kernel_err))
		sb_add_frame(&b, "[Missed Kernel Stack]", NULL);
	for (unsigned i = st->nkernel, first = kernel_glue_frames(ss, st); i-- > first;)
		sb_add_frame(&b, stack_kernel_frame(ss, st->kernel[i], name, sizeof(name)),
			     "_[k]");
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

void stack_print(struct stack_syms *ss, const struct stack_ref *st, uint64_t value, FILE *f)
{
	char name[512];
	bool have_user = st->nuser || missed(st->user_err);
	bool have_kernel = st->nkernel || missed(st->kernel_err);

	if (missed(st->kernel_err))
		fprintf(f, "    [Missed Kernel Stack]\n");
	for (unsigned i = kernel_glue_frames(ss, st); i < st->nkernel; i++)
		fprintf(f, "    %s\n", stack_kernel_frame(ss, st->kernel[i], name, sizeof(name)));
	if (have_user && have_kernel)
		fprintf(f, "    --\n");
	if (missed(st->user_err))
		fprintf(f, "    [Missed User Stack]\n");
	for (unsigned i = 0; i < st->nuser; i++)
		fprintf(f, "    %s\n",
			stack_user_frame(ss, st->pid, st->user[i], name, sizeof(name)));
	fprintf(f, "    %-16s %s (%d)\n", "-", st->comm ? st->comm : "?", (int)st->pid);
	fprintf(f, "        %llu\n\n", (unsigned long long)value);
}

void stack_json(struct stack_syms *ss, const struct stack_ref *st, struct json *j)
{
	char name[512];

	json_array_open(j, "user_stack");
	if (missed(st->user_err))
		json_str(j, NULL, "[Missed User Stack]");
	for (unsigned i = 0; i < st->nuser; i++)
		json_str(j, NULL, stack_user_frame(ss, st->pid, st->user[i], name, sizeof(name)));
	json_array_close(j);
	json_array_open(j, "kernel_stack");
	if (missed(st->kernel_err))
		json_str(j, NULL, "[Missed Kernel Stack]");
	for (unsigned i = kernel_glue_frames(ss, st); i < st->nkernel; i++)
		json_str(j, NULL, stack_kernel_frame(ss, st->kernel[i], name, sizeof(name)));
	json_array_close(j);
}

/* --- folded lines summed by text --- */

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void folded_set_init(struct folded_set *fs)
{
	memset(fs, 0, sizeof(*fs));
}

void folded_set_free(struct folded_set *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->entries[i].line);
	free(fs->entries);
	free(fs->slots);
	memset(fs, 0, sizeof(*fs));
}

static int folded_rehash(struct folded_set *fs, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < fs->n; i++) {
		size_t s = fs->entries[i].hash & (nslots - 1);
		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = (uint32_t)i + 1;
	}
	free(fs->slots);
	fs->slots = slots;
	fs->nslots = nslots;
	return 0;
}

int folded_set_add(struct folded_set *fs, const char *line, uint64_t count)
{
	uint32_t hash = hash_str(line);
	size_t s;

	if ((fs->n + 1) * 2 > fs->nslots && folded_rehash(fs, fs->nslots ? fs->nslots * 2 : 64))
		return -1;
	s = hash & (fs->nslots - 1);
	for (; fs->slots[s]; s = (s + 1) & (fs->nslots - 1)) {
		struct folded_entry *e = &fs->entries[fs->slots[s] - 1];
		if (e->hash == hash && strcmp(e->line, line) == 0) {
			e->count += count;
			return 0;
		}
	}
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 64;
		struct folded_entry *p = realloc(fs->entries, cap * sizeof(*p));
		if (!p)
			return -1;
		fs->entries = p;
		fs->cap = cap;
	}
	char *copy = strdup(line);
	if (!copy)
		return -1;
	fs->entries[fs->n] = (struct folded_entry){copy, count, hash};
	fs->slots[s] = (uint32_t)++fs->n;
	return 0;
}

static int by_line(const void *a, const void *b)
{
	return strcmp(((const struct folded_entry *)a)->line,
		      ((const struct folded_entry *)b)->line);
}

static int by_count(const void *a, const void *b)
{
	const struct folded_entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->line, y->line);
}

void folded_set_sort(struct folded_set *fs, bool by_count_first)
{
	sort_rows(fs->entries, fs->n, sizeof(*fs->entries), by_count_first ? by_count : by_line);
	folded_rehash(fs, fs->nslots ? fs->nslots : 64); /* indexes moved */
}

void folded_set_write(const struct folded_set *fs, FILE *f)
{
	for (size_t i = 0; i < fs->n; i++)
		fprintf(f, "%s %llu\n", fs->entries[i].line,
			(unsigned long long)fs->entries[i].count);
}

/* --- collected stacks --- */

int stack_samples_add(struct stack_samples *s, const struct stack_ref *st, uint64_t value)
{
	struct stack_sample *sample;
	uint64_t *ips = NULL;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct stack_sample *p = realloc(s->items, cap * sizeof(*p));
		if (!p)
			return -1;
		s->items = p;
		s->cap = cap;
	}
	if (st->nuser + st->nkernel &&
	    !(ips = malloc((st->nuser + st->nkernel) * sizeof(*ips))))
		return -1;
	sample = &s->items[s->n++];
	memset(sample, 0, sizeof(*sample));
	sample->pid = st->pid;
	snprintf(sample->comm, sizeof(sample->comm), "%s", st->comm ? st->comm : "");
	sample->value = value;
	sample->user_err = st->user_err;
	sample->kernel_err = st->kernel_err;
	sample->nuser = st->nuser;
	sample->nkernel = st->nkernel;
	sample->user = ips;
	sample->kernel = ips ? ips + st->nuser : NULL;
	if (st->nuser)
		memcpy(sample->user, st->user, st->nuser * sizeof(*ips));
	if (st->nkernel)
		memcpy(sample->kernel, st->kernel, st->nkernel * sizeof(*ips));
	s->total += value;
	return 0;
}

static int by_value(const void *a, const void *b)
{
	const struct stack_sample *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void stack_samples_sort(struct stack_samples *s)
{
	sort_rows(s->items, s->n, sizeof(*s->items), by_value);
}

void stack_samples_free(struct stack_samples *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i].user);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

struct stack_ref stack_sample_ref(const struct stack_sample *sample)
{
	return (struct stack_ref){
		.comm = sample->comm,
		.pid = sample->pid,
		.user = sample->user,
		.nuser = sample->nuser,
		.user_err = sample->user_err,
		.kernel = sample->kernel,
		.nkernel = sample->nkernel,
		.kernel_err = sample->kernel_err,
	};
}

int stack_samples_fold(struct stack_syms *ss, const struct stack_samples *s, bool delimiter,
		       struct folded_set *out)
{
	for (size_t i = 0; i < s->n; i++) {
		struct stack_ref st = stack_sample_ref(&s->items[i]);
		char *line = stack_fold(ss, &st, delimiter);
		int err = line ? folded_set_add(out, line, s->items[i].value) : -1;

		free(line);
		if (err)
			return -1;
	}
	folded_set_sort(out, false);
	return 0;
}

void stack_samples_print(struct stack_syms *ss, const struct stack_samples *s, bool folded,
			 bool delimiter, FILE *f)
{
	if (folded) {
		struct folded_set fs;

		folded_set_init(&fs);
		if (stack_samples_fold(ss, s, delimiter, &fs))
			fprintf(stderr, "out of memory folding stacks: output incomplete\n");
		folded_set_write(&fs, f);
		folded_set_free(&fs);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct stack_ref st = stack_sample_ref(&s->items[i]);
		stack_print(ss, &st, s->items[i].value, f);
	}
}

static int heavier_first(const void *a, const void *b, void *ctx)
{
	const struct stack_samples *s = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	uint64_t vx = s->items[x].value, vy = s->items[y].value;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return x < y ? -1 : x > y;
}

void stack_samples_json(struct stack_syms *ss, const struct stack_samples *s,
			const char *value_key, size_t max_stacks, struct json *j)
{
	size_t shown = 0;

	json_array_open(j, "stacks");
	/* heaviest first, whatever order the samples are in */
	size_t *order = malloc((s->n ? s->n : 1) * sizeof(*order));
	for (size_t i = 0; order && i < s->n; i++)
		order[i] = i;
	if (order && s->n > 1)
		qsort_r(order, s->n, sizeof(*order), heavier_first, (void *)s);
	for (size_t i = 0; order && i < s->n && (!max_stacks || shown < max_stacks); i++, shown++) {
		const struct stack_sample *sample = &s->items[order[i]];
		struct stack_ref st = stack_sample_ref(sample);

		json_object_open(j, NULL);
		json_i64(j, "pid", sample->pid);
		json_str(j, "comm", sample->comm);
		json_u64(j, value_key, sample->value);
		stack_json(ss, &st, j);
		json_object_close(j);
	}
	free(order);
	json_array_close(j);
}

struct counts_ctx {
	int stacks_fd, fallback_fd;
	struct stack_samples *out;
	uint64_t missed;
	int err;
};

static void read_count(const void *k, const void *v, void *arg)
{
	const struct stack_key *key = k;
	struct counts_ctx *cc = arg;
	uint64_t user[STACK_MAX_DEPTH], kernel[STACK_MAX_DEPTH], value = *(const uint64_t *)v;
	char comm[sizeof(key->comm) + 1];
	struct stack_ref st = {.comm = comm, .pid = (pid_t)key->pid, .user = user,
			       .kernel = kernel};

	memcpy(comm, key->comm, sizeof(key->comm));
	comm[sizeof(key->comm)] = '\0';
	st.user_err = key->user_stack_id < 0 ? key->user_stack_id : 0;
	st.kernel_err = key->kernel_stack_id < 0 ? key->kernel_stack_id : 0;
	st.nuser = stack_map_read(cc->stacks_fd, cc->fallback_fd, key->user_stack_id, user);
	st.nkernel = stack_map_read(cc->stacks_fd, cc->fallback_fd, key->kernel_stack_id, kernel);
	if (missed(st.user_err) || missed(st.kernel_err))
		cc->missed += value;
	if (stack_samples_add(cc->out, &st, value))
		cc->err = -ENOMEM;
}

int stack_counts_read(int counts_fd, int stacks_fd, int fallback_fd, struct stack_samples *out,
		      uint64_t *missed_value)
{
	struct counts_ctx cc = {.stacks_fd = stacks_fd, .fallback_fd = fallback_fd, .out = out};
	int n = wbpf_hash_walk(counts_fd, sizeof(struct stack_key), sizeof(uint64_t), true, true,
			       read_count, &cc);

	/* ids are only reused once freed; events landing during the walk may lose their
	 * stack (it then shows empty): a window of microseconds per read */
	stack_map_clear(stacks_fd, fallback_fd);
	if (missed_value)
		*missed_value = cc.missed;
	return n < 0 ? n : cc.err;
}
