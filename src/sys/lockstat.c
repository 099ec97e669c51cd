/* lockstat: kernel lock contention, like `perf lock contention`: wait time per lock
 * (address, symbol of static locks, the waiter's own mmap_lock, type) and per waiter kernel
 * stack with its caller, from lock:contention_begin/contention_end (case C14). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/stacks.h"
#include "lib/syms.h"
#include "sys/lockstat.h"
#include "lockstat.skel.h"
#include "lib/sort.h"

/* --- collector --- */

struct lockstat {
	struct lockstat_opts opts;
	struct lockstat_bpf *skel;
	struct stack_syms syms;
	bool have_ksyms;
	uint64_t misses_read; /* recursion misses already reported */
};

static int lockstat_load(struct lockstat *l, bool use_btf)
{
	struct lockstat_bpf *skel = lockstat_bpf__open();
	int err;

	l->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->filter_tgid = l->opts.pid > 0;
	skel->rodata->targ_tgid = (uint32_t)l->opts.pid;
	skel->rodata->collect_stacks = l->opts.stacks;
	wbpf_pick(skel->progs.begin_btf, skel->progs.begin_raw, use_btf);
	wbpf_pick(skel->progs.end_btf, skel->progs.end_raw, use_btf);
	bpf_map__set_autocreate(skel->maps.task_wait, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_wait, !use_btf);
	if (!l->opts.stacks) {
		bpf_map__set_max_entries(skel->maps.stacks, 1);
		bpf_map__set_max_entries(skel->maps.by_stack, 1);
	}
	err = lockstat_bpf__load(skel);
	if (!err)
		err = lockstat_bpf__attach(skel);
	return err;
}

int lockstat_open(const struct lockstat_opts *opts, struct lockstat **out)
{
	struct lockstat *l = calloc(1, sizeof(*l));
	bool use_btf = !opts->force_raw_tp && wbpf_prefer_tp_btf();
	int err;

	if (!l)
		return -ENOMEM;
	l->opts = *opts;
	err = lockstat_load(l, use_btf);
	if (err && use_btf) {
		lockstat_bpf__destroy(l->skel);
		err = lockstat_load(l, false);
	}
	if (err) {
		lockstat_bpf__destroy(l->skel);
		free(l);
		return err;
	}
	l->have_ksyms = stack_syms_open(&l->syms, true, false) == 0;
	*out = l;
	return 0;
}

void lockstat_close(struct lockstat *l)
{
	if (!l)
		return;
	stack_syms_close(&l->syms);
	lockstat_bpf__destroy(l->skel);
	free(l);
}

void lockstat_result_free(struct lockstat_result *res)
{
	free(res->locks);
	free(res->stacks);
	memset(res, 0, sizeof(*res));
}

const char *lockstat_type(uint32_t flags, char *buf, size_t size)
{
	const char *kind, *mode = "";

	if (flags & LOCKSTAT_F_MUTEX)
		kind = flags & LOCKSTAT_F_RT ? "rtmutex" : "mutex";
	else if (flags & LOCKSTAT_F_PERCPU)
		kind = "percpu-rwsem";
	else if (flags & LOCKSTAT_F_SPIN)
		kind = flags & (LOCKSTAT_F_READ | LOCKSTAT_F_WRITE) ? "rwlock" : "spinlock";
	else if (flags & (LOCKSTAT_F_READ | LOCKSTAT_F_WRITE))
		kind = "rwsem";
	else if (flags & LOCKSTAT_F_RT)
		kind = "rtmutex";
	else
		kind = "other";
	if (flags & LOCKSTAT_F_READ)
		mode = ":read";
	else if (flags & LOCKSTAT_F_WRITE)
		mode = ":write";
	snprintf(buf, size, "%s%s", kind, mode);
	return buf;
}

/* Functions of the locking code itself: the caller is the first frame not among them. */
static bool is_lock_function(const char *name)
{
	static const char *const prefixes[] = {
		"_raw_", "raw_", "__raw_", "queued_", "native_queued_", "__pv_queued_", "pv_",
		"mutex_", "__mutex_", "rwsem_", "__rwsem_", "down_", "__down_", "up_", "osq_",
		"rt_mutex", "__rt_mutex", "rt_spin", "percpu_down", "__percpu_down", "percpu_rwsem",
		"schedule", "__schedule", "preempt_schedule", "lock_", "do_raw_", "spin_",
		"read_lock", "write_lock", "__lock", "mmap_read_lock", "mmap_write_lock",
		"bpf_trace_run", "__bpf_trace", "bpf_prog_", "__traceiter", NULL};

	for (int i = 0; prefixes[i]; i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

struct read_ctx {
	struct lockstat *l;
	struct lockstat_row **rows;
	size_t *n, cap;
	int err;
};

static struct lockstat_row *add_row(struct read_ctx *rc, const struct lockstat_stat *st)
{
	struct lockstat_row *row;

	if (*rc->n == rc->cap) {
		size_t cap = rc->cap ? rc->cap * 2 : 64;
		struct lockstat_row *rows = realloc(*rc->rows, cap * sizeof(*rows));
		if (!rows) {
			rc->err = -ENOMEM;
			return NULL;
		}
		*rc->rows = rows;
		rc->cap = cap;
	}
	row = &(*rc->rows)[(*rc->n)++];
	memset(row, 0, sizeof(*row));
	row->count = st->count;
	row->total_ns = st->total_ns;
	hist_init_log2(&row->wait_us, LOCKSTAT_SLOTS);
	hist_add_slots(&row->wait_us, (const uint64_t *)st->slots, LOCKSTAT_SLOTS);
	return row;
}

static void add_lock(const void *k, const void *v, void *arg)
{
	const struct lockstat_lock_key *key = k;
	struct read_ctx *rc = arg;
	struct lockstat_row *row;
	struct sym sym;

	if (!((const struct lockstat_stat *)v)->count || !(row = add_row(rc, v)))
		return;
	row->addr = key->addr;
	row->flags = key->flags;
	if (key->flags & LOCKSTAT_F_MMAP_LOCK)
		strcpy(row->name, "mmap_lock");
	else if (rc->l->have_ksyms && ksyms_lookup(rc->l->syms.ksyms, key->addr, &sym) && sym.name &&
		 sym.offset < 4096) /* a static lock (or one inside a static object) */
		snprintf(row->name, sizeof(row->name), sym.offset ? "%s+0x%llx" : "%s", sym.name,
			 (unsigned long long)sym.offset);
}

static void add_stack(const void *k, const void *v, void *arg)
{
	const struct lockstat_stack_key *key = k;
	struct read_ctx *rc = arg;
	uint64_t ips[STACK_MAX_DEPTH];
	struct lockstat_row *row;
	unsigned n;

	if (!((const struct lockstat_stat *)v)->count || !(row = add_row(rc, v)))
		return;
	row->flags = key->flags;
	n = stack_map_read(bpf_map__fd(rc->l->skel->maps.stacks), -1, key->stack_id, ips);
	row->nframes = n < 32 ? n : 32;
	memcpy(row->frames, ips, row->nframes * sizeof(ips[0]));
	strcpy(row->caller, n ? "[unknown]" : "[no stack]");
	for (unsigned i = 0; i < n; i++) {
		char buf[96];
		const char *name = stack_kernel_frame(&rc->l->syms, ips[i], buf, sizeof(buf));

		if (!is_lock_function(name)) {
			snprintf(row->caller, sizeof(row->caller), "%s", name);
			break;
		}
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct lockstat_row *x = a, *y = b;

	return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : 0;
}

int lockstat_read(struct lockstat *l, struct lockstat_result *res, bool clear)
{
	struct read_ctx locks = {l, &res->locks, &res->nlocks, 0, 0};
	struct read_ctx stacks = {l, &res->stacks, &res->nstacks, 0, 0};
	int err;

	lockstat_result_free(res);
	res->lost = wbpf_recursion_misses(l->skel->obj);
	res->lost = res->lost > l->misses_read ? res->lost - l->misses_read : 0;
	if (clear)
		l->misses_read += res->lost;
	err = wbpf_hash_walk(bpf_map__fd(l->skel->maps.by_lock), sizeof(struct lockstat_lock_key),
			     sizeof(struct lockstat_stat), true, clear, add_lock, &locks);
	if (err >= 0 && l->opts.stacks) {
		err = wbpf_hash_walk(bpf_map__fd(l->skel->maps.by_stack),
				     sizeof(struct lockstat_stack_key), sizeof(struct lockstat_stat),
				     true, clear, add_stack, &stacks);
		if (clear)
			stack_map_clear(bpf_map__fd(l->skel->maps.stacks), -1);
	}
	if (err < 0)
		return err;
	if (locks.err || stacks.err)
		return -ENOMEM;
	sort_rows(res->locks, res->nlocks, sizeof(res->locks[0]), row_cmp);
	sort_rows(res->stacks, res->nstacks, sizeof(res->stacks[0]), row_cmp);
	return 0;
}

/* --- command --- */

struct lockstat_cmd {
	struct cli_common common;
	struct lockstat_opts opts;
	unsigned long top, duration_s;
	bool timestamp, print_stacks;
	struct lockstat *collector;
	struct lockstat_result res;
};

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "waits of this process only"},
	{'s', "stacks", NULL, "print the waiter stacks in full, not only their caller"},
	{'N', "no-stacks", NULL, "no waiter stacks (locks only; a stack walk costs ~10 us a wait)"},
	{'n', "top", "N", "rows shown per table (default 10; 0 for all)"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'d', "duration", "SECONDS", "stop after this many seconds"},
	{0},
};

const struct cli_spec lockstat_spec = {
	.name = "lockstat",
	.summary = "kernel lock contention: wait per lock (symbol, type) and per waiter stack",
	.usage = "[-p PID] [-s | -N] [-n N] [-T] [-d SECONDS] [--json] [interval [count]]",
	.description =
		"Measures kernel lock contention from lock:contention_begin/contention_end, as\n"
		"`perf lock contention` does: every wait for a contended spinlock, mutex, rwsem\n"
		"or rwlock, summed per lock (its address; the symbol of a static lock; \"mmap_lock\"\n"
		"when a task waits for its own process's mmap lock; the type) and per waiter\n"
		"kernel stack, named by its caller (the first function outside the locking\n"
		"code). Uncontended acquisitions cost nothing and are not seen (case C14).",
	.opts = options,
	.examples = "  whyslow lockstat                 # until Ctrl-C\n"
		    "  whyslow lockstat -p 1234 5       # one process, every 5 s\n"
		    "  whyslow lockstat -s -n 3 10 1    # top 3 with full stacks, over 10 s\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct lockstat_cmd *c = arg;

	switch (key) {
	case 'p': c->opts.pid = cli_parse_pid(val); break;
	case 's': c->print_stacks = true; break;
	case 'N': c->opts.stacks = false; break;
	case 'n': c->top = cli_parse_ulong(val, "top N", 0, 1000000); break;
	case 'T': c->timestamp = true; break;
	case 'd': c->duration_s = cli_parse_ulong(val, "duration", 1, 86400 * 365); break;
	}
	return 0;
}

static size_t shown(const struct lockstat_cmd *c, size_t n)
{
	return c->top && c->top < n ? c->top : n;
}

static void json_row(struct lockstat_cmd *c, const struct lockstat_row *r, bool by_stack,
		     struct json *j)
{
	char type[32], addr[24], buf[96];

	json_object_open(j, NULL);
	if (!by_stack) {
		snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)r->addr);
		json_str(j, "addr", addr);
		json_str(j, "symbol", r->name[0] ? r->name : NULL);
	} else {
		json_str(j, "caller", r->caller);
		json_array_open(j, "kernel_stack");
		for (unsigned i = 0; i < r->nframes; i++)
			json_str(j, NULL, stack_kernel_frame(&c->collector->syms, r->frames[i], buf,
							     sizeof(buf)));
		json_array_close(j);
	}
	json_str(j, "type", lockstat_type(r->flags, type, sizeof(type)));
	json_u64(j, "contended", r->count);
	json_u64(j, "total_wait_ns", r->total_ns);
	json_u64(j, "avg_wait_ns", r->count ? r->total_ns / r->count : 0);
	hist_json(&r->wait_us, "us", j, "wait");
	json_object_close(j);
}

static void print_json(struct lockstat_cmd *c)
{
	struct json j;

	json_begin(&j, stdout, "lockstat");
	json_u64(&j, "interval_s", c->common.interval_s);
	json_array_open(&j, "locks");
	for (size_t i = 0; i < shown(c, c->res.nlocks); i++)
		json_row(c, &c->res.locks[i], false, &j);
	json_array_close(&j);
	json_array_open(&j, "callers");
	for (size_t i = 0; i < shown(c, c->res.nstacks); i++)
		json_row(c, &c->res.stacks[i], true, &j);
	json_array_close(&j);
	json_u64(&j, "lost_events", c->res.lost);
	json_end(&j);
}

static void print_text_row(const struct lockstat_row *r, const char *what)
{
	char type[32];

	printf("%10llu %12.3f %10.3f %10.3f %-16s %s\n", (unsigned long long)r->count,
	       r->total_ns / 1e3, r->count ? r->total_ns / 1e3 / r->count : 0.0,
	       (double)hist_max(&r->wait_us), lockstat_type(r->flags, type, sizeof(type)), what);
}

static void print_text(struct lockstat_cmd *c)
{
	char buf[128];

	if (c->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	printf("%10s %12s %10s %10s %-16s %s\n", "CONTENDED", "TOTAL(us)", "AVG(us)", "MAX(us)",
	       "TYPE", "LOCK");
	for (size_t i = 0; i < shown(c, c->res.nlocks); i++) {
		const struct lockstat_row *r = &c->res.locks[i];

		snprintf(buf, sizeof(buf), "0x%llx%s%s", (unsigned long long)r->addr,
			 r->name[0] ? " " : "", r->name);
		print_text_row(r, buf);
	}
	if (c->res.lost)
		printf("warning: %llu lock events lost: the kernel skipped runs of our programs "
		       "(an interrupt's lock wait while they ran on that CPU)\n",
		       (unsigned long long)c->res.lost);
	if (!c->res.nstacks)
		return;
	printf("\n%10s %12s %10s %10s %-16s %s\n", "CONTENDED", "TOTAL(us)", "AVG(us)", "MAX(us)",
	       "TYPE", "CALLER");
	for (size_t i = 0; i < shown(c, c->res.nstacks); i++) {
		const struct lockstat_row *r = &c->res.stacks[i];

		print_text_row(r, r->caller);
		for (unsigned f = 0; c->print_stacks && f < r->nframes; f++)
			printf("%62s%s\n", "", stack_kernel_frame(&c->collector->syms, r->frames[f], buf,
								   sizeof(buf)));
	}
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct lockstat_cmd *c = arg;
	int err;

	(void)last;
	if ((err = lockstat_read(c->collector, &c->res, true)))
		return cli_fail("reading the contention maps failed: %s", strerror(-err));
	if (c->common.json)
		print_json(c);
	else
		print_text(c);
	return 0;
}

static int watch_pid(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct lockstat_cmd *)arg)->opts.pid, timeout_ms);
}

int cmd_lockstat(int argc, char **argv)
{
	struct lockstat_cmd c = {.top = 10, .opts.stacks = true};
	struct cli_loop_ops ops = {.tick = tick, .poll = watch_pid};
	int err;

	cli_parse(&lockstat_spec, argc, argv, &c.common, on_option, &c);
	ops.duration_ms = c.duration_s * 1000;
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()) ||
	    (err = wbpf_require_tracepoints((const char *const[]){"lock", "contention_begin", "lock",
								   "contention_end", NULL})))
		return err;
	if ((err = lockstat_open(&c.opts, &c.collector)))
		return wbpf_load_error("lockstat's BPF programs", err);
	if (!c.collector->have_ksyms)
		cli_warn("cannot read /proc/kallsyms: locks and stacks print as addresses");
	fprintf(stderr, "Tracing lock contention... Hit Ctrl-C to end.\n");
	err = cli_run_loop(&c.common, &ops, &c);
	lockstat_result_free(&c.res);
	lockstat_close(c.collector);
	return err;
}
