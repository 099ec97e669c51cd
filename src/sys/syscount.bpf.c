// SPDX-License-Identifier: GPL-2.0
/* syscount, kernel side: counts syscalls at raw_syscalls:sys_exit, by syscall number in a
 * per-CPU array (the default: no hashing at all), or by process / syscall / errno in a
 * per-CPU hash. With -L, sys_enter stamps the time (task-local storage with tp_btf, a hash
 * by thread id with raw_tp) and sys_exit adds the latency to a log2 histogram.
 *
 * Cost notes: the default path is one per-CPU array lookup and an increment; filters read
 * only what they need (PID, comm) and only when set. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/comm.h"
#include "sys/syscount.h"

const volatile bool filter_tgid = false;   /* -p */
const volatile __u32 targ_tgid = 0;
const volatile bool filter_comm = false;   /* -c */
const volatile char targ_comm[TASK_COMM_LEN] = {};
const volatile bool failures_only = false; /* -x */
const volatile __s32 targ_errno = 0;       /* -e */
const volatile bool latency = false;       /* -L */
const volatile bool use_array = true;      /* key is the syscall number alone */
const volatile bool key_tgid = false;      /* -P */
const volatile bool key_nr = true;
const volatile bool key_err = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSCOUNT_NR_MAX);
	__type(key, __u32);
	__type(value, struct syscount_stat);
} by_nr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct syscount_key);
	__type(value, struct syscount_stat);
} by_key SEC(".maps");

/* Names by tgid, written when a process's first key is created and kept across
 * intervals (clearing them raced with keys re-created meanwhile, which then had no name);
 * LRU keeps the map bounded on a host that forks a lot. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct syscount_comm);
} comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} task_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} tid_start SEC(".maps");

static __always_inline bool wanted(__u64 pid_tgid)
{
	if (filter_tgid && (pid_tgid >> 32) != targ_tgid)
		return false;
	return !filter_comm || current_comm_is(targ_comm);
}

static __always_inline struct syscount_stat *keyed_stat(__u32 tgid, __s32 nr, __s32 err)
{
	struct syscount_key key = {};
	struct syscount_stat *s;

	key.tgid = key_tgid ? tgid : 0;
	key.nr = key_nr ? nr : -1;
	key.err = key_err ? err : 0;
	s = bpf_map_lookup_elem(&by_key, &key);
	if (s)
		return s;
	if (key_tgid) {
		struct syscount_comm name = {};

		bpf_get_current_comm(name.comm, sizeof(name.comm));
		bpf_map_update_elem(&comms, &key.tgid, &name, BPF_ANY);
	}
	struct syscount_stat empty = {};
	bpf_map_update_elem(&by_key, &key, &empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&by_key, &key);
}

/* The shared exit handler; start is the enter time or 0. */
static __always_inline void count_exit(__s32 nr, long ret, __u64 start)
{
	struct syscount_stat *s;
	__u64 pid_tgid = 0;

	if (failures_only && ret >= 0)
		return;
	if (targ_errno && ret != -targ_errno)
		return;
	if (filter_tgid || filter_comm || key_tgid) {
		pid_tgid = bpf_get_current_pid_tgid();
		if (!wanted(pid_tgid))
			return;
	}
	if (use_array) {
		__u32 idx = nr;
		s = bpf_map_lookup_elem(&by_nr, &idx);
	} else {
		s = keyed_stat(pid_tgid >> 32, nr, ret < 0 ? -ret : 0);
	}
	if (!s)
		return;
	s->count++;
	if (latency && start) {
		__u64 delta = bpf_ktime_get_ns() - start;
		__u32 slot = log2_slot(delta / 1000);

		s->total_ns += delta;
		if (slot < SYSCOUNT_SLOTS)
			s->slots[slot]++;
	}
}

/* --- tp_btf: task-local storage for start times --- */

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	__u64 *ts;

	if (!wanted(bpf_get_current_pid_tgid()))
		return 0;
	ts = bpf_task_storage_get(&task_start, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	__u64 start = 0, *ts;

	if (latency) {
		ts = bpf_task_storage_get(&task_start, bpf_get_current_task_btf(), 0, 0);
		if (!ts || !*ts)
			return 0; /* the call began before tracing did */
		start = *ts;
		*ts = 0;
	}
	count_exit(regs->orig_ax, ret, start);
	return 0;
}

/* --- raw_tp: start times in a hash by thread id --- */

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), now;
	__u32 tid = pid_tgid;

	if (!wanted(pid_tgid))
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&tid_start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	__u64 start = 0, *ts;
	__u32 tid;

	if (latency) {
		tid = bpf_get_current_pid_tgid();
		ts = bpf_map_lookup_elem(&tid_start, &tid);
		if (!ts)
			return 0;
		start = *ts;
		bpf_map_delete_elem(&tid_start, &tid);
	}
	count_exit(BPF_CORE_READ(regs, orig_ax), ret, start);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
