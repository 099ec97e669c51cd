/* Log2 histograms of a per-task time, total or per process (-P) or thread (-L), shared by
 * runqlat (run-queue wait) and cpudist (on/off-CPU time). A key's name is written once,
 * when the key first appears, so events pay for no comm copy; task_rename (every exec and
 * prctl(PR_SET_NAME)) rewrites it, so that a process started during the trace is named by
 * its program, not by the shell it was forked from.
 *
 * Before including, define TASK_HIST_T and TASK_COMM_T (the command's layouts in its
 * NAME.h: { __u64 slots[N]; } and { char comm[16]; }) and declare the rodata
 * targ_per_process, targ_per_thread and targ_ms. Defines the maps total_hist, keyed_hist
 * and comms, read in user space with histmap_read_total/_keyed and histmap_label_task,
 * and the programs task_hist_rename_btf and task_hist_rename_raw (user space loads one
 * with -P or -L, neither otherwise). */
#ifndef WHYSLOW_BPF_TASKHIST_H
#define WHYSLOW_BPF_TASKHIST_H

#include "bpf/rename.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, TASK_HIST_T);
} total_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, TASK_HIST_T);
} keyed_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, TASK_COMM_T);
} comms SEC(".maps");

static __always_inline void task_hist_record(struct task_struct *p, __u64 delta_ns)
{
	__u64 v = targ_ms ? delta_ns / 1000000 : delta_ns / 1000;
	__u32 zero = 0, slot = log2_slot(v);
	TASK_HIST_T *hist;

	if (targ_per_process || targ_per_thread) {
		__u32 id = targ_per_thread ? BPF_CORE_READ(p, pid) : BPF_CORE_READ(p, tgid);
		hist = bpf_map_lookup_elem(&keyed_hist, &id);
		if (!hist) {
			TASK_HIST_T empty = {};
			TASK_COMM_T name = {};
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
	if (slot < sizeof(hist->slots) / sizeof(hist->slots[0]))
		hist->slots[slot]++;
}

/* A task takes a new name: where its key already has one, the new name replaces it in
 * place (a process by its leader's name only, as the key was named). */
static __always_inline void task_hist_renamed(__u32 pid, __u32 tgid, const char *comm)
{
	TASK_COMM_T *name;

	if (!targ_per_thread && pid != tgid)
		return;
	name = bpf_map_lookup_elem(&comms, targ_per_thread ? &pid : &tgid);
	if (name)
		bpf_probe_read_kernel_str(name->comm, sizeof(name->comm), comm);
}

TASK_RENAME_PROGS(task_hist_rename_btf, task_hist_rename_raw, task_hist_renamed)

#endif
