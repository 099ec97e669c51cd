// SPDX-License-Identifier: GPL-2.0
/* hardirqs, kernel side: time and count per interrupt handler (irq:irq_handler_entry/
 * exit), total or per CPU, with optional log2 histograms. Handlers do not nest on a CPU
 * (interrupts stay off while one runs), so one start slot per CPU suffices. The per-CPU
 * hash is keyed by IRQ number and handler name, as /proc/interrupts names them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "irq/hardirqs.h"

const volatile bool targ_dist = false;    /* -d */
const volatile bool targ_ns = false;      /* -N */
const volatile bool targ_per_cpu = false; /* -C */
const volatile int targ_cpu = -1;         /* -c */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hardirqs_start);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct hardirqs_key);
	__type(value, struct hardirqs_value);
} stats SEC(".maps");

static __always_inline bool other_cpu(void)
{
	return targ_cpu >= 0 && bpf_get_smp_processor_id() != (__u32)targ_cpu;
}

static __always_inline void entry(int irq)
{
	struct hardirqs_start *s;
	__u32 zero = 0;

	if (other_cpu())
		return;
	s = bpf_map_lookup_elem(&start, &zero);
	if (!s)
		return;
	s->ts_ns = bpf_ktime_get_ns();
	s->irq = irq;
}

static __always_inline void exit_(int irq, struct irqaction *action)
{
	struct hardirqs_key key = {};
	struct hardirqs_value *v;
	struct hardirqs_start *s;
	__u32 zero = 0;
	__u64 delta;

	if (other_cpu())
		return;
	s = bpf_map_lookup_elem(&start, &zero);
	if (!s || !s->ts_ns || s->irq != (__u32)irq)
		return;
	delta = bpf_ktime_get_ns() - s->ts_ns;
	s->ts_ns = 0;
	key.irq = irq;
	key.cpu = targ_per_cpu ? bpf_get_smp_processor_id() : 0;
	bpf_probe_read_kernel_str(key.name, sizeof(key.name), BPF_CORE_READ(action, name));
	v = bpf_map_lookup_elem(&stats, &key);
	if (!v) {
		struct hardirqs_value zero_value = {};
		bpf_map_update_elem(&stats, &key, &zero_value, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&stats, &key);
		if (!v)
			return;
	}
	v->time_ns += delta;
	v->count++;
	if (targ_dist) {
		__u32 slot = log2_slot(targ_ns ? delta : delta / 1000);
		if (slot < HARDIRQS_SLOTS)
			v->slots[slot]++;
	}
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(entry_btf, int irq, struct irqaction *action)
{
	entry(irq);
	return 0;
}

SEC("raw_tp/irq_handler_entry")
int BPF_PROG(entry_raw, int irq, struct irqaction *action)
{
	entry(irq);
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(exit_btf, int irq, struct irqaction *action, int ret)
{
	exit_(irq, action);
	return 0;
}

SEC("raw_tp/irq_handler_exit")
int BPF_PROG(exit_raw, int irq, struct irqaction *action, int ret)
{
	exit_(irq, action);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
