// SPDX-License-Identifier: GPL-2.0
/* tcpretrans, kernel side: every TCP retransmit (tcp:tcp_retransmit_skb, and
 * tcp:tcp_retransmit_synack for SYN-ACKs), to a ring buffer, or counted per flow (-c).
 *
 * The tracepoint fires once per skb, and with TSO/GSO one skb holds many segments, while
 * the kernel's RetransSegs counts segments: each event carries the skb's segment count
 * (tcp_skb_pcount(), from the skb's control block) so user space can report both. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/ringbuf.h"
#include "bpf/stackmap.h"
#include "bpf/sock.h"
#include "net/tcpretrans.h"

const volatile bool targ_count = false; /* -c: count per flow, no events */
const volatile bool targ_stack = false; /* -s */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, struct tcpretrans_key);
	__type(value, struct tcpretrans_count);
} counts SEC(".maps");

DEFINE_STACK_MAP(stacks, 1024);
DEFINE_LOST_COUNTER

/* tcp_skb_pcount(): TCP_SKB_CB(skb)->tcp_gso_segs, the control block in skb->cb. */
static __always_inline __u16 skb_tcp_segs(const struct sk_buff *skb)
{
	struct tcp_skb_cb *cb;
	__u16 segs;

	if (!skb)
		return 1;
	cb = (void *)skb + bpf_core_field_offset(struct sk_buff, cb);
	segs = BPF_CORE_READ(cb, tcp_gso_segs);
	return segs ? segs : 1;
}

static __always_inline void count_flow(const struct sock *sk, __u16 segs, int err)
{
	struct tcpretrans_key key = {};
	struct tcpretrans_count *c, zero = {};

	sock_read_flow(sk, &key.flow);
	key.netns = sock_netns(sk);
	c = bpf_map_lookup_elem(&counts, &key);
	if (!c) {
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &key);
		if (!c)
			return;
	}
	if (err) {
		c->failed++;
	} else {
		c->events++;
		c->segs += segs;
	}
}

static __always_inline void handle(void *ctx, const struct sock *sk, const struct sk_buff *skb,
				   int err, __u8 kind)
{
	struct tcpretrans_event *e;
	__u16 segs = kind == TCPRETRANS_DATA ? skb_tcp_segs(skb) : 1;

	if (targ_count) {
		count_flow(sk, segs, err);
		return;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	sock_read_flow(sk, &e->flow);
	e->netns = sock_netns(sk);
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->err = err;
	e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	e->segs = segs;
	e->kind = kind;
	e->stack_id = targ_stack ? bpf_get_stackid(ctx, &stacks, 0) : -1;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	ringbuf_submit_batched(&events, e);
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(retransmit_btf, const struct sock *sk, const struct sk_buff *skb, int err)
{
	handle(ctx, sk, skb, err, TCPRETRANS_DATA);
	return 0;
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(retransmit_raw, const struct sock *sk, const struct sk_buff *skb, int err)
{
	handle(ctx, sk, skb, err, TCPRETRANS_DATA);
	return 0;
}

/* A SYN-ACK retransmit: the listener's socket; the kernel counts it in RetransSegs too. */
static __always_inline void handle_synack(void *ctx, const struct request_sock *req)
{
	handle(ctx, (const struct sock *)req, NULL, 0, TCPRETRANS_SYNACK);
}

SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(synack_btf, const struct sock *sk, const struct request_sock *req)
{
	handle_synack(ctx, req);
	return 0;
}

SEC("raw_tp/tcp_retransmit_synack")
int BPF_PROG(synack_raw, const struct sock *sk, const struct request_sock *req)
{
	handle_synack(ctx, req);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
