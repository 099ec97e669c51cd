/* skbdrop (and tcpdrop): every packet the kernel drops, from skb:kfree_skb, with the
 * kernel's drop reason by name (read from BTF), protocol, addresses and ports, the code
 * location that dropped it, kernel stacks (-s), and counts by reason and location (-c).
 * Invoked as tcpdrop it shows TCP packets only, as bcc's tcpdrop does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/bpf.h"
#include "lib/btfenum.h"
#include "lib/cli.h"
#include "lib/inet.h"
#include "lib/out.h"
#include "net/netout.h"
#include "net/skbdrop.h"
#include "skbdrop.skel.h"
#include "lib/sort.h"

struct skbdrop {
	struct ring_buffer *rb; /* first: net_poll_ring() finds it here */
	struct cli_common common;
	bool count, stack, timestamp, tcp_only;
	struct skbdrop_bpf *skel;
	struct stack_syms syms;
	uint64_t seen;
};

static const struct cli_opt options[] = {
	{'c', "count", NULL, "count drops by reason and location instead of printing each"},
	{'s', "stack", NULL, "print the kernel stack of each drop"},
	{'T', "timestamp", NULL, "with -c and an interval, a timestamp per interval"},
	{0},
};

const struct cli_spec skbdrop_spec = {
	.name = "skbdrop",
	.summary = "dropped packets with the kernel's drop reason, addresses, location; counts (-c)",
	.usage = "[-c] [-s] [-T] [--json] [interval [count]]",
	.description =
		"Shows every packet the kernel drops, from skb:kfree_skb: the drop reason as this\n"
		"kernel names it (NETFILTER_DROP, QDISC_DROP, TCP_INVALID_SEQUENCE, NO_SOCKET,\n"
		"VXLAN_INVALID_HDR...), the protocol, addresses and ports parsed from the packet's\n"
		"headers, the kernel function that dropped it and, with -s, the kernel stack.\n"
		"NOT_SPECIFIED means the code that freed the packet gave no reason: the location\n"
		"and stack then tell. Invoked as tcpdrop, only TCP packets show (bcc's tcpdrop).",
	.opts = options,
	.examples = "  whyslow skbdrop                 # each drop until Ctrl-C\n"
		    "  whyslow skbdrop -c 5            # counts by reason and location every 5 s\n"
		    "  whyslow skbdrop -s              # with kernel stacks\n"
		    "  whyslow tcpdrop                 # TCP packets only\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct skbdrop *d = arg;

	(void)val;
	switch (key) {
	case 'c': d->count = true; break;
	case 's': d->stack = true; break;
	case 'T': d->timestamp = true; break;
	}
	return 0;
}

const char *skbdrop_reason_name(uint32_t reason, char *buf, size_t size)
{
	static struct btfenum *names;
	static bool tried;

	if (!tried) { /* loaded once: the kernel's names do not change while we run */
		names = btfenum_load("skb_drop_reason", "SKB_DROP_REASON_", NULL);
		tried = true;
	}
	return btfenum_format(names, reason, "reason ", buf, size);
}

/* --- loading, shared by the command and the collector --- */

static int load_once(struct skbdrop_bpf **out, const struct skbdrop *opt, bool use_btf)
{
	struct skbdrop_bpf *skel = skbdrop_bpf__open();
	int err;

	*out = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_count = opt->count;
	skel->rodata->targ_stack = opt->stack;
	skel->rodata->targ_tcp_only = opt->tcp_only;
	wbpf_pick(skel->progs.kfree_skb_btf, skel->progs.kfree_skb_raw, use_btf);
	if (!opt->stack)
		bpf_map__set_max_entries(skel->maps.stacks, 1);
	if (!opt->count)
		bpf_map__set_max_entries(skel->maps.counts, 1);
	err = skbdrop_bpf__load(skel);
	if (!err)
		err = skbdrop_bpf__attach(skel);
	return err;
}

static int load(struct skbdrop_bpf **out, const struct skbdrop *opt)
{
	static const char *const tracepoints[] = {"skb", "kfree_skb", NULL};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return -EINVAL;
	err = load_once(out, opt, use_btf);
	if (err && use_btf) { /* tp_btf refused: raw tracepoints */
		skbdrop_bpf__destroy(*out);
		err = load_once(out, opt, false);
	}
	if (err) {
		skbdrop_bpf__destroy(*out);
		*out = NULL;
		wbpf_load_error("skbdrop's BPF programs", err);
	}
	return err;
}

/* --- the count collector --- */

struct skbdrop_collector {
	struct skbdrop_bpf *skel;
};

struct skbdrop_collector *skbdrop_collector_open(bool tcp_only)
{
	struct skbdrop opt = {.count = true, .tcp_only = tcp_only};
	struct skbdrop_collector *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (load(&c->skel, &opt)) {
		free(c);
		errno = EINVAL;
		return NULL;
	}
	return c;
}

static void add_count(const void *key, const void *value, void *arg)
{
	struct skbdrop_result *r = arg;
	struct skbdrop_count *c = realloc(r->counts, (r->n + 1) * sizeof(*c));

	if (!c)
		return;
	r->counts = c;
	memcpy(&c[r->n].key, key, sizeof(c->key));
	c[r->n].drops = *(const uint64_t *)value;
	r->total += c[r->n].drops;
	r->n++;
}

static int by_drops(const void *a, const void *b)
{
	const struct skbdrop_count *x = a, *y = b;

	if (x->drops != y->drops)
		return x->drops < y->drops ? 1 : -1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

int skbdrop_collector_read(struct skbdrop_collector *c, bool clear, struct skbdrop_result *out)
{
	int n;

	memset(out, 0, sizeof(*out));
	n = wbpf_hash_walk(bpf_map__fd(c->skel->maps.counts), sizeof(struct skbdrop_key),
			   sizeof(uint64_t), true, clear, add_count, out);
	if (n < 0)
		return n;
	sort_rows(out->counts, out->n, sizeof(*out->counts), by_drops);
	return 0;
}

void skbdrop_result_free(struct skbdrop_result *r)
{
	free(r->counts);
	memset(r, 0, sizeof(*r));
}

void skbdrop_collector_close(struct skbdrop_collector *c)
{
	if (!c)
		return;
	skbdrop_bpf__destroy(c->skel);
	free(c);
}

/* --- printing --- */

static const char *proto_name(unsigned l3, unsigned l4, char *buf, size_t size)
{
	if (l4 == 6)
		return "TCP";
	if (l4 == 17)
		return "UDP";
	if (l4 == 1 || l4 == 58)
		return "ICMP";
	if (l3 == 0x0806)
		return "ARP";
	if (l3 == 0x0800 || l3 == 0x86dd)
		snprintf(buf, size, "ip%u", l4);
	else
		snprintf(buf, size, "0x%04x", l3);
	return buf;
}

static int on_event(void *arg, void *data, size_t size)
{
	struct skbdrop *d = arg;
	const struct skbdrop_event *e = data;
	char reason[64], loc[256], pbuf[16], l[INET_ENDPOINT_STRLEN], r[INET_ENDPOINT_STRLEN];
	char now[16];
	const char *proto;
	struct json j;

	if (size < sizeof(*e))
		return 0;
	d->seen++;
	skbdrop_reason_name(e->reason, reason, sizeof(reason));
	stack_kernel_frame(&d->syms, e->location, loc, sizeof(loc));
	proto = proto_name(e->l3proto, e->l4proto, pbuf, sizeof(pbuf));
	if (d->common.json) {
		json_begin(&j, stdout, d->tcp_only ? "tcpdrop" : "skbdrop");
		json_u64(&j, "pid", e->pid);
		json_str(&j, "comm", e->comm);
		json_str(&j, "reason", reason);
		json_u64(&j, "reason_code", e->reason);
		json_str(&j, "location", loc);
		json_str(&j, "protocol", proto);
		if (e->flow.family)
			net_flow_json(&j, &e->flow);
		json_u64(&j, "netns", e->netns);
		json_u64(&j, "ifindex", e->ifindex);
		if (d->stack)
			net_print_kernel_stack(&d->syms, bpf_map__fd(d->skel->maps.stacks),
					       e->stack_id, &j, NULL);
		json_end(&j);
		return 0;
	}
	cli_strftime_now(now, sizeof(now));
	if (e->flow.family) {
		net_flow_end(&e->flow, 1, l, sizeof(l));
		net_flow_end(&e->flow, 0, r, sizeof(r));
	} else {
		snprintf(l, sizeof(l), "-");
		snprintf(r, sizeof(r), "-");
	}
	printf("%-8s %-7u %-5s %-24s > %-24s %-22s %s\n", now, e->pid, proto, l, r, reason, loc);
	if (d->stack)
		net_print_kernel_stack(&d->syms, bpf_map__fd(d->skel->maps.stacks), e->stack_id,
				       NULL, stdout);
	return 0;
}

static void print_counts(struct skbdrop *d, const struct skbdrop_result *res)
{
	char reason[64], loc[256];
	struct json j;

	if (d->common.json) {
		json_begin(&j, stdout, d->tcp_only ? "tcpdrop" : "skbdrop");
		json_u64(&j, "interval_s", d->common.interval_s);
		json_array_open(&j, "drops");
		for (size_t i = 0; i < res->n; i++) {
			const struct skbdrop_count *c = &res->counts[i];
			json_object_open(&j, NULL);
			json_str(&j, "reason", skbdrop_reason_name(c->key.reason, reason,
								   sizeof(reason)));
			json_str(&j, "location", stack_kernel_frame(&d->syms, c->key.location, loc,
								    sizeof(loc)));
			json_u64(&j, "netns", c->key.netns);
			json_u64(&j, "count", c->drops);
			json_object_close(&j);
		}
		json_array_close(&j);
		json_u64(&j, "total", res->total);
		json_end(&j);
		return;
	}
	if (d->timestamp)
		out_timestamp_line(stdout);
	printf("%-26s %-40s %10s %10s\n", "REASON", "LOCATION", "NETNS", "COUNT");
	for (size_t i = 0; i < res->n; i++) {
		const struct skbdrop_count *c = &res->counts[i];
		printf("%-26s %-40s %10u %10llu\n",
		       skbdrop_reason_name(c->key.reason, reason, sizeof(reason)),
		       stack_kernel_frame(&d->syms, c->key.location, loc, sizeof(loc)),
		       c->key.netns, (unsigned long long)c->drops);
	}
	printf("%llu drops\n", (unsigned long long)res->total);
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct skbdrop *d = arg;
	struct skbdrop_collector c = {.skel = d->skel};
	uint64_t lost = wbpf_lost_events(bpf_map__fd(d->skel->maps.lost));
	struct skbdrop_result res;
	struct json j;
	int err;

	net_drain_ring(arg); /* events still in the buffer come before the summary */
	if (d->count) {
		if ((err = skbdrop_collector_read(&c, true, &res)))
			return cli_fail("reading the counts map failed: %s", strerror(-err));
		print_counts(d, &res);
		skbdrop_result_free(&res);
		return 0;
	}
	if (!last)
		return 0;
	if (d->common.json) {
		json_begin(&j, stdout, d->tcp_only ? "tcpdrop" : "skbdrop");
		json_bool(&j, "summary", true);
		json_u64(&j, "drops", d->seen);
		json_u64(&j, "lost_events", lost);
		json_end(&j);
	} else {
		fprintf(stderr, "%llu drops\n", (unsigned long long)d->seen);
		if (lost)
			fprintf(stderr, "%llu events lost\n", (unsigned long long)lost);
	}
	return 0;
}

int cmd_skbdrop(int argc, char **argv)
{
	struct skbdrop d = {0};
	struct cli_loop_ops ops = {.tick = tick};
	int err;

	d.tcp_only = strcmp(argv[0], "tcpdrop") == 0;
	cli_parse(&skbdrop_spec, argc, argv, &d.common, on_option, &d);
	if (d.count && d.stack)
		cli_usage_error("-c and -s exclude each other: counts carry no stacks");
	if (d.common.interval_s && !d.count)
		cli_usage_error("an interval needs -c: without it each drop prints as it happens");
	wbpf_init(d.common.verbose);
	if (load(&d.skel, &d))
		return EXIT_RUNTIME;
	if (!d.count) {
		d.rb = ring_buffer__new(bpf_map__fd(d.skel->maps.events), on_event, &d, NULL);
		if (!d.rb) {
			err = cli_fail("creating the ring buffer failed: %s", strerror(errno));
			goto out;
		}
		ops.poll = net_poll_ring;
	}
	if (stack_syms_open(&d.syms, true, false))
		cli_warn("cannot read /proc/kallsyms: locations print as addresses");
	d.syms.offsets = true;
	fprintf(stderr, "Tracing %s drops... Hit Ctrl-C to end.\n", d.tcp_only ? "TCP" : "packet");
	if (!d.common.json && !d.count)
		printf("%-8s %-7s %-5s %-24s   %-24s %-22s %s\n", "TIME", "PID", "PROTO", "SADDR:SPORT",
		       "DADDR:DPORT", "REASON", "LOCATION");
	err = cli_run_loop(&d.common, &ops, &d);
out:
	stack_syms_close(&d.syms);
	ring_buffer__free(d.rb);
	skbdrop_bpf__destroy(d.skel);
	return err;
}
