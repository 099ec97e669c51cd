// SPDX-License-Identifier: GPL-2.0
/* mmaplock, kernel side: mmap-lock waits from the mmap_lock tracepoints (5.19+,
 * "mm: mmap_lock: add tracepoints around lock acquisition", 2b5067a8143e):
 * start_locking -> acquire_returned is the wait; acquire_returned (success) and released
 * tell who holds each mm's lock. Each wait is blamed on the holder seen when it began:
 * the writer if any, else the reader that has held it longest (readers share it, so with
 * many readers this names one of them). Walks under per-VMA locks (6.4+; /proc/PID/smaps
 * uses them from 6.17) do not pass through these tracepoints.
 *
 * Holders live in an LRU hash by mm pointer (processes come and go; old mms fall out).
 * Waits go to per-CPU histograms per process; waits over a threshold also to a ring buffer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "mem/mmaplock.h"

const volatile bool filter_tgid = false;
const volatile __u32 targ_tgid = 0;
const volatile __u64 threshold_ns = 10000000;

/* A wait in progress, per thread. */
struct wait {
	__u64 start_ns;
	__u64 mm;
	__u8 write;
	__u8 holder_write;
	struct mmaplock_task holder;
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
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct mmaplock_holders);
} holders SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct mmaplock_stat);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct mmaplock_blame_key);
	__type(value, struct mmaplock_blame);
} blame SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct mmaplock_comm);
} comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

DEFINE_LOST_COUNTER

static struct wait zero_wait;

static __always_inline void begin_wait(struct wait *w, struct mm_struct *mm, bool write)
{
	struct mmaplock_holders *h;
	__u64 key = (__u64)mm;

	w->start_ns = bpf_ktime_get_ns();
	w->mm = key;
	w->write = write;
	w->holder.tgid = 0;
	h = bpf_map_lookup_elem(&holders, &key);
	if (!h)
		return;
	if (h->writer.since_ns) {
		w->holder = h->writer;
		w->holder_write = 1;
	} else if (h->reader.since_ns) {
		w->holder = h->reader;
		w->holder_write = 0;
	}
}

static __always_inline void add_stat(__u32 tgid, __u64 delta)
{
	struct mmaplock_stat *s = bpf_map_lookup_elem(&stats, &tgid);
	__u32 slot;

	if (!s) {
		struct mmaplock_stat empty = {};
		struct mmaplock_comm name = {};

		bpf_get_current_comm(name.comm, sizeof(name.comm));
		bpf_map_update_elem(&comms, &tgid, &name, BPF_ANY);
		bpf_map_update_elem(&stats, &tgid, &empty, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&stats, &tgid);
		if (!s)
			return;
	}
	s->count++;
	s->total_ns += delta;
	slot = log2_slot(delta / 1000);
	if (slot < MMAPLOCK_SLOTS)
		s->slots[slot]++;
}

static __always_inline void add_blame(__u32 tgid, __u32 holder, __u64 delta)
{
	struct mmaplock_blame_key key = {tgid, holder};
	struct mmaplock_blame *b = bpf_map_lookup_elem(&blame, &key);

	if (!b) {
		struct mmaplock_blame empty = {};

		bpf_map_update_elem(&blame, &key, &empty, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&blame, &key);
		if (!b)
			return;
	}
	b->count++;
	b->total_ns += delta;
}

/* Blames the wait. The holder seen when the wait began may have let go early and another
 * reader slipped in (rwsem readers can take a lock a writer waits for); the task whose
 * release let us in saw the whole end of the wait. It is blamed when it released during
 * our wait and had held the lock for at least half of it, or when no holder was seen. */
static __always_inline void blame_holder(struct wait *w, __u64 now, __u64 pid_tgid, __u64 *held)
{
	struct mmaplock_holders *h = bpf_map_lookup_elem(&holders, &w->mm);
	__u64 delta = now - w->start_ns;

	*held = w->holder.tgid ? now - w->holder.since_ns : 0;
	if (!h || h->last.since_ns < w->start_ns || h->last.tid == (__u32)pid_tgid)
		return;
	if (w->holder.tgid && h->last_held_ns * 2 < delta)
		return;
	w->holder = h->last;
	w->holder_write = h->last_write;
	*held = h->last_held_ns;
}

static __always_inline void end_wait(struct wait *w, __u64 now, __u64 pid_tgid)
{
	__u64 delta = now - w->start_ns, held;
	__u32 tgid = pid_tgid >> 32;
	struct mmaplock_event *e;

	add_stat(tgid, delta);
	/* a holder of our own thread is a re-entry artefact, not a culprit */
	if (w->holder.tid == (__u32)pid_tgid)
		w->holder.tgid = 0;
	blame_holder(w, now, pid_tgid, &held);
	add_blame(tgid, w->holder.tgid, delta);
	if (w->holder.tgid) /* name the holder even if it never waits itself */
		bpf_map_update_elem(&comms, &w->holder.tgid, w->holder.comm, BPF_NOEXIST);
	if (delta < threshold_ns)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->wait_ns = delta;
	e->held_ns = w->holder.tgid ? held : 0;
	e->tgid = tgid;
	e->tid = pid_tgid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->write = w->write;
	e->holder_write = w->holder_write;
	e->holder = w->holder;
	bpf_ringbuf_submit(e, 0);
}

/* Records the current task as a holder of mm's lock. */
static __always_inline void took_lock(struct mm_struct *mm, bool write, __u64 now, __u64 pid_tgid)
{
	__u64 key = (__u64)mm;
	struct mmaplock_holders *h = bpf_map_lookup_elem(&holders, &key);
	struct mmaplock_task *t;

	if (!h) {
		struct mmaplock_holders empty = {};

		bpf_map_update_elem(&holders, &key, &empty, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&holders, &key);
		if (!h)
			return;
	}
	t = write ? &h->writer : &h->reader;
	/* readers share the lock: keep the one that has held it longest (the likely culprit),
	 * or a short reader's release would hide a long one still reading */
	if (!write && t->since_ns && t->tid != (__u32)pid_tgid)
		return;
	t->since_ns = now;
	if (t->tid == (__u32)pid_tgid && t->tgid == pid_tgid >> 32)
		return; /* the same task again: its name is already there (after an exec, the
			 * old name stays until another task takes the lock) */
	t->tgid = pid_tgid >> 32;
	t->tid = pid_tgid;
	bpf_get_current_comm(t->comm, sizeof(t->comm));
}

static __always_inline void released(struct mm_struct *mm, bool write, __u64 pid_tgid)
{
	__u64 key = (__u64)mm, now = bpf_ktime_get_ns();
	struct mmaplock_holders *h = bpf_map_lookup_elem(&holders, &key);
	struct mmaplock_task *slot;

	if (!h)
		return;
	slot = write ? &h->writer : &h->reader;
	if (slot->tid == (__u32)pid_tgid && slot->since_ns) {
		h->last = *slot;
		h->last_held_ns = now - slot->since_ns;
		/* since_ns = 0 marks "not held"; the name stays for the next time */
		slot->since_ns = 0;
	} else {
		h->last.tgid = pid_tgid >> 32;
		h->last.tid = pid_tgid;
		bpf_get_current_comm(h->last.comm, sizeof(h->last.comm));
		h->last_held_ns = 0;
	}
	h->last.since_ns = now;
	h->last_write = write;
}

static __always_inline bool waiter_wanted(__u64 pid_tgid)
{
	return !filter_tgid || (pid_tgid >> 32) == targ_tgid;
}

/* --- tp_btf: waits in task-local storage --- */

SEC("tp_btf/mmap_lock_start_locking")
int BPF_PROG(start_btf, struct mm_struct *mm, bool write)
{
	struct wait *w;

	if (!waiter_wanted(bpf_get_current_pid_tgid()))
		return 0;
	w = bpf_task_storage_get(&task_wait, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (w)
		begin_wait(w, mm, write);
	return 0;
}

SEC("tp_btf/mmap_lock_acquire_returned")
int BPF_PROG(acquired_btf, struct mm_struct *mm, bool write, bool success)
{
	__u64 now = bpf_ktime_get_ns(), pid_tgid = bpf_get_current_pid_tgid();
	struct wait *w;

	if (success)
		took_lock(mm, write, now, pid_tgid);
	if (!waiter_wanted(pid_tgid))
		return 0;
	w = bpf_task_storage_get(&task_wait, bpf_get_current_task_btf(), 0, 0);
	if (!w || !w->start_ns || w->mm != (__u64)mm)
		return 0;
	end_wait(w, now, pid_tgid);
	w->start_ns = 0;
	return 0;
}

SEC("tp_btf/mmap_lock_released")
int BPF_PROG(released_btf, struct mm_struct *mm, bool write)
{
	released(mm, write, bpf_get_current_pid_tgid());
	return 0;
}

/* --- raw_tp: waits in a hash by thread id --- */

SEC("raw_tp/mmap_lock_start_locking")
int BPF_PROG(start_raw, struct mm_struct *mm, bool write)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = pid_tgid;
	struct wait *w;

	if (!waiter_wanted(pid_tgid))
		return 0;
	bpf_map_update_elem(&tid_wait, &tid, &zero_wait, BPF_ANY);
	w = bpf_map_lookup_elem(&tid_wait, &tid);
	if (w)
		begin_wait(w, mm, write);
	return 0;
}

SEC("raw_tp/mmap_lock_acquire_returned")
int BPF_PROG(acquired_raw, struct mm_struct *mm, bool write, bool success)
{
	__u64 now = bpf_ktime_get_ns(), pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = pid_tgid;
	struct wait *w;

	if (success)
		took_lock(mm, write, now, pid_tgid);
	if (!waiter_wanted(pid_tgid))
		return 0;
	w = bpf_map_lookup_elem(&tid_wait, &tid);
	if (!w)
		return 0;
	if (w->mm == (__u64)mm)
		end_wait(w, now, pid_tgid);
	bpf_map_delete_elem(&tid_wait, &tid);
	return 0;
}

SEC("raw_tp/mmap_lock_released")
int BPF_PROG(released_raw, struct mm_struct *mm, bool write)
{
	released(mm, write, bpf_get_current_pid_tgid());
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
