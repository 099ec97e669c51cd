/* biolatency: block I/O latency histograms, from the block_rq_insert, block_rq_issue and
 * block_rq_complete tracepoints. Options and output follow bcc's biolatency. */
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/blockdev.h"
#include "lib/cli.h"
#include "lib/histmap.h"
#include "lib/out.h"
#include "disk/biolatency.h"
#include "biolatency.skel.h"

struct biolatency {
	struct cli_common common;
	bool timestamp, ms, queued, per_disk, per_flag;
	bool filter_dev;
	dev_t dev;
	char disk[64];
	struct biolatency_bpf *skel;
	struct hist_set set;
};

static const struct cli_opt options[] = {
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'m', "milliseconds", NULL, "histogram in milliseconds"},
	{'Q', "queued", NULL, "include time queued in the kernel (from insert, not issue)"},
	{'D', "disks", NULL, "one histogram per disk"},
	{'F', "flags", NULL, "one histogram per set of I/O flags"},
	{'d', "disk", "DISK", "trace this disk only (name like sda, or MAJ:MIN)"},
	{0},
};

const struct cli_spec biolatency_spec = {
	.name = "biolatency",
	.summary = "block I/O latency histograms, per disk (-D) or per I/O flags (-F)",
	.usage = "[-T] [-m] [-Q] [-D] [-F] [-d DISK] [--json] [interval [count]]",
	.description =
		"Times each block request from issue to completion (with -Q from the moment it\n"
		"was queued) using the block:block_rq_insert/issue/complete tracepoints, and\n"
		"prints log2 histograms. Most I/O in one band with a long queue means a loaded\n"
		"disk; high latency with a short queue means a slow device (cases C1, C2).\n"
		"I/Os already in flight when tracing starts are not counted.",
	.opts = options,
	.examples = "  whyslow biolatency              # until Ctrl-C, one histogram\n"
		    "  whyslow biolatency -D 1 10      # per disk, every second, ten times\n"
		    "  whyslow biolatency -mQ -d vda   # vda only, in ms, including queue time\n"
		    "  whyslow biolatency -F --json 5  # per flags, as JSON every 5 s\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct biolatency *b = arg;

	switch (key) {
	case 'T': b->timestamp = true; break;
	case 'm': b->ms = true; break;
	case 'Q': b->queued = true; break;
	case 'D': b->per_disk = true; break;
	case 'F': b->per_flag = true; break;
	case 'd':
		b->dev = cli_parse_disk(val, b->disk, sizeof(b->disk));
		b->filter_dev = true;
		break;
	}
	return 0;
}

static void flags_name(uint32_t flags, char *buf, size_t size)
{
	static const char *const ops[] = {"Read", "Write", "Flush", "Discard", "Other"};
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{BIO_FLAG_SYNC, "Sync"},	  {BIO_FLAG_META, "Meta"},
		     {BIO_FLAG_FUA, "FUA"},	  {BIO_FLAG_PREFLUSH, "PreFlush"},
		     {BIO_FLAG_RAHEAD, "ReadAhead"}, {BIO_FLAG_BACKGROUND, "Background"}};
	uint32_t op = flags & BIO_OP_MASK;
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			n += snprintf(buf + n, n < size ? size - n : 0, "%s-", names[i].name);
	snprintf(buf + n, n < size ? size - n : 0, "%s", ops[op < 5 ? op : 4]);
}

static bool label_key(const void *k, struct hist_item *item, void *arg)
{
	const struct biolat_key *key = k;
	const struct biolatency *b = arg;
	char disk[64] = "", flags[96] = "";

	if (b->per_disk)
		blockdev_name(key->dev, disk, sizeof(disk));
	if (b->per_flag)
		flags_name(key->flags, flags, sizeof(flags));
	snprintf(item->label, sizeof(item->label), "%s%s%s", disk, *disk && *flags ? " " : "", flags);
	item->sort_key = ((uint64_t)key->dev << 32) | key->flags;
	return true;
}

static const char *label_name(const struct biolatency *b)
{
	return b->per_disk && b->per_flag ? "disk_flags" : b->per_disk ? "disk" : "flags";
}

/* Requests still holding a way in the start table: at the end, I/Os that were issued while
 * tracing but never seen completing. One lookup per set, done only once. */
static uint64_t start_table_live(int fd)
{
	uint64_t live = 0;
	struct start_set set;

	for (uint32_t idx = 0; idx < START_SETS && bpf_map_lookup_elem(fd, &idx, &set) == 0; idx++)
		for (int i = 0; i < START_WAYS; i++)
			live += set.rq[i] && set.ts[i];
	return live;
}

/* I/Os stamped while tracing whose completion never reached biolatency: a request stamped
 * again while its previous use was still timed, plus, at the end, requests left in the
 * table (still in flight, or their completion event was not delivered). Running totals. */
static uint64_t unfinished_ios(const struct biolatency *b, bool last)
{
	uint64_t n = wbpf_lost_events(bpf_map__fd(b->skel->maps.orphaned));

	return last ? n + start_table_live(bpf_map__fd(b->skel->maps.start)) : n;
}

static void print_warnings(uint64_t missed, uint64_t unfinished, uint64_t lost)
{
	if (missed)
		printf("warning: %llu I/Os not timed: too many in flight in one start-table set\n",
		       (unsigned long long)missed);
	if (unfinished)
		printf("warning: %llu I/Os not seen completing: in flight at the end, or their "
		       "completion event never reached us\n", (unsigned long long)unfinished);
	if (lost)
		printf("warning: %llu events lost: the kernel skipped runs of our programs\n",
		       (unsigned long long)lost);
}

static int print_interval(void *arg, bool last)
{
	struct biolatency *b = arg;
	const char *unit = b->ms ? "msecs" : "usecs";
	struct hist total;
	bool keyed = b->per_disk || b->per_flag;
	uint64_t missed = wbpf_lost_events(bpf_map__fd(b->skel->maps.missed));
	uint64_t unfinished = unfinished_ios(b, last);
	uint64_t lost = wbpf_recursion_misses(b->skel->obj);
	struct json j;
	int err;

	if (keyed)
		err = histmap_read_keyed(bpf_map__fd(b->skel->maps.keyed_hist),
					 sizeof(struct biolat_key), BIOLAT_SLOTS, true, label_key, b,
					 &b->set);
	else
		err = histmap_read_total(bpf_map__fd(b->skel->maps.total_hist), BIOLAT_SLOTS, true,
					 &total);
	if (err)
		return cli_fail("reading the histogram maps failed: %s", strerror(-err));

	if (b->common.json) {
		json_begin(&j, stdout, "biolatency");
		json_u64(&j, "interval_s", b->common.interval_s);
		if (b->filter_dev)
			json_str(&j, "disk", b->disk);
		if (keyed)
			hist_set_json(&b->set, label_name(b), "latency", b->ms ? "ms" : "us", &j);
		else
			hist_json(&total, b->ms ? "ms" : "us", &j, "latency");
		json_u64(&j, "untimed_ios", missed); /* no free way in the start table */
		json_u64(&j, "unfinished_ios", unfinished);
		json_u64(&j, "lost_events", lost); /* runs the kernel skipped */
		json_end(&j);
		return 0;
	}
	if (b->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	if (keyed)
		hist_set_print(&b->set, label_name(b), unit, stdout);
	else
		hist_print(&total, unit, stdout);
	print_warnings(missed, unfinished, lost);
	fflush(stdout);
	return 0;
}

static int load(struct biolatency *b, bool use_btf)
{
	struct biolatency_bpf *skel = biolatency_bpf__open();
	int err;

	b->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_queued = b->queued;
	skel->rodata->targ_per_disk = b->per_disk;
	skel->rodata->targ_per_flag = b->per_flag;
	skel->rodata->targ_ms = b->ms;
	skel->rodata->filter_dev = b->filter_dev;
	skel->rodata->targ_dev = kdev_make(major(b->dev), minor(b->dev));
	wbpf_pick(skel->progs.insert_btf, skel->progs.insert_raw, use_btf && b->queued);
	if (!b->queued)
		bpf_program__set_autoload(skel->progs.insert_raw, false);
	wbpf_pick(skel->progs.issue_btf, skel->progs.issue_raw, use_btf);
	wbpf_pick(skel->progs.complete_btf, skel->progs.complete_raw, use_btf);
	err = biolatency_bpf__load(skel);
	if (!err)
		err = biolatency_bpf__attach(skel);
	return err;
}

int cmd_biolatency(int argc, char **argv)
{
	static const char *const tracepoints[] = {"block", "block_rq_issue", "block",
						  "block_rq_complete", NULL};
	struct biolatency b = {0};
	struct cli_loop_ops ops = {.tick = print_interval};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&biolatency_spec, argc, argv, &b.common, on_option, &b);
	wbpf_init(b.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	if (b.queued && !wbpf_tracepoint_exists("block", "block_rq_insert"))
		return cli_fail("-Q needs tracepoint block:block_rq_insert, which this kernel lacks");

	err = load(&b, use_btf);
	if (err && use_btf) { /* kernels without tp_btf for these hooks: raw tracepoints */
		if (b.common.verbose)
			cli_warn("tp_btf programs refused (%s): using raw tracepoints", strerror(-err));
		biolatency_bpf__destroy(b.skel);
		err = load(&b, false);
	}
	if (err) {
		biolatency_bpf__destroy(b.skel);
		return wbpf_load_error("biolatency's BPF programs", err);
	}
	/* always on stderr, also with --json: people and scripts wait for it */
	fprintf(stderr, "Tracing block device I/O%s%s... Hit Ctrl-C to end.\n",
			b.filter_dev ? " on " : "", b.filter_dev ? b.disk : "");
	err = cli_run_loop(&b.common, &ops, &b);
	hist_set_free(&b.set);
	biolatency_bpf__destroy(b.skel);
	return err;
}
