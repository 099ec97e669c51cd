/* Layouts shared by the kernel side of tcplife and tcpconnect (one BPF object,
 * tcpstate.bpf.c, on sock:inet_sock_set_state) and their user sides. */
#ifndef WHYSLOW_TCPSTATE_H
#define WHYSLOW_TCPSTATE_H

#include "net/flow.h"

#define TCPSTATE_MAX_PORTS 8

enum tcpstate_mode {
	TCPSTATE_LIFE = 0,    /* tcplife: one event per connection at TCP_CLOSE */
	TCPSTATE_CONNECT = 1, /* tcpconnect: one event per active open, at ESTABLISHED or failure */
};

struct tcpstate_event {
	__u64 ts_ns;
	__u64 span_ns;    /* tcplife: first state change to close; tcpconnect: SYN_SENT to result */
	__u64 rx_bytes;   /* tcplife: tcp_sock bytes_received */
	__u64 tx_bytes;   /* tcplife: tcp_sock bytes_acked */
	struct net_flow flow;
	__u32 pid;        /* the process seen at connect, or at close/shutdown */
	__u32 netns;
	__u16 oldstate;
	__u16 newstate;   /* tcpconnect: ESTABLISHED, or CLOSE for a failed connect */
	__u32 pad;
	char comm[16];
};

/* What is remembered per socket between state changes. */
struct tcpstate_birth {
	__u64 ts_ns;
	__u32 pid;
	__u32 pad;
	char comm[16];
};

#ifndef __bpf__
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The user side's handle on the shared object (src/net/tcpstate.c). */
struct tcpstate_bpf;
struct ring_buffer;
struct tcpstate_opts {
	enum tcpstate_mode mode;
	pid_t pid;        /* 0: all */
	int family;       /* 0, AF_INET or AF_INET6 */
	uint16_t lports[TCPSTATE_MAX_PORTS], rports[TCPSTATE_MAX_PORTS]; /* 0-terminated */
};
struct tcpstate {
	struct ring_buffer *rb; /* first: net_poll_ring() finds it here */
	struct tcpstate_bpf *skel;
};
/* Loads (tp_btf, else raw_tp) and attaches, and opens the ring buffer with on_event.
 * Prints the reason and returns EXIT_RUNTIME on failure. */
int tcpstate_open(struct tcpstate *ts, const struct tcpstate_opts *opts, const char *what,
		  int (*on_event)(void *ctx, void *data, size_t size), void *ctx);
uint64_t tcpstate_lost(const struct tcpstate *ts);
void tcpstate_close(struct tcpstate *ts);
/* Parses "80,443" for -L/-D/-P into ports; usage error naming opt otherwise. */
void tcpstate_parse_ports(const char *s, char opt, uint16_t *ports);
#endif

#endif
