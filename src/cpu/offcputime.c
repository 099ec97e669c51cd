/* offcputime: time spent off-CPU (blocked, sleeping, waiting for a CPU) summed by the
 * stacks the tasks left the CPU in, from sched_switch. Options and output follow bcc's
 * offcputime. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/stacks.h"
#include "lib/stacks_flame.h"
#include "cpu/offcputime.h"
#include "offcputime.skel.h"

/* --- collector --- */

static int load(struct offcputime_collector *oc, bool use_btf)
{
	const struct offcputime_opts *o = &oc->opts;
	struct offcputime_bpf *skel = offcputime_bpf__open();
	int err;

	oc->skel = skel;
	if (!skel)
		return -errno;
	oc->tp_btf = use_btf;
	skel->rodata->filter_tgid = o->pid > 0;
	skel->rodata->targ_tgid = (uint32_t)o->pid;
	skel->rodata->filter_tid = o->tid > 0;
	skel->rodata->targ_tid = (uint32_t)o->tid;
	skel->rodata->user_threads_only = o->user_threads_only;
	skel->rodata->kernel_threads_only = o->kernel_threads_only;
	skel->rodata->user_stacks = !o->kernel_only;
	skel->rodata->kernel_stacks = !o->user_only;
	skel->rodata->min_block_ns = o->min_us ? o->min_us * 1000 : 1;
	skel->rodata->max_block_ns = o->max_us ? o->max_us * 1000 : ~0ull;
	skel->rodata->targ_state = o->state;
	wbpf_pick(skel->progs.switch_btf, skel->progs.switch_raw, use_btf);
	bpf_map__set_autocreate(skel->maps.task_start, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_start, !use_btf);
	err = offcputime_bpf__load(skel);
	if (!err)
		err = offcputime_bpf__attach(skel);
	return err;
}

int offcputime_open(struct offcputime_collector *oc, const struct offcputime_opts *opts)
{
	static const char *const tracepoints[] = {"sched", "sched_switch", NULL};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	memset(oc, 0, sizeof(*oc));
	oc->opts = *opts;
	if ((err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load(oc, use_btf);
	if (err && use_btf) { /* tp_btf or task storage refused: raw tracepoint */
		offcputime_bpf__destroy(oc->skel);
		err = load(oc, false);
	}
	if (err) {
		offcputime_bpf__destroy(oc->skel);
		oc->skel = NULL;
		return wbpf_load_error("offcputime's BPF program", err);
	}
	return 0;
}

int offcputime_read(struct offcputime_collector *oc, struct stack_samples *out,
		    uint64_t *missed)
{
	return stack_counts_read(bpf_map__fd(oc->skel->maps.offcpu_us),
				 bpf_map__fd(oc->skel->maps.stacks),
				 bpf_map__fd(oc->skel->maps.stacks_fallback), out, missed);
}

void offcputime_close(struct offcputime_collector *oc)
{
	offcputime_bpf__destroy(oc->skel);
	memset(oc, 0, sizeof(*oc));
}

/* --- command --- */

struct offcputime_cmd {
	struct cli_common common;
	struct offcputime_opts opts;
	bool folded, delimited, offsets, timestamp;
	unsigned duration_s;
	const char *flamegraph;
	struct offcputime_collector oc;
	struct stack_syms syms;
};

enum { OPT_STATE = CLI_LONG_ONLY, OPT_DURATION, OPT_FLAMEGRAPH };

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "trace this process only"},
	{'t', "tid", "TID", "trace this thread only"},
	{'u', "user-threads-only", NULL, "user threads only (no kernel threads)"},
	{'k', "kernel-threads-only", NULL, "kernel threads only"},
	{'U', "user-stacks-only", NULL, "show user stacks only"},
	{'K', "kernel-stacks-only", NULL, "show kernel stacks only"},
	{'m', "min-block-time", "US", "keep off-CPU periods of at least US microseconds"},
	{'M', "max-block-time", "US", "keep off-CPU periods of at most US microseconds"},
	{'f', "folded", NULL, "folded output, one line per stack (for flame graphs)"},
	{'d', "delimited", NULL, "insert '-' between user and kernel frames"},
	{'s', "offset", NULL, "show addresses as symbol+offset"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{OPT_STATE, "state", "N", "only tasks leaving the CPU in this state (0 runnable, 1 "
				  "interruptible, 2 uninterruptible)"},
	{OPT_DURATION, "duration", "SECONDS", "trace this long, then print and exit"},
	{OPT_FLAMEGRAPH, "flamegraph", "FILE", "also write the stacks as a flame graph SVG"},
	{0},
};

const struct cli_spec offcputime_spec = {
	.name = "offcputime",
	.summary = "off-CPU time by user and kernel stack (blocked, sleeping, waiting), folded or multi-line",
	.usage = "[-p PID | -t TID] [-u | -k] [-U | -K] [-m US] [-M US] [-f] [--json] [duration | interval count]",
	.description =
		"Sums, in microseconds, the time tasks spend off-CPU, by the stacks they left the\n"
		"CPU in (sched_switch): sleeps, locks, I/O waits, pipe reads, and also waiting for\n"
		"a CPU after preemption (--state 1 or 2 keeps blocked tasks only). A lone\n"
		"positional number is a duration, as in bcc's offcputime. Cases C6 (a stopped\n"
		"process is off-CPU in do_signal_stop) and C13.",
	.opts = options,
	.examples = "  whyslow offcputime 5                   # all threads, 5 s\n"
		    "  whyslow offcputime -p 1234 -m 1000 10  # blocks of 1 ms or more\n"
		    "  whyslow offcputime -t 1235 5           # one thread of it\n"
		    "  whyslow offcputime -f 10 > off.folded  # for a flame graph\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct offcputime_cmd *c = arg;

	switch (key) {
	case 'p': c->opts.pid = cli_parse_pid(val); break;
	case 't': c->opts.tid = cli_parse_tid(val); break;
	case 'u': c->opts.user_threads_only = true; break;
	case 'k': c->opts.kernel_threads_only = true; break;
	case 'U': c->opts.user_only = true; break;
	case 'K': c->opts.kernel_only = true; break;
	case 'm': c->opts.min_us = cli_parse_ulong(val, "minimum block time (us)", 1, UINT64_MAX / 1000); break;
	case 'M': c->opts.max_us = cli_parse_ulong(val, "maximum block time (us)", 1, UINT64_MAX / 1000); break;
	case 'f': c->folded = true; break;
	case 'd': c->delimited = true; break;
	case 's': c->offsets = true; break;
	case 'T': c->timestamp = true; break;
	case OPT_STATE: c->opts.state = (long)cli_parse_ulong(val, "task state", 0, 1 << 16); break;
	case OPT_DURATION: c->duration_s = cli_parse_ulong(val, "duration (seconds)", 1, 86400); break;
	case OPT_FLAMEGRAPH: c->flamegraph = val; break;
	}
	return 0;
}

/* With -p (-t), the run ends (with a last print) when the process (thread) exits. */
static int watch_target(void *arg, int timeout_ms)
{
	struct offcputime_cmd *c = arg;

	return pidwatch_sleep(c->opts.pid ? c->opts.pid : c->opts.tid, timeout_ms);
}

static int print_interval(void *arg, bool last)
{
	struct offcputime_cmd *c = arg;
	struct stack_samples samples = {0};
	struct stack_report r = {
		.command = "offcputime", .total_key = "total_offcpu_us", .value_key = "offcpu_us",
		.missed_key = "missed_stacks_us", .missed_what = "us of off-CPU time",
		.json = c->common.json, .folded = c->folded, .delimited = c->delimited,
		.timestamp = c->timestamp, .flamegraph = c->flamegraph,
	};
	uint64_t missed = 0;
	int err;

	(void)last;
	if ((err = offcputime_read(&c->oc, &samples, &missed))) {
		stack_samples_free(&samples);
		return cli_fail("reading the off-CPU maps failed: %s", strerror(-err));
	}
	flamegraph_opts_default(&r.fg);
	r.fg.title = "Off-CPU Time Flame Graph";
	r.fg.countname = "us";
	r.fg.palette = PAL_IO;
	err = stack_report_print(&c->syms, &samples, missed, &r);
	stack_samples_free(&samples);
	return err;
}

int cmd_offcputime(int argc, char **argv)
{
	struct offcputime_cmd c = {.opts = {.state = -1}};
	struct cli_loop_ops ops = {.tick = print_interval};
	int err;

	cli_parse(&offcputime_spec, argc, argv, &c.common, on_option, &c);
	if (c.opts.user_only && c.opts.kernel_only)
		cli_usage_error("-U and -K exclude each other");
	if (c.opts.pid && c.opts.tid)
		cli_usage_error("-p and -t exclude each other");
	if (c.opts.user_threads_only && c.opts.kernel_threads_only)
		cli_usage_error("-u and -k exclude each other");
	if (c.opts.max_us && c.opts.max_us < c.opts.min_us)
		cli_usage_error("-M %llu is below -m %llu", (unsigned long long)c.opts.max_us,
				(unsigned long long)c.opts.min_us);
	if (c.common.interval_s && c.common.count <= 0 && !c.duration_s) {
		/* bcc's offcputime takes one positional: the duration */
		c.duration_s = c.common.interval_s;
		c.common.interval_s = 0;
	}
	ops.duration_ms = (uint64_t)c.duration_s * 1000;
	if (c.opts.pid || c.opts.tid)
		ops.poll = watch_target;
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()))
		return err;
	if (stack_syms_open(&c.syms, !c.opts.user_only, !c.opts.kernel_only) && !c.opts.user_only)
		cli_warn("cannot read /proc/kallsyms: kernel frames will show as [unknown]");
	c.syms.offsets = c.offsets;
	if (c.opts.pid || c.opts.tid)
		stack_syms_warm(&c.syms, c.opts.pid ? c.opts.pid : c.opts.tid);
	if ((err = offcputime_open(&c.oc, &c.opts))) {
		stack_syms_close(&c.syms);
		return err;
	}
	fprintf(stderr, "Tracing off-CPU time (us) of %s by %s stack... Hit Ctrl-C to end.\n",
		c.opts.pid ? "one process" : c.opts.tid ? "one thread" : "all threads",
		c.opts.user_only ? "user" : c.opts.kernel_only ? "kernel" : "user + kernel");
	err = cli_run_loop(&c.common, &ops, &c);
	offcputime_close(&c.oc);
	stack_syms_close(&c.syms);
	return err;
}
