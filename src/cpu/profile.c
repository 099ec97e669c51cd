/* profile: on-CPU stack sampling with a cpu-clock perf event per CPU (hardware counters
 * are not needed, so it works in VMs). Options and output follow bcc's profile. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/perfsample.h"
#include "lib/pidwatch.h"
#include "lib/stacks.h"
#include "lib/stacks_flame.h"
#include "cpu/profile.h"
#include "profile.skel.h"

#define DEFAULT_FREQ 49

/* --- collector --- */

int profile_open(struct profile_collector *pc, const struct profile_opts *opts)
{
	int err;

	memset(pc, 0, sizeof(*pc));
	pc->opts = *opts;
	if (!pc->opts.freq_hz)
		pc->opts.freq_hz = DEFAULT_FREQ;
	pc->skel = profile_bpf__open();
	if (!pc->skel)
		return wbpf_load_error("profile's BPF program", -errno);
	pc->skel->rodata->filter_tgid = opts->pid > 0;
	pc->skel->rodata->targ_tgid = (uint32_t)opts->pid;
	pc->skel->rodata->filter_tid = opts->tid > 0;
	pc->skel->rodata->targ_tid = (uint32_t)opts->tid;
	pc->skel->rodata->user_only = opts->user_only;
	pc->skel->rodata->kernel_only = opts->kernel_only;
	pc->skel->rodata->include_idle = opts->include_idle;
	err = profile_bpf__load(pc->skel);
	if (err) {
		err = wbpf_load_error("profile's BPF program", err);
		profile_close(pc);
		return err;
	}
	if ((err = perf_sampler_attach(&pc->sampler, pc->skel->progs.sample, pc->opts.freq_hz,
				       pc->opts.cpu))) {
		profile_close(pc);
		return err;
	}
	return 0;
}

int profile_read(struct profile_collector *pc, struct stack_samples *out, uint64_t *missed)
{
	return stack_counts_read(bpf_map__fd(pc->skel->maps.counts),
				 bpf_map__fd(pc->skel->maps.stacks),
				 bpf_map__fd(pc->skel->maps.stacks_fallback), out, missed);
}

void profile_close(struct profile_collector *pc)
{
	perf_sampler_detach(&pc->sampler);
	profile_bpf__destroy(pc->skel);
	memset(pc, 0, sizeof(*pc));
}

/* --- command --- */

struct profile_cmd {
	struct cli_common common;
	struct profile_opts opts;
	bool folded, delimited, offsets, timestamp;
	unsigned duration_s;
	const char *flamegraph; /* SVG path, or NULL */
	struct profile_collector pc;
	struct stack_syms syms;
};

enum { OPT_DURATION = CLI_LONG_ONLY, OPT_FLAMEGRAPH };

static const struct cli_opt options[] = {
	{'F', "frequency", "HZ", "samples per second per CPU (default 49)"},
	{'p', "pid", "PID", "sample this process only"},
	{'L', "tid", "TID", "sample this thread only"},
	{'C', "cpu", "CPU", "sample this CPU only"},
	{'U', "user-stacks-only", NULL, "user stacks only (no kernel frames)"},
	{'K', "kernel-stacks-only", NULL, "kernel stacks only (no user frames)"},
	{'I', "include-idle", NULL, "include the idle task's stacks"},
	{'f', "folded", NULL, "folded output, one line per stack (for flame graphs)"},
	{'d', "delimited", NULL, "insert '-' between user and kernel frames"},
	{'a', "annotations", NULL, "(kernel frames always carry _[k] in folded output)"},
	{'s', "offset", NULL, "show addresses as symbol+offset"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{OPT_DURATION, "duration", "SECONDS", "sample this long, then print and exit"},
	{OPT_FLAMEGRAPH, "flamegraph", "FILE", "also write the stacks as a flame graph SVG"},
	{0},
};

const struct cli_spec profile_spec = {
	.name = "profile",
	.summary = "on-CPU stack sampling (cpu-clock perf events), multi-line or folded",
	.usage = "[-F HZ] [-p PID | -L TID] [-C CPU] [-U | -K] [-f] [-d] [--json] [duration | interval count]",
	.description =
		"Samples what runs on each CPU HZ times a second with a cpu-clock software\n"
		"perf event (no hardware counters needed, so it works in VMs) and counts the\n"
		"user and kernel stacks, symbolized. A lone positional number is a duration, as\n"
		"in bcc's profile; 'interval count' prints (and resets) every interval. With -f\n"
		"each stack is one line for flamegraph.pl or 'whyslow flamegraph' (case C8, C14).",
	.opts = options,
	.examples = "  whyslow profile 10                # 10 s, all CPUs, multi-line stacks\n"
		    "  whyslow profile -F 99 -f 30 > out.folded\n"
		    "  whyslow profile --flamegraph cpu.svg 10\n"
		    "  whyslow profile -p 1234 -U 5      # user stacks of process 1234\n"
		    "  whyslow profile -L 1235 5         # thread 1235 only\n"
		    "  whyslow profile -C 1 5 3         # CPU 1, every 5 s, three times\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct profile_cmd *p = arg;

	switch (key) {
	case 'F': p->opts.freq_hz = cli_parse_ulong(val, "frequency (Hz)", 1, 100000); break;
	case 'p': p->opts.pid = cli_parse_pid(val); break;
	case 'L': p->opts.tid = cli_parse_tid(val); break;
	case 'C': p->opts.cpu = cli_parse_cpu(val); break;
	case 'U': p->opts.user_only = true; break;
	case 'K': p->opts.kernel_only = true; break;
	case 'I': p->opts.include_idle = true; break;
	case 'f': p->folded = true; break;
	case 'd': p->delimited = true; break;
	case 'a': break;
	case 's': p->offsets = true; break;
	case 'T': p->timestamp = true; break;
	case OPT_FLAMEGRAPH: p->flamegraph = val; break;
	case OPT_DURATION: p->duration_s = cli_parse_ulong(val, "duration (seconds)", 1, 86400); break;
	}
	return 0;
}

/* With -p (-L), the run ends (with a last print) when the process (thread) exits. */
static int watch_target(void *arg, int timeout_ms)
{
	struct profile_cmd *p = arg;

	return pidwatch_sleep(p->opts.pid ? p->opts.pid : p->opts.tid, timeout_ms);
}

static void json_frequency(struct json *j, void *ctx)
{
	const struct profile_cmd *p = ctx;

	json_u64(j, "frequency_hz", p->pc.opts.freq_hz);
}

static int print_interval(void *arg, bool last)
{
	struct profile_cmd *p = arg;
	struct stack_samples samples = {0};
	struct stack_report r = {
		.command = "profile", .total_key = "samples", .value_key = "samples",
		.missed_key = "missed_stacks", .missed_what = "samples", .json = p->common.json,
		.folded = p->folded, .delimited = p->delimited, .timestamp = p->timestamp,
		.flamegraph = p->flamegraph, .json_extra = json_frequency, .ctx = p,
	};
	char subtitle[96];
	uint64_t missed = 0;
	int err;

	(void)last;
	if ((err = profile_read(&p->pc, &samples, &missed))) {
		stack_samples_free(&samples);
		return cli_fail("reading the samples failed: %s", strerror(-err));
	}
	flamegraph_opts_default(&r.fg);
	r.fg.title = "CPU profile";
	snprintf(subtitle, sizeof(subtitle), "whyslow profile at %u Hz, %llu samples",
		 p->pc.opts.freq_hz, (unsigned long long)samples.total);
	r.fg.subtitle = subtitle;
	err = stack_report_print(&p->syms, &samples, missed, &r);
	stack_samples_free(&samples);
	return err;
}

int cmd_profile(int argc, char **argv)
{
	struct profile_cmd p = {.opts = {.cpu = -1}};
	struct cli_loop_ops ops = {.tick = print_interval};
	int err;

	cli_parse(&profile_spec, argc, argv, &p.common, on_option, &p);
	if (p.opts.user_only && p.opts.kernel_only)
		cli_usage_error("-U and -K exclude each other");
	if (p.opts.pid && p.opts.tid)
		cli_usage_error("-p and -L exclude each other");
	if (p.common.interval_s && p.common.count <= 0 && !p.duration_s) {
		/* bcc's profile takes one positional: the duration */
		p.duration_s = p.common.interval_s;
		p.common.interval_s = 0;
	}
	ops.duration_ms = (uint64_t)p.duration_s * 1000;
	if (p.opts.pid || p.opts.tid)
		ops.poll = watch_target;
	wbpf_init(p.common.verbose);
	if ((err = wbpf_check_prereqs()))
		return err;
	if (stack_syms_open(&p.syms, !p.opts.user_only, !p.opts.kernel_only) && !p.opts.user_only)
		cli_warn("cannot read /proc/kallsyms: kernel frames will show as [unknown]");
	p.syms.offsets = p.offsets;
	if (p.opts.pid || p.opts.tid)
		stack_syms_warm(&p.syms, p.opts.pid ? p.opts.pid : p.opts.tid);
	if ((err = profile_open(&p.pc, &p.opts))) {
		stack_syms_close(&p.syms);
		return err;
	}
	if (!p.common.json && !p.folded)
		fprintf(stderr, "Sampling at %u Hertz of %s by %s stack%s... Hit Ctrl-C to end.\n",
			p.pc.opts.freq_hz,
			p.opts.pid ? "one process" : p.opts.tid ? "one thread" : "all threads",
			p.opts.user_only ? "user" : p.opts.kernel_only ? "kernel" : "user + kernel",
			p.opts.cpu >= 0 ? " on one CPU" : "");
	else
		fprintf(stderr, "Sampling at %u Hertz...\n", p.pc.opts.freq_hz);
	err = cli_run_loop(&p.common, &ops, &p);
	profile_close(&p.pc);
	stack_syms_close(&p.syms);
	return err;
}
