// SPDX-License-Identifier: GPL-2.0
/* runqlat, kernel side: time from a task becoming runnable (wakeup, new task, or being
 * preempted while runnable) to it running, as log2 histograms in per-CPU maps.
 *
 * Cost notes: with tp_btf the wakeup time lives in task-local storage, found through the
 * task pointer with no hashing and never deleted; a switch reads the clock once for both
 * the task leaving (if preempted) and the task arriving. The raw_tp fallback, for kernels
 * that refuse tp_btf, keeps times in a hash by thread id, as bcc does. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/sched.h"
#include "cpu/runqlat.h"

const volatile bool targ_per_process = false; /* -P */
const volatile bool targ_per_thread = false;  /* -L */
const volatile bool targ_ms = false;          /* -m */
const volatile bool filter_tgid = false;      /* -p */
const volatile __u32 targ_tgid = 0;

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
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct runqlat_hist);
} total_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct runqlat_hist);
} keyed_hist SEC(".maps");

/* Names of the keys of keyed_hist, written once when a key first appears. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct runqlat_comm);
} comms SEC(".maps");

static __always_inline bool filtered_out(struct task_struct *p)
{
	return filter_tgid && BPF_CORE_READ(p, tgid) != targ_tgid;
}

static __always_inline void record(struct task_struct *p, __u64 delta)
{
	struct runqlat_hist *hist;
	__u32 zero = 0, slot;

	delta = targ_ms ? delta / 1000000 : delta / 1000;
	slot = log2_slot(delta);
	if (targ_per_process || targ_per_thread) {
		__u32 id = targ_per_thread ? BPF_CORE_READ(p, pid) : BPF_CORE_READ(p, tgid);
		hist = bpf_map_lookup_elem(&keyed_hist, &id);
		if (!hist) {
			struct runqlat_hist empty = {};
			struct runqlat_comm name = {};
			bpf_probe_read_kernel_str(name.comm, sizeof(name.comm),
						  targ_per_thread ? p->comm : BPF_CORE_READ(p, group_leader, comm));
			bpf_map_update_elem(&comms, &id, &name, BPF_ANY);
			bpf_map_update_elem(&keyed_hist, &id, &empty, BPF_NOEXIST);
			hist = bpf_map_lookup_elem(&keyed_hist, &id);
			if (!hist)
				return;
		}
	} else {
		hist = bpf_map_lookup_elem(&total_hist, &zero);
		if (!hist)
			return;
	}
	if (slot < RUNQLAT_SLOTS)
		hist->slots[slot]++;
}

/* --- tp_btf: task-local storage --- */

static __always_inline void stamp_btf(struct task_struct *p, __u64 now)
{
	__u64 *ts;

	if (filtered_out(p))
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
	record(next, now - *ts);
	*ts = 0;
	return 0;
}

/* --- raw_tp: hash by thread id --- */

static __always_inline void stamp_raw(struct task_struct *p, __u64 now)
{
	__u32 tid;

	if (filtered_out(p))
		return;
	tid = BPF_CORE_READ(p, pid);
	if (tid)
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
	record(next, now - *ts);
	bpf_map_delete_elem(&tid_ts, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
