// SPDX-License-Identifier: GPL-2.0
/* lockstat, kernel side: kernel lock contention from lock:contention_begin/contention_end
 * (5.19+, "locking: Add lock contention tracepoints", 16edd9b51173), as perf lock contention
 * measures it: the wait from begin to end, per lock address and type, and per waiter
 * kernel stack. A waiter may call contention_begin again for the same lock (a mutex spins,
 * then sleeps), or for another lock inside its wait (the wait_lock of a mutex or rwsem slow
 * path; an interrupt spinning on the same CPU): the first begin counts, as in perf's
 * lock_contention.bpf.c, and only its end closes the wait. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/stackmap.h"
#include "sys/lockstat.h"

const volatile bool filter_tgid = false;
const volatile __u32 targ_tgid = 0;
const volatile bool collect_stacks = true;

/* a wait this old is taken for one whose end was lost (see begin()) */
#define NESTED_MAX_NS (60ull * 1000000000)

struct wait {
	__u64 start_ns;
	__u64 lock;
	__u32 flags;
	__s32 stack_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct wait);
} task_wait SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct wait);
} tid_wait SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lockstat_lock_key);
	__type(value, struct lockstat_stat);
} by_lock SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lockstat_stack_key);
	__type(value, struct lockstat_stat);
} by_stack SEC(".maps");

DEFINE_STACK_MAP(stacks, 8192);

static __always_inline void begin(struct wait *w, void *ctx, void *lock, __u32 flags)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 now = bpf_ktime_get_ns();
	struct mm_struct *mm;

	/* A wait already under way is kept: the same lock again is spinning turned into
	 * sleeping; another lock is nested in it (the rwsem slow path takes its wait_lock, an
	 * interrupt spins on a lock while this task waits) and its end will not match. Only
	 * a wait older than NESTED_MAX_NS gives way, in case its end was lost. */
	if (w->start_ns && now - w->start_ns < NESTED_MAX_NS)
		return;
	w->start_ns = now;
	w->lock = (__u64)lock;
	mm = BPF_CORE_READ(task, mm);
	if (mm && (__u64)lock == (__u64)&mm->mmap_lock)
		flags |= LOCKSTAT_F_MMAP_LOCK;
	w->flags = flags;
	w->stack_id = collect_stacks ? bpf_get_stackid(ctx, &stacks, 0) : -1;
}

static __always_inline void add(void *map, void *key, __u64 delta)
{
	struct lockstat_stat *s = bpf_map_lookup_elem(map, key);
	__u32 slot;

	if (!s) {
		struct lockstat_stat empty = {};

		bpf_map_update_elem(map, key, &empty, BPF_NOEXIST);
		s = bpf_map_lookup_elem(map, key);
		if (!s)
			return;
	}
	s->count++;
	s->total_ns += delta;
	slot = log2_slot(delta / 1000);
	if (slot < LOCKSTAT_SLOTS)
		s->slots[slot]++;
}

/* Ends the wait if it is for this lock; false for a nested lock's end. */
static __always_inline bool end(struct wait *w, void *lock)
{
	struct lockstat_lock_key lk = {};
	struct lockstat_stack_key sk = {};
	__u64 delta;

	if (!w->start_ns || w->lock != (__u64)lock)
		return false;
	delta = bpf_ktime_get_ns() - w->start_ns;
	w->start_ns = 0;
	lk.addr = w->lock;
	lk.flags = w->flags;
	add(&by_lock, &lk, delta);
	if (collect_stacks) {
		sk.stack_id = w->stack_id;
		sk.flags = w->flags;
		add(&by_stack, &sk, delta);
	}
	return true;
}

static __always_inline bool wanted(void)
{
	return !filter_tgid || (bpf_get_current_pid_tgid() >> 32) == targ_tgid;
}

SEC("tp_btf/contention_begin")
int BPF_PROG(begin_btf, void *lock, unsigned int flags)
{
	struct wait *w;

	if (!wanted())
		return 0;
	w = bpf_task_storage_get(&task_wait, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (w)
		begin(w, ctx, lock, flags);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(end_btf, void *lock, int ret)
{
	struct wait *w;

	if (!wanted())
		return 0;
	w = bpf_task_storage_get(&task_wait, bpf_get_current_task_btf(), 0, 0);
	if (w)
		end(w, lock);
	return 0;
}

SEC("raw_tp/contention_begin")
int BPF_PROG(begin_raw, void *lock, unsigned int flags)
{
	__u32 tid = bpf_get_current_pid_tgid();
	struct wait *w, fresh = {};

	if (!wanted())
		return 0;
	w = bpf_map_lookup_elem(&tid_wait, &tid);
	if (!w) {
		bpf_map_update_elem(&tid_wait, &tid, &fresh, BPF_NOEXIST);
		w = bpf_map_lookup_elem(&tid_wait, &tid);
		if (!w)
			return 0;
	}
	begin(w, ctx, lock, flags);
	return 0;
}

SEC("raw_tp/contention_end")
int BPF_PROG(end_raw, void *lock, int ret)
{
	__u32 tid = bpf_get_current_pid_tgid();
	struct wait *w;

	if (!wanted())
		return 0;
	w = bpf_map_lookup_elem(&tid_wait, &tid);
	if (!w)
		return 0;
	if (end(w, lock))
		bpf_map_delete_elem(&tid_wait, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
