/* biotop: top processes by block I/O per interval (I/Os, kilobytes, average latency per
 * process, disk and direction), from block:block_io_start, block_rq_issue and
 * block_rq_complete. Options and output follow bcc's biotop. */
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
#include "disk/blkissuer.h"
#include "lib/toprows.h"
#include "disk/biotop.h"
#include "biotop.skel.h"

/* A row as toprows stores it: the key padded to 8 bytes, then the value. */
struct biotop_row {
	struct biotop_key key;
	struct biotop_value value;
};

struct biotop {
	struct cli_common common;
	bool no_clear, filter_dev;
	unsigned long max_rows;
	dev_t dev;
	char disk[64];
	pid_t pid;
	struct biotop_bpf *skel;
	struct toprows rows;
};

static const struct cli_opt options[] = {
	{'C', "noclear", NULL, "don't clear the screen"},
	{'r', "maxrows", "ROWS", "print at most this many rows (default 20)"},
	{'d', "disk", "DISK", "trace this disk only (name like sda, or MAJ:MIN)"},
	{'p', "pid", "PID", "trace I/O issued by this process only"},
	{0},
};

const struct cli_spec biotop_spec = {
	.name = "biotop",
	.summary = "top processes by disk I/O per interval: reads/writes, kB, average latency",
	.usage = "[-C] [-r ROWS] [-d DISK] [-p PID] [--json] [interval [count]]",
	.description =
		"Every interval (default 1 s), the processes that issued the most block I/O,\n"
		"by kilobytes, per disk and direction, with their I/O count and average\n"
		"latency (issue to completion). The process is the issuer recorded at\n"
		"block:block_io_start, not the task running at completion, so I/O done for a\n"
		"process shows under its name (case C11).",
	.opts = options,
	.examples = "  whyslow biotop                  # every second until Ctrl-C\n"
		    "  whyslow biotop -C 5 3           # every 5 s, three times, no clearing\n"
		    "  whyslow biotop -d vda --json 1 10\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct biotop *b = arg;

	switch (key) {
	case 'C': b->no_clear = true; break;
	case 'r': b->max_rows = cli_parse_ulong(val, "row count", 1, 100000); break;
	case 'd':
		b->dev = cli_parse_disk(val, b->disk, sizeof(b->disk));
		b->filter_dev = true;
		break;
	case 'p': b->pid = cli_parse_pid(val); break;
	}
	return 0;
}

static int by_bytes_desc(const void *pa, const void *pb)
{
	const struct biotop_row *a = pa, *b = pb;

	if (a->value.bytes != b->value.bytes)
		return a->value.bytes < b->value.bytes ? 1 : -1;
	return a->key.pid < b->key.pid ? -1 : a->key.pid > b->key.pid;
}

static void print_json(struct biotop *b)
{
	struct json j;
	char disk[64];

	json_begin(&j, stdout, "biotop");
	json_u64(&j, "interval_s", b->common.interval_s);
	json_array_open(&j, "rows");
	for (size_t i = 0; i < b->rows.n && i < b->max_rows; i++) {
		const struct biotop_row *r = toprows_key(&b->rows, i);
		json_object_open(&j, NULL);
		json_u64(&j, "pid", r->key.pid);
		json_str(&j, "comm", r->key.comm);
		json_str(&j, "rw", r->key.rw ? "W" : "R");
		json_str(&j, "disk", blockdev_name(r->key.dev, disk, sizeof(disk)));
		json_u64(&j, "ios", r->value.ios);
		json_u64(&j, "bytes", r->value.bytes);
		json_double(&j, "avg_latency_ms",
			    r->value.ios ? r->value.latency_ns / 1e6 / r->value.ios : 0);
		json_object_close(&j);
	}
	json_array_close(&j);
	json_end(&j);
}

static void print_text(struct biotop *b)
{
	char disk[64];

	toprows_print_header(stdout, !b->no_clear);
	printf("%-7s %-16s %1s %3s %3s %-8s %5s %7s %8s\n", "PID", "COMM", "D", "MAJ", "MIN",
	       "DISK", "I/O", "Kbytes", "AVGms");
	for (size_t i = 0; i < b->rows.n && i < b->max_rows; i++) {
		const struct biotop_row *r = toprows_key(&b->rows, i);
		printf("%-7u %-16.16s %1s %3u %3u %-8s %5llu %7llu %8.2f\n", r->key.pid, r->key.comm,
		       r->key.rw ? "W" : "R", kdev_major(r->key.dev), kdev_minor(r->key.dev),
		       blockdev_name(r->key.dev, disk, sizeof(disk)),
		       (unsigned long long)r->value.ios, (unsigned long long)r->value.bytes / 1024,
		       r->value.ios ? r->value.latency_ns / 1e6 / r->value.ios : 0.0);
	}
	if (b->rows.n > b->max_rows)
		printf("(%zu more rows)\n", b->rows.n - b->max_rows);
	putchar('\n');
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct biotop *b = arg;
	int err;

	(void)last;
	err = toprows_read(&b->rows, bpf_map__fd(b->skel->maps.counts), true);
	if (err < 0)
		return cli_fail("reading the I/O counts failed: %s", strerror(-err));
	toprows_sort(&b->rows, by_bytes_desc);
	if (b->common.json)
		print_json(b);
	else
		print_text(b);
	return 0;
}

static int poll_pid(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct biotop *)arg)->pid, timeout_ms);
}

static int load(struct biotop *b, bool use_btf, bool have_io_start)
{
	struct biotop_bpf *skel = biotop_bpf__open();
	int err;

	b->skel = skel;
	if (!skel)
		return -errno;
	blk_issuer_setup(skel, b->filter_dev, b->dev, b->pid, use_btf, have_io_start);
	wbpf_pick(skel->progs.issue_btf, skel->progs.issue_raw, use_btf);
	wbpf_pick(skel->progs.complete_btf, skel->progs.complete_raw, use_btf);
	err = biotop_bpf__load(skel);
	if (!err)
		err = biotop_bpf__attach(skel);
	return err;
}

int cmd_biotop(int argc, char **argv)
{
	static const char *const tracepoints[] = {"block", "block_rq_issue", "block",
						  "block_rq_complete", NULL};
	struct biotop b = {.max_rows = 20};
	struct cli_loop_ops ops = {.tick = tick};
	bool use_btf = wbpf_prefer_tp_btf(), have_io_start;
	int err;

	cli_parse(&biotop_spec, argc, argv, &b.common, on_option, &b);
	toprows_init(&b.rows, sizeof(struct biotop_key), sizeof(struct biotop_value));
	if (!b.common.interval_s)
		b.common.interval_s = 1; /* as bcc: a table every second by default */
	if (b.pid)
		ops.poll = poll_pid;
	wbpf_init(b.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	have_io_start = wbpf_tracepoint_exists("block", "block_io_start");
	err = load(&b, use_btf, have_io_start);
	if (err && use_btf) { /* kernels without tp_btf for these hooks: raw tracepoints */
		biotop_bpf__destroy(b.skel);
		err = load(&b, false, have_io_start);
	}
	if (err) {
		biotop_bpf__destroy(b.skel);
		return wbpf_load_error("biotop's BPF programs", err);
	}
	fprintf(stderr, "Tracing block I/O per process%s%s... Output every %u s. Hit Ctrl-C to end.\n",
		b.filter_dev ? " on " : "", b.filter_dev ? b.disk : "", b.common.interval_s);
	err = cli_run_loop(&b.common, &ops, &b);
	toprows_free(&b.rows);
	biotop_bpf__destroy(b.skel);
	return err;
}
