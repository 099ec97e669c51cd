// SPDX-License-Identifier: GPL-2.0
/* offcputime, kernel side: at sched_switch the task leaving the CPU (the current task, so
 * its stacks are the ones it blocked in) is stamped with the time and its stack ids; when
 * it is switched back in, the time away is added to (process, stacks) in a per-CPU hash.
 *
 * Cost notes: with tp_btf the stamp lives in task-local storage (no hashing, never
 * deleted); the raw_tp fallback keeps it in a hash by thread id, as bcc does. Filters run
 * before the stack walks, which are the expensive part. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/sched.h"
#include "bpf/stackmap.h"
#include "cpu/offcputime.h"

#define EFAULT 14
#define PF_KTHREAD 0x00200000

const volatile bool filter_tgid = false; /* -p */
const volatile __u32 targ_tgid = 0;
const volatile bool filter_tid = false; /* -t */
const volatile __u32 targ_tid = 0;
const volatile bool user_threads_only = false;   /* -u */
const volatile bool kernel_threads_only = false; /* -k */
const volatile bool user_stacks = true;   /* not -K */
const volatile bool kernel_stacks = true; /* not -U */
const volatile __u64 min_block_ns = 1;
const volatile __u64 max_block_ns = ~0ull;
const volatile long targ_state = -1;

DEFINE_STACK_MAPS(stacks, 16384);

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct offcpu_start);
} task_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct offcpu_start);
} tid_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct stack_key);
	__type(value, __u64);
} offcpu_us SEC(".maps");

static __always_inline bool wanted(struct task_struct *t)
{
	if (filter_tgid && BPF_CORE_READ(t, tgid) != targ_tgid)
		return false;
	if (filter_tid && BPF_CORE_READ(t, pid) != targ_tid)
		return false;
	if (user_threads_only && (BPF_CORE_READ(t, flags) & PF_KTHREAD))
		return false;
	if (kernel_threads_only && !(BPF_CORE_READ(t, flags) & PF_KTHREAD))
		return false;
	if (targ_state != -1 && sched_task_state(t) != targ_state)
		return false;
	return BPF_CORE_READ(t, pid) != 0; /* not the idle task */
}

/* In the context of the task leaving: current's stacks are where it blocked. */
static __always_inline void stamp(void *ctx, struct offcpu_start *s, __u64 now)
{
	s->ts = now;
	s->user_stack_id = user_stacks ? STACK_ID_GET(ctx, stacks, BPF_F_USER_STACK) : -EFAULT;
	s->kernel_stack_id = kernel_stacks ? STACK_ID_GET(ctx, stacks, 0) : -EFAULT;
}

static __always_inline void account(struct task_struct *next, struct offcpu_start *s, __u64 now)
{
	struct stack_key key = {};
	__u64 delta = now - s->ts, us;

	s->ts = 0;
	if (delta < min_block_ns || delta > max_block_ns)
		return;
	us = delta / 1000;
	key.pid = BPF_CORE_READ(next, tgid);
	key.user_stack_id = s->user_stack_id;
	key.kernel_stack_id = s->kernel_stack_id;
	bpf_probe_read_kernel_str(key.comm, sizeof(key.comm), next->comm);
	percpu_add_u64(&offcpu_us, &key, us);
}

/* --- tp_btf: task-local storage --- */

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	struct offcpu_start *s;

	if (wanted(prev)) {
		s = bpf_task_storage_get(&task_start, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (s)
			stamp(ctx, s, now);
	}
	s = bpf_task_storage_get(&task_start, next, 0, 0);
	if (s && s->ts)
		account(next, s, now);
	return 0;
}

/* --- raw_tp: hash by thread id --- */

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	struct offcpu_start start = {}, *s;
	__u32 tid;

	if (wanted(prev)) {
		tid = BPF_CORE_READ(prev, pid);
		stamp(ctx, &start, now);
		bpf_map_update_elem(&tid_start, &tid, &start, BPF_ANY);
	}
	tid = BPF_CORE_READ(next, pid);
	s = bpf_map_lookup_elem(&tid_start, &tid);
	if (!s)
		return 0;
	account(next, s, now);
	bpf_map_delete_elem(&tid_start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
