/* Reading socket endpoints in BPF programs. Include after vmlinux.h, bpf_helpers.h and
 * bpf_core_read.h. */
#ifndef WHYSLOW_BPF_SOCK_H
#define WHYSLOW_BPF_SOCK_H

#include <bpf/bpf_endian.h>
#include "net/flow.h"

#ifndef AF_INET
#define AF_INET 2
#define AF_INET6 10
#endif
#define IPPROTO_TCP_NUM 6
#define IPPROTO_UDP_NUM 17

/* Local and remote address and port of a socket, from sock_common (the fields the tcp
 * tracepoints print). */
static __always_inline void sock_read_flow(const struct sock *sk, struct net_flow *f)
{
	f->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	f->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	/* A socket that reached TCP_CLOSE (e.g. FIN_WAIT2 -> TIME_WAIT while the application
	 * still reads queued data) was unhashed and its skc_num zeroed (__inet_put_port);
	 * inet_sport keeps the port. Not for request sockets, whose skc_num is always set. */
	if (!f->sport)
		f->sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	f->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (f->family == AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)f->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)f->daddr, sk, __sk_common.skc_daddr);
	} else if (f->family == AF_INET6) {
		BPF_CORE_READ_INTO(&f->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&f->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

/* Inode number of the socket's network namespace (as /proc/PID/ns/net shows it). */
static __always_inline __u32 sock_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

#endif
