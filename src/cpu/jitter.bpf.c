// SPDX-License-Identifier: GPL-2.0
/* jitter, kernel side: what happened on each CPU and to each watched thread, kept in
 * memory-mapped arrays for the ticker in user space to read when a loop runs late:
 *   - every context switch, in a ring per CPU (who ran there, from when);
 *   - per watched thread, cumulative run-queue wait, off-CPU and stopped time;
 *   - per CPU, cumulative softirq and hardirq time;
 *   - signals sent to the watched process, with their sender.
 * Each CPU writes only its own slots: no atomics. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/sched.h"
#include "cpu/jitter.h"

#define TASK_STOPPED_BITS 0x0c /* __TASK_STOPPED | __TASK_TRACED */

const volatile __u32 targ_tgid = 0; /* the process whose signals are kept */
const volatile bool pid_mode = false;  /* -p: report involuntary absences as stalls */
const volatile __u64 threshold_ns = 25000000;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* ncpus * JITTER_SWITCH_RING, set at load */
	__type(key, __u32);
	__type(value, struct jitter_switch);
} switch_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* ncpus * JITTER_SIGNAL_RING */
	__type(key, __u32);
	__type(value, struct jitter_signal);
} signal_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* ncpus */
	__type(key, __u32);
	__type(value, struct jitter_cpu);
} cpu_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, JITTER_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct jitter_thread);
} threads SEC(".maps");

/* -p mode: stalls found in the kernel (rare: a ring buffer is cheap here) */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} stalls SEC(".maps");

/* thread id -> slot in threads, filled by user space */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, JITTER_MAX_THREADS);
	__type(key, __u32);
	__type(value, __u32);
} watched SEC(".maps");

static __always_inline struct jitter_thread *thread_in_slot(__u32 *slot)
{
	return slot ? bpf_map_lookup_elem(&threads, slot) : NULL;
}

static __always_inline struct jitter_thread *watched_thread(struct task_struct *t)
{
	__u32 tid = BPF_CORE_READ(t, pid);

	return thread_in_slot(bpf_map_lookup_elem(&watched, &tid));
}

/* This kernel (6.18 in a VM) emits sched_switch for a next that never runs: the following
 * switch on the CPU shows another task than that next leaving. A watched thread booked as
 * running by such a switch is in fact still waiting, from the time of that switch on. */
static __always_inline void undo_phantom_switch_in(struct jitter_cpu *cs, __u32 prev_tid)
{
	struct jitter_thread *th;
	__u32 slot;

	if (!cs->cur_slot || cs->cur_tid == prev_tid)
		return;
	slot = cs->cur_slot - 1;
	th = bpf_map_lookup_elem(&threads, &slot);
	if (th && !th->since && th->in_ts == cs->cur_ts) {
		th->since = cs->cur_ts;
		th->runnable = 1;
	}
}

static __always_inline struct jitter_cpu *this_cpu(__u32 *cpu)
{
	*cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&cpu_state, cpu);
}

/* A watched thread's off-CPU period ends: book it as run-queue wait or off-CPU. */
static __always_inline void close_period(struct jitter_thread *th, __u64 now)
{
	__u64 delta = now - th->since;

	if (th->runnable) {
		th->runnable_ns += delta;
	} else {
		th->offcpu_ns += delta;
		if (th->stopped)
			th->stopped_ns += delta;
	}
}

/* -p mode: an involuntary absence begins (preempted, stopped, or woken from a sleep):
 * remember the counters, to report the parts if it grows over the threshold. */
static __always_inline void stall_begin(struct jitter_thread *th, __u64 now, __u32 cpu)
{
	struct jitter_cpu *cs = bpf_map_lookup_elem(&cpu_state, &cpu);

	th->stall_start = now;
	th->stall_runnable = th->runnable_ns;
	th->stall_stopped = th->stopped_ns;
	th->stall_cpu = cpu;
	th->stall_softirq = cs ? cs->softirq_ns : 0;
	th->stall_hardirq = cs ? cs->hardirq_ns : 0;
}

static __always_inline void stall_end(struct jitter_thread *th, __u32 tid, __u64 now)
{
	struct jitter_stall *e;
	struct jitter_cpu *cs;
	__u32 cpu = th->stall_cpu;

	if (!th->stall_start || now - th->stall_start < threshold_ns) {
		th->stall_start = 0;
		return;
	}
	e = bpf_ringbuf_reserve(&stalls, sizeof(*e), 0);
	if (e) {
		cs = bpf_map_lookup_elem(&cpu_state, &cpu);
		e->start = th->stall_start;
		e->end = now;
		e->runnable_ns = th->runnable_ns - th->stall_runnable;
		e->stopped_ns = th->stopped_ns - th->stall_stopped;
		e->softirq_ns = cs ? cs->softirq_ns - th->stall_softirq : 0;
		e->hardirq_ns = cs ? cs->hardirq_ns - th->stall_hardirq : 0;
		e->tid = tid;
		e->cpu = cpu;
		bpf_ringbuf_submit(e, 0);
	}
	th->stall_start = 0;
}

static __always_inline void on_switch(bool preempt, struct task_struct *prev,
				      struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 prev_tid = BPF_CORE_READ(prev, pid), next_tid = BPF_CORE_READ(next, pid);
	__u32 *next_slot = bpf_map_lookup_elem(&watched, &next_tid);
	struct jitter_thread *th;
	struct jitter_switch *rec;
	struct jitter_cpu *cs;
	__u32 cpu, idx;

	if ((cs = this_cpu(&cpu))) {
		undo_phantom_switch_in(cs, prev_tid);
		idx = cpu * JITTER_SWITCH_RING + (cs->switches & (JITTER_SWITCH_RING - 1));
		rec = bpf_map_lookup_elem(&switch_ring, &idx);
		if (rec) {
			rec->ts = now;
			rec->pid = next_tid;
			rec->prev_pid = prev_tid;
			rec->tgid = BPF_CORE_READ(next, tgid);
			bpf_probe_read_kernel_str(rec->comm, sizeof(rec->comm), next->comm);
			cs->switches++;
		}
		cs->cur_tid = next_tid;
		cs->cur_ts = now;
		cs->cur_slot = next_slot ? *next_slot + 1 : 0;
	}
	if ((th = thread_in_slot(bpf_map_lookup_elem(&watched, &prev_tid)))) {
		long state = sched_task_state(prev);

		th->since = now;
		th->runnable = preempt || state == TASK_RUNNING;
		th->stopped = !th->runnable && (state & TASK_STOPPED_BITS);
		if (pid_mode) {
			if (th->runnable || th->stopped)
				stall_begin(th, now, bpf_get_smp_processor_id());
			else
				th->stall_start = 0; /* a sleep the thread chose */
		}
	}
	if ((th = thread_in_slot(next_slot)) && th->since) {
		close_period(th, now);
		th->since = 0;
		th->in_ts = now;
		if (pid_mode)
			stall_end(th, next_tid, now);
	}
}

static __always_inline void on_wakeup(struct task_struct *p)
{
	struct jitter_thread *th = watched_thread(p);
	__u32 cpu;
	__u64 now;

	if (!th || !th->since || th->runnable)
		return;
	now = bpf_ktime_get_ns();
	close_period(th, now);
	th->since = now;
	th->runnable = 1;
	th->stopped = 0;
	/* woken from a sleep: waiting for the CPU starts now; woken from a stop: the stall
	 * goes on */
	if (pid_mode && !th->stall_start) {
		/* the CPU it was queued on (task_cpu), not the waker's */
		if (bpf_core_field_exists(p->thread_info.cpu))
			cpu = BPF_CORE_READ(p, thread_info.cpu);
		else
			cpu = bpf_get_smp_processor_id();
		stall_begin(th, now, cpu);
	}
}

static __always_inline void on_signal(int sig, struct task_struct *task)
{
	struct jitter_signal *rec;
	struct jitter_cpu *cs;
	__u32 cpu, idx;

	if (BPF_CORE_READ(task, tgid) != targ_tgid || !(cs = this_cpu(&cpu)))
		return;
	idx = cpu * JITTER_SIGNAL_RING + (cs->signals & (JITTER_SIGNAL_RING - 1));
	rec = bpf_map_lookup_elem(&signal_ring, &idx);
	if (!rec)
		return;
	rec->ts = bpf_ktime_get_ns();
	rec->sender_pid = bpf_get_current_pid_tgid() >> 32;
	rec->target_tid = BPF_CORE_READ(task, pid);
	rec->sig = sig;
	bpf_get_current_comm(rec->sender_comm, sizeof(rec->sender_comm));
	cs->signals++;
}

static __always_inline void irq_enter(bool soft)
{
	struct jitter_cpu *cs;
	__u32 cpu;

	if (!(cs = this_cpu(&cpu)))
		return;
	if (soft)
		cs->softirq_start = bpf_ktime_get_ns();
	else
		cs->hardirq_start = bpf_ktime_get_ns();
}

static __always_inline void irq_exit(bool soft)
{
	struct jitter_cpu *cs;
	__u64 now;
	__u32 cpu;

	if (!(cs = this_cpu(&cpu)))
		return;
	now = bpf_ktime_get_ns();
	if (soft && cs->softirq_start) {
		cs->softirq_ns += now - cs->softirq_start;
		cs->softirq_start = 0;
	} else if (!soft && cs->hardirq_start) {
		cs->hardirq_ns += now - cs->hardirq_start;
		cs->hardirq_start = 0;
	}
}

/* --- tp_btf --- */

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	on_switch(preempt, prev, next);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wakeup_btf, struct task_struct *p)
{
	on_wakeup(p);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(signal_btf, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	on_signal(sig, task);
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry_btf, unsigned int vec)
{
	irq_enter(true);
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(softirq_exit_btf, unsigned int vec)
{
	irq_exit(true);
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(hardirq_entry_btf, int irq)
{
	irq_enter(false);
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(hardirq_exit_btf, int irq)
{
	irq_exit(false);
	return 0;
}

/* --- raw_tp --- */

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	on_switch(preempt, prev, next);
	return 0;
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(wakeup_raw, struct task_struct *p)
{
	on_wakeup(p);
	return 0;
}

SEC("raw_tp/signal_generate")
int BPF_PROG(signal_raw, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	on_signal(sig, task);
	return 0;
}

SEC("raw_tp/softirq_entry")
int BPF_PROG(softirq_entry_raw, unsigned int vec)
{
	irq_enter(true);
	return 0;
}

SEC("raw_tp/softirq_exit")
int BPF_PROG(softirq_exit_raw, unsigned int vec)
{
	irq_exit(true);
	return 0;
}

SEC("raw_tp/irq_handler_entry")
int BPF_PROG(hardirq_entry_raw, int irq)
{
	irq_enter(false);
	return 0;
}

SEC("raw_tp/irq_handler_exit")
int BPF_PROG(hardirq_exit_raw, int irq)
{
	irq_exit(false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
