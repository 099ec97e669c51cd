// SPDX-License-Identifier: GPL-2.0
/* softirqs, kernel side: time per softirq vector per CPU (irq:softirq_entry/exit), with
 * optional log2 duration histograms (-d), and with --timers the time of each timer
 * function run in the TIMER softirq (timer:timer_expire_entry/exit, case C8).
 *
 * Cost notes: one per-CPU array element per CPU holds the start time and every sum, so an
 * entry is one lookup and a store, an exit one lookup and a few adds: no hashing, no
 * atomics. Softirqs do not nest on a CPU, so one start slot per CPU suffices. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "irq/softirqs.h"

const volatile bool targ_dist = false; /* -d */
const volatile bool targ_ns = false;   /* -N: histograms in ns */
const volatile int targ_cpu = -1;      /* -c */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct softirqs_pcpu);
} cpu_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct softirqs_timer_start);
} timer_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct softirqs_timer);
} timers SEC(".maps");

static __always_inline bool other_cpu(void)
{
	return targ_cpu >= 0 && bpf_get_smp_processor_id() != (__u32)targ_cpu;
}

static __always_inline void entry(unsigned int vec)
{
	struct softirqs_pcpu *s;
	__u32 zero = 0;

	if (other_cpu())
		return;
	s = bpf_map_lookup_elem(&cpu_stats, &zero);
	if (!s)
		return;
	s->start_ns = bpf_ktime_get_ns();
	s->start_vec = vec;
}

static __always_inline void exit_(unsigned int vec)
{
	struct softirqs_pcpu *s;
	struct softirqs_vec *v;
	__u64 delta;
	__u32 zero = 0;

	if (other_cpu())
		return;
	s = bpf_map_lookup_elem(&cpu_stats, &zero);
	if (!s || !s->start_ns || s->start_vec != vec || vec >= SOFTIRQS_VECS)
		return;
	delta = bpf_ktime_get_ns() - s->start_ns;
	s->start_ns = 0;
	v = &s->vec[vec];
	v->time_ns += delta;
	v->count++;
	if (delta > v->max_ns)
		v->max_ns = delta;
	if (targ_dist) {
		__u32 slot = log2_slot(targ_ns ? delta : delta / 1000);
		if (slot < SOFTIRQS_SLOTS)
			s->hist[vec][slot]++;
	}
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

SEC("tp_btf/softirq_exit")
int BPF_PROG(exit_btf, unsigned int vec)
{
	exit_(vec);
	return 0;
}

SEC("raw_tp/softirq_exit")
int BPF_PROG(exit_raw, unsigned int vec)
{
	exit_(vec);
	return 0;
}

/* --- --timers --- */

static __always_inline void timer_entry(struct timer_list *timer)
{
	struct softirqs_timer_start *st;
	__u32 zero = 0;

	if (other_cpu())
		return;
	st = bpf_map_lookup_elem(&timer_start, &zero);
	if (!st)
		return;
	st->start_ns = bpf_ktime_get_ns();
	st->function = (__u64)BPF_CORE_READ(timer, function);
}

static __always_inline void timer_exit(void)
{
	struct softirqs_timer_start *st;
	struct softirqs_timer *t;
	__u64 delta, fn;
	__u32 zero = 0;

	if (other_cpu())
		return;
	st = bpf_map_lookup_elem(&timer_start, &zero);
	if (!st || !st->start_ns)
		return;
	delta = bpf_ktime_get_ns() - st->start_ns;
	fn = st->function;
	st->start_ns = 0;
	t = bpf_map_lookup_elem(&timers, &fn);
	if (!t) {
		struct softirqs_timer fresh = {.time_ns = delta, .count = 1, .max_ns = delta};

		if (!bpf_map_update_elem(&timers, &fn, &fresh, BPF_NOEXIST))
			return;
		t = bpf_map_lookup_elem(&timers, &fn); /* made by another CPU meanwhile */
		if (!t)
			return;
	}
	t->time_ns += delta;
	t->count++;
	if (delta > t->max_ns)
		t->max_ns = delta;
}

SEC("tp_btf/timer_expire_entry")
int BPF_PROG(timer_entry_btf, struct timer_list *timer)
{
	timer_entry(timer);
	return 0;
}

SEC("raw_tp/timer_expire_entry")
int BPF_PROG(timer_entry_raw, struct timer_list *timer)
{
	timer_entry(timer);
	return 0;
}

SEC("tp_btf/timer_expire_exit")
int BPF_PROG(timer_exit_btf, struct timer_list *timer)
{
	timer_exit();
	return 0;
}

SEC("raw_tp/timer_expire_exit")
int BPF_PROG(timer_exit_raw, struct timer_list *timer)
{
	timer_exit();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
