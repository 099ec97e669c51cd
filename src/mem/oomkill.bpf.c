// SPDX-License-Identifier: GPL-2.0
/* oomkill, kernel side: each OOM kill (oom:mark_victim) with the victim, the task that ran
 * the OOM killer, and the victim's memory as the kernel counts it (the same approximate
 * per-mm counters the kernel's own OOM report prints); and each hung task
 * (sched:sched_process_hang, fired by khungtaskd). Rare events: a ring buffer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "mem/oomkill.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

DEFINE_LOST_COUNTER

/* Before 6.2 the rss counters were atomics in struct mm_rss_stat ("mm: convert mm's rss
 * stats into percpu_counter", f1a7941243c1, removed that struct). */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

enum { FILEPAGES = 0, ANONPAGES = 1, SWAPENTS = 2, SHMEMPAGES = 3 };

static __always_inline __u64 rss(struct mm_struct *mm, int i)
{
	long v;

	if (!bpf_core_type_exists(struct mm_rss_stat___old))
		v = BPF_CORE_READ(mm, rss_stat[i & 3].count);
	else
		v = BPF_CORE_READ((struct mm_struct___old *)mm, rss_stat.count[i & 3].counter);
	return v > 0 ? v : 0;
}

static __always_inline void fill_victim(struct oomkill_event *e, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);

	e->victim_tgid = BPF_CORE_READ(t, tgid);
	e->victim_tid = BPF_CORE_READ(t, pid);
	bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm), t->comm);
	e->uid = BPF_CORE_READ(t, cred, uid.val);
	e->oom_score_adj = BPF_CORE_READ(t, signal, oom_score_adj);
	if (!mm)
		return;
	e->total_vm_pages = BPF_CORE_READ(mm, total_vm);
	e->file_pages = rss(mm, FILEPAGES);
	e->anon_pages = rss(mm, ANONPAGES);
	e->swap_entries = rss(mm, SWAPENTS);
	e->shmem_pages = rss(mm, SHMEMPAGES);
	if (bpf_core_field_exists(mm->pgtables_bytes))
		e->pgtables_bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
}

static __always_inline void report(struct task_struct *t, __u32 kind)
{
	struct oomkill_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (!e) {
		count_lost();
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->trigger_tgid = pid_tgid >> 32;
	e->trigger_tid = pid_tgid;
	bpf_get_current_comm(e->trigger_comm, sizeof(e->trigger_comm));
	fill_victim(e, t);
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/mark_victim")
int BPF_PROG(victim_btf, struct task_struct *t)
{
	report(t, OOMKILL_KILL);
	return 0;
}

SEC("raw_tp/mark_victim")
int BPF_PROG(victim_raw, struct task_struct *t)
{
	report(t, OOMKILL_KILL);
	return 0;
}

SEC("tp_btf/sched_process_hang")
int BPF_PROG(hang_btf, struct task_struct *t)
{
	report(t, OOMKILL_HUNG);
	return 0;
}

SEC("raw_tp/sched_process_hang")
int BPF_PROG(hang_raw, struct task_struct *t)
{
	report(t, OOMKILL_HUNG);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
