/* hardirqs: time and count per hardware interrupt handler, total or per CPU (-C), with
 * distributions (-d), from irq:irq_handler_entry/exit. Options and output follow bcc's
 * hardirqs, except -C: here per CPU (the count bcc's -C gives is always shown). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/hist.h"
#include "lib/out.h"
#include "irq/hardirqs.h"
#include "hardirqs.skel.h"
#include "lib/sort.h"

struct hardirqs_row {
	struct hardirqs_key key;
	struct hardirqs_value v;
};

struct hardirqs {
	struct cli_common common;
	bool dist, ns, per_cpu, timestamp;
	int cpu;
	struct hardirqs_bpf *skel;
	struct hardirqs_row *rows;
	size_t n;
};

static const struct cli_opt options[] = {
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'N', "nanoseconds", NULL, "times in nanoseconds"},
	{'d', "dist", NULL, "duration distributions (histograms) per handler"},
	{'C', "cpus", NULL, "per CPU"},
	{'c', "cpu", "CPU", "this CPU only"},
	{0},
};

const struct cli_spec hardirqs_spec = {
	.name = "hardirqs",
	.summary = "time and count per hardware interrupt handler, per CPU (-C), distributions (-d)",
	.usage = "[-T] [-N] [-d] [-C] [-c CPU] [--json] [interval [count]]",
	.description =
		"Sums the time each interrupt handler runs (irq:irq_handler_entry/exit), by IRQ\n"
		"number and handler name as /proc/interrupts shows them (virtio0-input.0,\n"
		"nvme0q1, eth0-TxRx-0, ...). Local APIC timer, IPI and other architecture\n"
		"interrupts do not go through these handlers and are not shown (see the LOC, RES,\n"
		"CAL lines of /proc/interrupts). -C splits per CPU; bcc's -C (counts) is the\n"
		"COUNT column, always shown.",
	.opts = options,
	.examples = "  whyslow hardirqs 1 5            # every second, five times\n"
		    "  whyslow hardirqs -C -d          # per CPU, histograms, at Ctrl-C\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct hardirqs *h = arg;

	switch (key) {
	case 'T': h->timestamp = true; break;
	case 'N': h->ns = true; break;
	case 'd': h->dist = true; break;
	case 'C': h->per_cpu = true; break;
	case 'c': h->cpu = cli_parse_cpu(val); break;
	}
	return 0;
}

static void add_row(const void *key, const void *value, void *arg)
{
	struct hardirqs *h = arg;
	struct hardirqs_row *r = realloc(h->rows, (h->n + 1) * sizeof(*r));

	if (!r)
		return;
	h->rows = r;
	memcpy(&r[h->n].key, key, sizeof(r->key));
	memcpy(&r[h->n].v, value, sizeof(r->v));
	h->n++;
}

static int by_cpu_time(const void *a, const void *b)
{
	const struct hardirqs_row *x = a, *y = b;

	if (x->key.cpu != y->key.cpu)
		return x->key.cpu < y->key.cpu ? -1 : 1;
	if (x->v.time_ns != y->v.time_ns)
		return x->v.time_ns < y->v.time_ns ? 1 : -1;
	return x->key.irq < y->key.irq ? -1 : x->key.irq > y->key.irq;
}

static void row_hist(const struct hardirqs_row *r, struct hist *hist)
{
	hist_init_log2(hist, HARDIRQS_SLOTS);
	hist_add_slots(hist, (const uint64_t *)r->v.slots, HARDIRQS_SLOTS);
}

static void print_json(struct hardirqs *h)
{
	struct hist hist;
	struct json j;

	json_begin(&j, stdout, "hardirqs");
	json_u64(&j, "interval_s", h->common.interval_s);
	json_array_open(&j, "handlers");
	for (size_t i = 0; i < h->n; i++) {
		const struct hardirqs_row *r = &h->rows[i];
		json_object_open(&j, NULL);
		json_u64(&j, "irq", r->key.irq);
		json_str(&j, "name", r->key.name);
		if (h->per_cpu)
			json_u64(&j, "cpu", r->key.cpu);
		json_u64(&j, "time_ns", r->v.time_ns);
		json_u64(&j, "count", r->v.count);
		if (h->dist) {
			row_hist(r, &hist);
			hist_json(&hist, h->ns ? "ns" : "us", &j, "duration");
		}
		json_object_close(&j);
	}
	json_array_close(&j);
	json_end(&j);
}

static void print_text(struct hardirqs *h)
{
	struct hist hist;
	long last_cpu = -1;

	if (h->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	if (!h->dist)
		printf("%s%-5s %-28s %14s %10s\n", h->per_cpu ? "CPU  " : "", "IRQ", "HARDIRQ",
		       h->ns ? "TOTAL_nsecs" : "TOTAL_usecs", "COUNT");
	for (size_t i = 0; i < h->n; i++) {
		const struct hardirqs_row *r = &h->rows[i];
		if (h->dist) {
			if (h->per_cpu)
				printf("\nhardirq = %s (irq %u) on CPU %u\n", r->key.name, r->key.irq,
				       r->key.cpu);
			else
				printf("\nhardirq = %s (irq %u)\n", r->key.name, r->key.irq);
			row_hist(r, &hist);
			hist_print(&hist, h->ns ? "nsecs" : "usecs", stdout);
			continue;
		}
		if (h->per_cpu && last_cpu >= 0 && last_cpu != (long)r->key.cpu)
			putchar('\n');
		last_cpu = r->key.cpu;
		if (h->per_cpu)
			printf("%-4u ", r->key.cpu);
		printf("%-5u %-28s %14llu %10llu\n", r->key.irq, r->key.name,
		       (unsigned long long)(h->ns ? r->v.time_ns : r->v.time_ns / 1000),
		       (unsigned long long)r->v.count);
	}
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct hardirqs *h = arg;
	int n;

	(void)last;
	h->n = 0;
	n = wbpf_hash_walk(bpf_map__fd(h->skel->maps.stats), sizeof(struct hardirqs_key),
			   sizeof(struct hardirqs_value), true, true, add_row, h);
	if (n < 0)
		return cli_fail("reading the handler map failed: %s", strerror(-n));
	sort_rows(h->rows, h->n, sizeof(*h->rows), by_cpu_time);
	if (h->common.json)
		print_json(h);
	else
		print_text(h);
	return 0;
}

static int load(struct hardirqs *h, bool use_btf)
{
	struct hardirqs_bpf *skel = hardirqs_bpf__open();
	int err;

	h->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_dist = h->dist;
	skel->rodata->targ_ns = h->ns;
	skel->rodata->targ_per_cpu = h->per_cpu;
	skel->rodata->targ_cpu = h->cpu;
	wbpf_pick(skel->progs.entry_btf, skel->progs.entry_raw, use_btf);
	wbpf_pick(skel->progs.exit_btf, skel->progs.exit_raw, use_btf);
	err = hardirqs_bpf__load(skel);
	if (!err)
		err = hardirqs_bpf__attach(skel);
	return err;
}

int cmd_hardirqs(int argc, char **argv)
{
	static const char *const tracepoints[] = {"irq", "irq_handler_entry", "irq",
						  "irq_handler_exit", NULL};
	struct hardirqs h = {.cpu = -1};
	struct cli_loop_ops ops = {.tick = tick};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&hardirqs_spec, argc, argv, &h.common, on_option, &h);
	wbpf_init(h.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load(&h, use_btf);
	if (err && use_btf) {
		hardirqs_bpf__destroy(h.skel);
		err = load(&h, false);
	}
	if (err) {
		hardirqs_bpf__destroy(h.skel);
		return wbpf_load_error("hardirqs's BPF programs", err);
	}
	fprintf(stderr, "Tracing hard irq event time... Hit Ctrl-C to end.\n");
	err = cli_run_loop(&h.common, &ops, &h);
	free(h.rows);
	hardirqs_bpf__destroy(h.skel);
	return err;
}
