/* runqlen: run-queue length sampled on each CPU (cpu-clock perf events), as histograms in
 * total or per CPU (-C). Options and output follow bcc's runqlen; the length counts the
 * running task (0 = idle), where bcc's subtracts it and cannot tell idle from busy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/hist.h"
#include "lib/out.h"
#include "lib/perfsample.h"
#include "cpu/runqlen.h"
#include "runqlen.skel.h"

#define DEFAULT_FREQ 99

struct runqlen {
	struct cli_common common;
	bool per_cpu, occupancy, timestamp;
	unsigned freq_hz;
	int ncpus;
	struct runqlen_bpf *skel;
	struct perf_sampler sampler;
	struct runqlen_hist *values; /* one per possible CPU */
};

static const struct cli_opt options[] = {
	{'C', "cpus", NULL, "one histogram per CPU"},
	{'O', "runqocc", NULL, "report run-queue occupancy (share of samples with waiting tasks)"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'F', "frequency", "HZ", "samples per second per CPU (default 99)"},
	{0},
};

const struct cli_spec runqlen_spec = {
	.name = "runqlen",
	.summary = "run-queue length sampled per CPU (-C): saturation and imbalance",
	.usage = "[-C] [-O] [-T] [-F HZ] [--json] [interval [count]]",
	.description =
		"Samples each CPU's run-queue length HZ times a second with a cpu-clock perf\n"
		"event: the runnable tasks there, the running one included, so 0 is an idle\n"
		"CPU, 1 a busy one and 2 or more a CPU with tasks waiting (saturation, case\n"
		"C13). Works on kernels whose cfs_rq fields were renamed (bcc's runqlen does\n"
		"not load on 6.14 and later). -O prints the share of samples with a task\n"
		"waiting.",
	.opts = options,
	.examples = "  whyslow runqlen                 # until Ctrl-C, all CPUs together\n"
		    "  whyslow runqlen -C 5 1          # per CPU, one 5 s interval\n"
		    "  whyslow runqlen -O 1 10         # occupancy every second\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct runqlen *r = arg;

	switch (key) {
	case 'C': r->per_cpu = true; break;
	case 'O': r->occupancy = true; break;
	case 'T': r->timestamp = true; break;
	case 'F': r->freq_hz = cli_parse_ulong(val, "frequency (Hz)", 1, 10000); break;
	}
	return 0;
}

static void to_hist(const struct runqlen_hist *v, struct hist *h)
{
	hist_init_linear(h, 0, 1, RUNQLEN_SLOTS);
	hist_add_slots(h, (const uint64_t *)v->slots, RUNQLEN_SLOTS);
}

static double mean_len(const struct hist *h)
{
	uint64_t n = hist_total(h), sum = 0;

	for (unsigned i = 0; i < h->nslots; i++)
		sum += h->counts[i] * i;
	return n ? (double)sum / n : 0;
}

/* Share of samples where a task was waiting: more than one runnable. */
static double occupancy_pct(const struct hist *h)
{
	uint64_t n = hist_total(h);

	return n ? 100.0 * (n - h->counts[0] - h->counts[1]) / n : 0;
}

static void print_one(struct runqlen *r, const struct hist *h, int cpu, struct json *j)
{
	if (j) {
		json_object_open(j, NULL);
		if (cpu >= 0)
			json_u64(j, "cpu", cpu);
		json_double(j, "mean", mean_len(h));
		json_double(j, "occupancy_pct", occupancy_pct(h));
		hist_json(h, "tasks", j, "runqlen");
		json_object_close(j);
		return;
	}
	if (cpu >= 0)
		printf("\ncpu = %d\n", cpu);
	if (r->occupancy)
		printf("runqocc: %0.2f%%\n", occupancy_pct(h));
	else
		hist_print(h, "runqlen", stdout);
}

static int print_interval(void *arg, bool last)
{
	struct runqlen *r = arg;
	uint32_t zero = 0;
	struct hist total, h;
	struct json j;

	(void)last;
	if (bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.hist), &zero, r->values))
		return cli_fail("reading the histogram map failed: %s", strerror(errno));
	wbpf_percpu_zero(bpf_map__fd(r->skel->maps.hist), &zero, RUNQLEN_SLOTS);
	hist_init_linear(&total, 0, 1, RUNQLEN_SLOTS);
	for (int cpu = 0; cpu < r->ncpus; cpu++)
		hist_add_slots(&total, (const uint64_t *)r->values[cpu].slots, RUNQLEN_SLOTS);
	if (r->common.json) {
		json_begin(&j, stdout, "runqlen");
		json_u64(&j, "frequency_hz", r->freq_hz);
		json_array_open(&j, "cpus");
		for (int cpu = 0; cpu < r->ncpus; cpu++) {
			to_hist(&r->values[cpu], &h);
			if (hist_total(&h))
				print_one(r, &h, cpu, &j);
		}
		json_array_close(&j);
		json_object_open(&j, "total");
		json_double(&j, "mean", mean_len(&total));
		json_double(&j, "occupancy_pct", occupancy_pct(&total));
		hist_json(&total, "tasks", &j, "runqlen");
		json_object_close(&j);
		json_end(&j);
		return 0;
	}
	if (r->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	if (r->per_cpu) {
		for (int cpu = 0; cpu < r->ncpus; cpu++) {
			to_hist(&r->values[cpu], &h);
			if (hist_total(&h))
				print_one(r, &h, cpu, NULL);
		}
	} else {
		print_one(r, &total, -1, NULL);
	}
	fflush(stdout);
	return 0;
}

int cmd_runqlen(int argc, char **argv)
{
	struct runqlen r = {.freq_hz = DEFAULT_FREQ};
	struct cli_loop_ops ops = {.tick = print_interval};
	int err;

	cli_parse(&runqlen_spec, argc, argv, &r.common, on_option, &r);
	wbpf_init(r.common.verbose);
	if ((err = wbpf_check_prereqs()))
		return err;
	r.ncpus = wbpf_ncpus();
	if (!(r.values = calloc(r.ncpus, sizeof(*r.values))))
		return cli_fail("out of memory");
	if (!(r.skel = runqlen_bpf__open()) || (err = runqlen_bpf__load(r.skel))) {
		err = wbpf_load_error("runqlen's BPF program", r.skel ? err : -errno);
		goto out;
	}
	if ((err = perf_sampler_attach(&r.sampler, r.skel->progs.sample, r.freq_hz, -1)))
		goto out;
	/* on stderr, also with --json: scripts wait for it to know tracing began */
	fprintf(stderr, "Sampling run queue length... Hit Ctrl-C to end.\n");
	err = cli_run_loop(&r.common, &ops, &r);
out:
	perf_sampler_detach(&r.sampler);
	runqlen_bpf__destroy(r.skel);
	free(r.values);
	return err;
}
