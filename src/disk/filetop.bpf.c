// SPDX-License-Identifier: GPL-2.0
/* filetop, kernel side: reads, writes and bytes per process and file, from read/write
 * syscalls (and their variants) timed on raw_syscalls (bpf/fsfile.h, without kprobes on
 * vfs_read/vfs_write), summed in a per-CPU hash that user space reads and clears every
 * interval. Bytes are the calls' results, what the process really read or wrote. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "disk/filetop.h"
#include "bpf/fsfile.h"

const volatile bool regular_only = true; /* without -a */

DEFINE_FS_CALLS(16384)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct filetop_key);
	__type(value, struct filetop_value);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct filetop_key);
	__type(value, struct filetop_names);
} names SEC(".maps");

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000

static __always_inline void fs_call_done(struct fs_call *call, long ret, __u64 now)
{
	struct file *file = (struct file *)call->file;
	struct filetop_key key = {};
	struct filetop_value *v;
	__u32 mode;

	(void)now;
	if (ret < 0)
		return;
	mode = BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT;
	key.kind = mode == S_IFREG ? FS_KIND_REGULAR : mode == S_IFSOCK ? FS_KIND_SOCKET : FS_KIND_OTHER;
	if (regular_only && key.kind != FS_KIND_REGULAR)
		return;
	key.ino = BPF_CORE_READ(file, f_inode, i_ino);
	key.dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
	key.pid = bpf_get_current_pid_tgid() >> 32;
	v = bpf_map_lookup_elem(&counts, &key);
	if (!v) { /* first time this interval: names once, then the counters */
		struct filetop_value zero = {};
		struct filetop_names n = {};

		bpf_get_current_comm(n.comm, sizeof(n.comm));
		file_base_name(file, n.file);
		bpf_map_update_elem(&names, &key, &n, BPF_ANY);
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&counts, &key);
		if (!v)
			return;
	}
	if (call->op == FS_READ) {
		v->reads++;
		v->read_bytes += ret;
	} else {
		v->writes++;
		v->write_bytes += ret;
	}
}

FS_SYSCALL_PROGRAMS

char LICENSE[] SEC("license") = "GPL";
