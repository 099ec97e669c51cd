/* Layouts shared by fsslower's kernel and user sides. */
#ifndef WHYSLOW_FSSLOWER_H
#define WHYSLOW_FSSLOWER_H

#include "disk/fsops.h"

struct fsslower_event {
	__u64 end_ns;      /* bpf_ktime_get_ns() at syscall exit */
	__u64 latency_ns;  /* syscall entry to exit */
	__u64 pos;         /* offset of a read or write */
	__s64 ret;         /* bytes for read/write, fd for open, 0 or -errno for fsync */
	__u32 pid;
	__u32 op;          /* enum fs_op */
	char comm[16];
	char fs[FS_NAME_LEN];
	char file[FS_FILE_LEN];
};

#endif
