/* The endpoints of a socket or packet as BPF programs hand them to user space; shared by
 * the net commands' kernel and user sides. Addresses are 16 bytes (IPv4 in the first 4,
 * network order); ports in host order. */
#ifndef WHYSLOW_NET_FLOW_H
#define WHYSLOW_NET_FLOW_H

struct net_flow {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u16 family; /* AF_INET or AF_INET6, 0 when not parseable */
	__u16 pad;
};

#endif
