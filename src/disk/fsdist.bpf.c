// SPDX-License-Identifier: GPL-2.0
/* fsdist, kernel side: latency of read, write, open and fsync calls per file system type,
 * timed from syscall entry to exit (bpf/fsfile.h), as log2 histograms in a per-CPU hash.
 * A syscall's latency includes the VFS and the file system, which is what an application
 * waits for; kprobe-based fsdist times the file system's own functions instead. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "disk/fsdist.h"
#include "bpf/fsfile.h"

const volatile bool targ_ms = false; /* -m */

DEFINE_FS_CALLS(16384)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fsdist_key);
	__type(value, struct fsdist_hist);
} hists SEC(".maps");

static __always_inline void fs_call_done(struct fs_call *call, long ret, __u64 now)
{
	struct fsdist_key key = {};
	struct fsdist_hist *hist;
	__u64 delta = now - call->start_ns;
	__u32 slot;

	if (ret < 0 && call->op != FS_FSYNC)
		return; /* failed calls (EAGAIN on a socket, EBADF...) did no file I/O */
	file_fs_name((struct file *)call->file, key.fs);
	key.op = call->op;
	delta = targ_ms ? delta / 1000000 : delta / 1000;
	slot = log2_slot(delta);
	hist = bpf_map_lookup_elem(&hists, &key);
	if (!hist) {
		struct fsdist_hist empty = {};
		bpf_map_update_elem(&hists, &key, &empty, BPF_NOEXIST);
		hist = bpf_map_lookup_elem(&hists, &key);
		if (!hist)
			return;
	}
	if (slot < FSDIST_SLOTS)
		hist->slots[slot]++;
}

FS_SYSCALL_PROGRAMS

char LICENSE[] SEC("license") = "GPL";
