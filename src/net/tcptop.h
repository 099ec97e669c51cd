/* Layouts shared by tcptop's kernel and user sides. */
#ifndef WHYSLOW_TCPTOP_H
#define WHYSLOW_TCPTOP_H

#include "net/flow.h"

/* Keyed by socket and process: a 16-byte key hashes fast; the endpoints are read once
 * per socket and interval into tcptop_sock, not on every send and receive. */
struct tcptop_key {
	__u64 sk;
	__u32 pid;
	__u32 pad;
};

struct tcptop_sock {
	struct net_flow flow;
	__u32 netns;
	__u32 pad;
};

struct tcptop_bytes {
	__u64 sent;
	__u64 received;
};

struct tcptop_comm {
	char comm[16];
};

#endif
