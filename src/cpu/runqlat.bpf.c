// SPDX-License-Identifier: GPL-2.0
/* runqlat, kernel side: time from a task becoming runnable (wakeup, new task, or being
 * preempted while runnable) to it running, as log2 histograms in per-CPU maps.
 *
 * Cost notes: with tp_btf the wakeup time lives in task-local storage, found through the
 * task pointer with no hashing and never deleted; a switch reads the clock once for both
 * the task leaving (if preempted) and the task arriving. The raw_tp fallback, for kernels
 * that refuse tp_btf, keeps times in a hash by thread id, as bcc does. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/sched.h"
#include "cpu/runqlat.h"

const volatile bool targ_per_process = false; /* -P */
const volatile bool targ_per_thread = false;  /* -L */
const volatile bool targ_ms = false;          /* -m */
const volatile bool filter_tgid = false;      /* -p */
const volatile __u32 targ_tgid = 0;

#define TASK_HIST_T struct runqlat_hist
#define TASK_COMM_T struct runqlat_comm
#include "bpf/taskhist.h"

/* Names of the keys of keyed_hist, written once when a key first appears. */
static __always_inline bool runq_wanted(struct task_struct *p)
{
	return !filter_tgid || BPF_CORE_READ(p, tgid) == targ_tgid;
}

static __always_inline void runq_waited(struct task_struct *prev, struct task_struct *next,
					__u64 delta_ns)
{
	task_hist_record(next, delta_ns);
}

#include "bpf/runq.h"

char LICENSE[] SEC("license") = "GPL";
