/* funclatency: latency histogram of one function: a user function through uprobes
 * (/path/bin:func, libc:malloc), or a kernel function where the kernel has kprobes.
 * Options and output follow bcc's funclatency. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/hist.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "sys/funclatency.h"
#include "sys/funcprobe.h"
#include "funclatency.skel.h"

struct funclatency_cmd {
	struct cli_common common;
	pid_t pid;
	bool us, ms, timestamp;
	unsigned long duration_s;
	struct funcprobe probe;
	struct funclatency_bpf *skel;
};

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "trace this process only"},
	{'u', "microseconds", NULL, "histogram in microseconds"},
	{'m', "milliseconds", NULL, "histogram in milliseconds"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'d', "duration", "SECONDS", "stop after this many seconds"},
	{0},
};

const struct cli_spec funclatency_spec = {
	.name = "funclatency",
	.summary = "latency histogram of a user function (uprobes) or a kernel function (kprobes)",
	.usage = "[-p PID] [-u | -m] [-T] [-d SECONDS] [--json] FILE:FUNCTION|FUNCTION "
		 "[interval [count]]",
	.description =
		"Times every call of one function, from entry to return, as a log2 histogram\n"
		"(nanoseconds by default). User functions go through uprobes: FILE:FUNCTION where\n"
		"FILE is a path, a library's short name (libc, libpthread) or a program in PATH;\n"
		"the file needs its symbol table (not stripped). A kernel function needs kprobes,\n"
		"which some kernels lack: it then fails saying so. Case C5: the latency tail of\n"
		"an application's own function while something holds its mmap lock.",
	.opts = options,
	.examples = "  whyslow funclatency libc:malloc              # until Ctrl-C\n"
		    "  whyslow funclatency -u -p 1234 /srv/app:handle 5\n"
		    "  whyslow funclatency -m -d 10 /usr/bin/bash:readline\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct funclatency_cmd *c = arg;

	switch (key) {
	case 'p': c->pid = cli_parse_pid(val); break;
	case 'u': c->us = true; break;
	case 'm': c->ms = true; break;
	case 'T': c->timestamp = true; break;
	case 'd': c->duration_s = cli_parse_ulong(val, "duration", 1, 86400 * 365); break;
	}
	return 0;
}

static const char *unit_name(const struct funclatency_cmd *c, bool json)
{
	if (c->ms)
		return json ? "ms" : "msecs";
	if (c->us)
		return json ? "us" : "usecs";
	return json ? "ns" : "nsecs";
}

static int tick(void *arg, bool last)
{
	struct funclatency_cmd *c = arg;
	struct funclatency_hist raw;
	int fd = bpf_map__fd(c->skel->maps.hist);
	uint32_t zero = 0;
	struct hist h;
	uint64_t count;
	int err;

	(void)last;
	if ((err = wbpf_percpu_sum(fd, &zero, (uint64_t *)&raw, sizeof(raw) / 8)))
		return cli_fail("reading the histogram failed: %s", strerror(-err));
	wbpf_percpu_zero(fd, &zero, sizeof(raw) / 8);
	hist_init_log2(&h, FUNCLATENCY_SLOTS);
	hist_add_slots(&h, (const uint64_t *)raw.slots, FUNCLATENCY_SLOTS);
	count = hist_total(&h);
	if (c->common.json) {
		struct json j;

		json_begin(&j, stdout, "funclatency");
		json_str(&j, "function", funcprobe_name(&c->probe));
		json_u64(&j, "interval_s", c->common.interval_s);
		json_u64(&j, "count", count);
		json_u64(&j, "total_ns", raw.total_ns);
		hist_json(&h, unit_name(c, true), &j, "latency");
		json_end(&j);
		return 0;
	}
	if (c->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	hist_print(&h, unit_name(c, false), stdout);
	printf("\navg = %llu nsecs, total: %llu nsecs, count: %llu\n",
	       (unsigned long long)(count ? raw.total_ns / count : 0), (unsigned long long)raw.total_ns,
	       (unsigned long long)count);
	fflush(stdout);
	return 0;
}

static int watch_pid(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct funclatency_cmd *)arg)->pid, timeout_ms);
}

int cmd_funclatency(int argc, char **argv)
{
	struct funclatency_cmd c = {0};
	struct cli_loop_ops ops = {.tick = tick, .poll = watch_pid};
	char *spec = funcprobe_take_spec(&argc, argv, options);
	int err;

	cli_parse(&funclatency_spec, argc, argv, &c.common, on_option, &c);
	if (!spec)
		cli_usage_error("which function? give FILE:FUNCTION (e.g. libc:malloc) or a kernel function");
	if (c.us && c.ms)
		cli_usage_error("-u and -m exclude each other");
	funcprobe_resolve(&c.probe, spec, c.pid);
	ops.duration_ms = c.duration_s * 1000;
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()))
		return err;
	if (!(c.skel = funclatency_bpf__open()))
		return cli_fail("opening the BPF object failed: %s", strerror(errno));
	c.skel->rodata->filter_tgid = c.pid > 0;
	c.skel->rodata->targ_tgid = (uint32_t)c.pid;
	c.skel->rodata->unit_ns = c.ms ? 1000000 : c.us ? 1000 : 1;
	bpf_map__set_max_entries(c.skel->maps.events, 4096); /* unused by funclatency */
	if ((err = funclatency_bpf__load(c.skel))) {
		funclatency_bpf__destroy(c.skel);
		return wbpf_load_error("funclatency's BPF programs", err);
	}
	if ((err = funcprobe_attach(&c.probe, c.skel->progs.func_entry, c.skel->progs.func_return,
				    c.pid))) {
		funclatency_bpf__destroy(c.skel);
		return err;
	}
	fprintf(stderr, "Tracing 1 function for \"%s\"... Hit Ctrl-C to end.\n", funcprobe_name(&c.probe));
	err = cli_run_loop(&c.common, &ops, &c);
	funcprobe_detach(&c.probe);
	funclatency_bpf__destroy(c.skel);
	return err;
}
