/* Layouts shared by the kernel and user sides of funclatency and funcslower (one BPF
 * object: a histogram for funclatency, a ring buffer of slow calls for funcslower). */
#ifndef WHYSLOW_FUNCLATENCY_H
#define WHYSLOW_FUNCLATENCY_H

#ifndef __bpf__
#include <linux/types.h> /* __u32 and friends; the BPF side has them from vmlinux.h */
#endif

#define FUNCLATENCY_SLOTS 27 /* = LOG2_SLOTS */

struct funclatency_hist {
	__u64 slots[FUNCLATENCY_SLOTS];
	__u64 total_ns;
};

struct funcslower_event {
	__u64 ts_ns;
	__u64 latency_ns;
	__s64 retval;
	__u32 tgid, tid;
	char comm[16];
};

#endif
