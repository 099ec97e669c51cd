/* bitesize: block I/O size histograms per issuing process (and per disk with -D), from
 * block:block_io_start and block_rq_issue. Options and output follow bcc's bitesize. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/blockdev.h"
#include "lib/cli.h"
#include "lib/histmap.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "disk/blkissuer.h"
#include "disk/bitesize.h"
#include "bitesize.skel.h"

struct bitesize {
	struct cli_common common;
	bool timestamp, per_disk, filter_dev;
	dev_t dev;
	char disk[64];
	const char *comm;
	pid_t pid;
	struct bitesize_bpf *skel;
	struct hist_set set;
};

static const struct cli_opt options[] = {
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'D', "disks", NULL, "one histogram per process and disk"},
	{'c', "comm", "COMM", "only processes with this name"},
	{'d', "disk", "DISK", "trace this disk only (name like sda, or MAJ:MIN)"},
	{'p', "pid", "PID", "trace I/O issued by this process only"},
	{0},
};

const struct cli_spec bitesize_spec = {
	.name = "bitesize",
	.summary = "block I/O size histograms per issuing process (per disk with -D)",
	.usage = "[-T] [-D] [-c COMM] [-d DISK] [-p PID] [--json] [interval [count]]",
	.description =
		"Counts each block request at issue (block:block_rq_issue, after merges, so at\n"
		"the size the device sees) in a log2 histogram of kilobytes, per process that\n"
		"issued it (recorded at block:block_io_start in the submitter's context). Small\n"
		"random I/O versus large sequential I/O per process; a normal size with a high\n"
		"latency points at the disk, not the application (case C1).",
	.opts = options,
	.examples = "  whyslow bitesize                # until Ctrl-C\n"
		    "  whyslow bitesize -D 5 1         # per process and disk, for 5 s\n"
		    "  whyslow bitesize -c postgres    # postgres processes only\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct bitesize *b = arg;

	switch (key) {
	case 'T': b->timestamp = true; break;
	case 'D': b->per_disk = true; break;
	case 'c': b->comm = val; break;
	case 'd':
		b->dev = cli_parse_disk(val, b->disk, sizeof(b->disk));
		b->filter_dev = true;
		break;
	case 'p': b->pid = cli_parse_pid(val); break;
	}
	return 0;
}

static bool label_key(const void *k, struct hist_item *item, void *arg)
{
	const struct bitesize_key *key = k;
	const struct bitesize *b = arg;
	char disk[64];

	if (b->comm && strncmp(key->comm, b->comm, sizeof(key->comm)) != 0)
		return false;
	snprintf(item->comm, sizeof(item->comm), "%.16s", key->comm);
	if (b->per_disk) {
		blockdev_name(key->dev, disk, sizeof(disk));
		snprintf(item->label, sizeof(item->label), "%s (%u) %s", item->comm, key->pid, disk);
	} else {
		item->has_id = true;
		item->id = key->pid;
		snprintf(item->label, sizeof(item->label), "%s (%u)", item->comm, key->pid);
	}
	item->sort_key = ((uint64_t)key->pid << 32) | key->dev;
	return true;
}

static int print_interval(void *arg, bool last)
{
	struct bitesize *b = arg;
	struct json j;
	int err;

	(void)last;
	err = histmap_read_keyed(bpf_map__fd(b->skel->maps.hists), sizeof(struct bitesize_key),
				 BITESIZE_SLOTS, true, label_key, b, &b->set);
	if (err)
		return cli_fail("reading the histogram maps failed: %s", strerror(-err));
	if (b->common.json) {
		json_begin(&j, stdout, "bitesize");
		json_u64(&j, "interval_s", b->common.interval_s);
		if (b->filter_dev)
			json_str(&j, "disk", b->disk);
		hist_set_json(&b->set, b->per_disk ? "process_disk" : "pid", "size", "kbytes", &j);
		json_end(&j);
		return 0;
	}
	if (b->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	hist_set_print(&b->set, b->per_disk ? "Process Name, Disk" : "Process Name", "Kbytes",
		       stdout);
	fflush(stdout);
	return 0;
}

static int poll_pid(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct bitesize *)arg)->pid, timeout_ms);
}

static int load(struct bitesize *b, bool use_btf, bool have_io_start)
{
	struct bitesize_bpf *skel = bitesize_bpf__open();
	int err;

	if (!skel)
		return -errno;
	b->skel = skel;
	skel->rodata->targ_per_disk = b->per_disk;
	blk_issuer_setup(skel, b->filter_dev, b->dev, b->pid, use_btf, have_io_start);
	wbpf_pick(skel->progs.issue_btf, skel->progs.issue_raw, use_btf);
	err = bitesize_bpf__load(skel);
	if (!err)
		err = bitesize_bpf__attach(skel);
	return err;
}

int cmd_bitesize(int argc, char **argv)
{
	static const char *const tracepoints[] = {"block", "block_rq_issue", NULL};
	struct bitesize b = {0};
	struct cli_loop_ops ops = {.tick = print_interval};
	bool use_btf = wbpf_prefer_tp_btf(), have_io_start;
	int err;

	cli_parse(&bitesize_spec, argc, argv, &b.common, on_option, &b);
	if (b.pid)
		ops.poll = poll_pid;
	wbpf_init(b.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	have_io_start = wbpf_tracepoint_exists("block", "block_io_start");
	err = load(&b, use_btf, have_io_start);
	if (err && use_btf) { /* kernels without tp_btf for these hooks: raw tracepoints */
		bitesize_bpf__destroy(b.skel);
		err = load(&b, false, have_io_start);
	}
	if (err) {
		bitesize_bpf__destroy(b.skel);
		return wbpf_load_error("bitesize's BPF programs", err);
	}
	fprintf(stderr, "Tracing block I/O sizes%s%s... Hit Ctrl-C to end.\n",
		b.filter_dev ? " on " : "", b.filter_dev ? b.disk : "");
	/* histmap_read_keyed qsorts the items even when there are none: keep the array
	 * non-NULL so that an empty interval is no undefined behaviour (UBSan) */
	b.set.items = calloc(16, sizeof(*b.set.items));
	b.set.cap = b.set.items ? 16 : 0;
	err = cli_run_loop(&b.common, &ops, &b);
	hist_set_free(&b.set);
	bitesize_bpf__destroy(b.skel);
	return err;
}
