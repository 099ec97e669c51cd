// SPDX-License-Identifier: GPL-2.0
/* profile, kernel side: on a cpu-clock perf event per CPU, count the (process, user stack,
 * kernel stack) sampled. Stacks go to a stack-trace map (deduplicated by the kernel; those
 * that collide there, to its fallback map); the counts to a per-CPU hash, so two CPUs
 * never write the same counter. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf/common.h"
#include "bpf/stackmap.h"
#include "cpu/profile.h"

#define EFAULT 14

const volatile bool filter_tgid = false; /* -p */
const volatile __u32 targ_tgid = 0;
const volatile bool filter_tid = false; /* -L */
const volatile __u32 targ_tid = 0;
const volatile bool user_only = false;    /* -U */
const volatile bool kernel_only = false;  /* -K */
const volatile bool include_idle = false; /* -I */

DEFINE_STACK_MAPS(stacks, 16384);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct stack_key);
	__type(value, __u64);
} counts SEC(".maps");

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct stack_key key = {};

	if (tid == 0 && !include_idle) /* the idle task */
		return 0;
	if (filter_tgid && tgid != targ_tgid)
		return 0;
	if (filter_tid && tid != targ_tid)
		return 0;
	key.pid = tgid;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	/* -EFAULT is what the kernel answers when there is no such stack; user space shows
	 * it as an empty part, other errors as a missed stack */
	key.user_stack_id = kernel_only ? -EFAULT : STACK_ID_GET(ctx, stacks, BPF_F_USER_STACK);
	key.kernel_stack_id = user_only ? -EFAULT : STACK_ID_GET(ctx, stacks, 0);
	percpu_add_u64(&counts, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
