/* Stack-trace map layout shared by BPF programs and src/lib/stacks.c. Plain C, so that both
 * sides include it: the depth decides the value size of every BPF_MAP_TYPE_STACK_TRACE map
 * (bpf_get_stackid) and the size of bpf_get_stack buffers. */
#ifndef WHYSLOW_BPF_STACKMAP_H
#define WHYSLOW_BPF_STACKMAP_H

/* PERF_MAX_STACK_DEPTH, the kernel's default for kernel.perf_event_max_stack. */
#define STACK_MAX_DEPTH 127

/* The key most stack-counting commands sum under (profile, offcputime, ...): a process,
 * the ids of its user and kernel stacks in a stack-trace map (negative: the error of
 * bpf_get_stackid, -EFAULT meaning there was no such stack), and the thread's name. With
 * a per-CPU hash of u64 values under it, stack_counts_read() in lib/stacks.h reads it. */
struct stack_key {
	__u32 pid;
	__s32 user_stack_id;
	__s32 kernel_stack_id;
	char comm[16];
};

#ifdef __bpf__
/* A stack-trace map named `name` holding up to `entries` distinct stacks. */
#define DEFINE_STACK_MAP(name, entries)                                                    \
	struct {                                                                           \
		__uint(type, BPF_MAP_TYPE_STACK_TRACE);                                    \
		__uint(max_entries, entries);                                              \
		__type(key, __u32);                                                        \
		__uint(value_size, STACK_MAX_DEPTH * sizeof(__u64));                       \
	} name SEC(".maps")
#endif

#endif
