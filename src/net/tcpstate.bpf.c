// SPDX-License-Identifier: GPL-2.0
/* tcplife and tcpconnect, kernel side: TCP state changes (sock:inet_sock_set_state, 4.16+)
 * give a connection's birth, its process, its end with the byte counters of tcp_sock, and
 * for active opens the time from SYN_SENT to ESTABLISHED (or to failure). bcc's tools use
 * kprobes on tcp_v4_connect and friends for the process; here the process is the one
 * current at SYN_SENT (connect(), in process context) or at FIN_WAIT1/LAST_ACK (close()
 * or shutdown()), which needs no kprobe. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/ringbuf.h"
#include "bpf/sock.h"
#include "net/tcpstate.h"

#define TCP_ESTABLISHED_ 1
#define TCP_SYN_SENT_ 2
#define TCP_FIN_WAIT1_ 4
#define TCP_CLOSE_ 7
#define TCP_LAST_ACK_ 9

const volatile __u8 targ_mode = TCPSTATE_LIFE;
const volatile bool filter_tgid = false;
const volatile __u32 targ_tgid = 0;
const volatile __u16 targ_family = 0;
const volatile __u16 targ_lports[TCPSTATE_MAX_PORTS] = {};
const volatile __u16 targ_rports[TCPSTATE_MAX_PORTS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* keyed by the socket's address: state changes of one socket never run concurrently */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcpstate_birth);
} births SEC(".maps");

DEFINE_LOST_COUNTER

static __always_inline bool port_listed(const volatile __u16 *list, __u16 port)
{
	if (!list[0])
		return true; /* no filter */
	for (int i = 0; i < TCPSTATE_MAX_PORTS; i++)
		if (list[i] && list[i] == port)
			return true;
	return false;
}

static __always_inline void remember_process(struct tcpstate_birth *b)
{
	b->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(b->comm, sizeof(b->comm));
}

static __always_inline void emit(const struct sock *sk, const struct tcpstate_birth *b,
				 __u64 now, int oldstate, int newstate, bool bytes)
{
	struct tcpstate_event *e;

	if (filter_tgid && b->pid != targ_tgid)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->ts_ns = now;
	e->span_ns = now - b->ts_ns;
	sock_read_flow(sk, &e->flow);
	if (bytes) {
		const struct tcp_sock *tp = (const struct tcp_sock *)sk;
		e->rx_bytes = BPF_CORE_READ(tp, bytes_received);
		e->tx_bytes = BPF_CORE_READ(tp, bytes_acked);
	} else {
		e->rx_bytes = e->tx_bytes = 0;
	}
	e->pid = b->pid;
	e->netns = sock_netns(sk);
	e->oldstate = oldstate;
	e->newstate = newstate;
	e->pad = 0;
	__builtin_memcpy(e->comm, b->comm, sizeof(e->comm));
	ringbuf_submit_batched(&events, e);
}

static __always_inline void handle(const struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk, now;
	struct tcpstate_birth *b, fresh = {};
	struct net_flow flow = {};

	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP_NUM)
		return;
	sock_read_flow(sk, &flow);
	if (targ_family && flow.family != targ_family)
		return;
	if (!port_listed(targ_lports, flow.sport) || !port_listed(targ_rports, flow.dport))
		return;
	now = bpf_ktime_get_ns();
	b = bpf_map_lookup_elem(&births, &key);
	if (targ_mode == TCPSTATE_CONNECT) {
		if (newstate == TCP_SYN_SENT_) {
			fresh.ts_ns = now;
			remember_process(&fresh);
			if (!filter_tgid || fresh.pid == targ_tgid)
				bpf_map_update_elem(&births, &key, &fresh, BPF_ANY);
		} else if (oldstate == TCP_SYN_SENT_ && b) {
			emit(sk, b, now, oldstate, newstate, false);
			bpf_map_delete_elem(&births, &key);
		}
		return;
	}
	if (newstate < TCP_FIN_WAIT1_ && !b) { /* SYN_SENT, SYN_RECV or ESTABLISHED: born */
		fresh.ts_ns = now;
		if (newstate == TCP_SYN_SENT_)
			remember_process(&fresh);
		bpf_map_update_elem(&births, &key, &fresh, BPF_ANY);
		return;
	}
	if (!b)
		return; /* born before we started: its lifetime is unknown */
	if ((newstate == TCP_FIN_WAIT1_ || newstate == TCP_LAST_ACK_) && !b->pid)
		remember_process(b); /* close() or shutdown() of a passive socket */
	if (newstate == TCP_CLOSE_) {
		emit(sk, b, now, oldstate, newstate, true);
		bpf_map_delete_elem(&births, &key);
	}
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(set_state_btf, const struct sock *sk, const int oldstate, const int newstate)
{
	handle(sk, oldstate, newstate);
	return 0;
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(set_state_raw, const struct sock *sk, const int oldstate, const int newstate)
{
	handle(sk, oldstate, newstate);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
