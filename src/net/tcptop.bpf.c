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

/* endpoints of the sockets seen, by socket and process like the sums, rewritten when the
 * pair first shows in an interval. Keyed by the process too: a socket freed and its
 * address reused by another process's socket before user space reads the interval must
 * not relabel the old socket's bytes (seen in tests under connection churn). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tcptop_key);
	__type(value, struct tcptop_sock);
} socks SEC(".maps");

/* First bytes of a socket and process in this interval: the endpoints, the name, and
 * the family filter, which needs the endpoints. Returns false when filtered out. */
static __always_inline bool first_seen(struct sock *sk, const struct tcptop_key *key)
{
	struct tcptop_sock info = {};
	struct tcptop_comm name = {};
	struct tcptop_bytes zero = {};

	sock_read_flow(sk, &info.flow);
	if (info.flow.family != AF_INET && info.flow.family != AF_INET6)
		return false;
	if (targ_family && info.flow.family != targ_family)
		return false;
	info.netns = sock_netns(sk);
	bpf_map_update_elem(&socks, key, &info, BPF_ANY);
	bpf_get_current_comm(name.comm, sizeof(name.comm));
	bpf_map_update_elem(&comms, &key->pid, &name, BPF_ANY);
	bpf_map_update_elem(&bytes, key, &zero, BPF_NOEXIST);
	return true;
}

static __always_inline void handle(struct sock *sk, int ret, int flags, bool send)
{
	struct tcptop_key key = {};
	struct tcptop_bytes *b;

	if (ret <= 0 || (!send && (flags & MSG_PEEK)))
		return;
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP_NUM)
		return;
	key.pid = bpf_get_current_pid_tgid() >> 32;
	if (filter_tgid && key.pid != targ_tgid)
		return;
	key.sk = (__u64)sk;
	b = bpf_map_lookup_elem(&bytes, &key);
	if (!b) {
		if (!first_seen(sk, &key))
			return;
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
