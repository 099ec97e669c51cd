/* syscount: syscall counts by syscall or by process, failed calls by errno, and latency
 * totals and histograms per syscall, from raw_syscalls:sys_enter/sys_exit. Options and
 * output follow bcc's syscount; names of syscalls and errnos come from the system
 * (lib/syscalls.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/proctask.h"
#include "lib/syscalls.h"
#include "sys/syscount.h"
#include "syscount.skel.h"
#include "lib/sort.h"

/* --- collector --- */

struct syscount {
	struct syscount_opts opts;
	struct syscount_bpf *skel;
};

static int syscount_load(struct syscount *s, bool use_btf)
{
	const struct syscount_opts *o = &s->opts;
	struct syscount_bpf *skel = syscount_bpf__open();
	bool keyed = o->per_process || o->failures || o->errno_filter;
	int err;

	s->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->filter_tgid = o->pid > 0;
	skel->rodata->targ_tgid = (uint32_t)o->pid;
	skel->rodata->filter_comm = o->comm[0] != 0;
	memcpy((char *)skel->rodata->targ_comm, o->comm, sizeof(o->comm));
	skel->rodata->failures_only = o->failures || o->errno_filter;
	skel->rodata->targ_errno = o->errno_filter;
	skel->rodata->latency = o->latency;
	skel->rodata->use_array = !keyed;
	skel->rodata->key_tgid = o->per_process;
	/* per process: one row per process, or per process and syscall for failures */
	skel->rodata->key_nr = !o->per_process || o->failures || o->errno_filter;
	skel->rodata->key_err = o->failures || o->errno_filter;
	wbpf_pick(skel->progs.sys_enter_btf, skel->progs.sys_enter_raw, use_btf);
	wbpf_pick(skel->progs.sys_exit_btf, skel->progs.sys_exit_raw, use_btf);
	if (!o->latency) { /* counting needs sys_exit only */
		bpf_program__set_autoload(skel->progs.sys_enter_btf, false);
		bpf_program__set_autoload(skel->progs.sys_enter_raw, false);
	}
	bpf_map__set_autocreate(skel->maps.task_start, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_start, !use_btf);
	if (keyed)
		bpf_map__set_max_entries(skel->maps.by_nr, 1);
	else
		bpf_map__set_max_entries(skel->maps.by_key, 1);
	if (!o->per_process)
		bpf_map__set_max_entries(skel->maps.comms, 1);
	err = syscount_bpf__load(skel);
	if (!err)
		err = syscount_bpf__attach(skel);
	return err;
}

int syscount_open(const struct syscount_opts *opts, struct syscount **out)
{
	struct syscount *s = calloc(1, sizeof(*s));
	bool use_btf = !opts->force_raw_tp && wbpf_prefer_tp_btf();
	int err;

	if (!s)
		return -ENOMEM;
	s->opts = *opts;
	err = syscount_load(s, use_btf);
	if (err && use_btf) { /* tp_btf or task storage refused: raw tracepoints */
		syscount_bpf__destroy(s->skel);
		err = syscount_load(s, false);
	}
	if (err) {
		syscount_bpf__destroy(s->skel);
		free(s);
		return err;
	}
	*out = s;
	return 0;
}

void syscount_close(struct syscount *s)
{
	if (!s)
		return;
	syscount_bpf__destroy(s->skel);
	free(s);
}

void syscount_result_free(struct syscount_result *res)
{
	free(res->rows);
	memset(res, 0, sizeof(*res));
}

static struct syscount_row *add_row(struct syscount_result *res, const struct syscount_stat *st)
{
	struct syscount_row *row;

	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 64;
		struct syscount_row *rows = realloc(res->rows, cap * sizeof(*rows));
		if (!rows)
			return NULL;
		res->rows = rows;
		res->cap = cap;
	}
	row = &res->rows[res->n++];
	memset(row, 0, sizeof(*row));
	row->count = st->count;
	row->total_ns = st->total_ns;
	hist_init_log2(&row->latency_us, SYSCOUNT_SLOTS);
	hist_add_slots(&row->latency_us, (const uint64_t *)st->slots, SYSCOUNT_SLOTS);
	res->total_count += st->count;
	return row;
}

struct walk_ctx {
	struct syscount *s;
	struct syscount_result *res;
};

/* The name of a live process from /proc, or "" if it has gone. */
static void proc_comm(uint32_t tgid, char *buf, size_t size)
{
	buf[0] = 0;
	proctask_comm((pid_t)tgid, 0, buf, size);
}

static void add_keyed(const void *k, const void *v, void *arg)
{
	const struct syscount_key *key = k;
	const struct syscount_stat *st = v;
	struct walk_ctx *w = arg;
	struct syscount_comm name = {{0}};
	struct syscount_row *row;

	if (!st->count || !(row = add_row(w->res, st)))
		return;
	row->tgid = key->tgid;
	row->nr = key->nr;
	row->err = key->err;
	if (w->s->opts.per_process) {
		if (bpf_map_lookup_elem(bpf_map__fd(w->s->skel->maps.comms), &key->tgid, &name))
			proc_comm(key->tgid, name.comm, sizeof(name.comm)); /* evicted: ask /proc */
		snprintf(row->comm, sizeof(row->comm), "%.15s", name.comm[0] ? name.comm : "?");
	}
}

static int row_cmp_count(const void *a, const void *b)
{
	const struct syscount_row *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : x->nr - y->nr;
}

static int row_cmp_time(const void *a, const void *b)
{
	const struct syscount_row *x = a, *y = b;

	return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : row_cmp_count(a, b);
}

int syscount_read(struct syscount *s, struct syscount_result *res, bool clear)
{
	struct syscount_stat st;
	const unsigned words = sizeof(st) / sizeof(uint64_t);
	struct walk_ctx w = {s, res};
	int err = 0;

	res->n = 0;
	res->total_count = 0;
	if (bpf_map__max_entries(s->skel->maps.by_key) == 1) {
		int fd = bpf_map__fd(s->skel->maps.by_nr);

		for (uint32_t nr = 0; nr < SYSCOUNT_NR_MAX; nr++) {
			if ((err = wbpf_percpu_sum(fd, &nr, (uint64_t *)&st, words)))
				return err;
			if (!st.count)
				continue;
			struct syscount_row *row = add_row(res, &st);
			if (!row)
				return -ENOMEM;
			row->nr = nr;
			if (clear)
				wbpf_percpu_zero(fd, &nr, words);
		}
	} else {
		err = wbpf_hash_walk(bpf_map__fd(s->skel->maps.by_key), sizeof(struct syscount_key),
				     sizeof(st), true, clear, add_keyed, &w);
		if (err < 0)
			return err;
	}
	sort_rows(res->rows, res->n, sizeof(res->rows[0]),
		  s->opts.latency ? row_cmp_time : row_cmp_count);
	return 0;
}

/* --- command --- */

struct syscount_cmd {
	struct cli_common common;
	struct syscount_opts opts;
	unsigned long top, duration_s;
	bool ms, histograms, list, timestamp;
	struct syscall_names names;
	struct syscount *collector;
	struct syscount_result res;
};

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "trace this process only"},
	{'c', "comm", "COMM", "trace processes with this command name only"},
	{'P', "process", NULL, "count by process, not by syscall"},
	{'x', "failures", NULL, "count failed syscalls only, by errno"},
	{'e', "errno", "ERRNO", "count syscalls failing with this errno (ENOSPC or 28)"},
	{'L', "latency", NULL, "time syscalls: total, average and p99 per row"},
	{'H', "histograms", NULL, "with -L, print a latency histogram per row"},
	{'m', "milliseconds", NULL, "latency in milliseconds"},
	{'T', "top", "N", "print the top N rows (default 10; 0 for all)"},
	{'t', "timestamp", NULL, "include a timestamp with each interval"},
	{'d', "duration", "SECONDS", "trace this long in all, then print and exit"},
	{'l', "list", NULL, "list the syscall names this system knows, and exit"},
	{0},
};

const struct cli_spec syscount_spec = {
	.name = "syscount",
	.summary = "syscall counts by syscall or process, failures by errno (-x, -e), latency (-L)",
	.usage = "[-p PID] [-c COMM] [-P] [-x | -e ERRNO] [-L [-H] [-m]] [-T N] [-d SECONDS] "
		 "[--json] [interval [count]]",
	.description =
		"Counts syscalls at raw_syscalls:sys_exit, by syscall or by process (-P). -x\n"
		"counts failed calls only and -e ERRNO those failing with one errno, keyed by\n"
		"syscall and errno (and process with -P): `syscount -e ENOSPC -P` names the\n"
		"process and the call that fails with \"No space left on device\" (case C7, e.g.\n"
		"mount() beyond fs.mount-max). -L times each call from sys_enter to sys_exit and\n"
		"shows the long tail per syscall (case C5). Syscall names come from this\n"
		"system's kernel headers (asm/unistd_64.h), errno names from glibc. -d SECONDS\n"
		"ends the trace after that long: one report at the end, or with an interval, a\n"
		"report per interval until the time is up (as bcc's syscount -d and -i).",
	.opts = options,
	.examples = "  whyslow syscount                  # top 10 syscalls until Ctrl-C\n"
		    "  whyslow syscount -P 1 5           # top processes, every second, 5 times\n"
		    "  whyslow syscount -e ENOSPC -P     # who fails with ENOSPC, in which call\n"
		    "  whyslow syscount -x               # failed calls by syscall and errno\n"
		    "  whyslow syscount -L -H -p 1234    # latency histograms of process 1234\n"
		    "  whyslow syscount -d 10 -P         # top processes over 10 seconds\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct syscount_cmd *c = arg;

	switch (key) {
	case 'p': c->opts.pid = cli_parse_pid(val); break;
	case 'c':
		if (strlen(val) >= sizeof(c->opts.comm))
			cli_usage_error("command name '%s' is longer than the kernel's 15 characters", val);
		strcpy(c->opts.comm, val);
		break;
	case 'P': c->opts.per_process = true; break;
	case 'x': c->opts.failures = true; break;
	case 'e':
		if ((c->opts.errno_filter = errno_parse(val)) < 0)
			cli_usage_error("unknown errno '%s': give a name such as ENOSPC or a number 1-4095", val);
		break;
	case 'L': c->opts.latency = true; break;
	case 'H': c->histograms = true; break;
	case 'm': c->ms = true; break;
	case 'T': c->top = cli_parse_ulong(val, "top N", 0, 1000000); break;
	case 't': c->timestamp = true; break;
	case 'l': c->list = true; break;
	case 'd': c->duration_s = cli_parse_ulong(val, "duration", 1, 86400 * 365); break;
	}
	return 0;
}

static const char *row_syscall(const struct syscount_cmd *c, const struct syscount_row *r,
			       char *buf, size_t size)
{
	return syscall_name(&c->names, r->nr, buf, size);
}

static void print_json(struct syscount_cmd *c, size_t shown)
{
	const char *unit = c->ms ? "ms" : "us";
	char b1[32], b2[32];
	struct json j;

	json_begin(&j, stdout, "syscount");
	json_u64(&j, "interval_s", c->common.interval_s);
	if (c->duration_s)
		json_u64(&j, "duration_s", c->duration_s);
	if (c->opts.pid)
		json_i64(&j, "pid_filter", c->opts.pid);
	if (c->opts.errno_filter)
		json_str(&j, "errno_filter", errno_name(c->opts.errno_filter, b1, sizeof(b1)));
	json_u64(&j, "total_count", c->res.total_count);
	json_array_open(&j, "rows");
	for (size_t i = 0; i < shown; i++) {
		struct syscount_row *r = &c->res.rows[i];

		json_object_open(&j, NULL);
		if (c->opts.per_process) {
			json_u64(&j, "pid", r->tgid);
			json_str(&j, "comm", r->comm);
		}
		if (r->nr >= 0) {
			json_str(&j, "syscall", row_syscall(c, r, b1, sizeof(b1)));
			json_i64(&j, "nr", r->nr);
		}
		if (r->err)
			json_str(&j, "errno", errno_name(r->err, b2, sizeof(b2)));
		json_u64(&j, "count", r->count);
		if (c->opts.latency) {
			json_u64(&j, "total_ns", r->total_ns);
			hist_json(&r->latency_us, "us", &j, "latency");
		}
		json_object_close(&j);
	}
	json_array_close(&j);
	(void)unit;
	json_end(&j);
}

static void print_text(struct syscount_cmd *c, size_t shown)
{
	bool by_nr = !c->opts.per_process || c->opts.failures || c->opts.errno_filter;
	bool errs = c->opts.failures || c->opts.errno_filter;
	double div = c->ms ? 1e6 : 1e3;
	char b1[32], b2[32];

	if (c->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	if (c->opts.per_process)
		printf("%-7s %-16s ", "PID", "COMM");
	if (by_nr)
		printf("%-22s ", "SYSCALL");
	if (errs)
		printf("%-14s ", "ERRNO");
	printf("%10s", "COUNT");
	if (c->opts.latency)
		printf(" %14s %10s %10s", c->ms ? "TIME (ms)" : "TIME (us)", "AVG", "P99");
	putchar('\n');
	for (size_t i = 0; i < shown; i++) {
		struct syscount_row *r = &c->res.rows[i];

		if (c->opts.per_process)
			printf("%-7u %-16s ", r->tgid, r->comm);
		if (by_nr)
			printf("%-22s ", row_syscall(c, r, b1, sizeof(b1)));
		if (errs)
			printf("%-14s ", errno_name(r->err, b2, sizeof(b2)));
		printf("%10llu", (unsigned long long)r->count);
		if (c->opts.latency)
			printf(" %14.3f %10.3f %10.3f", r->total_ns / div,
			       r->count ? r->total_ns / div / r->count : 0.0,
			       hist_percentile(&r->latency_us, 99) * 1e3 / div);
		putchar('\n');
		if (c->opts.latency && c->histograms)
			hist_print(&r->latency_us, "usecs", stdout);
	}
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct syscount_cmd *c = arg;
	size_t shown;
	int err;

	(void)last;
	if ((err = syscount_read(c->collector, &c->res, true)))
		return cli_fail("reading the counters failed: %s", strerror(-err));
	shown = c->top && c->top < c->res.n ? c->top : c->res.n;
	if (c->common.json)
		print_json(c, shown);
	else
		print_text(c, shown);
	return 0;
}

static int watch_pid(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct syscount_cmd *)arg)->opts.pid, timeout_ms);
}

static void list_syscalls(const struct syscall_names *names)
{
	for (unsigned nr = 0; nr < SYSCALL_NR_MAX; nr++)
		if (names->names[nr])
			printf("%u %s\n", nr, names->names[nr]);
}

int cmd_syscount(int argc, char **argv)
{
	struct syscount_cmd c = {.top = 10};
	struct cli_loop_ops ops = {.tick = tick, .poll = watch_pid};
	int err;

	cli_parse(&syscount_spec, argc, argv, &c.common, on_option, &c);
	if (c.opts.failures && c.opts.errno_filter)
		cli_usage_error("-x and -e exclude each other: -e already counts failures only");
	if (c.histograms && !c.opts.latency)
		cli_usage_error("-H prints latency histograms: add -L");
	if (c.duration_s && c.common.interval_s) {
		/* as bcc's: with an interval, the duration bounds the number of intervals */
		long n = (long)((c.duration_s + c.common.interval_s - 1) / c.common.interval_s);
		if (c.common.count <= 0 || c.common.count > n)
			c.common.count = n;
	}
	ops.duration_ms = c.duration_s * 1000; /* without an interval: one report at the end */
	if (!syscall_names_load(&c.names))
		cli_warn("no syscall names (install linux-libc-dev for asm/unistd_64.h): numbers only");
	if (c.list) {
		list_syscalls(&c.names);
		syscall_names_free(&c.names);
		return 0;
	}
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()) ||
	    (err = wbpf_require_tracepoints((const char *const[]){"raw_syscalls", "sys_enter",
								   "raw_syscalls", "sys_exit", NULL}))) {
		syscall_names_free(&c.names);
		return err;
	}
	if ((err = syscount_open(&c.opts, &c.collector))) {
		syscall_names_free(&c.names);
		return wbpf_load_error("syscount's BPF programs", err);
	}
	/* on stderr also with --json: tests and scripts wait for it */
	fprintf(stderr, "Tracing syscalls, printing top %lu... Hit Ctrl-C to end.\n", c.top);
	err = cli_run_loop(&c.common, &ops, &c);
	syscount_result_free(&c.res);
	syscount_close(c.collector);
	syscall_names_free(&c.names);
	return err;
}
