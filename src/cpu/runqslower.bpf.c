// SPDX-License-Identifier: GPL-2.0
/* runqslower, kernel side: every wait for a CPU (from sched_wakeup, sched_wakeup_new or a
 * preemption to the sched_switch onto a CPU) longer than a threshold, with the task that
 * was running when the waiter finally got the CPU. Waits shorter than the threshold cost
 * a clock read and a storage lookup; only the slow ones reach the ring buffer.
 *
 * With tp_btf the wakeup time lives in task-local storage; the raw_tp fallback keeps it
 * in a hash by thread id, as bcc does. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/ringbuf.h"
#include "bpf/sched.h"
#include "cpu/runqslower.h"

const volatile __u64 min_us = 10000;
const volatile bool filter_tgid = false; /* -p */
const volatile __u32 targ_tgid = 0;
const volatile bool filter_tid = false;  /* -t */
const volatile __u32 targ_tid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} task_ts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} tid_ts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

DEFINE_LOST_COUNTER

static __always_inline bool wanted(struct task_struct *p)
{
	if (filter_tgid && BPF_CORE_READ(p, tgid) != targ_tgid)
		return false;
	if (filter_tid && BPF_CORE_READ(p, pid) != targ_tid)
		return false;
	return BPF_CORE_READ(p, pid) != 0;
}

static __always_inline void report(struct task_struct *prev, struct task_struct *next,
				   __u64 delta_ns)
{
	struct runqslower_event *e;

	if (delta_ns / 1000 < min_us)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->delta_us = delta_ns / 1000;
	e->pid = BPF_CORE_READ(next, tgid);
	e->tid = BPF_CORE_READ(next, pid);
	e->prev_pid = BPF_CORE_READ(prev, tgid);
	e->prev_tid = BPF_CORE_READ(prev, pid);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), next->comm);
	bpf_probe_read_kernel_str(e->prev_comm, sizeof(e->prev_comm), prev->comm);
	ringbuf_submit_batched(&events, e);
}

/* --- tp_btf: task-local storage --- */

static __always_inline void stamp_btf(struct task_struct *p, __u64 now)
{
	__u64 *ts;

	if (!wanted(p))
		return;
	ts = bpf_task_storage_get(&task_ts, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = now;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wakeup_btf, struct task_struct *p)
{
	stamp_btf(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(wakeup_new_btf, struct task_struct *p)
{
	stamp_btf(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns(), *ts;

	if (sched_task_state(prev) == TASK_RUNNING)
		stamp_btf(prev, now);
	ts = bpf_task_storage_get(&task_ts, next, 0, 0);
	if (!ts || !*ts)
		return 0;
	report(prev, next, now - *ts);
	*ts = 0;
	return 0;
}

/* --- raw_tp: hash by thread id --- */

static __always_inline void stamp_raw(struct task_struct *p, __u64 now)
{
	__u32 tid;

	if (!wanted(p))
		return;
	tid = BPF_CORE_READ(p, pid);
	bpf_map_update_elem(&tid_ts, &tid, &now, BPF_ANY);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(wakeup_raw, struct task_struct *p)
{
	stamp_raw(p, bpf_ktime_get_ns());
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(wakeup_new_raw, struct task_struct *p)
{
	stamp_raw(p, bpf_ktime_get_ns());
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns(), *ts;
	__u32 tid;

	if (sched_task_state(prev) == TASK_RUNNING)
		stamp_raw(prev, now);
	tid = BPF_CORE_READ(next, pid);
	ts = bpf_map_lookup_elem(&tid_ts, &tid);
	if (!ts)
		return 0;
	report(prev, next, now - *ts);
	bpf_map_delete_elem(&tid_ts, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
