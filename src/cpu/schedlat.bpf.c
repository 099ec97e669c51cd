// SPDX-License-Identifier: GPL-2.0
/* schedlat, kernel side: per-thread scheduling summary like `perf sched latency`, built
 * in the kernel instead of from a trace: run time, switches, and the wait for a CPU (from
 * sched_wakeup/sched_wakeup_new or a preemption to sched_switch): total, count, maximum
 * and when the maximum began.
 *
 * With tp_btf the per-thread state lives in task-local storage; the raw_tp fallback keeps
 * it in a hash by thread id. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/rename.h"
#include "bpf/sched.h"
#include "cpu/schedlat.h"

const volatile bool filter_tgid = false; /* -p */
const volatile __u32 targ_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct schedlat_state);
} task_state_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct schedlat_state);
} tid_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct schedlat_stats);
} stats SEC(".maps");

static __always_inline bool wanted(struct task_struct *p)
{
	if (BPF_CORE_READ(p, pid) == 0) /* the idle task */
		return false;
	return !filter_tgid || BPF_CORE_READ(p, tgid) == targ_tgid;
}

static __always_inline struct schedlat_stats *stats_of(struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	struct schedlat_stats *s = bpf_map_lookup_elem(&stats, &tid), fresh = {};

	if (s)
		return s;
	fresh.pid = BPF_CORE_READ(p, tgid);
	bpf_probe_read_kernel_str(fresh.comm, sizeof(fresh.comm), p->comm);
	bpf_map_update_elem(&stats, &tid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&stats, &tid);
}

static __always_inline void switch_out(struct task_struct *prev, struct schedlat_state *st,
				       __u64 now)
{
	struct schedlat_stats *s;

	if (st->on_cpu_since && (s = stats_of(prev)))
		s->runtime_ns += now - st->on_cpu_since;
	st->on_cpu_since = 0;
	if (sched_task_state(prev) == TASK_RUNNING) /* preempted: waiting again */
		st->waiting_since = now;
}

static __always_inline void switch_in(struct task_struct *next, struct schedlat_state *st,
				      __u64 now)
{
	struct schedlat_stats *s = stats_of(next);

	if (s) {
		s->switches++;
		if (st->waiting_since) {
			__u64 delay = now - st->waiting_since;

			s->delay_ns += delay;
			s->delays++;
			if (delay > s->max_delay_ns) {
				s->max_delay_ns = delay;
				s->max_delay_at = st->waiting_since;
			}
		}
	}
	st->waiting_since = 0;
	st->on_cpu_since = now;
}

/* --- tp_btf: task-local storage --- */

static __always_inline struct schedlat_state *state_btf(struct task_struct *p)
{
	return bpf_task_storage_get(&task_state_map, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static __always_inline void wakeup_btf_common(struct task_struct *p)
{
	struct schedlat_state *st;

	if (wanted(p) && (st = state_btf(p)))
		st->waiting_since = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wakeup_btf, struct task_struct *p)
{
	wakeup_btf_common(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(wakeup_new_btf, struct task_struct *p)
{
	wakeup_btf_common(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	struct schedlat_state *st;

	if (wanted(prev) && (st = state_btf(prev)))
		switch_out(prev, st, now);
	if (wanted(next) && (st = state_btf(next)))
		switch_in(next, st, now);
	return 0;
}

/* --- raw_tp: hash by thread id --- */

static __always_inline struct schedlat_state *state_raw(struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	struct schedlat_state *st = bpf_map_lookup_elem(&tid_state, &tid), fresh = {};

	if (st)
		return st;
	bpf_map_update_elem(&tid_state, &tid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&tid_state, &tid);
}

static __always_inline void wakeup_raw_common(struct task_struct *p)
{
	struct schedlat_state *st;

	if (wanted(p) && (st = state_raw(p)))
		st->waiting_since = bpf_ktime_get_ns();
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(wakeup_raw, struct task_struct *p)
{
	wakeup_raw_common(p);
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(wakeup_new_raw, struct task_struct *p)
{
	wakeup_raw_common(p);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	struct schedlat_state *st;

	if (wanted(prev) && (st = state_raw(prev)))
		switch_out(prev, st, now);
	if (wanted(next) && (st = state_raw(next)))
		switch_in(next, st, now);
	return 0;
}

/* --- names: a task seen before its exec or prctl(PR_SET_NAME) takes its new name --- */

static __always_inline void renamed(__u32 tid, __u32 tgid, const char *comm)
{
	struct schedlat_stats *s = bpf_map_lookup_elem(&stats, &tid);

	if (s)
		bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), comm);
}

TASK_RENAME_PROGS(rename_btf, rename_raw, renamed)

char LICENSE[] SEC("license") = "GPL";
