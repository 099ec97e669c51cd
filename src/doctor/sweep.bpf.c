// SPDX-License-Identifier: GPL-2.0
/* doctor's sweep, kernel side: block latency per disk (issue to completion), run-queue
 * wait per process (wakeup or preemption to running) and SIGSTOP stops per process
 * (signal_generate SIGSTOP to SIGCONT, the sender named), in bounded per-CPU maps.
 *
 * Cost notes: the same shape as biolatency and runqlat. Request start times live in a
 * hash keyed by request pointer whose entries are reused; run-queue waits are timed by
 * bpf/runq.h, shared with runqlat (task storage with tp_btf, a hash by thread id with
 * the raw_tp fallback). Histograms are per-CPU: no atomics.
 * Signals are rare: their map is a plain hash. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/block.h"
#include "bpf/sched.h"
#include "doctor/sweep.h"

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

char LICENSE[] SEC("license") = "GPL";
