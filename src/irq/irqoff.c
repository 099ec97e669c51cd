/* irqoff: periods when a CPU ran with interrupts off, or kept a raised softirq waiting,
 * longer than a threshold, with what ran on that CPU. In the spirit of bytedance's
 * trace-irqoff, built on a cpu-clock sampler and the softirq tracepoints (no kernel
 * module, no kprobes, no irqsoff tracer). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/perfsample.h"
#include "lib/stacks.h"
#include "irq/irqoff.h"
#include "irq/softirqs.h"
#include "net/netout.h"
#include "irqoff.skel.h"

struct irqoff {
	struct ring_buffer *rb; /* first: net_poll_ring() finds it here */
	struct cli_common common;
	double threshold_ms, duration_s;
	unsigned freq;
	int cpu;
	bool stack;
	struct irqoff_bpf *skel;
	struct perf_sampler sampler;
	struct stack_syms syms;
	uint64_t n[2], max_ns[2];
};

static const struct cli_opt options[] = {
	{'t', "threshold", "MS", "report periods longer than MS milliseconds (default 10)"},
	{'f', "frequency", "HZ", "sampling frequency per CPU (default 1000)"},
	{'c', "cpu", "CPU", "this CPU only (hard-irq part)"},
	{'s', "stack", NULL, "print the kernel stack of each period"},
	{'d', "duration", "SECONDS", "stop after SECONDS"},
	{0},
};

const struct cli_spec irqoff_spec = {
	.name = "irqoff",
	.summary = "CPUs that ran with interrupts off or kept softirqs waiting, and what ran",
	.usage = "[-t MS] [-f HZ] [-c CPU] [-s] [-d SECONDS] [--json]",
	.description =
		"Two detectors. HARDIRQ: a cpu-clock timer samples each CPU every 1/HZ s from the\n"
		"timer interrupt; a sample later than the period plus the threshold means that\n"
		"CPU had interrupts disabled about that long; the task and kernel stack of the\n"
		"late sample show where they were enabled again. SOFTIRQ: the time from\n"
		"irq:softirq_raise to irq:softirq_entry of each vector, i.e. how long a raised\n"
		"softirq (NET_RX, TIMER...) waited; the task shown is the one the sampler found\n"
		"running while it waited (bottom halves disabled, or ksoftirqd not scheduled).\n"
		"What it cannot see, without the irqsoff tracer or kprobes: where interrupts or\n"
		"bottom halves were disabled (only where the period ended), periods shorter than\n"
		"the sampling period, and, in a virtual machine, the difference between\n"
		"interrupts off and the host not running the vCPU (steal time looks the same).",
	.opts = options,
	.examples = "  whyslow irqoff                  # periods over 10 ms until Ctrl-C\n"
		    "  whyslow irqoff -t 1 -s          # over 1 ms, with stacks\n"
		    "  whyslow irqoff -d 60 --json     # one minute, JSON lines\n",
};

static int on_option(void *arg, int key, const char *val)
{
	struct irqoff *o = arg;

	switch (key) {
	case 't': o->threshold_ms = cli_parse_double(val, "threshold (ms)", 0, 60000); break;
	case 'f': o->freq = cli_parse_ulong(val, "frequency (Hz)", 10, 10000); break;
	case 'c': o->cpu = cli_parse_cpu(val); break;
	case 's': o->stack = true; break;
	case 'd': o->duration_s = cli_parse_double(val, "duration (s)", 0.1, 86400 * 365); break;
	}
	return 0;
}

static int on_event(void *arg, void *data, size_t size)
{
	struct irqoff *o = arg;
	const struct irqoff_event *e = data;
	uint64_t ips[STACK_MAX_DEPTH];
	unsigned depth = 0;
	char now[16], top[256] = "-";
	const char *kind = e->kind == IRQOFF_HARDIRQ ? "hardirq" : "softirq";
	struct json j;

	if (size < sizeof(*e) || e->kind > IRQOFF_SOFTIRQ)
		return 0;
	o->n[e->kind]++;
	if (e->duration_ns > o->max_ns[e->kind])
		o->max_ns[e->kind] = e->duration_ns;
	if (e->stack_id >= 0)
		depth = stack_map_read(bpf_map__fd(o->skel->maps.stacks), -1, e->stack_id, ips);
	if (depth)
		stack_kernel_frame(&o->syms, ips[0], top, sizeof(top));
	if (o->common.json) {
		json_begin(&j, stdout, "irqoff");
		json_str(&j, "kind", kind);
		json_u64(&j, "cpu", e->cpu);
		json_double(&j, "duration_ms", e->duration_ns / 1e6);
		if (e->kind == IRQOFF_SOFTIRQ)
			json_str(&j, "softirq", softirqs_vec_name(e->vec));
		json_u64(&j, "pid", e->pid);
		json_str(&j, "comm", e->comm);
		json_str(&j, "location", top);
		if (o->stack)
			net_print_kernel_stack(&o->syms, bpf_map__fd(o->skel->maps.stacks),
					       e->stack_id, &j, NULL);
		json_end(&j);
		return 0;
	}
	cli_strftime_now(now, sizeof(now));
	printf("%-8s %-3u %-7s %-8s %10.3f %-7u %-16s %s\n", now, e->cpu, kind,
	       e->kind == IRQOFF_SOFTIRQ ? softirqs_vec_name(e->vec) : "-", e->duration_ns / 1e6,
	       e->pid, e->comm, top);
	if (o->stack)
		net_print_kernel_stack(&o->syms, bpf_map__fd(o->skel->maps.stacks), e->stack_id,
				       NULL, stdout);
	fflush(stdout);
	return 0;
}

static int tick(void *arg, bool last)
{
	struct irqoff *o = arg;
	uint64_t lost = wbpf_lost_events(bpf_map__fd(o->skel->maps.lost));
	struct json j;

	net_drain_ring(arg); /* events still in the buffer come before the summary */
	(void)last;
	if (o->common.json) {
		json_begin(&j, stdout, "irqoff");
		json_bool(&j, "summary", true);
		json_u64(&j, "hardirq_periods", o->n[IRQOFF_HARDIRQ]);
		json_double(&j, "hardirq_max_ms", o->max_ns[IRQOFF_HARDIRQ] / 1e6);
		json_u64(&j, "softirq_periods", o->n[IRQOFF_SOFTIRQ]);
		json_double(&j, "softirq_max_ms", o->max_ns[IRQOFF_SOFTIRQ] / 1e6);
		json_u64(&j, "lost_events", lost);
		json_end(&j);
		return 0;
	}
	fprintf(stderr, "%llu hard-irq-off periods (max %.3f ms), %llu softirq waits (max %.3f ms)\n",
		(unsigned long long)o->n[IRQOFF_HARDIRQ], o->max_ns[IRQOFF_HARDIRQ] / 1e6,
		(unsigned long long)o->n[IRQOFF_SOFTIRQ], o->max_ns[IRQOFF_SOFTIRQ] / 1e6);
	if (lost)
		fprintf(stderr, "%llu events lost\n", (unsigned long long)lost);
	return 0;
}

static int load(struct irqoff *o, bool use_btf)
{
	struct irqoff_bpf *skel = irqoff_bpf__open();
	int err;

	o->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->period_ns = 1000000000ull / o->freq;
	skel->rodata->threshold_ns = (uint64_t)(o->threshold_ms * 1e6);
	skel->rodata->targ_stack = true; /* the location column needs the top frame */
	wbpf_pick(skel->progs.raise_btf, skel->progs.raise_raw, use_btf);
	wbpf_pick(skel->progs.entry_btf, skel->progs.entry_raw, use_btf);
	err = irqoff_bpf__load(skel);
	if (!err)
		err = irqoff_bpf__attach(skel); /* tracepoints; the sampler attaches below */
	return err;
}

int cmd_irqoff(int argc, char **argv)
{
	static const char *const tracepoints[] = {"irq", "softirq_raise", "irq", "softirq_entry",
						  NULL};
	struct irqoff o = {.threshold_ms = 10, .freq = 1000, .cpu = -1};
	struct cli_loop_ops ops = {.tick = tick, .poll = net_poll_ring};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&irqoff_spec, argc, argv, &o.common, on_option, &o);
	ops.duration_ms = (uint64_t)(o.duration_s * 1000);
	wbpf_init(o.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load(&o, use_btf);
	if (err && use_btf) {
		irqoff_bpf__destroy(o.skel);
		err = load(&o, false);
	}
	if (err) {
		irqoff_bpf__destroy(o.skel);
		return wbpf_load_error("irqoff's BPF programs", err);
	}
	if ((err = perf_sampler_attach(&o.sampler, o.skel->progs.sample, o.freq, o.cpu)))
		goto out;
	o.rb = ring_buffer__new(bpf_map__fd(o.skel->maps.events), on_event, &o, NULL);
	if (!o.rb) {
		err = cli_fail("creating the ring buffer failed: %s", strerror(errno));
		goto out;
	}
	if (stack_syms_open(&o.syms, true, false))
		cli_warn("cannot read /proc/kallsyms: locations print as addresses");
	fprintf(stderr, "Tracing interrupts-off periods over %.3f ms... Hit Ctrl-C to end.\n",
		o.threshold_ms);
	if (!o.common.json)
		printf("%-8s %-3s %-7s %-8s %10s %-7s %-16s %s\n", "TIME", "CPU", "KIND", "SOFTIRQ",
		       "MS", "PID", "COMM", "LOCATION");
	err = cli_run_loop(&o.common, &ops, &o);
out:
	perf_sampler_detach(&o.sampler);
	stack_syms_close(&o.syms);
	ring_buffer__free(o.rb);
	irqoff_bpf__destroy(o.skel);
	return err;
}
