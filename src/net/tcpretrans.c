/* tcpretrans: TCP retransmits with addresses, ports and state (tcp:tcp_retransmit_skb and
 * tcp:tcp_retransmit_synack), counts per flow (-c) and kernel stacks (-s). Options and
 * output follow bcc's tcpretrans, with the segment count the kernel's RetransSegs uses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/inet.h"
#include "lib/out.h"
#include "net/netout.h"
#include "net/tcpretrans.h"
#include "tcpretrans.skel.h"
#include "lib/sort.h"

struct tcpretrans {
	struct ring_buffer *rb; /* first: net_poll_ring() finds it here */
	struct cli_common common;
	bool count, stack, timestamp;
	struct tcpretrans_bpf *skel;
	struct stack_syms syms;
	struct tcpretrans_count seen; /* event mode: totals for the summary line */
};

static const struct cli_opt options[] = {
	{'c', "count", NULL, "count retransmits per flow instead of printing each"},
	{'s', "stack", NULL, "print the kernel stack of each retransmit"},
	{'l', "lossprobe", NULL, "tail loss probes (needs kprobes: refused on this kernel)"},
	{'T', "timestamp", NULL, "with -c and an interval, a timestamp per interval"},
	{0},
};

const struct cli_spec tcpretrans_spec = {
	.name = "tcpretrans",
	.summary = "TCP retransmits: addresses, ports, state, segments; per flow (-c)",
	.usage = "[-c] [-s] [-T] [--json] [interval [count]]",
	.description =
		"Shows each TCP retransmit from tcp:tcp_retransmit_skb (and SYN-ACK retransmits\n"
		"from tcp:tcp_retransmit_synack), with the process on the CPU (often 0, a timer),\n"
		"addresses, ports and TCP state. The tracepoint fires once per skb and with\n"
		"TSO/GSO one skb carries several segments: SEGS is what the kernel's RetransSegs\n"
		"counter (nstat TcpRetransSegs) adds, so both are reported. Retransmits the kernel\n"
		"tried but could not send (ERR, e.g. -EBUSY) are not counted by RetransSegs.\n"
		"Tail loss probes look like other retransmits at this tracepoint; telling them\n"
		"apart needs a kprobe on tcp_send_loss_probe (-l), which this kernel may lack.",
	.opts = options,
	.examples = "  whyslow tcpretrans              # each retransmit until Ctrl-C\n"
		    "  whyslow tcpretrans -c           # counts per flow, at Ctrl-C\n"
		    "  whyslow tcpretrans -c 5         # counts per flow every 5 s\n"
		    "  whyslow tcpretrans -s           # with kernel stacks\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct tcpretrans *t = arg;

	(void)val;
	switch (key) {
	case 'c': t->count = true; break;
	case 's': t->stack = true; break;
	case 'T': t->timestamp = true; break;
	case 'l':
		if (!wbpf_have(WBPF_KPROBE))
			cli_usage_error("-l (tail loss probes) needs a kprobe on tcp_send_loss_probe "
					"and this kernel has no kprobes; their retransmits still show");
		cli_usage_error("-l is not implemented yet: tail loss probe retransmits show as R>");
	}
	return 0;
}

/* --- loading, shared by the command and the collector --- */

static int load_once(struct tcpretrans_bpf **out, bool count, bool stack, bool use_btf)
{
	struct tcpretrans_bpf *skel = tcpretrans_bpf__open();
	int err;

	*out = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_count = count;
	skel->rodata->targ_stack = stack;
	wbpf_pick(skel->progs.retransmit_btf, skel->progs.retransmit_raw, use_btf);
	wbpf_pick(skel->progs.synack_btf, skel->progs.synack_raw, use_btf);
	if (!stack)
		bpf_map__set_max_entries(skel->maps.stacks, 1);
	if (!count)
		bpf_map__set_max_entries(skel->maps.counts, 1);
	err = tcpretrans_bpf__load(skel);
	if (!err)
		err = tcpretrans_bpf__attach(skel);
	return err;
}

static int load(struct tcpretrans_bpf **out, bool count, bool stack)
{
	static const char *const tracepoints[] = {"tcp", "tcp_retransmit_skb", "tcp",
						  "tcp_retransmit_synack", NULL};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return -EINVAL;
	err = load_once(out, count, stack, use_btf);
	if (err && use_btf) { /* tp_btf refused: raw tracepoints */
		tcpretrans_bpf__destroy(*out);
		err = load_once(out, count, stack, false);
	}
	if (err) {
		tcpretrans_bpf__destroy(*out);
		*out = NULL;
		wbpf_load_error("tcpretrans's BPF programs", err);
	}
	return err;
}

/* --- the per-flow count collector --- */

struct tcpretrans_collector {
	struct tcpretrans_bpf *skel;
};

struct tcpretrans_collector *tcpretrans_collector_open(void)
{
	struct tcpretrans_collector *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (load(&c->skel, true, false)) {
		free(c);
		errno = EINVAL;
		return NULL;
	}
	return c;
}

static void add_flow(const void *key, const void *value, void *arg)
{
	struct tcpretrans_result *r = arg;
	struct tcpretrans_flow *f;

	f = realloc(r->flows, (r->n + 1) * sizeof(*f));
	if (!f)
		return;
	r->flows = f;
	memcpy(&f[r->n].key, key, sizeof(f->key));
	memcpy(&f[r->n].count, value, sizeof(f->count));
	r->total.events += f[r->n].count.events;
	r->total.segs += f[r->n].count.segs;
	r->total.failed += f[r->n].count.failed;
	r->n++;
}

static int by_segs(const void *a, const void *b)
{
	const struct tcpretrans_flow *x = a, *y = b;

	if (x->count.segs != y->count.segs)
		return x->count.segs < y->count.segs ? 1 : -1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

int tcpretrans_collector_read(struct tcpretrans_collector *c, bool clear,
			      struct tcpretrans_result *out)
{
	int n;

	memset(out, 0, sizeof(*out));
	n = wbpf_hash_walk(bpf_map__fd(c->skel->maps.counts), sizeof(struct tcpretrans_key),
			   sizeof(struct tcpretrans_count), true, clear, add_flow, out);
	if (n < 0)
		return n;
	sort_rows(out->flows, out->n, sizeof(*out->flows), by_segs);
	return 0;
}

void tcpretrans_result_free(struct tcpretrans_result *r)
{
	free(r->flows);
	memset(r, 0, sizeof(*r));
}

void tcpretrans_collector_close(struct tcpretrans_collector *c)
{
	if (!c)
		return;
	tcpretrans_bpf__destroy(c->skel);
	free(c);
}

/* --- printing --- */

static int on_event(void *arg, void *data, size_t size)
{
	struct tcpretrans *t = arg;
	const struct tcpretrans_event *e = data;
	char l[INET_ENDPOINT_STRLEN], r[INET_ENDPOINT_STRLEN], now[16];
	struct json j;

	if (size < sizeof(*e))
		return 0;
	if (e->err) {
		t->seen.failed++;
	} else {
		t->seen.events++;
		t->seen.segs += e->segs;
	}
	if (t->common.json) {
		json_begin(&j, stdout, "tcpretrans");
		json_u64(&j, "pid", e->pid);
		json_str(&j, "comm", e->comm);
		net_flow_json(&j, &e->flow);
		json_u64(&j, "netns", e->netns);
		json_str(&j, "state", inet_tcp_state_name(e->state));
		json_str(&j, "type", e->kind == TCPRETRANS_SYNACK ? "synack" : "data");
		json_u64(&j, "segs", e->segs);
		json_i64(&j, "err", e->err);
		if (t->stack)
			net_print_kernel_stack(&t->syms, bpf_map__fd(t->skel->maps.stacks), e->stack_id, &j,
					       NULL);
		json_end(&j);
		return 0;
	}
	cli_strftime_now(now, sizeof(now));
	net_flow_end(&e->flow, 1, l, sizeof(l));
	net_flow_end(&e->flow, 0, r, sizeof(r));
	printf("%-8s %-7u %-2d %-24s %s %-24s %-11s %4u", now, e->pid,
	       e->flow.family == AF_INET6 ? 6 : 4, l, e->kind == TCPRETRANS_SYNACK ? "S>" : "R>", r,
	       inet_tcp_state_name(e->state), e->segs);
	if (e->err)
		printf(" err %d", e->err);
	putchar('\n');
	if (t->stack)
		net_print_kernel_stack(&t->syms, bpf_map__fd(t->skel->maps.stacks), e->stack_id, NULL,
				       stdout);
	return 0;
}

static void print_counts(struct tcpretrans *t, const struct tcpretrans_result *res)
{
	char l[INET_ENDPOINT_STRLEN], r[INET_ENDPOINT_STRLEN];
	struct json j;

	if (t->common.json) {
		json_begin(&j, stdout, "tcpretrans");
		json_u64(&j, "interval_s", t->common.interval_s);
		json_array_open(&j, "flows");
		for (size_t i = 0; i < res->n; i++) {
			const struct tcpretrans_flow *f = &res->flows[i];
			json_object_open(&j, NULL);
			net_flow_json(&j, &f->key.flow);
			json_u64(&j, "netns", f->key.netns);
			json_u64(&j, "retransmits", f->count.events);
			json_u64(&j, "segs", f->count.segs);
			json_u64(&j, "failed", f->count.failed);
			json_object_close(&j);
		}
		json_array_close(&j);
		json_u64(&j, "retransmits", res->total.events);
		json_u64(&j, "segs", res->total.segs);
		json_u64(&j, "failed", res->total.failed);
		json_end(&j);
		return;
	}
	if (t->timestamp)
		out_timestamp_line(stdout);
	printf("%-28s %-28s %11s %8s %6s\n", "LADDR:LPORT", "RADDR:RPORT", "RETRANSMITS", "SEGS",
	       "FAILED");
	for (size_t i = 0; i < res->n; i++) {
		const struct tcpretrans_flow *f = &res->flows[i];
		printf("%-28s %-28s %11llu %8llu %6llu\n",
		       net_flow_end(&f->key.flow, 1, l, sizeof(l)),
		       net_flow_end(&f->key.flow, 0, r, sizeof(r)),
		       (unsigned long long)f->count.events, (unsigned long long)f->count.segs,
		       (unsigned long long)f->count.failed);
	}
	printf("%d retransmits (skbs), %llu segments, %llu failed\n", (int)res->total.events,
	       (unsigned long long)res->total.segs, (unsigned long long)res->total.failed);
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct tcpretrans *t = arg;
	struct tcpretrans_collector c = {.skel = t->skel};
	uint64_t lost = wbpf_lost_events(bpf_map__fd(t->skel->maps.lost));
	struct tcpretrans_result res;
	struct json j;
	int err;

	net_drain_ring(arg); /* events still in the buffer come before the summary */
	if (t->count) {
		if ((err = tcpretrans_collector_read(&c, true, &res)))
			return cli_fail("reading the counts map failed: %s", strerror(-err));
		print_counts(t, &res);
		tcpretrans_result_free(&res);
		return 0;
	}
	if (!last && !t->common.interval_s)
		return 0;
	if (t->common.json) {
		json_begin(&j, stdout, "tcpretrans");
		json_bool(&j, "summary", true);
		json_u64(&j, "retransmits", t->seen.events);
		json_u64(&j, "segs", t->seen.segs);
		json_u64(&j, "failed", t->seen.failed);
		json_u64(&j, "lost_events", lost);
		json_end(&j);
	} else {
		fprintf(stderr, "%llu retransmits (skbs), %llu segments, %llu failed\n",
			(unsigned long long)t->seen.events, (unsigned long long)t->seen.segs,
			(unsigned long long)t->seen.failed);
		if (lost)
			fprintf(stderr, "%llu events lost\n", (unsigned long long)lost);
	}
	return 0;
}

int cmd_tcpretrans(int argc, char **argv)
{
	struct tcpretrans t = {0};
	struct cli_loop_ops ops = {.tick = tick};
	int err;

	cli_parse(&tcpretrans_spec, argc, argv, &t.common, on_option, &t);
	if (t.count && t.stack)
		cli_usage_error("-c and -s exclude each other: counts carry no stacks");
	if (t.common.interval_s && !t.count)
		cli_usage_error("an interval needs -c: without it each retransmit prints as it happens");
	wbpf_init(t.common.verbose);
	if (load(&t.skel, t.count, t.stack))
		return EXIT_RUNTIME;
	if (!t.count) {
		t.rb = ring_buffer__new(bpf_map__fd(t.skel->maps.events), on_event, &t, NULL);
		if (!t.rb) {
			err = cli_fail("creating the ring buffer failed: %s", strerror(errno));
			goto out;
		}
		ops.poll = net_poll_ring;
	}
	if (t.stack && stack_syms_open(&t.syms, true, false))
		cli_warn("cannot read /proc/kallsyms: stacks print as addresses");
	fprintf(stderr, "Tracing retransmits... Hit Ctrl-C to end.\n");
	if (!t.common.json) {
		if (!t.count)
			printf("%-8s %-7s %-2s %-24s %s %-24s %-11s %4s\n", "TIME", "PID", "IP",
			       "LADDR:LPORT", "T>", "RADDR:RPORT", "STATE", "SEGS");
	}
	err = cli_run_loop(&t.common, &ops, &t);
out:
	stack_syms_close(&t.syms);
	ring_buffer__free(t.rb);
	tcpretrans_bpf__destroy(t.skel);
	return err;
}
