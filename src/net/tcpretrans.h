/* Layouts shared by tcpretrans's kernel and user sides, and its collector API. */
#ifndef WHYSLOW_TCPRETRANS_H
#define WHYSLOW_TCPRETRANS_H

#include "net/flow.h"

enum tcpretrans_kind { TCPRETRANS_DATA = 0, TCPRETRANS_SYNACK = 1 };

struct tcpretrans_event {
	__u64 ts_ns;
	struct net_flow flow;
	__u32 pid;
	__u32 netns;
	__s32 err;       /* 0 when the retransmit went out (RetransSegs counts only those) */
	__s32 stack_id;  /* -1 without -s */
	__u16 state;     /* TCP state (enum from BTF) */
	__u16 segs;      /* segments in the skb (TSO/GSO): what RetransSegs adds */
	__u8 kind;       /* enum tcpretrans_kind */
	__u8 pad[3];
	char comm[16];
};

struct tcpretrans_key {
	struct net_flow flow;
	__u32 netns;
	__u32 pad;
};

struct tcpretrans_count {
	__u64 events;  /* tracepoint hits that succeeded (skbs, SYN-ACKs) */
	__u64 segs;    /* segments in them: comparable with RetransSegs */
	__u64 failed;  /* retransmits the kernel tried but could not send (err != 0) */
};

#ifndef __bpf__
#include <stdbool.h>
#include <stddef.h>

/* Collector of retransmit counts per flow (what `tcpretrans -c` and doctor use). */
struct tcpretrans_flow {
	struct tcpretrans_key key;
	struct tcpretrans_count count;
};
struct tcpretrans_result {
	struct tcpretrans_flow *flows; /* sorted by segs, highest first */
	size_t n;
	struct tcpretrans_count total;
};
struct tcpretrans_collector;
/* Opens and attaches; NULL with errno set on failure (a message names the cause). */
struct tcpretrans_collector *tcpretrans_collector_open(void);
/* Reads (and with clear, resets) the counts since the last read. */
int tcpretrans_collector_read(struct tcpretrans_collector *c, bool clear,
			      struct tcpretrans_result *out);
void tcpretrans_result_free(struct tcpretrans_result *r);
void tcpretrans_collector_close(struct tcpretrans_collector *c);
#endif

#endif
