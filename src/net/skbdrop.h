/* Layouts shared by skbdrop's kernel and user sides, and its collector API. */
#ifndef WHYSLOW_SKBDROP_H
#define WHYSLOW_SKBDROP_H

#include "net/flow.h"

struct skbdrop_event {
	__u64 ts_ns;
	__u64 location;  /* kernel address that freed the skb */
	struct net_flow flow;
	__u32 reason;    /* enum skb_drop_reason (names from BTF) */
	__u32 pid;
	__u32 netns;
	__u32 ifindex;
	__s32 stack_id;  /* -1 without -s */
	__u16 l3proto;   /* ethertype, host order (0x0800 IPv4, 0x86dd IPv6) */
	__u8 l4proto;    /* IPPROTO_*, 0 when unknown */
	__u8 pad;
	char comm[16];
};

struct skbdrop_key {
	__u64 location;
	__u32 reason;
	__u32 netns;
};

#ifndef __bpf__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Collector of drop counts by reason, location and namespace (`skbdrop -c`, doctor). */
struct skbdrop_count {
	struct skbdrop_key key;
	uint64_t drops;
};
struct skbdrop_result {
	struct skbdrop_count *counts; /* highest first */
	size_t n;
	uint64_t total;
};
struct skbdrop_collector;
/* tcp_only: what tcpdrop shows. NULL on failure (a message names the cause). */
struct skbdrop_collector *skbdrop_collector_open(bool tcp_only);
int skbdrop_collector_read(struct skbdrop_collector *c, bool clear, struct skbdrop_result *out);
void skbdrop_result_free(struct skbdrop_result *r);
void skbdrop_collector_close(struct skbdrop_collector *c);
/* Name of a drop reason as this kernel's BTF spells it ("NETFILTER_DROP"), or "reason N". */
const char *skbdrop_reason_name(uint32_t reason, char *buf, size_t size);
#endif

#endif
