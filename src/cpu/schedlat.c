/* schedlat: per-thread scheduling delay summary like `perf sched latency` (run time,
 * switches, average and maximum wait for a CPU, and when the maximum wait began), summed
 * in the kernel rather than recorded and post-processed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "cpu/schedlat.h"
#include "schedlat.skel.h"
#include "lib/sort.h"

struct task_row {
	uint32_t tid;
	struct schedlat_stats s;
};

struct schedlat {
	struct cli_common common;
	pid_t pid;
	unsigned duration_s, top;
	bool timestamp;
	int64_t mono_to_real_ns;
	struct schedlat_bpf *skel;
	struct task_row *rows;
	size_t n, cap;
};

enum { OPT_DURATION = CLI_LONG_ONLY };

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "threads of this process only"},
	{'n', "top", "N", "print the N threads with the longest waits only"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{OPT_DURATION, "duration", "SECONDS", "trace this long, then print and exit"},
	{0},
};

const struct cli_spec schedlat_spec = {
	.name = "schedlat",
	.summary = "per-thread scheduling delay like perf sched latency: runtime, switches, avg/max wait, when",
	.usage = "[-p PID] [-n N] [-T] [--duration S] [--json] [interval [count]]",
	.description =
		"For each thread: time on CPU, times switched in, and the wait for a CPU (from\n"
		"wakeup or preemption to running): average, maximum and the time the maximum\n"
		"wait began, sorted by the maximum. The numbers of 'perf sched latency', summed\n"
		"in the kernel instead of recorded to a file. A thread stopped by SIGSTOP or\n"
		"sleeping does not wait here (see offcputime, sigsnoop, jitter; cases C6, C13).",
	.opts = options,
	.examples = "  whyslow schedlat --duration 5       # all threads, 5 s\n"
		    "  whyslow schedlat -p 1234 -n 10 1 5  # top 10 threads of 1234, every second\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct schedlat *c = arg;

	switch (key) {
	case 'p': c->pid = cli_parse_pid(val); break;
	case 'n': c->top = cli_parse_ulong(val, "number of threads", 1, 1000000); break;
	case 'T': c->timestamp = true; break;
	case OPT_DURATION: c->duration_s = cli_parse_ulong(val, "duration (seconds)", 1, 86400); break;
	}
	return 0;
}

static void collect(const void *key, const void *value, void *arg)
{
	struct schedlat *c = arg;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct task_row *p = realloc(c->rows, cap * sizeof(*p));
		if (!p)
			return;
		c->rows = p;
		c->cap = cap;
	}
	c->rows[c->n].tid = *(const uint32_t *)key;
	memcpy(&c->rows[c->n].s, value, sizeof(struct schedlat_stats));
	c->rows[c->n].s.comm[15] = '\0';
	c->n++;
}

static int by_max_delay(const void *a, const void *b)
{
	const struct task_row *x = a, *y = b;

	if (x->s.max_delay_ns != y->s.max_delay_ns)
		return x->s.max_delay_ns > y->s.max_delay_ns ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

/* "HH:MM:SS.mmm" of a CLOCK_MONOTONIC time. */
static void wall_time(const struct schedlat *c, uint64_t mono_ns, char *buf, size_t size)
{
	int64_t real = (int64_t)mono_ns + c->mono_to_real_ns;
	time_t t = (time_t)(real / 1000000000);
	struct tm tm;
	char hms[16];

	localtime_r(&t, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03d", hms, (int)((real / 1000000) % 1000));
}

static int print_interval(void *arg, bool last)
{
	struct schedlat *c = arg;
	size_t shown;
	char when[32];
	int n;

	(void)last;
	c->n = 0;
	n = wbpf_hash_walk(bpf_map__fd(c->skel->maps.stats), sizeof(uint32_t),
			   sizeof(struct schedlat_stats), false, true, collect, c);
	if (n < 0)
		return cli_fail("reading the statistics map failed: %s", strerror(-n));
	sort_rows(c->rows, c->n, sizeof(*c->rows), by_max_delay);
	shown = c->top && c->top < c->n ? c->top : c->n;
	if (c->common.json) {
		struct json j;

		json_begin(&j, stdout, "schedlat");
		json_u64(&j, "threads", c->n);
		json_array_open(&j, "tasks");
		for (size_t i = 0; i < shown; i++) {
			const struct schedlat_stats *s = &c->rows[i].s;
			json_object_open(&j, NULL);
			json_u64(&j, "pid", s->pid);
			json_u64(&j, "tid", c->rows[i].tid);
			json_str(&j, "comm", s->comm);
			json_double(&j, "runtime_ms", ms(s->runtime_ns));
			json_u64(&j, "switches", s->switches);
			json_u64(&j, "delays", s->delays);
			json_double(&j, "avg_delay_ms", s->delays ? ms(s->delay_ns / s->delays) : 0);
			json_double(&j, "max_delay_ms", ms(s->max_delay_ns));
			json_double(&j, "max_delay_at_s", s->max_delay_at / 1e9);
			json_object_close(&j);
		}
		json_array_close(&j);
		json_end(&j);
		return 0;
	}
	if (c->timestamp)
		out_timestamp_line(stdout);
	printf("\n %-24s | %13s | %9s | %15s | %15s | %s\n", "Task", "Runtime ms", "Switches",
	       "Avg delay ms", "Max delay ms", "Max delay at");
	printf(" %.*s\n", 104, "------------------------------------------------------------"
			       "--------------------------------------------------------------");
	for (size_t i = 0; i < shown; i++) {
		const struct schedlat_stats *s = &c->rows[i].s;
		char task[40];

		snprintf(task, sizeof(task), "%s:%u", s->comm, c->rows[i].tid);
		if (s->max_delay_at)
			wall_time(c, s->max_delay_at, when, sizeof(when));
		else
			snprintf(when, sizeof(when), "-");
		printf(" %-24s | %10.3f ms | %9llu | avg: %7.3f ms | max: %7.3f ms | %s\n", task,
		       ms(s->runtime_ns), (unsigned long long)s->switches,
		       s->delays ? ms(s->delay_ns / s->delays) : 0.0, ms(s->max_delay_ns), when);
	}
	if (shown < c->n)
		printf(" ... %zu more threads (-n)\n", c->n - shown);
	fflush(stdout);
	return 0;
}

static int watch_target(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct schedlat *)arg)->pid, timeout_ms);
}

static int load(struct schedlat *c, bool use_btf)
{
	struct schedlat_bpf *skel = schedlat_bpf__open();
	int err;

	c->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->filter_tgid = c->pid > 0;
	skel->rodata->targ_tgid = (uint32_t)c->pid;
	wbpf_pick(skel->progs.wakeup_btf, skel->progs.wakeup_raw, use_btf);
	wbpf_pick(skel->progs.wakeup_new_btf, skel->progs.wakeup_new_raw, use_btf);
	wbpf_pick(skel->progs.switch_btf, skel->progs.switch_raw, use_btf);
	/* names follow exec and prctl(PR_SET_NAME) */
	wbpf_pick_optional(skel->progs.rename_btf, skel->progs.rename_raw, use_btf, true, "task",
			   "task_rename");
	bpf_map__set_autocreate(skel->maps.task_state_map, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_state, !use_btf);
	err = schedlat_bpf__load(skel);
	if (!err)
		err = schedlat_bpf__attach(skel);
	return err;
}

int cmd_schedlat(int argc, char **argv)
{
	static const char *const tracepoints[] = {"sched", "sched_wakeup", "sched", "sched_wakeup_new",
						  "sched", "sched_switch", NULL};
	struct schedlat c = {0};
	struct cli_loop_ops ops = {.tick = print_interval};
	bool use_btf = wbpf_prefer_tp_btf();
	struct timespec real, mono;
	int err;

	cli_parse(&schedlat_spec, argc, argv, &c.common, on_option, &c);
	ops.duration_ms = (uint64_t)c.duration_s * 1000;
	if (c.pid)
		ops.poll = watch_target;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	c.mono_to_real_ns = (int64_t)(real.tv_sec - mono.tv_sec) * 1000000000 +
			    (real.tv_nsec - mono.tv_nsec);
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load(&c, use_btf);
	if (err && use_btf) {
		schedlat_bpf__destroy(c.skel);
		err = load(&c, false);
	}
	if (err) {
		schedlat_bpf__destroy(c.skel);
		return wbpf_load_error("schedlat's BPF programs", err);
	}
	/* on stderr, also with --json: scripts wait for it to know tracing began */
	fprintf(stderr, "Tracing scheduling delays... Hit Ctrl-C to end.\n");
	err = cli_run_loop(&c.common, &ops, &c);
	free(c.rows);
	schedlat_bpf__destroy(c.skel);
	return err;
}
