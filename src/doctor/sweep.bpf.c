// SPDX-License-Identifier: GPL-2.0
/* doctor's sweep, kernel side: block latency per disk (issue to completion), run-queue
 * wait per process (wakeup or preemption to running) and SIGSTOP stops per process
 * (signal_generate SIGSTOP to SIGCONT, the sender named), in bounded per-CPU maps.
 *
 * Cost notes: the same shape as biolatency and runqlat. Request start times live in a
 * hash keyed by request pointer whose entries are reused; run-queue waits are timed by
 * bpf/runq.h, shared with runqlat (task storage with tp_btf, a hash by thread id with
 * the raw_tp fallback). Histograms are per-CPU: no atomics.
 * Signals are rare: their map is a plain hash.
 *
 * Off-CPU time rides on the same sched_switch program (bpf/runq.h's RUNQ_SWITCHED_*): a
 * thread that blocks is stamped at switch-out (task storage with tp_btf, a bounded hash
 * by tid with raw_tp), and at switch-in the time away is added to its entry in a bounded
 * hash by tid, as D-state (uninterruptible) or other sleep. Only D-state switch-outs take
 * a stack (kernel only: where the thread stalled), within a per-CPU budget of walks; their
 * time is summed per (process, stack) in a per-CPU hash. No per-event record. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/rename.h"
#include "bpf/block.h"
#include "bpf/sched.h"
#include "bpf/stackmap.h"
#include "doctor/sweep.h"

#define EFAULT 14
#define ENOSPC 28
#define TASK_UNINTERRUPTIBLE 0x2
#define TASK_DEAD 0x80
#define TASK_NOLOAD 0x400 /* with UNINTERRUPTIBLE: TASK_IDLE, idle kernel threads */
#define SIG_KILL 9
#define SIG_CONT 18
#define SIG_STOP 19

const volatile bool filter_tgid = false; /* -p: run-queue waits and signals of one process */
const volatile __u32 targ_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);   /* struct request * */
	__type(value, __u64); /* issue time, 0 when none in flight */
} rq_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SWEEP_MAX_DISKS);
	__type(key, __u32);
	__type(value, struct sweep_lat);
} disk_lat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SWEEP_MAX_PROCS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct sweep_lat);
} runq_lat SEC(".maps");

/* Every run-queue wait, all processes together (also those the bounded map missed). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sweep_lat);
} runq_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SWEEP_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct sweep_comm);
} comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SWEEP_MAX_STOPPED);
	__type(key, __u32);
	__type(value, struct sweep_stop);
} stops SEC(".maps");

static __always_inline void lat_add(struct sweep_lat *l, __u64 delta_ns)
{
	__u32 slot = log2_slot(delta_ns / 1000);

	l->count++;
	l->total_ns += delta_ns;
	if (slot < SWEEP_SLOTS)
		l->slots[slot]++;
}

static __always_inline struct sweep_lat *lat_get(void *map, __u32 key)
{
	struct sweep_lat *l = bpf_map_lookup_elem(map, &key);

	if (l)
		return l;
	struct sweep_lat empty = {};
	bpf_map_update_elem(map, &key, &empty, BPF_NOEXIST); /* fails quietly when full */
	return bpf_map_lookup_elem(map, &key);
}

/* --- block: issue to completion per disk --- */

static __always_inline void rq_issue(struct request *rq)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns(), *tsp;

	tsp = bpf_map_lookup_elem(&rq_start, &key);
	if (tsp)
		*tsp = now;
	else
		bpf_map_update_elem(&rq_start, &key, &now, BPF_ANY);
}

static __always_inline void rq_complete(struct request *rq)
{
	__u64 key = (__u64)rq, *tsp, start;
	struct sweep_lat *l;

	tsp = bpf_map_lookup_elem(&rq_start, &key);
	if (!tsp || !*tsp)
		return;
	start = *tsp;
	*tsp = 0;
	l = lat_get(&disk_lat, request_dev(rq));
	if (l)
		lat_add(l, bpf_ktime_get_ns() - start);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(rq_issue_btf, struct request *rq)
{
	rq_issue(rq);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(rq_complete_btf, struct request *rq)
{
	rq_complete(rq);
	return 0;
}

SEC("raw_tp/block_rq_issue")
int BPF_PROG(rq_issue_raw, struct request *rq)
{
	rq_issue(rq);
	return 0;
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(rq_complete_raw, struct request *rq)
{
	rq_complete(rq);
	return 0;
}

/* --- run queue: runnable to running per process --- */

static __always_inline bool filtered_out(struct task_struct *p)
{
	return filter_tgid && BPF_CORE_READ(p, tgid) != targ_tgid;
}

static __always_inline void runq_record(struct task_struct *p, __u64 delta)
{
	__u32 tgid = BPF_CORE_READ(p, tgid), zero = 0;
	struct sweep_lat *l = bpf_map_lookup_elem(&runq_total, &zero);

	if (l)
		lat_add(l, delta);
	if (!tgid) /* the idle task */
		return;
	l = bpf_map_lookup_elem(&runq_lat, &tgid);
	if (!l) {
		struct sweep_comm name = {};
		bpf_probe_read_kernel_str(name.comm, sizeof(name.comm),
					  BPF_CORE_READ(p, group_leader, comm));
		bpf_map_update_elem(&comms, &tgid, &name, BPF_ANY);
		l = lat_get(&runq_lat, tgid);
		if (!l)
			return;
	}
	lat_add(l, delta);
}

/* --- off-CPU: blocked time per thread, D-state stacks per process --- */

DEFINE_STACK_MAPS(d_stacks, SWEEP_MAX_D_STACKS);

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sweep_offcpu_start);
} offcpu_task_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sweep_offcpu_start);
} offcpu_tid_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SWEEP_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct sweep_offcpu);
} offcpu_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sweep_offcpu_total);
} offcpu_total SEC(".maps");

/* D-state time in microseconds per (process, kernel stack), read by stack_counts_read */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SWEEP_MAX_D_STACKS);
	__type(key, struct stack_key);
	__type(value, __u64);
} d_stack_us SEC(".maps");

/* A thread leaving the CPU blocked: not preempted, not runnable, not exiting, not idle. */
static __always_inline bool offcpu_blocks(bool preempt, struct task_struct *prev, long *state)
{
	if (preempt)
		return false;
	*state = sched_task_state(prev);
	if (*state == TASK_RUNNING || (*state & TASK_DEAD) || !BPF_CORE_READ(prev, pid))
		return false;
	return !filtered_out(prev);
}

/* A stack walk costs ~4 us here (unwinding, then hashing into the map): a host doing 12k
 * synchronous reads per second would spend 5% of a CPU on them. A per-CPU budget of
 * SWEEP_D_STACKS_PER_S walks (bursts of 64) caps that near 0.2% per CPU; D-state waits
 * past it keep their time, under no stack (shown as a missed stack, and counted). */
#define STACK_EVERY_NS (1000000000ull / SWEEP_D_STACKS_PER_S)
#define STACK_BURST_NS (64 * STACK_EVERY_NS)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sweep_stack_budget);
} stack_budget SEC(".maps");

static __always_inline bool stack_allowed(__u64 now)
{
	__u32 zero = 0;
	struct sweep_stack_budget *b = bpf_map_lookup_elem(&stack_budget, &zero);

	if (!b)
		return false;
	b->credit_ns += now - b->last_ns;
	b->last_ns = now;
	if (b->credit_ns > STACK_BURST_NS)
		b->credit_ns = STACK_BURST_NS;
	if (b->credit_ns < STACK_EVERY_NS)
		return false;
	b->credit_ns -= STACK_EVERY_NS;
	return true;
}

/* In the context of the thread leaving: the current stack is where it blocked. */
static __always_inline void offcpu_stamp(void *ctx, struct sweep_offcpu_start *s, long state,
					 __u64 now)
{
	s->ts = now;
	s->uninterruptible = (state & TASK_UNINTERRUPTIBLE) && !(state & TASK_NOLOAD);
	s->kernel_stack_id = -EFAULT;
	if (s->uninterruptible)
		s->kernel_stack_id = stack_allowed(now) ? STACK_ID_GET(ctx, d_stacks, 0) : -ENOSPC;
}

static __always_inline void d_stack_add(struct task_struct *t, __s32 stack_id, __u64 us)
{
	struct stack_key key = {.user_stack_id = -EFAULT, .kernel_stack_id = stack_id};

	key.pid = BPF_CORE_READ(t, tgid);
	bpf_probe_read_kernel_str(key.comm, sizeof(key.comm), BPF_CORE_READ(t, group_leader, comm));
	percpu_add_u64(&d_stack_us, &key, us);
}

static __always_inline void offcpu_account(struct task_struct *next,
					   const struct sweep_offcpu_start *s, __u64 now)
{
	__u64 delta = now - s->ts;
	__u32 tid = BPF_CORE_READ(next, pid), zero = 0;
	struct sweep_offcpu_total *t = bpf_map_lookup_elem(&offcpu_total, &zero);
	struct sweep_offcpu *o = bpf_map_lookup_elem(&offcpu_tasks, &tid);

	if (!o) {
		struct sweep_offcpu empty = {.tgid = BPF_CORE_READ(next, tgid)};
		bpf_probe_read_kernel_str(empty.comm, sizeof(empty.comm), next->comm);
		bpf_map_update_elem(&offcpu_tasks, &tid, &empty, BPF_NOEXIST); /* quiet when full */
		o = bpf_map_lookup_elem(&offcpu_tasks, &tid);
	}
	if (s->uninterruptible) {
		if (t) {
			t->d_ns += delta;
			t->d_count++;
		}
		if (o) {
			o->d_ns += delta;
			o->d_count++;
			if (delta > o->d_max_ns)
				o->d_max_ns = delta;
			/* rare: keep the name current (a thread named before its exec) */
			bpf_probe_read_kernel_str(o->comm, sizeof(o->comm), next->comm);
		}
		d_stack_add(next, s->kernel_stack_id, delta / 1000);
	} else {
		if (t) {
			t->sleep_ns += delta;
			t->sleep_count++;
		}
		if (o) {
			o->sleep_ns += delta;
			o->sleep_count++;
		}
	}
	if (!o && t)
		t->untracked_ns += delta;
}

static __always_inline void offcpu_switched_btf(void *ctx, bool preempt, struct task_struct *prev,
						struct task_struct *next, __u64 now)
{
	struct sweep_offcpu_start *s;
	long state;

	if (offcpu_blocks(preempt, prev, &state)) {
		s = bpf_task_storage_get(&offcpu_task_start, prev, 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (s)
			offcpu_stamp(ctx, s, state, now);
	}
	s = bpf_task_storage_get(&offcpu_task_start, next, 0, 0);
	if (s && s->ts) {
		offcpu_account(next, s, now);
		s->ts = 0;
	}
}

static __always_inline void offcpu_switched_raw(void *ctx, bool preempt, struct task_struct *prev,
						struct task_struct *next, __u64 now)
{
	struct sweep_offcpu_start start, *s;
	long state;
	__u32 tid;

	if (offcpu_blocks(preempt, prev, &state)) {
		tid = BPF_CORE_READ(prev, pid);
		offcpu_stamp(ctx, &start, state, now);
		bpf_map_update_elem(&offcpu_tid_start, &tid, &start, BPF_ANY);
	}
	tid = BPF_CORE_READ(next, pid);
	s = bpf_map_lookup_elem(&offcpu_tid_start, &tid);
	if (!s)
		return;
	offcpu_account(next, s, now);
	bpf_map_delete_elem(&offcpu_tid_start, &tid);
}

#define RUNQ_SWITCHED_BTF offcpu_switched_btf
#define RUNQ_SWITCHED_RAW offcpu_switched_raw

/* bpf/runq.h times the waits (tp_btf with task storage, raw_tp with a hash by thread id)
 * and calls these two */
static __always_inline bool runq_wanted(struct task_struct *p)
{
	return !filtered_out(p);
}

static __always_inline void runq_waited(struct task_struct *prev, struct task_struct *next,
					__u64 delta_ns)
{
	runq_record(next, delta_ns);
}

#include "bpf/runq.h"

/* --- signals: SIGSTOP to SIGCONT per target process --- */

static __always_inline void end_stop(struct sweep_stop *s, __u64 now)
{
	__u64 d;

	if (!s->stop_ts)
		return;
	d = now - s->stop_ts;
	s->stopped_ns += d;
	if (d > s->max_stop_ns)
		s->max_stop_ns = d;
	s->stop_ts = 0;
}

static __always_inline void on_signal(int sig, struct task_struct *task)
{
	__u32 tgid;
	struct sweep_stop *s;
	__u64 now;

	if (sig != SIG_STOP && sig != SIG_CONT && sig != SIG_KILL)
		return;
	if (filtered_out(task))
		return;
	tgid = BPF_CORE_READ(task, tgid);
	s = bpf_map_lookup_elem(&stops, &tgid);
	if (!s) {
		struct sweep_stop empty = {};
		if (sig == SIG_CONT) /* a SIGCONT without a stop we saw: nothing to time */
			return;
		bpf_probe_read_kernel_str(empty.target_comm, sizeof(empty.target_comm),
					  BPF_CORE_READ(task, group_leader, comm));
		bpf_map_update_elem(&stops, &tgid, &empty, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&stops, &tgid);
		if (!s)
			return;
	}
	now = bpf_ktime_get_ns();
	if (sig == SIG_KILL) { /* a stop ends with the kill too */
		s->kills++;
		end_stop(s, now);
	} else if (sig == SIG_STOP) {
		s->stops++;
		if (!s->stop_ts)
			s->stop_ts = now;
		s->sender_tgid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(s->sender_comm, sizeof(s->sender_comm));
	} else {
		s->conts++;
		end_stop(s, now);
	}
}

SEC("tp_btf/signal_generate")
int BPF_PROG(signal_btf, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	on_signal(sig, task);
	return 0;
}

SEC("raw_tp/signal_generate")
int BPF_PROG(signal_raw, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	on_signal(sig, task);
	return 0;
}

/* --- names: a task seen before its exec or prctl(PR_SET_NAME) takes its new name --- */

static __always_inline void renamed(__u32 tid, __u32 tgid, const char *comm)
{
	struct sweep_offcpu *o = bpf_map_lookup_elem(&offcpu_tasks, &tid);
	struct sweep_comm *name;

	if (o)
		bpf_probe_read_kernel_str(o->comm, sizeof(o->comm), comm);
	if (tid != tgid) /* a process by its leader's name */
		return;
	name = bpf_map_lookup_elem(&comms, &tgid);
	if (name)
		bpf_probe_read_kernel_str(name->comm, sizeof(name->comm), comm);
}

TASK_RENAME_PROGS(rename_btf, rename_raw, renamed)

char LICENSE[] SEC("license") = "GPL";
