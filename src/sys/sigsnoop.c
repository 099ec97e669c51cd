/* sigsnoop: every signal with its sender and target, from signal:signal_generate, plus
 * kill/tkill/tgkill syscalls that failed. Options and output follow bcc's sigsnoop, with
 * the target's name and the signals that stop, kill or continue a process marked (case
 * C6: a monitoring agent sending SIGSTOP). */
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
#include "lib/signames.h"
#include "lib/syscalls.h"
#include "sys/sigsnoop.h"
#include "sigsnoop.skel.h"

/* --- collector --- */

const char *sigsnoop_result_name(int result)
{
	/* enum trace_signal_result in include/trace/events/signal.h */
	static const char *const names[] = {"delivered", "ignored", "already pending",
					    "overflow", "lost info"};

	if (result == SIGSNOOP_FAILED)
		return "failed";
	if (result >= 0 && result < (int)(sizeof(names) / sizeof(names[0])))
		return names[result];
	return "?";
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct sigsnoop_collector *sc = ctx;

	if (size >= sizeof(struct sigsnoop_event))
		sc->fn(data, sc->ctx);
	return 0;
}

static int load(struct sigsnoop_collector *sc, bool use_btf, bool syscalls)
{
	struct sigsnoop_bpf *skel = sigsnoop_bpf__open();
	struct bpf_program *sys_progs[] = {
		skel ? skel->progs.kill_entry : NULL,  skel ? skel->progs.tkill_entry : NULL,
		skel ? skel->progs.tgkill_entry : NULL, skel ? skel->progs.kill_return : NULL,
		skel ? skel->progs.tkill_return : NULL, skel ? skel->progs.tgkill_return : NULL,
	};
	int err;

	sc->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->filter_sender = (uint32_t)sc->opts.pid;
	skel->rodata->filter_target = (uint32_t)sc->opts.target;
	skel->rodata->filter_sig = sc->opts.sig;
	skel->rodata->failed_only = sc->opts.failed_only;
	skel->rodata->kill_only = sc->opts.kill_only;
	wbpf_pick(skel->progs.generate_btf, skel->progs.generate_raw, use_btf);
	for (size_t i = 0; i < sizeof(sys_progs) / sizeof(sys_progs[0]); i++)
		bpf_program__set_autoload(sys_progs[i], syscalls);
	err = sigsnoop_bpf__load(skel);
	if (!err)
		err = sigsnoop_bpf__attach(skel);
	return err;
}

int sigsnoop_open(struct sigsnoop_collector *sc, const struct sigsnoop_opts *opts,
		  sigsnoop_fn fn, void *ctx)
{
	static const char *const tracepoints[] = {"signal", "signal_generate", NULL};
	bool use_btf = wbpf_prefer_tp_btf();
	bool syscalls = wbpf_tracepoint_exists("syscalls", "sys_exit_kill") &&
			wbpf_tracepoint_exists("syscalls", "sys_exit_tgkill") &&
			wbpf_tracepoint_exists("syscalls", "sys_exit_tkill");
	int err;

	memset(sc, 0, sizeof(*sc));
	sc->opts = *opts;
	sc->fn = fn;
	sc->ctx = ctx;
	if ((err = wbpf_require_tracepoints(tracepoints)))
		return err;
	if (opts->kill_only && !syscalls)
		return cli_fail("-k needs the syscalls tracepoints (CONFIG_FTRACE_SYSCALLS, tracefs "
				"mounted at /sys/kernel/tracing): mount tracefs or drop -k");
	err = load(sc, use_btf, syscalls);
	if (err && syscalls && !opts->kill_only) { /* the syscall tracepoints are optional */
		sigsnoop_bpf__destroy(sc->skel);
		err = load(sc, use_btf, syscalls = false);
	}
	if (err && use_btf) {
		sigsnoop_bpf__destroy(sc->skel);
		err = load(sc, false, syscalls);
	}
	if (err) {
		sigsnoop_bpf__destroy(sc->skel);
		sc->skel = NULL;
		return wbpf_load_error("sigsnoop's BPF programs", err);
	}
	sc->syscall_failures = syscalls;
	sc->rb = ring_buffer__new(bpf_map__fd(sc->skel->maps.events), on_event, sc, NULL);
	if (!sc->rb) {
		err = -errno;
		sigsnoop_close(sc);
		return cli_fail("creating the ring buffer reader failed: %s", strerror(-err));
	}
	return 0;
}

int sigsnoop_poll(struct sigsnoop_collector *sc, int timeout_ms)
{
	/* the kernel side wakes the reader in batches (bpf/ringbuf.h): read the rest too */
	int n = ring_buffer__poll(sc->rb, timeout_ms);

	if (n >= 0)
		n = ring_buffer__consume(sc->rb);

	return n < 0 && n != -EINTR ? n : 0;
}

uint64_t sigsnoop_lost(struct sigsnoop_collector *sc)
{
	return wbpf_lost_events(bpf_map__fd(sc->skel->maps.lost));
}

void sigsnoop_close(struct sigsnoop_collector *sc)
{
	ring_buffer__free(sc->rb);
	sigsnoop_bpf__destroy(sc->skel);
	memset(sc, 0, sizeof(*sc));
}

/* --- command --- */

struct sigsnoop_cmd {
	struct cli_common common;
	struct sigsnoop_opts opts;
	struct sigsnoop_collector sc;
	uint64_t events, mono_to_real_ns;
	bool header_done;
};

enum { OPT_TARGET = CLI_LONG_ONLY };

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "signals sent by this process only"},
	{OPT_TARGET, "target", "PID", "signals sent to this process only"},
	{'s', "signal", "SIG", "this signal only (name or number: STOP, SIGKILL, 9)"},
	{'x', "failed", NULL, "failed kill/tkill/tgkill calls only"},
	{'k', "kill", NULL, "signals sent by kill/tkill/tgkill calls only (and their failures)"},
	{'n', "name", NULL, "(signal names are always shown; JSON has the number too)"},
	{0},
};

const struct cli_spec sigsnoop_spec = {
	.name = "sigsnoop",
	.summary = "every signal: sender, target, signal, result; SIGSTOP/SIGKILL/SIGCONT marked",
	.usage = "[-p PID] [--target PID] [-s SIG] [-x] [-k] [--json] [interval [count]]",
	.description =
		"Prints each signal as the kernel generates it (signal:signal_generate): the\n"
		"sending process and thread, the target, the signal and what became of it\n"
		"(delivered, ignored, already pending), and kill/tkill/tgkill calls that failed\n"
		"(EPERM, ESRCH) from the syscall tracepoints. Signals that stop, kill or\n"
		"continue the target are marked: a process stopped by SIGSTOP stalls without\n"
		"using CPU or waiting for it (case C6). A stopped process also raises SIGCHLD\n"
		"to its parent. -k keeps the signals sent by kill(), tkill() and tgkill()\n"
		"(not those the kernel raises: SIGCHLD, SIGPIPE, SIGSEGV, timers); a kill(PID, 0)\n"
		"that succeeds sends no signal and does not show. With an interval, a line per\n"
		"interval counts lost events.",
	.opts = options,
	.examples = "  whyslow sigsnoop                    # every signal\n"
		    "  whyslow sigsnoop -s STOP            # who stops whom\n"
		    "  whyslow sigsnoop --target 1234      # signals 1234 receives\n"
		    "  whyslow sigsnoop -x                 # failed kill() calls\n"
		    "  whyslow sigsnoop -k                 # signals sent by kill() only\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct sigsnoop_cmd *c = arg;

	switch (key) {
	case 'p': c->opts.pid = cli_parse_pid(val); break;
	case OPT_TARGET: c->opts.target = cli_parse_pid(val); break;
	case 's':
		if ((c->opts.sig = signal_parse(val)) < 0)
			cli_usage_error("unknown signal '%s': give a name (STOP, SIGKILL) or a number 1-64", val);
		break;
	case 'x': c->opts.failed_only = true; break;
	case 'k': c->opts.kill_only = true; break;
	case 'n': break; /* bcc: names instead of numbers; whyslow always shows names */
	}
	return 0;
}

static void print_event(const struct sigsnoop_event *e, void *ctx)
{
	struct sigsnoop_cmd *c = ctx;
	char sig[32], err[32], when[16];
	const char *effect = signal_effect(e->sig);
	time_t t = (time_t)((e->ts_ns + c->mono_to_real_ns) / 1000000000ull);
	struct tm tm;

	c->events++;
	signal_name(e->sig, sig, sizeof(sig));
	if (c->common.json) {
		struct json j;
		json_begin(&j, stdout, "sigsnoop");
		json_u64(&j, "ts_ns", e->ts_ns);
		json_u64(&j, "sender_pid", e->sender_pid);
		json_u64(&j, "sender_tid", e->sender_tid);
		json_str(&j, "sender_comm", e->sender_comm);
		/* signed: kill(-PGID) targets a process group */
		json_i64(&j, "target_pid", (int32_t)e->target_pid);
		json_i64(&j, "target_tid", (int32_t)e->target_tid);
		json_str(&j, "target_comm", e->target_comm);
		json_i64(&j, "sig", e->sig);
		json_str(&j, "signal", sig);
		json_i64(&j, "si_code", e->code);
		json_str(&j, "result", sigsnoop_result_name(e->result));
		if (e->result == SIGSNOOP_FAILED)
			json_str(&j, "errno", errno_name(e->err, err, sizeof(err)));
		json_str(&j, "effect", effect);
		json_end(&j);
		return;
	}
	if (!c->header_done) {
		printf("%-8s %-7s %-16s %-9s %-7s %-16s %s\n", "TIME", "PID", "COMM", "SIG", "TPID",
		       "TCOMM", "RESULT");
		c->header_done = true;
	}
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (e->result == SIGSNOOP_FAILED)
		snprintf(err, sizeof(err), "-%s", errno_name(e->err, err + 16, 16));
	printf("%-8s %-7u %-16.16s %-9s %-7d %-16.16s %s%s%s\n", when, e->sender_pid,
	       e->sender_comm, sig, (int32_t)(e->target_pid ? e->target_pid : e->target_tid),
	       e->target_comm[0] ? e->target_comm : "?",
	       e->result == SIGSNOOP_FAILED ? err : sigsnoop_result_name(e->result),
	       effect && e->result != SIGSNOOP_FAILED ? "  <<< " : "",
	       effect && e->result != SIGSNOOP_FAILED ? effect : "");
}

static int poll_events(void *arg, int timeout_ms)
{
	struct sigsnoop_cmd *c = arg;
	int err = sigsnoop_poll(&c->sc, timeout_ms);

	if (!c->common.json)
		fflush(stdout);
	pidwatch_stop_if_gone(c->opts.pid);
	pidwatch_stop_if_gone(c->opts.target);
	return err;
}

/* Lost events are reported at every interval end and at exit, never hidden. */
static int tick(void *arg, bool last)
{
	struct sigsnoop_cmd *c = arg;
	uint64_t lost;

	(void)last;
	ring_buffer__consume(c->sc.rb);
	lost = sigsnoop_lost(&c->sc);
	if (c->common.json) {
		struct json j;
		json_begin(&j, stdout, "sigsnoop");
		json_bool(&j, "summary", true);
		json_u64(&j, "events", c->events);
		json_u64(&j, "lost_events", lost);
		json_end(&j);
	} else if (lost) {
		printf("%llu events lost\n", (unsigned long long)lost);
	}
	fflush(stdout);
	return 0;
}

int cmd_sigsnoop(int argc, char **argv)
{
	struct sigsnoop_cmd c = {0};
	struct cli_loop_ops ops = {.tick = tick, .poll = poll_events};
	struct timespec real, mono;
	int err;

	cli_parse(&sigsnoop_spec, argc, argv, &c.common, on_option, &c);
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()))
		return err;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	c.mono_to_real_ns = (real.tv_sec - mono.tv_sec) * 1000000000ull + real.tv_nsec - mono.tv_nsec;
	if ((err = sigsnoop_open(&c.sc, &c.opts, print_event, &c)))
		return err;
	if (!c.sc.syscall_failures)
		cli_warn("the syscalls tracepoints are missing (CONFIG_FTRACE_SYSCALLS, or tracefs not "
			 "mounted): failed kill() calls are not shown%s",
			 c.opts.failed_only ? ", and -x shows nothing" : "");
	fprintf(stderr, "Tracing signals... Hit Ctrl-C to end.\n");
	err = cli_run_loop(&c.common, &ops, &c);
	sigsnoop_close(&c.sc);
	return err;
}
