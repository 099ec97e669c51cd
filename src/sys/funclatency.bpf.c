// SPDX-License-Identifier: GPL-2.0
/* funclatency and funcslower, kernel side: the time from a function's entry to its return,
 * by a uprobe/uretprobe pair on a user function (or kprobe/kretprobe on a kernel function
 * where the kernel has kprobes). funclatency adds it to a per-CPU log2 histogram;
 * funcslower sends calls over a threshold to a ring buffer. Entry times live in a hash by
 * thread id (uprobes are kprobe-type programs: no task-storage helpers on older kernels),
 * written in place and zeroed on return rather than inserted and deleted per call: a hash
 * update or delete costs more than the rest of the program. A recursive call overwrites
 * its caller's entry time, as in bcc. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf/common.h"
#include "bpf/ringbuf.h"
#include "sys/funclatency.h"

const volatile bool filter_tgid = false;
const volatile __u32 targ_tgid = 0;
const volatile __u32 unit_ns = 1000;    /* histogram unit: 1, 1000 or 1000000 ns */
const volatile bool slow_events = false; /* funcslower */
const volatile __u64 slow_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct funclatency_hist);
} hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

DEFINE_LOST_COUNTER

SEC("uprobe")
int BPF_KPROBE(func_entry)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), now, *start;
	__u32 tid = pid_tgid;

	if (filter_tgid && (pid_tgid >> 32) != targ_tgid)
		return 0;
	now = bpf_ktime_get_ns();
	start = bpf_map_lookup_elem(&starts, &tid);
	if (start)
		*start = now;
	else
		bpf_map_update_elem(&starts, &tid, &now, BPF_ANY);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(func_return, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), *start, delta;
	__u32 tid = pid_tgid, zero = 0, slot;
	struct funclatency_hist *h;
	struct funcslower_event *e;

	start = bpf_map_lookup_elem(&starts, &tid);
	if (!start || !*start)
		return 0;
	delta = bpf_ktime_get_ns() - *start;
	*start = 0;
	if (slow_events) {
		if (delta < slow_ns)
			return 0;
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			count_lost();
			return 0;
		}
		e->ts_ns = bpf_ktime_get_ns();
		e->latency_ns = delta;
		e->retval = ret;
		e->tgid = pid_tgid >> 32;
		e->tid = tid;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		ringbuf_submit_batched(&events, e);
		return 0;
	}
	h = bpf_map_lookup_elem(&hist, &zero);
	if (!h)
		return 0;
	slot = log2_slot(delta / unit_ns);
	if (slot < FUNCLATENCY_SLOTS)
		h->slots[slot]++;
	h->total_ns += delta;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
