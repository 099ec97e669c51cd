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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct runqlat_hist);
} total_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct runqlat_hist);
} keyed_hist SEC(".maps");

/* Names of the keys of keyed_hist, written once when a key first appears. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct runqlat_comm);
} comms SEC(".maps");

static __always_inline bool runq_wanted(struct task_struct *p)
{
	return !filter_tgid || BPF_CORE_READ(p, tgid) == targ_tgid;
}

static __always_inline void runq_waited(struct task_struct *prev, struct task_struct *p,
					__u64 delta)
{
	struct runqlat_hist *hist;
	__u32 zero = 0, slot;

	delta = targ_ms ? delta / 1000000 : delta / 1000;
	slot = log2_slot(delta);
	if (targ_per_process || targ_per_thread) {
		__u32 id = targ_per_thread ? BPF_CORE_READ(p, pid) : BPF_CORE_READ(p, tgid);
		hist = bpf_map_lookup_elem(&keyed_hist, &id);
		if (!hist) {
			struct runqlat_hist empty = {};
			struct runqlat_comm name = {};
			bpf_probe_read_kernel_str(name.comm, sizeof(name.comm),
						  targ_per_thread ? p->comm : BPF_CORE_READ(p, group_leader, comm));
			bpf_map_update_elem(&comms, &id, &name, BPF_ANY);
			bpf_map_update_elem(&keyed_hist, &id, &empty, BPF_NOEXIST);
			hist = bpf_map_lookup_elem(&keyed_hist, &id);
			if (!hist)
				return;
		}
	} else {
		hist = bpf_map_lookup_elem(&total_hist, &zero);
		if (!hist)
			return;
	}
	if (slot < RUNQLAT_SLOTS)
		hist->slots[slot]++;
}

#include "bpf/runq.h"

char LICENSE[] SEC("license") = "GPL";
