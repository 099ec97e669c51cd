/* biosnoop: every block I/O with its issuer, disk, operation, sector, size, queue time and
 * latency, from block:block_io_start, block_rq_insert, block_rq_issue and
 * block_rq_complete. Options and output follow bcc's biosnoop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/blockdev.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/snoop.h"
#include "disk/blkissuer.h"
#include "render/heatmap_opt.h"
#include "disk/biolatency.h" /* flag encoding */
#include "disk/biosnoop.h"
#include "biosnoop.skel.h"

struct biosnoop {
	struct cli_common common;
	bool queued, ms_time;
	bool filter_dev;
	dev_t dev;
	char disk[64];
	pid_t pid;
	uint64_t start_ns;
	struct snoop_counts counts;
	struct biosnoop_bpf *skel;
	struct ring_buffer *rb;
	const char *heatmap_path; /* --heatmap */
	struct heatmap *heatmap;
};

static const struct cli_opt options[] = {
	{'Q', "queue", NULL, "show the time each request was queued in the kernel (insert to issue)"},
	{'d', "disk", "DISK", "trace this disk only (name like sda, or MAJ:MIN)"},
	{CLI_LONG_ONLY + 1, "heatmap", "FILE", "also write a latency heat map (time x latency in us) as SVG"},
	{'p', "pid", "PID", "trace I/O issued by this process only"},
	{0},
};

const struct cli_spec biosnoop_spec = {
	.name = "biosnoop",
	.summary = "every block I/O: issuing process, disk, R/W, sector, bytes, latency (-Q queue)",
	.usage = "[-Q] [-d DISK] [-p PID] [--heatmap FILE] [--json] [interval [count]]",
	.description =
		"Prints one line per completed block request. The process is the one that\n"
		"issued the I/O (recorded at block:block_io_start, in the submitter's context),\n"
		"not the task that happened to run when it completed. LAT is issue to\n"
		"completion (the device's time); with -Q, QUE is insert to issue (time queued\n"
		"in the kernel's scheduler). Requests in flight when tracing starts are not\n"
		"shown. With an interval, a line per interval reports events lost because the\n"
		"ring buffer was full (never hidden). Cases C1, C2, C3 (heat maps of the output).",
	.opts = options,
	.examples = "  whyslow biosnoop                # until Ctrl-C\n"
		    "  whyslow biosnoop -Q -d vda      # vda only, with queue time\n"
		    "  whyslow biosnoop -p 1234 10 1   # I/O of process 1234, for 10 s\n"
		    "  whyslow biosnoop --json         # one JSON object per I/O\n"
		    "  whyslow biosnoop --heatmap io.svg 60 1  # and a latency heat map of a minute\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct biosnoop *b = arg;

	switch (key) {
	case 'Q': b->queued = true; break;
	case 'd':
		b->dev = cli_parse_disk(val, b->disk, sizeof(b->disk));
		b->filter_dev = true;
		break;
	case CLI_LONG_ONLY + 1: b->heatmap_path = val; break;
	case 'p': b->pid = cli_parse_pid(val); break;
	}
	return 0;
}

/* "R", "W", "F" (flush), "D" (discard), "?" (other); with S for sync writes as bcc's rwbs. */
static const char *op_letter(uint32_t flags)
{
	static const char *const letters[] = {"R", "W", "F", "D", "?"};
	uint32_t op = flags & BIO_OP_MASK;

	return letters[op < 5 ? op : 4];
}

static void print_event(struct biosnoop *b, const struct biosnoop_event *e)
{
	char disk[64];
	double t = (double)(e->complete_ns - b->start_ns) / 1e9;

	blockdev_name(e->dev, disk, sizeof(disk));
	if (b->common.json) {
		struct json j;
		json_begin(&j, stdout, "biosnoop");
		json_double(&j, "time_s", t);
		json_str(&j, "comm", e->comm);
		json_u64(&j, "pid", e->pid);
		json_str(&j, "disk", disk);
		json_str(&j, "rw", op_letter(e->flags));
		json_u64(&j, "sector", e->sector);
		json_u64(&j, "bytes", e->bytes);
		if (b->queued)
			json_double(&j, "queue_us", e->queue_ns / 1e3);
		json_double(&j, "latency_us", e->latency_ns / 1e3);
		json_end(&j);
		return;
	}
	printf("%-11.6f %-14.14s %-7u %-9s %-1s %-10llu %-7u ", t, e->comm, e->pid, disk,
	       op_letter(e->flags), (unsigned long long)e->sector, e->bytes);
	if (b->queued)
		printf("%7.2f ", e->queue_ns / 1e6);
	printf("%7.2f\n", e->latency_ns / 1e6);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct biosnoop *b = ctx;

	if (size < sizeof(struct biosnoop_event))
		return 0;
	b->counts.events++;
	print_event(b, data);
	if (b->heatmap) {
		const struct biosnoop_event *e = data;
		heatmap_add(b->heatmap, (double)(e->complete_ns - b->start_ns) / 1e9, e->latency_ns / 1e3);
	}
	return 0;
}

static int poll_events(void *arg, int timeout_ms)
{
	struct biosnoop *b = arg;
	int err = snoop_poll(b->rb, timeout_ms, !b->common.json);

	pidwatch_stop_if_gone(b->pid);
	return err;
}

/* Lost events are reported at every interval end and at exit, never hidden. */
static int tick(void *arg, bool last)
{
	struct biosnoop *b = arg;

	(void)last;
	ring_buffer__consume(b->rb);
	snoop_read_losses(&b->counts, bpf_map__fd(b->skel->maps.lost), b->skel->obj);
	snoop_print_summary("biosnoop", b->common.json, &b->counts);
	return 0;
}

static int load(struct biosnoop *b, bool use_btf, bool have_io_start)
{
	struct biosnoop_bpf *skel = biosnoop_bpf__open();
	int err;

	b->skel = skel;
	if (!skel)
		return -errno;
	blk_issuer_setup(skel, b->filter_dev, b->dev, b->pid, use_btf, have_io_start);
	wbpf_pick(skel->progs.insert_btf, skel->progs.insert_raw, use_btf);
	wbpf_pick(skel->progs.issue_btf, skel->progs.issue_raw, use_btf);
	wbpf_pick(skel->progs.complete_btf, skel->progs.complete_raw, use_btf);
	err = biosnoop_bpf__load(skel);
	if (!err)
		err = biosnoop_bpf__attach(skel);
	return err;
}

int cmd_biosnoop(int argc, char **argv)
{
	static const char *const tracepoints[] = {"block", "block_rq_insert", "block",
						  "block_rq_issue", "block", "block_rq_complete", NULL};
	struct biosnoop b = {0};
	struct cli_loop_ops ops = {.tick = tick, .poll = poll_events};
	bool use_btf = wbpf_prefer_tp_btf(), have_io_start;
	int err;

	cli_parse(&biosnoop_spec, argc, argv, &b.common, on_option, &b);
	wbpf_init(b.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	have_io_start = wbpf_tracepoint_exists("block", "block_io_start");
	err = load(&b, use_btf, have_io_start);
	if (err && use_btf) { /* kernels without tp_btf for these hooks: raw tracepoints */
		biosnoop_bpf__destroy(b.skel);
		err = load(&b, false, have_io_start);
	}
	if (err) {
		biosnoop_bpf__destroy(b.skel);
		return wbpf_load_error("biosnoop's BPF programs", err);
	}
	b.rb = ring_buffer__new(bpf_map__fd(b.skel->maps.events), handle_event, &b, NULL);
	if (!b.rb) {
		err = -errno;
		biosnoop_bpf__destroy(b.skel);
		return cli_fail("opening the ring buffer failed: %s", strerror(-err));
	}
	if (b.heatmap_path && (err = open_heatmap(&b.heatmap, "Block I/O latency"))) {
		ring_buffer__free(b.rb);
		biosnoop_bpf__destroy(b.skel);
		return err;
	}
	b.start_ns = cli_now_ns();
	/* on stderr also with --json, so scripts can wait for it without parsing stdout */
	fprintf(stderr, "Tracing block I/O%s%s... Hit Ctrl-C to end.\n", b.filter_dev ? " on " : "",
		b.filter_dev ? b.disk : "");
	if (!b.common.json) {
		printf("%-11s %-14s %-7s %-9s %-1s %-10s %-7s ", "TIME(s)", "COMM", "PID", "DISK",
		       "T", "SECTOR", "BYTES");
		if (b.queued)
			printf("%7s ", "QUE(ms)");
		printf("%7s\n", "LAT(ms)");
	}
	err = cli_run_loop(&b.common, &ops, &b);
	if (b.heatmap && heatmap_write_svg(b.heatmap, b.heatmap_path) && !err)
		err = EXIT_RUNTIME;
	heatmap_free(b.heatmap);
	ring_buffer__free(b.rb);
	biosnoop_bpf__destroy(b.skel);
	return err;
}
