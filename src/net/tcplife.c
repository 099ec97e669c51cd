/* tcplife: TCP connections as they close, with their process, addresses, ports, bytes
 * each way and lifetime, from sock:inet_sock_set_state. Options and output follow bcc's
 * tcplife. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/inet.h"
#include "lib/out.h"
#include "net/netout.h"
#include "net/tcpstate.h"

struct tcplife {
	struct tcpstate ts; /* first: net_poll_ring() finds the ring buffer here */
	struct cli_common common;
	struct tcpstate_opts opts;
	bool time, timestamp, wide;
	uint64_t start_ns; /* when tracing began (CLOCK_MONOTONIC) */
	uint64_t seen;
};

static const struct cli_opt options[] = {
	{'T', "time", NULL, "include a time column (HH:MM:SS)"},
	{'t', "timestamp", NULL, "include a column of seconds since tracing began"},
	{'w', "wide", NULL, "wide columns (fit IPv6 addresses)"},
	{'p', "pid", "PID", "this process only"},
	{'L', "localport", "PORTS", "these local ports only (comma-separated)"},
	{'D', "remoteport", "PORTS", "these remote ports only (comma-separated)"},
	{'4', "ipv4", NULL, "IPv4 only"},
	{'6', "ipv6", NULL, "IPv6 only"},
	{0},
};

const struct cli_spec tcplife_spec = {
	.name = "tcplife",
	.summary = "TCP connection lifetimes with process, ports and bytes each way",
	.usage = "[-T] [-t] [-w] [-p PID] [-L PORTS] [-D PORTS] [-4 | -6] [--json]",
	.description =
		"Prints a line per TCP connection when it closes: the process, local and remote\n"
		"address and port, kilobytes received and acknowledged-sent (tcp_sock's\n"
		"bytes_received and bytes_acked) and how long it lived, from sock:inet_sock_set_state\n"
		"(no kprobes). These counters count sequence numbers: the SYN and FIN add one\n"
		"each (a client that sent 10000 bytes shows 10002 acked, 1 more received than\n"
		"the peer sent). Connections opened before tracing started are not shown. The\n"
		"process is the one that connected, or for accepted connections the one that\n"
		"closed or shut down the socket.",
	.opts = options,
	.examples = "  whyslow tcplife                 # every connection until Ctrl-C\n"
		    "  whyslow tcplife -D 80,443 -T    # to web ports, with times\n"
		    "  whyslow tcplife --json          # one JSON object per connection\n",
};

static int on_option(void *arg, int key, const char *val)
{
	struct tcplife *t = arg;

	switch (key) {
	case 'T': t->time = true; break;
	case 't': t->timestamp = true; break;
	case 'w': t->wide = true; break;
	case 'p': t->opts.pid = cli_parse_pid(val); break;
	case 'L': tcpstate_parse_ports(val, 'L', t->opts.lports); break;
	case 'D': tcpstate_parse_ports(val, 'D', t->opts.rports); break;
	case '4': t->opts.family = AF_INET; break;
	case '6': t->opts.family = AF_INET6; break;
	}
	return 0;
}

static int on_event(void *arg, void *data, size_t size)
{
	struct tcplife *t = arg;
	const struct tcpstate_event *e = data;
	char l[INET_ADDR_STRLEN], r[INET_ADDR_STRLEN], now[16];
	int aw = t->wide ? 39 : 15;
	struct json j;

	if (size < sizeof(*e))
		return 0;
	/* signed: an event may come between the attach and start_ns */
	double since_start = (double)(int64_t)(e->ts_ns - t->start_ns) / 1e9;
	t->seen++;
	inet_addr_str(e->flow.family, e->flow.saddr, l, sizeof(l));
	inet_addr_str(e->flow.family, e->flow.daddr, r, sizeof(r));
	if (t->common.json) {
		json_begin(&j, stdout, "tcplife");
		json_double(&j, "time_s", since_start);
		json_u64(&j, "pid", e->pid);
		json_str(&j, "comm", e->comm);
		net_flow_json(&j, &e->flow);
		json_u64(&j, "netns", e->netns);
		json_u64(&j, "tx_bytes", e->tx_bytes);
		json_u64(&j, "rx_bytes", e->rx_bytes);
		json_double(&j, "duration_ms", e->span_ns / 1e6);
		json_str(&j, "last_state", inet_tcp_state_name(e->oldstate));
		json_end(&j);
		return 0;
	}
	if (t->time) {
		cli_strftime_now(now, sizeof(now));
		printf("%-8s ", now);
	}
	if (t->timestamp)
		printf("%-9.6f ", since_start);
	printf("%-7u %-12.12s %-*s %-5u %-*s %-5u %7llu %7llu %9.2f\n", e->pid,
	       e->comm[0] ? e->comm : "?", aw, l, e->flow.sport, aw, r, e->flow.dport,
	       (unsigned long long)e->tx_bytes / 1024, (unsigned long long)e->rx_bytes / 1024,
	       e->span_ns / 1e6);
	fflush(stdout);
	return 0;
}

static int tick(void *arg, bool last)
{
	struct tcplife *t = arg;
	uint64_t lost = tcpstate_lost(&t->ts);
	struct json j;

	net_drain_ring(arg); /* events still in the buffer come before the summary */
	(void)last;
	if (t->common.json) {
		json_begin(&j, stdout, "tcplife");
		json_bool(&j, "summary", true);
		json_u64(&j, "connections", t->seen);
		json_u64(&j, "lost_events", lost);
		json_end(&j);
	} else if (lost) {
		fprintf(stderr, "%llu events lost\n", (unsigned long long)lost);
	}
	return 0;
}

int cmd_tcplife(int argc, char **argv)
{
	struct tcplife t = {0};
	struct cli_loop_ops ops = {.tick = tick, .poll = net_poll_ring};
	int aw, err;

	cli_parse(&tcplife_spec, argc, argv, &t.common, on_option, &t);
	t.opts.mode = TCPSTATE_LIFE;
	wbpf_init(t.common.verbose);
	if ((err = tcpstate_open(&t.ts, &t.opts, "tcplife's BPF programs", on_event, &t)))
		goto out;
	t.start_ns = cli_now_ns(); /* the kernel's clock too: bpf_ktime_get_ns() */
	fprintf(stderr, "Tracing TCP connections... Hit Ctrl-C to end.\n");
	aw = t.wide ? 39 : 15;
	if (!t.common.json) {
		if (t.time)
			printf("%-8s ", "TIME");
		if (t.timestamp)
			printf("%-9s ", "TIME(s)");
		printf("%-7s %-12s %-*s %-5s %-*s %-5s %7s %7s %9s\n", "PID", "COMM", aw, "LADDR",
		       "LPORT", aw, "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
	}
	err = cli_run_loop(&t.common, &ops, &t);
out:
	tcpstate_close(&t.ts);
	return err;
}
