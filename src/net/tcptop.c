/* tcptop: bytes sent and received per TCP connection and per process, every interval,
 * summed in the kernel (sock:sock_send_length, sock:sock_recv_length). Options and output
 * follow bcc's tcptop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/inet.h"
#include "lib/out.h"
#include "net/netout.h"
#include "net/tcptop.h"
#include "tcptop.skel.h"
#include "lib/sort.h"

struct tcptop_row {
	struct tcptop_key key;
	struct tcptop_sock sock; /* endpoints and namespace */
	struct tcptop_bytes bytes;
	char comm[16];
};

struct tcptop {
	struct cli_common common;
	bool no_clear, no_summary, per_process;
	pid_t pid;
	int family;
	unsigned rows;
	struct tcptop_bpf *skel;
	struct tcptop_row *r;
	size_t n;
};

static const struct cli_opt options[] = {
	{'C', "noclear", NULL, "don't clear the screen (the output scrolls)"},
	{'S', "nosummary", NULL, "skip the system summary line"},
	{'P', "per-process", NULL, "also sum per process"},
	{'p', "pid", "PID", "trace this process only"},
	{'4', "ipv4", NULL, "IPv4 only"},
	{'6', "ipv6", NULL, "IPv6 only"},
	{'r', "rows", "N", "print at most N connections (default 20)"},
	{0},
};

const struct cli_spec tcptop_spec = {
	.name = "tcptop",
	.summary = "TCP bytes sent and received per connection and process, summed in the kernel",
	.usage = "[-C] [-S] [-P] [-p PID] [-4 | -6] [-r N] [--json] [interval [count]]",
	.description =
		"Sums the bytes of every sendmsg and recvmsg on TCP sockets per connection and\n"
		"process (sock:sock_send_length, sock:sock_recv_length) in a BPF map; only the\n"
		"sums are copied out each interval (default 1 s). A packet-capture tool such as\n"
		"iftop pays for every packet in user space instead (case C9). Bytes are what\n"
		"applications handed to or took from the socket, not what went on the wire:\n"
		"retransmits and headers are not counted (see tcpretrans, nicstat).",
	.opts = options,
	.examples = "  whyslow tcptop                  # every second until Ctrl-C\n"
		    "  whyslow tcptop -C 5 3           # every 5 s, three times, scrolling\n"
		    "  whyslow tcptop -P -p 1234       # process 1234, with its total\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct tcptop *t = arg;

	switch (key) {
	case 'C': t->no_clear = true; break;
	case 'S': t->no_summary = true; break;
	case 'P': t->per_process = true; break;
	case 'p': t->pid = cli_parse_pid(val); break;
	case '4': t->family = AF_INET; break;
	case '6': t->family = AF_INET6; break;
	case 'r': t->rows = cli_parse_ulong(val, "rows", 1, 100000); break;
	}
	return 0;
}

static void add_row(const void *key, const void *value, void *arg)
{
	struct tcptop *t = arg;
	struct tcptop_row *r = realloc(t->r, (t->n + 1) * sizeof(*r));

	if (!r)
		return;
	t->r = r;
	r += t->n++;
	memset(r, 0, sizeof(*r));
	memcpy(&r->key, key, sizeof(r->key));
	memcpy(&r->bytes, value, sizeof(r->bytes));
}

static int by_bytes(const void *a, const void *b)
{
	const struct tcptop_row *x = a, *y = b;
	uint64_t tx = x->bytes.sent + x->bytes.received, ty = y->bytes.sent + y->bytes.received;
	int c;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	c = memcmp(&x->sock, &y->sock, sizeof(x->sock));
	return c ? c : memcmp(&x->key, &y->key, sizeof(x->key));
}

/* Per-process sums: rows with the same PID folded into one, flow zeroed. */
static size_t fold_processes(const struct tcptop_row *rows, size_t n, struct tcptop_row *out)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < m && out[k].key.pid != rows[i].key.pid; k++)
			;
		if (k == m) {
			memset(&out[m], 0, sizeof(out[m]));
			out[m].key.pid = rows[i].key.pid;
			memcpy(out[m].comm, rows[i].comm, sizeof(out[m].comm));
			m++;
		}
		out[k].bytes.sent += rows[i].bytes.sent;
		out[k].bytes.received += rows[i].bytes.received;
	}
	sort_rows(out, m, sizeof(*out), by_bytes);
	return m;
}

static void print_json(struct tcptop *t, const struct tcptop_row *procs, size_t nprocs)
{
	struct json j;

	json_begin(&j, stdout, "tcptop");
	json_u64(&j, "interval_s", t->common.interval_s);
	json_array_open(&j, "connections");
	for (size_t i = 0; i < t->n; i++) {
		json_object_open(&j, NULL);
		json_u64(&j, "pid", t->r[i].key.pid);
		json_str(&j, "comm", t->r[i].comm);
		net_flow_json(&j, &t->r[i].sock.flow);
		json_u64(&j, "netns", t->r[i].sock.netns);
		json_u64(&j, "rx_bytes", t->r[i].bytes.received);
		json_u64(&j, "tx_bytes", t->r[i].bytes.sent);
		json_object_close(&j);
	}
	json_array_close(&j);
	json_array_open(&j, "processes");
	for (size_t i = 0; i < nprocs; i++) {
		json_object_open(&j, NULL);
		json_u64(&j, "pid", procs[i].key.pid);
		json_str(&j, "comm", procs[i].comm);
		json_u64(&j, "rx_bytes", procs[i].bytes.received);
		json_u64(&j, "tx_bytes", procs[i].bytes.sent);
		json_object_close(&j);
	}
	json_array_close(&j);
	json_end(&j);
}

static void print_text(struct tcptop *t, const struct tcptop_row *procs, size_t nprocs)
{
	char l[INET_ENDPOINT_STRLEN], r[INET_ENDPOINT_STRLEN], now[16], buf[256] = "";
	unsigned rows = t->rows ? t->rows : 20;

	if (!t->no_clear)
		printf("\033[H\033[2J");
	cli_strftime_now(now, sizeof(now));
	printf("%s", now);
	if (!t->no_summary) {
		FILE *f = fopen("/proc/loadavg", "r");
		if (f && fgets(buf, sizeof(buf), f))
			printf(" loadavg: %s", buf);
		if (f)
			fclose(f);
	}
	if (!strchr(buf, '\n') || t->no_summary)
		putchar('\n');
	printf("%-7s %-12s %-26s %-26s %10s %10s\n", "PID", "COMM", "LADDR", "RADDR", "RX_KB",
	       "TX_KB");
	for (size_t i = 0; i < t->n && i < rows; i++)
		printf("%-7u %-12.12s %-26s %-26s %10llu %10llu\n", t->r[i].key.pid, t->r[i].comm,
		       net_flow_end(&t->r[i].sock.flow, 1, l, sizeof(l)),
		       net_flow_end(&t->r[i].sock.flow, 0, r, sizeof(r)),
		       (unsigned long long)t->r[i].bytes.received / 1024,
		       (unsigned long long)t->r[i].bytes.sent / 1024);
	if (t->per_process) {
		printf("\n%-7s %-12s %10s %10s\n", "PID", "COMM", "RX_KB", "TX_KB");
		for (size_t i = 0; i < nprocs; i++)
			printf("%-7u %-12.12s %10llu %10llu\n", procs[i].key.pid, procs[i].comm,
			       (unsigned long long)procs[i].bytes.received / 1024,
			       (unsigned long long)procs[i].bytes.sent / 1024);
	}
	putchar('\n');
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct tcptop *t = arg;
	struct tcptop_row *procs;
	size_t nprocs;
	int n;

	(void)last;
	t->n = 0;
	n = wbpf_hash_walk(bpf_map__fd(t->skel->maps.bytes), sizeof(struct tcptop_key),
			   sizeof(struct tcptop_bytes), true, true, add_row, t);
	if (n < 0)
		return cli_fail("reading the byte counts failed: %s", strerror(-n));
	for (size_t i = 0; i < t->n; i++) {
		struct tcptop_comm name = {{0}};
		bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.socks), &t->r[i].key, &t->r[i].sock);
		bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.comms), &t->r[i].key.pid, &name);
		snprintf(t->r[i].comm, sizeof(t->r[i].comm), "%.15s", name.comm[0] ? name.comm : "?");
	}
	sort_rows(t->r, t->n, sizeof(*t->r), by_bytes);
	procs = calloc(t->n ? t->n : 1, sizeof(*procs));
	if (!procs)
		return cli_fail("out of memory");
	nprocs = fold_processes(t->r, t->n, procs);
	if (t->common.json)
		print_json(t, procs, nprocs);
	else
		print_text(t, procs, nprocs);
	free(procs);
	return 0;
}

static int load(struct tcptop *t, bool use_btf)
{
	struct tcptop_bpf *skel = tcptop_bpf__open();
	int err;

	t->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->filter_tgid = t->pid > 0;
	skel->rodata->targ_tgid = (uint32_t)t->pid;
	skel->rodata->targ_family = (uint16_t)t->family;
	wbpf_pick(skel->progs.send_btf, skel->progs.send_raw, use_btf);
	wbpf_pick(skel->progs.recv_btf, skel->progs.recv_raw, use_btf);
	err = tcptop_bpf__load(skel);
	if (!err)
		err = tcptop_bpf__attach(skel);
	return err;
}

int cmd_tcptop(int argc, char **argv)
{
	static const char *const tracepoints[] = {"sock", "sock_send_length", "sock",
						  "sock_recv_length", NULL};
	struct tcptop t = {0};
	struct cli_loop_ops ops = {.tick = tick};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&tcptop_spec, argc, argv, &t.common, on_option, &t);
	if (!t.common.interval_s) { /* bcc's default: every second */
		t.common.interval_s = 1;
		t.common.count = -1;
	}
	wbpf_init(t.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load(&t, use_btf);
	if (err && use_btf) {
		tcptop_bpf__destroy(t.skel);
		err = load(&t, false);
	}
	if (err) {
		tcptop_bpf__destroy(t.skel);
		return wbpf_load_error("tcptop's BPF programs", err);
	}
	fprintf(stderr, "Tracing TCP bytes... Hit Ctrl-C to end.\n");
	err = cli_run_loop(&t.common, &ops, &t);
	free(t.r);
	tcptop_bpf__destroy(t.skel);
	return err;
}
