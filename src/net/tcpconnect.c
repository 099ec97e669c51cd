/* tcpconnect: outbound TCP connects with the connecting process, addresses, port and the
 * time from SYN to established (or to failure), from sock:inet_sock_set_state. Options
 * follow bcc's tcpconnect; the latency column is bcc's tcpconnlat. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/inet.h"
#include "lib/out.h"
#include "net/netout.h"
#include "net/tcpstate.h"

struct tcpconnect {
	struct tcpstate ts; /* first: net_poll_ring() finds the ring buffer here */
	struct cli_common common;
	struct tcpstate_opts opts;
	bool time, timestamp;
	uint64_t start_ns; /* when tracing began (CLOCK_MONOTONIC) */
	uint64_t seen, failed;
};

static const struct cli_opt options[] = {
	{'T', "time", NULL, "include a time column (HH:MM:SS)"},
	{'t', "timestamp", NULL, "include a column of seconds since tracing began"},
	{'p', "pid", "PID", "this process only"},
	{'P', "port", "PORTS", "these destination ports only (comma-separated)"},
	{'4', "ipv4", NULL, "IPv4 only"},
	{'6', "ipv6", NULL, "IPv6 only"},
	{0},
};

const struct cli_spec tcpconnect_spec = {
	.name = "tcpconnect",
	.summary = "outbound TCP connects with process, addresses, port and connect latency",
	.usage = "[-T] [-t] [-p PID] [-P PORTS] [-4 | -6] [--json]",
	.description =
		"Prints a line per active TCP open (connect()) when it completes: the process,\n"
		"source and destination, and the time from sending the SYN to ESTABLISHED (the\n"
		"network round trip plus the peer's accept queue), or RESULT=failed when the\n"
		"connect ended in CLOSE (refused, timed out, reset). From sock:inet_sock_set_state\n"
		"(no kprobes): SYN_SENT in the connecting process, then the next state.",
	.opts = options,
	.examples = "  whyslow tcpconnect              # every connect until Ctrl-C\n"
		    "  whyslow tcpconnect -P 5432 -T   # to PostgreSQL, with times\n",
};

static int on_option(void *arg, int key, const char *val)
{
	struct tcpconnect *t = arg;

	switch (key) {
	case 'T': t->time = true; break;
	case 't': t->timestamp = true; break;
	case 'p': t->opts.pid = cli_parse_pid(val); break;
	case 'P': tcpstate_parse_ports(val, 'P', t->opts.rports); break;
	case '4': t->opts.family = AF_INET; break;
	case '6': t->opts.family = AF_INET6; break;
	}
	return 0;
}

static int on_event(void *arg, void *data, size_t size)
{
	struct tcpconnect *t = arg;
	const struct tcpstate_event *e = data;
	char l[INET_ADDR_STRLEN], r[INET_ADDR_STRLEN], now[16];
	bool ok = e->newstate == 1; /* TCP_ESTABLISHED */
	struct json j;

	if (size < sizeof(*e))
		return 0;
	/* signed: an event may come between the attach and start_ns */
	double since_start = (double)(int64_t)(e->ts_ns - t->start_ns) / 1e9;
	t->seen++;
	t->failed += !ok;
	inet_addr_str(e->flow.family, e->flow.saddr, l, sizeof(l));
	inet_addr_str(e->flow.family, e->flow.daddr, r, sizeof(r));
	if (t->common.json) {
		json_begin(&j, stdout, "tcpconnect");
		json_double(&j, "time_s", since_start);
		json_u64(&j, "pid", e->pid);
		json_str(&j, "comm", e->comm);
		net_flow_json(&j, &e->flow);
		json_u64(&j, "netns", e->netns);
		json_double(&j, "latency_ms", e->span_ns / 1e6);
		json_str(&j, "result", ok ? "established" : "failed");
		json_end(&j);
		return 0;
	}
	if (t->time) {
		cli_strftime_now(now, sizeof(now));
		printf("%-8s ", now);
	}
	if (t->timestamp)
		printf("%-9.3f ", since_start);
	printf("%-7u %-12.12s %-2d %-16s %-16s %-5u %-5u %8.3f %s\n", e->pid, e->comm,
	       e->flow.family == AF_INET6 ? 6 : 4, l, r, e->flow.sport, e->flow.dport,
	       e->span_ns / 1e6, ok ? "" : "failed");
	fflush(stdout);
	return 0;
}

static int tick(void *arg, bool last)
{
	struct tcpconnect *t = arg;
	uint64_t lost = tcpstate_lost(&t->ts);
	struct json j;

	net_drain_ring(arg); /* events still in the buffer come before the summary */
	(void)last;
	if (t->common.json) {
		json_begin(&j, stdout, "tcpconnect");
		json_bool(&j, "summary", true);
		json_u64(&j, "connects", t->seen);
		json_u64(&j, "failed", t->failed);
		json_u64(&j, "lost_events", lost);
		json_end(&j);
	} else if (lost) {
		fprintf(stderr, "%llu events lost\n", (unsigned long long)lost);
	}
	return 0;
}

int cmd_tcpconnect(int argc, char **argv)
{
	struct tcpconnect t = {0};
	struct cli_loop_ops ops = {.tick = tick, .poll = net_poll_ring};
	int err;

	cli_parse(&tcpconnect_spec, argc, argv, &t.common, on_option, &t);
	t.opts.mode = TCPSTATE_CONNECT;
	wbpf_init(t.common.verbose);
	if ((err = tcpstate_open(&t.ts, &t.opts, "tcpconnect's BPF programs", on_event, &t)))
		goto out;
	t.start_ns = cli_now_ns(); /* the kernel's clock too: bpf_ktime_get_ns() */
	fprintf(stderr, "Tracing connects... Hit Ctrl-C to end.\n");
	if (!t.common.json) {
		if (t.time)
			printf("%-8s ", "TIME");
		if (t.timestamp)
			printf("%-9s ", "TIME(s)");
		printf("%-7s %-12s %-2s %-16s %-16s %-5s %-5s %8s %s\n", "PID", "COMM", "IP", "SADDR",
		       "DADDR", "SPORT", "DPORT", "LAT(ms)", "RESULT");
	}
	err = cli_run_loop(&t.common, &ops, &t);
out:
	tcpstate_close(&t.ts);
	return err;
}
