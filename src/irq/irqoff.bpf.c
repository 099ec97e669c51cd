// SPDX-License-Identifier: GPL-2.0
/* irqoff, kernel side, in the spirit of bytedance's trace-irqoff without its kernel
 * module: (1) a cpu-clock perf event samples each CPU at a fixed period from the timer
 * interrupt; a sample that comes later than period + threshold means interrupts were
 * disabled on that CPU for about that long (or, in a VM, that the vCPU did not run), and
 * the stack of the late sample shows where they were enabled again; (2) the time from
 * irq:softirq_raise to irq:softirq_entry of each vector is how long a softirq waited, with
 * the task the sampler found running meanwhile. Without the irqsoff tracer and without
 * kprobes, the exact code that disabled interrupts or bottom halves is not visible. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/ringbuf.h"
#include "bpf/stackmap.h"
#include "irq/irqoff.h"

const volatile __u64 period_ns = 1000000;   /* the sampler's period */
const volatile __u64 threshold_ns = 10000000;
const volatile bool targ_stack = true;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irqoff_cpu);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

DEFINE_STACK_MAP(stacks, 4096);
DEFINE_LOST_COUNTER

static __always_inline struct irqoff_cpu *this_cpu(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cpus, &zero);
}

static __always_inline void submit(__u8 kind, __u8 vec, __u64 now, __u64 duration, __u32 pid,
				   const char *comm, __s32 stack_id)
{
	struct irqoff_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_lost();
		return;
	}
	e->ts_ns = now;
	e->duration_ns = duration;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = pid;
	e->stack_id = stack_id;
	e->kind = kind;
	e->vec = vec;
	e->pad = 0;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), comm);
	ringbuf_submit_batched(&events, e);
}

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	struct irqoff_cpu *c = this_cpu();
	__u64 now = bpf_ktime_get_ns(), last, since_oldest = 0;
	char comm[16];
	__u32 pid;

	if (!c)
		return 0;
	last = c->last_sample_ns;
	c->last_sample_ns = now;
	pid = bpf_get_current_pid_tgid() >> 32;
	if (last && now - last > period_ns + threshold_ns) {
		bpf_get_current_comm(comm, sizeof(comm));
		submit(IRQOFF_HARDIRQ, 0, now, now - last - period_ns, pid, comm,
		       targ_stack ? bpf_get_stackid(ctx, &stacks, 0) : -1);
	}
	/* remember who runs while a softirq waits (only once it waited half the threshold) */
	for (int v = 0; v < IRQOFF_VECS; v++)
		if (c->pending_since[v] && now - c->pending_since[v] > since_oldest)
			since_oldest = now - c->pending_since[v];
	if (since_oldest >= threshold_ns / 2 && since_oldest) {
		c->seen_ns = now;
		c->seen_pid = pid;
		bpf_get_current_comm(c->seen_comm, sizeof(c->seen_comm));
		c->seen_stack_id = targ_stack ? bpf_get_stackid(ctx, &stacks, 0) : -1;
	}
	return 0;
}

static __always_inline void raise(unsigned int vec)
{
	struct irqoff_cpu *c = this_cpu();
	__u32 v = vec;

	barrier_var(v); /* keep the bound check on the register used as index */
	if (c && v < IRQOFF_VECS && !c->pending_since[v])
		c->pending_since[v] = bpf_ktime_get_ns();
}

/* Copies what the sampler saw. The sampler runs in an interrupt and may rewrite the
 * record in the middle of the copy: the copy is then made again (the sampler's own writes
 * cannot be split), so a PID never goes with another task's name or stack. */
static __always_inline void copy_seen(struct irqoff_cpu *c, __u64 seen, __u32 *pid, char *comm,
				      __s32 *stack_id)
{
	for (int try = 0; try < 2; try++) {
		*pid = c->seen_pid;
		*stack_id = c->seen_stack_id;
		__builtin_memcpy(comm, c->seen_comm, 16);
		asm volatile("" ::: "memory");
		if (*(volatile __u64 *)&c->seen_ns == seen)
			return;
		seen = *(volatile __u64 *)&c->seen_ns;
	}
}

static __always_inline void entry(unsigned int vec)
{
	struct irqoff_cpu *c = this_cpu();
	__u64 now, since, waited, seen;
	__u32 v = vec, pid;
	__s32 stack_id;
	char comm[16];

	barrier_var(v);
	if (!c || v >= IRQOFF_VECS || !(since = c->pending_since[v]))
		return;
	c->pending_since[v] = 0;
	now = bpf_ktime_get_ns();
	waited = now - since;
	if (waited <= threshold_ns)
		return;
	seen = *(volatile __u64 *)&c->seen_ns;
	if (seen >= since) { /* the sampler saw who ran while it waited */
		copy_seen(c, seen, &pid, comm, &stack_id);
		submit(IRQOFF_SOFTIRQ, v, now, waited, pid, comm, stack_id);
		return;
	}
	bpf_get_current_comm(comm, sizeof(comm));
	submit(IRQOFF_SOFTIRQ, v, now, waited, bpf_get_current_pid_tgid() >> 32, comm, -1);
}

SEC("tp_btf/softirq_raise")
int BPF_PROG(raise_btf, unsigned int vec)
{
	raise(vec);
	return 0;
}

SEC("raw_tp/softirq_raise")
int BPF_PROG(raise_raw, unsigned int vec)
{
	raise(vec);
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(entry_btf, unsigned int vec)
{
	entry(vec);
	return 0;
}

SEC("raw_tp/softirq_entry")
int BPF_PROG(entry_raw, unsigned int vec)
{
	entry(vec);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
