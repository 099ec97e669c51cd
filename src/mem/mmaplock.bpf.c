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
 * Several CPUs update an mm's record at once without a lock (a reader drops the lock while
 * another reader, or a writer downgrading, takes it), so each holder is one 64-bit task id
 * read and written as a word, and its name comes from comms, which only the task itself
 * writes. Waits go to per-CPU histograms per process; waits over a threshold also to a
 * ring buffer. */
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
	struct mmaplock_owner holder;
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

/* process names by tgid; not preallocated, so an element being replaced is freed after
 * an RCU grace period and a copy never mixes two names */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct mmaplock_comm);
} comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

DEFINE_LOST_COUNTER

static struct wait zero_wait;

/* Copies a holder that another CPU may be changing: each word is read once, so the task
 * and the time are each whole (the pair may come from two updates, which only skews the
 * time). False when it was not held. */
static __always_inline bool copy_owner(struct mmaplock_owner *dst, const struct mmaplock_owner *src)
{
	__u64 since = *(volatile const __u64 *)&src->since_ns;
	__u64 id = *(volatile const __u64 *)&src->pid_tgid;

	if (!since || !id)
		return false;
	dst->since_ns = since;
	dst->pid_tgid = id;
	return true;
}

/* Records the current task's name under its tgid, where holders' names are read from;
 * written only when missing or changed (an exec). */
static __always_inline void name_current(__u32 tgid)
{
	struct mmaplock_comm name = {}, *old;
	const __u64 *now = (const __u64 *)name.comm, *was;

	bpf_get_current_comm(name.comm, sizeof(name.comm));
	old = bpf_map_lookup_elem(&comms, &tgid);
	was = old ? (const __u64 *)old->comm : NULL;
	if (was && was[0] == now[0] && was[1] == now[1])
		return;
	bpf_map_update_elem(&comms, &tgid, &name, BPF_ANY);
}

static __always_inline void begin_wait(struct wait *w, struct mm_struct *mm, bool write)
{
	struct mmaplock_holders *h;
	__u64 key = (__u64)mm;

	w->start_ns = bpf_ktime_get_ns();
	w->mm = key;
	w->write = write;
	w->holder.pid_tgid = 0;
	h = bpf_map_lookup_elem(&holders, &key);
	if (!h)
		return;
	if (copy_owner(&w->holder, &h->writer))
		w->holder_write = 1;
	else if (copy_owner(&w->holder, &h->reader))
		w->holder_write = 0;
}

static __always_inline void add_stat(__u32 tgid, __u64 delta)
{
	struct mmaplock_stat *s = bpf_map_lookup_elem(&stats, &tgid);
	__u32 slot;

	if (!s) {
		struct mmaplock_stat empty = {};

		name_current(tgid);
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
	__u64 delta = now - w->start_ns, last_held;
	struct mmaplock_owner last;

	*held = w->holder.pid_tgid ? now - w->holder.since_ns : 0;
	if (!h || !copy_owner(&last, &h->last) || last.since_ns < w->start_ns ||
	    (__u32)last.pid_tgid == (__u32)pid_tgid)
		return;
	last_held = h->last_held_ns;
	if (w->holder.pid_tgid && last_held * 2 < delta)
		return;
	w->holder = last;
	w->holder_write = h->last_write;
	*held = last_held;
}

static __always_inline void end_wait(struct wait *w, __u64 now, __u64 pid_tgid)
{
	__u64 delta = now - w->start_ns, held;
	__u32 tgid = pid_tgid >> 32;
	struct mmaplock_event *e;
	struct mmaplock_comm *name;
	__u32 holder_tgid;

	add_stat(tgid, delta);
	/* a holder of our own thread is a re-entry artefact, not a culprit */
	if ((__u32)w->holder.pid_tgid == (__u32)pid_tgid)
		w->holder.pid_tgid = 0;
	blame_holder(w, now, pid_tgid, &held);
	holder_tgid = w->holder.pid_tgid >> 32;
	add_blame(tgid, holder_tgid, delta);
	if (delta < threshold_ns)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->wait_ns = delta;
	e->held_ns = holder_tgid ? held : 0;
	e->tgid = tgid;
	e->tid = pid_tgid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->write = w->write;
	e->holder_write = w->holder_write;
	e->holder.tgid = holder_tgid;
	e->holder.tid = w->holder.pid_tgid;
	e->holder.since_ns = w->holder.since_ns;
	name = holder_tgid ? bpf_map_lookup_elem(&comms, &holder_tgid) : NULL;
	if (name)
		__builtin_memcpy(e->holder.comm, name->comm, sizeof(e->holder.comm));
	else
		__builtin_memset(e->holder.comm, 0, sizeof(e->holder.comm));
	bpf_ringbuf_submit(e, 0);
}

/* Records the current task as a holder of mm's lock. */
static __always_inline void took_lock(struct mm_struct *mm, bool write, __u64 now, __u64 pid_tgid)
{
	__u64 key = (__u64)mm;
	struct mmaplock_holders *h = bpf_map_lookup_elem(&holders, &key);
	struct mmaplock_owner *t;

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
	if (!write && t->since_ns && t->pid_tgid != pid_tgid)
		return;
	if (t->pid_tgid != pid_tgid) { /* a new holder: its name, then the task, then the time */
		name_current(pid_tgid >> 32);
		t->pid_tgid = pid_tgid;
	}
	t->since_ns = now;
}

static __always_inline void released(struct mm_struct *mm, bool write, __u64 pid_tgid)
{
	__u64 key = (__u64)mm, now = bpf_ktime_get_ns();
	struct mmaplock_holders *h = bpf_map_lookup_elem(&holders, &key);
	struct mmaplock_owner *slot;
	__u64 since;

	if (!h)
		return;
	slot = write ? &h->writer : &h->reader;
	since = slot->since_ns;
	if (slot->pid_tgid == pid_tgid && since) {
		h->last_held_ns = now - since;
		/* since_ns = 0 marks "not held"; the task stays for the next time */
		slot->since_ns = 0;
	} else { /* a reader other than the one recorded */
		name_current(pid_tgid >> 32);
		h->last_held_ns = 0;
	}
	h->last.pid_tgid = pid_tgid;
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
