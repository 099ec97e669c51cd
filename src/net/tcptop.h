/* Layouts shared by tcptop's kernel and user sides. */
#ifndef WHYSLOW_TCPTOP_H
#define WHYSLOW_TCPTOP_H

#include "net/flow.h"

struct tcptop_key {
	struct net_flow flow;
	__u32 pid;
	__u32 netns;
};

struct tcptop_bytes {
	__u64 sent;
	__u64 received;
};

struct tcptop_comm {
	char comm[16];
};

#endif
