/* runqlat: run-queue (scheduler) latency histograms, from sched_wakeup,
 * sched_wakeup_new and sched_switch. Options and output follow bcc's runqlat. */
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/histmap.h"
#include "lib/out.h"
#include "cpu/runqlat.h"
#include "runqlat.skel.h"

struct runqlat {
	struct cli_common common;
	bool timestamp, ms, per_process, per_thread;
	pid_t pid;
	struct runqlat_bpf *skel;
	struct hist_set set;
};

static const struct cli_opt options[] = {
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'m', "milliseconds", NULL, "histogram in milliseconds"},
	{'P', "pids", NULL, "one histogram per process"},
	{'L', "tids", NULL, "one histogram per thread"},
	{'p', "pid", "PID", "trace this process only"},
	{0},
};

const struct cli_spec runqlat_spec = {
	.name = "runqlat",
	.summary = "run-queue (scheduler) latency histograms, per process (-P) or thread (-L)",
	.usage = "[-T] [-m] [-P | -L] [-p PID] [--json] [interval [count]]",
	.description =
		"Measures how long runnable tasks wait for a CPU: from sched_wakeup or\n"
		"sched_wakeup_new (or being preempted while runnable) to sched_switch onto a\n"
		"CPU. Milliseconds of wait mean CPU saturation or a CPU hogged by one task; a\n"
		"process that is stopped (SIGSTOP) or blocked does not wait here, it is off-CPU\n"
		"(see offcputime, sigsnoop; cases C6, C13).",
	.opts = options,
	.examples = "  whyslow runqlat                 # until Ctrl-C, one histogram\n"
		    "  whyslow runqlat -m 5            # every 5 s, in milliseconds\n"
		    "  whyslow runqlat -P 1 3          # per process, every second, three times\n"
		    "  whyslow runqlat -p 1234 -L      # threads of process 1234\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct runqlat *r = arg;

	switch (key) {
	case 'T': r->timestamp = true; break;
	case 'm': r->ms = true; break;
	case 'P': r->per_process = true; break;
	case 'L': r->per_thread = true; break;
	case 'p': r->pid = cli_parse_pid(val); break;
	}
	return 0;
}

static bool label_key(const void *k, struct hist_item *item, void *arg)
{
	const struct runqlat *r = arg;

	return histmap_label_task(*(const uint32_t *)k, bpf_map__fd(r->skel->maps.comms), item);
}

static int print_interval(void *arg, bool last)
{
	struct runqlat *r = arg;
	bool keyed = r->per_process || r->per_thread;
	const char *id_name = r->per_thread ? "tid" : "pid";
	struct hist total;
	struct json j;
	int err;

	(void)last;
	if (keyed)
		err = histmap_read_keyed(bpf_map__fd(r->skel->maps.keyed_hist), sizeof(uint32_t),
					 RUNQLAT_SLOTS, true, label_key, r, &r->set);
	else
		err = histmap_read_total(bpf_map__fd(r->skel->maps.total_hist), RUNQLAT_SLOTS, true,
					 &total);
	if (err)
		return cli_fail("reading the histogram maps failed: %s", strerror(-err));
	if (r->common.json) {
		json_begin(&j, stdout, "runqlat");
		json_u64(&j, "interval_s", r->common.interval_s);
		if (r->pid)
			json_i64(&j, "pid_filter", r->pid);
		if (keyed)
			hist_set_json(&r->set, id_name, "latency", r->ms ? "ms" : "us", &j);
		else
			hist_json(&total, r->ms ? "ms" : "us", &j, "latency");
		json_end(&j);
		return 0;
	}
	if (r->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	if (keyed)
		hist_set_print(&r->set, id_name, r->ms ? "msecs" : "usecs", stdout);
	else
		hist_print(&total, r->ms ? "msecs" : "usecs", stdout);
	fflush(stdout);
	return 0;
}

static int load(struct runqlat *r, bool use_btf)
{
	struct runqlat_bpf *skel = runqlat_bpf__open();
	int err;

	r->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_per_process = r->per_process;
	skel->rodata->targ_per_thread = r->per_thread;
	skel->rodata->targ_ms = r->ms;
	skel->rodata->filter_tgid = r->pid > 0;
	skel->rodata->targ_tgid = (uint32_t)r->pid;
	wbpf_pick(skel->progs.wakeup_btf, skel->progs.wakeup_raw, use_btf);
	wbpf_pick(skel->progs.wakeup_new_btf, skel->progs.wakeup_new_raw, use_btf);
	wbpf_pick(skel->progs.switch_btf, skel->progs.switch_raw, use_btf);
	/* create only the start-time map the chosen programs use */
	bpf_map__set_autocreate(skel->maps.task_ts, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_ts, !use_btf);
	/* names follow exec and prctl(PR_SET_NAME) in the per-process and per-thread keys */
	wbpf_pick_optional(skel->progs.task_hist_rename_btf, skel->progs.task_hist_rename_raw, use_btf,
			   r->per_process || r->per_thread, "task", "task_rename");
	if (!r->per_process && !r->per_thread) {
		bpf_map__set_max_entries(skel->maps.keyed_hist, 1);
		bpf_map__set_max_entries(skel->maps.comms, 1);
	}
	err = runqlat_bpf__load(skel);
	if (!err)
		err = runqlat_bpf__attach(skel);
	return err;
}

int cmd_runqlat(int argc, char **argv)
{
	static const char *const tracepoints[] = {"sched", "sched_wakeup", "sched", "sched_wakeup_new",
						  "sched", "sched_switch", NULL};
	struct runqlat r = {0};
	struct cli_loop_ops ops = {.tick = print_interval};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&runqlat_spec, argc, argv, &r.common, on_option, &r);
	if (r.per_process && r.per_thread)
		cli_usage_error("-P and -L exclude each other: choose per process or per thread");
	wbpf_init(r.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load(&r, use_btf);
	if (err && use_btf) { /* tp_btf or task storage refused: raw tracepoints */
		if (r.common.verbose)
			cli_warn("tp_btf programs refused (%s): using raw tracepoints", strerror(-err));
		runqlat_bpf__destroy(r.skel);
		err = load(&r, false);
	}
	if (err) {
		runqlat_bpf__destroy(r.skel);
		return wbpf_load_error("runqlat's BPF programs", err);
	}
	/* always on stderr, also with --json: people and scripts wait for it */
	fprintf(stderr, "Tracing run queue latency... Hit Ctrl-C to end.\n");
	err = cli_run_loop(&r.common, &ops, &r);
	hist_set_free(&r.set);
	runqlat_bpf__destroy(r.skel);
	return err;
}
