/* task_rename programs: every exec and prctl(PR_SET_NAME) renames a task through
 * __set_task_comm, which fires task:task_rename with the new name before it is copied.
 * Commands that name a key once, when it first appears, rewrite the name here, so that a
 * process started during the trace is shown by its program and not by the shell it was
 * forked from, and a thread by the name it gave itself.
 *
 * TASK_RENAME_PROGS(btf_name, raw_name, fn) defines a tp_btf and a raw_tp program that call
 *   static __always_inline void fn(__u32 tid, __u32 tgid, const char *comm);
 * (comm is a kernel pointer: read it with bpf_probe_read_kernel_str). User space loads one
 * of them, and neither on a kernel without the tracepoint. Include after vmlinux.h,
 * bpf_helpers.h, bpf_tracing.h and bpf_core_read.h. */
#ifndef WHYSLOW_BPF_RENAME_H
#define WHYSLOW_BPF_RENAME_H

#define TASK_RENAME_PROGS(btf_name, raw_name, fn)                                          \
	SEC("tp_btf/task_rename")                                                          \
	int BPF_PROG(btf_name, struct task_struct *task, const char *comm)                 \
	{                                                                                  \
		fn(task->pid, task->tgid, comm);                                           \
		return 0;                                                                  \
	}                                                                                  \
	SEC("raw_tp/task_rename")                                                          \
	int BPF_PROG(raw_name, struct task_struct *task, const char *comm)                 \
	{                                                                                  \
		fn(BPF_CORE_READ(task, pid), BPF_CORE_READ(task, tgid), comm);             \
		return 0;                                                                  \
	}

#endif
