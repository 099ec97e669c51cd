// SPDX-License-Identifier: GPL-2.0
/* cpudist, kernel side: how long tasks run each time they get a CPU (switch-in to
 * switch-out), or with -O how long they stay off it (switch-out to switch-in), as log2
 * histograms in per-CPU maps, in total or per process/thread.
 *
 * With tp_btf the start time lives in task-local storage (no hashing, never deleted); the
 * raw_tp fallback keeps it in a hash by thread id, as bcc does. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "cpu/cpudist.h"

const volatile bool targ_offcpu = false;      /* -O */
const volatile bool targ_per_process = false; /* -P */
const volatile bool targ_per_thread = false;  /* -L */
const volatile bool targ_ms = false;          /* -m */
const volatile bool filter_tgid = false;      /* -p */
const volatile __u32 targ_tgid = 0;

#define TASK_HIST_T struct cpudist_hist
#define TASK_COMM_T struct cpudist_comm
#include "bpf/taskhist.h"

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

static __always_inline bool wanted(struct task_struct *p)
{
	if (BPF_CORE_READ(p, pid) == 0) /* the idle task */
		return false;
	return !filter_tgid || BPF_CORE_READ(p, tgid) == targ_tgid;
}

/* On-CPU: the period starts when `next` arrives and ends when it leaves as `prev`.
 * Off-CPU (-O): the other way round. */

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *starts = targ_offcpu ? prev : next;
	struct task_struct *ends = targ_offcpu ? next : prev;
	__u64 now = bpf_ktime_get_ns(), *ts;

	if (wanted(ends) && (ts = bpf_task_storage_get(&task_ts, ends, 0, 0)) && *ts) {
		task_hist_record(ends, now - *ts);
		*ts = 0;
	}
	if (wanted(starts) &&
	    (ts = bpf_task_storage_get(&task_ts, starts, 0, BPF_LOCAL_STORAGE_GET_F_CREATE)))
		*ts = now;
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *starts = targ_offcpu ? prev : next;
	struct task_struct *ends = targ_offcpu ? next : prev;
	__u64 now = bpf_ktime_get_ns(), *ts;
	__u32 tid;

	if (wanted(ends)) {
		tid = BPF_CORE_READ(ends, pid);
		if ((ts = bpf_map_lookup_elem(&tid_ts, &tid))) {
			task_hist_record(ends, now - *ts);
			bpf_map_delete_elem(&tid_ts, &tid);
		}
	}
	if (wanted(starts)) {
		tid = BPF_CORE_READ(starts, pid);
		bpf_map_update_elem(&tid_ts, &tid, &now, BPF_ANY);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
