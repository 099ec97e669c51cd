// SPDX-License-Identifier: GPL-2.0
/* lockstat, kernel side: kernel lock contention from lock:contention_begin/contention_end
 * (5.19+, "locking: Add lock contention tracepoints", 16edd9b51173), as perf lock contention
 * measures it: the wait from begin to end, per lock address and type, and per waiter
 * kernel stack.
 *
 * Where a wait is kept, as in perf's lock_contention.bpf.c: a spinning wait (spinlock,
 * rwlock) runs with preemption off, begins and ends on one CPU, and is kept per CPU; a
 * wait that may sleep (mutex, rwsem, ...) is kept per task. A begin while a wait of its
 * kind is under way is nested and ignored, and only the first wait's end closes it: a
 * mutex spins and then sleeps on the same lock; an interrupt spins on a lock while this
 * CPU spins on another. Kept apart, the rwsem slow path's wait_lock is a wait of its own.
 *
 * An end can be lost: the kernel skips a program that is already running on the CPU, so an
 * interrupt's spin that ends while our end program runs there is not closed (counted in
 * the programs' recursion_misses, which user space reports). Only spinning waits can be
 * lost so (a sleeping wait ends in task context, which never interrupts a program), and a
 * spin open for SPIN_STALE_NS gives way to the next begin. */
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

/* an open wait this old is taken for one whose end was lost (see above); a spinlock held
 * this long would have the soft-lockup watchdog speak */
#define SPIN_STALE_NS (1000ull * 1000000)
#define SLEEP_STALE_NS (60ull * 1000000000)

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

/* the spinning wait under way on each CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wait);
} cpu_wait SEC(".maps");

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

/* A spinning wait: spinlock or rwlock, not a mutex's optimistic spin (it may sleep next). */
static __always_inline bool spinning(__u32 flags)
{
	return (flags & (LOCKSTAT_F_SPIN | LOCKSTAT_F_MUTEX)) == LOCKSTAT_F_SPIN;
}

static __always_inline struct wait *cpu_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_wait, &zero);
}

static __always_inline void begin(struct wait *w, void *ctx, void *lock, __u32 flags)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 now = bpf_ktime_get_ns();
	struct mm_struct *mm;

	/* a wait under way is kept (see the top of the file) unless it went stale */
	if (w->start_ns && now - w->start_ns < (spinning(flags) ? SPIN_STALE_NS : SLEEP_STALE_NS))
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
	if (spinning(flags))
		w = cpu_slot();
	else
		w = bpf_task_storage_get(&task_wait, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (w)
		begin(w, ctx, lock, flags);
	return 0;
}

/* contention_end has no flags: the CPU's spinning wait if it is for this lock, else the
 * task's (a lock is never both spun on and slept on) */
SEC("tp_btf/contention_end")
int BPF_PROG(end_btf, void *lock, int ret)
{
	struct wait *w;

	if (!wanted())
		return 0;
	if ((w = cpu_slot()) && end(w, lock))
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
	if (spinning(flags)) {
		if ((w = cpu_slot()))
			begin(w, ctx, lock, flags);
		return 0;
	}
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
	if ((w = cpu_slot()) && end(w, lock))
		return 0;
	w = bpf_map_lookup_elem(&tid_wait, &tid);
	if (!w)
		return 0;
	if (end(w, lock))
		bpf_map_delete_elem(&tid_wait, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
