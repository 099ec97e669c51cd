/* funcslower: each call of a function slower than a threshold, with its process, latency
 * and return value: a user function through uprobes, or a kernel function where the
 * kernel has kprobes. Options and output follow bcc's funcslower. Shares funclatency's
 * BPF object (the ring-buffer mode). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/evsummary.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "render/heatmap_opt.h"
#include "sys/funclatency.h"
#include "sys/funcprobe.h"
#include "funclatency.skel.h"

struct funcslower_cmd {
	struct cli_common common;
	pid_t pid;
	double min_ms;
	unsigned long duration_s;
	struct funcprobe probe;
	struct funclatency_bpf *skel;
	struct ring_buffer *rb;
	uint64_t start_ns, events;
	const char *heatmap_path; /* --heatmap */
	struct heatmap *heatmap;
};

enum { OPT_HEATMAP = CLI_LONG_ONLY };

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "trace this process only"},
	{'m', "min-ms", "MS", "report calls of at least MS milliseconds (default 1)"},
	{'u', "min-us", "US", "report calls of at least US microseconds"},
	{'d', "duration", "SECONDS", "stop after this many seconds"},
	{OPT_HEATMAP, "heatmap", "FILE", "also write a latency heat map (time x latency in us) as SVG"},
	{0},
};

const struct cli_spec funcslower_spec = {
	.name = "funcslower",
	.summary = "each call of a function slower than a threshold (uprobes; kprobes for kernel)",
	.usage = "[-p PID] [-m MS | -u US] [-d SECONDS] [--heatmap FILE] [--json] FILE:FUNCTION|FUNCTION",
	.description =
		"Prints every call of one function that takes at least the threshold, from entry\n"
		"to return: time, process, latency and return value. FILE:FUNCTION as in\n"
		"funclatency (uprobes; the file needs its symbols); kernel functions need\n"
		"kprobes. --heatmap draws every slow call (when it returned, how long it took)\n"
		"as a latency heat map. Case C5: the slow calls of an application's own\n"
		"allocation path.",
	.opts = options,
	.examples = "  whyslow funcslower -m 10 /srv/app:handle_request\n"
		    "  whyslow funcslower -u 500 -p 1234 libc:malloc\n"
		    "  whyslow funcslower -d 60 --heatmap malloc.svg -u 100 libc:malloc\n",
	.interval = false,
};

static int on_option(void *arg, int key, const char *val)
{
	struct funcslower_cmd *c = arg;

	switch (key) {
	case 'p': c->pid = cli_parse_pid(val); break;
	case 'm': c->min_ms = cli_parse_double(val, "minimum (ms)", 0, 1e7); break;
	case 'u': c->min_ms = cli_parse_double(val, "minimum (us)", 0, 1e10) / 1000; break;
	case 'd': c->duration_s = cli_parse_ulong(val, "duration", 1, 86400 * 365); break;
	case OPT_HEATMAP: c->heatmap_path = val; break;
	}
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct funcslower_cmd *c = ctx;
	const struct funcslower_event *e = data;
	double t;

	if (size < sizeof(*e))
		return 0;
	/* signed: a call may return between the attach and start_ns */
	t = (double)(int64_t)(e->ts_ns - c->start_ns) / 1e9;
	c->events++;
	if (c->heatmap)
		heatmap_add(c->heatmap, t, e->latency_ns / 1e3);
	if (c->common.json) {
		struct json j;

		json_begin(&j, stdout, "funcslower");
		json_str(&j, "function", funcprobe_name(&c->probe));
		json_u64(&j, "pid", e->tgid);
		json_u64(&j, "tid", e->tid);
		json_str(&j, "comm", e->comm);
		json_u64(&j, "latency_ns", e->latency_ns);
		json_i64(&j, "retval", e->retval);
		json_end(&j);
		return 0;
	}
	printf("%-10.6f %-16s %-7u %-7u %12.3f %16llx %s\n", t, e->comm, e->tgid, e->tid,
	       e->latency_ns / 1e3, (unsigned long long)e->retval, c->probe.func);
	return 0;
}

static int poll_events(void *arg, int timeout_ms)
{
	struct funcslower_cmd *c = arg;
	int n = ring_buffer__poll(c->rb, timeout_ms);

	if (n >= 0) /* events are submitted without a wakeup until 64 KiB wait */
		n = ring_buffer__consume(c->rb);
	fflush(stdout);
	pidwatch_stop_if_gone(c->pid);
	return n < 0 ? n : 0;
}

static int finish(void *arg, bool last)
{
	struct funcslower_cmd *c = arg;
	uint64_t lost;

	(void)last;
	ring_buffer__consume(c->rb);
	lost = wbpf_lost_events(bpf_map__fd(c->skel->maps.lost));
	event_summary("funcslower", c->common.json, c->events, lost);
	return 0;
}

int cmd_funcslower(int argc, char **argv)
{
	struct funcslower_cmd c = {.min_ms = 1};
	struct cli_loop_ops ops = {.tick = finish, .poll = poll_events};
	char *spec = funcprobe_take_spec(&argc, argv, options);
	int err;

	cli_parse(&funcslower_spec, argc, argv, &c.common, on_option, &c);
	if (!spec)
		cli_usage_error("which function? give FILE:FUNCTION (e.g. libc:malloc) or a kernel function");
	funcprobe_resolve(&c.probe, spec, c.pid);
	ops.duration_ms = c.duration_s * 1000;
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()))
		return err;
	if (!(c.skel = funclatency_bpf__open()))
		return cli_fail("opening the BPF object failed: %s", strerror(errno));
	c.skel->rodata->filter_tgid = c.pid > 0;
	c.skel->rodata->targ_tgid = (uint32_t)c.pid;
	c.skel->rodata->slow_events = true;
	c.skel->rodata->slow_ns = (uint64_t)(c.min_ms * 1e6);
	if ((err = funclatency_bpf__load(c.skel))) {
		funclatency_bpf__destroy(c.skel);
		return wbpf_load_error("funcslower's BPF programs", err);
	}
	c.rb = ring_buffer__new(bpf_map__fd(c.skel->maps.events), on_event, &c, NULL);
	if (!c.rb) {
		err = cli_fail("creating the ring buffer reader failed: %s", strerror(errno));
		goto out;
	}
	if (c.heatmap_path && (err = open_heatmap(&c.heatmap, "Slow function calls")))
		goto out;
	if ((err = funcprobe_attach(&c.probe, c.skel->progs.func_entry, c.skel->progs.func_return,
				    c.pid)))
		goto out;
	c.start_ns = cli_now_ns();
	fprintf(stderr, "Tracing function calls slower than %g ms in \"%s\"... Hit Ctrl-C to end.\n",
		c.min_ms, funcprobe_name(&c.probe));
	if (!c.common.json)
		printf("%-10s %-16s %-7s %-7s %12s %16s %s\n", "TIME", "COMM", "PID", "TID", "LAT(us)",
		       "RVAL", "FUNC");
	err = cli_run_loop(&c.common, &ops, &c);
	if (c.heatmap && heatmap_write_svg(c.heatmap, c.heatmap_path) && !err)
		err = EXIT_RUNTIME;
out:
	heatmap_free(c.heatmap);
	funcprobe_detach(&c.probe);
	ring_buffer__free(c.rb);
	funclatency_bpf__destroy(c.skel);
	return err;
}
