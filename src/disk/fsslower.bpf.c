// SPDX-License-Identifier: GPL-2.0
/* fsslower, kernel side: read, write, open and fsync calls slower than a threshold, with
 * process, file system, file name, offset and size, sent through a ring buffer. Calls are
 * timed from syscall entry to exit (bpf/fsfile.h); the name is resolved only for slow
 * calls, so fast ones cost the entry/exit bookkeeping alone. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "disk/fsslower.h"
#include "bpf/fsfile.h"
#include "bpf/ringbuf.h"

const volatile __u64 min_ns = 10000000; /* -m, in ns */

DEFINE_FS_CALLS(16384)
DEFINE_LOST_COUNTER

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

static __always_inline void fs_call_done(struct fs_call *call, long ret, __u64 now)
{
	__u64 delta = now - call->start_ns;
	struct fsslower_event *e;
	struct file *file = (struct file *)call->file;

	if (delta < min_ns)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->end_ns = now;
	e->latency_ns = delta;
	e->pos = call->pos;
	e->ret = ret;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->op = call->op;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	file_fs_name(file, e->fs);
	file_base_name(file, e->file);
	ringbuf_submit_batched(&events, e);
}

FS_SYSCALL_PROGRAMS

char LICENSE[] SEC("license") = "GPL";
