// SPDX-License-Identifier: GPL-2.0
/* skbdrop, kernel side: every packet the kernel drops (skb:kfree_skb, which carries the
 * drop reason since 5.17), with protocol, addresses and ports parsed from the headers, to
 * a ring buffer, or counted by reason and location (-c). Packets freed normally
 * (SKB_CONSUMED; consume_skb has its own tracepoint) are not drops and are skipped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/ringbuf.h"
#include "bpf/stackmap.h"
#include "bpf/sock.h"
#include "net/skbdrop.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define NO_HEADER 0xffff /* skb->transport_header when unset */

const volatile bool targ_count = false;    /* -c */
const volatile bool targ_stack = false;    /* -s */
const volatile bool targ_tcp_only = false; /* tcpdrop */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct skbdrop_key);
	__type(value, __u64);
} counts SEC(".maps");

DEFINE_STACK_MAP(stacks, 1024);
DEFINE_LOST_COUNTER

/* Reads L3/L4 headers: protocol, addresses, ports. Returns the L4 protocol (0 unknown). */
static __always_inline __u8 parse_headers(const struct sk_buff *skb, __u16 l3,
					  struct net_flow *f)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	__u8 l4 = 0;
	__u32 l4off;

	if (l3 == ETH_P_IP) {
		struct iphdr ip;
		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
			return 0;
		f->family = AF_INET;
		__builtin_memcpy(f->saddr, &ip.saddr, 4);
		__builtin_memcpy(f->daddr, &ip.daddr, 4);
		l4 = ip.protocol;
		l4off = nh + ip.ihl * 4;
	} else if (l3 == ETH_P_IPV6) {
		struct ipv6hdr ip6;
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return 0;
		f->family = AF_INET6;
		__builtin_memcpy(f->saddr, &ip6.saddr, 16);
		__builtin_memcpy(f->daddr, &ip6.daddr, 16);
		l4 = ip6.nexthdr; /* extension headers: ports stay 0 */
		l4off = nh + sizeof(ip6);
	} else {
		return 0;
	}
	if (th != NO_HEADER && th > nh)
		l4off = th;
	if (l4 == IPPROTO_TCP_NUM || l4 == IPPROTO_UDP_NUM) {
		__be16 ports[2];
		if (!bpf_probe_read_kernel(ports, sizeof(ports), head + l4off)) {
			f->sport = bpf_ntohs(ports[0]);
			f->dport = bpf_ntohs(ports[1]);
		}
	}
	return l4;
}

static __always_inline __u32 skb_netns(const struct sk_buff *skb, const struct sock *sk)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);

	if (dev)
		return BPF_CORE_READ(dev, nd_net.net, ns.inum);
	if (!sk)
		sk = BPF_CORE_READ(skb, sk);
	return sk ? sock_netns(sk) : 0;
}

static __always_inline void handle(void *ctx, struct sk_buff *skb, void *location,
				   __u32 reason, struct sock *rx_sk)
{
	struct net_flow flow = {};
	struct skbdrop_event *e;
	__u16 l3;
	__u8 l4;

	if (reason <= SKB_CONSUMED) /* not a drop */
		return;
	l3 = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	l4 = parse_headers(skb, l3, &flow);
	if (targ_tcp_only && l4 != IPPROTO_TCP_NUM)
		return;
	if (targ_count) {
		struct skbdrop_key key = {.location = (__u64)location, .reason = reason,
					  .netns = skb_netns(skb, rx_sk)};

		percpu_add_u64(&counts, &key, 1);
		return;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->location = (__u64)location;
	e->flow = flow;
	e->reason = reason;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->netns = skb_netns(skb, rx_sk);
	e->ifindex = BPF_CORE_READ(skb, dev, ifindex);
	e->stack_id = targ_stack ? bpf_get_stackid(ctx, &stacks, 0) : -1;
	e->l3proto = l3;
	e->l4proto = l4;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	ringbuf_submit_batched(&events, e);
}

/* The rx_sk argument appeared in 6.11 (kfree_skb gained "struct sock *rx_sk"); the raw_tp
 * handler reads only the first three, present since the reason came in 5.17. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(kfree_skb_btf, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	handle(ctx, skb, location, reason, NULL);
	return 0;
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(kfree_skb_raw, struct sk_buff *skb, void *location, int reason)
{
	handle(ctx, skb, location, reason, NULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
