/* softirqs: time spent in each softirq vector, total or per CPU (-C), as distributions
 * (-d), on one CPU (-c), and with --timers the timer functions run in TIMER softirq (case
 * C8: which timer hogs CPU 0). From irq:softirq_entry/exit and timer:timer_expire_entry/
 * exit. Options and output follow bcc's softirqs. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/hist.h"
#include "lib/out.h"
#include "lib/stacks.h"
#include "irq/softirqs.h"
#include "softirqs.skel.h"
#include "lib/sort.h"

struct softirqs_collector {
	struct softirqs_bpf *skel;
	struct softirqs_options opts;
	unsigned ncpus;
};

struct softirqs_cmd {
	struct cli_common common;
	struct softirqs_options opts;
	bool per_cpu, timestamp;
	struct softirqs_collector *c;
	struct stack_syms syms;
};

static const struct cli_opt options[] = {
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'N', "nanoseconds", NULL, "times in nanoseconds"},
	{'d', "dist", NULL, "duration distributions (histograms) per vector"},
	{'C', "cpus", NULL, "per CPU"},
	{'c', "cpu", "CPU", "this CPU only"},
	{CLI_LONG_ONLY + 1, "timers", NULL, "also time each timer function run in TIMER softirq"},
	{0},
};

const struct cli_spec softirqs_spec = {
	.name = "softirqs",
	.summary = "time per softirq vector, per CPU (-C), distributions (-d), timer functions",
	.usage = "[-T] [-N] [-d] [-C] [-c CPU] [--timers] [--json] [interval [count]]",
	.description =
		"Sums the time each CPU spends in each softirq vector (NET_RX, TIMER, RCU, ...)\n"
		"from irq:softirq_entry/exit; -d shows how long single runs take. Packets wait\n"
		"while another softirq or a long one runs on their CPU (cases C4, C8): softirqs\n"
		"-d -c N shows TIMER runs of tens of ms, and --timers names the timer function\n"
		"(timer:timer_expire_entry/exit; e.g. estimation_timer of ipvs). Time spent in\n"
		"ksoftirqd counts too, as softirq time.",
	.opts = options,
	.examples = "  whyslow softirqs 1 5            # totals every second, five times\n"
		    "  whyslow softirqs -C -d -c 0     # CPU 0: histograms per vector\n"
		    "  whyslow softirqs --timers 10 1  # which timers ran how long\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct softirqs_cmd *s = arg;

	switch (key) {
	case 'T': s->timestamp = true; break;
	case 'N': s->opts.ns = true; break;
	case 'd': s->opts.dist = true; break;
	case 'C': s->per_cpu = true; break;
	case 'c': s->opts.cpu = cli_parse_cpu(val); break;
	case CLI_LONG_ONLY + 1: s->opts.timers = true; break;
	}
	return 0;
}

/* --- vector names, from /proc/softirqs (the kernel's own softirq_to_name) --- */

static char vec_names[SOFTIRQS_VECS][16];

static void load_vec_names(void)
{
	FILE *f = fopen("/proc/softirqs", "r");
	char line[4096];
	unsigned vec = 0;

	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) /* header: CPU0 CPU1 ... */
		while (vec < SOFTIRQS_VECS && fgets(line, sizeof(line), f)) {
			char *p = line, *colon;
			while (*p == ' ')
				p++;
			colon = strchr(p, ':');
			if (!colon)
				break;
			*colon = '\0';
			for (char *q = p; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			snprintf(vec_names[vec++], sizeof(vec_names[0]), "%.15s", p);
		}
	fclose(f);
}

const char *softirqs_vec_name(unsigned vec)
{
	static char fallback[SOFTIRQS_VECS][16];

	if (!vec_names[0][0])
		load_vec_names();
	if (vec < SOFTIRQS_VECS && vec_names[vec][0])
		return vec_names[vec];
	if (vec >= SOFTIRQS_VECS)
		return "?";
	snprintf(fallback[vec], sizeof(fallback[vec]), "vec%u", vec);
	return fallback[vec];
}

/* --- the collector --- */

static int load(struct softirqs_collector *c, bool use_btf)
{
	struct softirqs_bpf *skel = softirqs_bpf__open();
	int err;

	c->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_dist = c->opts.dist;
	skel->rodata->targ_ns = c->opts.ns;
	skel->rodata->targ_cpu = c->opts.cpu;
	wbpf_pick(skel->progs.entry_btf, skel->progs.entry_raw, use_btf);
	wbpf_pick(skel->progs.exit_btf, skel->progs.exit_raw, use_btf);
	if (c->opts.timers) {
		wbpf_pick(skel->progs.timer_entry_btf, skel->progs.timer_entry_raw, use_btf);
		wbpf_pick(skel->progs.timer_exit_btf, skel->progs.timer_exit_raw, use_btf);
	} else {
		bpf_program__set_autoload(skel->progs.timer_entry_btf, false);
		bpf_program__set_autoload(skel->progs.timer_entry_raw, false);
		bpf_program__set_autoload(skel->progs.timer_exit_btf, false);
		bpf_program__set_autoload(skel->progs.timer_exit_raw, false);
		bpf_map__set_max_entries(skel->maps.timers, 1);
	}
	err = softirqs_bpf__load(skel);
	if (!err)
		err = softirqs_bpf__attach(skel);
	return err;
}

struct softirqs_collector *softirqs_collector_open(const struct softirqs_options *o)
{
	static const char *const tracepoints[] = {"irq", "softirq_entry", "irq", "softirq_exit",
						  NULL};
	static const char *const timer_tps[] = {"timer", "timer_expire_entry", "timer",
						"timer_expire_exit", NULL};
	struct softirqs_collector *c = calloc(1, sizeof(*c));
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	if (!c)
		return NULL;
	c->opts = *o;
	c->ncpus = (unsigned)wbpf_ncpus();
	if (wbpf_check_prereqs() || wbpf_require_tracepoints(tracepoints) ||
	    (o->timers && wbpf_require_tracepoints(timer_tps)))
		goto fail;
	err = load(c, use_btf);
	if (err && use_btf) {
		softirqs_bpf__destroy(c->skel);
		err = load(c, false);
	}
	if (err) {
		softirqs_bpf__destroy(c->skel);
		wbpf_load_error("softirqs's BPF programs", err);
		goto fail;
	}
	return c;
fail:
	free(c);
	errno = EINVAL;
	return NULL;
}

static int read_cpus(struct softirqs_collector *c, bool clear, struct softirqs_result *out)
{
	int fd = bpf_map__fd(c->skel->maps.cpu_stats);
	struct softirqs_pcpu *raw = calloc(c->ncpus, sizeof(*raw));
	uint32_t zero = 0;
	int err = 0;

	out->cpus = calloc(c->ncpus, sizeof(*out->cpus));
	if (!raw || !out->cpus) {
		free(raw);
		return -ENOMEM;
	}
	out->ncpus = c->ncpus;
	if (bpf_map_lookup_elem(fd, &zero, raw)) {
		free(raw);
		return -errno;
	}
	for (unsigned i = 0; i < c->ncpus; i++) {
		for (unsigned v = 0; v < SOFTIRQS_VECS; v++) {
			out->cpus[i].time_ns[v] = raw[i].vec[v].time_ns;
			out->cpus[i].count[v] = raw[i].vec[v].count;
			out->cpus[i].max_ns[v] = raw[i].vec[v].max_ns;
		}
		memcpy(out->cpus[i].hist, raw[i].hist, sizeof(raw[i].hist));
		/* keep each CPU's running start so that a softirq in flight is still timed */
		memset(&raw[i].vec, 0, sizeof(raw[i].vec));
		memset(&raw[i].hist, 0, sizeof(raw[i].hist));
	}
	if (clear && bpf_map_update_elem(fd, &zero, raw, BPF_ANY))
		err = -errno;
	free(raw);
	return err;
}

static int by_time(const void *a, const void *b)
{
	const struct softirqs_timer_row *x = a, *y = b;

	if (x->t.time_ns != y->t.time_ns)
		return x->t.time_ns < y->t.time_ns ? 1 : -1;
	return x->function < y->function ? -1 : x->function > y->function;
}

/* Per-CPU values combined by hand: times and counts add, maxima take the largest. */
static int read_timers(struct softirqs_collector *c, bool clear, struct softirqs_result *out)
{
	int fd = bpf_map__fd(c->skel->maps.timers);
	struct softirqs_timer *vals = calloc(c->ncpus, sizeof(*vals));
	uint64_t key, next, *keys = NULL;
	size_t nkeys = 0;
	bool first = true;

	if (!vals)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		struct softirqs_timer_row *rows, row = {.function = next};
		uint64_t *k;
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (unsigned i = 0; i < c->ncpus; i++) {
			row.t.time_ns += vals[i].time_ns;
			row.t.count += vals[i].count;
			if (vals[i].max_ns > row.t.max_ns)
				row.t.max_ns = vals[i].max_ns;
		}
		rows = realloc(out->timers, (out->ntimers + 1) * sizeof(*rows));
		k = realloc(keys, (nkeys + 1) * sizeof(*k));
		if (k)
			keys = k;
		if (!rows || !k)
			break;
		out->timers = rows;
		rows[out->ntimers++] = row;
		keys[nkeys++] = key;
	}
	for (size_t i = 0; clear && i < nkeys; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
	free(vals);
	sort_rows(out->timers, out->ntimers, sizeof(*out->timers), by_time);
	return 0;
}

int softirqs_collector_read(struct softirqs_collector *c, bool clear, struct softirqs_result *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = read_cpus(c, clear, out)))
		return err;
	if (c->opts.timers)
		return read_timers(c, clear, out);
	return 0;
}

void softirqs_result_free(struct softirqs_result *r)
{
	free(r->cpus);
	free(r->timers);
	memset(r, 0, sizeof(*r));
}

void softirqs_collector_close(struct softirqs_collector *c)
{
	if (!c)
		return;
	softirqs_bpf__destroy(c->skel);
	free(c);
}

/* --- printing --- */

/* Sums of vector `vec` over the CPUs selected (cpu < 0: all). */
static void vec_sum(const struct softirqs_result *r, int cpu, unsigned vec, uint64_t *time_ns,
		    uint64_t *count, uint64_t *max_ns, struct hist *h)
{
	*time_ns = *count = *max_ns = 0;
	hist_init_log2(h, SOFTIRQS_SLOTS);
	for (unsigned i = 0; i < r->ncpus; i++) {
		const struct softirqs_cpu *s = &r->cpus[i];
		if (cpu >= 0 && (unsigned)cpu != i)
			continue;
		*time_ns += s->time_ns[vec];
		*count += s->count[vec];
		if (s->max_ns[vec] > *max_ns)
			*max_ns = s->max_ns[vec];
		hist_add_slots(h, (const uint64_t *)s->hist[vec], SOFTIRQS_SLOTS);
	}
}

static void print_rows_json(struct softirqs_cmd *s, const struct softirqs_result *r, int cpu,
			    struct json *j)
{
	const char *unit = s->opts.ns ? "ns" : "us";
	struct hist h;

	json_array_open(j, "softirqs");
	for (unsigned v = 0; v < SOFTIRQS_VECS; v++) {
		uint64_t t, n, mx;
		vec_sum(r, cpu, v, &t, &n, &mx, &h);
		if (!n)
			continue;
		json_object_open(j, NULL);
		json_str(j, "softirq", softirqs_vec_name(v));
		json_u64(j, "time_ns", t);
		json_u64(j, "count", n);
		json_u64(j, "max_ns", mx);
		if (s->opts.dist)
			hist_json(&h, unit, j, "duration");
		json_object_close(j);
	}
	json_array_close(j);
}

static void print_rows_text(struct softirqs_cmd *s, const struct softirqs_result *r, int cpu)
{
	const char *unit = s->opts.ns ? "nsecs" : "usecs";
	struct hist h;

	if (!s->opts.dist)
		printf("%-16s %14s %10s %12s\n", "SOFTIRQ", s->opts.ns ? "TOTAL_nsecs" : "TOTAL_usecs",
		       "COUNT", s->opts.ns ? "MAX_nsecs" : "MAX_usecs");
	for (unsigned v = 0; v < SOFTIRQS_VECS; v++) {
		uint64_t t, n, mx, div = s->opts.ns ? 1 : 1000;
		vec_sum(r, cpu, v, &t, &n, &mx, &h);
		if (!n)
			continue;
		if (s->opts.dist) {
			printf("\nsoftirq = %s\n", softirqs_vec_name(v));
			hist_print(&h, unit, stdout);
		} else {
			printf("%-16s %14llu %10llu %12llu\n", softirqs_vec_name(v),
			       (unsigned long long)(t / div), (unsigned long long)n,
			       (unsigned long long)(mx / div));
		}
	}
}

static void print_timers(struct softirqs_cmd *s, const struct softirqs_result *r, struct json *j)
{
	char name[256];

	if (j) {
		json_array_open(j, "timers");
		for (size_t i = 0; i < r->ntimers; i++) {
			json_object_open(j, NULL);
			json_str(j, "function", stack_kernel_frame(&s->syms, r->timers[i].function,
								   name, sizeof(name)));
			json_u64(j, "time_ns", r->timers[i].t.time_ns);
			json_u64(j, "count", r->timers[i].t.count);
			json_u64(j, "max_ns", r->timers[i].t.max_ns);
			json_object_close(j);
		}
		json_array_close(j);
		return;
	}
	printf("\n%-40s %12s %10s %12s\n", "TIMER FUNCTION", "TOTAL_usecs", "COUNT", "MAX_usecs");
	for (size_t i = 0; i < r->ntimers && i < 20; i++)
		printf("%-40s %12llu %10llu %12llu\n",
		       stack_kernel_frame(&s->syms, r->timers[i].function, name, sizeof(name)),
		       (unsigned long long)r->timers[i].t.time_ns / 1000,
		       (unsigned long long)r->timers[i].t.count,
		       (unsigned long long)r->timers[i].t.max_ns / 1000);
}

static int tick(void *arg, bool last)
{
	struct softirqs_cmd *s = arg;
	struct softirqs_result r;
	struct json j;
	int err;

	(void)last;
	if ((err = softirqs_collector_read(s->c, true, &r)))
		return cli_fail("reading the softirq maps failed: %s", strerror(-err));
	if (s->common.json) {
		json_begin(&j, stdout, "softirqs");
		json_u64(&j, "interval_s", s->common.interval_s);
		if (s->per_cpu) {
			json_array_open(&j, "cpus");
			for (unsigned c = 0; c < r.ncpus; c++) {
				if (s->opts.cpu >= 0 && (int)c != s->opts.cpu)
					continue;
				json_object_open(&j, NULL);
				json_u64(&j, "cpu", c);
				print_rows_json(s, &r, (int)c, &j);
				json_object_close(&j);
			}
			json_array_close(&j);
		} else {
			print_rows_json(s, &r, -1, &j);
		}
		if (s->opts.timers)
			print_timers(s, &r, &j);
		json_end(&j);
	} else {
		if (s->timestamp)
			out_timestamp_line(stdout);
		else
			putchar('\n');
		if (s->per_cpu) {
			for (unsigned c = 0; c < r.ncpus; c++) {
				if (s->opts.cpu >= 0 && (int)c != s->opts.cpu)
					continue;
				printf("%sCPU %u\n", c ? "\n" : "", c);
				print_rows_text(s, &r, (int)c);
			}
		} else {
			print_rows_text(s, &r, -1);
		}
		if (s->opts.timers)
			print_timers(s, &r, NULL);
		fflush(stdout);
	}
	softirqs_result_free(&r);
	return 0;
}

int cmd_softirqs(int argc, char **argv)
{
	struct softirqs_cmd s = {.opts = {.cpu = -1}};
	struct cli_loop_ops ops = {.tick = tick};
	int err;

	cli_parse(&softirqs_spec, argc, argv, &s.common, on_option, &s);
	wbpf_init(s.common.verbose);
	s.c = softirqs_collector_open(&s.opts);
	if (!s.c)
		return EXIT_RUNTIME;
	if (s.opts.timers && stack_syms_open(&s.syms, true, false))
		cli_warn("cannot read /proc/kallsyms: timer functions print as addresses");
	fprintf(stderr, "Tracing soft irq event time... Hit Ctrl-C to end.\n");
	err = cli_run_loop(&s.common, &ops, &s);
	stack_syms_close(&s.syms);
	softirqs_collector_close(s.c);
	return err;
}
