/* Layouts shared by biosnoop's kernel and user sides. */
#ifndef WHYSLOW_BIOSNOOP_H
#define WHYSLOW_BIOSNOOP_H

/* One completed block request. Times are bpf_ktime_get_ns() (CLOCK_MONOTONIC). */
struct biosnoop_event {
	__u64 complete_ns;
	__u64 sector;
	__u64 queue_ns;   /* insert to issue; 0 if dispatched without being queued */
	__u64 latency_ns; /* issue to completion */
	__u32 pid;        /* the issuer (see bpf/block.h), not the task at completion */
	__u32 dev;        /* major << 20 | minor */
	__u32 bytes;
	__u32 flags;      /* BIO_OP_* | BIO_FLAG_* (disk/biolatency.h) */
	char comm[16];
};

#endif
