// SPDX-License-Identifier: GPL-2.0
/* runqslower, kernel side: every wait for a CPU (from sched_wakeup, sched_wakeup_new or a
 * preemption to the sched_switch onto a CPU) longer than a threshold, with the task that
 * was running when the waiter finally got the CPU. Waits shorter than the threshold cost
 * a clock read and a storage lookup; only the slow ones reach the ring buffer.
 *
 * The timing of the wait is shared with runqlat: see bpf/runq.h. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/ringbuf.h"
#include "bpf/sched.h"
#include "cpu/runqslower.h"

const volatile __u64 min_us = 10000;
const volatile bool filter_tgid = false; /* -p */
const volatile __u32 targ_tgid = 0;
const volatile bool filter_tid = false;  /* -t */
const volatile __u32 targ_tid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

DEFINE_LOST_COUNTER

static __always_inline bool runq_wanted(struct task_struct *p)
{
	if (filter_tgid && BPF_CORE_READ(p, tgid) != targ_tgid)
		return false;
	if (filter_tid && BPF_CORE_READ(p, pid) != targ_tid)
		return false;
	return BPF_CORE_READ(p, pid) != 0;
}

static __always_inline void runq_waited(struct task_struct *prev, struct task_struct *next,
				   __u64 delta_ns)
{
	struct runqslower_event *e;

	if (delta_ns / 1000 < min_us)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->ts_ns = bpf_ktime_get_ns(); /* a second clock read, on the slow path only */
	e->delta_us = delta_ns / 1000;
	e->pid = BPF_CORE_READ(next, tgid);
	e->tid = BPF_CORE_READ(next, pid);
	e->prev_pid = BPF_CORE_READ(prev, tgid);
	e->prev_tid = BPF_CORE_READ(prev, pid);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), next->comm);
	bpf_probe_read_kernel_str(e->prev_comm, sizeof(e->prev_comm), prev->comm);
	ringbuf_submit_batched(&events, e);
}

#include "bpf/runq.h"

char LICENSE[] SEC("license") = "GPL";
