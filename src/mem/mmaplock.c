/* mmaplock: who waits for a process's mmap lock, how long, and who holds it (case C5:
 * a monitor reading /proc/PID/smaps walks the whole address space under the lock, and the
 * process's own mmap/munmap/page faults wait behind it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/proctask.h"
#include "mem/mmaplock.h"
#include "mmaplock.skel.h"
#include "lib/sort.h"

/* --- collector --- */

struct mmaplock {
	struct mmaplock_opts opts;
	struct mmaplock_bpf *skel;
	struct ring_buffer *rb;
	mmaplock_event_fn fn;
	void *ctx;
};

static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct mmaplock *m = ctx;

	if (size >= sizeof(struct mmaplock_event) && m->fn)
		m->fn(data, m->ctx);
	return 0;
}

static int mmaplock_load(struct mmaplock *m, bool use_btf)
{
	struct mmaplock_bpf *skel = mmaplock_bpf__open();
	int err;

	m->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->filter_tgid = m->opts.pid > 0;
	skel->rodata->targ_tgid = (uint32_t)m->opts.pid;
	skel->rodata->threshold_ns = m->opts.threshold_ns;
	wbpf_pick(skel->progs.start_btf, skel->progs.start_raw, use_btf);
	wbpf_pick(skel->progs.acquired_btf, skel->progs.acquired_raw, use_btf);
	wbpf_pick(skel->progs.released_btf, skel->progs.released_raw, use_btf);
	bpf_map__set_autocreate(skel->maps.task_wait, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_wait, !use_btf);
	err = mmaplock_bpf__load(skel);
	if (!err)
		err = mmaplock_bpf__attach(skel);
	return err;
}

int mmaplock_open(const struct mmaplock_opts *opts, mmaplock_event_fn fn, void *ctx,
		  struct mmaplock **out)
{
	struct mmaplock *m = calloc(1, sizeof(*m));
	bool use_btf = !opts->force_raw_tp && wbpf_prefer_tp_btf();
	int err;

	if (!m)
		return -ENOMEM;
	m->opts = *opts;
	m->fn = fn;
	m->ctx = ctx;
	err = mmaplock_load(m, use_btf);
	if (err && use_btf) {
		mmaplock_bpf__destroy(m->skel);
		err = mmaplock_load(m, false);
	}
	if (!err) {
		m->rb = ring_buffer__new(bpf_map__fd(m->skel->maps.events), on_ring_event, m, NULL);
		if (!m->rb)
			err = -errno;
	}
	if (err) {
		mmaplock_bpf__destroy(m->skel);
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

int mmaplock_poll(struct mmaplock *m, int timeout_ms)
{
	int n = ring_buffer__poll(m->rb, timeout_ms);

	return n < 0 ? n : 0;
}

void mmaplock_close(struct mmaplock *m)
{
	if (!m)
		return;
	ring_buffer__free(m->rb);
	mmaplock_bpf__destroy(m->skel);
	free(m);
}

void mmaplock_result_free(struct mmaplock_result *res)
{
	free(res->procs);
	free(res->blame);
	memset(res, 0, sizeof(*res));
}

struct read_ctx {
	struct mmaplock *m;
	struct mmaplock_result *res;
	size_t cap_procs, cap_blame;
	int err;
};

static void lookup_comm(struct mmaplock *m, uint32_t tgid, char *comm)
{
	struct mmaplock_comm name = {{0}};

	bpf_map_lookup_elem(bpf_map__fd(m->skel->maps.comms), &tgid, &name);
	snprintf(comm, 16, "%.15s", name.comm[0] ? name.comm : "?");
}

static bool grow(void **array, size_t *cap, size_t n, size_t size)
{
	void *bigger;

	if (n < *cap)
		return true;
	bigger = realloc(*array, (*cap ? *cap * 2 : 32) * size);
	if (!bigger)
		return false;
	*array = bigger;
	*cap = *cap ? *cap * 2 : 32;
	return true;
}

static void add_proc(const void *k, const void *v, void *arg)
{
	struct read_ctx *rc = arg;
	const struct mmaplock_stat *st = v;
	struct mmaplock_proc *p;

	if (!st->count)
		return;
	if (!grow((void **)&rc->res->procs, &rc->cap_procs, rc->res->nprocs, sizeof(*p))) {
		rc->err = -ENOMEM;
		return;
	}
	p = &rc->res->procs[rc->res->nprocs++];
	memset(p, 0, sizeof(*p));
	p->tgid = *(const uint32_t *)k;
	lookup_comm(rc->m, p->tgid, p->comm);
	p->count = st->count;
	p->total_ns = st->total_ns;
	hist_init_log2(&p->wait_us, MMAPLOCK_SLOTS);
	hist_add_slots(&p->wait_us, (const uint64_t *)st->slots, MMAPLOCK_SLOTS);
}

static void add_blame(const void *k, const void *v, void *arg)
{
	struct read_ctx *rc = arg;
	const struct mmaplock_blame_key *key = k;
	const struct mmaplock_blame *b = v;
	struct mmaplock_blame_row *row;

	if (!b->count)
		return;
	if (!grow((void **)&rc->res->blame, &rc->cap_blame, rc->res->nblame, sizeof(*row))) {
		rc->err = -ENOMEM;
		return;
	}
	row = &rc->res->blame[rc->res->nblame++];
	memset(row, 0, sizeof(*row));
	row->waiter_tgid = key->waiter_tgid;
	row->holder_tgid = key->holder_tgid;
	row->count = b->count;
	row->total_ns = b->total_ns;
	lookup_comm(rc->m, row->waiter_tgid, row->waiter_comm);
	if (row->holder_tgid) {
		proctask_cmdline(row->holder_tgid, row->holder_cmdline, sizeof(row->holder_cmdline));
		lookup_comm(rc->m, row->holder_tgid, row->holder_comm);
	} else {
		strcpy(row->holder_comm, "-");
	}
}

static int proc_cmp(const void *a, const void *b)
{
	const struct mmaplock_proc *x = a, *y = b;

	return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : 0;
}

static int blame_cmp(const void *a, const void *b)
{
	const struct mmaplock_blame_row *x = a, *y = b;

	return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : 0;
}

int mmaplock_read(struct mmaplock *m, struct mmaplock_result *res, bool clear)
{
	struct read_ctx rc = {m, res, 0, 0, 0};
	int err;

	mmaplock_result_free(res); /* capacities are not kept in the result: start over */
	err = wbpf_hash_walk(bpf_map__fd(m->skel->maps.blame), sizeof(struct mmaplock_blame_key),
			     sizeof(struct mmaplock_blame), true, clear, add_blame, &rc);
	if (err >= 0)
		err = wbpf_hash_walk(bpf_map__fd(m->skel->maps.stats), sizeof(uint32_t),
				     sizeof(struct mmaplock_stat), true, clear, add_proc, &rc);
	if (err < 0)
		return err;
	if (rc.err)
		return rc.err;
	sort_rows(res->procs, res->nprocs, sizeof(res->procs[0]), proc_cmp);
	sort_rows(res->blame, res->nblame, sizeof(res->blame[0]), blame_cmp);
	res->lost_events = wbpf_lost_events(bpf_map__fd(m->skel->maps.lost));
	return 0;
}

/* --- command --- */

struct mmaplock_cmd {
	struct cli_common common;
	struct mmaplock_opts opts;
	bool histograms, timestamp;
	unsigned long duration_s, top;
	struct mmaplock *collector;
	struct mmaplock_result res;
};

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "waits of this process only (holders: any process)"},
	{'m', "min-ms", "MS", "list each wait of at least MS milliseconds (default 10)"},
	{'H', "histograms", NULL, "print a wait-time histogram per process"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'d', "duration", "SECONDS", "stop after this many seconds"},
	{'n', "top", "N", "processes and holder pairs shown per interval (default 10)"},
	{0},
};

const struct cli_spec mmaplock_spec = {
	.name = "mmaplock",
	.summary = "mmap-lock waits per process, and who held the lock (e.g. a reader of smaps)",
	.usage = "[-p PID] [-m MS] [-H] [-T] [-d SECONDS] [-n N] [--json] [interval [count]]",
	.description =
		"Measures waits for a process's mmap lock (mmap_lock tracepoints: from\n"
		"start_locking to acquire_returned) and blames each on the task that held the\n"
		"lock when the wait began: the writer, or the last reader to take it. Each wait\n"
		"of at least -m MS is listed with the holder's command line; each interval\n"
		"prints wait totals per process and per (waiter, holder) pair. Case C5: a\n"
		"monitor reading /proc/PID/smaps holds the lock while it walks every mapping,\n"
		"and the process's mmap/munmap/page faults wait behind it for tens of ms.",
	.opts = options,
	.examples = "  whyslow mmaplock                    # waits >= 10 ms, totals at Ctrl-C\n"
		    "  whyslow mmaplock -p 1234 -m 1 5     # one process, every 5 s\n"
		    "  whyslow mmaplock -H 10 1            # histograms over 10 s\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct mmaplock_cmd *c = arg;

	switch (key) {
	case 'p': c->opts.pid = cli_parse_pid(val); break;
	case 'm':
		c->opts.threshold_ns = (uint64_t)(cli_parse_double(val, "minimum wait (ms)", 0, 1e6) * 1e6);
		break;
	case 'H': c->histograms = true; break;
	case 'T': c->timestamp = true; break;
	case 'd': c->duration_s = cli_parse_ulong(val, "duration", 1, 86400 * 365); break;
	case 'n': c->top = cli_parse_ulong(val, "top N", 1, 1000000); break;
	}
	return 0;
}

static void print_event(const struct mmaplock_event *e, void *arg)
{
	struct mmaplock_cmd *c = arg;
	char cmdline[256] = "", now[16];

	if (e->holder.tgid)
		proctask_cmdline(e->holder.tgid, cmdline, sizeof(cmdline));
	if (c->common.json) {
		struct json j;

		json_begin(&j, stdout, "mmaplock");
		json_str(&j, "event", "wait");
		json_u64(&j, "pid", e->tgid);
		json_u64(&j, "tid", e->tid);
		json_str(&j, "comm", e->comm);
		json_str(&j, "mode", e->write ? "write" : "read");
		json_u64(&j, "wait_us", e->wait_ns / 1000);
		if (e->holder.tgid) {
			json_object_open(&j, "holder");
			json_u64(&j, "pid", e->holder.tgid);
			json_u64(&j, "tid", e->holder.tid);
			json_str(&j, "comm", e->holder.comm);
			json_str(&j, "mode", e->holder_write ? "write" : "read");
			json_u64(&j, "held_us", e->held_ns / 1000);
			json_str(&j, "cmdline", cmdline);
			json_object_close(&j);
		} else {
			json_null(&j, "holder");
		}
		json_end(&j);
		return;
	}
	cli_strftime_now(now, sizeof(now));
	printf("%-8s %-7u %-16s %-5s %9.3f", now, e->tgid, e->comm, e->write ? "write" : "read",
	       e->wait_ns / 1e6);
	if (e->holder.tgid)
		printf("  %-7u %-16s %-5s %9.3f  %s\n", e->holder.tgid, e->holder.comm,
		       e->holder_write ? "write" : "read", e->held_ns / 1e6, cmdline);
	else
		printf("  %-7s %-16s %-5s %9s\n", "-", "-", "-", "-");
}

static size_t top_n(size_t n, unsigned long top)
{
	return top && top < n ? top : n;
}

static void print_json(struct mmaplock_cmd *c)
{
	struct json j;

	json_begin(&j, stdout, "mmaplock");
	json_u64(&j, "interval_s", c->common.interval_s);
	json_array_open(&j, "processes");
	for (size_t i = 0; i < top_n(c->res.nprocs, c->top); i++) {
		struct mmaplock_proc *p = &c->res.procs[i];

		json_object_open(&j, NULL);
		json_u64(&j, "pid", p->tgid);
		json_str(&j, "comm", p->comm);
		json_u64(&j, "waits", p->count);
		json_u64(&j, "total_wait_us", p->total_ns / 1000);
		hist_json(&p->wait_us, "us", &j, "wait");
		json_object_close(&j);
	}
	json_array_close(&j);
	json_array_open(&j, "blame");
	for (size_t i = 0; i < top_n(c->res.nblame, c->top); i++) {
		struct mmaplock_blame_row *b = &c->res.blame[i];

		json_object_open(&j, NULL);
		json_u64(&j, "waiter_pid", b->waiter_tgid);
		json_str(&j, "waiter_comm", b->waiter_comm);
		if (b->holder_tgid) {
			json_u64(&j, "holder_pid", b->holder_tgid);
			json_str(&j, "holder_comm", b->holder_comm);
			json_str(&j, "holder_cmdline", b->holder_cmdline);
		} else {
			json_null(&j, "holder_pid");
		}
		json_u64(&j, "waits", b->count);
		json_u64(&j, "total_wait_us", b->total_ns / 1000);
		json_object_close(&j);
	}
	json_array_close(&j);
	json_u64(&j, "lost_events", c->res.lost_events);
	json_end(&j);
}

static void print_text(struct mmaplock_cmd *c)
{
	if (c->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	printf("%-7s %-16s %10s %12s %10s %10s\n", "PID", "COMM", "WAITS", "TOTAL(ms)", "AVG(us)",
	       "P99(us)");
	for (size_t i = 0; i < top_n(c->res.nprocs, c->top); i++) {
		struct mmaplock_proc *p = &c->res.procs[i];

		printf("%-7u %-16s %10llu %12.3f %10.1f %10.0f\n", p->tgid, p->comm,
		       (unsigned long long)p->count, p->total_ns / 1e6,
		       p->count ? p->total_ns / 1e3 / p->count : 0.0, hist_percentile(&p->wait_us, 99));
		if (c->histograms)
			hist_print(&p->wait_us, "usecs", stdout);
	}
	printf("\n%-7s %-16s %-7s %-16s %10s %12s  %s\n", "WAITER", "COMM", "HOLDER", "HCOMM", "WAITS",
	       "TOTAL(ms)", "HOLDER CMDLINE");
	for (size_t i = 0; i < top_n(c->res.nblame, c->top); i++) {
		struct mmaplock_blame_row *b = &c->res.blame[i];
		char holder[16] = "-";

		if (b->holder_tgid)
			snprintf(holder, sizeof(holder), "%u", b->holder_tgid);
		printf("%-7u %-16s %-7s %-16s %10llu %12.3f  %s\n", b->waiter_tgid, b->waiter_comm, holder,
		       b->holder_comm,
		       (unsigned long long)b->count, b->total_ns / 1e6,
		       b->holder_tgid ? (b->holder_cmdline[0] ? b->holder_cmdline : "[exited]") : "");
	}
	if (c->res.lost_events)
		printf("%llu events lost\n", (unsigned long long)c->res.lost_events);
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct mmaplock_cmd *c = arg;
	int err;

	(void)last;
	mmaplock_poll(c->collector, 0);
	if ((err = mmaplock_read(c->collector, &c->res, true)))
		return cli_fail("reading the wait maps failed: %s", strerror(-err));
	if (c->common.json)
		print_json(c);
	else
		print_text(c);
	return 0;
}

static int poll_events(void *arg, int timeout_ms)
{
	struct mmaplock_cmd *c = arg;
	int err = mmaplock_poll(c->collector, timeout_ms);

	if (!c->common.json)
		fflush(stdout);
	pidwatch_stop_if_gone(c->opts.pid);
	return err;
}

int cmd_mmaplock(int argc, char **argv)
{
	static const char *const tracepoints[] = {
		"mmap_lock", "mmap_lock_start_locking", "mmap_lock", "mmap_lock_acquire_returned",
		"mmap_lock", "mmap_lock_released", NULL};
	struct mmaplock_cmd c = {.opts.threshold_ns = 10000000, .top = 10};
	struct cli_loop_ops ops = {.tick = tick, .poll = poll_events};
	int err;

	cli_parse(&mmaplock_spec, argc, argv, &c.common, on_option, &c);
	ops.duration_ms = c.duration_s * 1000;
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	if ((err = mmaplock_open(&c.opts, print_event, &c, &c.collector)))
		return wbpf_load_error("mmaplock's BPF programs", err);
	fprintf(stderr, "Tracing mmap lock waits (listing those >= %.3f ms)... Hit Ctrl-C to end.\n",
		c.opts.threshold_ns / 1e6);
	if (!c.common.json)
		printf("%-8s %-7s %-16s %-5s %9s  %-7s %-16s %-5s %9s  %s\n", "TIME", "PID", "COMM",
		       "MODE", "WAIT(ms)", "HOLDER", "HCOMM", "HMODE", "HELD(ms)", "HOLDER CMDLINE");
	err = cli_run_loop(&c.common, &ops, &c);
	mmaplock_result_free(&c.res);
	mmaplock_close(c.collector);
	return err;
}
