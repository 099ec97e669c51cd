// SPDX-License-Identifier: GPL-2.0
/* tcptop, kernel side: bytes sent and received per TCP connection and process, summed in
 * a per-CPU hash so that only the sums cross to user space (case C9: a libpcap tool pays
 * per packet in user space, this pays a map update per send or receive call).
 *
 * Hooks: sock:sock_send_length and sock:sock_recv_length (added in the 6.x series; the
 * command checks for them at run time), which fire with the byte count of every
 * sendmsg/recvmsg on a socket. They stand in for bcc's kprobes on
 * tcp_sendmsg and tcp_cleanup_rbuf, which this kernel lacks. Only TCP over IPv4/IPv6
 * counts; MSG_PEEK reads are not consumption and are skipped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/sock.h"
#include "net/tcptop.h"

#define MSG_PEEK 2

const volatile bool filter_tgid = false; /* -p */
const volatile __u32 targ_tgid = 0;
const volatile __u16 targ_family = 0;    /* -4, -6 */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, struct tcptop_key);
	__type(value, struct tcptop_bytes);
} bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct tcptop_comm);
} comms SEC(".maps");

static __always_inline void handle(struct sock *sk, int ret, int flags, bool send)
{
	struct tcptop_key key = {};
	struct tcptop_bytes *b;
	__u32 tgid;

	if (ret <= 0 || (!send && (flags & MSG_PEEK)))
		return;
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP_NUM)
		return;
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (filter_tgid && tgid != targ_tgid)
		return;
	sock_read_flow(sk, &key.flow);
	if (key.flow.family != AF_INET && key.flow.family != AF_INET6)
		return;
	if (targ_family && key.flow.family != targ_family)
		return;
	key.pid = tgid;
	key.netns = sock_netns(sk);
	b = bpf_map_lookup_elem(&bytes, &key);
	if (!b) {
		struct tcptop_bytes zero = {};
		struct tcptop_comm name = {};

		bpf_get_current_comm(name.comm, sizeof(name.comm));
		bpf_map_update_elem(&comms, &tgid, &name, BPF_ANY);
		bpf_map_update_elem(&bytes, &key, &zero, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&bytes, &key);
		if (!b)
			return;
	}
	if (send)
		b->sent += ret;
	else
		b->received += ret;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(send_btf, struct sock *sk, int ret, int flags)
{
	handle(sk, ret, flags, true);
	return 0;
}

SEC("raw_tp/sock_send_length")
int BPF_PROG(send_raw, struct sock *sk, int ret, int flags)
{
	handle(sk, ret, flags, true);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(recv_btf, struct sock *sk, int ret, int flags)
{
	handle(sk, ret, flags, false);
	return 0;
}

SEC("raw_tp/sock_recv_length")
int BPF_PROG(recv_raw, struct sock *sk, int ret, int flags)
{
	handle(sk, ret, flags, false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
