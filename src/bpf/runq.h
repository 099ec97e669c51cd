/* Run-queue wait, shared by the commands that time it (runqlat, runqslower, doctor's
 * sweep): from a task becoming runnable (sched_wakeup, sched_wakeup_new, or being
 * preempted while runnable) to sched_switch putting it on a CPU.
 *
 * Before including, define
 *   static __always_inline bool runq_wanted(struct task_struct *p);   filter at wakeup
 *   static __always_inline void runq_waited(struct task_struct *prev,
 *                                           struct task_struct *next, __u64 delta_ns);
 * This header then defines the maps task_ts and tid_ts and six programs: wakeup_btf,
 * wakeup_new_btf, switch_btf (tp_btf: the wakeup time in task-local storage, found
 * through the task pointer with no hashing and never deleted; the clock read once per
 * switch) and wakeup_raw, wakeup_new_raw, switch_raw (the raw_tp fallback: a hash by
 * thread id, as bcc does). User space loads one set and creates only its map. Include
 * after vmlinux.h, bpf_helpers.h, bpf_tracing.h, bpf_core_read.h, bpf/common.h and
 * bpf/sched.h.
 *
 * Optionally define RUNQ_SWITCHED_BTF(ctx, preempt, prev, next, now) and
 * RUNQ_SWITCHED_RAW(...) too: switch_btf and switch_raw then call them first on every
 * switch, so that a program that times more at sched_switch (doctor's sweep: off-CPU
 * time) hooks the tracepoint once and reads the clock once. */
#ifndef WHYSLOW_BPF_RUNQ_H
#define WHYSLOW_BPF_RUNQ_H

#ifndef RUNQ_SWITCHED_BTF
#define RUNQ_SWITCHED_BTF(ctx, preempt, prev, next, now) do { } while (0)
#endif
#ifndef RUNQ_SWITCHED_RAW
#define RUNQ_SWITCHED_RAW(ctx, preempt, prev, next, now) do { } while (0)
#endif

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

/* --- tp_btf: task-local storage --- */

static __always_inline void runq_stamp_btf(struct task_struct *p, __u64 now)
{
	__u64 *ts;

	if (!runq_wanted(p))
		return;
	ts = bpf_task_storage_get(&task_ts, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = now;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wakeup_btf, struct task_struct *p)
{
	runq_stamp_btf(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(wakeup_new_btf, struct task_struct *p)
{
	runq_stamp_btf(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns(), *ts;

	RUNQ_SWITCHED_BTF(ctx, preempt, prev, next, now);
	if (sched_task_state(prev) == TASK_RUNNING)
		runq_stamp_btf(prev, now);
	ts = bpf_task_storage_get(&task_ts, next, 0, 0);
	if (!ts || !*ts)
		return 0;
	runq_waited(prev, next, now - *ts);
	*ts = 0;
	return 0;
}

/* --- raw_tp: hash by thread id --- */

static __always_inline void runq_stamp_raw(struct task_struct *p, __u64 now)
{
	__u32 tid;

	if (!runq_wanted(p))
		return;
	tid = BPF_CORE_READ(p, pid);
	if (tid)
		bpf_map_update_elem(&tid_ts, &tid, &now, BPF_ANY);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(wakeup_raw, struct task_struct *p)
{
	runq_stamp_raw(p, bpf_ktime_get_ns());
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(wakeup_new_raw, struct task_struct *p)
{
	runq_stamp_raw(p, bpf_ktime_get_ns());
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns(), *ts;
	__u32 tid;

	RUNQ_SWITCHED_RAW(ctx, preempt, prev, next, now);
	if (sched_task_state(prev) == TASK_RUNNING)
		runq_stamp_raw(prev, now);
	tid = BPF_CORE_READ(next, pid);
	ts = bpf_map_lookup_elem(&tid_ts, &tid);
	if (!ts)
		return 0;
	runq_waited(prev, next, now - *ts);
	bpf_map_delete_elem(&tid_ts, &tid);
	return 0;
}

#endif
