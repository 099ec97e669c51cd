/* Layouts shared by errsnoop's kernel and user sides. */
#ifndef WHYSLOW_ERRSNOOP_H
#define WHYSLOW_ERRSNOOP_H

#ifndef __bpf__
#include <linux/types.h> /* __u32 and friends; the BPF side has them from vmlinux.h */
#endif

#define ERRSNOOP_NR_MAX 1024 /* = SYSCALL_NR_MAX */
#define ERRSNOOP_STR 200     /* bytes kept of each path argument */

/* Which arguments of a syscall are paths: (index + 1) in the low and high nibble. */
#define ERRSNOOP_STR_ARGS(first, second) ((__u8)(((first) + 1) | (((second) + 1) << 4)))

struct errsnoop_event {
	__u64 ts_ns;       /* bpf_ktime_get_ns() */
	__u64 args[6];
	__u32 tgid, tid;
	__s32 nr;
	__s32 err;         /* positive errno */
	char comm[16];
	char str[2][ERRSNOOP_STR];
};

#endif
