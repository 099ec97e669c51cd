/* runqslower: each wait for a CPU longer than a threshold, with the task that was running
 * when the waiter got the CPU. Options and output follow bcc's runqslower (the previous
 * task is always shown). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "render/heatmap_opt.h"
#include "cpu/runqslower.h"
#include "runqslower.skel.h"

struct runqslower {
	struct cli_common common;
	uint64_t min_us;
	pid_t pid, tid;
	unsigned duration_s;
	struct runqslower_bpf *skel;
	struct ring_buffer *rb;
	uint64_t start_ns, events;
	bool header_done;
	const char *heatmap_path; /* --heatmap */
	struct heatmap *heatmap;
};

enum { OPT_DURATION = CLI_LONG_ONLY, OPT_HEATMAP };

static const struct cli_opt options[] = {
	{'m', "min", "US", "report waits of at least US microseconds (default 10000)"},
	{'p', "pid", "PID", "trace this process only"},
	{'t', "tid", "TID", "trace this thread only"},
	{'P', "previous", NULL, "(the previous task is always shown)"},
	{OPT_DURATION, "duration", "SECONDS", "trace this long, then exit"},
	{OPT_HEATMAP, "heatmap", "FILE", "also write a latency heat map (time x wait in us) as SVG"},
	{0},
};

const struct cli_spec runqslower_spec = {
	.name = "runqslower",
	.summary = "each run-queue wait over a threshold, with the task that was running",
	.usage = "[-m US | min_us] [-p PID | -t TID] [--duration S] [--heatmap FILE] [--json]",
	.description =
		"Prints every wait for a CPU longer than the threshold (default 10 ms), from\n"
		"sched_wakeup/sched_wakeup_new or a preemption to sched_switch: the waiting task,\n"
		"the wait, and the task that was running on the CPU when the waiter got it (who\n"
		"it waited behind). A lone positional number is the threshold, as in bcc's\n"
		"runqslower. --heatmap draws every reported wait (when it ended, how long it\n"
		"was) as a latency heat map. Cases C6, C13.",
	.opts = options,
	.examples = "  whyslow runqslower               # waits over 10 ms\n"
		    "  whyslow runqslower 1000          # waits over 1 ms\n"
		    "  whyslow runqslower -p 1234 -m 500 --json\n"
		    "  whyslow runqslower --duration 60 --heatmap runq.svg 1000\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct runqslower *r = arg;

	switch (key) {
	case 'm': r->min_us = cli_parse_ulong(val, "minimum wait (us)", 0, UINT32_MAX); break;
	case 'p': r->pid = cli_parse_pid(val); break;
	case 't': r->tid = cli_parse_pid(val); break;
	case 'P': break;
	case OPT_DURATION: r->duration_s = cli_parse_ulong(val, "duration (seconds)", 1, 86400); break;
	case OPT_HEATMAP: r->heatmap_path = val; break;
	}
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct runqslower *r = ctx;
	const struct runqslower_event *e = data;
	char when[16];

	if (size < sizeof(*e))
		return 0;
	r->events++;
	if (r->heatmap)
		/* signed: a wait may end between the attach and start_ns */
		heatmap_add(r->heatmap, (double)(int64_t)(e->ts_ns - r->start_ns) / 1e9,
			    (double)e->delta_us);
	if (r->common.json) {
		struct json j;
		json_begin(&j, stdout, "runqslower");
		json_u64(&j, "pid", e->pid);
		json_u64(&j, "tid", e->tid);
		json_str(&j, "comm", e->comm);
		json_u64(&j, "latency_us", e->delta_us);
		json_u64(&j, "prev_pid", e->prev_pid);
		json_u64(&j, "prev_tid", e->prev_tid);
		json_str(&j, "prev_comm", e->prev_comm);
		json_end(&j);
		return 0;
	}
	if (!r->header_done) {
		printf("%-8s %-16s %-7s %14s %-16s %-7s\n", "TIME", "COMM", "TID", "LAT(us)",
		       "PREV COMM", "PREV TID");
		r->header_done = true;
	}
	cli_strftime_now(when, sizeof(when));
	printf("%-8s %-16.16s %-7u %14llu %-16.16s %-7u\n", when, e->comm, e->tid,
	       (unsigned long long)e->delta_us, e->prev_comm, e->prev_tid);
	return 0;
}

static int poll_events(void *arg, int timeout_ms)
{
	struct runqslower *r = arg;
	/* the kernel side wakes the reader in batches (bpf/ringbuf.h): read the rest too */
	int n = ring_buffer__poll(r->rb, timeout_ms);

	if (n >= 0)
		n = ring_buffer__consume(r->rb);
	if (n > 0 && !r->common.json)
		fflush(stdout);
	pidwatch_stop_if_gone(r->pid);
	pidwatch_stop_if_gone(r->tid);
	return n < 0 && n != -EINTR ? n : 0;
}

/* Lost events are reported at every interval end and at exit, never hidden. */
static int tick(void *arg, bool last)
{
	struct runqslower *r = arg;
	uint64_t lost;

	(void)last;
	ring_buffer__consume(r->rb);
	lost = wbpf_lost_events(bpf_map__fd(r->skel->maps.lost));
	if (r->common.json) {
		struct json j;
		json_begin(&j, stdout, "runqslower");
		json_bool(&j, "summary", true);
		json_u64(&j, "events", r->events);
		json_u64(&j, "lost_events", lost);
		json_end(&j);
	} else if (lost) {
		printf("%llu events lost\n", (unsigned long long)lost);
	}
	fflush(stdout);
	return 0;
}

static int load(struct runqslower *r, bool use_btf)
{
	struct runqslower_bpf *skel = runqslower_bpf__open();
	int err;

	r->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->min_us = r->min_us;
	skel->rodata->filter_tgid = r->pid > 0;
	skel->rodata->targ_tgid = (uint32_t)r->pid;
	skel->rodata->filter_tid = r->tid > 0;
	skel->rodata->targ_tid = (uint32_t)r->tid;
	wbpf_pick(skel->progs.wakeup_btf, skel->progs.wakeup_raw, use_btf);
	wbpf_pick(skel->progs.wakeup_new_btf, skel->progs.wakeup_new_raw, use_btf);
	wbpf_pick(skel->progs.switch_btf, skel->progs.switch_raw, use_btf);
	bpf_map__set_autocreate(skel->maps.task_ts, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_ts, !use_btf);
	err = runqslower_bpf__load(skel);
	if (!err)
		err = runqslower_bpf__attach(skel);
	return err;
}

int cmd_runqslower(int argc, char **argv)
{
	static const char *const tracepoints[] = {"sched", "sched_wakeup", "sched", "sched_wakeup_new",
						  "sched", "sched_switch", NULL};
	struct runqslower r = {.min_us = 10000};
	struct cli_loop_ops ops = {.tick = tick, .poll = poll_events};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&runqslower_spec, argc, argv, &r.common, on_option, &r);
	if (r.pid && r.tid)
		cli_usage_error("-p and -t exclude each other");
	if (r.common.interval_s && r.common.count <= 0) {
		/* bcc's runqslower takes one positional: the threshold in microseconds */
		r.min_us = r.common.interval_s;
		r.common.interval_s = 0;
	}
	ops.duration_ms = (uint64_t)r.duration_s * 1000;
	wbpf_init(r.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load(&r, use_btf);
	if (err && use_btf) {
		runqslower_bpf__destroy(r.skel);
		err = load(&r, false);
	}
	if (err) {
		runqslower_bpf__destroy(r.skel);
		return wbpf_load_error("runqslower's BPF programs", err);
	}
	r.rb = ring_buffer__new(bpf_map__fd(r.skel->maps.events), on_event, &r, NULL);
	if (!r.rb) {
		err = cli_fail("creating the ring buffer reader failed: %s", strerror(errno));
		runqslower_bpf__destroy(r.skel);
		return err;
	}
	if (r.heatmap_path && (err = open_heatmap(&r.heatmap, "Run-queue latency"))) {
		ring_buffer__free(r.rb);
		runqslower_bpf__destroy(r.skel);
		return err;
	}
	r.start_ns = cli_now_ns();
	fprintf(stderr, "Tracing run queue latency higher than %llu us... Hit Ctrl-C to end.\n",
		(unsigned long long)r.min_us);
	err = cli_run_loop(&r.common, &ops, &r);
	if (r.heatmap && heatmap_write_svg(r.heatmap, r.heatmap_path) && !err)
		err = EXIT_RUNTIME;
	heatmap_free(r.heatmap);
	ring_buffer__free(r.rb);
	runqslower_bpf__destroy(r.skel);
	return err;
}
