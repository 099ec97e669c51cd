// SPDX-License-Identifier: GPL-2.0
/* runqlen, kernel side: on a cpu-clock perf event per CPU, the number of runnable tasks on
 * that CPU's run queue (the running one included: 0 is an idle CPU), as a linear
 * histogram per CPU.
 *
 * bcc's runqlen reads cfs_rq->nr_running, which kernel 6.14 renamed ("sched/fair: Rename
 * cfs_rq.nr_running into nr_queued"), so it fails to load here. rq->nr_running counts
 * every scheduling class and was never renamed; the rq is reached from the current task's
 * se.cfs_rq: through cfs_rq->rq with CONFIG_FAIR_GROUP_SCHED, else the cfs_rq is rq->cfs
 * itself. No per-CPU ksym is needed. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "cpu/runqlen.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct runqlen_hist);
} hist SEC(".maps");

static __always_inline struct rq *rq_of(struct cfs_rq *cfs_rq)
{
	if (bpf_core_field_exists(cfs_rq->rq))
		return BPF_CORE_READ(cfs_rq, rq);
	return (struct rq *)((char *)cfs_rq - bpf_core_field_offset(struct rq, cfs));
}

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct cfs_rq *cfs_rq = BPF_CORE_READ(task, se.cfs_rq);
	struct runqlen_hist *h;
	__u32 zero = 0, len;

	if (!cfs_rq)
		return 0;
	len = BPF_CORE_READ(rq_of(cfs_rq), nr_running);
	h = bpf_map_lookup_elem(&hist, &zero);
	if (h)
		h->slots[len < RUNQLEN_SLOTS ? len : RUNQLEN_SLOTS - 1]++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
