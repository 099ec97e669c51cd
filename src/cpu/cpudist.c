/* cpudist: on-CPU (or off-CPU with -O) time per scheduling, as log2 histograms from
 * sched_switch, in total or per process/thread. Options and output follow bcc's cpudist. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/histmap.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "cpu/cpudist.h"
#include "cpudist.skel.h"

struct cpudist {
	struct cli_common common;
	bool offcpu, timestamp, ms, per_process, per_thread;
	pid_t pid;
	struct cpudist_bpf *skel;
	struct hist_set set;
};

static const struct cli_opt options[] = {
	{'O', "offcpu", NULL, "off-CPU time instead of on-CPU time"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'m', "milliseconds", NULL, "histogram in milliseconds"},
	{'P', "pids", NULL, "one histogram per process"},
	{'L', "tids", NULL, "one histogram per thread"},
	{'p', "pid", "PID", "trace this process only"},
	{0},
};

const struct cli_spec cpudist_spec = {
	.name = "cpudist",
	.summary = "on-CPU (or off-CPU, -O) time per scheduling as histograms, per process (-P) or thread (-L)",
	.usage = "[-O] [-T] [-m] [-P | -L] [-p PID] [--json] [interval [count]]",
	.description =
		"Measures how long a task runs each time it gets a CPU, from sched_switch in to\n"
		"sched_switch out (-O: how long it stays off). Short on-CPU slices with many\n"
		"switches point at contention or a busy CPU (case C13); long off-CPU times at\n"
		"blocking: see offcputime for where.",
	.opts = options,
	.examples = "  whyslow cpudist                 # until Ctrl-C, one histogram\n"
		    "  whyslow cpudist -O -m 5 1       # off-CPU, milliseconds, one 5 s interval\n"
		    "  whyslow cpudist -P -p 1234 1 3  # process 1234, every second\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct cpudist *c = arg;

	switch (key) {
	case 'O': c->offcpu = true; break;
	case 'T': c->timestamp = true; break;
	case 'm': c->ms = true; break;
	case 'P': c->per_process = true; break;
	case 'L': c->per_thread = true; break;
	case 'p': c->pid = cli_parse_pid(val); break;
	}
	return 0;
}

static bool label_key(const void *k, struct hist_item *item, void *arg)
{
	const struct cpudist *c = arg;

	return histmap_label_task(*(const uint32_t *)k, bpf_map__fd(c->skel->maps.comms), item);
}

static int print_interval(void *arg, bool last)
{
	struct cpudist *c = arg;
	bool keyed = c->per_process || c->per_thread;
	const char *id_name = c->per_thread ? "tid" : "pid";
	const char *what = c->offcpu ? "offcpu" : "oncpu";
	struct hist total;
	struct json j;
	int err;

	(void)last;
	if (keyed)
		err = histmap_read_keyed(bpf_map__fd(c->skel->maps.keyed_hist), sizeof(uint32_t),
					 CPUDIST_SLOTS, true, label_key, c, &c->set);
	else
		err = histmap_read_total(bpf_map__fd(c->skel->maps.total_hist), CPUDIST_SLOTS, true,
					 &total);
	if (err)
		return cli_fail("reading the histogram maps failed: %s", strerror(-err));
	if (c->common.json) {
		json_begin(&j, stdout, "cpudist");
		json_u64(&j, "interval_s", c->common.interval_s);
		json_str(&j, "kind", what);
		if (keyed)
			hist_set_json(&c->set, id_name, what, c->ms ? "ms" : "us", &j);
		else
			hist_json(&total, c->ms ? "ms" : "us", &j, what);
		json_end(&j);
		return 0;
	}
	if (c->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	if (keyed)
		hist_set_print(&c->set, id_name, c->ms ? "msecs" : "usecs", stdout);
	else
		hist_print(&total, c->ms ? "msecs" : "usecs", stdout);
	fflush(stdout);
	return 0;
}

static int watch_target(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct cpudist *)arg)->pid, timeout_ms);
}

static int load(struct cpudist *c, bool use_btf)
{
	struct cpudist_bpf *skel = cpudist_bpf__open();
	int err;

	c->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_offcpu = c->offcpu;
	skel->rodata->targ_per_process = c->per_process;
	skel->rodata->targ_per_thread = c->per_thread;
	skel->rodata->targ_ms = c->ms;
	skel->rodata->filter_tgid = c->pid > 0;
	skel->rodata->targ_tgid = (uint32_t)c->pid;
	wbpf_pick(skel->progs.switch_btf, skel->progs.switch_raw, use_btf);
	bpf_map__set_autocreate(skel->maps.task_ts, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_ts, !use_btf);
	/* names follow exec and prctl(PR_SET_NAME) in the per-process and per-thread keys */
	wbpf_pick_optional(skel->progs.task_hist_rename_btf, skel->progs.task_hist_rename_raw, use_btf,
			   c->per_process || c->per_thread, "task", "task_rename");
	if (!c->per_process && !c->per_thread) {
		bpf_map__set_max_entries(skel->maps.keyed_hist, 1);
		bpf_map__set_max_entries(skel->maps.comms, 1);
	}
	err = cpudist_bpf__load(skel);
	if (!err)
		err = cpudist_bpf__attach(skel);
	return err;
}

int cmd_cpudist(int argc, char **argv)
{
	static const char *const tracepoints[] = {"sched", "sched_switch", NULL};
	struct cpudist c = {0};
	struct cli_loop_ops ops = {.tick = print_interval};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&cpudist_spec, argc, argv, &c.common, on_option, &c);
	if (c.per_process && c.per_thread)
		cli_usage_error("-P and -L exclude each other: choose per process or per thread");
	if (c.pid)
		ops.poll = watch_target;
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load(&c, use_btf);
	if (err && use_btf) { /* tp_btf or task storage refused: raw tracepoint */
		cpudist_bpf__destroy(c.skel);
		err = load(&c, false);
	}
	if (err) {
		cpudist_bpf__destroy(c.skel);
		return wbpf_load_error("cpudist's BPF programs", err);
	}
	/* on stderr, also with --json: scripts wait for it to know tracing began */
	fprintf(stderr, "Tracing %s-CPU time... Hit Ctrl-C to end.\n", c.offcpu ? "off" : "on");
	err = cli_run_loop(&c.common, &ops, &c);
	hist_set_free(&c.set);
	cpudist_bpf__destroy(c.skel);
	return err;
}
