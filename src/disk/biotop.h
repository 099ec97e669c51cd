/* Layouts shared by biotop's kernel and user sides. */
#ifndef WHYSLOW_BIOTOP_H
#define WHYSLOW_BIOTOP_H

struct biotop_key {
	__u32 pid; /* the issuer's thread group id */
	__u32 dev; /* major << 20 | minor */
	__u32 rw;  /* 1 for writes, 0 for reads and everything else */
	char comm[16];
};

struct biotop_value {
	__u64 ios;
	__u64 bytes;
	__u64 latency_ns; /* sum, issue to completion */
};

#endif
